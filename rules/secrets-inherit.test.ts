import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fixtureInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './secrets-inherit.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const W = '.github/workflows/w.yml';
const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.severity, f.evidence?.case];
const run = (text: string) => rule.evaluate(workflowInventory({ [W]: text }), ruleCtx());

describe('secrets-inherit over the fixture repository', () => {
  it('fires on secrets: inherit (at the key) and on toJSON(secrets) (at the expression)', async () => {
    const { inventory } = await fixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([
      ['.github/workflows/deploy.yml', 39, 21, 'high', 'whole-context'],
      ['.github/workflows/release.yml', 11, 5, 'medium', 'secrets-inherit'],
      ['.github/workflows/release.yml', 15, 5, 'low', 'secrets-inherit'],
    ]);
    expect(findings[0]!.message).toContain('job deploy, step 3 (run)');
    expect(findings[1]).toMatchObject({ resource: { id: '.github/workflows/release.yml', kind: 'workflow' }, evidence: { job: 'publish', calls: 'acme/shared-workflows/.github/workflows/npm-publish.yml@v2' } });
    expect(findings[2]!.message).toContain('a workflow of the same repository');
  });

  it('stays silent on named secrets, explicit secrets maps, OIDC and composite actions', async () => {
    const { inventory } = await fixtureInventory();
    const reported = new Set(rule.evaluate(inventory, ruleCtx()).map((f) => f.location!.path));
    for (const quiet of ['.github/workflows/ci.yml', '.github/workflows/deploy-oidc.yml', '.github/workflows/docs.yml', '.github/workflows/nightly.yml', '.github/actions/setup-deps/action.yml']) {
      expect(reported.has(quiet), quiet).toBe(false);
    }
  });
});

describe('secrets-inherit: cases', () => {
  it('reports dynamic indexing with medium confidence, and the whole context passed to any function', () => {
    const findings = run(
      lines(
        'on: push',
        'jobs:',
        '  deploy:',
        '    strategy: {matrix: {env: [dev, prod]}}',
        '    steps:',
        '      - run: ./deploy',
        '        env:',
        "          KEY: ${{ secrets[format('{0}_KEY', matrix.env)] }}",
        '          ALL: ${{ join(secrets) }}',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 8, 20, 'medium', 'dynamic'],
      [W, 9, 25, 'high', 'whole-context'],
    ]);
    expect(findings[0]!.confidence).toBe('medium');
    expect(findings[0]!.message).toContain('(env: KEY)');
  });

  it('stays silent on named references, bracketed literals and explicit secrets maps', () => {
    expect(
      run(
        lines(
          'on: push',
          'jobs:',
          '  call:',
          '    uses: org/wf/.github/workflows/x.yml@v1',
          '    secrets:',
          '      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}',
          '  a:',
          '    steps:',
          "      - run: echo ${{ secrets['A-B'] }} ${{ github.token }} ${{ inputs.secrets }}",
        ),
      ),
    ).toEqual([]);
  });

  it('gives two identical expressions in one place two fingerprints, stable when steps move', () => {
    const step = '      - run: echo "${{ toJSON(secrets) }}"';
    const a = run(lines('on: push', 'jobs:', '  a:', '    steps:', step, step));
    const b = run(lines('on: push', 'jobs:', '  a:', '    steps:', '      - run: make', step, step));
    expect(new Set(a.map((f) => f.fingerprint)).size).toBe(2);
    expect(b.map((f) => f.fingerprint)).toEqual(a.map((f) => f.fingerprint));
  });
});
