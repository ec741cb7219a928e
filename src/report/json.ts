import type { Finding, Location } from '../core/model.js';
import { TOOL } from '../version.js';
import { summarizeInventory } from './inventory.js';
import { findingLocator } from './locate.js';
import type { ScanOutcome } from './outcome.js';
import { countBySeverity } from './outcome.js';

/** The JSON report's version. A public contract: bump only with a documented change (README, "JSON report"). */
export const SCHEMA_VERSION = 1;

/**
 * A finding as the JSON report shows it. `location` defaults to the finding's own; for a finding
 * about an identity, the report passes where the scanned export defines it (src/report/locate.ts).
 */
export function toPublicFinding(f: Finding, location: Location | undefined = f.location): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    severity: f.severity,
    confidence: f.confidence,
    title: f.title,
    message: f.message,
    fingerprint: f.fingerprint,
  };
  if (location) out.location = location;
  if (f.secret) out.secret = f.secret;
  if (f.resource) out.resource = f.resource;
  if (f.evidence) out.evidence = f.evidence;
  return out;
}

export function jsonReport(outcome: ScanOutcome): string {
  const { scan, findings } = outcome;
  const locate = findingLocator(scan.inventory);
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  const report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    scan: {
      id: scan.id,
      startedAt: scan.startedAt,
      finishedAt: scan.finishedAt,
      targets: scan.targets,
      stats: scan.stats,
      warnings: scan.warnings,
    },
    summary: {
      total: findings.length,
      bySeverity: countBySeverity(findings),
      byRule,
      suppressed: outcome.suppressed,
      failOn: outcome.failOn,
      failed: outcome.failed,
    },
    // Added in schema version 1: what was scanned, as counts (src/report/inventory.ts).
    inventory: summarizeInventory(scan.inventory, scan.warnings, scan.stats.files),
    findings: findings.map((f) => toPublicFinding(f, locate(f))),
  };
  return JSON.stringify(report, null, 2) + '\n';
}
