import { readFileSync } from 'node:fs';
import type { Finding } from '../core/model.js';
import { TOOL } from '../version.js';

/**
 * A baseline is any JSON file with `findings[].fingerprint`: the file
 * `nhi baseline create` writes, or a JSON report from an earlier scan.
 */
export function readBaseline(path: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read baseline ${path}: ${(error as Error).message}`);
  }
  const findings = (data as { findings?: unknown }).findings;
  if (!Array.isArray(findings)) throw new Error(`baseline ${path} has no findings[] array`);
  return new Set(findings.map((f) => (f as { fingerprint?: unknown }).fingerprint).filter((f): f is string => typeof f === 'string'));
}

export function baselineFile(findings: Finding[], createdAt: string): string {
  const entries = findings.map((f) => ({
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    ...(f.location ? { path: f.location.path } : {}),
    ...(f.secret ? { secretType: f.secret.type, redacted: f.secret.redacted } : {}),
    ...(f.resource ? { resource: f.resource.id } : {}),
  }));
  return JSON.stringify({ schemaVersion: 1, tool: TOOL.name, createdAt, findings: entries }, null, 2) + '\n';
}
