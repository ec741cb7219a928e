import type { Finding, Inventory } from '../core/model.js';
import { compareSeverity } from '../core/severity.js';
import type { Rule, RuleContext } from './rule.js';

/** Runs rules over an inventory. Rules are pure: same inventory and clock, same findings. */
export function evaluate(rules: readonly Rule[], inventory: Inventory, ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) for (const f of rule.evaluate(inventory, ctx)) findings.push(f);
  return findings.sort(
    (a, b) =>
      compareSeverity(a.severity, b.severity) ||
      (a.location?.path ?? '').localeCompare(b.location?.path ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}
