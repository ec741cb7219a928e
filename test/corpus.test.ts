/**
 * End-to-end recall and precision of `nhi scan` on the generated corpus (test/corpus/generate.ts).
 *
 * Runs the built CLI (dist/, compiled by `npm test` before vitest starts) as a child process on a
 * freshly generated corpus, matches its JSON findings against the manifest of planted values, and
 * checks that no planted value leaks into the CLI's output, its SARIF file or its SQLite store.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CorpusManifest, type PlantedSecret, generateCorpus } from './corpus/generate.js';

const CLI = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const CLI_SOURCE = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

const MIN_RECALL = 0.98;
/**
 * Planted formats that are public identifiers rather than secret material. Scanners report them
 * (an AWS key id in a repository is a finding) and reports may show them in full: the detector
 * contract treats the AWS key id as the public `handle` beside a secret (src/detectors/types.ts).
 */
const PUBLIC_IDENTIFIER_FORMATS = new Set(['aws-access-key-id']);
const MIN_PRECISION = 0.97;

interface Finding {
  ruleId: string;
  severity: string;
  title: string;
  message: string;
  fingerprint: string;
  location: { path: string; line: number; column: number; commit?: string };
  secret?: { type: string; redacted: string };
}

interface JsonReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  scan: { id: string; startedAt: string; finishedAt: string; targets: unknown; warnings: Array<{ path: string; kind: string; message: string }> };
  summary: { total: number; bySeverity: Record<string, number> };
  findings: Finding[];
}

/** A finding corresponds to a planted value on the same line (±1 for multi-line values such as PEM keys). */
function corresponds(f: Finding, p: PlantedSecret): boolean {
  if (f.location.path !== p.path) return false;
  const tolerance = p.value.includes('\n') ? 1 : 0;
  return Math.abs(f.location.line - p.line) <= tolerance;
}

function describeRun(label: string, run: SpawnSyncReturns<string>): string {
  return `${label}: exit ${run.status}${run.signal ? ` (signal ${run.signal})` : ''}${run.error ? ` (${run.error.message})` : ''}\nstderr:\n${run.stderr.slice(0, 4000)}`;
}

describe.skipIf(!existsSync(CLI_SOURCE))('corpus: nhi scan end to end', () => {
  let work: string;
  let corpus: string;
  let home: string;
  let manifest: CorpusManifest;
  let jsonRun: SpawnSyncReturns<string>;
  let report: JsonReport;

  const nhi = (args: string[]): SpawnSyncReturns<string> => {
    // Keep the CLI away from the developer's own config and default store.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'), XDG_CACHE_HOME: join(home, '.cache'), NO_COLOR: '1', FORCE_COLOR: '0' };
    delete env.NHI_DB;
    return spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 180_000, env });
  };

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with \`npx tsc -p .\` (\`npm test\` does this)`);
    work = mkdtempSync(join(tmpdir(), 'nhi-corpus-'));
    corpus = join(work, 'corpus');
    home = join(work, 'home');
    mkdirSync(home);
    manifest = generateCorpus(corpus);
    jsonRun = nhi(['scan', corpus, '--format', 'json', '--no-store']);
    try {
      report = JSON.parse(jsonRun.stdout) as JsonReport;
    } catch (error) {
      throw new Error(`stdout of the JSON scan is not JSON (${(error as Error).message})\n${describeRun('nhi scan --format json', jsonRun)}\nstdout:\n${jsonRun.stdout.slice(0, 2000)}`);
    }
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('exits 1 (findings at or above high) and writes the JSON report contract', () => {
    expect(jsonRun.status, describeRun('nhi scan --format json', jsonRun)).toBe(1);
    expect(report.schemaVersion).toBe(1);
    expect(Array.isArray(report.findings)).toBe(true);
    expect(report.summary.total).toBe(report.findings.length);
    for (const f of report.findings) {
      expect(f.location.path, 'location.path is relative with POSIX separators').not.toMatch(/^\/|^[A-Za-z]:|\\/);
      expect(Number.isInteger(f.location.line) && f.location.line >= 1).toBe(true);
    }
  });

  it(`finds planted credentials (recall >= ${MIN_RECALL}) and little else (precision >= ${MIN_PRECISION})`, () => {
    // The corpus measures the detection of credential values: findings that carry one. Findings about the
    // definitions themselves (a workflow's token permissions, its owner) are other rules' business.
    const findings = report.findings.filter((f) => f.secret !== undefined);
    const found = manifest.planted.filter((p) => findings.some((f) => corresponds(f, p)));
    const missed = manifest.planted.filter((p) => !found.includes(p));
    const truePositives = findings.filter((f) => manifest.planted.some((p) => corresponds(f, p)));
    const falsePositives = findings.filter((f) => !truePositives.includes(f));
    const recall = found.length / manifest.planted.length;
    const precision = findings.length === 0 ? 0 : truePositives.length / findings.length;

    const lines: string[] = [];
    lines.push(
      `corpus: ${manifest.planted.length} planted values in ${new Set(manifest.planted.map((p) => p.format)).size} formats, ${manifest.decoyFiles.length} decoy files`,
      `recall    ${(recall * 100).toFixed(1)}% (${found.length}/${manifest.planted.length})`,
      `precision ${(precision * 100).toFixed(1)}% (${truePositives.length}/${findings.length} findings)`,
    );
    const missesByFormat = new Map<string, PlantedSecret[]>();
    for (const p of missed) missesByFormat.set(p.format, [...(missesByFormat.get(p.format) ?? []), p]);
    if (missesByFormat.size > 0) {
      lines.push('misses by format:');
      for (const [format, ps] of [...missesByFormat].sort((a, b) => a[0].localeCompare(b[0]))) {
        const planted = manifest.planted.filter((p) => p.format === format).length;
        lines.push(`  ${format} (${ps.length}/${planted} missed): ${ps.map((p) => `${p.path}:${p.line}`).join(', ')}`);
      }
    }
    if (falsePositives.length > 0) {
      lines.push('false positives (path:line ruleId secret.type redacted):');
      for (const f of falsePositives) lines.push(`  ${f.location.path}:${f.location.line} ${f.ruleId} ${f.secret?.type ?? '-'} ${f.secret?.redacted ?? ''}`);
    }
    const decoyFiles = new Set(manifest.decoyFiles);
    const decoyHits = falsePositives.filter((f) => decoyFiles.has(f.location.path)).length;
    lines.push(`false positives in decoy files: ${decoyHits}, in files with planted values: ${falsePositives.length - decoyHits}`);
    // Which detector reported each format, so a miss can be routed to the right data file.
    const detectorsByFormat = new Map<string, Set<string>>();
    for (const p of found) {
      const set = detectorsByFormat.get(p.format) ?? new Set<string>();
      for (const f of findings) if (corresponds(f, p)) set.add(f.secret?.type ?? f.ruleId);
      detectorsByFormat.set(p.format, set);
    }
    lines.push(`detectors by format: ${[...detectorsByFormat].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k}=${[...v].join('|')}`).join(', ')}`);
    if (report.scan.warnings.length > 0) {
      lines.push('scan warnings:');
      for (const w of report.scan.warnings) lines.push(`  ${w.path} ${w.kind}: ${w.message}`);
    }
    console.log(lines.join('\n'));

    expect(recall, 'recall (see the misses printed above)').toBeGreaterThanOrEqual(MIN_RECALL);
    expect(precision, 'precision (see the false positives printed above)').toBeGreaterThanOrEqual(MIN_PRECISION);
  });

  it('never prints, reports or stores a planted value (stdout, stderr, SARIF, SQLite)', () => {
    const sarifPath = join(work, 'report.sarif');
    const sarifRun = nhi(['scan', corpus, '--format', 'sarif', '--output', sarifPath, '--no-store']);
    expect([0, 1], describeRun('nhi scan --format sarif', sarifRun)).toContain(sarifRun.status);
    expect(existsSync(sarifPath), 'SARIF file written').toBe(true);
    const sarif = readFileSync(sarifPath);
    expect((JSON.parse(sarif.toString('utf8')) as { runs?: unknown[] }).runs?.length).toBeGreaterThan(0);

    const dbPath = join(work, 'nhi.db');
    const dbRun = nhi(['scan', corpus, '--db', dbPath]);
    expect([0, 1], describeRun('nhi scan --db', dbRun)).toContain(dbRun.status);
    expect(existsSync(dbPath), 'SQLite database written').toBe(true);

    const blobs: Array<[string, Buffer]> = [
      ['json stdout', Buffer.from(jsonRun.stdout)],
      ['json stderr', Buffer.from(jsonRun.stderr)],
      ['sarif stdout', Buffer.from(sarifRun.stdout)],
      ['sarif stderr', Buffer.from(sarifRun.stderr)],
      ['sarif file', sarif],
      ['db stdout', Buffer.from(dbRun.stdout)],
      ['db stderr', Buffer.from(dbRun.stderr)],
    ];
    for (const suffix of ['', '-wal', '-journal', '-shm']) {
      if (existsSync(dbPath + suffix)) blobs.push([`nhi.db${suffix}`, readFileSync(dbPath + suffix)]);
    }

    const leaks: string[] = [];
    for (const p of manifest.planted) {
      if (PUBLIC_IDENTIFIER_FORMATS.has(p.format)) continue;
      // The full value; for PEM keys also every base64 body line (a partial key is still a leak).
      const probes = new Set([p.value]);
      for (const part of p.value.split(/\n|\\n/)) if (/^[A-Za-z0-9+/=]{40,}$/.test(part)) probes.add(part);
      for (const probe of probes) {
        const encodings = [Buffer.from(probe, 'utf8'), Buffer.from(probe, 'latin1'), Buffer.from(probe, 'utf16le')];
        for (const [where, blob] of blobs) {
          if (encodings.some((bytes) => blob.includes(bytes))) {
            leaks.push(`${p.format} from ${p.path}:${p.line} appears in ${where}${probe === p.value ? '' : ' (part of the value)'}`);
            break;
          }
        }
      }
    }
    if (leaks.length > 0) console.log(`planted values leaked:\n  ${leaks.join('\n  ')}`);
    expect(leaks).toEqual([]);
  });
});
