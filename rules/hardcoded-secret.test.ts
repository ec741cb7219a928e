import { describe, expect, it } from 'vitest';
import type { Inventory, SecretOccurrence } from '../src/core/model.js';
import { DEFAULT_CONFIG } from '../src/core/config.js';
import { keyedHash } from '../src/core/hash.js';
import { emptyInventory } from '../src/core/model.js';
import type { NamedValue, WorkflowAttributes, WorkflowJob, WorkflowStep } from '../src/core/workflow.js';
import { SecretScanner } from '../src/detectors/engine.js';
import { DETECTORS } from '../src/detectors/index.js';
import { ALPHABETS, seededRandom } from '../src/detectors/random.js';
import { scanBuffer } from '../src/scan/content.js';
import { fakeGithubTokens } from '../test/helpers/cli.js';
import { n8nInventory, n8nWorkflow } from '../test/helpers/n8n-inventory.js';
import { workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './hardcoded-secret.js';

const now = new Date('2026-01-01T00:00:00Z');

function occurrence(over: Partial<SecretOccurrence> & { path?: string; line?: number }): SecretOccurrence {
  return {
    detectorId: 'github-pat-classic',
    detectorTitle: 'GitHub personal access token (classic)',
    severity: 'critical',
    secretHash: 'store-hash-1',
    fingerprintHash: 'fp-hash-1',
    redacted: 'ghp_…abcd',
    location: { path: over.path ?? 'src/a.ts', line: over.line ?? 3, column: 7 },
    origin: 'worktree',
    root: '/repo',
    ...over,
  };
}

function run(occurrences: SecretOccurrence[]) {
  return rule.evaluate({ ...emptyInventory(), occurrences }, { now, config: DEFAULT_CONFIG });
}

describe('hardcoded-secret', () => {
  it('stays silent on an inventory without occurrences', () => {
    expect(run([])).toEqual([]);
  });

  it('reports a working-tree secret with its detector severity and a redacted preview only', () => {
    const [f, ...rest] = run([occurrence({})]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'hardcoded-secret', severity: 'critical', location: { path: 'src/a.ts', line: 3 }, secret: { type: 'github-pat-classic', redacted: 'ghp_…abcd' } });
    expect(f!.message).toContain('working tree');
  });

  it('keeps the fingerprint when the line moves, and changes it for another path or secret', () => {
    const a = run([occurrence({ line: 3 })])[0]!.fingerprint;
    expect(run([occurrence({ line: 40 })])[0]!.fingerprint).toBe(a);
    expect(run([occurrence({ path: 'src/b.ts' })])[0]!.fingerprint).not.toBe(a);
    expect(run([occurrence({ fingerprintHash: 'fp-hash-2' })])[0]!.fingerprint).not.toBe(a);
  });

  it('reports a history-only secret at the earliest commit that introduced it', () => {
    const c1 = { sha: 'a'.repeat(40), author: 'Ann', date: '2025-01-01T00:00:00Z' };
    const c2 = { sha: 'b'.repeat(40), author: 'Bob', date: '2025-02-01T00:00:00Z' };
    const findings = run([
      occurrence({ origin: 'history', location: { path: 'src/a.ts', line: 9, column: 1, commit: c2 } }),
      occurrence({ origin: 'history', location: { path: 'src/a.ts', line: 3, column: 1, commit: c1 } }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location?.commit?.sha).toBe(c1.sha);
    expect(findings[0]!.message).toContain('no longer in the working tree');
    expect(findings[0]!.evidence).toMatchObject({ occurrences: 2, inWorkingTree: false });
  });

  it('prefers the working-tree location when the secret is also in history', () => {
    const c1 = { sha: 'c'.repeat(40), date: '2025-01-01T00:00:00Z' };
    const findings = run([occurrence({ origin: 'history', location: { path: 'src/a.ts', line: 3, column: 1, commit: c1 } }), occurrence({ line: 5 })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location?.commit).toBeUndefined();
    expect(findings[0]!.location?.line).toBe(5);
  });

  it('carries the inline-allow mark so the outcome can suppress it', () => {
    expect(run([occurrence({ allowedInline: true })])[0]!.allowedInline).toBe(true);
  });
});

/* ───────────── n8n exports: what the content scan makes of JSON strings (real-world shapes) ───────────── */

const scanner = new SecretScanner(DETECTORS);
const keys = { store: Buffer.from('test-store-key'), fingerprint: Buffer.from('test-fingerprint-key') };
const scanned = (path: string, text: string) => scanBuffer(Buffer.from(text, 'utf8'), path, { scanner, keys, root: '/repo', origin: 'worktree' }).occurrences;
/** An n8n export holding one node with these parameters, as n8n writes it (multi-line strings with `\n` escapes). */
const n8nExport = (parameters: Record<string, unknown>, type = 'n8n-nodes-base.code') =>
  JSON.stringify({ name: 'W', nodes: [{ parameters, name: 'Node', type, typeVersion: 2, position: [0, 0] }], connections: {} }, null, 2);

describe('hardcoded-secret: JSON string escapes and documentation examples in n8n exports', () => {
  it('does not run a match across a \\n escape (a variable name in a Code node is not a password)', () => {
    const text = n8nExport({ jsCode: 'const signer = new P12Signer(p12Buffer, {\n  passphrase: certPassphrase\n});\nreturn signer.sign(pdf);' }); // nhi:allow the false positives these tests are about
    expect(text).toContain('passphrase: certPassphrase\\n'); // nhi:allow the false positives these tests are about
    expect(scanned('workflows/sign.json', text)).toEqual([]);
  });

  it('does not take a sample password in a setup note, cut at its \\n, for a credential', () => {
    const text = n8nExport({ content: '## Setup\n```\nHost:       127.0.0.1\nUser:       n8n_writer\nPassword:   Secr3t-Pa55w0rd\nSchema:     public\n```' }, 'n8n-nodes-base.stickyNote'); // nhi:allow the false positives these tests are about
    expect(scanned('workflows/blog.json', text)).toEqual([]);
  });

  it('does not take a how-to’s example token (`id=1234`) for one', () => {
    const text = n8nExport(
      { content: '## Proxmox API token\nHeader value: PVEAPIToken=<user>@<realm>!<token-id>=<token-value>\n\nSuppose my token id is n8n and key is 1234 so value will be as below\n\nValue : PVEAPIToken=root@pam!n8n=1234\n' }, // nhi:allow the false positives these tests are about
      'n8n-nodes-base.stickyNote',
    );
    expect(scanned('workflows/proxmox.json', text)).toEqual([]);
  });

  it('does not take a file name caught after a provider keyword in prose for a token', () => {
    const text = JSON.stringify([{ searchable_text: 'manual contentful automation triggered workflow that integrates with contentful for data processing. uses 2 nodes. 1086_manual_contentful_automation_triggered.json contentful ' }], null, 2);
    expect(scanned('docs/api/search-index.json', text)).toEqual([]);
  });

  it('still finds credentials next to escapes, with their exact value, and one right after a \\n escape', () => {
    const rand = seededRandom(2026);
    const secret = `${rand.chars(ALPHABETS.hex, 38)}9f`;
    const [token, afterNewline] = fakeGithubTokens(2, 2026);
    const text = n8nExport({ jsCode: `const client_id = "4d2a";\nconst client_secret = "${secret}";\nconst gh = "token ${token}";\n// backup\n${afterNewline}\nreturn [];` });
    const found = scanned('workflows/auth.json', text).map((o) => [o.detectorId, o.redacted, o.fingerprintHash]);
    expect(found).toEqual([
      ['generic-secret', `…${secret.slice(-4)}`, keyedHash(keys.fingerprint, secret)],
      ['github-pat-classic', `ghp_…${token!.slice(-4)}`, keyedHash(keys.fingerprint, token!)],
      ['github-pat-classic', `ghp_…${afterNewline!.slice(-4)}`, keyedHash(keys.fingerprint, afterNewline!)],
    ]);
    // The same text outside a JSON file is read as it always was (the escapes are not JSON there).
    expect(scanned('notes/auth.txt', text).map((o) => o.detectorId)).not.toContain('generic-secret');
  });

  it('still reads PEM keys written on one JSON line with their \\n escapes', () => {
    const rand = seededRandom(7);
    const body = Array.from({ length: 6 }, () => rand.chars(ALPHABETS.b64, 64)).join('\\n');
    const text = `{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n",\n  "client_email": "svc@acme-prod.iam.gserviceaccount.com"\n}\n`;
    expect(scanned('keys/sa.json', text).map((o) => o.detectorId)).toEqual(['gcp-service-account-key']);
  });
});

/* ───────────── the workflow, and the part of it, a secret is written in ───────────── */

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function at(text: string, needle: string, path: string): { path: string; line: number; column: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${needle} not in text`);
  return { path, line: line + 1, column: lines[line]!.indexOf(needle) + 1 };
}

function evaluate(inventory: Inventory, occurrences: SecretOccurrence[]) {
  return rule.evaluate({ ...inventory, occurrences }, { now, config: DEFAULT_CONFIG });
}

const evidenceOf = (inventory: Inventory, location: SecretOccurrence['location'], over: Partial<SecretOccurrence> = {}) => {
  const [f] = evaluate(inventory, [occurrence({ location, fingerprintHash: `fp-${location.line}-${location.column}`, ...over })]);
  return f!.evidence;
};

describe('hardcoded-secret: the workflow and field a secret is written in', () => {
  const W = '.github/workflows/deploy.yml';
  const yaml = [
    'name: Deploy',
    'on: push',
    'env:',
    '  SLACK_TOKEN: literal-workflow-env',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    env: {API_KEY: literal-job-a, OTHER: literal-job-b}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - run: |',
    '          npm ci',
    '          curl -H "Authorization: token literal-in-script" https://api.example.com',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    services:',
    '      db:',
    '        image: postgres:16',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: acme/upload@v1',
    '        with:',
    '          api-key: literal-with',
    '      - name: Push',
    '        run: ./push.sh',
    '        env:',
    '          AWS_SECRET_ACCESS_KEY: literal-step-env',
    '',
  ].join('\n');
  const github = () => {
    const inventory = workflowInventory({ [W]: yaml, '.github/actions/setup/action.yml': 'name: Setup\nruns:\n  using: composite\n  steps:\n    - run: echo literal-in-action\n      shell: bash\n' });
    inventory.identities[0]!.owners = [{ owner: '@acme/platform', source: 'codeowners' }];
    return inventory;
  };

  it('names the GitHub workflow, its owner and the key, script or step the secret is in', () => {
    const inventory = github();
    const fieldOf = (needle: string) => evidenceOf(inventory, at(yaml, needle, W))?.field;
    expect(evidenceOf(inventory, at(yaml, 'literal-step-env', W))).toEqual({
      occurrences: 1,
      inWorkingTree: true,
      workflow: W,
      field: 'jobs.deploy.steps[2].env.AWS_SECRET_ACCESS_KEY',
      owner: '@acme/platform',
    });
    expect(fieldOf('literal-workflow-env')).toBe('env.SLACK_TOKEN');
    expect(fieldOf('literal-job-a')).toBe('jobs.build.env.API_KEY');
    expect(fieldOf('literal-job-b')).toBe('jobs.build.env.OTHER');
    expect(fieldOf('literal-in-script')).toBe('jobs.build.steps[1].run');
    expect(fieldOf('literal-with')).toBe('jobs.deploy.steps[1].with.api-key');
    expect(fieldOf('postgres:16')).toBe('jobs.deploy');
    expect(fieldOf('on: push')).toBeUndefined();
    const action = '.github/actions/setup/action.yml';
    expect(evidenceOf(inventory, { path: action, line: 5, column: 17 })).toMatchObject({ workflow: action, field: 'runs.steps[0].run' });
    expect(evidenceOf(inventory, { path: 'src/app.ts', line: 5, column: 1 })).toEqual({ occurrences: 1, inWorkingTree: true });
  });

  it('names only the workflow for a secret found in the file’s history (its lines are not today’s)', () => {
    const commit = { sha: 'd'.repeat(40), date: '2025-03-01T00:00:00Z' };
    expect(evidenceOf(github(), { ...at(yaml, 'literal-step-env', W), commit }, { origin: 'history' })).toEqual({ occurrences: 1, inWorkingTree: false, workflow: W, owner: '@acme/platform' });
  });

  it('keeps the fingerprint (and everything but the evidence) whether the workflow is in the inventory or not', () => {
    const o = occurrence({ location: at(yaml, 'literal-step-env', W) });
    const [withWorkflow] = evaluate(github(), [o]);
    const [without] = evaluate(emptyInventory(), [o]);
    expect(withWorkflow!.fingerprint).toBe(without!.fingerprint);
    expect({ ...withWorkflow, evidence: undefined }).toEqual({ ...without, evidence: undefined });
    expect(withWorkflow!.evidence).toMatchObject(without!.evidence!);
  });

  it('names the GitLab CI pipeline and the job variable or script, in the main file and in a local include', () => {
    const loc = (path: string, line: number, column: number) => ({ path, line, column });
    const named = (name: string, path: string, line: number): NamedValue => ({ name, value: `literal-${name}`, at: loc(path, line, 5), valueAt: loc(path, line, 5 + name.length + 2) });
    const step = (index: number, name: string, path: string, line: number, text: string): WorkflowStep => ({ index, name, at: loc(path, line, 3), run: { text, at: loc(path, line, 3) }, with: [], env: [] });
    const job = (id: string, path: string, line: number, env: NamedValue[], steps: WorkflowStep[]): WorkflowJob => ({ id, at: loc(path, line, 1), secrets: [], with: [], env, steps });
    const attributes: WorkflowAttributes = {
      platform: 'gitlab-ci',
      triggers: [{ event: 'push', implicit: true, at: loc('.gitlab-ci.yml', 1, 1) }],
      env: [named('REGISTRY_PASSWORD', '.gitlab-ci.yml', 4)],
      jobs: [
        job('build', '.gitlab-ci.yml', 6, [], [step(1, 'script', '.gitlab-ci.yml', 8, 'make\ncurl -u ci:literal https://x.example.com')]),
        job('deploy', 'ci/deploy.yml', 1, [named('DEPLOY_TOKEN', 'ci/deploy.yml', 4)], [step(1, 'script', 'ci/deploy.yml', 5, './deploy.sh')]),
      ],
      secretRefs: [],
      files: ['.gitlab-ci.yml', 'ci/deploy.yml'],
    };
    const inventory = emptyInventory();
    inventory.identities.push({ id: '.gitlab-ci.yml', provider: 'gitlab', scope: '.', kind: 'workflow', name: '.gitlab-ci.yml', tags: {}, owners: [], attributes: attributes as unknown as Record<string, unknown>, definedAt: loc('.gitlab-ci.yml', 1, 1) });
    const fieldOf = (path: string, line: number, column = 20) => evidenceOf(inventory, loc(path, line, column));
    expect(fieldOf('.gitlab-ci.yml', 4)).toEqual({ occurrences: 1, inWorkingTree: true, workflow: '.gitlab-ci.yml', field: 'variables.REGISTRY_PASSWORD' });
    expect(fieldOf('.gitlab-ci.yml', 10)).toMatchObject({ field: 'jobs.build.script' });
    expect(fieldOf('ci/deploy.yml', 4)).toMatchObject({ workflow: '.gitlab-ci.yml', field: 'jobs.deploy.variables.DEPLOY_TOKEN' });
    expect(fieldOf('ci/deploy.yml', 6)).toMatchObject({ field: 'jobs.deploy.script' });
  });

  it('names the n8n workflow of an --all export whose object holds the line, and the node and its parameters', () => {
    const P = 'exports/all.json';
    const wf = (id: string, name: string) =>
      n8nWorkflow(
        [
          { parameters: { path: 'in' }, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0] },
          { parameters: { url: `https://api.example.com/${id}`, sendHeaders: true, headerParameters: { parameters: [{ name: 'x-api-key', value: `literal-key-${id}` }] } }, name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [200, 0], notes: `literal-note-${id}` },
        ],
        { id, name, tags: [{ name: 'owner:ops@example.com' }], pinData: { Webhook: [{ json: { header: `literal-pin-${id}` } }] } },
      );
    const content = [wf('wf1', 'First'), wf('wf2', 'Second')];
    const text = JSON.stringify(content, null, 2);
    const inventory = n8nInventory({ [P]: content });
    expect(evidenceOf(inventory, at(text, 'literal-key-wf2', P))).toEqual({ occurrences: 1, inWorkingTree: true, workflow: `${P}#wf2`, field: 'nodes["HTTP Request"].parameters', owner: 'ops@example.com' });
    expect(evidenceOf(inventory, at(text, 'literal-key-wf1', P))).toMatchObject({ workflow: `${P}#wf1`, field: 'nodes["HTTP Request"].parameters' });
    expect(evidenceOf(inventory, at(text, 'literal-note-wf1', P))).toMatchObject({ workflow: `${P}#wf1`, field: 'nodes["HTTP Request"]' });
    // Outside the nodes (pinned sample data): the workflow, no field.
    const pinned = evidenceOf(inventory, at(text, 'literal-pin-wf2', P));
    expect(pinned).toMatchObject({ workflow: `${P}#wf2` });
    expect(pinned).not.toHaveProperty('field');
    // A history copy of an --all export: which workflow held the line then is unknown.
    expect(evidenceOf(inventory, { ...at(text, 'literal-key-wf2', P), commit: { sha: 'e'.repeat(40) } }, { origin: 'history' })).toEqual({ occurrences: 1, inWorkingTree: false });
    // One workflow per file, written on one line: columns tell the nodes apart.
    const flat = JSON.stringify(wf('wf3', 'Flat'));
    const single = n8nInventory({ 'flat.json': flat });
    expect(evidenceOf(single, at(flat, 'literal-key-wf3', 'flat.json'))).toMatchObject({ workflow: 'flat.json', field: 'nodes["HTTP Request"].parameters' });
    expect(evidenceOf(single, at(flat, '"path":"in"', 'flat.json'))).toMatchObject({ field: 'nodes["Webhook"].parameters' });
  });
});
