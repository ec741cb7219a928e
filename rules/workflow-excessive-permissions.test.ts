import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fixtureInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './workflow-excessive-permissions.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const W = '.github/workflows/w.yml';
const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.severity, f.evidence?.case];
const run = (text: string) => rule.evaluate(workflowInventory({ [W]: text }), ruleCtx());

describe('workflow-excessive-permissions over the fixture repository', () => {
  it('fires on write-all, on a secret-using workflow without permissions, and on shared workflow-level writes, at the key', async () => {
    const { inventory } = await fixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([
      ['.github/workflows/ci.yml', 8, 3, 'medium', 'workflow-level-write'],
      ['.github/workflows/ci.yml', 9, 3, 'medium', 'workflow-level-write'],
      ['.github/workflows/deploy.yml', 11, 3, 'medium', 'no-permissions'],
      ['.github/workflows/release.yml', 6, 1, 'high', 'write-all'],
    ]);
    expect(findings[0]).toMatchObject({
      ruleId: 'workflow-excessive-permissions',
      confidence: 'high',
      resource: { id: '.github/workflows/ci.yml', kind: 'workflow', provider: 'github', name: 'CI' },
      evidence: { scope: 'contents', jobs: 'lint, test', owner: '@acme/ci-owners, dana@example.com' },
    });
    expect(findings[2]).toMatchObject({ confidence: 'medium', evidence: { jobs: 'build, deploy' } });
    expect(findings[2]!.message).toContain('jobs build, deploy run with the repository');
  });

  it('stays silent on explicit least-privilege blocks, OIDC, reusable workflows and composite actions', async () => {
    const { inventory } = await fixtureInventory();
    const reported = new Set(rule.evaluate(inventory, ruleCtx()).map((f) => f.location!.path));
    for (const quiet of ['.github/workflows/deploy-oidc.yml', '.github/workflows/docs.yml', '.github/workflows/nightly.yml', '.github/actions/setup-deps/action.yml']) {
      expect(reported.has(quiet), quiet).toBe(false);
    }
  });
});

describe('workflow-excessive-permissions: cases', () => {
  it('reports job-level write-all at the job’s permissions key', () => {
    const findings = run(lines('on: push', 'permissions: {}', 'jobs:', '  a:', '    permissions: write-all', '    runs-on: ubuntu-latest', '    steps: [{run: make}]'));
    expect(findings.map(brief)).toEqual([[W, 5, 5, 'high', 'write-all']]);
    expect(findings[0]!.evidence).toMatchObject({ level: 'job', job: 'a' });
  });

  it('counts secrets passed to a reusable workflow and github.token as using secrets', () => {
    expect(run(lines('on: push', 'jobs:', '  call:', '    uses: org/wf/.github/workflows/x.yml@v1', '    secrets: inherit')).map(brief)).toEqual([[W, 3, 3, 'medium', 'no-permissions']]);
    expect(run(lines('on: push', 'jobs:', '  a:', '    steps:', '      - run: gh release list', '        env:', '          GH_TOKEN: ${{ github.token }}')).map(brief)).toEqual([[W, 3, 3, 'medium', 'no-permissions']]);
  });

  it('names only the jobs without a block of their own, pointing at the first', () => {
    const findings = run(
      lines('on: push', 'jobs:', '  lint:', '    permissions: {}', '    steps: [{run: make lint}]', '  deploy:', '    steps:', '      - run: ./deploy', '        env:', '          KEY: ${{ secrets.DEPLOY_KEY }}'),
    );
    expect(findings.map(brief)).toEqual([[W, 6, 3, 'medium', 'no-permissions']]);
    expect(findings[0]!.evidence).toMatchObject({ jobs: 'deploy' });
  });

  it('stays silent without secrets, with read-all, for a single inheriting job, and when every job has its own block', () => {
    expect(run(lines('on: push', 'jobs:', '  a:', '    steps: [{run: make}]'))).toEqual([]);
    expect(run(lines('on: push', 'permissions: read-all', 'jobs:', '  a:', '    steps:', '      - run: make', '        env: {K: "${{ secrets.K }}"}'))).toEqual([]);
    expect(run(lines('on: push', 'permissions:', '  contents: write', 'jobs:', '  release:', '    steps: [{run: make release}]'))).toEqual([]);
    expect(
      run(lines('on: push', 'permissions:', '  contents: write', 'jobs:', '  a:', '    permissions: {contents: read}', '    steps: [{run: make}]', '  b:', '    permissions: {contents: write}', '    steps: [{run: make release}]')),
    ).toEqual([]);
  });

  it('leaves workflows triggered only by workflow_call to their callers', () => {
    expect(run(lines('on: workflow_call', 'permissions: write-all', 'jobs:', '  a:', '    steps:', '      - run: make', '        env: {K: "${{ secrets.K }}"}'))).toEqual([]);
    expect(run(lines('on: [workflow_call, workflow_dispatch]', 'permissions: write-all', 'jobs:', '  a:', '    steps: [{run: make}]')).map(brief)).toEqual([[W, 2, 1, 'high', 'write-all']]);
  });

  it('keeps fingerprints when lines move', () => {
    const a = run(lines('on: push', 'permissions: write-all', 'jobs: {a: {steps: [{run: make}]}}'));
    const b = run(lines('# a comment', '', 'on: push', 'permissions: write-all', 'jobs: {a: {steps: [{run: make}]}}'));
    expect(a[0]!.location!.line).not.toBe(b[0]!.location!.line);
    expect(a[0]!.fingerprint).toBe(b[0]!.fingerprint);
  });
});
