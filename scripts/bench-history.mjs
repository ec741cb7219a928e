/**
 * Builds the history benchmark repository for `npm run bench`: a synthetic development history
 * over real source files (taken from the benchmark's source tree, itself installed from npm),
 * written with `git fast-import` in seconds, with no network beyond the npm registry.
 *
 * Its shape follows real projects: thousands of commits that each edit a few lines of a few
 * files, files added and deleted as the project grows, topic branches merged back (so versions
 * of a file interleave across refs), and a handful of fake credentials added, moved and removed
 * (planted, to check that the scan finds them). Deterministic: the same tree gives the same repository.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A small seeded generator (mulberry32): the same repository on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Text files of 1–48 KB under `dir`, sorted: the material commits are made of. */
function sourceFiles(dir) {
  const out = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && /\.(js|ts|json|md|yml|yaml)$/.test(e.name)) {
        const size = statSync(p).size;
        if (size >= 1024 && size <= 48 * 1024) out.push(p);
      }
    }
  }
  return out.sort();
}

/** A GitHub-style classic token with a valid CRC32 checksum, built from a seeded generator (fake, never issued). */
function fakeToken(rand) {
  const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let body = '';
  for (let i = 0; i < 30; i++) body += BASE62[rand(62)];
  let crc = 0xffffffff;
  for (const c of Buffer.from(body)) {
    crc ^= c;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  crc = (crc ^ 0xffffffff) >>> 0;
  let check = '';
  for (let n = crc; check.length < 6; n = Math.floor(n / 62)) check = BASE62[n % 62] + check;
  return `ghp_${body}${check}`;
}

/**
 * Writes the repository at `repo` (replacing it). Returns what was planted: tokens by commit.
 * `commits` counts commits on all branches, merges included.
 */
export async function buildHistoryRepo(repo, treeDir, { commits = 12000, seed = 20261122 } = {}) {
  const rand = rng(seed);
  const pool = sourceFiles(treeDir);
  if (pool.length < 500) throw new Error(`too few source files under ${treeDir}`);
  // Up to 4,000 source files, spread over the whole tree.
  const step = Math.max(1, Math.floor(pool.length / 4000));
  const material = pool.filter((_, i) => i % step === 0).map((p) => ({ path: relative(treeDir, p), lines: readFileSync(p, 'latin1').split('\n') }));
  let nextMaterial = 0;
  const takeFile = () => material[nextMaterial++ % material.length];

  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q', repo]);
  const child = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: repo, stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`)))));
  let buffered = [];
  let bufferedBytes = 0;
  const write = async (text) => {
    buffered.push(text);
    bufferedBytes += text.length;
    if (bufferedBytes > 4 << 20) await flush();
  };
  const flush = async () => {
    const chunk = buffered.join('');
    buffered = [];
    bufferedBytes = 0;
    if (!child.stdin.write(chunk, 'latin1')) await new Promise((resolve) => child.stdin.once('drain', resolve));
  };

  let mark = 0;
  let time = Date.UTC(2019, 0, 1) / 1000;
  const planted = [];
  /** Branch state: files (path -> lines) and tip mark. Arrays are replaced, never edited, so states can share them. */
  const main = { name: 'main', files: new Map(), tip: 0 };

  const commit = async (branch, message, changes, mergeFrom) => {
    const m = ++mark;
    time += 600 + rand(7200);
    let text = `commit refs/heads/${branch.name}\nmark :${m}\nauthor Dev ${rand(40)} <dev@example.test> ${time} +0000\ncommitter Dev <dev@example.test> ${time} +0000\n`;
    const msg = Buffer.from(message, 'latin1');
    text += `data ${msg.length}\n${message}\n`;
    if (branch.tip) text += `from :${branch.tip}\n`;
    if (mergeFrom) text += `merge :${mergeFrom}\n`;
    for (const [path, lines] of changes) {
      if (lines === null) text += `D ${path}\n`;
      else {
        const body = lines.join('\n');
        text += `M 100644 inline ${path}\ndata ${Buffer.byteLength(body, 'latin1')}\n${body}\n`;
      }
    }
    await write(text + '\n');
    branch.tip = m;
    return m;
  };

  /** A few lines inserted, deleted or rewritten in one file of `branch`. */
  const edit = (branch) => {
    const paths = [...branch.files.keys()];
    const path = paths[rand(paths.length)];
    const lines = [...branch.files.get(path)];
    const at = rand(lines.length + 1);
    const kind = rand(3);
    const donor = material[rand(material.length)].lines;
    const from = rand(Math.max(1, donor.length - 6));
    if (kind === 0) lines.splice(at, 0, ...donor.slice(from, from + 1 + rand(5)));
    else if (kind === 1 && lines.length > 10) lines.splice(at, 1 + rand(4));
    else lines.splice(at, 1, ...donor.slice(from, from + 1 + rand(3)));
    branch.files.set(path, lines);
    return [path, lines];
  };

  const work = async (branch, message) => {
    const changes = new Map();
    const n = 1 + rand(4);
    for (let i = 0; i < n; i++) {
      const [path, lines] = edit(branch);
      changes.set(path, lines);
    }
    const r = rand(100);
    if (r < 6) {
      const f = takeFile();
      branch.files.set(f.path, f.lines);
      changes.set(f.path, f.lines);
    } else if (r < 8 && branch.files.size > 200) {
      const paths = [...branch.files.keys()];
      const gone = paths[rand(paths.length)];
      branch.files.delete(gone);
      changes.set(gone, null);
    }
    // Now and then a credential is pasted into a file; it stays for a few commits and is removed.
    if (rand(1000) < 2 && planted.length < 12) {
      const token = fakeToken(rand);
      const path = `config/local-${planted.length}.env`;
      const lines = ['# local settings', `GITHUB_TOKEN=${token}`, 'LOG_LEVEL=debug'];
      branch.files.set(path, lines);
      changes.set(path, lines);
      planted.push({ token, path });
    }
    return commit(branch, message, changes);
  };

  // The first commit: 300 files.
  const initial = new Map();
  for (let i = 0; i < 300; i++) {
    const f = takeFile();
    main.files.set(f.path, f.lines);
    initial.set(f.path, f.lines);
  }
  await commit(main, 'initial import', initial);
  let made = 1;
  while (made < commits) {
    if (rand(100) < 3) {
      // A topic branch: a few commits, then merged back into main (which moved on meanwhile).
      const topic = { name: `topic-${made}`, files: new Map(main.files), tip: main.tip };
      const length = 3 + rand(25);
      const changed = new Map();
      for (let i = 0; i < length && made < commits; i++, made++) {
        await work(topic, `topic work ${made}`);
        for (const [p, lines] of topic.files) if (main.files.get(p) !== lines) changed.set(p, lines);
      }
      for (let i = 0; i < 1 + rand(6) && made < commits; i++, made++) await work(main, `mainline ${made}`);
      // The merge takes the topic's version of what the topic changed.
      const merged = new Map();
      for (const [p, lines] of changed) {
        if (topic.files.has(p)) {
          main.files.set(p, lines);
          merged.set(p, lines);
        }
      }
      await commit(main, `Merge ${topic.name}`, merged, topic.tip);
      made++;
      await write(`reset refs/heads/${topic.name}\nfrom :${topic.tip}\n\n`);
    } else {
      await work(main, `change ${made}`);
      made++;
    }
    // Planted credentials are removed again some commits later (they stay in history).
    if (planted.length > 0 && rand(100) < 5) {
      const p = planted[rand(planted.length)];
      if (main.files.has(p.path)) {
        main.files.delete(p.path);
        await commit(main, `remove ${p.path}`, new Map([[p.path, null]]));
        made++;
      }
    }
  }
  await write('done\n');
  await flush();
  child.stdin.end();
  await exited;
  execFileSync('git', ['gc', '-q'], { cwd: repo });
  return { planted };
}
