import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HashKeys } from '../core/hash.js';
import type { CommitInfo, SecretOccurrence } from '../core/model.js';
import { DETECTORS } from '../detectors/index.js';
import { SecretScanner } from '../detectors/engine.js';
import type { ContentScanResult } from './content.js';
import { scanBuffer, scanFile } from './content.js';

export type ScanTask =
  | { type: 'file'; absPath: string; path: string; root: string; origin: SecretOccurrence['origin']; maxBytes: number; commit?: CommitInfo }
  | {
      type: 'buffer';
      data: Uint8Array;
      path: string;
      root: string;
      origin: SecretOccurrence['origin'];
      commit?: CommitInfo;
      /** Set when `data` is a part of a larger text (history delta scans): the line number of its first line. */
      firstLine?: number;
      /** The caller is done with `data` and it spans its whole buffer: the pool may hand it to a worker as is instead of copying it. */
      owned?: boolean;
    };

export interface WorkerSetup {
  storeKey: string;
  fingerprintKey: string;
}

/**
 * Worker threads for a scan. `jobs` (the --jobs option) counts scanning threads: 1 scans in
 * this thread. By default one worker per core, but one less for history scans, where this
 * thread and git's own processes keep a core busy (a blob read, diffed and sent is work too).
 */
export function workerCount(jobs: number | undefined, options: { history?: boolean }, cores = availableParallelism()): number {
  if (jobs !== undefined) return jobs <= 1 ? 0 : jobs;
  if (cores <= 1) return 0;
  return options.history ? Math.max(1, cores - 1) : cores;
}

/** Buffers at least this large that the caller gives up are transferred; smaller ones are copied into the batch's buffer (a transfer has a fixed cost). */
const TRANSFER_MIN_BYTES = 64 * 1024;

function transferable(task: Extract<ScanTask, { type: 'buffer' }>): boolean {
  const { data } = task;
  return (
    task.owned === true && data.byteLength >= TRANSFER_MIN_BYTES && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer
  );
}

/** Tasks handed to a worker and not yet finished, per worker, before `submit` waits. */
const IN_FLIGHT_PER_WORKER = 256;
/**
 * Tasks travel to workers in batches (one message each way per batch, not per file or blob:
 * at tens of thousands of small files, per-message costs rival the scanning). A batch is sent
 * when it holds this many tasks or bytes, or once the submitting code yields to the event loop.
 */
const BATCH_TASKS = 64;
const BATCH_BYTES = 1024 * 1024;

/**
 * A task as sent to a worker. What many tasks share (the scanned root, the commit of history
 * blobs) travels once per batch, in its tables, and tasks refer to it by index: cloning the
 * same commit object for every blob it introduced costs more than scanning small blobs.
 * A buffer task carries its own (transferred) data, or a span of the batch's one buffer.
 */
export interface WireTask {
  id: number;
  type: ScanTask['type'];
  path: string;
  root: number;
  origin: SecretOccurrence['origin'];
  /** Index into the batch's commits, or -1. */
  commit: number;
  absPath?: string;
  maxBytes?: number;
  firstLine?: number;
  data?: Uint8Array;
  offset?: number;
  length?: number;
}
export interface BatchMessage {
  tasks: WireTask[];
  roots: string[];
  commits: CommitInfo[];
  data?: Uint8Array;
}
/** Results in task order: bytes for each, and occurrences, warnings and errors only where there are some. */
export interface BatchReply {
  ids: number[];
  bytes: number[];
  found: Array<{ index: number; occurrences: SecretOccurrence[]; warnings: ContentScanResult['warnings'] }>;
  errors: Array<{ index: number; error: string }>;
}

/**
 * Scans files and buffers on worker threads (one per core by default), or in
 * this thread when `jobs` is 1 or the worker script is not built (tests that run
 * the TypeScript sources directly).
 */
export class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (r: ContentScanResult) => void; reject: (e: Error) => void; worker: number }>();
  private readonly load: number[] = [];
  private nextId = 0;
  private local?: SecretScanner;
  private waiters: Array<() => void> = [];
  /** The batch being filled, and whether a flush is scheduled for it. */
  private open: Array<{ id: number; task: ScanTask }> = [];
  private openBytes = 0;
  private flushScheduled = false;

  /** `workers`: worker threads to start; 0 scans in this thread. */
  constructor(
    private readonly keys: HashKeys,
    workers: number,
  ) {
    const script = fileURLToPath(new URL('./worker.js', import.meta.url));
    if (workers < 1 || !existsSync(script)) {
      this.local = new SecretScanner(DETECTORS);
      return;
    }
    const setup: WorkerSetup = { storeKey: keys.store.toString('hex'), fingerprintKey: keys.fingerprint.toString('hex') };
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(script, { workerData: setup });
      worker.on('message', (msg: BatchReply) => this.settleBatch(msg));
      worker.on('error', (error) => this.failWorker(i, error));
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  get parallelism(): number {
    return this.workers.length || 1;
  }

  /**
   * Resolves once the task is queued (waiting while every worker is full), with a
   * handle whose `result` settles when the task is done. A buffer task's data is
   * copied, so the caller may reuse it at once, unless the task says it is `owned`.
   */
  async submit(task: ScanTask): Promise<{ result: Promise<ContentScanResult> }> {
    if (this.local) return { result: this.runLocal(task) };
    for (;;) {
      const least = Math.min(...this.load);
      if (least === Infinity) throw new Error('every scan worker has crashed');
      if (least + this.open.length < IN_FLIGHT_PER_WORKER) break;
      if (this.open.length > 0) this.flush();
      else await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const id = this.nextId++;
    const result = new Promise<ContentScanResult>((resolve, reject) => this.pending.set(id, { resolve, reject, worker: -1 }));
    this.open.push({ id, task });
    if (task.type === 'buffer' && !transferable(task)) this.openBytes += task.data.byteLength;
    if (this.open.length >= BATCH_TASKS || this.openBytes >= BATCH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return { result };
  }

  /** Sends the open batch to the least loaded worker, its buffers copied into one transferred buffer. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.open.length === 0) return;
    const batch = this.open;
    const bytes = this.openBytes;
    this.open = [];
    this.openBytes = 0;
    const least = Math.min(...this.load);
    if (least === Infinity) {
      for (const { id } of batch) this.settle({ id, error: 'every scan worker has crashed' });
      return;
    }
    const index = this.load.indexOf(least);
    const data = bytes > 0 ? new Uint8Array(bytes) : undefined;
    const transfer: ArrayBuffer[] = data ? [data.buffer] : [];
    const roots: string[] = [];
    const commits: CommitInfo[] = [];
    const rootIndex = new Map<string, number>();
    const commitIndex = new Map<CommitInfo, number>();
    let offset = 0;
    const tasks: WireTask[] = batch.map(({ id, task }) => {
      this.pending.get(id)!.worker = index;
      let root = rootIndex.get(task.root);
      if (root === undefined) rootIndex.set(task.root, (root = roots.push(task.root) - 1));
      let commit = -1;
      if (task.commit) {
        commit = commitIndex.get(task.commit) ?? -1;
        if (commit < 0) commitIndex.set(task.commit, (commit = commits.push(task.commit) - 1));
      }
      const wire: WireTask = { id, type: task.type, path: task.path, root, origin: task.origin, commit };
      if (task.type === 'file') {
        wire.absPath = task.absPath;
        wire.maxBytes = task.maxBytes;
        return wire;
      }
      if (task.firstLine !== undefined) wire.firstLine = task.firstLine;
      if (transferable(task)) {
        transfer.push(task.data.buffer as ArrayBuffer);
        wire.data = task.data;
      } else {
        data!.set(task.data, offset);
        wire.offset = offset;
        wire.length = task.data.byteLength;
        offset += task.data.byteLength;
      }
      return wire;
    });
    this.load[index]! += batch.length;
    const message: BatchMessage = { tasks, roots, commits, ...(data ? { data } : {}) };
    this.workers[index]!.postMessage(message, transfer);
  }

  private settleBatch(msg: BatchReply): void {
    const found = new Map(msg.found.map((f) => [f.index, f]));
    const errors = new Map(msg.errors.map((e) => [e.index, e.error]));
    msg.ids.forEach((id, i) => {
      const error = errors.get(i);
      if (error !== undefined) return this.settle({ id, error });
      const f = found.get(i);
      this.settle({ id, result: { occurrences: f?.occurrences ?? [], warnings: f?.warnings ?? [], bytes: msg.bytes[i]! } });
    });
  }

  private async runLocal(task: ScanTask): Promise<ContentScanResult> {
    const ctx = { scanner: this.local!, keys: this.keys, root: task.root, origin: task.origin, ...(task.commit ? { commit: task.commit } : {}) };
    if (task.type === 'file') return scanFile(task.absPath, task.path, ctx, task.maxBytes);
    return scanBuffer(Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength), task.path, ctx, task.firstLine);
  }

  private settle(msg: { id: number; result?: ContentScanResult; error?: string }): void {
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    this.pending.delete(msg.id);
    if (entry.worker >= 0 && this.load[entry.worker] !== Infinity) this.load[entry.worker]!--;
    const waiter = this.waiters.shift();
    if (waiter) waiter();
    if (msg.error !== undefined) entry.reject(new Error(msg.error));
    else entry.resolve(msg.result!);
  }

  /** A crashed worker takes no more tasks; what it held fails (each becomes a per-source warning). */
  private failWorker(index: number, error: Error): void {
    this.load[index] = Infinity;
    for (const waiter of this.waiters.splice(0)) waiter();
    for (const [id, entry] of this.pending) {
      if (entry.worker !== index) continue;
      this.pending.delete(id);
      entry.reject(error);
    }
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
