/**
 * `nhi scan` over a folder of n8n exports, end to end through the built CLI: test/fixtures/n8n/instance
 * (an `--all` workflow export, a `--separate` one, a credentials export, a decrypted credential, broken JSON).
 * Every n8n finding carries the file, line and column of the offending key in JSON, SARIF and the table;
 * no credential value of the fixtures is printed anywhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeGithubTokens, runCli, tempDir, type CliRun } from './helpers/cli.js';
import { N8N_FIXTURE } from './helpers/n8n-inventory.js';

/** rule, path, line, column: what the fixture must report from the n8n connector's identities. */
const EXPECTED: Array<[string, string, number, number]> = [
  ['n8n-unauthenticated-webhook', 'workflows/all.json', 18, 9],
  ['n8n-credential-in-parameters', 'workflows/all.json', 37, 17],
  ['n8n-credential-in-parameters', 'workflows/separate/nightly-report.json', 62, 16],
  ['n8n-missing-credential', 'workflows/all.json', 90, 11],
  ['undocumented-workflow', 'workflows/all.json', 155, 13],
  ['undocumented-workflow', 'workflows/all.json', 155, 13],
];
const N8N_RULES = new Set(EXPECTED.map((e) => e[0]));

/** Values written in the fixture files (fake, but treated as the credentials they stand for). */
const VALUES = ['n8nFixtureFake-7Qm2Lp9Zt4Kw', 'FixtureFake9xQ2mZ7LpW4', 'decrypted-fixture-value-0001', 'U2FsdGVkX1+fixtureNotARealCiphertext0001', 'U2FsdGVkX1+fixtureNotARealCiphertext0002']; // nhi:allow

const key = (rule: string, path: string, line: number, column: number) => `${rule} ${path}:${line}:${column}`;

interface JsonFinding {
  ruleId: string;
  severity: string;
  fingerprint: string;
  location?: { path: string; line: number; column: number };
  resource?: { id: string; kind: string; provider: string };
  evidence?: Record<string, string | number | boolean>;
}

describe('nhi scan over n8n exports', () => {
  let json: CliRun;
  let table: CliRun;
  let sarifPath: string;
  let sarifRun: CliRun;

  beforeAll(() => {
    json = runCli(['scan', N8N_FIXTURE, '--no-store', '--format', 'json']);
    table = runCli(['scan', N8N_FIXTURE, '--no-store']);
    sarifPath = join(tempDir(), 'nhi.sarif');
    sarifRun = runCli(['scan', N8N_FIXTURE, '--no-store', '--format', 'sarif', '--output', sarifPath]);
  });

  it('picks the exports up by itself, and warns once about broken JSON and once (without values) about decrypted credentials', () => {
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.scan.targets).toEqual([{ path: N8N_FIXTURE, connectors: ['filesystem', 'n8n'] }]);
    expect(report.scan.warnings).toEqual([
      { kind: 'parse-error', source: 'n8n', path: 'broken.json', message: expect.stringMatching(/^invalid JSON at line 5, column 1: /) },
      { kind: 'parse-error', source: 'n8n', path: 'finance-credential.json', message: expect.stringContaining('decrypted credential data') },
    ]);
    expect(json.stderr).toContain('broken.json: invalid JSON at line 5, column 1');
    expect(json.stderr).toContain('finance-credential.json: n8n credentials export holds decrypted credential data');
  });

  it('reports each n8n finding in JSON at the line and column of the offending key', () => {
    const findings: JsonFinding[] = JSON.parse(json.stdout).findings;
    const n8n = findings.filter((f) => N8N_RULES.has(f.ruleId));
    expect(n8n.map((f) => key(f.ruleId, f.location!.path, f.location!.line, f.location!.column)).sort()).toEqual(EXPECTED.map((e) => key(...e)).sort());
    for (const f of n8n) expect(f.resource).toMatchObject({ kind: 'workflow', provider: 'n8n' });
  });

  it('writes SARIF results with a region at the key', () => {
    expect(sarifRun.status).toBe(1);
    const run = JSON.parse(readFileSync(sarifPath, 'utf8')).runs[0];
    for (const id of N8N_RULES) expect(run.tool.driver.rules.find((r: { id: string }) => r.id === id), id).toBeDefined();
    const results = run.results
      .filter((r: { ruleId: string }) => N8N_RULES.has(r.ruleId))
      .map((r: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }) => {
        const loc = r.locations[0]!.physicalLocation;
        return key(r.ruleId, loc.artifactLocation.uri, loc.region.startLine, loc.region.startColumn);
      });
    expect(results.sort()).toEqual(EXPECTED.map((e) => key(...e)).sort());
  });

  it('prints findings in the table at path:line:column', () => {
    expect(table.status).toBe(1);
    for (const [rule, path, line, column] of EXPECTED) expect(table.stdout).toContain(`${rule}  ${path}:${line}:${column}`);
  });

  it('never prints a credential value of the fixtures', () => {
    const sarif = readFileSync(sarifPath, 'utf8');
    for (const out of [json.stdout, json.stderr, table.stdout, table.stderr, sarif]) for (const value of VALUES) expect(out).not.toContain(value);
  });
});

describe('nhi scan over an n8n export that calls its own webhook, with a token in a node', () => {
  const [token] = fakeGithubTokens(1, 8008);
  let run: CliRun;
  let text: string;

  beforeAll(() => {
    const root = tempDir();
    const workflow = {
      id: 'wf42',
      name: 'Page through orders',
      active: true,
      tags: [{ name: 'owner:ops@example.com' }],
      nodes: [
        { parameters: { httpMethod: 'POST', path: 'orders/page', authentication: 'headerAuth' }, name: 'Orders page', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], credentials: { httpHeaderAuth: { id: 'c1', name: 'Hook key' } } },
        { parameters: { url: 'https://api.github.com/repos/acme/shop/issues', sendHeaders: true, headerParameters: { parameters: [{ name: 'Authorization', value: `token ${token}` }] } }, name: 'List issues', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [200, 0] },
        { parameters: { method: 'POST', url: '={{ $env.WEBHOOK_URL }}/webhook/orders/page?cursor={{ $json.next }}' }, name: 'Next page', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [400, 0] },
      ],
      connections: { 'Orders page': { main: [[{ node: 'List issues', type: 'main', index: 0 }]] }, 'List issues': { main: [[{ node: 'Next page', type: 'main', index: 0 }]] } },
    };
    text = JSON.stringify(workflow, null, 2);
    writeFileSync(join(root, 'orders.json'), text);
    run = runCli(['scan', root, '--no-store', '--format', 'json']);
  });

  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  it('reports the self-call at the URL, and ties the token to the workflow, its owner and the node', () => {
    expect(run.status).toBe(1);
    const findings: JsonFinding[] = JSON.parse(run.stdout).findings;
    const loop = findings.find((f) => f.ruleId === 'self-triggering-workflow');
    expect(loop).toMatchObject({ severity: 'medium', location: { path: 'orders.json', line: lineOf('/webhook/orders/page') }, evidence: { workflow: 'orders.json', node: 'Next page', trigger: 'Orders page', loop: 'webhook' } });
    const secret = findings.find((f) => f.ruleId === 'hardcoded-secret');
    expect(secret).toMatchObject({ location: { path: 'orders.json', line: lineOf('token ghp_') }, evidence: { workflow: 'orders.json', field: 'nodes["List issues"].parameters', owner: 'ops@example.com' } });
    expect(run.stdout).not.toContain(token);
  });
});

