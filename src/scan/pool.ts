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
    };

export interface WorkerSetup {
  storeKey: string;
  fingerprintKey: string;
}

/** Tasks queued per worker before `run` waits: keeps workers busy without buffering a whole tree. */
const IN_FLIGHT_PER_WORKER = 16;

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

  constructor(
    private readonly keys: HashKeys,
    jobs = availableParallelism(),
  ) {
    const script = fileURLToPath(new URL('./worker.js', import.meta.url));
    if (jobs <= 1 || !existsSync(script)) {
      this.local = new SecretScanner(DETECTORS);
      return;
    }
    const setup: WorkerSetup = { storeKey: keys.store.toString('hex'), fingerprintKey: keys.fingerprint.toString('hex') };
    for (let i = 0; i < jobs; i++) {
      const worker = new Worker(script, { workerData: setup });
      worker.on('message', (msg: { id: number; result?: ContentScanResult; error?: string }) => this.settle(msg));
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
   * handle whose `result` settles when the task is done.
   */
  async submit(task: ScanTask): Promise<{ result: Promise<ContentScanResult> }> {
    if (this.local) return { result: this.runLocal(task) };
    while (Math.min(...this.load) >= IN_FLIGHT_PER_WORKER) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const least = Math.min(...this.load);
    if (least === Infinity) throw new Error('every scan worker has crashed');
    const index = this.load.indexOf(least);
    const id = this.nextId++;
    this.load[index]!++;
    const result = new Promise<ContentScanResult>((resolve, reject) => this.pending.set(id, { resolve, reject, worker: index }));
    if (task.type === 'buffer' && (task.data.byteOffset !== 0 || task.data.byteLength !== task.data.buffer.byteLength)) {
      // A view into a larger (or pooled) buffer: transferring would detach, and send, all of it.
      task = { ...task, data: new Uint8Array(task.data) };
    }
    const transfer = task.type === 'buffer' ? [task.data.buffer as ArrayBuffer] : [];
    this.workers[index]!.postMessage({ ...task, id }, transfer);
    return { result };
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
    if (this.load[entry.worker] !== Infinity) this.load[entry.worker]!--;
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
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
