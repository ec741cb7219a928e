import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fixtureInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './self-triggering-workflow.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const W = '.github/workflows/bump.yml';
const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.evidence?.loop, f.confidence];
const run = (text: string) => rule.evaluate(workflowInventory({ [W]: text }), ruleCtx());

describe('self-triggering-workflow: fires', () => {
  it('on push + checkout with a PAT + git push, at the checkout’s token input', () => {
    const findings = run(
      lines(
        'name: Bump version',
        'on:',
        '  push:',
        '    branches: [main]',
        'jobs:',
        '  bump:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '        with:',
        '          token: ${{ secrets.RELEASE_BOT_PAT }}',
        '      - run: npm version patch --no-git-tag-version',
        '      - run: |',
        '          git commit -am "Bump version"',
        '          git push',
      ),
    );
    expect(findings.map(brief)).toEqual([[W, 11, 11, 'push', 'medium']]);
    expect(findings[0]).toMatchObject({
      ruleId: 'self-triggering-workflow',
      severity: 'medium',
      resource: { id: W, kind: 'workflow', provider: 'github', name: 'Bump version' },
      evidence: { job: 'bump', trigger: 'push', triggerAt: '3:3', step: 3 },
    });
  });

  it('on push with a PAT-configured remote in the script, and with a push action after an app-token checkout', () => {
    const findings = run(
      lines(
        'on: push',
        'jobs:',
        '  fmt:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - run: |',
        '          git remote set-url origin "https://x-access-token:${{ secrets.BOT_PAT }}@github.com/${{ github.repository }}"',
        '          git push origin HEAD',
        '  docs:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - id: app',
        '        uses: actions/create-github-app-token@v1',
        '        with: {app-id: "${{ vars.APP_ID }}", private-key: "${{ secrets.APP_KEY }}"}',
        '      - uses: actions/checkout@v4',
        '        with: {token: "${{ steps.app.outputs.token }}"}',
        '      - run: make docs',
        '      - uses: stefanzweifel/git-auto-commit-action@v5',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 7, 9, 'push', 'medium'],
      [W, 17, 16, 'push', 'medium'],
    ]);
  });

  it('on issue_comment + commenting with a PAT (gh CLI, github-script, comment action)', () => {
    const findings = run(
      lines(
        'on: issue_comment',
        'jobs:',
        '  reply:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: gh pr comment "${{ github.event.issue.html_url }}" --body "Building a preview"',
        '        env:',
        '          GH_TOKEN: ${{ secrets.BOT_PAT }}',
        '  script:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/github-script@v7',
        '        with:',
        '          github-token: ${{ secrets.BOT_PAT }}',
        '          script: |',
        '            await github.rest.issues.createComment({ ...context.repo, issue_number: context.issue.number, body: "Done" })',
        '  action:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: peter-evans/create-or-update-comment@v4',
        '        with:',
        '          token: ${{ secrets.BOT_PAT }} # nhi:allow the bot ignores its own comments (if: below)',
        '          issue-number: ${{ github.event.issue.number }}',
        '          body: Thanks',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 8, 11, 'comment', 'medium'],
      [W, 14, 11, 'comment', 'medium'],
      [W, 22, 11, 'comment', 'medium'],
    ]);
    expect(findings.map((f) => f.allowedInline ?? false)).toEqual([false, false, true]);
  });

  it('on workflow_dispatch running itself, and repository_dispatch to its own repository', () => {
    const findings = run(
      lines(
        'name: Crawl',
        'on:',
        '  workflow_dispatch:',
        '  repository_dispatch:',
        '    types: [crawl]',
        'jobs:',
        '  crawl:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: ./crawl.sh',
        '      - run: gh workflow run bump.yml -f page=2',
        '        env: {GH_TOKEN: "${{ secrets.CRAWLER_PAT }}"}',
        '      - uses: peter-evans/repository-dispatch@v3',
        '        with:',
        '          token: ${{ secrets.CRAWLER_PAT }}',
        '          event-type: crawl',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 12, 15, 'workflow_dispatch', 'high'],
      [W, 15, 11, 'repository_dispatch', 'medium'],
    ]);
  });
});

describe('self-triggering-workflow: stays silent', () => {
  it('on a push to its own repository by URL; not on a push into a clone of another repository', () => {
    const findings = run(
      lines(
        'on: push',
        'jobs:',
        '  own:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - run: git push "https://x-access-token:${{ secrets.BOT_PAT }}@github.com/${{ github.repository }}" HEAD',
        '  bench:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - run: |',
        '          git clone "https://x-access-token:${{ secrets.BOT_PAT }}@github.com/acme/benchmark-data" data',
        '          cd data && cp ../results.json . && git commit -am results && git push',
      ),
    );
    expect(findings.map(brief)).toEqual([[W, 7, 9, 'push', 'medium']]);
  });

  it('with GITHUB_TOKEN, with persist-credentials: false, and when the workflow does not listen to its own action', () => {
    expect(
      run(
        lines(
          'on: [push, issue_comment]',
          'jobs:',
          '  j:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - run: git commit -am "Bump" && git push',
          '      - run: gh pr comment 1 --body hi',
          '        env: {GH_TOKEN: "${{ github.token }}"}',
          '      - uses: peter-evans/create-or-update-comment@v4',
          '        with: {token: "${{ secrets.GITHUB_TOKEN }}", issue-number: 1, body: hi}',
          '  k:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        with: {token: "${{ secrets.BOT_PAT }}", persist-credentials: false}',
          '      - run: git push',
        ),
      ),
    ).toEqual([]);
    expect(
      run(
        lines(
          'on:',
          '  schedule: [{cron: "0 4 * * 1"}]',
          '  workflow_dispatch:',
          'jobs:',
          '  j:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        with: {token: "${{ secrets.BOT_PAT }}"}',
          '      - run: git push',
          '      - run: gh pr comment 1 --body hi && gh workflow run other.yml',
          '        env: {GH_TOKEN: "${{ secrets.BOT_PAT }}"}',
          '      - uses: peter-evans/repository-dispatch@v3',
          '        with: {token: "${{ secrets.BOT_PAT }}", event-type: go, repository: acme/other}',
        ),
      ),
    ).toEqual([]);
  });

  it('on the fixture repository', async () => {
    const { inventory } = await fixtureInventory();
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });
});
