/**
 * `nhi scan` over GitLab CI pipelines, end to end through the built CLI: test/fixtures/gitlab-ci/repos holds a
 * repository whose pipeline includes `.gitlab/ci/*.yml` (shop), one whose include is missing (legacy) and a
 * broken `.gitlab-ci.yml` (broken). What the workflow rules make of the pipelines is their tests' business;
 * here: the connector is picked, the pipelines are in the inventory, each problem file gives one warning,
 * and every finding points at a line that exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fakeGithubTokens, runCli, tempDir, type CliRun } from './helpers/cli.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/gitlab-ci/repos', import.meta.url));

interface JsonFinding {
  ruleId: string;
  location?: { path: string; line: number; column: number };
  resource?: { id: string; kind: string; provider: string };
}

describe('nhi scan over GitLab CI pipelines', () => {
  let json: CliRun;
  let table: CliRun;

  beforeAll(() => {
    json = runCli(['scan', FIXTURE, '--no-store', '--format', 'json']);
    table = runCli(['scan', FIXTURE, '--no-store']);
  });

  it('picks the pipelines up by itself and warns once about the broken file and the missing include', () => {
    expect([0, 1]).toContain(json.status);
    const report = JSON.parse(json.stdout);
    expect(report.scan.targets).toEqual([{ path: FIXTURE, connectors: ['filesystem', 'gitlab-ci'] }]);
    expect(report.scan.warnings).toEqual([
      { kind: 'parse-error', source: 'gitlab-ci', path: 'broken/.gitlab-ci.yml', message: expect.stringMatching(/^invalid YAML at line 6, column 1: /) },
      { kind: 'not-found', source: 'gitlab-ci', path: 'legacy/.gitlab-ci.yml', message: 'include at line 1, column 10: local include "/ci/common.yml" not found' },
    ]);
    expect(json.stderr).toContain('broken/.gitlab-ci.yml: invalid YAML at line 6, column 1');
    expect(report.inventory.identities.byProvider).toEqual({ gitlab: { workflow: 2 } });
    expect(report.inventory.workflows.byPlatform).toEqual({ 'gitlab-ci': { workflow: 2 } });
  });

  it('locates every finding on an existing line of the file it names', () => {
    const findings: JsonFinding[] = JSON.parse(json.stdout).findings;
    for (const f of findings) {
      if (!f.location) continue;
      const text = readFileSync(join(FIXTURE, f.location.path), 'utf8').split('\n');
      expect(f.location.line, `${f.ruleId} ${f.location.path}:${f.location.line}`).toBeLessThanOrEqual(text.length);
      expect(f.location.column).toBeLessThanOrEqual(text[f.location.line - 1]!.length + 1);
      if (f.resource?.provider === 'gitlab') expect(f.resource).toMatchObject({ kind: 'workflow' });
    }
  });

  it('reports the workflow rules on the pipelines at the same file, line and column in JSON, SARIF and the table', () => {
    const expected = [
      'unpinned-action-with-secrets shop/.gitlab-ci.yml:18:5',
      'unpinned-action-with-secrets shop/.gitlab-ci.yml:19:5',
      // Two deploy jobs extend the template whose script reads the keys: one finding per job, at the template's line.
      'long-lived-cloud-key-in-ci shop/.gitlab/ci/templates.yml:20:44',
      'long-lived-cloud-key-in-ci shop/.gitlab/ci/templates.yml:20:44',
      'unowned-workflow legacy/.gitlab-ci.yml:1:1',
    ].sort();
    const findings: JsonFinding[] = JSON.parse(json.stdout).findings;
    expect(findings.map((f) => `${f.ruleId} ${f.location!.path}:${f.location!.line}:${f.location!.column}`).sort()).toEqual(expected);
    const sarifPath = join(tempDir(), 'gitlab.sarif');
    runCli(['scan', FIXTURE, '--no-store', '--format', 'sarif', '--output', sarifPath]);
    type SarifResult = { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> };
    const results = JSON.parse(readFileSync(sarifPath, 'utf8')).runs[0].results as SarifResult[];
    expect(results.map((r) => `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}:${r.locations[0]!.physicalLocation.region.startColumn}`).sort()).toEqual(expected);
    for (const line of expected) expect(table.stdout).toContain(line.replace(' ', '  '));
  });

  it('prints the table without crashing', () => {
    expect([0, 1]).toContain(table.status);
    expect(table.stderr).toContain('legacy/.gitlab-ci.yml: include at line 1, column 10');
  });

  it('reads a .gitlab-ci.yml named directly, with its includes', () => {
    const run = runCli(['scan', join(FIXTURE, 'shop', '.gitlab-ci.yml'), '--no-store', '--format', 'json']);
    expect([0, 1]).toContain(run.status);
    const report = JSON.parse(run.stdout);
    expect(report.scan.targets[0].connectors).toContain('gitlab-ci');
    expect(report.scan.warnings).toEqual([]);
    expect(report.inventory.workflows.byPlatform).toEqual({ 'gitlab-ci': { workflow: 1 } });
  });

  it('never prints a literal a pipeline holds in a variable default, a remote include URL, a rejected script line or a job name', () => {
    const [inDefault, inUrl, inLine, inRule] = fakeGithubTokens(4, 99);
    const dir = tempDir();
    mkdirSync(join(dir, 'ci'));
    writeFileSync(
      join(dir, '.gitlab-ci.yml'),
      [
        'include:',
        `  - remote: https://ci.example.com/raw/notify.yml?ref=main&private_token=${inUrl}`,
        'release:',
        '  variables:',
        `    PG_PASS: \${DB_PASSWORD:-${inDefault}}`,
        '  script:',
        `    - curl -H "Authorization: Bearer ${inLine}" https://api.example.com/release`,
        '    - git push "https://oauth2:${RELEASE_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git" HEAD:main',
        `    - ./deploy.sh "\${DEPLOY_TOKEN:-${inRule}}"`,
        '',
      ].join('\n'),
    );
    const out = runCli(['scan', dir, '--no-store', '--format', 'json']);
    const sarifPath = join(dir, 'out.sarif');
    const sarif = runCli(['scan', dir, '--no-store', '--format', 'sarif', '--output', sarifPath]);
    const report = JSON.parse(out.stdout);
    // The pipeline is read and judged: the unpinned remote include, the self-push, the script-line warning.
    expect(report.findings.map((f: JsonFinding) => f.ruleId)).toEqual(expect.arrayContaining(['unpinned-action-with-secrets', 'self-triggering-workflow', 'hardcoded-secret']));
    expect(report.scan.warnings.map((w: { message: string }) => w.message)).toEqual([expect.stringContaining('is a YAML mapping')]);
    for (const text of [out.stdout, out.stderr, sarif.stdout, sarif.stderr, readFileSync(sarifPath, 'utf8')]) {
      for (const value of [inDefault, inUrl, inLine, inRule]) expect(text.includes(value!)).toBe(false);
    }
  });
});
