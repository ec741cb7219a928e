import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CONNECTORS } from '../../connectors/index.js';
import { RULES } from '../../rules/index.js';
import type { Connector, ConnectorContext, ScanOptions, ScanTarget } from '../core/connector.js';
import { DEFAULT_CONFIG, type NhiConfig } from '../core/config.js';
import type { HashKeys } from '../core/hash.js';
import type { Finding, Inventory, Recalled, ScanWarning } from '../core/model.js';
import { emptyInventory } from '../core/model.js';
import { evaluate } from '../engine/evaluate.js';
import type { Rule } from '../engine/rule.js';
import { ScanPool, workerCount } from './pool.js';

export interface ScanRequest {
  paths: string[];
  options: ScanOptions;
  keys: HashKeys;
  now?: Date;
  jobs?: number;
  rules?: readonly Rule[];
  config?: NhiConfig;
  connectors?: readonly Connector[];
  /** What earlier scans recorded that this inventory can join with (the store's `recall`); called before rules run. */
  recall?: (inventory: Inventory) => Recalled;
  /** Called with progress (files, bytes) now and then; for a TTY progress line. */
  onProgress?: (files: number, bytes: number) => void;
}

export interface ScanResult {
  id: string;
  startedAt: string;
  finishedAt: string;
  targets: Array<{ path: string; connectors: string[] }>;
  stats: { files: number; bytes: number; durationMs: number };
  warnings: ScanWarning[];
  inventory: Inventory;
  /** Every finding the rules produced, before baseline and inline-allow filtering. */
  findings: Finding[];
}

export class UsageError extends Error {}

/** Collect (connectors) then evaluate (rules). Per-source problems become warnings; nothing here throws for them. */
export async function runScan(request: ScanRequest): Promise<ScanResult> {
  const started = new Date();
  const now = request.now ?? started;
  const warnings: ScanWarning[] = [];
  const stats = { files: 0, bytes: 0, durationMs: 0 };
  const inventory = emptyInventory();
  const targets: ScanResult['targets'] = [];

  const resolved: ScanTarget[] = [];
  for (const p of request.paths) {
    const root = resolve(p);
    try {
      await stat(root);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
    resolved.push({ root, display: p });
  }
  if (request.options.aws) {
    const profile = request.options.aws.profile;
    resolved.push({ root: `aws:${profile ?? 'default'}`, display: profile ? `aws (profile ${profile})` : 'aws', live: 'aws' });
  }

  const pool = new ScanPool(request.keys, workerCount(request.jobs, { history: Boolean(request.options.history || request.options.since) }));
  let lastProgress = 0;
  const ctx: ConnectorContext = {
    keys: request.keys,
    pool,
    options: request.options,
    now,
    config: request.config ?? DEFAULT_CONFIG,
    warn: (w) => warnings.push(w),
    count: (bytes, files = 0) => {
      stats.bytes += bytes;
      stats.files += files;
      if (request.onProgress && Date.now() - lastProgress > 200) {
        lastProgress = Date.now();
        request.onProgress(stats.files, stats.bytes);
      }
    },
  };
  try {
    for (const target of resolved) {
      const used: string[] = [];
      for (const connector of request.connectors ?? CONNECTORS) {
        // A live target is offered only to the connectors that collect that provider live.
        if (target.live && connector.live !== target.live) continue;
        if (!(await connector.applies(target, request.options))) continue;
        used.push(connector.id);
        try {
          for await (const item of connector.collect(target, ctx)) {
            switch (item.kind) {
              case 'identity':
                inventory.identities.push(item.value);
                break;
              case 'credential':
                inventory.credentials.push(item.value);
                break;
              case 'grant':
                inventory.grants.push(item.value);
                break;
              case 'occurrence':
                inventory.occurrences.push(item.value);
                break;
            }
          }
        } catch (error) {
          warnings.push({ kind: 'unreadable', source: connector.id, path: target.display, message: `connector failed: ${(error as Error).message}` });
        }
      }
      targets.push({ path: target.display, connectors: used });
    }
  } finally {
    await pool.close();
  }
  if (request.recall) {
    try {
      inventory.recalled = request.recall(inventory);
    } catch (error) {
      warnings.push({ kind: 'unreadable', source: 'store', message: `earlier scans could not be recalled for joins: ${(error as Error).message}` });
    }
  }
  const findings = evaluate(request.rules ?? RULES, inventory, { now, config: request.config ?? DEFAULT_CONFIG });
  const finished = new Date();
  stats.durationMs = finished.getTime() - started.getTime();
  return { id: randomUUID(), startedAt: started.toISOString(), finishedAt: finished.toISOString(), targets, stats, warnings, inventory, findings };
}
