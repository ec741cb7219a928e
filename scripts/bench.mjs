#!/usr/bin/env node
/**
 * `npm run bench`: scan throughput and history-scan time, side by side with peers.
 *
 *  1. Source tree: ~350 MB of real JavaScript/TypeScript (the published sources of googleapis,
 *     aws-sdk v2, typescript and monaco-editor, installed from the npm registry into bench/.work/tree).
 *     nhi vs ripgrep (given nhi's own detector regexes, exported with scripts/export-patterns)
 *     vs secretlint (recommended preset).
 *  2. History: a synthetic development history (12,000 commits, topic branches and merges, planted
 *     fake credentials) over real files of that tree, built with git fast-import by
 *     scripts/bench-history.mjs into bench/.work/history; `nhi scan --history` vs `git log -p --all`.
 *  3. AWS: a synthetic AWS CLI export of one account (5,000 users, 10,000 roles, 20,000 access keys),
 *     written by scripts/bench-aws.mjs into bench/.work/aws-synthetic; `nhi scan` of it against the
 *     targets (under 10 s, under 1 GiB peak RSS), with the findings per rule and, for the rules whose
 *     outcome follows from the data, the count the generator built in.
 *
 * Peers are installed on first run: secretlint from npm into bench/.work/peers; ripgrep from the
 * system (`apt-get install ripgrep`) when missing and this user may install it.
 * Options: --runs N (default 3), --only tree|history|aws.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAwsExport, GENERATOR_VERSION as AWS_GENERATOR_VERSION } from './bench-aws.mjs';
import { buildHistoryRepo } from './bench-history.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 3;
/** Regexes per ripgrep run: batches small enough for its default regex size limit. */
const RG_BATCH = 30;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const log = (s) => process.stderr.write(`${s}\n`);

const TREE_PACKAGES = ['googleapis@148.0.0', 'aws-sdk@2.1692.0', 'typescript@5.9.3', 'monaco-editor@0.52.2'];

function sh(cmd, argv, opts = {}) {
  return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30, ...opts });
}

function duBytes(dir) {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  }
  return total;
}

/** Runs a command RUNS times after one warm-up (which fills the page cache): wall seconds (median), peak RSS (MB, when /usr/bin/time exists). */
function measure(label, cmd, argv, opts = {}) {
  const haveTime = existsSync('/usr/bin/time');
  const times = [];
  let rss = 0;
  log(`  ${label}…`);
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    const spawnOpts = { encoding: 'utf8', maxBuffer: 1 << 30, ...opts };
    const r = haveTime ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...argv], spawnOpts) : spawnSync(cmd, argv, spawnOpts);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0 && r.status !== 1) log(`  ${label} exited ${r.status}: ${(r.stderr || '').slice(-400)}`);
    if (haveTime) rss = Math.max(rss, Number((r.stderr || '').trim().split('\n').pop()) / 1024 || 0);
    if (i > 0) times.push(seconds);
  }
  times.sort((a, b) => a - b);
  return { label, seconds: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], rssMB: rss || undefined };
}

function table(rows, bytes) {
  const lines = [['tool', 'median s', 'min–max s', bytes ? 'MB/s' : '', 'peak RSS MB'].join(' | ')];
  lines.push('--- | --- | --- | --- | ---');
  for (const r of rows) {
    lines.push(
      [r.label, r.seconds.toFixed(2), `${r.min.toFixed(2)}–${r.max.toFixed(2)}`, bytes ? (bytes / 1e6 / r.seconds).toFixed(1) : '', r.rssMB ? r.rssMB.toFixed(0) : 'n/a'].join(' | '),
    );
  }
  return lines.join('\n');
}

function ensureBuilt() {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js')) || !existsSync(join(root, 'dist', 'scripts', 'export-patterns.js'))) {
    log('building nhi');
    sh(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  }
}

function ensureTree() {
  const tree = join(work, 'tree');
  if (existsSync(tree)) return tree;
  log(`installing the benchmark source tree: ${TREE_PACKAGES.join(' ')}`);
  const pkgs = join(work, 'tree-install');
  rmSync(pkgs, { recursive: true, force: true });
  mkdirSync(pkgs, { recursive: true });
  writeFileSync(join(pkgs, 'package.json'), '{"name":"bench-tree","private":true}');
  sh(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...TREE_PACKAGES], { cwd: pkgs, stdio: 'inherit' });
  // Not under a folder named node_modules: peers skip those by default.
  renameSync(join(pkgs, 'node_modules'), tree);
  rmSync(pkgs, { recursive: true, force: true });
  return tree;
}

function ensureSecretlint() {
  const peers = join(work, 'peers');
  const bin = join(peers, 'node_modules', '.bin', 'secretlint');
  if (!existsSync(bin)) {
    log('installing secretlint');
    mkdirSync(peers, { recursive: true });
    writeFileSync(join(peers, 'package.json'), '{"name":"bench-peers","private":true}');
    sh(npm, ['install', '--no-audit', '--no-fund', 'secretlint@13', '@secretlint/secretlint-rule-preset-recommend@13'], { cwd: peers, stdio: 'inherit' });
    writeFileSync(join(peers, '.secretlintrc.json'), JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  }
  return { bin, config: join(peers, '.secretlintrc.json') };
}

function ensureRipgrep() {
  if (spawnSync('rg', ['--version']).status === 0) return 'rg';
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0) {
    log('installing ripgrep (apt-get)');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-qq', 'ripgrep'], { stdio: 'inherit' });
    if (spawnSync('rg', ['--version']).status === 0) return 'rg';
  }
  log('ripgrep not found: install it (Debian/Ubuntu: apt-get install ripgrep) to include it');
  return undefined;
}

/** nhi's detector regexes in ripgrep syntax (patterns rg refuses are dropped and counted), and their keywords. */
function ripgrepPatterns(rg) {
  const all = sh(process.execPath, [join(root, 'dist', 'scripts', 'export-patterns.js')]).toString().trim().split('\n');
  const ok = all.filter((p) => spawnSync(rg, ['-e', p, '--', '/dev/null']).status !== 2);
  const file = join(work, 'patterns.rg');
  writeFileSync(file, ok.join('\n') + '\n');
  const keywords = join(work, 'keywords.txt');
  writeFileSync(keywords, sh(process.execPath, [join(root, 'dist', 'scripts', 'export-patterns.js'), '--keywords']));
  return { file, keywords, count: ok.length, dropped: all.length - ok.length };
}

/** The synthetic history repository (scripts/bench-history.mjs), built once from the source tree. */
async function ensureHistoryRepo(tree) {
  const repo = join(work, 'history');
  const plantedFile = join(work, 'history-planted.json');
  if (existsSync(join(repo, '.git')) && existsSync(plantedFile)) return { repo, planted: JSON.parse(readFileSync(plantedFile, 'utf8')) };
  log('building the history benchmark repository (a synthetic history over files of the source tree, with git fast-import)');
  const { planted } = await buildHistoryRepo(repo, tree);
  writeFileSync(plantedFile, JSON.stringify(planted.map((p) => p.path)));
  return { repo, planted: planted.map((p) => p.path) };
}

/** The acceptance point of the AWS IAM connector: account size and limits. */
const AWS_ACCOUNT = { users: 5000, roles: 10000, keys: 20000 };
const AWS_TARGETS = { seconds: 10, rssMB: 1024 };

/**
 * The synthetic AWS export (scripts/bench-aws.mjs), generated once. Its dates are relative to the
 * day it was generated, and the counts it expects hold for two days: an older one is generated again.
 */
function ensureAwsExport() {
  const dir = join(work, 'aws-synthetic');
  const manifestFile = join(work, 'aws-synthetic.json');
  if (existsSync(dir) && existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const fresh = manifest.version === AWS_GENERATOR_VERSION && Date.now() - Date.parse(manifest.now) < 2 * 86_400_000;
    const sized = manifest.users === AWS_ACCOUNT.users && manifest.roles === AWS_ACCOUNT.roles && manifest.accessKeys === AWS_ACCOUNT.keys;
    if (fresh && sized) return { dir, manifest };
  }
  log(`generating the synthetic AWS export (${AWS_ACCOUNT.users} users, ${AWS_ACCOUNT.roles} roles, ${AWS_ACCOUNT.keys} access keys)`);
  const manifest = buildAwsExport(dir, AWS_ACCOUNT);
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  return { dir, manifest };
}

ensureBuilt();
mkdirSync(work, { recursive: true });
const nhi = join(root, 'dist', 'src', 'cli', 'main.js');
const report = [];

if (!only || only === 'tree') {
  const tree = ensureTree();
  const bytes = duBytes(tree);
  log(`source tree: ${(bytes / 1e6).toFixed(0)} MB`);
  const rows = [measure('nhi scan', process.execPath, [nhi, 'scan', tree, '--no-store', '--format', 'json', '--output', '/dev/null'])];
  rows.push(measure('nhi scan --jobs 1', process.execPath, [nhi, 'scan', tree, '--no-store', '--format', 'json', '--output', '/dev/null', '--jobs', '1']));
  const rg = ensureRipgrep();
  let note = '';
  let subsetReport = '';
  if (rg) {
    const { file, keywords, count, dropped } = ripgrepPatterns(rg);
    const rgOpts = { stdio: ['ignore', 'ignore', 'pipe'] };
    rows.push(measure('ripgrep (keywords only)', rg, ['--no-messages', '-i', '-F', '-c', '-f', keywords, tree], rgOpts));
    // The full regex set: ripgrep cannot compile it into one regex within its default size limits
    // (and raising them costs tens of GB of memory), so it runs in batches, and on a subtree,
    // because these bounded-repetition regexes make it slow (minutes per batch on the whole tree).
    const subset = join(tree, 'typescript');
    const subsetBytes = duBytes(subset);
    const patterns = readFileSync(file, 'utf8').trim().split('\n');
    const batches = [];
    for (let i = 0; i < patterns.length; i += RG_BATCH) {
      const batch = join(work, `patterns.${i / RG_BATCH}.rg`);
      writeFileSync(batch, patterns.slice(i, i + RG_BATCH).join('\n') + '\n');
      batches.push(batch);
    }
    log(`  ripgrep (full set) on ${subset}: ${batches.length} batches…`);
    let rgSeconds = 0;
    for (const batch of batches) {
      const start = process.hrtime.bigint();
      spawnSync(rg, ['--no-messages', '-c', '-f', batch, subset], { stdio: 'ignore' });
      rgSeconds += Number(process.hrtime.bigint() - start) / 1e9;
    }
    const nhiSubset = measure('nhi scan (subtree)', process.execPath, [nhi, 'scan', subset, '--no-store', '--format', 'json', '--output', '/dev/null']);
    const rgRow = { label: `ripgrep (full set: ${count} regexes, ${batches.length} batches)`, seconds: rgSeconds, min: rgSeconds, max: rgSeconds };
    subsetReport =
      `\n## The full regex set: ${(subsetBytes / 1e6).toFixed(0)} MB subtree (typescript), one run of ripgrep\n\n${table([nhiSubset, rgRow], subsetBytes)}\n\n` +
      `- ripgrep with nhi's ${count} detector regexes (${dropped} more it cannot parse) takes ${(rgSeconds / nhiSubset.seconds).toFixed(1)}× nhi's time on the same files`;
    note = 'ripgrep (keywords only) searches just the detectors\' literal keywords (-F -i): the prefilter alone, a lower bound for any scanner that then runs the regexes.';
  }
  const sl = ensureSecretlint();
  rows.push(measure('secretlint (recommended preset)', sl.bin, ['--secretlintrc', sl.config, `${tree}/**/*`], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] }));
  const base = rows[0].seconds;
  report.push(`## Source tree scan: ${(bytes / 1e6).toFixed(0)} MB, ${RUNS} runs (median)\n\n${table(rows, bytes)}\n`);
  report.push(rows.slice(1).map((r) => `- ${r.label} takes ${(r.seconds / base).toFixed(2)}× nhi's time`).join('\n'));
  if (note) report.push(`\n${note}`);
  if (subsetReport) report.push(subsetReport);
}

if (!only || only === 'history') {
  const { repo, planted } = await ensureHistoryRepo(ensureTree());
  const commits = sh('git', ['rev-list', '--all', '--count'], { cwd: repo }).toString().trim();
  const rows = [
    measure('nhi scan --history', process.execPath, [nhi, 'scan', repo, '--history', '--no-store', '--format', 'json', '--output', '/dev/null']),
    measure('git log -p --all', 'git', ['log', '-p', '--all'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] }),
  ];
  // The planted credentials must all be found (a fast scan that misses them would prove nothing).
  const result = spawnSync(process.execPath, [nhi, 'scan', repo, '--history', '--no-store', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const paths = new Set(JSON.parse(result.stdout).findings.map((f) => f.location.path));
  const found = planted.filter((p) => paths.has(p)).length;
  report.push(
    `\n## Full-history scan: ${commits} commits (synthetic history over real files; scripts/bench-history.mjs)\n\n${table(rows)}\n\n` +
      `- git log -p --all takes ${(rows[1].seconds / rows[0].seconds).toFixed(2)}× nhi's time\n` +
      `- planted credentials found: ${found} of ${planted.length}`,
  );
}

if (!only || only === 'aws') {
  const { dir, manifest } = ensureAwsExport();
  const bytes = duBytes(dir);
  // Run from bench/.work: the default settings, which the expected counts assume, not an nhi.config.yml of the checkout.
  const row = measure('nhi scan (AWS export)', process.execPath, [nhi, 'scan', dir, '--no-store', '--format', 'json', '--output', '/dev/null'], { cwd: work });
  // One more run for the findings: every rule must have looked at the whole account.
  const result = spawnSync(process.execPath, [nhi, 'scan', dir, '--no-store', '--format', 'json'], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`nhi scan of the AWS export failed (exit ${result.status}): ${(result.stderr || '').slice(-800)}`);
  let json;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    throw new Error(`nhi scan of the AWS export printed no JSON report: ${(result.stderr || '').slice(-800)}`);
  }
  const byRule = json.summary.byRule;
  const rules = [...new Set([...Object.keys(manifest.expected), ...Object.keys(byRule)])].sort();
  const ruleLines = ['rule | findings | built into the export', '--- | --- | ---'];
  let mismatches = 0;
  for (const rule of rules) {
    const got = byRule[rule] ?? 0;
    const want = manifest.expected[rule];
    if (want !== undefined && want !== got) mismatches++;
    ruleLines.push(`${rule} | ${got} | ${want === undefined ? '(depends on policy evaluation)' : want === got ? `${want}` : `${want} (MISMATCH)`}`);
  }
  const met = (ok) => (ok ? 'met' : 'MISSED');
  report.push(
    `\n## AWS export: ${manifest.users} users, ${manifest.roles} roles, ${manifest.accessKeys} access keys, ${manifest.customerPolicies} customer managed policies ` +
      `(${manifest.files} files, ${(bytes / 1e6).toFixed(0)} MB; scripts/bench-aws.mjs), ${availableParallelism()} cores, ${RUNS} runs (median)\n\n` +
      `${table([row])}\n\n` +
      `- wall time: ${row.seconds.toFixed(2)} s (target < ${AWS_TARGETS.seconds} s): ${met(row.seconds < AWS_TARGETS.seconds)}\n` +
      `- peak RSS: ${row.rssMB ? `${row.rssMB.toFixed(0)} MiB (target < ${AWS_TARGETS.rssMB} MiB): ${met(row.rssMB < AWS_TARGETS.rssMB)}` : 'not measured (no /usr/bin/time)'}\n` +
      `- findings: ${json.summary.total} from ${json.scan.stats.files} files, ${json.scan.warnings.length} warnings; ` +
      `${mismatches === 0 ? 'every count the export was built with is reported' : `${mismatches} rule(s) differ from the counts the export was built with`}\n\n` +
      ruleLines.join('\n'),
  );
}

process.stdout.write(report.join('\n') + '\n');
