import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeGithubTokens, runCli, tempDir } from './helpers/cli.js';

const [leaked, allowed, second] = fakeGithubTokens(3, 1234);

function estate(): string {
  const root = tempDir();
  writeFileSync(join(root, 'config.py'), `import os\n\nGITHUB_TOKEN = "${leaked}"\nOTHER = os.environ["X"]\n`);
  writeFileSync(join(root, 'fixture.js'), `const t = "${allowed}"; // nhi:allow test fixture\n`);
  writeFileSync(join(root, 'README.md'), '# nothing secret here\n');
  return root;
}

function clean(): string {
  const root = tempDir();
  writeFileSync(join(root, 'ok.ts'), 'export const token = process.env.GITHUB_TOKEN;\n');
  return root;
}

describe('nhi scan', () => {
  let root: string;
  let db: string;
  beforeAll(() => {
    root = estate();
    db = join(tempDir(), 'nhi.db');
  });

  it('exits 0 with nothing to report, 1 with a finding at or above --fail-on, 2 on usage errors', () => {
    expect(runCli(['scan', clean(), '--no-store']).status).toBe(0);
    expect(runCli(['scan', root, '--no-store']).status).toBe(1);
    expect(runCli(['scan', root, '--no-store', '--bogus']).status).toBe(2);
    expect(runCli(['scan', join(root, 'missing'), '--no-store']).status).toBe(2);
    expect(runCli(['scan', root, '--no-store', '--fail-on', 'nope']).status).toBe(2);
    expect(runCli(['scan', root, '--no-store', '--format', 'xml']).status).toBe(2);
  });

  it('writes the documented JSON report', () => {
    const r = runCli(['scan', root, '--no-store', '--format', 'json']);
    const report = JSON.parse(r.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toMatchObject({ name: 'nhi' });
    expect(report.scan).toMatchObject({ targets: [{ path: root, connectors: ['filesystem'] }] });
    expect(report.summary).toMatchObject({ total: 1, failOn: 'high', failed: true, suppressed: { inline: 1, baseline: 0 } });
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0];
    expect(f).toMatchObject({
      ruleId: 'hardcoded-secret',
      severity: 'critical',
      location: { path: 'config.py', line: 3, column: 17 },
      secret: { type: 'github-pat-classic', redacted: `ghp_…${leaked!.slice(-4)}` },
    });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('ignores nhi:allow comments with --no-inline-allow', () => {
    const report = JSON.parse(runCli(['scan', root, '--no-store', '--format', 'json', '--no-inline-allow']).stdout);
    expect(report.findings.map((f: { location: { path: string } }) => f.location.path).sort()).toEqual(['config.py', 'fixture.js']);
  });

  it('writes SARIF 2.1.0 for code scanning', () => {
    const out = join(tempDir(), 'nhi.sarif');
    const r = runCli(['scan', root, '--no-store', '--format', 'sarif', '--output', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'hardcoded-secret');
    expect(rule.properties['security-severity']).toMatch(/^\d+\.\d$/);
    expect(rule.help.text.length).toBeGreaterThan(20);
    expect(run.results).toHaveLength(1);
    const result = run.results[0];
    expect(result.ruleId).toBe('hardcoded-secret');
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('hardcoded-secret');
    expect(result.partialFingerprints['nhi/v1']).toMatch(/^[0-9a-f]{32}$/);
    expect(result.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'config.py', uriBaseId: '%SRCROOT%' });
    expect(result.locations[0].physicalLocation.region).toMatchObject({ startLine: 3, startColumn: 17 });
  });

  it('prints a readable table without colour when NO_COLOR is set or stdout is not a terminal', () => {
    const r = runCli(['scan', root, '--no-store']);
    expect(r.stdout).toContain('CRITICAL');
    expect(r.stdout).toContain('config.py:3:17');
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stderr).not.toContain('scanning…'); // progress only on a TTY
  });

  it('suppresses baselined findings, and only those', () => {
    const baseline = join(tempDir(), 'baseline.json');
    const created = runCli(['baseline', 'create', root, '--output', baseline]);
    expect(created.status).toBe(0);
    expect(JSON.parse(readFileSync(baseline, 'utf8')).findings).toHaveLength(1);
    expect(runCli(['scan', root, '--no-store', '--baseline', baseline]).status).toBe(0);
    // A new secret is not covered by the old baseline.
    const copy = estate();
    writeFileSync(join(copy, 'new.env'), `TOKEN=${second}\n`);
    const r = runCli(['scan', copy, '--no-store', '--baseline', baseline, '--format', 'json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { location: { path: string } }) => f.location.path)).toEqual(['new.env']);
    // An unreadable baseline is a usage error, not a silent pass.
    expect(runCli(['scan', root, '--no-store', '--baseline', join(root, 'nope.json')]).status).toBe(2);
  });

  it('keeps the fingerprint stable when lines move', () => {
    const a = JSON.parse(runCli(['scan', root, '--no-store', '--format', 'json']).stdout).findings[0].fingerprint;
    const moved = estate();
    writeFileSync(join(moved, 'config.py'), `# header\n\n\n\nimport os\n\nGITHUB_TOKEN = "${leaked}"\n`);
    const b = JSON.parse(runCli(['scan', moved, '--no-store', '--format', 'json']).stdout).findings[0];
    expect(b.location.line).toBe(7);
    expect(b.fingerprint).toBe(a);
  });

  it('records scans and tells new from resolved findings', () => {
    const repo = estate();
    expect(runCli(['scan', repo, '--db', db]).status).toBe(1);
    writeFileSync(join(repo, 'new.env'), `TOKEN=${second}\n`);
    rmSync(join(repo, 'config.py'));
    expect(runCli(['scan', repo, '--db', db]).status).toBe(1);
    const open = JSON.parse(runCli(['findings', '--db', db, '--format', 'json']).stdout);
    expect(open.counts).toEqual({ open: 1, new: 1, resolved: 1 });
    const resolved = JSON.parse(runCli(['findings', '--db', db, '--resolved', '--format', 'json']).stdout);
    expect(resolved.findings.map((f: { location: { path: string } }) => f.location.path)).toEqual(['config.py']);
    const fresh = JSON.parse(runCli(['findings', '--db', db, '--new', '--format', 'json']).stdout);
    expect(fresh.findings.map((f: { location: { path: string } }) => f.location.path)).toEqual(['new.env']);
    expect(runCli(['scans', '--db', db]).stdout.trim().split('\n')).toHaveLength(2);
    expect(runCli(['findings', '--db', join(tempDir(), 'empty.db')]).status).toBe(2);
  });

  it('never writes a raw secret to stdout, stderr, reports or the database', () => {
    const dir = tempDir();
    const dbFile = join(dir, 'leak.db');
    const sarif = join(dir, 'r.sarif');
    const outputs = [
      runCli(['scan', root, '--db', dbFile, '--no-inline-allow']),
      runCli(['scan', root, '--db', dbFile, '--format', 'json', '--no-inline-allow']),
      runCli(['scan', root, '--db', dbFile, '--format', 'sarif', '--output', sarif, '--no-inline-allow']),
      runCli(['findings', '--db', dbFile, '--format', 'json']),
      runCli(['findings', '--db', dbFile]),
    ];
    const texts = outputs.flatMap((o) => [o.stdout, o.stderr]);
    texts.push(readFileSync(sarif, 'utf8'));
    for (const f of [dbFile, `${dbFile}-wal`]) if (existsSync(f)) texts.push(readFileSync(f).toString('latin1'));
    for (const secret of [leaked!, allowed!]) for (const t of texts) expect(t.includes(secret)).toBe(false);
    // It did see them: the previews are there.
    expect(texts.join('\n')).toContain(`ghp_…${leaked!.slice(-4)}`);
  });
});

describe('nhi rules', () => {
  it('lists rules and shows a rule’s documentation', () => {
    expect(runCli(['rules']).stdout).toContain('hardcoded-secret');
    const doc = runCli(['rules', 'hardcoded-secret']).stdout;
    expect(doc).toContain('NHI2:2025');
    expect(doc).toContain('How to fix');
    expect(runCli(['rules', 'no-such-rule']).status).toBe(2);
    expect(runCli(['rules', '--detectors']).stdout).toContain('github-pat-classic');
  });
});

describe('dogfooding', () => {
  it('finds nothing in its own repository (detector examples are generated, not committed)', () => {
    const repo = fileURLToPath(new URL('..', import.meta.url));
    const r = runCli(['scan', repo, '--no-store', '--format', 'json']);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
    expect(r.status).toBe(0);
  });
});
