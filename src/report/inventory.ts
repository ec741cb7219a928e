/**
 * What a scan found, as counts: the JSON report's `inventory` object (README, "The JSON report").
 * Only counts and the names of kinds, providers, platforms, detectors and warning sources appear here,
 * never an id, a name, a path or a value: nothing in it can be (or point at) a secret.
 * Every map is sorted by key, so the same scan gives the same text.
 */
import type { Inventory, ScanWarning } from '../core/model.js';
import { workflowAttributes } from '../core/workflow.js';

/** `{ outer: { inner: count } }`, both levels sorted by key. */
export type NestedCounts = Record<string, Record<string, number>>;

export interface InventorySummary {
  /** Identities by provider, then kind: `{ "github": { "workflow": 12, "composite-action": 3 }, "aws": { "user": 5 } }`. */
  identities: { total: number; byProvider: NestedCounts };
  /** Credentials (keys, tokens, credential references) by provider, then kind. */
  credentials: { total: number; byProvider: NestedCounts };
  /** Permission grants (policy statements, workflow permissions…): a count. */
  grants: number;
  /** Hard-coded secrets found in files and history, by detector id (inline-allowed ones included). */
  secretOccurrences: { total: number; byDetector: Record<string, number> };
  /** Workflow definitions (identities with workflow attributes, src/core/workflow.ts) by platform, then kind. */
  workflows: { total: number; byPlatform: NestedCounts };
  /** Files read (the same number as `scan.stats.files`). */
  files: number;
  /** Per-source problems (`scan.warnings`) by source, then warning kind. */
  warnings: { total: number; bySource: NestedCounts };
}

export function summarizeInventory(inventory: Inventory, warnings: readonly ScanWarning[] = [], files = 0): InventorySummary {
  const identities = new Tally();
  const workflows = new Tally();
  for (const identity of inventory.identities) {
    identities.add(identity.provider, identity.kind);
    const workflow = workflowAttributes(identity.attributes);
    if (workflow) workflows.add(workflow.platform, identity.kind);
  }
  const credentials = new Tally();
  for (const credential of inventory.credentials) credentials.add(credential.provider, credential.kind);
  const byDetector: Record<string, number> = {};
  for (const o of inventory.occurrences) byDetector[o.detectorId] = (byDetector[o.detectorId] ?? 0) + 1;
  const bySource = new Tally();
  for (const w of warnings) bySource.add(w.source, w.kind);
  return {
    identities: { total: inventory.identities.length, byProvider: identities.sorted() },
    credentials: { total: inventory.credentials.length, byProvider: credentials.sorted() },
    grants: inventory.grants.length,
    secretOccurrences: { total: inventory.occurrences.length, byDetector: sortedCounts(byDetector) },
    workflows: { total: workflows.total, byPlatform: workflows.sorted() },
    files,
    warnings: { total: warnings.length, bySource: bySource.sorted() },
  };
}

class Tally {
  total = 0;
  private readonly counts = new Map<string, Record<string, number>>();

  add(outer: string, inner: string): void {
    this.total++;
    let row = this.counts.get(outer);
    if (!row) this.counts.set(outer, (row = {}));
    row[inner] = (row[inner] ?? 0) + 1;
  }

  sorted(): NestedCounts {
    const out: NestedCounts = {};
    for (const outer of [...this.counts.keys()].sort()) out[outer] = sortedCounts(this.counts.get(outer)!);
    return out;
  }
}

function sortedCounts(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(counts).sort()) out[k] = counts[k]!;
  return out;
}
