import type { Connector, ConnectorContext, InventoryItem, ScanTarget } from '../../src/core/connector.js';
import type { CommitInfo, SecretOccurrence } from '../../src/core/model.js';
import { Fifo } from '../../src/core/fifo.js';
import type { ContentScanResult } from '../../src/scan/content.js';
import { looksBinary } from '../../src/scan/content.js';
import { mayHoldContainers } from '../../src/scan/containers.js';
import { CatFile, gitBytes, isGitRepository, spawnGit, unquoteGitPath } from './repo.js';

/**
 * History blobs are read whole into memory to be scanned (content.ts streams only
 * files on disk), so blobs over this size are skipped with a 'too-large' warning,
 * whatever --max-file-size says. Their content streams past without being kept.
 */
export const HISTORY_BLOB_LIMIT = 64 * 1024 * 1024;
/** Blob ids asked of `git cat-file --batch` ahead of the one being scanned. */
const READ_AHEAD = 1024;
/** Scans submitted and not yet reported, as in the filesystem connector. */
const SCANS_IN_FLIGHT = 256;
/** Blob bytes submitted and not yet scanned: bounds memory when history holds many large blobs. */
const SCAN_BYTES_IN_FLIGHT = 256 * 1024 * 1024;
/** Missing blobs (partial clones) reported one by one up to this many, then counted. */
const MISSING_WARNINGS = 50;

/** One blob to scan: its id, where it first appeared, and which occurrences to keep. */
interface BlobJob {
  oid: string;
  /** For a modification: the blob id of the previous version at this path. */
  base?: string;
  path: string;
  commit?: CommitInfo;
  keep?: (o: SecretOccurrence) => boolean;
}

/**
 * `%x01` starts a commit; fields are NUL-separated (with -z git ends the format with a
 * NUL too). The author date is taken as a Unix time so it converts to UTC exactly.
 */
const LOG_FORMAT = '--format=%x01%H%x00%an%x00%ae%x00%at%x00%s';

/**
 * Parses `git log --raw -z --no-renames --format=LOG_FORMAT` as it streams:
 *   \x01<sha>\0<author>\0<email>\0<unix time>\0<subject>\0
 *   [\n]:<old mode> <new mode> <old oid> <new oid> <status>\0<path>\0 ...
 * and returns, for each blob id not seen before, the path and commit that introduced it.
 */
export class RawLogParser {
  private carry?: Buffer;
  private commit?: CommitInfo;
  /** Header fields read after the sha (author, email, time, subject), or -1 between records. */
  private field = -1;
  private header: string[] = [];
  /** The new blob id of a raw entry whose path comes next ('' when it is not scanned). */
  private pendingOid?: string;
  /** The old blob id of that entry, when it is a modification. */
  private pendingBase?: string;
  readonly seen = new Set<string>();

  push(chunk: Buffer): BlobJob[] {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const jobs: BlobJob[] = [];
    let start = 0;
    for (let nul = buf.indexOf(0, start); nul !== -1; nul = buf.indexOf(0, start)) {
      this.token(buf, start, nul, jobs);
      start = nul + 1;
    }
    if (start < buf.length) this.carry = Buffer.from(buf.subarray(start));
    return jobs;
  }

  /** One NUL-terminated token: `buf[start, end)`. */
  private token(buf: Buffer, start: number, end: number, jobs: BlobJob[]): void {
    if (this.pendingOid !== undefined) {
      const oid = this.pendingOid;
      const base = this.pendingBase;
      this.pendingOid = this.pendingBase = undefined;
      if (oid !== '' && this.commit && !this.seen.has(oid)) {
        this.seen.add(oid);
        jobs.push({ oid, path: buf.toString('utf8', start, end), commit: this.commit, ...(base ? { base } : {}) });
      }
      return;
    }
    if (this.field >= 0) {
      this.header.push(buf.toString('utf8', start, end));
      if (++this.field === 4) this.finishHeader();
      return;
    }
    let at = start;
    while (at < end && buf[at] === 10) at++;
    if (buf[at] === 1) {
      this.header = [buf.toString('latin1', at + 1, end)];
      this.field = 0;
    } else if (buf[at] === 58 /* : */) {
      const entry = parseRawEntry(buf.toString('latin1', at + 1, end));
      this.pendingOid = entry.scannable;
      this.pendingBase = entry.base;
    }
    // Anything else (an empty token at the end) carries nothing.
  }

  private finishHeader(): void {
    const [sha, author, email, time, summary] = this.header as [string, string, string, string, string];
    const seconds = Number(time);
    this.commit = {
      sha,
      author,
      email,
      ...(Number.isFinite(seconds) && time !== '' ? { date: new Date(seconds * 1000).toISOString() } : {}),
      summary,
    };
    this.field = -1;
    this.header = [];
  }
}

/**
 * A raw diff entry, `<old mode> <new mode> <old oid> <new oid> <status>`: the new blob id when
 * it is a file to scan (else ''), and the old blob id when the entry modifies a file.
 */
export function parseRawEntry(meta: string): { scannable: string; base?: string } {
  const s1 = meta.indexOf(' ');
  const s2 = meta.indexOf(' ', s1 + 1);
  const s3 = meta.indexOf(' ', s2 + 1);
  const s4 = meta.indexOf(' ', s3 + 1);
  if (s4 === -1) return { scannable: '' };
  const status = meta.charCodeAt(s4 + 1);
  const newOid = meta.slice(s3 + 1, s4);
  // Regular files only (mode 100644/100755): not symlinks (120000), submodules (160000) or trees.
  const regular = (from: number) => meta.startsWith('100', from);
  const scannable = status !== 68 /* D */ && regular(s1 + 1) && !isNullOid(newOid) ? newOid : '';
  if (status !== 77 /* M */ || !regular(0)) return { scannable };
  const oldOid = meta.slice(s2 + 1, s3);
  return isNullOid(oldOid) ? { scannable } : { scannable, base: oldOid };
}

function isNullOid(oid: string): boolean {
  for (let i = 0; i < oid.length; i++) if (oid.charCodeAt(i) !== 48) return false;
  return true;
}

function gitWarning(ctx: ConnectorContext, message: string, path?: string): void {
  ctx.warn({ kind: 'git-error', source: 'git', ...(path !== undefined ? { path } : {}), message });
}

/** Blobs introduced by each commit, oldest first, as `git log` streams them. */
async function* historyJobs(target: ScanTarget, ctx: ConnectorContext): AsyncGenerator<BlobJob[]> {
  const since = ctx.options.since;
  if (since !== undefined && since !== '' && since.startsWith('-')) {
    gitWarning(ctx, `not a revision: ${JSON.stringify(since)}`);
    return;
  }
  const revisions = since ? [`${since}..HEAD`] : ['--all'];
  const proc = spawnGit(
    target.root,
    [
      '-c',
      'log.showRoot=true',
      'log',
      ...revisions,
      '--reverse',
      '--date-order',
      '--raw',
      '--no-renames',
      '--no-abbrev',
      '-z',
      '--diff-merges=first-parent',
      '--no-color',
      '--no-ext-diff',
      '--no-show-signature',
      '--encoding=UTF-8',
      LOG_FORMAT,
      '--',
    ],
    { here: true },
  );
  proc.child.stdin.end();
  const parser = new RawLogParser();
  let finished = false;
  try {
    try {
      for await (const chunk of proc.child.stdout) {
        const jobs = parser.push(chunk as Buffer);
        if (jobs.length > 0) yield jobs;
      }
    } catch {
      // The stream broke: the exit status says why.
    }
    const exit = await proc.exit;
    finished = true;
    if (!exit.ok) gitWarning(ctx, exit.error ?? 'git log failed');
  } finally {
    if (!finished) proc.kill();
  }
}

/** Lines (1-based, in the staged version) added by the staged change of each path. */
export function parseAddedLines(patch: Buffer): Map<string, Set<number>> {
  const text = patch.toString('latin1');
  const added = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (oldLeft > 0 || newLeft > 0) {
      // Inside a hunk: only the counts in its header say where it ends.
      const c = line[0];
      if (c === '+') {
        current?.add(newLine++);
        newLeft--;
      } else if (c === '-') oldLeft--;
      else if (c === ' ') {
        newLine++;
        oldLeft--;
        newLeft--;
      }
      // `\ No newline at end of file` counts for neither side.
      continue;
    }
    if (line.startsWith('diff --git ')) current = undefined;
    else if (line.startsWith('+++ ')) {
      let name = line.slice(4);
      if (name.endsWith('\t')) name = name.slice(0, -1);
      const path = unquoteGitPath(name);
      if (path.startsWith('b/')) {
        current = new Set();
        added.set(path.slice(2), current);
      }
    } else if (line.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) continue;
      oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      newLine = Number(m[2]);
      newLeft = m[3] === undefined ? 1 : Number(m[3]);
    }
  }
  return added;
}

/** Staged files (path and index blob id) from `git diff --cached --raw -z`. */
export function parseRawDiff(raw: Buffer): Array<{ path: string; oid: string }> {
  const out: Array<{ path: string; oid: string }> = [];
  const tokens: Buffer[] = [];
  let start = 0;
  for (let nul = raw.indexOf(0, start); nul !== -1; nul = raw.indexOf(0, start)) {
    tokens.push(raw.subarray(start, nul));
    start = nul + 1;
  }
  for (let i = 0; i < tokens.length; i++) {
    const meta = tokens[i]!.toString('latin1').replace(/^\n+/, '');
    if (!meta.startsWith(':')) continue;
    const status = meta.split(' ')[4] ?? '';
    // Renames and copies name the source, then the destination.
    if (status.startsWith('R') || status.startsWith('C')) i++;
    const path = tokens[++i]?.toString('utf8');
    const oid = parseRawEntry(meta.slice(1)).scannable;
    if (path !== undefined && oid !== '') out.push({ path, oid });
  }
  return out;
}

/** Staged blobs with added lines, each keeping only occurrences on those lines. */
async function* stagedJobs(target: ScanTarget, ctx: ConnectorContext): AsyncGenerator<BlobJob[]> {
  const common = ['--cached', '--diff-filter=ACMR', '-M', '--no-color', '--no-ext-diff', '--submodule=short'];
  let raw: Buffer;
  let patch: Buffer;
  try {
    raw = await gitBytes(target.root, ['diff', ...common, '--raw', '-z', '--no-abbrev'], undefined, { here: true });
    patch = await gitBytes(
      target.root,
      ['-c', 'diff.noprefix=false', '-c', 'diff.mnemonicPrefix=false', 'diff', ...common, '-U0', '--inter-hunk-context=0', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/'],
      undefined,
      { here: true },
    );
  } catch (error) {
    gitWarning(ctx, (error as Error).message);
    return;
  }
  const added = parseAddedLines(patch);
  const jobs: BlobJob[] = [];
  for (const { path, oid } of parseRawDiff(raw)) {
    const lines = added.get(path);
    if (!lines || lines.size === 0) continue;
    jobs.push({
      oid,
      path,
      keep: (o) => {
        for (let l = o.location.line; l <= (o.location.endLine ?? o.location.line); l++) if (lines.has(l)) return true;
        return false;
      },
    });
  }
  if (jobs.length > 0) yield jobs;
}

/**
 * Reads each job's blob through one `git cat-file --batch`, scans it on the pool,
 * and yields occurrences in job order.
 */
async function* scanBlobs(jobs: AsyncIterable<BlobJob[]>, target: ScanTarget, ctx: ConnectorContext, origin: SecretOccurrence['origin']): AsyncGenerator<InventoryItem> {
  const maxFileSize = ctx.options.maxFileSize;
  const cat = new CatFile(target.root, Math.min(maxFileSize, HISTORY_BLOB_LIMIT));
  const reads = new Fifo<BlobJob>();
  const scans = new Fifo<{ job: BlobJob; size: number; result: Promise<ContentScanResult> }>();
  let bytesInFlight = 0;
  let missing = 0;
  let gaveUp = false;
  const deltas = new DeltaCache();

  const at = (job: BlobJob) => (job.commit ? ` (commit ${job.commit.sha.slice(0, 12)})` : '');

  const drain = async function* (): AsyncGenerator<InventoryItem> {
    const { job, size, result } = scans.shift()!;
    bytesInFlight -= size;
    let res: ContentScanResult;
    try {
      res = await result;
    } catch (error) {
      ctx.warn({ kind: 'unreadable', source: 'git', path: job.path, message: `scan failed${at(job)}: ${(error as Error).message}` });
      return;
    }
    ctx.count(res.bytes, 1);
    for (const w of res.warnings) ctx.warn({ ...w, source: 'git', message: `${w.message}${at(job)}` });
    for (const o of res.occurrences) {
      if (job.keep && !job.keep(o)) continue;
      yield { kind: 'occurrence', value: o };
    }
  };

  const step = async function* (): AsyncGenerator<InventoryItem> {
    const job = reads.shift()!;
    const r = await cat.next();
    if (r.kind === 'blob') {
      while (scans.length > 0 && bytesInFlight + r.size > SCAN_BYTES_IN_FLIGHT) yield* drain();
      const { data, firstLine, kept } = origin === 'history' ? deltas.prepare(job, Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)) : { data: r.data, firstLine: undefined, kept: false };
      if (data.length === 0) {
        ctx.count(0, 1); // a modification that only deleted lines
        return;
      }
      const task = {
        type: 'buffer' as const,
        data,
        path: job.path,
        root: target.root,
        origin,
        ...(job.commit ? { commit: job.commit } : {}),
        ...(firstLine !== undefined ? { firstLine } : {}),
        // A blob the delta cache does not keep is the pool's to hand over without a copy.
        owned: !kept,
      };
      scans.push({ job, size: r.size, result: (await ctx.pool.submit(task)).result });
      bytesInFlight += r.size;
      while (scans.length > SCANS_IN_FLIGHT) yield* drain();
    } else if (r.kind === 'skipped') {
      if (r.type !== 'blob') {
        gitWarning(ctx, `object ${r.oid} is a ${r.type}, not a blob${at(job)}`, job.path);
        return;
      }
      ctx.count(0, 1);
      const message =
        r.size > maxFileSize
          ? `${r.size} bytes is over the --max-file-size limit; skipped${at(job)}`
          : `${r.size} bytes: ${origin === 'staged' ? 'staged blobs' : 'blobs in git history'} over ${HISTORY_BLOB_LIMIT / 1024 / 1024} MiB are not scanned${at(job)}`;
      ctx.warn({ kind: 'too-large', source: 'git', path: job.path, message });
    } else if (r.kind === 'missing') {
      if (++missing <= MISSING_WARNINGS) gitWarning(ctx, `blob ${job.oid} is missing or unreadable${at(job)}`, job.path);
    } else if (!cat.failed) {
      // git died on this object (corrupt): the others are read by a new cat-file.
      gitWarning(ctx, `cannot read blob ${job.oid}${at(job)}: ${r.message}`, job.path);
    } else if (!gaveUp) {
      gaveUp = true;
      gitWarning(ctx, `stopped reading blobs: ${r.message}`);
    }
  };

  try {
    outer: for await (const batch of jobs) {
      for (const job of batch) {
        if (cat.failed) break outer;
        cat.request(job.oid);
        reads.push(job);
        if (reads.length >= READ_AHEAD) yield* step();
      }
    }
    while (reads.length > 0) yield* step();
    while (scans.length > 0) yield* drain();
    if (missing > MISSING_WARNINGS) gitWarning(ctx, `${missing - MISSING_WARNINGS} more blobs are missing or unreadable (a partial or damaged clone)`);
  } finally {
    await cat.close();
  }
}

/** Blobs at least this large are scanned as deltas against the previous version at their path. */
export const DELTA_MIN_BYTES = 4 * 1024;
/** Previous versions kept for delta scans, in bytes (least recently stored dropped first). */
const DELTA_CACHE_BYTES = 128 * 1024 * 1024;
/**
 * A delta region starts this far before the first changed byte (then at a line start), and
 * ends this far after the last, so keyword context and the short multi-line constructs
 * (INI sections, kubeconfig users, .netrc machines) around an edit are seen whole.
 */
export const DELTA_MARGIN_BEFORE = 1024;
export const DELTA_MARGIN_AFTER = 1024;
/**
 * Private key blocks are longer: when one begins this close before the region, the region
 * starts at its first line, so an edit inside a key is scanned with the key's header.
 */
const DELTA_KEY_BLOCK_REACH = 16 * 1024;
const KEY_BLOCK_STARTS = ['-----BEGIN', 'PuTTY-User-Key-File-'].map((s) => Buffer.from(s, 'latin1'));

/**
 * Delta scanning of often-edited files (changelogs, generated code, any source file): when
 * a blob modifies a version this scan already read, only the changed part (plus margins,
 * at line boundaries) is scanned. Every unchanged byte was scanned as part of an earlier
 * version, and the rule reports a secret at the earliest commit anyway, so nothing is lost.
 * Versions are kept by blob id, not by path: branches interleave in `git log --all`, so the
 * version a commit modifies is often not the one last seen at that path.
 */
export class DeltaCache {
  private readonly byOid = new Map<string, Buffer>();
  private bytes = 0;

  /** What to scan of `data` (the blob `job.oid`): all of it, or the changed region and its first line number; `kept` when the cache holds on to `data`. */
  prepare(job: BlobJob, data: Buffer): { data: Uint8Array; firstLine?: number; kept: boolean } {
    // YAML may be a Kubernetes Secret, whose base64 `data` is decoded from the whole document only.
    if (data.length < DELTA_MIN_BYTES || mayHoldContainers(job.path) || looksBinary(data)) return { data, kept: false };
    const previous = job.base ? this.byOid.get(job.base) : undefined;
    if (previous) {
      // Recently used: kept longest.
      this.byOid.delete(job.base!);
      this.byOid.set(job.base!, previous);
    }
    // `data` stays in the cache and is handed to the pool too, which copies what it sends to a worker.
    this.remember(job.oid, data);
    if (!previous) return { data, kept: true };
    const region = changedRegion(previous, data);
    return { data: data.subarray(region.start, region.end), firstLine: region.firstLine, kept: true };
  }

  private remember(oid: string, data: Buffer): void {
    if (this.byOid.has(oid)) return;
    this.byOid.set(oid, data);
    this.bytes += data.length;
    for (const [o, v] of this.byOid) {
      if (this.bytes <= DELTA_CACHE_BYTES) break;
      this.byOid.delete(o);
      this.bytes -= v.length;
    }
  }
}

/** Length of the longest common prefix of `a` and `b` (or, with `fromEnd`, suffix), within `limit` bytes: native comparisons of halving spans. */
function commonRun(a: Buffer, b: Buffer, limit: number, fromEnd: boolean): number {
  let lo = 0; // the first (last) lo bytes are equal
  let hi = limit; // at most hi are
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    const same = fromEnd ? a.compare(b, b.length - mid, b.length - lo, a.length - mid, a.length - lo) === 0 : a.compare(b, lo, mid, lo, mid) === 0;
    if (same) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The part of `next` that differs from `prev`, widened by margins to whole lines. */
export function changedRegion(prev: Buffer, next: Buffer): { start: number; end: number; firstLine: number } {
  const limit = Math.min(prev.length, next.length);
  const prefix = commonRun(prev, next, limit, false);
  const suffix = commonRun(prev, next, limit - prefix, true);
  let start = prefix;
  let end = next.length - suffix;
  if (end <= start) return { start: 0, end: 0, firstLine: 1 }; // only deletions
  start = Math.max(0, start - DELTA_MARGIN_BEFORE);
  if (start > 0) {
    const reach = Math.max(0, start - DELTA_KEY_BLOCK_REACH);
    const before = next.subarray(reach, start);
    for (const marker of KEY_BLOCK_STARTS) {
      // The last one before the region (forward searches: faster than lastIndexOf).
      let last = -1;
      for (let at = before.indexOf(marker); at !== -1; at = before.indexOf(marker, at + 1)) last = at;
      if (last !== -1) start = Math.min(start, reach + last);
    }
  }
  start = start === 0 ? 0 : next.lastIndexOf(10, start - 1) + 1;
  end = Math.min(next.length, end + DELTA_MARGIN_AFTER);
  const nl = next.indexOf(10, end);
  end = nl === -1 ? next.length : nl + 1;
  let firstLine = 1;
  for (let at = next.indexOf(10); at !== -1 && at < start; at = next.indexOf(10, at + 1)) firstLine++;
  return { start, end, firstLine };
}

export const gitConnector: Connector = {
  id: 'git',
  description: 'Git history (every commit of every ref, each blob once), a --since range, or the staged index',
  async applies(target, options) {
    if (!(options.history || options.since || options.staged)) return false;
    return isGitRepository(target.root);
  },
  async *collect(target: ScanTarget, ctx: ConnectorContext): AsyncIterable<InventoryItem> {
    try {
      // The target itself must be the repository, not a folder inside one.
      await gitBytes(target.root, ['rev-parse', '--git-dir'], undefined, { here: true });
    } catch (error) {
      gitWarning(ctx, (error as Error).message);
      return;
    }
    if (ctx.options.staged) yield* scanBlobs(stagedJobs(target, ctx), target, ctx, 'staged');
    if (ctx.options.history || ctx.options.since) yield* scanBlobs(historyJobs(target, ctx), target, ctx, 'history');
  },
};
