import type { Dirent } from 'node:fs';
import { opendir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { Connector, ConnectorContext, InventoryItem, ScanOptions, ScanTarget } from '../../src/core/connector.js';
import type { ContentScanResult } from '../../src/scan/content.js';
import { isBareRepository } from '../git/repo.js';

/** Files named here hold ignore patterns in .gitignore syntax. */
const IGNORE_FILES = ['.gitignore', '.nhiignore'];

interface Matcher {
  /** Directory (relative to the root, POSIX) the patterns are relative to. */
  base: string;
  ig: Ignore;
}

export interface WalkEntry {
  absPath: string;
  /** Relative to the root, POSIX separators. */
  path: string;
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

async function loadMatchers(dir: string, base: string): Promise<Matcher[]> {
  const out: Matcher[] = [];
  for (const name of IGNORE_FILES) {
    try {
      const text = await readFile(join(dir, name), 'utf8');
      out.push({ base, ig: ignore().add(text) });
    } catch {
      // No such file, or unreadable: no patterns from it.
    }
  }
  return out;
}

function ignored(matchers: Matcher[], path: string, isDir: boolean): boolean {
  for (const { base, ig } of matchers) {
    const rel = base === '' ? path : path.slice(base.length + 1);
    if (ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/**
 * Walks a folder the way git sees it: `.gitignore` and `.nhiignore` at every level,
 * `.git` skipped, symlinks followed once (a loop is a warning, not a hang).
 */
export async function* walk(root: string, ctx: Pick<ConnectorContext, 'warn'>): AsyncGenerator<WalkEntry> {
  const visited = new Set<string>();
  const rootReal = await realpath(root);
  visited.add(rootReal);
  const stack: Array<{ abs: string; rel: string; matchers: Matcher[] }> = [{ abs: root, rel: '', matchers: await loadMatchers(root, '') }];
  while (stack.length > 0) {
    const { abs, rel, matchers } = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = [];
      for await (const entry of await opendir(abs)) entries.push(entry);
    } catch (error) {
      ctx.warn({ kind: 'unreadable', path: rel || '.', source: 'filesystem', message: `cannot list folder: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: Array<{ abs: string; rel: string }> = [];
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const childAbs = join(abs, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(childAbs);
          isDir = target.isDirectory();
          isFile = target.isFile();
          if (isDir) {
            const real = await realpath(childAbs);
            if (visited.has(real)) {
              ctx.warn({ kind: 'symlink-loop', path: childRel, source: 'filesystem', message: `symlink to an already scanned folder (${toPosix(relative(rootReal, real)) || '.'}); not followed` });
              continue;
            }
            visited.add(real);
          }
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          ctx.warn({ kind: code === 'ELOOP' ? 'symlink-loop' : 'unreadable', path: childRel, source: 'filesystem', message: code === 'ELOOP' ? 'symlink loop; not followed' : `broken symlink (${code ?? 'error'})` });
          continue;
        }
      }
      if (ignored(matchers, childRel, isDir)) continue;
      if (isDir) subdirs.push({ abs: childAbs, rel: childRel });
      else if (isFile) yield { absPath: childAbs, path: childRel };
    }
    // Reverse so that popping visits folders in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) {
      const d = subdirs[i]!;
      stack.push({ ...d, matchers: [...matchers, ...(await loadMatchers(d.abs, d.rel))] });
    }
  }
}

/** Folders walked to the end in a scan (keyed by the scan's options object, one per scan), by root: their files' relative paths. */
const finishedWalks = new WeakMap<ScanOptions, Map<string, string[]>>();

/**
 * `walk`, shared within one scan: the first walk of a folder records its files, and later
 * walks of it (other connectors looking for their own files: workflows, cloud exports) are
 * read from that list instead of the disk. Only a walk that ran to its end is recorded.
 */
export async function* walkShared(root: string, options: ScanOptions, ctx: Pick<ConnectorContext, 'warn'>): AsyncGenerator<WalkEntry> {
  const done = finishedWalks.get(options)?.get(root);
  if (done) {
    for (const path of done) yield { absPath: join(root, path), path };
    return;
  }
  const paths: string[] = [];
  for await (const entry of walk(root, ctx)) {
    paths.push(entry.path);
    yield entry;
  }
  let walks = finishedWalks.get(options);
  if (!walks) finishedWalks.set(options, (walks = new Map()));
  walks.set(root, paths);
}

/**
 * What a connector finds under a folder (its workflows, its exports), looked for once per folder and scan: `applies`
 * looks, `collect` reuses the answer. Keyed by the scan's options object, like `walkShared`, so a later scan looks again.
 * Walk problems are not reported here: they are the filesystem connector's to report.
 */
export class FolderDiscovery<T> {
  private readonly byScan = new WeakMap<ScanOptions, Map<string, Promise<T>>>();

  constructor(
    private readonly find: (root: string, ctx: Pick<ConnectorContext, 'warn'>, options: ScanOptions) => Promise<T>,
    private readonly isEmpty: (found: T) => boolean,
  ) {}

  get(root: string, options: ScanOptions): Promise<T> {
    let found = this.byScan.get(options);
    if (!found) this.byScan.set(options, (found = new Map()));
    let pending = found.get(root);
    if (!pending) found.set(root, (pending = this.find(root, { warn: () => {} }, options)));
    return pending;
  }

  /** Whether the folder holds anything for the connector (an unreadable one holds nothing). */
  async any(root: string, options: ScanOptions): Promise<boolean> {
    try {
      return !this.isEmpty(await this.get(root, options));
    } catch {
      return false;
    }
  }
}

/**
 * A connector for definitions found in files (workflows, exports): it applies where `discovery` finds some, except in
 * diff-only scans (pre-commit, pull requests judge added lines, not whole definitions), and collects what it found.
 */
export function definitionsConnector<T>(
  id: string,
  description: string,
  discovery: FolderDiscovery<T>,
  collect: (found: T, target: ScanTarget, ctx: ConnectorContext) => AsyncIterable<InventoryItem>,
): Connector {
  return {
    id,
    description,
    async applies(target: ScanTarget, options: ScanOptions): Promise<boolean> {
      if (options.staged || options.since) return false;
      return discovery.any(target.root, options);
    },
    async *collect(target: ScanTarget, ctx: ConnectorContext): AsyncIterable<InventoryItem> {
      yield* collect(await discovery.get(target.root, ctx.options), target, ctx);
    },
  };
}

export const filesystemConnector: Connector = {
  id: 'filesystem',
  description: 'Files in a folder (honours .gitignore and .nhiignore), streamed when large',
  async applies(target, options) {
    // --staged and --since are diff-only scans (pre-commit, pull requests): the working tree is not theirs.
    if (options.staged || options.since) return false;
    // A bare repository has no working tree; its content is in history.
    return !(await isBareRepository(target.root));
  },
  async *collect(target: ScanTarget, ctx: ConnectorContext): AsyncIterable<InventoryItem> {
    const info = await stat(target.root);
    const entries: AsyncIterable<WalkEntry> = info.isDirectory()
      ? walkShared(target.root, ctx.options, ctx)
      : (async function* () {
          yield { absPath: target.root, path: basename(target.root) };
        })();
    const inFlight: Array<Promise<ContentScanResult>> = [];
    const drain = function* (result: ContentScanResult): Generator<InventoryItem> {
      ctx.count(result.bytes, 1);
      for (const w of result.warnings) ctx.warn({ ...w, source: 'filesystem' });
      for (const o of result.occurrences) yield { kind: 'occurrence', value: o };
    };
    const root = target.root;
    for await (const entry of entries) {
      inFlight.push((await ctx.pool.submit({ type: 'file', absPath: entry.absPath, path: entry.path, root, origin: 'worktree', maxBytes: ctx.options.maxFileSize })).result);
      // Hand results on in order, without waiting on the slowest file more than needed.
      while (inFlight.length > 256) yield* drain(await inFlight.shift()!);
    }
    for (const pending of inFlight) yield* drain(await pending);
  },
};
