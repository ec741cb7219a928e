import type { Finding } from '../core/model.js';
import type { Severity } from '../core/severity.js';
import { SEVERITIES, atOrAbove } from '../core/severity.js';
import type { ScanResult } from '../scan/run.js';

/** What a scan amounts to once baseline and inline allows are applied: what reports print and exit codes use. */
export interface ScanOutcome {
  scan: ScanResult;
  /** Findings that remain (reported, counted for --fail-on). */
  findings: Finding[];
  suppressed: { baseline: number; inline: number };
  failOn: Severity;
  failed: boolean;
}

export interface OutcomeOptions {
  failOn: Severity;
  baseline?: Set<string>;
  /** Honour `nhi:allow` comments (default true; CI may turn it off). */
  inlineAllow: boolean;
}

export function decideOutcome(scan: ScanResult, options: OutcomeOptions): ScanOutcome {
  const suppressed = { baseline: 0, inline: 0 };
  const findings: Finding[] = [];
  for (const f of scan.findings) {
    if (options.baseline?.has(f.fingerprint)) suppressed.baseline++;
    else if (options.inlineAllow && f.allowedInline) suppressed.inline++;
    else findings.push(f);
  }
  const failed = findings.some((f) => atOrAbove(f.severity, options.failOn));
  return { scan, findings, suppressed, failOn: options.failOn, failed };
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}
