import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { n8nFixtureInventory, n8nInventory, n8nWorkflow } from '../test/helpers/n8n-inventory.js';
import { fixtureInventory, gitlabInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
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

describe('self-triggering-workflow: n8n workflows calling their own trigger', () => {
  const P = 'exports/sync.json';
  const webhook = (name: string, path: string, extra: Record<string, unknown> = {}) => ({ name, type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { httpMethod: 'POST', path }, ...extra });
  const http = (name: string, url: string, extra: Record<string, unknown> = {}) => ({ name, type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters: { method: 'POST', url }, ...extra });
  const set = (name: string) => ({ name, type: 'n8n-nodes-base.set', typeVersion: 3.4, parameters: {} });
  const edges = (...pairs: Array<[string, string, string?]>) => {
    const out: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>> = {};
    for (const [from, to, type = 'main'] of pairs) ((out[from] ??= {})[type] ??= [[]])[0]!.push({ node: to, type, index: 0 });
    return out;
  };
  const runN8n = (workflow: Record<string, unknown>) => rule.evaluate(n8nInventory({ [P]: workflow }), ruleCtx());
  const lineOf = (workflow: unknown, needle: string) => JSON.stringify(workflow, null, 2).split('\n').findIndex((l) => l.includes(needle)) + 1;
  const n8nBrief = (f: Finding) => [f.location?.line, f.severity, f.evidence?.loop, f.evidence?.node, f.evidence?.trigger];

  it('fires on an HTTP Request to its own production webhook downstream of it, at the URL value, whatever the host', () => {
    const wf = n8nWorkflow([webhook('Orders in', 'orders/sync'), set('Next page'), http('Fetch next', '={{ $env.WEBHOOK_URL }}/webhook/orders/sync?page={{ $json.next }}')], {
      connections: edges(['Orders in', 'Next page'], ['Next page', 'Fetch next']),
    });
    const findings = runN8n(wf);
    expect(findings.map(n8nBrief)).toEqual([[lineOf(wf, '/webhook/orders/sync'), 'medium', 'webhook', 'Fetch next', 'Orders in']]);
    expect(findings[0]).toMatchObject({
      ruleId: 'self-triggering-workflow',
      confidence: 'medium',
      location: { path: P, column: 16 },
      resource: { id: P, kind: 'workflow', provider: 'n8n', name: 'Sync invoices' },
      evidence: { workflow: P, nodeType: 'n8n-nodes-base.httpRequest', webhookPath: 'orders/sync', active: true, triggerType: 'n8n-nodes-base.webhook' },
    });
    expect(findings[0]!.message).toContain('calls its own Webhook node "Orders in" (POST /webhook/orders/sync)');
    // Another host, the same path: n8n exports rarely name the instance, so only the path is compared.
    const other = n8nWorkflow([webhook('Orders in', '/orders/sync/'), http('Fetch next', 'https://n8n.other.example.net/webhook/orders/sync')], { connections: edges(['Orders in', 'Fetch next']) });
    expect(runN8n(other).map(n8nBrief)).toEqual([[lineOf(other, 'n8n.other.example.net'), 'medium', 'webhook', 'Fetch next', 'Orders in']]);
  });

  it('fires low on the test URL, and on an inactive workflow', () => {
    const test = n8nWorkflow([webhook('Orders in', 'orders/sync'), http('Again', 'https://n8n.example.com/webhook-test/orders/sync')], { connections: edges(['Orders in', 'Again']) });
    const [f] = runN8n(test);
    expect(f).toMatchObject({ severity: 'low', evidence: { loop: 'webhook', testUrl: true } });
    expect(f!.message).toContain('calls the test URL of its own Webhook node');
    const inactive = { ...test, active: false, nodes: [webhook('Orders in', 'orders/sync'), http('Again', 'https://n8n.example.com/webhook/orders/sync')] };
    expect(runN8n(inactive).map(n8nBrief)).toEqual([[lineOf(inactive, '/webhook/orders/sync'), 'low', 'webhook', 'Again', 'Orders in']]);
  });

  it('matches dynamic paths (:param segments, served under the webhookId) and the older <workflow id>/<node name>/<path> form', () => {
    const dynamic = n8nWorkflow([webhook('Customer orders', ':customer/orders'), http('Recurse', 'https://n8n.example.com/webhook/5b1d0c2e-hook/{{ $json.customer }}/orders')], {
      connections: edges(['Customer orders', 'Recurse']),
    });
    expect(runN8n(dynamic).map((f) => f.evidence?.trigger)).toEqual(['Customer orders']);
    const old = n8nWorkflow([webhook('Orders In', 'sync'), http('Recurse', 'https://n8n.example.com/webhook/wf/orders%20in/sync')], { connections: edges(['Orders In', 'Recurse']) });
    expect(runN8n(old).map((f) => f.evidence?.trigger)).toEqual(['Orders In']);
    const otherWorkflow = n8nWorkflow([webhook('Orders In', 'sync'), http('Recurse', 'https://n8n.example.com/webhook/wf7/orders%20in/sync')], { connections: edges(['Orders In', 'Recurse']) });
    expect(runN8n(otherWorkflow)).toEqual([]);
  });

  it('fires on an Execute Workflow node running its own workflow after its Execute Workflow Trigger, at the workflowId key', () => {
    const wf = n8nWorkflow(
      [
        { name: 'Called', type: 'n8n-nodes-base.executeWorkflowTrigger', typeVersion: 1.1, parameters: {} },
        set('Next page'),
        { name: 'Run again', type: 'n8n-nodes-base.executeWorkflow', typeVersion: 1.2, parameters: { workflowId: { __rl: true, value: 'wf', mode: 'list', cachedResultName: 'Sync invoices' } } },
        { name: 'Run again by expression', type: 'n8n-nodes-base.executeWorkflow', typeVersion: 1, parameters: { workflowId: '={{ $workflow.id }}' } },
      ],
      { connections: edges(['Called', 'Next page'], ['Next page', 'Run again'], ['Next page', 'Run again by expression']) },
    );
    const findings = runN8n(wf);
    const line = JSON.stringify(wf, null, 2).split('\n');
    const keys = line.flatMap((l, i) => (l.includes('"workflowId"') ? [i + 1] : []));
    expect(findings.map(n8nBrief)).toEqual([
      [keys[0], 'medium', 'execute-workflow', 'Run again', 'Called'],
      [keys[1], 'medium', 'execute-workflow', 'Run again by expression', 'Called'],
    ]);
    expect(findings[0]!.message).toContain('runs its own workflow (id wf), which starts again at "Called"');
  });

  it('fires on an agent tool that runs its own workflow when the agent runs after the Execute Workflow Trigger', () => {
    const wf = n8nWorkflow(
      [
        { name: 'Called', type: 'n8n-nodes-base.executeWorkflowTrigger', parameters: {} },
        { name: 'Agent', type: '@n8n/n8n-nodes-langchain.agent', parameters: {} },
        { name: 'Ask myself', type: '@n8n/n8n-nodes-langchain.toolWorkflow', parameters: { workflowId: '={{ $workflow.id }}' } },
      ],
      { connections: edges(['Called', 'Agent'], ['Ask myself', 'Agent', 'ai_tool']) },
    );
    expect(runN8n(wf).map((f) => [f.evidence?.node, f.evidence?.loop])).toEqual([['Ask myself', 'execute-workflow']]);
  });

  it('stays silent on calls to another path or workflow, disabled nodes, and self-calls from a branch the trigger does not reach', () => {
    const silent = [
      // Another workflow's webhook.
      n8nWorkflow([webhook('Orders in', 'orders/sync'), http('Notify', 'https://n8n.example.com/webhook/orders/notify')], { connections: edges(['Orders in', 'Notify']) }),
      // A disabled HTTP Request node; a disabled Webhook node.
      n8nWorkflow([webhook('Orders in', 'orders/sync'), http('Again', 'https://n8n.example.com/webhook/orders/sync', { disabled: true })], { connections: edges(['Orders in', 'Again']) }),
      n8nWorkflow([webhook('Orders in', 'orders/sync', { disabled: true }), http('Again', 'https://n8n.example.com/webhook/orders/sync')], { connections: edges(['Orders in', 'Again']) }),
      // A manual branch sending one sample call to the workflow's own webhook.
      n8nWorkflow([webhook('Orders in', 'orders/sync'), set('Store'), { name: 'Test', type: 'n8n-nodes-base.manualTrigger', parameters: {} }, http('Send sample', 'https://n8n.example.com/webhook/orders/sync')], {
        connections: edges(['Orders in', 'Store'], ['Test', 'Send sample']),
      }),
      // No connections in the export: nothing says the call is downstream of the webhook.
      n8nWorkflow([webhook('Orders in', 'orders/sync'), http('Again', 'https://n8n.example.com/webhook/orders/sync')]),
      // Another workflow by id; an id given by another expression.
      n8nWorkflow([{ name: 'Called', type: 'n8n-nodes-base.executeWorkflowTrigger', parameters: {} }, { name: 'Run', type: 'n8n-nodes-base.executeWorkflow', parameters: { workflowId: 'wf2' } }], { connections: edges(['Called', 'Run']) }),
      n8nWorkflow([{ name: 'Called', type: 'n8n-nodes-base.executeWorkflowTrigger', parameters: {} }, { name: 'Run', type: 'n8n-nodes-base.executeWorkflow', parameters: { workflowId: '={{ $json.next }}' } }], { connections: edges(['Called', 'Run']) }),
      // The template layout: a chat agent's tool runs a sub-workflow kept in the same workflow, on another branch.
      n8nWorkflow(
        [
          { name: 'Chat', type: '@n8n/n8n-nodes-langchain.chatTrigger', parameters: {} },
          { name: 'Agent', type: '@n8n/n8n-nodes-langchain.agent', parameters: {} },
          { name: 'Lookup tool', type: '@n8n/n8n-nodes-langchain.toolWorkflow', parameters: { workflowId: '={{ $workflow.id }}' } },
          { name: 'Called', type: 'n8n-nodes-base.executeWorkflowTrigger', parameters: {} },
          set('Look up'),
        ],
        { connections: edges(['Chat', 'Agent'], ['Lookup tool', 'Agent', 'ai_tool'], ['Called', 'Look up']) },
      ),
    ];
    for (const wf of silent) expect(runN8n(wf), JSON.stringify(wf.nodes)).toEqual([]);
  });

  it('on the n8n fixture instance', async () => {
    const { inventory } = await n8nFixtureInventory();
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });
});

describe('self-triggering-workflow on GitLab CI', () => {
  const job = (script: string[], extra: string[] = []) => ['changelog:', '  script:', ...script.map((l) => `    - ${l}`), ...extra].join('\n') + '\n';
  const push = 'git push "https://oauth2:${RELEASE_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git" "HEAD:${CI_COMMIT_BRANCH}"';

  it('fires on a push to its own project with a stored token in a pipeline that runs on every push, at the token', async () => {
    const findings = rule.evaluate(await gitlabInventory({ '.gitlab-ci.yml': job([`'git commit -am "docs: changelog"'`, push]) }), ruleCtx());
    expect(findings.map((f) => [f.location?.path, f.location?.line, f.location?.column, f.evidence?.job, f.evidence?.token])).toEqual([['.gitlab-ci.yml', 4, 32, 'changelog', '${RELEASE_TOKEN}']]);
    expect(findings[0]!.message).toContain('every push');
  });

  it('fires when workflow rules name push; silent when they do not', async () => {
    const rules = (cond: string) => ['workflow:', '  rules:', `    - if: ${cond}`].join('\n') + '\n';
    const fires = await gitlabInventory({ '.gitlab-ci.yml': rules('$CI_COMMIT_BRANCH == "main"') + job([push]) });
    expect(rule.evaluate(fires, ruleCtx())).toHaveLength(1);
    const silent = await gitlabInventory({ '.gitlab-ci.yml': rules('$CI_PIPELINE_SOURCE == "schedule"') + job([push]) });
    expect(rule.evaluate(silent, ruleCtx())).toEqual([]);
    // `$CI_COMMIT_REF_NAME` is set in every branch and tag pipeline: a rule testing it lets pushes in.
    const refName = await gitlabInventory({ '.gitlab-ci.yml': rules("'$CI_COMMIT_REF_NAME'") + job([push]) });
    expect(rule.evaluate(refName, ruleCtx()).map((f) => f.evidence?.trigger)).toEqual(['push']);
  });

  it('reads a commit line YAML takes for a mapping (an unquoted `: `) as written: its [skip ci] still counts', async () => {
    const skipped = await gitlabInventory({ '.gitlab-ci.yml': job(['git commit -am "chore: release [skip ci]"', push]) });
    expect(rule.evaluate(skipped, ruleCtx())).toEqual([]);
    const loops = await gitlabInventory({ '.gitlab-ci.yml': job(['git commit -am "chore: release"', push]) });
    expect(rule.evaluate(loops, ruleCtx())).toHaveLength(1);
  });

  it('stays silent with ci.skip or [skip ci], with CI_JOB_TOKEN only, and for a push to another project or into a clone', async () => {
    const cases = [
      [push.replace('git push', 'git push -o ci.skip')],
      [`'git commit -am "chore: release [skip ci]"'`, push],
      ['git push "https://gitlab-ci-token:${CI_JOB_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git" HEAD:main'],
      ['git push "https://oauth2:${DOCS_TOKEN}@gitlab.example.com/acme/docs-site.git" HEAD:main'],
      ['git clone "https://oauth2:${DOCS_TOKEN}@gitlab.example.com/acme/docs-site.git" site', 'cd site && git push'],
    ];
    for (const script of cases) expect(rule.evaluate(await gitlabInventory({ '.gitlab-ci.yml': job(script) }), ruleCtx()), script.join(' && ')).toEqual([]);
  });
});

describe('self-triggering-workflow: GitLab jobs that run only on the default branch', () => {
  const rebase = (push: string, cond = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $REBASE_BRANCHES != ""') =>
    [
      'rebase-branches:',
      '  rules:',
      `    - if: ${cond}`,
      '  script:',
      '    - git remote add bot "https://oauth2:${REBASE_PUSH_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git"',
      '    - for b in ${REBASE_BRANCHES//,/ }; do git checkout "$b" && git rebase "$CI_DEFAULT_BRANCH" && ' + push + '; done',
      '',
    ].join('\n');

  it('stays silent when its pushes name other branches, whose pipelines do not run it', async () => {
    expect(rule.evaluate(await gitlabInventory({ '.gitlab-ci.yml': rebase('git push bot "$b" --force') }), ruleCtx())).toEqual([]);
  });

  it('fires when it pushes the default branch or the current one, or when its rules do not hold it to the default branch', async () => {
    for (const push of ['git push bot HEAD:main', 'git push bot "$CI_DEFAULT_BRANCH"', 'git push bot']) {
      expect(rule.evaluate(await gitlabInventory({ '.gitlab-ci.yml': rebase(push) }), ruleCtx()), push).toHaveLength(1);
    }
    expect(rule.evaluate(await gitlabInventory({ '.gitlab-ci.yml': rebase('git push bot "$b"', '$CI_PIPELINE_SOURCE == "push"') }), ruleCtx())).toHaveLength(1);
  });
});

describe('self-triggering-workflow: [skip ci] on GitHub', () => {
  it('does not report a PAT push whose commit message skips CI', () => {
    const yaml = [
      'on: push',
      'jobs:',
      '  bump:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          git commit -am "chore: bump [skip ci]"',
      '          git push https://x-access-token:${{ secrets.BOT_PAT }}@github.com/${{ github.repository }} HEAD:main',
      '',
    ].join('\n');
    expect(rule.evaluate(workflowInventory({ '.github/workflows/bump.yml': yaml }), ruleCtx())).toEqual([]);
    expect(rule.evaluate(workflowInventory({ '.github/workflows/bump.yml': yaml.replace(' [skip ci]', '') }), ruleCtx())).toHaveLength(1);
  });
});
