/**
 * The bundled demo estate (examples/demo-estate, `npm run demo`): its code and its AWS account
 * export, scanned together, must show every AWS rule at least once, each on the identity the demo
 * meant it for, and nothing on the identities that are set up right.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRenderContext, renderDemoEstate, renderTemplate, type RenderedDemo } from '../scripts/render-demo.js';
import { seededRandom } from '../src/detectors/random.js';
import { runCli, tempDir, type CliRun } from './helpers/cli.js';

const TEMPLATES = fileURLToPath(new URL('../examples/demo-estate', import.meta.url));

/** Which identities each AWS rule must report in the demo, and only those. */
const EXPECTED: Record<string, string[]> = {
  'unrotated-credential': ['<root_account>', 'ci-deploy', 'legacy-reporting'],
  'unused-credential': ['<root_account>', 'batch-import', 'legacy-reporting'],
  'multiple-active-keys': ['data-sync'],
  'root-access-key': ['<root_account>'],
  'unowned-identity': ['legacy-etl-admin', 'legacy-reporting'],
  'unused-role': ['legacy-etl-admin'],
  'admin-privileges': ['legacy-etl-admin', 'ops-automation'],
  'privilege-escalation': ['ci-deploy'],
  'credentials-exposure': ['legacy-reporting'],
  'trust-any-principal': ['partner-billing-read'],
  'oidc-trust-without-subject': ['github-actions-deploy'],
  'leaked-live-credential': ['ci-deploy'],
};

/** Set up right (owned, recently rotated, in use, least privilege), or not ours to judge: no finding. */
const SILENT = ['metrics-exporter', 'payments-api-task', 'dana', 'AWSServiceRoleForECS'];

interface JsonFinding {
  ruleId: string;
  severity: string;
  location?: { path: string; line: number; column: number; commit?: { sha: string } };
  resource?: { id: string; kind: string; name: string };
  evidence?: Record<string, unknown>;
}

describe('renderTemplate', () => {
  it('gives one value per keyed template within a render, and fresh values otherwise', () => {
    const ctx = newRenderContext();
    const rand = seededRandom(1);
    const a = renderTemplate('{{aws-access-key-id:ci-deploy}}', rand, ctx);
    const again = renderTemplate('id: {{aws-access-key-id:ci-deploy}}', rand, ctx);
    const other = renderTemplate('{{aws-access-key-id:other}} {{aws-access-key-id}}', rand, ctx).split(' ');
    expect(a).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(again).toBe(`id: ${a}`);
    expect(other[0]).not.toBe(a);
    expect(other[1]).not.toBe(a);
    expect(other[1]).not.toBe(other[0]);
    expect(ctx.generated.filter((g) => g.template === 'aws-access-key-id:ci-deploy')).toEqual([{ template: 'aws-access-key-id:ci-deploy', value: a, secret: false }]);
  });

  it('writes {{days-ago:N}} as the AWS CLI prints dates, relative to the render time', () => {
    const ctx = newRenderContext(new Date('2026-03-01T12:34:56.789Z'));
    expect(renderTemplate('{{days-ago:0}},{{days-ago:10}},{{days-ago:400}}', seededRandom(1), ctx)).toBe('2026-03-01T12:34:56+00:00,2026-02-19T12:34:56+00:00,2025-01-25T12:34:56+00:00');
    expect(ctx.generated.every((g) => !g.secret)).toBe(true);
  });

  it('records every generated value, secrets included, without changing what is drawn', () => {
    const ctx = newRenderContext();
    const text = renderTemplate('{{github-token}} {{hex:12}} {{alnum:20}}', seededRandom(5), ctx);
    expect(renderTemplate('{{github-token}} {{hex:12}} {{alnum:20}}', seededRandom(5))).toBe(text);
    const [token, hex, alnum] = text.split(' ');
    expect(ctx.generated).toContainEqual({ template: 'github-token', value: token, secret: true });
    expect(ctx.generated).toContainEqual({ template: 'hex:12', value: hex, secret: true });
    expect(ctx.generated).toContainEqual({ template: 'alnum:20', value: alnum, secret: true });
  });
});

describe('the demo estate (npm run demo)', () => {
  let root: string;
  let demo: RenderedDemo;
  let json: CliRun;
  let table: CliRun;
  let findings: JsonFinding[];

  beforeAll(() => {
    root = tempDir('nhi-demo-');
    demo = renderDemoEstate(TEMPLATES, root);
    const args = ['scan', demo.repo, demo.aws!, '--history', '--no-store'];
    json = runCli([...args, '--format', 'json']);
    table = runCli(args);
    findings = JSON.parse(json.stdout).findings;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('renders the code as a git repository and the AWS export beside it', () => {
    expect(demo.aws).toBe(join(root, 'aws'));
    const report = readFileSync(join(demo.aws!, 'credential-report.csv'), 'utf8').trim().split('\n');
    expect(report[0]!.split(',')).toHaveLength(22);
    for (const row of report) expect(row.split(',')).toHaveLength(22);
    expect(readFileSync(join(demo.aws!, 'authorization-details.json'), 'utf8')).not.toContain('{{');
  });

  it('fails the scan (exit 1) and reads the export without warnings', () => {
    expect(json.status).toBe(1);
    expect(table.status).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.scan.warnings).toEqual([]);
    expect(report.scan.targets.map((t: { connectors: string[] }) => t.connectors)).toEqual([
      expect.arrayContaining(['filesystem', 'git']),
      expect.arrayContaining(['aws-iam']),
    ]);
  });

  it('reports each AWS rule, on the identities the demo sets up for it', () => {
    const byRule = JSON.parse(json.stdout).summary.byRule as Record<string, number>;
    for (const [rule, names] of Object.entries(EXPECTED)) {
      expect(byRule[rule], rule).toBeGreaterThanOrEqual(1);
      const found = findings.filter((f) => f.ruleId === rule).map((f) => f.resource?.name);
      expect([...new Set(found)].sort(), rule).toEqual([...names].sort());
    }
    for (const rule of Object.keys(EXPECTED)) expect(table.stdout).toContain(` ${rule} `);
  });

  it('reports each workflow rule on the GitHub Actions, GitLab CI and n8n definitions the demo sets up for it', () => {
    const at = (rule: string) =>
      findings
        .filter((f) => f.ruleId === rule)
        .map((f) => `${f.location?.path}:${f.location?.line}`)
        .sort();
    const expected: Record<string, string[]> = {
      'workflow-excessive-permissions': ['.github/workflows/deploy.yml:6', '.github/workflows/pr-preview.yml:7', '.github/workflows/release.yml:5'],
      'secrets-inherit': ['.github/workflows/release.yml:9'],
      'unpinned-action-with-secrets': ['.github/workflows/pr-preview.yml:14', '.github/workflows/release.yml:8', '.github/workflows/team-sync.yml:23', '.gitlab-ci.yml:4'],
      'secrets-to-untrusted-code': ['.github/workflows/pr-preview.yml:12'],
      'long-lived-cloud-key-in-ci': ['.github/workflows/team-sync.yml:25', '.gitlab/ci/deploy.yml:5'],
      'self-triggering-workflow': ['.github/workflows/bump-version.yml:12', '.gitlab-ci.yml:31', 'automation/n8n/workflows.json:113'],
      'access-changing-workflow-without-review': ['.github/workflows/team-sync.yml:16', '.gitlab-ci.yml:20', 'automation/n8n/workflows.json:81'],
      'unowned-workflow': ['.github/workflows/team-sync.yml:1'],
      'undocumented-workflow': ['automation/n8n/workflows.json:58', 'automation/n8n/workflows.json:58'],
      'n8n-credential-in-parameters': ['automation/n8n/workflows.json:24'],
      'n8n-unauthenticated-webhook': ['automation/n8n/workflows.json:12'],
      'n8n-missing-credential': ['automation/n8n/workflows.json:46'],
    };
    for (const [rule, places] of Object.entries(expected)) expect(at(rule), rule).toEqual(places);
    // A hard-coded secret in a workflow names the workflow and the field that holds it.
    const inWorkflow = findings.filter((f) => f.ruleId === 'hardcoded-secret' && ['.gitlab-ci.yml', 'automation/n8n/workflows.json', '.github/workflows/deploy.yml'].includes(f.location!.path));
    expect(inWorkflow.map((f) => [f.location?.path, f.evidence?.workflow, f.evidence?.field]).sort((a, b) => String(a).localeCompare(String(b)))).toEqual([
      ['.github/workflows/deploy.yml', '.github/workflows/deploy.yml', 'jobs.deploy.env.AWS_ACCESS_KEY_ID'],
      ['.github/workflows/deploy.yml', '.github/workflows/deploy.yml', 'jobs.deploy.env.AWS_SECRET_ACCESS_KEY'],
      ['.gitlab-ci.yml', '.gitlab-ci.yml', 'variables.MIRROR_TOKEN'],
      ['automation/n8n/workflows.json', 'automation/n8n/workflows.json#wf-payment-failed', 'nodes["Open GitHub issue"].parameters'],
    ]);
    // Owned through CODEOWNERS (.github/CODEOWNERS for GitHub, the [CI] section of .gitlab/CODEOWNERS for GitLab): silent.
    expect(findings.filter((f) => f.ruleId === 'unowned-workflow' && f.location?.path !== '.github/workflows/team-sync.yml')).toEqual([]);
    // The same place in SARIF (region) and in the table (path:line:column) as in JSON, for every workflow finding.
    const workflowFindings = findings.filter((f) => f.ruleId in expected);
    const sarifPath = join(root, 'demo.sarif');
    runCli(['scan', demo.repo, demo.aws!, '--history', '--no-store', '--format', 'sarif', '--output', sarifPath]);
    type SarifResult = { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> };
    const regions = (JSON.parse(readFileSync(sarifPath, 'utf8')).runs[0].results as SarifResult[])
      .filter((r) => r.ruleId in expected)
      .map((r) => `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}:${r.locations[0]!.physicalLocation.region.startColumn}`);
    const placed = workflowFindings.map((f) => `${f.ruleId} ${f.location!.path}:${f.location!.line}:${f.location!.column}`);
    expect(regions.sort()).toEqual([...placed].sort());
    for (const f of workflowFindings) expect(table.stdout).toContain(`${f.ruleId}  ${f.location!.path}:${f.location!.line}:${f.location!.column}`);
    const inventory = JSON.parse(json.stdout).inventory;
    expect(inventory.workflows.byPlatform).toEqual({ 'github-actions': { workflow: 5 }, 'gitlab-ci': { workflow: 1 }, n8n: { workflow: 3 } });
  });

  it('joins the key id hard-coded in the workflow to ci-deploy’s active key', () => {
    const keyId = demo.generated.find((g) => g.template === 'aws-access-key-id:ci-deploy')!.value;
    const listed = JSON.parse(readFileSync(join(demo.aws!, 'access-keys', 'ci-deploy.json'), 'utf8')).AccessKeyMetadata;
    expect(listed).toContainEqual(expect.objectContaining({ AccessKeyId: keyId, Status: 'Active' }));
    expect(readFileSync(join(demo.repo, '.github', 'workflows', 'deploy.yml'), 'utf8')).toContain(`AWS_ACCESS_KEY_ID: ${keyId}`);
    const leak = findings.find((f) => f.ruleId === 'leaked-live-credential')!;
    expect(leak.severity).toBe('critical');
    expect(leak.location?.path).toBe('.github/workflows/deploy.yml');
    expect(leak.evidence?.keyId).toBe(keyId);
  });

  it('reports nothing about the identities and keys that are set up right', () => {
    for (const name of SILENT) expect(findings.filter((f) => f.resource?.name === name), name).toEqual([]);
    // ci-deploy's old key is inactive: no key rule names it.
    const oldKey = demo.generated.find((g) => g.template === 'aws-access-key-id:ci-deploy-old')!.value;
    expect(json.stdout).not.toContain(oldKey);
    // The export lists its own key ids: neither hard-coded secrets nor leaks.
    const secretRules = ['hardcoded-secret', 'leaked-live-credential'];
    expect(findings.filter((f) => secretRules.includes(f.ruleId) && f.location?.path.startsWith('access-keys/'))).toEqual([]);
  });

  it('never prints a generated secret value', () => {
    const secrets = demo.generated.filter((g) => g.secret && g.value.length >= 8);
    expect(secrets.length).toBeGreaterThan(20);
    for (const { template, value } of secrets) {
      for (const [name, out] of Object.entries({ json: json.stdout + json.stderr, table: table.stdout + table.stderr })) {
        expect(out.includes(value), `${template} in the ${name} report`).toBe(false);
      }
    }
  });
});
