/** Worker thread: scans batches of files and buffers handed over by ScanPool, and answers each batch at once. */
import { parentPort, workerData } from 'node:worker_threads';
import { DETECTORS } from '../detectors/index.js';
import { SecretScanner } from '../detectors/engine.js';
import type { ContentScanResult } from './content.js';
import { scanBuffer, scanFile } from './content.js';
import type { BatchMessage, BatchReply, WireTask, WorkerSetup } from './pool.js';

const setup = workerData as WorkerSetup;
const scanner = new SecretScanner(DETECTORS);
const keys = { store: Buffer.from(setup.storeKey, 'hex'), fingerprint: Buffer.from(setup.fingerprintKey, 'hex') };

async function run(task: WireTask, msg: BatchMessage): Promise<ContentScanResult> {
  const commit = task.commit >= 0 ? msg.commits[task.commit] : undefined;
  const ctx = { scanner, keys, root: msg.roots[task.root]!, origin: task.origin, ...(commit ? { commit } : {}) };
  if (task.type === 'file') return scanFile(task.absPath!, task.path, ctx, task.maxBytes);
  const buf = task.data
    ? Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength)
    : Buffer.from(msg.data!.buffer, msg.data!.byteOffset + task.offset!, task.length!);
  return scanBuffer(buf, task.path, ctx, task.firstLine);
}

/** Files read at once within a batch (memory: each may be read whole, up to content.ts's WHOLE_FILE_LIMIT). */
const FILE_CONCURRENCY = 4;

async function runBatch(msg: BatchMessage): Promise<BatchReply> {
  const reply: BatchReply = { ids: msg.tasks.map((t) => t.id), bytes: new Array<number>(msg.tasks.length).fill(0), found: [], errors: [] };
  let next = 0;
  const lane = async () => {
    while (next < msg.tasks.length) {
      const index = next++;
      try {
        const result = await run(msg.tasks[index]!, msg);
        reply.bytes[index] = result.bytes;
        if (result.occurrences.length > 0 || result.warnings.length > 0) reply.found.push({ index, occurrences: result.occurrences, warnings: result.warnings });
      } catch (error) {
        reply.errors.push({ index, error: String((error as Error)?.message ?? error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, msg.tasks.length) }, lane));
  return reply;
}

// Batches are worked through one at a time, in the order they came.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: BatchMessage) => {
  queue = queue.then(async () => parentPort!.postMessage(await runBatch(msg)));
});
