#!/usr/bin/env node
/**
 * `npm run bench`: scan throughput and history-scan time, side by side with peers.
 *
 *  1. Source tree: ~350 MB of real JavaScript/TypeScript (the published sources of googleapis,
 *     aws-sdk v2, typescript and monaco-editor, installed from the npm registry into bench/.work/tree).
 *     nhi vs ripgrep (given nhi's own detector regexes, exported with scripts/export-patterns)
 *     vs secretlint (recommended preset).
 *  2. History: a git repository whose commits are successive published versions of a few packages
 *     (bench/.work/history); `nhi scan --history` vs `git log -p --all`.
 *
 * Peers are installed on first run: secretlint from npm into bench/.work/peers; ripgrep from the
 * system (`apt-get install ripgrep`) when missing and this user may install it.
 * Options: --runs N (default 3), --only tree|history.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
const HISTORY_PACKAGES = { lodash: 'lodash@>=4.0.0 <5', express: 'express@>=4.0.0 <5', axios: 'axios@>=1.0.0 <1.8' };

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

function ensureHistoryRepo() {
  const repo = join(work, 'history');
  if (existsSync(join(repo, '.git'))) return repo;
  log('building the history benchmark repository (successive published versions of lodash, express, axios)');
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  const git = (argv, env = {}) => sh('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...argv], { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.test', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.test', ...env } });
  git(['init', '-q']);
  const versions = [];
  for (const [name, range] of Object.entries(HISTORY_PACKAGES)) {
    const list = JSON.parse(sh(npm, ['view', range, 'version', '--json']).toString());
    for (const v of (Array.isArray(list) ? list : [list]).filter((x) => !x.includes('-'))) versions.push([name, v]);
  }
  let n = 0;
  for (const [name, version] of versions) {
    const file = sh(npm, ['pack', `${name}@${version}`, '--silent', '--pack-destination', tarballs]).toString().trim().split('\n').pop();
    const dest = join(repo, name);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    sh('tar', ['-xzf', join(tarballs, file), '-C', dest, '--strip-components=1']);
    git(['add', '-A']);
    const date = new Date(Date.UTC(2020, 0, 1) + n++ * 86400000).toISOString();
    git(['commit', '-q', '--allow-empty', '-m', `${name} ${version}`], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  }
  git(['gc', '-q']);
  return repo;
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
  const repo = ensureHistoryRepo();
  const commits = sh('git', ['rev-list', '--all', '--count'], { cwd: repo }).toString().trim();
  const rows = [
    measure('nhi scan --history', process.execPath, [nhi, 'scan', repo, '--history', '--no-store', '--format', 'json', '--output', '/dev/null']),
    measure('git log -p --all', 'git', ['log', '-p', '--all'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] }),
  ];
  report.push(`\n## Full-history scan: ${commits} commits\n\n${table(rows)}\n\n- git log -p --all takes ${(rows[1].seconds / rows[0].seconds).toFixed(2)}× nhi's time`);
}

process.stdout.write(report.join('\n') + '\n');
