import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Fifo } from '../../src/core/fifo.js';

export interface GitOptions {
  /**
   * Do not look for the repository above `cwd` (sets GIT_CEILING_DIRECTORIES to its
   * parent): a plain folder inside some other repository is "not a git repository"
   * instead of silently standing for that other repository.
   */
  here?: boolean;
}

/**
 * The environment git runs in. GIT_DIR and GIT_WORK_TREE are dropped: when nhi runs
 * from a hook they point at the hook's repository, not necessarily at the target
 * (GIT_INDEX_FILE is kept: a pre-commit hook of `git commit -a` stages into a
 * temporary index that `--staged` must read). No prompts, no lazy fetches of
 * missing blobs in partial clones (one network round trip per blob), no
 * opportunistic index writes.
 */
export function gitEnv(cwd?: string, options: GitOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_NO_LAZY_FETCH: '1', GIT_OPTIONAL_LOCKS: '0' };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  if (options.here && cwd !== undefined) env.GIT_CEILING_DIRECTORIES = dirname(resolve(cwd));
  return env;
}

/** Longest git error message kept in a warning. */
const MAX_MESSAGE = 2000;

function failure(args: string[], stderr: Buffer[], code: number | null, signal?: NodeJS.Signals | null): string {
  // The first lines say what went wrong; a usage text after them says nothing more.
  const text = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(0, 8).join('\n');
  const why = text || (signal ? `killed by ${signal}` : `exit ${code}`);
  return `git ${args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? ''} failed: ${why.length > MAX_MESSAGE ? `${why.slice(0, MAX_MESSAGE)}…` : why}`;
}

/** Runs git and returns stdout as bytes; rejects with git's own message on failure. */
export function gitBytes(cwd: string, args: string[], input?: string, options: GitOptions = {}): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd, env: gitEnv(cwd, options), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => {
      // git exited without reading its input: the exit code tells why.
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(Buffer.concat(out));
      else reject(new Error(failure(args, err, code, signal)));
    });
    child.stdin.end(input ?? '');
  });
}

/** Runs git and returns stdout; rejects with git's own message on failure. */
export async function git(cwd: string, args: string[], input?: string, options: GitOptions = {}): Promise<string> {
  return (await gitBytes(cwd, args, input, options)).toString('utf8');
}

export interface GitProcess {
  child: ChildProcessWithoutNullStreams;
  /** Settles when git has exited: `error` is git's own message when it failed. */
  exit: Promise<{ ok: boolean; error?: string }>;
  /** Stops git if it is still running (the consumer gave up early). */
  kill(): void;
}

/** Starts git with its output to be streamed; stderr is collected for the exit message. */
export function spawnGit(cwd: string, args: string[], options: GitOptions = {}): GitProcess {
  const child = spawn('git', args, { cwd, env: gitEnv(cwd, options), stdio: ['pipe', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  let errBytes = 0;
  child.stderr.on('data', (d: Buffer) => {
    if (errBytes < 64 * 1024) err.push(d);
    errBytes += d.length;
  });
  child.stdin.on('error', () => {
    // EPIPE when git exits early: reported through the exit code.
  });
  let done = false;
  const exit = new Promise<{ ok: boolean; error?: string }>((resolvePromise) => {
    child.on('error', (e) => {
      done = true;
      resolvePromise({ ok: false, error: `cannot run git: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      done = true;
      resolvePromise(code === 0 ? { ok: true } : { ok: false, error: failure(args, err, code, signal) });
    });
  });
  return {
    child,
    exit,
    kill() {
      if (!done && child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

/** A folder with a `.git` entry, or a bare repository (HEAD, objects/, refs/). */
export function isGitRepository(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
  } catch {
    return false;
  }
  return existsSync(join(dir, '.git')) || isBareLayout(dir);
}

function isBareLayout(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects')) && existsSync(join(dir, 'refs'));
}

export async function isBareRepository(dir: string): Promise<boolean> {
  try {
    if (!statSync(dir).isDirectory() || existsSync(join(dir, '.git')) || !isBareLayout(dir)) return false;
  } catch {
    return false;
  }
  try {
    return (await git(dir, ['rev-parse', '--is-bare-repository'], undefined, { here: true })).trim() === 'true';
  } catch {
    return false;
  }
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * Undoes git's C-style quoting of a path in patch headers (`"a/sp\303\251cial\tname"`).
 * `quoted` holds the raw bytes as Latin-1 characters; the result is the path decoded
 * as UTF-8, the same way paths read from `-z` output are decoded.
 */
export function unquoteGitPath(quoted: string): string {
  if (!(quoted.length >= 2 && quoted.startsWith('"') && quoted.endsWith('"'))) return Buffer.from(quoted, 'latin1').toString('utf8');
  const bytes: number[] = [];
  for (let i = 1; i < quoted.length - 1; i++) {
    const ch = quoted.charCodeAt(i);
    if (ch !== 92) {
      bytes.push(ch & 0xff);
      continue;
    }
    const next = quoted[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(quoted.slice(i + 1, i + 4))![0];
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length;
    } else {
      bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export type CatFileResult =
  /** `data` owns its ArrayBuffer exactly (it may be transferred to a worker thread). */
  | { kind: 'blob'; oid: string; size: number; data: Uint8Array }
  /** Over the size limit, or not a blob: the content was read past, not kept. */
  | { kind: 'skipped'; oid: string; size: number; type: string }
  /** Absent, or so damaged that git cannot read its header. */
  | { kind: 'missing'; oid: string }
  /** git died reading this object (a corrupt object); later requests go on in a new process. */
  | { kind: 'error'; oid?: string; message: string };

/** Results read from git but not yet taken by `next()` before git's output is paused. */
const READY_LIMIT = 64 * 1024 * 1024;
/** Times cat-file is restarted after dying on a corrupt object before giving up. */
const MAX_RESTARTS = 20;

/**
 * One long-lived `git cat-file --batch`: ids are written to its input, and its
 * `<oid> <type> <size>\n<content>\n` (or `<oid> missing\n`) output is parsed as it
 * streams. Content over `maxBytes` is skipped while it streams, never held. Results
 * come back in request order through `next()`, one per `request()`; output is paused
 * while more than READY_LIMIT bytes of results wait to be taken. When git dies on an
 * object (corrupt), that request gets an 'error' and the rest are asked again of a
 * new process, up to MAX_RESTARTS times; after that every request gets an 'error'.
 */
export class CatFile {
  private proc?: GitProcess;
  private readonly ready = new Fifo<CatFileResult>();
  private readyBytes = 0;
  private readonly waiters = new Fifo<(r: CatFileResult) => void>();
  /** Ids written whose result has not been produced, in order. */
  private readonly sent = new Fifo<string>();
  private restarts = 0;
  private closing = false;
  private failure?: string;
  private paused = false;
  private header: Buffer[] = [];
  private body?: { oid: string; type: string; size: number; filled: number; data?: Uint8Array };
  private expectNewline = false;

  constructor(
    private readonly cwd: string,
    private readonly maxBytes: number,
    private readonly readyLimit = READY_LIMIT,
  ) {}

  /** True once cat-file is given up on: every further request gets an 'error'. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  request(oid: string): void {
    if (this.failure !== undefined) {
      this.deliver({ kind: 'error', oid, message: this.failure });
      return;
    }
    this.sent.push(oid);
    this.start().child.stdin.write(`${oid}\n`);
  }

  /** The next result, in request order. Call at most once per `request()`. */
  next(): Promise<CatFileResult> {
    const r = this.ready.shift();
    if (r) {
      this.readyBytes -= r.kind === 'blob' ? r.size : 0;
      if (this.paused && this.readyBytes <= this.readyLimit) {
        this.paused = false;
        this.proc?.child.stdout.resume();
      }
      return Promise.resolve(r);
    }
    return new Promise((resolvePromise) => this.waiters.push(resolvePromise));
  }

  /** Ends git's input and waits for it to exit (stops it if results are left unread). */
  async close(): Promise<void> {
    this.closing = true;
    const proc = this.proc;
    if (!proc) return;
    if (this.sent.length > 0 || this.paused) {
      // Results are left unread: output that nobody will read must not hold git's exit up.
      proc.child.stdout.destroy();
      proc.kill();
    } else proc.child.stdin.end();
    await proc.exit;
  }

  private start(): GitProcess {
    if (this.proc) return this.proc;
    const proc = spawnGit(this.cwd, ['cat-file', '--batch'], { here: true });
    this.proc = proc;
    this.paused = false;
    proc.child.stdout.on('data', (chunk: Buffer) => {
      if (this.proc === proc) this.onData(chunk);
    });
    void proc.exit.then((exit) => {
      if (this.proc !== proc) return;
      this.proc = undefined;
      this.header = [];
      this.body = undefined;
      this.expectNewline = false;
      if (this.sent.length === 0 || this.closing) return;
      const message = exit.error ?? 'git cat-file ended before answering every request';
      // Output is in request order: git died on the first request it had not answered.
      this.answer({ kind: 'error', oid: this.sent.peek()!, message });
      if (exit.error?.startsWith('cannot run git') || ++this.restarts > MAX_RESTARTS) {
        this.giveUp(message);
        return;
      }
      const again = this.sent.drain();
      for (const o of again) this.request(o);
    });
    return proc;
  }

  private deliver(r: CatFileResult): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(r);
      return;
    }
    this.ready.push(r);
    if (r.kind === 'blob') this.readyBytes += r.size;
    if (!this.paused && this.readyBytes > this.readyLimit && this.proc) {
      this.paused = true;
      this.proc.child.stdout.pause();
    }
  }

  private answer(r: CatFileResult): void {
    this.sent.shift();
    this.deliver(r);
  }

  private giveUp(message: string): void {
    if (this.failure === undefined) this.failure = message;
    this.body = undefined;
    while (this.sent.length > 0) this.answer({ kind: 'error', oid: this.sent.peek()!, message: this.failure });
    const proc = this.proc;
    this.proc = undefined;
    proc?.child.stdout.destroy();
    proc?.kill();
  }

  private onData(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && this.failure === undefined) {
      const body = this.body;
      if (body) {
        const take = Math.min(body.size - body.filled, chunk.length - pos);
        if (body.data) body.data.set(chunk.subarray(pos, pos + take), body.filled);
        body.filled += take;
        pos += take;
        if (body.filled === body.size) this.finishBody();
        continue;
      }
      if (this.expectNewline) {
        this.expectNewline = false;
        if (chunk[pos] !== 10) {
          this.giveUp('unexpected output from git cat-file --batch');
          return;
        }
        pos++;
        continue;
      }
      const nl = chunk.indexOf(10, pos);
      if (nl === -1) {
        this.header.push(chunk.subarray(pos));
        return;
      }
      const part = chunk.subarray(pos, nl);
      const line = (this.header.length > 0 ? Buffer.concat([...this.header, part]) : part).toString('latin1');
      this.header = [];
      pos = nl + 1;
      this.onHeader(line);
    }
  }

  private onHeader(line: string): void {
    const parts = line.split(' ');
    if (parts.length === 2 && (parts[1] === 'missing' || parts[1] === 'ambiguous')) {
      this.answer({ kind: 'missing', oid: parts[0]! });
      return;
    }
    const size = Number(parts[2]);
    if (parts.length !== 3 || !Number.isSafeInteger(size) || size < 0) {
      // Never quote the line: if the stream were out of step it could be file content.
      this.giveUp('unexpected output from git cat-file --batch');
      return;
    }
    const [oid, type] = parts as [string, string, string];
    const keep = type === 'blob' && size <= this.maxBytes;
    // A buffer of its own (never Node's shared pool), not zero-filled: every byte is written from git's output before it is used.
    this.body = { oid, type, size, filled: 0, ...(keep ? { data: Buffer.allocUnsafeSlow(size) } : {}) };
    if (size === 0) this.finishBody();
  }

  private finishBody(): void {
    const body = this.body!;
    this.body = undefined;
    this.expectNewline = true;
    if (body.data) this.answer({ kind: 'blob', oid: body.oid, size: body.size, data: body.data });
    else this.answer({ kind: 'skipped', oid: body.oid, size: body.size, type: body.type });
  }
}
