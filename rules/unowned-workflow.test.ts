import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fixtureInventory, gitlabInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './unowned-workflow.js';

const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.severity];

describe('unowned-workflow', () => {
  it('fires on the fixture workflow whose CODEOWNERS rule names nobody, at its first key; silent on those CODEOWNERS covers', async () => {
    const { inventory } = await fixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([['.github/workflows/nightly.yml', 1, 1, 'low']]);
    expect(findings[0]).toMatchObject({
      ruleId: 'unowned-workflow',
      resource: { id: '.github/workflows/nightly.yml', kind: 'workflow', provider: 'github', name: 'Nightly backup' },
      evidence: { triggers: 'schedule', jobs: 1 },
    });
    expect(findings[0]!.message).toContain('Workflow "Nightly backup"');
    // Owned through /.github/workflows/ and /.github/actions/: ci, deploy, release, the composite action.
    const owned = inventory.identities.filter((i) => i.owners.length > 0).map((i) => i.id);
    expect(owned).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/deploy.yml', '.github/actions/setup-deps/action.yml']));
  });

  it('fires on every workflow and composite action of a repository without CODEOWNERS, and honours nhi:allow', () => {
    const findings = rule.evaluate(
      workflowInventory({
        '.github/workflows/ci.yml': '# CI for the docs site\non: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
        '.github/workflows/old.yml': 'name: Old # nhi:allow retired next sprint\non: workflow_dispatch\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
        '.github/actions/setup/action.yml': 'name: Setup\nruns:\n  using: composite\n  steps:\n    - run: make setup\n      shell: bash\n',
      }),
      ruleCtx(),
    );
    expect(findings.map(brief)).toEqual([
      ['.github/workflows/ci.yml', 2, 1, 'low'],
      ['.github/workflows/old.yml', 1, 1, 'low'],
      ['.github/actions/setup/action.yml', 1, 1, 'low'],
    ]);
    expect(findings.map((f) => f.allowedInline ?? false)).toEqual([false, true, false]);
    expect(findings[2]!.message).toContain('Composite action "Setup"');
  });

  it('stays silent when an owner is claimed', () => {
    const inventory = workflowInventory({ '.github/workflows/ci.yml': 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n' });
    inventory.identities[0]!.owners = [{ owner: '@acme/ci', source: 'codeowners' }];
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });
});

describe('unowned-workflow on GitLab CI and n8n', () => {
  it('fires on a GitLab pipeline no CODEOWNERS section owns, at its first key; silent once owned', async () => {
    const inventory = await gitlabInventory({ '.gitlab-ci.yml': '# build\ntest:\n  script:\n    - make test\n' });
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([['.gitlab-ci.yml', 2, 1, 'low']]);
    expect(findings[0]!.resource).toMatchObject({ provider: 'gitlab', kind: 'workflow' });
    inventory.identities[0]!.owners = [{ owner: '@acme/platform', source: 'codeowners' }];
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });
});
