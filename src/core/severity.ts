/**
 * The one severity table. Every place that needs a SARIF level, a GitHub
 * `security-severity`, a colour or an ordering reads it from here.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SeverityInfo {
  /** Higher is worse; used for sorting and for `--fail-on`. */
  rank: number;
  /** SARIF `result.level`. */
  sarifLevel: 'error' | 'warning' | 'note';
  /** GitHub code scanning `properties.security-severity` (CVSS-like, as a string). */
  securitySeverity: string;
  /** ANSI colour name used by the table output. */
  colour: 'magenta' | 'red' | 'yellow' | 'blue' | 'gray';
}

export const SEVERITY: Record<Severity, SeverityInfo> = {
  critical: { rank: 5, sarifLevel: 'error', securitySeverity: '9.5', colour: 'magenta' },
  high: { rank: 4, sarifLevel: 'error', securitySeverity: '8.0', colour: 'red' },
  medium: { rank: 3, sarifLevel: 'warning', securitySeverity: '5.5', colour: 'yellow' },
  low: { rank: 2, sarifLevel: 'note', securitySeverity: '3.0', colour: 'blue' },
  info: { rank: 1, sarifLevel: 'note', securitySeverity: '0.0', colour: 'gray' },
};

/** Process exit codes, a public contract (see README). */
export const EXIT = {
  /** No finding at or above the `--fail-on` threshold. */
  ok: 0,
  /** At least one finding at or above the threshold remains after baseline and allow comments. */
  findings: 1,
  /** Usage error or internal error: the scan result cannot be trusted. */
  error: 2,
} as const;

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITY[severity].rank >= SEVERITY[threshold].rank;
}

export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY[b].rank - SEVERITY[a].rank;
}
