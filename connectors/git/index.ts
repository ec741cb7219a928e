import type { Connector, ConnectorContext, InventoryItem, ScanTarget } from '../../src/core/connector.js';
import type { CommitInfo, SecretOccurrence } from '../../src/core/model.js';
import { redact } from '../../src/core/redact.js';
import { SecretScanner } from '../../src/detectors/engine.js';
import { DETECTORS } from '../../src/detectors/index.js';
import type { ContentScanResult } from '../../src/scan/content.js';
import { looksBinary } from '../../src/scan/content.js';
import { CatFile, gitBytes, isGitRepository, spawnGit, unquoteGitPath } from './repo.js';

/**
 * History blobs are read whole into memory to be scanned (content.ts streams only
 * files on disk), so blobs over this size are skipped with a 'too-large' warning,
 * whatever --max-file-size says. Their content streams past without being kept.
 */
export const HISTORY_BLOB_LIMIT = 64 * 1024 * 1024;
/** Blob ids asked of `git cat-file --batch` ahead of the one being scanned. */
const READ_AHEAD = 64;
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
      this.token(buf.subarray(start, nul), jobs);
      start = nul + 1;
    }
    if (start < buf.length) this.carry = Buffer.from(buf.subarray(start));
    return jobs;
  }

  private token(tok: Buffer, jobs: BlobJob[]): void {
    if (this.pendingOid !== undefined) {
      const oid = this.pendingOid;
      const base = this.pendingBase;
      this.pendingOid = this.pendingBase = undefined;
      if (oid !== '' && this.commit && !this.seen.has(oid)) {
        this.seen.add(oid);
        jobs.push({ oid, path: tok.toString('utf8'), commit: this.commit, ...(base ? { base } : {}) });
      }
      return;
    }
    if (this.field >= 0) {
      this.header.push(tok.toString('utf8'));
      if (++this.field === 4) this.finishHeader();
      return;
    }
    let at = 0;
    while (at < tok.length && tok[at] === 10) at++;
    if (tok[at] === 1) {
      this.header = [tok.toString('latin1', at + 1)];
      this.field = 0;
    } else if (tok[at] === 58 /* : */) {
      const meta = tok.toString('latin1', at + 1);
      this.pendingOid = scannableOid(meta);
      this.pendingBase = modifiedFrom(meta);
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

/** The new blob id of a raw diff entry when it is a file to scan, else ''. */
function scannableOid(meta: string): string {
  // `<old mode> <new mode> <old oid> <new oid> <status>`
  const [, newMode = '', , newOid = '', status = ''] = meta.split(' ');
  if (status.startsWith('D') || /^0+$/.test(newOid)) return '';
  // Regular files only: not symlinks (120000), submodules (160000) or trees.
  if (!newMode.startsWith('100')) return '';
  return newOid;
}

/** The old blob id of a modification entry (`M`), else undefined. */
function modifiedFrom(meta: string): string | undefined {
  const [oldMode = '', , oldOid = '', , status = ''] = meta.split(' ');
  return status.startsWith('M') && oldMode.startsWith('100') && !/^0+$/.test(oldOid) ? oldOid : undefined;
}

let summaryScanner: SecretScanner | undefined;

/**
 * A commit subject with any credential in it redacted: occurrences hold no raw
 * secret, and a token pasted into a commit message would otherwise ride along in
 * `commit.summary`. Built lazily: only subjects of commits with findings are checked.
 */
export function safeSummary(summary: string): string {
  summaryScanner ??= new SecretScanner(DETECTORS);
  const matches = summaryScanner.scan(summary, '');
  if (matches.length === 0) return summary;
  let out = '';
  let at = 0;
  for (const m of matches) {
    if (m.start < at) continue;
    out += summary.slice(at, m.start) + redact(m.secret, m.detector.prefixLength);
    at = m.end;
  }
  return out + summary.slice(at);
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
    const oid = scannableOid(meta.slice(1));
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
  const reads: BlobJob[] = [];
  const scans: Array<{ job: BlobJob; size: number; result: Promise<ContentScanResult> }> = [];
  let bytesInFlight = 0;
  let missing = 0;
  let gaveUp = false;
  /** Redacted subjects by commit id. */
  const summaries = new Map<string, string>();
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
      const commit = o.location.commit;
      if (commit?.summary) {
        let summary = summaries.get(commit.sha);
        if (summary === undefined) summaries.set(commit.sha, (summary = safeSummary(commit.summary)));
        o.location.commit = { ...commit, summary };
      }
      yield { kind: 'occurrence', value: o };
    }
  };

  const step = async function* (): AsyncGenerator<InventoryItem> {
    const job = reads.shift()!;
    const r = await cat.next();
    if (r.kind === 'blob') {
      while (scans.length > 0 && bytesInFlight + r.size > SCAN_BYTES_IN_FLIGHT) yield* drain();
      const { data, firstLine } = origin === 'history' ? deltas.prepare(job, Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)) : { data: r.data, firstLine: undefined };
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
export const DELTA_MIN_BYTES = 128 * 1024;
/** Previous versions kept for delta scans, in bytes (least recently stored dropped first). */
const DELTA_CACHE_BYTES = 128 * 1024 * 1024;
/** A delta region starts this far before the first changed byte (then at a line start), so keyword context and multi-line keys around an edit are seen whole. */
const DELTA_MARGIN_BEFORE = 8 * 1024;
const DELTA_MARGIN_AFTER = 1024;

/**
 * Delta scanning of large, often-edited files (changelogs, generated code): when a blob
 * modifies a version this scan already read, only the changed part (plus margins, at line
 * boundaries) is scanned. Every unchanged byte was scanned as part of an earlier version,
 * and the rule reports a secret at the earliest commit anyway, so nothing is lost.
 */
export class DeltaCache {
  private readonly byPath = new Map<string, { oid: string; data: Buffer }>();
  private bytes = 0;

  /** What to scan of `data` (the blob `job.oid`): all of it, or the changed region and its first line number. */
  prepare(job: BlobJob, data: Buffer): { data: Uint8Array; firstLine?: number } {
    if (data.length < DELTA_MIN_BYTES || looksBinary(data)) return { data };
    const previous = job.base ? this.byPath.get(job.path) : undefined;
    this.remember(job.path, job.oid, data);
    // `data` stays in the cache: what is handed to the pool must be a copy or a view (the pool copies views).
    if (!previous || previous.oid !== job.base) return { data: new Uint8Array(data) };
    const region = changedRegion(previous.data, data);
    return { data: data.subarray(region.start, region.end), firstLine: region.firstLine };
  }

  private remember(path: string, oid: string, data: Buffer): void {
    const old = this.byPath.get(path);
    if (old) {
      this.bytes -= old.data.length;
      this.byPath.delete(path);
    }
    this.byPath.set(path, { oid, data });
    this.bytes += data.length;
    for (const [p, v] of this.byPath) {
      if (this.bytes <= DELTA_CACHE_BYTES) break;
      this.byPath.delete(p);
      this.bytes -= v.data.length;
    }
  }
}

/** The part of `next` that differs from `prev`, widened by margins to whole lines. */
export function changedRegion(prev: Buffer, next: Buffer): { start: number; end: number; firstLine: number } {
  const limit = Math.min(prev.length, next.length);
  let prefix = 0;
  const CHUNK = 64 * 1024;
  while (prefix < limit) {
    const n = Math.min(CHUNK, limit - prefix);
    if (prev.compare(next, prefix, prefix + n, prefix, prefix + n) === 0) prefix += n;
    else {
      while (prev[prefix] === next[prefix]) prefix++;
      break;
    }
  }
  let suffix = 0;
  const suffixLimit = limit - prefix;
  while (suffix < suffixLimit) {
    const n = Math.min(CHUNK, suffixLimit - suffix);
    const pe = prev.length - suffix;
    const ne = next.length - suffix;
    if (prev.compare(next, ne - n, ne, pe - n, pe) === 0) suffix += n;
    else {
      while (suffix < suffixLimit && prev[prev.length - 1 - suffix] === next[next.length - 1 - suffix]) suffix++;
      break;
    }
  }
  let start = prefix;
  let end = next.length - suffix;
  if (end <= start) return { start: 0, end: 0, firstLine: 1 }; // only deletions
  start = Math.max(0, start - DELTA_MARGIN_BEFORE);
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
