/**
 * `nhi scan` over a repository's GitHub Actions workflows, end to end through the built CLI:
 * test/fixtures/github-actions/repo. Every workflow finding carries the file, line and column of
 * the offending key, in the JSON report, in SARIF and in the table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from './helpers/cli.js';
import { ACTIONS_FIXTURE } from './helpers/workflow-inventory.js';

const WORKFLOW_RULES = ['workflow-excessive-permissions', 'secrets-inherit', 'unpinned-action-with-secrets'];

/** rule, path, line, column: what the fixture must report, and nothing else. */
const EXPECTED: Array<[string, string, number, number]> = [
  ['unpinned-action-with-secrets', '.github/workflows/ci.yml', 24, 9],
  ['unpinned-action-with-secrets', '.github/workflows/deploy.yml', 29, 9],
  ['secrets-inherit', '.github/workflows/deploy.yml', 39, 21],
  ['unpinned-action-with-secrets', '.github/workflows/deploy.yml', 42, 9],
  ['workflow-excessive-permissions', '.github/workflows/release.yml', 6, 1],
  ['unpinned-action-with-secrets', '.github/workflows/release.yml', 10, 5],
  ['unpinned-action-with-secrets', '.github/workflows/release.yml', 23, 9],
  ['workflow-excessive-permissions', '.github/workflows/ci.yml', 8, 3],
  ['workflow-excessive-permissions', '.github/workflows/ci.yml', 9, 3],
  ['workflow-excessive-permissions', '.github/workflows/deploy.yml', 11, 3],
  ['secrets-inherit', '.github/workflows/release.yml', 11, 5],
  ['secrets-inherit', '.github/workflows/release.yml', 15, 5],
  ['long-lived-cloud-key-in-ci', '.github/workflows/deploy.yml', 34, 11],
  ['unowned-workflow', '.github/workflows/nightly.yml', 1, 1],
];

const key = (rule: string, path: string, line: number, column: number) => `${rule} ${path}:${line}:${column}`;

interface JsonFinding {
  ruleId: string;
  severity: string;
  location?: { path: string; line: number; column: number };
  resource?: { id: string; kind: string; provider: string };
}

describe('nhi scan over GitHub Actions workflows', () => {
  let json: CliRun;
  let table: CliRun;
  let sarifPath: string;
  let sarifRun: CliRun;

  beforeAll(() => {
    json = runCli(['scan', ACTIONS_FIXTURE, '--no-store', '--format', 'json']);
    table = runCli(['scan', ACTIONS_FIXTURE, '--no-store']);
    sarifPath = join(tempDir(), 'nhi.sarif');
    sarifRun = runCli(['scan', ACTIONS_FIXTURE, '--no-store', '--format', 'sarif', '--output', sarifPath]);
  });

  it('picks the workflows up by itself, fails on the high findings, and warns about the broken files', () => {
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.scan.targets).toEqual([{ path: ACTIONS_FIXTURE, connectors: ['filesystem', 'github-actions'] }]);
    expect(report.scan.warnings).toEqual([
      expect.objectContaining({ kind: 'parse-error', source: 'github-actions', path: '.github/workflows/broken.yml' }),
      expect.objectContaining({ kind: 'parse-error', source: 'github-actions', path: '.github/workflows/labels.yml' }),
    ]);
    expect(json.stderr).toContain('.github/workflows/broken.yml: invalid YAML at line 5, column 1');
  });

  it('summarises what it scanned in the JSON report: workflows by platform and kind, files, warnings by source', () => {
    const report = JSON.parse(json.stdout);
    // Six workflows parse (broken.yml and labels.yml do not); tools/release-notes is a node20 action, not a composite one.
    const github = { 'composite-action': 1, workflow: 6 };
    expect(report.inventory).toEqual({
      identities: { total: 7, byProvider: { github } },
      credentials: { total: 0, byProvider: {} },
      grants: 0,
      secretOccurrences: { total: 0, byDetector: {} },
      workflows: { total: 7, byPlatform: { 'github-actions': github } },
      files: report.scan.stats.files,
      warnings: { total: 2, bySource: { 'github-actions': { 'parse-error': 2 } } },
    });
    expect(report.inventory.files).toBeGreaterThanOrEqual(9);
  });

  it('reports each finding in JSON with the exact line and column of the offending key, and nothing else', () => {
    const findings: JsonFinding[] = JSON.parse(json.stdout).findings;
    expect(findings.map((f) => key(f.ruleId, f.location!.path, f.location!.line, f.location!.column)).sort()).toEqual(EXPECTED.map((e) => key(...e)).sort());
    for (const f of findings) expect(f.resource).toMatchObject({ id: f.location!.path, kind: 'workflow', provider: 'github' });
    const { byRule, suppressed } = JSON.parse(json.stdout).summary;
    expect(byRule).toEqual({ 'unpinned-action-with-secrets': 5, 'workflow-excessive-permissions': 4, 'secrets-inherit': 3, 'long-lived-cloud-key-in-ci': 1, 'unowned-workflow': 1 });
    expect(suppressed).toEqual({ baseline: 0, inline: 1 });
  });

  it('honours nhi:allow on the reported line, unless --no-inline-allow', () => {
    const all: JsonFinding[] = JSON.parse(runCli(['scan', ACTIONS_FIXTURE, '--no-store', '--format', 'json', '--no-inline-allow']).stdout).findings;
    expect(all).toHaveLength(EXPECTED.length + 1);
    expect(all.map((f) => key(f.ruleId, f.location!.path, f.location!.line, f.location!.column))).toContain(key('unpinned-action-with-secrets', '.github/workflows/release.yml', 31, 9));
  });

  it('writes SARIF results with a region at the key and the workflow as a logical location', () => {
    expect(sarifRun.status).toBe(1);
    const run = JSON.parse(readFileSync(sarifPath, 'utf8')).runs[0];
    for (const id of WORKFLOW_RULES) {
      const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === id);
      expect(rule, id).toBeDefined();
      expect(rule.properties.tags).toContain(`owasp-nhi/${id === 'unpinned-action-with-secrets' ? 'NHI3:2025' : 'NHI5:2025'}`);
    }
    const results = run.results.map((r: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }) => {
      const loc = r.locations[0]!.physicalLocation;
      return key(r.ruleId, loc.artifactLocation.uri, loc.region.startLine, loc.region.startColumn);
    });
    expect(results.sort()).toEqual(EXPECTED.map((e) => key(...e)).sort());
    const toJson = run.results.find((r: { ruleId: string }) => r.ruleId === 'secrets-inherit');
    expect(toJson.locations[0].logicalLocations[0]).toMatchObject({ fullyQualifiedName: '.github/workflows/deploy.yml', properties: { resourceKind: 'workflow', provider: 'github' } });
  });

  it('prints each finding in the table at path:line:column', () => {
    expect(table.status).toBe(1);
    for (const [rule, path, line, column] of EXPECTED) expect(table.stdout).toContain(`${rule}  ${path}:${line}:${column}`);
    expect(table.stdout).toContain('14 findings (8 high, 4 medium, 2 low)');
  });
});
