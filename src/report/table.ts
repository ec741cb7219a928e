import type { Finding } from '../core/model.js';
import { SEVERITIES, SEVERITY } from '../core/severity.js';
import type { ScanOutcome } from './outcome.js';
import { countBySeverity } from './outcome.js';

const ANSI: Record<string, [number, number]> = {
  magenta: [35, 39],
  red: [31, 39],
  yellow: [33, 39],
  blue: [34, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
};

export type Paint = (style: keyof typeof ANSI, text: string) => string;

export function painter(colour: boolean): Paint {
  return (style, text) => (colour ? `\x1b[${ANSI[style]![0]}m${text}\x1b[${ANSI[style]![1]}m` : text);
}

function where(f: Finding): string {
  if (f.location) {
    const commit = f.location.commit ? ` @${f.location.commit.sha.slice(0, 8)}` : '';
    return `${f.location.path}:${f.location.line}:${f.location.column}${commit}`;
  }
  return f.resource?.id ?? '';
}

/** Human-readable report, one block per finding, most severe first. */
export function tableReport(outcome: ScanOutcome, paint: Paint): string {
  const lines: string[] = [];
  for (const f of outcome.findings) {
    const sev = paint(SEVERITY[f.severity].colour, f.severity.toUpperCase().padEnd(8));
    const secret = f.secret ? `  ${paint('dim', `${f.secret.type} ${f.secret.redacted}`)}` : '';
    lines.push(`${sev} ${paint('bold', f.ruleId)}  ${where(f)}${secret}`);
    lines.push(`         ${f.message}`);
    lines.push(`         ${paint('dim', `fingerprint ${f.fingerprint}`)}`);
  }
  const counts = countBySeverity(outcome.findings);
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => paint(SEVERITY[s].colour, `${counts[s]} ${s}`));
  const { files, bytes, durationMs } = outcome.scan.stats;
  const mb = (bytes / 1e6).toFixed(1);
  if (lines.length > 0) lines.push('');
  lines.push(
    `${outcome.findings.length} finding${outcome.findings.length === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''} in ${files} files, ${mb} MB, ${(durationMs / 1000).toFixed(1)} s`,
  );
  const sup = outcome.suppressed;
  if (sup.baseline || sup.inline) lines.push(paint('dim', `suppressed: ${sup.baseline} by baseline, ${sup.inline} by nhi:allow comments`));
  if (outcome.scan.warnings.length) lines.push(paint('yellow', `${outcome.scan.warnings.length} warning(s); see above or the JSON report's scan.warnings`));
  lines.push(outcome.failed ? paint('red', `FAIL: findings at or above ${outcome.failOn}`) : `OK: nothing at or above ${outcome.failOn}`);
  return lines.join('\n') + '\n';
}
