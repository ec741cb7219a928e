import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fixtureInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './secrets-to-untrusted-code.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const W = '.github/workflows/w.yml';
const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.severity, f.evidence?.checkout];
const run = (text: string) => rule.evaluate(workflowInventory({ [W]: text }), ruleCtx());

describe('secrets-to-untrusted-code: fires', () => {
  it('on pull_request_target checking out the head SHA and building it with secrets (critical), at the ref input', () => {
    const findings = run(
      lines(
        'name: PR preview',
        'on:',
        '  pull_request_target:',
        '    types: [opened, synchronize]',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  preview:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '        with:',
        '          ref: ${{ github.event.pull_request.head.sha }}',
        '      - run: npm ci && npm run build',
        '      - uses: some/deploy-preview@v2',
        '        with:',
        '          token: ${{ secrets.PREVIEW_DEPLOY_TOKEN }}',
      ),
    );
    expect(findings.map(brief)).toEqual([[W, 13, 11, 'critical', 'ref: ${{ github.event.pull_request.head.sha }}']]);
    expect(findings[0]).toMatchObject({
      ruleId: 'secrets-to-untrusted-code',
      confidence: 'high',
      resource: { id: W, kind: 'workflow', provider: 'github', name: 'PR preview' },
      evidence: { job: 'preview', triggers: 'pull_request_target', step: 1, runs: 2, secrets: 'secrets.PREVIEW_DEPLOY_TOKEN', token: 'read-only' },
    });
    expect(findings[0]!.message).toContain('started by pull_request_target');
  });

  it('on issue_comment with gh pr checkout and a write token (high), at the run key', () => {
    const findings = run(
      lines(
        'on: issue_comment',
        'jobs:',
        '  format:',
        '    if: github.event.issue.pull_request && contains(github.event.comment.body, \'/format\')',
        '    permissions:',
        '      contents: write',
        '      pull-requests: write',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - run: |',
        '          gh pr checkout ${{ github.event.issue.number }}',
        '          npm ci && npm run format',
        '          git commit -am "Format" && git push',
        '        env:',
        '          GH_TOKEN: ${{ github.token }}',
      ),
    );
    expect(findings.map(brief)).toEqual([[W, 11, 9, 'high', 'gh pr checkout ${{ github.event.issue.number }}']]);
    expect(findings[0]!.evidence).toMatchObject({ token: 'contents, pull-requests' });
    expect(findings[0]!.message).toContain('the same script runs it');
  });

  it('on workflow_run checking out the head branch, and on refs/pull merge refs; default permissions with medium confidence', () => {
    const findings = run(
      lines(
        'on:',
        '  workflow_run:',
        '    workflows: [CI]',
        '    types: [completed]',
        '  issue_comment:',
        'jobs:',
        '  report:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '        with: {repository: "${{ github.event.workflow_run.head_repository.full_name }}", ref: "${{ github.event.workflow_run.head_branch }}"}',
        '      - uses: ./.github/actions/report',
        '  merge-test:',
        '    runs-on: ubuntu-latest',
        '    permissions: write-all',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '        with:',
        '          ref: refs/pull/${{ github.event.issue.number }}/merge',
        '      - run: make test',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 11, 90, 'high', 'ref: ${{ github.event.workflow_run.head_branch }}'],
      [W, 19, 11, 'high', 'ref: refs/pull/${{ github.event.issue.number }}/merge'],
    ]);
    expect(findings.map((f) => f.confidence)).toEqual(['medium', 'high']);
    expect(findings[1]!.evidence).toMatchObject({ token: '*', triggers: 'workflow_run, issue_comment' });
  });

  it('counts workflow-level env secrets, and honours nhi:allow on the reported line', () => {
    const findings = run(
      lines(
        'on: pull_request_target',
        'permissions: {}',
        'env:',
        '  SONAR_TOKEN: ${{ secrets.SONAR_TOKEN }}',
        'jobs:',
        '  scan:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: git fetch origin pull/${{ github.event.number }}/head:pr && git checkout pr',
        '      - run: ./gradlew sonar',
        '  again:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '        with: {ref: "${{ github.head_ref }}"} # nhi:allow reviewed: the job holds only the Sonar token',
        '      - run: ./gradlew sonar',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 9, 9, 'critical', 'git fetch origin pull/${{ github.event.number }}/head:pr && git checkout pr'],
      [W, 15, 16, 'critical', 'ref: ${{ github.head_ref }}'],
    ]);
    expect(findings.map((f) => f.allowedInline ?? false)).toEqual([false, true]);
    expect(findings[0]!.evidence).toMatchObject({ secrets: 'secrets.SONAR_TOKEN', token: 'read-only' });
  });
});

describe('secrets-to-untrusted-code: stays silent', () => {
  it('on pull_request_target that only labels or comments, without checking out the pull request', () => {
    expect(
      run(
        lines(
          'on: pull_request_target',
          'permissions: {pull-requests: write, issues: write}',
          'jobs:',
          '  triage:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/labeler@v5',
          '      - run: gh pr comment "$PR" --body "Thanks!"',
          '        env: {GH_TOKEN: "${{ github.token }}", PR: "${{ github.event.pull_request.html_url }}"}',
        ),
      ),
    ).toEqual([]);
  });

  it('on a checkout of the base ref, on the same checkout under pull_request, and when nothing runs after it', () => {
    expect(
      run(
        lines(
          'on: pull_request_target',
          'permissions: {contents: write}',
          'jobs:',
          '  base:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: actions/checkout@v4',
          '        with: {ref: main}',
          '      - run: ./scripts/check-title.sh "${{ secrets.BOT_TOKEN }}"',
          '  look-only:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        with: {ref: "${{ github.event.pull_request.head.sha }}", path: pr, persist-credentials: false}',
          '      - uses: some/scanner@v1',
        ),
      ),
    ).toEqual([]);
    expect(
      run(
        lines(
          'on: pull_request',
          'jobs:',
          '  test:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        with: {ref: "${{ github.event.pull_request.head.sha }}"}',
          '      - run: npm test',
          '        env: {TOKEN: "${{ secrets.T }}"}',
        ),
      ),
    ).toEqual([]);
  });

  it('when what follows the checkout only drives the GitHub CLI (review, merge, status), in the same script or later steps', () => {
    expect(
      run(
        lines(
          'on: pull_request_target',
          'permissions: {contents: write, pull-requests: write}',
          'jobs:',
          '  approve:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: |',
          '          gh pr checkout ${{ github.event.pull_request.number }}',
          '          if [ "$(gh pr view --json reviewDecision -q .reviewDecision)" != "APPROVED" ]; then',
          '            gh pr review --approve "$PR_URL"',
          '          else echo "already approved"',
          '          fi',
          '        env: {GH_TOKEN: "${{ secrets.BOT_TOKEN }}", PR_URL: "${{ github.event.pull_request.html_url }}"}',
          '      - run: echo "approved" && gh pr merge --auto --squash "$PR_URL"',
          '        env: {GH_TOKEN: "${{ secrets.BOT_TOKEN }}", PR_URL: "${{ github.event.pull_request.html_url }}"}',
        ),
      ),
    ).toEqual([]);
    // …but an inert command chained to a build is not inert.
    const chained = run(
      lines(
        'on: pull_request_target',
        'permissions: {contents: write}',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          gh pr checkout ${{ github.event.pull_request.number }}',
        '          if [ "$(git status --porcelain)" = "" ]; then make; fi',
        '        env: {GH_TOKEN: "${{ secrets.BOT_TOKEN }}"}',
      ),
    );
    expect(chained).toHaveLength(1);
  });

  it('when the job holds no secret and a read-only token', () => {
    expect(
      run(
        lines(
          'on: pull_request_target',
          'permissions: {contents: read}',
          'jobs:',
          '  lint:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        with: {ref: "${{ github.event.pull_request.head.sha }}"}',
          '      - run: npm run lint',
        ),
      ),
    ).toEqual([]);
  });

  it('on the fixture repository, which has no privileged trigger', async () => {
    const { inventory } = await fixtureInventory();
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });
});
