import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fixtureInventory, gitlabInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './unpinned-action-with-secrets.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const W = '.github/workflows/w.yml';
const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.evidence?.uses, f.evidence?.secrets];
const run = (text: string) => rule.evaluate(workflowInventory({ [W]: text }), ruleCtx());
const SHA = '0f3c4a1d2b5e6f708192a3b4c5d6e7f8091a2b3c';

describe('unpinned-action-with-secrets over the fixture repository', () => {
  it('fires on third-party actions, reusable workflows and images on a moving ref that receive secrets, at the uses key', async () => {
    const { inventory } = await fixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([
      ['.github/workflows/ci.yml', 24, 9, 'codecov/codecov-action@v4', 'secrets.CODECOV_TOKEN'],
      ['.github/workflows/deploy.yml', 29, 9, 'jakejarvis/s3-sync-action@master', 'secrets.AWS_ACCESS_KEY_ID, secrets.AWS_SECRET_ACCESS_KEY, secrets.SLACK_WEBHOOK_URL'],
      // Receives the workflow-level env only.
      ['.github/workflows/deploy.yml', 42, 9, 'rtCamp/action-slack-notify@v2', 'secrets.SLACK_WEBHOOK_URL'],
      ['.github/workflows/release.yml', 10, 5, 'acme/shared-workflows/.github/workflows/npm-publish.yml@v2', 'inherit'],
      ['.github/workflows/release.yml', 23, 9, 'docker://ghcr.io/acme/announcer:latest', 'secrets.MASTODON_TOKEN'],
      // Marked `# nhi:allow` on its line: made, and suppressed by the report unless --no-inline-allow.
      ['.github/workflows/release.yml', 31, 9, 'acme/mirror-action@v1', 'secrets.MIRROR_TOKEN'],
    ]);
    expect(findings.map((f) => f.allowedInline ?? false)).toEqual([false, false, false, false, false, true]);
    expect(findings[1]).toMatchObject({
      ruleId: 'unpinned-action-with-secrets',
      severity: 'high',
      resource: { id: '.github/workflows/deploy.yml', kind: 'workflow', provider: 'github', name: 'Deploy' },
      evidence: { job: 'deploy', step: 2, ref: 'master', via: 'env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.SLACK_WEBHOOK' },
    });
    expect(findings[1]!.message).toContain('Step 2 of job deploy');
  });

  it('stays silent on SHA-pinned actions, GitHub’s own actions, the automatic token and local code', async () => {
    const { inventory } = await fixtureInventory();
    const reported = new Set(rule.evaluate(inventory, ruleCtx()).map((f) => `${f.location!.path}:${f.location!.line}`));
    // deploy-oidc.yml: pinned aws-actions and slackapi actions with secrets; ci.yml:33: sticky comment given only GITHUB_TOKEN;
    // deploy.yml:14: actions/checkout@v4; release.yml:14: a local reusable workflow with secrets: inherit.
    for (const quiet of ['.github/workflows/deploy-oidc.yml:17', '.github/workflows/deploy-oidc.yml:24', '.github/workflows/ci.yml:33', '.github/workflows/deploy.yml:14', '.github/workflows/release.yml:14']) {
      expect(reported.has(quiet), quiet).toBe(false);
    }
    expect([...reported].some((r) => r.startsWith('.github/workflows/nightly.yml') || r.startsWith('.github/actions/'))).toBe(false);
  });
});

describe('unpinned-action-with-secrets: cases', () => {
  it('counts secrets from the step’s with and env, the job’s env and the workflow’s env', () => {
    const findings = run(
      lines(
        'on: push',
        'env:',
        '  A: ${{ secrets.A }}',
        'jobs:',
        '  j:',
        '    env:',
        '      B: ${{ secrets.B }}',
        '    steps:',
        '      - uses: some/action@v1',
        '        with: {c: "${{ secrets.C }}"}',
        '        env: {D: "${{ secrets.D }}"}',
        '      - uses: some/action@v1',
        '      - run: echo ${{ secrets.E }}',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 9, 9, 'some/action@v1', 'secrets.C, secrets.D, secrets.A, secrets.B'],
      [W, 12, 9, 'some/action@v1', 'secrets.A, secrets.B'],
    ]);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('reports actions with no version and reusable workflows given named secrets', () => {
    const findings = run(
      lines('on: push', 'jobs:', '  call:', '    uses: org/wf/.github/workflows/deploy.yml@main', '    secrets:', '      KEY: ${{ secrets.KEY }}', '  j:', '    steps:', '      - uses: some/action', '        with: {t: "${{ secrets.T }}"}'),
    );
    expect(findings.map(brief)).toEqual([
      [W, 4, 5, 'org/wf/.github/workflows/deploy.yml@main', 'secrets.KEY'],
      [W, 9, 9, 'some/action', 'secrets.T'],
    ]);
    expect(findings[1]!.message).toContain('(no version at all)');
  });

  it('stays silent on pinned, first-party, local and secret-free steps, and on the automatic token', () => {
    expect(
      run(
        lines(
          'on: push',
          'jobs:',
          '  j:',
          '    steps:',
          `      - uses: some/action@${SHA} # v1.2.3`,
          '        with: {t: "${{ secrets.T }}"}',
          '      - uses: actions/setup-node@v4',
          '        with: {token: "${{ secrets.NPM_TOKEN }}"}',
          '      - uses: github/codeql-action/upload-sarif@v3',
          '        with: {token: "${{ secrets.CODEQL_TOKEN }}"}',
          '      - uses: ./.github/actions/deploy',
          '        with: {t: "${{ secrets.T }}"}',
          '      - uses: some/action@v1',
          '        with: {token: "${{ github.token }}", other: "${{ secrets.GITHUB_TOKEN }}", plain: "${{ vars.URL }}"}',
          `      - uses: docker://alpine@sha256:${'a'.repeat(64)}`,
          '        env: {T: "${{ secrets.T }}"}',
        ),
      ),
    ).toEqual([]);
  });
});

describe('unpinned-action-with-secrets on GitLab CI includes', () => {
  const SHA40 = '4f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d';
  const pipeline = (includes: string[], script: string) =>
    ['include:', ...includes, 'deploy:', '  script:', `    - ${script}`, ''].join('\n');

  it('fires on project, component and remote includes not pinned, when the pipeline uses stored secrets', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': pipeline(
        [
          '  - project: acme/ci-templates',
          '    ref: main',
          '    file: /deploy.yml',
          '  - component: gitlab.com/acme/components/scan@~latest',
          '  - remote: https://example.com/ci/notify.yml',
          '  - template: Jobs/SAST.gitlab-ci.yml',
          '  - project: acme/ci-templates',
          `    ref: ${SHA40}`,
          '    file: /lint.yml',
          `  - component: gitlab.com/acme/components/lint@${SHA40}`,
        ],
        './deploy.sh --token "$DEPLOY_TOKEN"',
      ),
    });
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map((f) => [f.location?.line, f.location?.column, f.evidence?.kind, f.evidence?.ref])).toEqual([
      [2, 5, 'project', 'main'],
      [5, 5, 'component', '~latest'],
      [6, 5, 'remote', ''],
    ]);
    expect(findings[0]!.message).toContain('$DEPLOY_TOKEN');
  });

  it('stays silent when the pipeline references no stored secret', async () => {
    const inventory = await gitlabInventory({ '.gitlab-ci.yml': pipeline(['  - remote: https://example.com/ci/notify.yml'], 'make test') });
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });

  it('names a secret handed to a component as an input, even when no job reads a secret itself', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': [
        'include:',
        '  - component: $CI_SERVER_FQDN/acme-tools/release-bot/run@v0.9.0', // 2
        '    inputs:',
        '      stage: release',
        '      token: $RELEASE_BOT_TOKEN',
        '  - component: $CI_SERVER_FQDN/acme-tools/lint/run@1.0.0', //        6
        'build:',
        '  script:',
        '    - make all',
        '',
      ].join('\n'),
    });
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map((f) => [f.location?.line, f.evidence?.ref, f.evidence?.inputs ?? ''])).toEqual([
      [2, 'v0.9.0', '$RELEASE_BOT_TOKEN (input token)'],
      [6, '1.0.0', ''],
    ]);
    expect(findings[0]!.message).toContain('not a commit SHA, and hands it $RELEASE_BOT_TOKEN (input token); its jobs also run with every CI/CD variable');
    expect(findings[1]!.message).toContain('not a commit SHA; its jobs run with every CI/CD variable, including $RELEASE_BOT_TOKEN');
  });

  it('treats GitLab’s own catalog components (`components/…`) like templates, and reports an include once when its file is included twice', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': [
        'include:',
        '  - component: $CI_SERVER_FQDN/components/sast/sast@3.4.0',
        '  - component: gitlab.com/components/secret-detection/secret-detection@~latest',
        '  - component: ${CI_SERVER_FQDN}/components/dependency-scanning/main@1.1.1',
        '  - local: ci/review.yml',
        '    inputs: { stage: test }',
        '  - local: ci/review.yml',
        '    inputs: { stage: qa }',
        'deploy:',
        '  script:',
        '    - ./deploy.sh --token "$DEPLOY_TOKEN"',
        '',
      ].join('\n'),
      'ci/review.yml': ['spec:', '  inputs:', '    stage: {}', '---', 'include:', '  - component: $CI_SERVER_FQDN/acme-tools/review/danger@2.1.0', 'review:', '  script: [danger]', ''].join('\n'),
    });
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map((f) => [f.location?.path, f.location?.line, f.evidence?.include])).toEqual([['ci/review.yml', 6, '$CI_SERVER_FQDN/acme-tools/review/danger@2.1.0']]);
  });
});

describe('unpinned-action-with-secrets: one GitLab include, one finding', () => {
  it('reports an include written in two files of the pipeline once, at its first place', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': 'include:\n  - local: ci/a.yml\n  - remote: https://ci.example.com/notify.yml\ndeploy:\n  script:\n    - ./deploy.sh "$DEPLOY_TOKEN"\n',
      'ci/a.yml': 'include:\n  - remote: https://ci.example.com/notify.yml\n',
    });
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map((f) => [f.location?.path, f.location?.line])).toHaveLength(1);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(findings.length);
  });
});
