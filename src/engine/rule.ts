import type { Confidence, Finding, Inventory, Location, Provider } from '../core/model.js';
import { fingerprintOf } from '../core/hash.js';
import type { NhiConfig } from '../core/config.js';
import type { Severity } from '../core/severity.js';

/** OWASP Non-Human Identities Top 10 (2025). */
export const OWASP_NHI = {
  'NHI1:2025': 'Improper Offboarding',
  'NHI2:2025': 'Secret Leakage',
  'NHI3:2025': 'Vulnerable Third-Party NHI',
  'NHI4:2025': 'Insecure Authentication',
  'NHI5:2025': 'Overprivileged NHI',
  'NHI6:2025': 'Insecure Cloud Deployment Configurations',
  'NHI7:2025': 'Long-Lived Secrets',
  'NHI8:2025': 'Environment Isolation',
  'NHI9:2025': 'NHI Reuse',
  'NHI10:2025': 'Human Use of NHI',
} as const;
export type OwaspNhiId = keyof typeof OWASP_NHI;

export interface Remediation {
  /** One paragraph: what to do. */
  summary: string;
  /** Ordered steps a person follows. */
  steps: string[];
  /** Commands that carry out a step, where there are any (shown, never run by nhi). */
  commands?: string[];
}

export interface RuleContext {
  /** The scan's clock (injectable: rule tests are deterministic). */
  now: Date;
  config: NhiConfig;
}

export interface RuleDefinition {
  /** Equal to the file name under rules/, kebab-case. A public contract. */
  id: string;
  title: string;
  /** Default severity; a finding may carry its own (e.g. from the detector). */
  severity: Severity;
  /** Why it matters, in a paragraph or two (Markdown). */
  description: string;
  remediation: Remediation;
  owasp?: OwaspNhiId;
  references: string[];
  evaluate(inventory: Inventory, ctx: RuleContext): Finding[];
}

export type Rule = Readonly<RuleDefinition>;

export function defineRule(rule: RuleDefinition): Rule {
  return Object.freeze(rule);
}

export interface FindingInput {
  message: string;
  /** What identifies the finding (secret hash, resource id): never line numbers. */
  identity: string[];
  severity?: Severity;
  confidence?: Confidence;
  location?: Location;
  secret?: Finding['secret'];
  resource?: { id: string; kind: string; provider: Provider; name?: string };
  evidence?: Finding['evidence'];
  allowedInline?: boolean;
  secretHash?: string;
}

/** The one way findings are made: fingerprint, defaults and shape in one place. */
export function buildFinding(rule: Rule, input: FindingInput): Finding {
  const finding: Finding = {
    ruleId: rule.id,
    severity: input.severity ?? rule.severity,
    confidence: input.confidence ?? 'high',
    title: rule.title,
    message: input.message,
    fingerprint: fingerprintOf(rule.id, ...input.identity),
  };
  if (input.location) finding.location = input.location;
  if (input.secret) finding.secret = input.secret;
  if (input.resource) finding.resource = input.resource;
  if (input.evidence) finding.evidence = input.evidence;
  if (input.allowedInline) finding.allowedInline = true;
  if (input.secretHash) finding.secretHash = input.secretHash;
  return finding;
}
