import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import type { ConnectorContext, InventoryItem, ScanOptions } from '../../src/core/connector.js';
import type { ScanWarning, SecretOccurrence } from '../../src/core/model.js';
import { githubTokenWithChecksum } from '../../src/detectors/checks.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { expandTemplate, seededRandom } from '../../src/detectors/random.js';
import { ScanPool } from '../../src/scan/pool.js';
import { changedRegion, DELTA_MARGIN_AFTER, DELTA_MARGIN_BEFORE, gitConnector, parseAddedLines, parseRawEntry, RawLogParser } from './index.js';
import { CatFile, unquoteGitPath } from './repo.js';

const pool = new ScanPool({ store: Buffer.from('k1'), fingerprint: Buffer.from('k2') }, 0);
const temps: string[] = [];
/** Every token planted by any test: none may appear in any output. */
const planted: string[] = [];

afterAll(async () => {
  await pool.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function token(): string {
  const random = [...randomBytes(30)].map((b) => BASE62[b % 62]).join('');
  const t = githubTokenWithChecksum('ghp_', random);
  planted.push(t);
  return t;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-git-'));
  temps.push(dir);
  return dir;
}

/** An empty global config, so the machine's own settings (signing, hooks) stay out of the tests. */
const emptyConfig = join(tempDir(), 'gitconfig');
writeFileSync(emptyConfig, '');

let clock = 0;
/** Each commit one day after the previous one, so author dates order the history. */
function nextDate(): string {
  clock++;
  return new Date(Date.UTC(2024, 0, 1) + clock * 86_400_000).toISOString().replace('.000Z', 'Z');
}

function run(cwd: string, args: string[], date?: string): string {
  const when = date ?? nextDate();
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: emptyConfig,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Alice Example',
      GIT_AUTHOR_EMAIL: 'alice@example.com',
      GIT_COMMITTER_NAME: 'Alice Example',
      GIT_COMMITTER_EMAIL: 'alice@example.com',
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
    },
  });
}

function newRepo(): string {
  const dir = tempDir();
  run(dir, ['init', '-q']);
  return dir;
}

function write(repo: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
}

/** Writes the files, stages everything, commits, and returns the commit id. */
function commit(repo: string, message: string, files: Record<string, string | Buffer> = {}, date?: string): string {
  for (const [path, content] of Object.entries(files)) write(repo, path, content);
  run(repo, ['add', '-A']);
  run(repo, ['commit', '-q', '--allow-empty', '-m', message], date);
  return run(repo, ['rev-parse', 'HEAD']).trim();
}

interface Collected {
  items: InventoryItem[];
  occurrences: SecretOccurrence[];
  warnings: ScanWarning[];
  counts: Array<[number, number | undefined]>;
}

async function collect(root: string, options: Partial<ScanOptions>): Promise<Collected> {
  const warnings: ScanWarning[] = [];
  const counts: Array<[number, number | undefined]> = [];
  const ctx: ConnectorContext = {
    config: DEFAULT_CONFIG,
    keys: { store: Buffer.from('k1'), fingerprint: Buffer.from('k2') },
    pool,
    options: { history: false, staged: false, maxFileSize: Number.POSITIVE_INFINITY, ...options },
    now: new Date('2025-01-01T00:00:00Z'),
    warn: (w) => warnings.push(w),
    count: (bytes, files) => counts.push([bytes, files]),
  };
  const items: InventoryItem[] = [];
  for await (const item of gitConnector.collect({ root, display: root }, ctx)) items.push(item);
  const occurrences = items.filter((i) => i.kind === 'occurrence').map((i) => i.value as SecretOccurrence);
  const all = JSON.stringify({ items, warnings });
  for (const t of planted) expect(all.includes(t), 'a raw token leaked into the output').toBe(false);
  return { items, occurrences, warnings, counts };
}

const github = (c: Collected) => c.occurrences.filter((o) => o.detectorId === 'github-pat-classic');

describe('applies', () => {
  it('needs a git repository and a history, since or staged option', async () => {
    const repo = newRepo();
    const plain = tempDir();
    const base = { history: false, staged: false, maxFileSize: Infinity };
    expect(await gitConnector.applies({ root: repo, display: repo }, base)).toBe(false);
    expect(await gitConnector.applies({ root: repo, display: repo }, { ...base, history: true })).toBe(true);
    expect(await gitConnector.applies({ root: repo, display: repo }, { ...base, since: 'main' })).toBe(true);
    expect(await gitConnector.applies({ root: repo, display: repo }, { ...base, staged: true })).toBe(true);
    expect(await gitConnector.applies({ root: plain, display: plain }, { ...base, history: true })).toBe(false);
  });
});

describe('history', () => {
  it('reports a secret added then removed at the commit that added it', async () => {
    const repo = newRepo();
    const secret = token();
    const first = commit(repo, 'add config\n\nwith a body', { 'config/app.env': `NAME=demo\nGITHUB_TOKEN=${secret}\n` }, '2024-03-01T10:00:00+02:00');
    commit(repo, 'remove token', { 'config/app.env': 'NAME=demo\n' });
    const out = await collect(repo, { history: true });
    const found = github(out);
    expect(found).toHaveLength(1);
    const o = found[0]!;
    expect(o.origin).toBe('history');
    expect(o.root).toBe(repo);
    expect(o.location.path).toBe('config/app.env');
    expect(o.location.line).toBe(2);
    expect(o.location.column).toBe('GITHUB_TOKEN='.length + 1);
    expect(o.location.commit).toEqual({ sha: first, author: 'Alice Example', email: 'alice@example.com', date: '2024-03-01T08:00:00.000Z', summary: 'add config' });
    expect(o.redacted).not.toContain(secret.slice(4));
    expect(out.warnings).toEqual([]);
  });

  it('finds secrets only on another branch, only in a tag, and only under a remote ref', async () => {
    const repo = newRepo();
    commit(repo, 'init', { 'README.md': '# demo\n' });
    const onBranch = token();
    const inTag = token();
    const onRemote = token();
    run(repo, ['checkout', '-q', '-b', 'feature']);
    const branchCommit = commit(repo, 'feature work', { 'src/feature.ts': `export const t = "${onBranch}";\n` });
    run(repo, ['checkout', '-q', 'main']);
    // A commit reachable only from a tag.
    run(repo, ['checkout', '-q', '--detach']);
    const tagCommit = commit(repo, 'release', { 'release.txt': `token: ${inTag}\n` });
    run(repo, ['tag', '-a', 'v1', '-m', 'v1']);
    // A commit reachable only from a remote-tracking ref.
    run(repo, ['checkout', '-q', 'main']);
    run(repo, ['checkout', '-q', '--detach']);
    const remoteCommit = commit(repo, 'remote', { 'remote.txt': `token: ${onRemote}\n` });
    run(repo, ['update-ref', 'refs/remotes/origin/other', remoteCommit]);
    run(repo, ['checkout', '-q', 'main']);

    const out = await collect(repo, { history: true });
    const byPath = new Map(github(out).map((o) => [o.location.path, o]));
    expect([...byPath.keys()].sort()).toEqual(['release.txt', 'remote.txt', 'src/feature.ts']);
    expect(byPath.get('src/feature.ts')!.location.commit!.sha).toBe(branchCommit);
    expect(byPath.get('release.txt')!.location.commit!.sha).toBe(tagCommit);
    expect(byPath.get('remote.txt')!.location.commit!.sha).toBe(remoteCommit);
  });

  it('scans each unique blob once', async () => {
    const repo = newRepo();
    commit(repo, 'init', { 'README.md': '# demo\n' });
    const secret = token();
    const content = `token = "${secret}"\n`;
    run(repo, ['checkout', '-q', '-b', 'a']);
    const first = commit(repo, 'on a', { 'a/secret.txt': content });
    run(repo, ['checkout', '-q', '-b', 'b', 'main']);
    commit(repo, 'on b', { 'b/copy.txt': content });
    // The same content again later on b, under a third name, and a revert to README's content.
    commit(repo, 'copy again', { 'b/again.txt': content, 'b/readme-copy.md': '# demo\n' });
    run(repo, ['checkout', '-q', 'main']);
    run(repo, ['merge', '-q', '--no-ff', '--no-edit', 'a']);
    run(repo, ['merge', '-q', '--no-ff', '--no-edit', 'b']);

    const out = await collect(repo, { history: true });
    const found = github(out);
    expect(found).toHaveLength(1);
    expect(found[0]!.location.path).toBe('a/secret.txt');
    expect(found[0]!.location.commit!.sha).toBe(first);
    // Two unique blobs: README.md and the token file.
    expect(out.counts).toEqual([
      [Buffer.byteLength('# demo\n'), 1],
      [Buffer.byteLength(content), 1],
    ]);
  });

  it('scans a bare clone the same way', async () => {
    const repo = newRepo();
    const s1 = token();
    const s2 = token();
    commit(repo, 'one', { 'one.txt': `a=${s1}\n` });
    commit(repo, 'two', { 'one.txt': 'a=\n', 'dir/two.yml': `b: ${s2}\n` });
    const bare = join(tempDir(), 'clone.git');
    execFileSync('git', ['clone', '-q', '--bare', repo, bare]);
    expect(await gitConnector.applies({ root: bare, display: bare }, { history: true, staged: false, maxFileSize: Infinity })).toBe(true);
    const key = (o: SecretOccurrence) => `${o.secretHash} ${o.location.path}:${o.location.line} ${o.location.commit!.sha}`;
    const fromRepo = github(await collect(repo, { history: true })).map(key).sort();
    const fromBare = await collect(bare, { history: true });
    expect(github(fromBare).map(key).sort()).toEqual(fromRepo);
    expect(fromRepo).toHaveLength(2);
    expect(fromBare.warnings).toEqual([]);
  });

  it('with since, scans only commits after the ref', async () => {
    const repo = newRepo();
    const before = token();
    const after = token();
    commit(repo, 'base', { 'old.txt': `x=${before}\n` });
    run(repo, ['tag', 'base']);
    run(repo, ['checkout', '-q', '-b', 'pr']);
    const prCommit = commit(repo, 'pr change', { 'new.txt': `y=${after}\n` });
    // A branch that is not part of the range must not be scanned either.
    run(repo, ['checkout', '-q', '-b', 'elsewhere', 'base']);
    commit(repo, 'elsewhere', { 'other.txt': `z=${token()}\n` });
    run(repo, ['checkout', '-q', 'pr']);

    const out = await collect(repo, { history: false, since: 'base' });
    const found = github(out);
    expect(found.map((o) => o.location.path)).toEqual(['new.txt']);
    expect(found[0]!.location.commit!.sha).toBe(prCommit);
    expect(out.counts).toHaveLength(1);
    expect(out.warnings).toEqual([]);
  });

  it('with an unknown since ref, warns with a git-error and ends cleanly', async () => {
    const repo = newRepo();
    commit(repo, 'base', { 'a.txt': 'a\n' });
    const out = await collect(repo, { history: false, since: 'no-such-ref' });
    expect(out.items).toEqual([]);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ kind: 'git-error', source: 'git' });
    expect(out.warnings[0]!.message).toMatch(/no-such-ref/);
    const dashed = await collect(repo, { history: false, since: '--output=/tmp/x' });
    expect(dashed.warnings[0]).toMatchObject({ kind: 'git-error', source: 'git' });
  });

  it('outside a git repository, warns with git’s message instead of throwing', async () => {
    const plain = tempDir();
    const out = await collect(plain, { history: true });
    expect(out.items).toEqual([]);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ kind: 'git-error', source: 'git' });
    expect(out.warnings[0]!.message).toMatch(/not a git repository/i);
  });

  it('never outputs a raw token, even one pasted into a commit message', async () => {
    const repo = newRepo();
    const secret = token();
    const inMessage = token();
    commit(repo, `oops ${inMessage} pasted`, { 'leak.txt': `t=${secret}\n`, 'img.bin': Buffer.from([0, 1, 2, 0]) });
    const out = await collect(repo, { history: true, maxFileSize: 1_000_000 });
    expect(github(out)).toHaveLength(1);
    const summary = github(out)[0]!.location.commit!.summary!;
    expect(summary).toMatch(/^oops ghp_…\w{4} pasted$/);
    const everything = JSON.stringify(out);
    for (const t of [secret, inMessage]) {
      expect(everything).not.toContain(t);
      expect(everything).not.toContain(t.slice(4, 30));
    }
  });

  it('reads a SHA-256 repository', async () => {
    const repo = tempDir();
    try {
      run(repo, ['init', '-q', '--object-format=sha256']);
    } catch {
      return; // This git cannot make SHA-256 repositories.
    }
    const secret = token();
    const sha = commit(repo, 'one', { 'a.txt': `t=${secret}\n` });
    commit(repo, 'two', { 'a.txt': 'gone\n' });
    const out = await collect(repo, { history: true });
    expect(github(out).map((o) => o.location.commit!.sha)).toEqual([sha]);
    expect(sha).toHaveLength(64);
    expect(out.warnings).toEqual([]);
  });

  it('handles an empty repository', async () => {
    const repo = newRepo();
    const out = await collect(repo, { history: true });
    expect(out.items).toEqual([]);
    expect(out.warnings).toEqual([]);
  });

  it('survives binary and non-UTF-8 blobs, and skips symlinks and submodules', async () => {
    const repo = newRepo();
    const latin = token();
    const binary = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x00]), randomBytes(4096)]);
    commit(repo, 'odd files', {
      'img.png': binary,
      'latin1.txt': Buffer.concat([Buffer.from('caf\xe9 = "', 'latin1'), Buffer.from(latin), Buffer.from('"\n')]),
    });
    run(repo, ['update-index', '--add', '--cacheinfo', `160000,${run(repo, ['rev-parse', 'HEAD']).trim()},vendor/sub`]);
    run(repo, ['commit', '-q', '-m', 'submodule entry']);
    try {
      execFileSync('ln', ['-s', 'latin1.txt', join(repo, 'link.txt')]);
      commit(repo, 'symlink');
    } catch {
      // No symlinks here: nothing to check.
    }
    const out = await collect(repo, { history: true });
    const found = github(out);
    expect(found.map((o) => o.location.path)).toEqual(['latin1.txt']);
    expect(found[0]!.location.column).toBe('café = "'.length + 1);
    expect(out.warnings.map((w) => [w.kind, w.path, w.source]).sort()).toEqual([
      ['binary', 'img.png', 'git'],
      ['invalid-utf8', 'latin1.txt', 'git'],
    ]);
    // Two blobs: no count for the gitlink or the symlink.
    expect(out.counts).toHaveLength(2);
  });

  it('skips blobs over --max-file-size with a too-large warning', async () => {
    const repo = newRepo();
    const big = token();
    commit(repo, 'big', { 'big.txt': `${'x'.repeat(5000)}\n${big}\n`, 'small.txt': 'ok\n' });
    const out = await collect(repo, { history: true, maxFileSize: 1000 });
    expect(github(out)).toEqual([]);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ kind: 'too-large', path: 'big.txt', source: 'git' });
    expect(out.counts.sort()).toEqual([
      [0, 1],
      [3, 1],
    ]);
  });

  it('reports a missing blob as a git-error and goes on', async () => {
    const repo = newRepo();
    const kept = token();
    commit(repo, 'two files', { 'gone.txt': 'this blob will be deleted\n', 'kept.txt': `k=${kept}\n` });
    const oid = run(repo, ['rev-parse', 'HEAD:gone.txt']).trim();
    unlinkSync(join(repo, '.git', 'objects', oid.slice(0, 2), oid.slice(2)));
    const out = await collect(repo, { history: true });
    expect(github(out).map((o) => o.location.path)).toEqual(['kept.txt']);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ kind: 'git-error', source: 'git', path: 'gone.txt' });
  });

  it('reports a corrupt blob as a git-error and reads the others', async () => {
    const repo = newRepo();
    const before = token();
    const after = token();
    commit(repo, 'one', { 'a.txt': `a=${before}\n` });
    commit(repo, 'two', { 'big.txt': randomBytes(150_000).toString('base64') });
    commit(repo, 'three', { 'c.txt': `c=${after}\n` });
    const oid = run(repo, ['rev-parse', 'HEAD:big.txt']).trim();
    const file = join(repo, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    // Truncated: the header inflates, the content does not.
    const truncated = readFileSync(file).subarray(0, 4000);
    unlinkSync(file);
    writeFileSync(file, truncated);
    const out = await collect(repo, { history: true });
    expect(github(out).map((o) => o.location.path)).toEqual(['a.txt', 'c.txt']);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ kind: 'git-error', source: 'git', path: 'big.txt' });
  });

  it('reports a corrupt history as a git-error without throwing', async () => {
    const repo = newRepo();
    commit(repo, 'one', { 'a/b.txt': 'b\n' });
    const tree = run(repo, ['rev-parse', 'HEAD:a']).trim();
    unlinkSync(join(repo, '.git', 'objects', tree.slice(0, 2), tree.slice(2)));
    const out = await collect(repo, { history: true });
    expect(out.warnings.some((w) => w.kind === 'git-error' && w.source === 'git')).toBe(true);
  });

  it('stops git when the consumer stops early', async () => {
    const repo = newRepo();
    for (let i = 0; i < 3; i++) commit(repo, `c${i}`, { [`f${i}.txt`]: `t=${token()}\n` });
    const ctx: ConnectorContext = {
      config: DEFAULT_CONFIG,
      keys: { store: Buffer.from('k1'), fingerprint: Buffer.from('k2') },
      pool,
      options: { history: true, staged: false, maxFileSize: Infinity },
      now: new Date(),
      warn: () => {},
      count: () => {},
    };
    let seen = 0;
    for await (const _ of gitConnector.collect({ root: repo, display: repo }, ctx)) {
      seen++;
      break;
    }
    expect(seen).toBe(1);
  });
});

describe('staged', () => {
  it('reports only secrets on staged added lines', async () => {
    const repo = newRepo();
    const committed = token();
    const stagedEdit = token();
    const stagedNew = token();
    const unstaged = token();
    commit(repo, 'base', { 'app.env': `A=${committed}\nB=1\n`, 'other.txt': 'plain\n' });
    // Stage an edit that keeps the committed token on an unchanged line and adds one.
    write(repo, 'app.env', `A=${committed}\nB=1\nC=${stagedEdit}\n`);
    write(repo, 'dir/new file.txt', `\n\nnew=${stagedNew}\n`);
    run(repo, ['add', 'app.env', 'dir/new file.txt']);
    // Change files after staging: neither change is in the index.
    write(repo, 'other.txt', `plain\nD=${unstaged}\n`);
    write(repo, 'app.env', `A=${committed}\nB=1\nC=${stagedEdit}\nE=${unstaged}\n`);

    const out = await collect(repo, { staged: true });
    const found = github(out)
      .map((o) => [o.location.path, o.location.line, o.origin, o.location.commit])
      .sort();
    expect(found).toEqual([
      ['app.env', 3, 'staged', undefined],
      ['dir/new file.txt', 3, 'staged', undefined],
    ]);
    expect(out.warnings).toEqual([]);
  });

  it('works before the first commit', async () => {
    const repo = newRepo();
    const secret = token();
    write(repo, 'first.txt', `t=${secret}\n`);
    run(repo, ['add', 'first.txt']);
    const out = await collect(repo, { staged: true });
    expect(github(out).map((o) => [o.location.path, o.location.line, o.origin])).toEqual([['first.txt', 1, 'staged']]);
    expect(out.warnings).toEqual([]);
  });

  it('reads the index a pre-commit hook is given (GIT_INDEX_FILE)', async () => {
    const repo = newRepo();
    commit(repo, 'base', { 'a.txt': 'a\n' });
    const secret = token();
    write(repo, 'a.txt', `a\nt=${secret}\n`);
    // What `git commit -a` does: stage into a temporary index, run the hook with it.
    const index = join(tempDir(), 'next-index');
    execFileSync('git', ['read-tree', 'HEAD'], { cwd: repo, env: { ...process.env, GIT_INDEX_FILE: index } });
    execFileSync('git', ['add', 'a.txt'], { cwd: repo, env: { ...process.env, GIT_INDEX_FILE: index } });
    expect(github(await collect(repo, { staged: true }))).toEqual([]);
    process.env.GIT_INDEX_FILE = index;
    try {
      expect(github(await collect(repo, { staged: true })).map((o) => o.location.line)).toEqual([2]);
    } finally {
      delete process.env.GIT_INDEX_FILE;
    }
  });

  it('follows a staged rename without reporting moved lines', async () => {
    const repo = newRepo();
    const old = token();
    commit(repo, 'base', { 'a.txt': `one\ntwo\nthree\nfour\nt=${old}\n` });
    run(repo, ['mv', 'a.txt', 'b.txt']);
    const out = await collect(repo, { staged: true });
    expect(github(out)).toEqual([]);
    expect(out.counts).toEqual([]);
  });
});

describe('parsers', () => {
  it('reads added lines from hunk headers and counts, whatever the lines contain', () => {
    const patch = Buffer.from(
      [
        'diff --git a/x.txt b/x.txt',
        'index 1..2 100644',
        '--- a/x.txt',
        '+++ b/x.txt',
        '@@ -1 +1,2 @@',
        '-old',
        '+++ b/not-a-header',
        '+second',
        '@@ -10,0 +12 @@',
        '+twelve',
        '\\ No newline at end of file',
        'diff --git "a/q\\"\\303\\251.txt" "b/q\\"\\303\\251.txt"',
        'new file mode 100644',
        '--- /dev/null',
        '+++ "b/q\\"\\303\\251.txt"\t',
        '@@ -0,0 +1,3 @@',
        '+a',
        '+b',
        '+c',
        '',
      ].join('\n'),
      'latin1',
    );
    const added = parseAddedLines(patch);
    expect([...added.keys()]).toEqual(['x.txt', 'q"é.txt']);
    expect([...added.get('x.txt')!]).toEqual([1, 2, 12]);
    expect([...added.get('q"é.txt')!]).toEqual([1, 2, 3]);
  });

  it('unquotes git paths', () => {
    expect(unquoteGitPath('plain/path.txt')).toBe('plain/path.txt');
    expect(unquoteGitPath('"tab\\there\\\\ \\"q\\""')).toBe('tab\there\\ "q"');
    expect(unquoteGitPath('"\\346\\227\\245.txt"')).toBe('日.txt');
  });

  it('parses raw log records split anywhere across chunks', () => {
    const oid = (c: string) => c.repeat(40);
    const stream = Buffer.from(
      '\x01' + oid('a') + '\0Ann\0ann@x\0' + '1700000000\0first\0' +
        '\n:000000 100644 ' + oid('0') + ' ' + oid('1') + ' A\0odd\npath:\0' +
        ':000000 120000 ' + oid('0') + ' ' + oid('2') + ' A\0link\0' +
        ':000000 160000 ' + oid('0') + ' ' + oid('3') + ' A\0sub\0' +
        '\x01' + oid('b') + '\0Bob\0b@x\0' + '1700000100\0empty\0' +
        '\x01' + oid('c') + '\0Cy\0c@x\0' + '1700000200\0third\0' +
        '\n:100644 100644 ' + oid('1') + ' ' + oid('4') + ' M\0\x01weird\0' +
        ':100644 000000 ' + oid('4') + ' ' + oid('0') + ' D\0gone\0' +
        ':100644 100644 ' + oid('5') + ' ' + oid('1') + ' M\0again\0',
      'utf8',
    );
    for (const size of [1, 7, 64, stream.length]) {
      const parser = new RawLogParser();
      const jobs = [];
      for (let i = 0; i < stream.length; i += size) jobs.push(...parser.push(stream.subarray(i, i + size)));
      expect(jobs.map((j) => [j.oid[0], j.path, j.commit!.sha[0], j.commit!.date])).toEqual([
        ['1', 'odd\npath:', 'a', '2023-11-14T22:13:20.000Z'],
        ['4', '\x01weird', 'c', '2023-11-14T22:16:40.000Z'],
      ]);
    }
  });
});

describe('CatFile', () => {
  it('answers blobs, missing ids, over-limit blobs and non-blobs in request order', async () => {
    const repo = newRepo();
    commit(repo, 'files', { 'small.txt': 'small\n', 'empty.txt': '', 'large.txt': 'x'.repeat(1000) });
    const id = (rev: string) => run(repo, ['rev-parse', rev]).trim();
    const cat = new CatFile(repo, 100);
    const asked = [id('HEAD:small.txt'), '0123456789012345678901234567890123456789', id('HEAD:large.txt'), id('HEAD^{tree}'), id('HEAD:empty.txt')];
    for (const oid of asked) cat.request(oid);
    const results = [];
    for (let i = 0; i < asked.length; i++) results.push(await cat.next());
    await cat.close();
    expect(results.map((r) => r.kind)).toEqual(['blob', 'missing', 'skipped', 'skipped', 'blob']);
    const first = results[0]!;
    expect(first.kind === 'blob' && Buffer.from(first.data).toString()).toBe('small\n');
    // Each blob owns its buffer exactly, so it can be transferred to a worker.
    expect(first.kind === 'blob' && first.data.byteLength === first.data.buffer.byteLength).toBe(true);
    expect(results[2]).toMatchObject({ kind: 'skipped', size: 1000, type: 'blob' });
    expect(results[3]).toMatchObject({ kind: 'skipped', type: 'tree' });
    expect(results[4]).toMatchObject({ kind: 'blob', size: 0 });
  });

  it('closes while its output is paused with results left unread', async () => {
    const repo = newRepo();
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}.txt`] = `${i}`.repeat(50_000);
    commit(repo, 'files', files);
    const cat = new CatFile(repo, Infinity, 1000);
    for (let i = 0; i < 20; i++) cat.request(run(repo, ['rev-parse', `HEAD:f${i}.txt`]).trim());
    expect((await cat.next()).kind).toBe('blob');
    await cat.close();
  });
});

describe('parseRawEntry', () => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  const zero = '0'.repeat(40);
  it('tells files to scan and the version a modification starts from', () => {
    expect(parseRawEntry(`100644 100644 ${a} ${b} M`)).toEqual({ scannable: b, base: a });
    expect(parseRawEntry(`000000 100755 ${zero} ${b} A`)).toEqual({ scannable: b });
    expect(parseRawEntry(`100644 000000 ${a} ${zero} D`)).toEqual({ scannable: '' });
    expect(parseRawEntry(`100644 120000 ${a} ${b} T`)).toEqual({ scannable: '' }); // now a symlink
    expect(parseRawEntry(`120000 100644 ${a} ${b} T`)).toEqual({ scannable: b }); // a symlink became a file: no base
    expect(parseRawEntry(`160000 160000 ${a} ${b} M`)).toEqual({ scannable: '' }); // submodule
    expect(parseRawEntry(`100644 100644 ${a} ${zero} M`)).toEqual({ scannable: '', base: a }); // not yet in the index
    expect(parseRawEntry('garbage')).toEqual({ scannable: '' });
  });
});

describe('changedRegion', () => {
  /** The same region found byte by byte. */
  function naive(prev: Buffer, next: Buffer): [number, number] {
    const limit = Math.min(prev.length, next.length);
    let p = 0;
    while (p < limit && prev[p] === next[p]) p++;
    let s = 0;
    while (s < limit - p && prev[prev.length - 1 - s] === next[next.length - 1 - s]) s++;
    return [p, next.length - s];
  }

  it('finds the common prefix and suffix exactly, whatever the edit', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + rand(2000) }, (_, i) => `line ${i} ${'x'.repeat(rand(60))}`);
      const prev = Buffer.from(lines.join('\n') + '\n');
      const edited = [...lines];
      const at = rand(edited.length + 1);
      const kind = rand(3);
      if (kind === 0) edited.splice(at, 0, `inserted ${rand(1000)}`);
      else if (kind === 1) edited.splice(at, 1 + rand(3));
      else edited[Math.min(at, edited.length - 1)] += `changed${rand(9)}`;
      const next = Buffer.from(edited.join('\n') + '\n');
      const [start, end] = naive(prev, next);
      const region = changedRegion(prev, next);
      if (end <= start) {
        expect(region.end - region.start).toBe(0);
        continue;
      }
      // The changed bytes widened by the margins to whole lines, and the first line counted right.
      const from = Math.max(0, start - DELTA_MARGIN_BEFORE);
      const to = next.indexOf(10, Math.min(next.length, end + DELTA_MARGIN_AFTER));
      expect(region.start).toBe(from === 0 ? 0 : next.lastIndexOf(10, from - 1) + 1);
      expect(region.end).toBe(to === -1 ? next.length : to + 1);
      expect(region.firstLine).toBe(next.subarray(0, region.start).toString().split('\n').length);
    }
  });
});

describe('delta scanning of large modified files', () => {
  it('scans YAML whole, so a value added to a large Kubernetes Secret is decoded', async () => {
    const repo = newRepo();
    const filler = Array.from({ length: 200 }, (_, i) => `  setting_${i}: ${Buffer.from(`value number ${i}`).toString('base64')}`).join('\n');
    const manifest = (extra: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n${filler}\n${extra}`;
    commit(repo, 'v1', { 'k8s/secret.yaml': manifest('') });
    expect(manifest('').length).toBeGreaterThan(4 * 1024);
    const [t] = [token()];
    const c2 = commit(repo, 'v2', { 'k8s/secret.yaml': manifest(`  github_token: ${Buffer.from(t!).toString('base64')}\n`) });
    const out = await collect(repo, { history: true });
    expect(github(out).map((o) => [o.location.commit?.sha, o.location.line])).toEqual([[c2, 207]]);
  });

  it('scans an edit deep inside a private key with the key\'s header', async () => {
    const repo = newRepo();
    const rsa = DETECTORS.find((d) => d.id === 'rsa-private-key')!;
    const key = expandTemplate('{{gen}}', seededRandom(99), rsa.generate);
    const filler = Array.from({ length: 300 }, (_, i) => `# settings line ${i}: nothing secret here`).join('\n') + '\n';
    commit(repo, 'v1', { 'deploy/config.txt': `${filler}${key}\n${filler}` });
    // v2 rewrites the key's last lines only: the first changed byte is over a kilobyte after its BEGIN line.
    const lines = key.trimEnd().split('\n');
    const body = lines.slice(1, -1);
    const edited = [lines[0], ...body.slice(0, -3), ...body.slice(-3).map((l) => [...l].reverse().join('')), lines.at(-1)].join('\n');
    expect(key.indexOf(body.at(-3)!)).toBeGreaterThan(DELTA_MARGIN_BEFORE);
    const c2 = commit(repo, 'v2', { 'deploy/config.txt': `${filler}${edited}\n${filler}` });
    const out = await collect(repo, { history: true });
    const keys = out.occurrences.filter((o) => o.detectorId === 'rsa-private-key');
    expect(keys.map((o) => o.location.commit?.sha)).toContain(c2);
    expect(keys.find((o) => o.location.commit?.sha === c2)?.location.line).toBe(301);
  });

  it('scans only what changed, with the right lines and introducing commits', async () => {
    const repo = newRepo();
    const filler = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i}: nothing to see, just prose about releases`).join('\n') + '\n';
    const [a, b, c] = [token(), token(), token()];
    const head = filler(2000, 'head'); // ~100 KB
    const tail = filler(2000, 'tail');
    const c1 = commit(repo, 'v1', { 'CHANGELOG.md': `${head}GITHUB_TOKEN=${a}\n${tail}` });
    // v2 inserts a token at the very top; the token of v1 stays (unchanged region).
    const c2 = commit(repo, 'v2', { 'CHANGELOG.md': `token: ${b}\n${head}GITHUB_TOKEN=${a}\n${tail}` });
    // v3 inserts one deep inside the tail.
    const tailLines = tail.split('\n');
    tailLines.splice(1500, 0, `const t = "${c}";`);
    const c3 = commit(repo, 'v3', { 'CHANGELOG.md': `token: ${b}\n${head}GITHUB_TOKEN=${a}\n${tailLines.join('\n')}` });
    const out = await collect(repo, { history: true });
    const found = github(out).map((o) => [o.location.commit?.sha, o.location.line, o.redacted.slice(-4)]);
    expect(found).toContainEqual([c1, 2001, a!.slice(-4)]);
    expect(found).toContainEqual([c2, 1, b!.slice(-4)]);
    expect(found).toContainEqual([c3, 2 + 2000 + 1 + 1500, c!.slice(-4)]);
    // v2 and v3 were delta-scanned: far fewer bytes than three whole versions.
    const scanned = out.counts.reduce((sum, [bytes]) => sum + bytes, 0);
    const whole = readFileSync(join(repo, 'CHANGELOG.md')).length;
    expect(scanned).toBeLessThan(whole * 1.5);
    // Each token is reported once, in the version that introduced it.
    expect(found.filter(([, , tail4]) => tail4 === a!.slice(-4))).toHaveLength(1);
  });
});
