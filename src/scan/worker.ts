/** Worker thread: scans files and buffers handed over by ScanPool. */
import { parentPort, workerData } from 'node:worker_threads';
import { DETECTORS } from '../detectors/index.js';
import { SecretScanner } from '../detectors/engine.js';
import { scanBuffer, scanFile } from './content.js';
import type { ScanTask, WorkerSetup } from './pool.js';

const setup = workerData as WorkerSetup;
const scanner = new SecretScanner(DETECTORS);
const keys = { store: Buffer.from(setup.storeKey, 'hex'), fingerprint: Buffer.from(setup.fingerprintKey, 'hex') };

parentPort!.on('message', (task: ScanTask & { id: number }) => {
  const ctx = { scanner, keys, root: task.root, origin: task.origin, ...(task.commit ? { commit: task.commit } : {}) };
  const done = (result: unknown) => parentPort!.postMessage({ id: task.id, result });
  const fail = (error: unknown) => parentPort!.postMessage({ id: task.id, error: String((error as Error)?.message ?? error) });
  try {
    if (task.type === 'file') scanFile(task.absPath, task.path, ctx, task.maxBytes).then(done, fail);
    else done(scanBuffer(Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength), task.path, ctx, task.firstLine));
  } catch (error) {
    fail(error);
  }
});
