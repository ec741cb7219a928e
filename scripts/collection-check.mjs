#!/usr/bin/env node
/**
 * `npm run collection`: the workflow connectors against a collection of real, public workflows
 * (issue 4: every workflow of a large real collection parses without a crash, with a clear per-file
 * warning for broken input; counts and false-positive rates reported).
 *
 *  1. Assemble: each source of scripts/collection.json (`{ repo, commit }`, public GitHub repositories
 *     pinned to a commit) lands in `<dir>/<owner+name>` unless that folder is already there. Only the
 *     files the workflow connectors read are taken: `.github/workflows/*.yml|yaml`, `action.yml|yaml`,
 *     CODEOWNERS, `.gitlab-ci.yml`, `*.gitlab-ci.yml`, `.gitlab/**` YAML, `.gitignore`, `.nhiignore`
 *     (a source's `include` adds glob patterns, `only` replaces the list, `exclude` drops matches;
 *     `flatten` copies the files into one folder, naming each by its path less `strip` with `/` turned
 *     into `__`; `name` overrides the folder name; `brokenByDesign` marks test inputs meant to be invalid).
 *     A tree holding a `.gitlab-ci.yml` gives every YAML file under that file's folder too: a pipeline's local
 *     includes can name any of them (`ci/`, `admin/gitlab-ci/`, wildcards); `gitlab: false` turns this off.
 *     `--full` takes whole trees instead. From GitHub: `git init --bare`, `git fetch --depth 1
 *     https://github.com/<repo>.git <commit>`, then the files are read out of that commit (no work tree).
 *     With `--from-mirror <dir>`, from local git mirrors laid out `<dir>/<owner+name>/repo[/.git]` instead.
 *     A source that cannot be had (no network, commit not in the mirror) fails alone, with the reason.
 *     The collection folder (default `.collection/`, git-ignored) is never committed: it is third-party code.
 *  2. Scan: the built CLI (package.json `bin`; run `npm run build` first), `nhi scan <folder> --format json
 *     --no-store`, one source at a time, from an empty working folder (no nhi.config.yml applies), with a
 *     timeout (`--timeout`, seconds).
 *  3. Report (Markdown, stdout): per source, workflow definitions by platform and kind (the JSON
 *     report's `inventory`), per-file warnings (count and kinds), crashes (an exit other than 0 or 1,
 *     1 being "findings at or above --fail-on", README "Exit codes"; a signal; a timeout; no report),
 *     and findings per rule; totals over the real sources (not the broken-by-design ones) and over all.
 *     `--json <file>` writes everything, every finding included, for comparison with a later run.
 *     `--sample N` prints N findings per workflow rule (round-robin over the real sources), each with
 *     file:line, a GitHub link at the pinned commit, and the message, to be read by hand.
 *
 * This script cannot tell a true finding from a false one: false-positive rates come from reading the
 * `--sample` output against the workflow files, and a verdict is a person's, recorded elsewhere.
 *
 * Options: --dir <folder> (default .collection), --from-mirror <dir>, --sources <file> (default
 * scripts/collection.json), --only <name,...> (folder names or repos), --timeout <s> (default 600),
 * --fetch-timeout <s> (default 300), --jobs <n> (passed to nhi scan), --full, --json <file>,
 * --sample <N>, --rule <id> (sample this rule too; repeatable).
 * Exit: 0 when every source was scanned without a crash; 1 when one crashed or could not be had; 2 on a usage error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** README "Exit codes": 1 means findings at or above --fail-on, which is a successful scan here. */
const EXIT_FINDINGS = 1;
const WORKFLOW_KINDS = new Set(['workflow', 'composite-action']);
/** What the workflow connectors read (and what decides which files they read), as globs over repository paths. */
const DEFAULT_PATTERNS = [
  '**/.github/workflows/*.yml',
  '**/.github/workflows/*.yaml',
  '**/action.yml',
  '**/action.yaml',
  '**/CODEOWNERS',
  '**/.gitlab-ci.yml',
  '**/*.gitlab-ci.yml',
  '**/.gitlab/**/*.yml',
  '**/.gitlab/**/*.yaml',
  '**/.gitignore',
  '**/.nhiignore',
];
const log = (s) => process.stderr.write(`${s}\n`);

function usage(message) {
  if (message) log(`collection-check: ${message}`);
  log('usage: node scripts/collection-check.mjs [--dir .collection] [--from-mirror <dir>] [--sources scripts/collection.json] [--only a,b] [--timeout 600] [--fetch-timeout 300] [--jobs n] [--full] [--json <file>] [--sample N] [--rule id]...');
  process.exit(message ? 2 : 0);
}

let opts;
try {
  opts = parseArgs({
    options: {
      dir: { type: 'string', default: join(ROOT, '.collection') },
      'from-mirror': { type: 'string' },
      sources: { type: 'string', default: join(ROOT, 'scripts', 'collection.json') },
      only: { type: 'string' },
      timeout: { type: 'string', default: '600' },
      'fetch-timeout': { type: 'string', default: '300' },
      jobs: { type: 'string' },
      full: { type: 'boolean', default: false },
      json: { type: 'string' },
      sample: { type: 'string' },
      rule: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (e) {
  usage(e.message);
}
if (opts.help) usage();
const positive = (name, v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} wants a positive whole number, got ${v}`);
  return n;
};
const TIMEOUT_MS = positive('timeout', opts.timeout) * 1000;
const FETCH_TIMEOUT_MS = positive('fetch-timeout', opts['fetch-timeout']) * 1000;
const SAMPLE = opts.sample === undefined ? 0 : positive('sample', opts.sample);
if (opts.jobs !== undefined) positive('jobs', opts.jobs);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const CLI = join(ROOT, typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.nhi);
if (!existsSync(CLI)) usage(`no built CLI at ${CLI}: run \`npm run build\` first`);

const dir = resolve(opts.dir);
const sources = loadSources(resolve(opts.sources));
const only = opts.only ? new Set(opts.only.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
const selected = only ? sources.filter((s) => only.has(s.name) || only.has(s.repo)) : sources;
if (only && selected.length === 0) usage(`--only ${opts.only} names no source of ${opts.sources}`);

function loadSources(file) {
  let list;
  try {
    list = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    usage(`cannot read ${file}: ${e.message}`);
  }
  if (!Array.isArray(list)) usage(`${file}: expected a JSON array of { "repo": "owner/name", "commit": "<40 hex>" }`);
  const names = new Set();
  return list.map((s, i) => {
    if (!s || typeof s.repo !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(s.repo)) usage(`${file}: entry ${i}: "repo" must be "owner/name"`);
    if (typeof s.commit !== 'string' || !/^[0-9a-f]{40}$/.test(s.commit)) usage(`${file}: entry ${i} (${s.repo}): "commit" must be 40 lowercase hex digits`);
    const name = s.name ?? s.repo.replace('/', '+');
    if (names.has(name)) usage(`${file}: two sources named ${name}`);
    names.add(name);
    return { ...s, name, brokenByDesign: Boolean(s.brokenByDesign) };
  });
}

// ---------------------------------------------------------------------------------------------
// 1. Assemble

/** A glob (`**` any folders, `*` and `?` within one path segment) as a RegExp over a whole POSIX path. */
function globRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** `--full`: the whole tree, for the sources that do not pick their own files. */
const wholeTree = (source) => opts.full && !source.only && !source.flatten;

function selector(source) {
  const take = (source.only ?? [...DEFAULT_PATTERNS, ...(source.include ?? [])]).map(globRegExp);
  const drop = (source.exclude ?? []).map(globRegExp);
  return (path) => take.some((r) => r.test(path)) && !drop.some((r) => r.test(path));
}

/**
 * GitLab CI: a pipeline's `include: local:` can name any YAML file of its repository (`ci/`, `admin/gitlab-ci/`,
 * `gitlab-ci-config/`…), and wildcards (`ci/**.yml`) are matched against the repository's files. So when the tree
 * holds a `.gitlab-ci.yml` (or `.gitlab-ci.yaml`), every YAML file under the folder holding it is taken too (a
 * source's `exclude` still applies; `only` and `flatten` sources pick their own files). `gitlab: false` turns this off.
 */
const GITLAB_PIPELINE = /(?:^|\/)\.gitlab-ci\.ya?ml$/;
const YAML = /\.ya?ml$/i;
function gitlabSelector(source, paths) {
  if (source.only || source.flatten || source.gitlab === false) return () => false;
  const roots = paths.filter((p) => GITLAB_PIPELINE.test(p)).map((p) => p.slice(0, p.lastIndexOf('/') + 1));
  if (roots.length === 0) return () => false;
  const drop = (source.exclude ?? []).map(globRegExp);
  return (path) => YAML.test(path) && roots.some((r) => path.startsWith(r)) && !drop.some((r) => r.test(path));
}

function git(args, options = {}) {
  return spawnSync('git', args, { maxBuffer: 4 << 30, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, ...options });
}
const text = (buf) => (buf ? buf.toString('utf8').trim() : '');

/** The git directory of a local mirror of `repo`, if the mirror folder has one. */
function mirrorGitDir(mirrors, repo) {
  const base = join(mirrors, repo.replace('/', '+'));
  for (const d of [join(base, 'repo', '.git'), join(base, 'repo'), join(base, '.git'), base]) {
    if (existsSync(join(d, 'HEAD')) && existsSync(join(d, 'objects'))) return d;
  }
  return undefined;
}

const fetched = new Map(); // `${repo}@${commit}` -> { gitDir } | { error }
const temporary = [];

/** A git directory holding the source's commit: a local mirror, or a shallow fetch from GitHub. */
function gitDirFor(source) {
  const key = `${source.repo}@${source.commit}`;
  if (fetched.has(key)) return fetched.get(key);
  let result;
  if (opts['from-mirror']) {
    const gitDir = mirrorGitDir(resolve(opts['from-mirror']), source.repo);
    if (!gitDir) result = { error: `no mirror of ${source.repo} under ${opts['from-mirror']}` };
    else if (git(['--git-dir', gitDir, 'cat-file', '-e', `${source.commit}^{commit}`]).status !== 0) {
      const head = text(git(['--git-dir', gitDir, 'rev-parse', 'HEAD']).stdout) || 'unknown';
      result = { error: `the mirror ${gitDir} does not hold commit ${source.commit} (its HEAD is ${head}): update the mirror, or the commit in collection.json` };
    } else result = { gitDir };
  } else {
    const gitDir = mkdtempSync(join(tmpdir(), 'nhi-collection-git-'));
    temporary.push(gitDir);
    const url = `https://github.com/${source.repo}.git`;
    const steps = [
      ['init', '-q', '--bare', gitDir],
      ['--git-dir', gitDir, 'fetch', '-q', '--depth', '1', '--no-tags', url, source.commit],
    ];
    for (const args of steps) {
      const r = git(args, { timeout: FETCH_TIMEOUT_MS });
      if (r.error || r.status !== 0) {
        const why = r.error?.code === 'ETIMEDOUT' ? `timed out after ${FETCH_TIMEOUT_MS / 1000} s` : text(r.stderr).split('\n').slice(-2).join(' ') || r.error?.message || `exit ${r.status}`;
        result = { error: `git ${args.includes('fetch') ? `fetch ${url} ${source.commit}` : 'init'} failed: ${why}` };
        break;
      }
    }
    result ??= { gitDir };
  }
  fetched.set(key, result);
  return result;
}

/** Writes the source's selected files into `<dir>/<name>`; returns the number of files, or throws with the reason. */
function extract(source, gitDir) {
  const dest = join(dir, source.name);
  const part = `${dest}.part`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  let count = 0;
  if (wholeTree(source)) {
    const archive = git(['--git-dir', gitDir, 'archive', '--format=tar', source.commit]);
    if (archive.status !== 0) throw new Error(`git archive failed: ${text(archive.stderr)}`);
    const untar = spawnSync('tar', ['-x', '-C', part], { input: archive.stdout, maxBuffer: 1 << 20 });
    if (untar.status !== 0) throw new Error(`tar failed: ${text(untar.stderr)}`);
    count = text(git(['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', source.commit]).stdout).split('\n').filter(Boolean).length;
  } else {
    const select = selector(source);
    const tree = git(['--git-dir', gitDir, 'ls-tree', '-r', '-z', '--full-tree', source.commit]);
    if (tree.status !== 0) throw new Error(`git ls-tree failed: ${text(tree.stderr)}`);
    const entries = [];
    for (const entry of tree.stdout.toString('utf8').split('\0')) {
      const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(entry);
      // Regular files only: no symbolic links (120000), no submodules (commit entries).
      if (!m || m[2] !== 'blob' || !/^1006[0-7]{2}$/.test(m[1])) continue;
      entries.push({ oid: m[3], path: m[4] });
    }
    const gitlab = gitlabSelector(source, entries.map((e) => e.path));
    const files = entries.filter((e) => select(e.path) || gitlab(e.path));
    const targets = new Map();
    for (const f of files) {
      let out = f.path;
      if (source.flatten) {
        const strip = source.flatten.strip ?? '';
        out = `${source.flatten.into}/${(out.startsWith(strip) ? out.slice(strip.length) : out).split('/').join('__')}`;
      }
      if (targets.has(out)) throw new Error(`${f.path} and ${targets.get(out)} would both be written to ${out}`);
      targets.set(out, f.path);
      f.out = out;
    }
    if (files.length) {
      const batch = git(['--git-dir', gitDir, 'cat-file', '--batch'], { input: files.map((f) => f.oid).join('\n') + '\n' });
      if (batch.status !== 0) throw new Error(`git cat-file failed: ${text(batch.stderr)}`);
      let at = 0;
      for (const f of files) {
        const nl = batch.stdout.indexOf(10, at);
        const header = batch.stdout.subarray(at, nl).toString('utf8');
        const size = Number(/^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1] ?? NaN);
        if (!Number.isFinite(size)) throw new Error(`git cat-file: unexpected "${header}" for ${f.path}`);
        const target = join(part, ...f.out.split('/'));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, batch.stdout.subarray(nl + 1, nl + 1 + size));
        at = nl + 1 + size + 1;
      }
    }
    count = files.length;
  }
  rmSync(dest, { recursive: true, force: true });
  renameSync(part, dest);
  return count;
}

/** `<dir>/<name>.source.json`: what a folder was made from (beside it, so that the scan does not read it). */
const markerPath = (source) => join(dir, `${source.name}.source.json`);

function assemble(source) {
  const dest = join(dir, source.name);
  if (existsSync(dest)) {
    let note;
    if (existsSync(markerPath(source))) {
      const made = JSON.parse(readFileSync(markerPath(source), 'utf8'));
      if (made.commit !== source.commit) note = `made from ${made.commit}, collection.json pins ${source.commit}: delete the folder to fetch it again`;
      else if (made.full !== opts.full) note = `made ${made.full ? 'with' : 'without'} --full: delete the folder to fetch it again`;
    } else note = 'made by hand (no marker): used as it is';
    return { ok: true, note };
  }
  const from = gitDirFor(source);
  if (from.error) return { ok: false, error: from.error };
  try {
    const files = extract(source, from.gitDir);
    writeFileSync(markerPath(source), JSON.stringify({ repo: source.repo, commit: source.commit, full: opts.full, files, from: opts['from-mirror'] ? 'mirror' : 'github', at: new Date().toISOString() }, null, 2) + '\n');
    log(`  ${source.name}: ${files} files from ${opts['from-mirror'] ? from.gitDir : `github.com/${source.repo}`} at ${source.commit.slice(0, 12)}`);
    return { ok: true };
  } catch (e) {
    rmSync(`${dest}.part`, { recursive: true, force: true });
    return { ok: false, error: e.message };
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Scan

const workdir = mkdtempSync(join(tmpdir(), 'nhi-collection-run-'));
temporary.push(workdir);

function scan(source) {
  const folder = join(dir, source.name);
  const output = join(workdir, `${source.name}.json`);
  rmSync(output, { force: true });
  const args = [CLI, 'scan', folder, '--format', 'json', '--no-store', '--output', output];
  if (opts.jobs) args.push('--jobs', opts.jobs);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: workdir, encoding: 'utf8', maxBuffer: 1 << 30, timeout: TIMEOUT_MS, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } });
  const durationMs = Date.now() - started;
  const stderrTail = (r.stderr ?? '').split('\n').filter((l) => l && !l.startsWith('warning ')).slice(-5).join('\n');
  let crash;
  if (r.error?.code === 'ETIMEDOUT') crash = `timed out after ${TIMEOUT_MS / 1000} s`;
  else if (r.error) crash = `could not run: ${r.error.message}`;
  else if (r.signal) crash = `killed by ${r.signal}`;
  else if (r.status !== 0 && r.status !== EXIT_FINDINGS) crash = `exit ${r.status}`;
  let report;
  if (!crash) {
    try {
      report = JSON.parse(readFileSync(output, 'utf8'));
    } catch (e) {
      crash = `exit ${r.status} but no readable report: ${e.message}`;
    }
  }
  return { exitCode: r.status, durationMs, crash, stderrTail: crash ? stderrTail : undefined, report };
}

function summarize(source, run) {
  const out = { name: source.name, repo: source.repo, commit: source.commit, brokenByDesign: source.brokenByDesign, exitCode: run.exitCode, durationMs: run.durationMs };
  if (run.crash) return { ...out, status: 'crashed', crash: run.crash, stderrTail: run.stderrTail };
  const report = run.report;
  const warnings = report.scan?.warnings ?? [];
  const warningKinds = {};
  for (const w of warnings) warningKinds[`${w.source}/${w.kind}`] = (warningKinds[`${w.source}/${w.kind}`] ?? 0) + 1;
  const findings = (report.findings ?? []).map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    confidence: f.confidence,
    path: f.location?.path,
    line: f.location?.line,
    column: f.location?.column,
    resourceKind: f.resource?.kind,
    message: f.message,
    fingerprint: f.fingerprint,
  }));
  const byRule = {};
  for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  return {
    ...out,
    status: 'scanned',
    nhi: report.tool?.version,
    files: report.scan?.stats?.files,
    inventory: report.inventory,
    warnings: { total: warnings.length, withoutPath: warnings.filter((w) => !w.path).length, byKind: sortKeys(warningKinds), list: warnings },
    byRule: sortKeys(byRule),
    suppressed: report.summary?.suppressed,
    findings,
  };
}

function sortKeys(o) {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------------------------
// 3. Report

const PLATFORM = { 'github-actions': 'GHA', 'gitlab-ci': 'GitLab', n8n: 'n8n' };
const KIND = { workflow: 'workflows', 'composite-action': 'composite' };
/** Short, unique column names for rule ids: initials, with more of the first word where two would clash. */
function abbreviations(rules) {
  const out = new Map();
  for (let k = 1; out.size < rules.length && k < 40; k++) {
    const short = (rule) => {
      const [first, ...rest] = rule.split('-');
      return first.slice(0, k) + rest.map((w) => w[0]).join('');
    };
    const counts = new Map();
    for (const r of rules) if (!out.has(r)) counts.set(short(r), (counts.get(short(r)) ?? 0) + 1);
    const taken = new Set(out.values());
    for (const r of rules) if (!out.has(r) && counts.get(short(r)) === 1 && !taken.has(short(r))) out.set(r, short(r));
  }
  for (const r of rules) if (!out.has(r)) out.set(r, r);
  return out;
}

/** A Markdown table; columns whose cells are all numbers are right-aligned. */
function table(header, rows) {
  const cell = (v) => String(v ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const blank = (v) => v === '' || v === undefined;
  const numeric = header.map((_, i) => i > 0 && rows.some((r) => !blank(r[i])) && rows.every((r) => blank(r[i]) || /^[\d.]+$/.test(String(r[i]))));
  const lines = [`| ${header.map(cell).join(' | ')} |`, `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function print(results) {
  const scanned = results.filter((r) => r.status === 'scanned');
  const columns = new Map(); // "platform kind" -> [platform, kind]
  for (const r of scanned) for (const [p, kinds] of Object.entries(r.inventory?.workflows?.byPlatform ?? {})) for (const k of Object.keys(kinds)) columns.set(`${p} ${k}`, [p, k]);
  const wfColumns = [...columns.values()].sort(([p1, k1], [p2, k2]) => (p1 + k1 < p2 + k2 ? -1 : 1));
  const rules = [...new Set(scanned.flatMap((r) => Object.keys(r.byRule)))].sort();
  const wfCount = (r, [p, k]) => r.inventory?.workflows?.byPlatform?.[p]?.[k] ?? 0;

  const rows = [];
  const totals = (label, group) => {
    const ok = group.filter((r) => r.status === 'scanned');
    const kinds = {};
    for (const r of ok) for (const [k, n] of Object.entries(r.warnings.byKind)) kinds[k] = (kinds[k] ?? 0) + n;
    const crashed = group.filter((r) => r.status === 'crashed').length;
    const unavailable = group.filter((r) => r.status === 'unavailable').length;
    return [
      `**${label}** (${group.length})`,
      ok.reduce((s, r) => s + (r.files ?? 0), 0),
      ...wfColumns.map((c) => ok.reduce((s, r) => s + wfCount(r, c), 0)),
      ok.reduce((s, r) => s + r.warnings.total, 0),
      formatKinds(kinds),
      ok.reduce((s, r) => s + r.findings.length, 0),
      `${ok.length} scanned, ${crashed} crashed${unavailable ? `, ${unavailable} not available` : ''}`,
      `${(group.reduce((s, r) => s + (r.durationMs ?? 0), 0) / 1000).toFixed(1)}`,
    ];
  };
  for (const r of results) {
    const name = r.brokenByDesign ? `${r.name} (broken by design)` : r.name;
    if (r.status === 'unavailable') rows.push([name, '', ...wfColumns.map(() => ''), '', '', '', `not available: ${r.error}`, '']);
    else if (r.status === 'crashed') rows.push([name, '', ...wfColumns.map(() => ''), '', '', '', `**crashed**: ${r.crash}`, (r.durationMs / 1000).toFixed(1)]);
    else rows.push([name, r.files ?? '?', ...wfColumns.map((c) => wfCount(r, c)), r.warnings.total, formatKinds(r.warnings.byKind), r.findings.length, `exit ${r.exitCode}`, (r.durationMs / 1000).toFixed(1)]);
  }
  rows.push(totals('total, real sources', results.filter((r) => !r.brokenByDesign)));
  rows.push(totals('total, all', results));
  const header = ['source', 'files', ...wfColumns.map(([p, k]) => `${PLATFORM[p] ?? p} ${KIND[k] ?? k}`), 'warnings', 'warning kinds', 'findings', 'scan', 's'];
  console.log(`## Sources\n\n${table(header, rows)}\n`);

  const fRows = results.filter((r) => r.status === 'scanned').map((r) => [r.brokenByDesign ? `${r.name} (broken by design)` : r.name, ...rules.map((rule) => r.byRule[rule] ?? 0), r.findings.length]);
  const sum = (group, rule) => group.reduce((s, r) => s + (rule ? (r.byRule[rule] ?? 0) : r.findings.length), 0);
  const real = scanned.filter((r) => !r.brokenByDesign);
  fRows.push(['**total, real sources**', ...rules.map((rule) => sum(real, rule)), sum(real)]);
  fRows.push(['**total, all**', ...rules.map((rule) => sum(scanned, rule)), sum(scanned)]);
  const abbr = abbreviations(rules);
  console.log(`## Findings per rule\n\n${table(['source', ...rules.map((r) => abbr.get(r)), 'all'], fRows)}\n`);
  console.log(rules.map((rule) => `\`${abbr.get(rule)}\` ${rule}`).join(' · ') + '\n');

  const crashed = results.filter((r) => r.status === 'crashed');
  for (const r of crashed) console.log(`- **${r.name} crashed**: ${r.crash}${r.stderrTail ? `\n\n  \`\`\`\n  ${r.stderrTail.split('\n').join('\n  ')}\n  \`\`\`` : ''}`);
  const unlocated = scanned.reduce((s, r) => s + r.warnings.withoutPath, 0);
  const definitions = real.reduce((s, r) => s + (r.inventory?.workflows?.total ?? 0), 0);
  console.log(
    `${scanned.length} of ${results.length} sources scanned, ${crashed.length} crashed, ${results.filter((r) => r.status === 'unavailable').length} unavailable; ` +
      `real sources: ${definitions} workflow definitions read, ${real.reduce((s, r) => s + r.warnings.total, 0)} warnings (${unlocated} without a file path in all sources), ${sum(real)} findings.`,
  );
}

function formatKinds(kinds) {
  const entries = Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(', ') : '';
}

function printSample(results) {
  const real = results.filter((r) => r.status === 'scanned' && !r.brokenByDesign);
  const wanted = new Set(opts.rule);
  for (const r of real) for (const f of r.findings) if (WORKFLOW_KINDS.has(f.resourceKind)) wanted.add(f.ruleId);
  console.log(`\n## Sample: up to ${SAMPLE} findings per rule, round-robin over the real sources (judge each by hand)\n`);
  for (const rule of [...wanted].sort()) {
    const queues = real.map((r) => ({ r, list: r.findings.filter((f) => f.ruleId === rule).sort((a, b) => (a.path ?? '').localeCompare(b.path ?? '') || (a.line ?? 0) - (b.line ?? 0)) })).filter((q) => q.list.length);
    const total = queues.reduce((s, q) => s + q.list.length, 0);
    console.log(`### ${rule} (${total} in ${queues.length} sources)\n`);
    const picked = [];
    for (let i = 0; picked.length < SAMPLE && queues.some((q) => q.list.length > i); i++) for (const q of queues) if (picked.length < SAMPLE && q.list[i]) picked.push({ r: q.r, f: q.list[i] });
    for (const { r, f } of picked) {
      const at = f.path ? `${f.path}:${f.line}:${f.column}` : '(no file)';
      const link = f.path && !r.flattened ? ` <https://github.com/${r.repo}/blob/${r.commit}/${f.path.split('/').map(encodeURIComponent).join('/')}#L${f.line}>` : '';
      console.log(`- [ ] ${r.name} ${at}${link}\n  ${f.message}`);
    }
    console.log('');
  }
}

// ---------------------------------------------------------------------------------------------

mkdirSync(dir, { recursive: true });
const results = [];
try {
  log(`collection: ${selected.length} sources in ${dir}`);
  for (const source of selected) {
    const had = assemble(source);
    if (!had.ok) {
      log(`  ${source.name}: not available: ${had.error}`);
      results.push({ name: source.name, repo: source.repo, commit: source.commit, brokenByDesign: source.brokenByDesign, status: 'unavailable', error: had.error });
      continue;
    }
    if (had.note) log(`  ${source.name}: ${had.note}`);
    const run = scan(source);
    const result = summarize(source, run);
    result.flattened = Boolean(source.flatten);
    log(`  ${source.name}: ${result.status === 'crashed' ? `CRASHED (${result.crash})` : `${result.inventory?.workflows?.total ?? '?'} workflow definitions, ${result.warnings.total} warnings, ${result.findings.length} findings`} in ${(run.durationMs / 1000).toFixed(1)} s`);
    results.push(result);
  }
} finally {
  for (const t of temporary) rmSync(t, { recursive: true, force: true });
}

print(results);
if (SAMPLE) printSample(results);
if (opts.json) {
  const whole = { generatedAt: new Date().toISOString(), dir, full: opts.full, sources: results };
  writeFileSync(resolve(opts.json), JSON.stringify(whole, null, 2) + '\n');
  log(`collection: wrote ${resolve(opts.json)}`);
}
process.exitCode = results.some((r) => r.status !== 'scanned') ? 1 : 0;
