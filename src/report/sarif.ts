import type { Location as SarifLocation, Log, LogicalLocation, ReportingDescriptor, Result } from 'sarif';
import type { Finding, Location } from '../core/model.js';
import { SEVERITY } from '../core/severity.js';
import type { Rule } from '../engine/rule.js';
import { OWASP_NHI } from '../engine/rule.js';
import { TOOL } from '../version.js';
import { findingLocator } from './locate.js';
import type { ScanOutcome } from './outcome.js';

function ruleDescriptor(rule: Rule): ReportingDescriptor {
  const steps = rule.remediation.steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
  const owasp = rule.owasp ? `\n\nOWASP NHI Top 10: ${rule.owasp} ${OWASP_NHI[rule.owasp]}` : '';
  return {
    id: rule.id,
    name: rule.id
      .split('-')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description.replace(/\s*\n\s*/g, ' ') },
    help: {
      text: `${rule.remediation.summary}\n\n${steps}${owasp}`,
      markdown: `${rule.description}\n\n**Remediation.** ${rule.remediation.summary}\n\n${steps}${owasp}\n\n${rule.references.map((r) => `- ${r}`).join('\n')}`,
    },
    ...(rule.references[0] ? { helpUri: rule.references[0] } : {}),
    defaultConfiguration: { level: SEVERITY[rule.severity].sarifLevel },
    properties: {
      tags: ['security', 'secrets', ...(rule.owasp ? [`owasp-nhi/${rule.owasp}`] : [])],
      precision: 'high',
      'security-severity': SEVERITY[rule.severity].securitySeverity,
    },
  };
}

/**
 * Where the result is: the file location (for a finding about an identity, the export entry that
 * defines it, see ./locate.ts), plus, when the finding is about an identity, its ARN as a logical
 * location. Without any file to point at (identities read from an API) only the logical location.
 */
function locationOf(f: Finding, at: Location | undefined): SarifLocation | undefined {
  const logical: LogicalLocation[] | undefined = f.resource
    ? [{ name: f.resource.name ?? f.resource.id, fullyQualifiedName: f.resource.id, kind: 'resource', properties: { resourceKind: f.resource.kind, provider: f.resource.provider } }]
    : undefined;
  if (!at) return logical ? { logicalLocations: logical } : undefined;
  return {
    physicalLocation: {
      artifactLocation: { uri: encodeURI(at.path), uriBaseId: '%SRCROOT%' },
      region: { startLine: at.line, startColumn: at.column, ...(at.endLine ? { endLine: at.endLine } : {}) },
    },
    ...(logical ? { logicalLocations: logical } : {}),
  };
}

function result(f: Finding, ruleIndex: number, at: Location | undefined): Result {
  const r: Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: SEVERITY[f.severity].sarifLevel,
    message: { text: f.message },
    partialFingerprints: { 'nhi/v1': f.fingerprint },
    properties: {
      severity: f.severity,
      'security-severity': SEVERITY[f.severity].securitySeverity,
      ...(f.secret ? { secretType: f.secret.type, redacted: f.secret.redacted } : {}),
      ...(f.location?.commit ? { commit: f.location.commit.sha } : {}),
    },
  };
  const location = locationOf(f, at);
  if (location) r.locations = [location];
  return r;
}

/**
 * SARIF 2.1.0 as GitHub code scanning accepts it. Rules are listed whether or not they fired.
 * Findings about identities read from files get a physical location too (the export entry).
 */
export function sarifReport(outcome: ScanOutcome, rules: readonly Rule[]): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const locate = findingLocator(outcome.scan.inventory);
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL.name, version: TOOL.version, semanticVersion: TOOL.version, informationUri: TOOL.informationUri, rules: rules.map(ruleDescriptor) } },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The scanned folder' } } },
        results: outcome.findings.map((f) => result(f, index.get(f.ruleId) ?? -1, locate(f))),
        invocations: [{ executionSuccessful: true, startTimeUtc: outcome.scan.startedAt, endTimeUtc: outcome.scan.finishedAt }],
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
