import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding } from '../core/model.js';
import { SEVERITY } from '../core/severity.js';
import type { Rule } from '../engine/rule.js';
import { OWASP_NHI } from '../engine/rule.js';
import { TOOL } from '../version.js';
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

function result(f: Finding, ruleIndex: number): Result {
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
  if (f.location) {
    r.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.location.path), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.location.line, startColumn: f.location.column, ...(f.location.endLine ? { endLine: f.location.endLine } : {}) },
        },
      },
    ];
  } else if (f.resource) {
    r.locations = [{ logicalLocations: [{ name: f.resource.name ?? f.resource.id, fullyQualifiedName: f.resource.id, kind: f.resource.kind }] }];
  }
  return r;
}

/** SARIF 2.1.0 as GitHub code scanning accepts it. Rules are listed whether or not they fired. */
export function sarifReport(outcome: ScanOutcome, rules: readonly Rule[]): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL.name, version: TOOL.version, semanticVersion: TOOL.version, informationUri: TOOL.informationUri, rules: rules.map(ruleDescriptor) } },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The scanned folder' } } },
        results: outcome.findings.map((f) => result(f, index.get(f.ruleId) ?? -1)),
        invocations: [{ executionSuccessful: true, startTimeUtc: outcome.scan.startedAt, endTimeUtc: outcome.scan.finishedAt }],
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
