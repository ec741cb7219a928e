import { describe, expect, it } from 'vitest';
import { emptyInventory, type Credential, type Identity, type Inventory, type ScanWarning, type SecretOccurrence } from '../core/model.js';
import type { WorkflowAttributes } from '../core/workflow.js';
import type { ScanResult } from '../scan/run.js';
import { summarizeInventory } from './inventory.js';
import { jsonReport } from './json.js';
import { decideOutcome } from './outcome.js';

const SECRET = ['ghp', '_', 'x'.repeat(36)].join('');

function identity(provider: Identity['provider'], kind: string, id: string, attributes?: Partial<WorkflowAttributes>): Identity {
  return { id, provider, scope: 'secret-scope', kind, name: `name-${id}`, tags: { owner: SECRET }, owners: [], attributes: attributes as Record<string, unknown> | undefined };
}
const wf = (platform: WorkflowAttributes['platform']): Partial<WorkflowAttributes> => ({ platform, triggers: [], env: [], jobs: [], secretRefs: [] });
const credential = (provider: Credential['provider'], kind: string, id: string): Credential => ({ id, handle: SECRET, provider, kind });
const occurrence = (detectorId: string): SecretOccurrence => ({
  detectorId,
  detectorTitle: 'T',
  severity: 'high',
  secretHash: 'h',
  fingerprintHash: 'f',
  redacted: 'ghp_…xxxx',
  location: { path: 'secret/path.txt', line: 1, column: 1 },
  origin: 'worktree',
  root: '/r',
});

const inventory: Inventory = {
  ...emptyInventory(),
  identities: [
    identity('github', 'workflow', '.github/workflows/b.yml', wf('github-actions')),
    identity('github', 'composite-action', '.github/actions/a/action.yml', wf('github-actions')),
    identity('aws', 'aws-iam-user', 'arn:user'),
    identity('github', 'workflow', '.github/workflows/a.yml', wf('github-actions')),
    identity('n8n', 'workflow', 'flows/x.json', wf('n8n')),
    identity('aws', 'aws-iam-role', 'arn:role'),
    // A `platform` alone is not a workflow: workflowAttributes() decides, as for the rules.
    identity('aws', 'aws-iam-role', 'arn:role2', { platform: 'n8n' }),
  ],
  credentials: [credential('aws', 'aws-access-key', 'AK1'), credential('aws', 'aws-access-key', 'AK2'), credential('n8n', 'n8n-credential', 'c1')],
  grants: [{ identityId: 'arn:role', effect: 'Allow', actions: ['*'], resources: ['*'], source: 'p' }],
  occurrences: [occurrence('github-pat-classic'), occurrence('aws-access-key'), occurrence('github-pat-classic')],
};
const warnings: ScanWarning[] = [
  { kind: 'parse-error', source: 'github-actions', path: 'secret/broken.yml', message: SECRET },
  { kind: 'binary', source: 'filesystem', path: 'a.png', message: 'binary file skipped' },
  { kind: 'parse-error', source: 'github-actions', path: 'b.yml', message: 'm' },
  { kind: 'binary', source: 'filesystem', path: 'b.png', message: 'binary file skipped' },
];

describe('the inventory summary', () => {
  it('counts identities, credentials and workflows by provider or platform and kind, with sorted keys', () => {
    const summary = summarizeInventory(inventory, warnings, 42);
    expect(summary).toEqual({
      identities: { total: 7, byProvider: { aws: { 'aws-iam-role': 2, 'aws-iam-user': 1 }, github: { 'composite-action': 1, workflow: 2 }, n8n: { workflow: 1 } } },
      credentials: { total: 3, byProvider: { aws: { 'aws-access-key': 2 }, n8n: { 'n8n-credential': 1 } } },
      grants: 1,
      secretOccurrences: { total: 3, byDetector: { 'aws-access-key': 1, 'github-pat-classic': 2 } },
      workflows: { total: 4, byPlatform: { 'github-actions': { 'composite-action': 1, workflow: 2 }, n8n: { workflow: 1 } } },
      files: 42,
      warnings: { total: 4, bySource: { filesystem: { binary: 2 }, 'github-actions': { 'parse-error': 2 } } },
    });
    // Stable text: key order is sorted whatever order the connectors produced things in.
    const text = JSON.stringify(summary);
    expect(text).toBe(JSON.stringify(summarizeInventory({ ...inventory, identities: [...inventory.identities].reverse(), credentials: [...inventory.credentials].reverse() }, [...warnings].reverse(), 42)));
    expect(Object.keys(summary.identities.byProvider)).toEqual(['aws', 'github', 'n8n']);
    expect(Object.keys(summary.identities.byProvider.github!)).toEqual(['composite-action', 'workflow']);
  });

  it('holds counts and kind names only: no id, name, path, tag, handle or message', () => {
    const text = JSON.stringify(summarizeInventory(inventory, warnings, 1));
    for (const leak of [SECRET, 'secret-scope', 'secret/', 'arn:', '.yml', 'name-', 'AK1', '"c1"', 'binary file skipped']) expect(text).not.toContain(leak);
  });

  it('is all zeros for an empty scan', () => {
    expect(summarizeInventory(emptyInventory())).toEqual({
      identities: { total: 0, byProvider: {} },
      credentials: { total: 0, byProvider: {} },
      grants: 0,
      secretOccurrences: { total: 0, byDetector: {} },
      workflows: { total: 0, byPlatform: {} },
      files: 0,
      warnings: { total: 0, bySource: {} },
    });
  });

  it('appears in the JSON report between summary and findings, from the scan result, within schema version 1', () => {
    const scan: ScanResult = { id: 'id', startedAt: 's', finishedAt: 'f', targets: [], stats: { files: 9, bytes: 0, durationMs: 0 }, warnings, inventory, findings: [] };
    const report = JSON.parse(jsonReport(decideOutcome(scan, { failOn: 'high', inlineAllow: true })));
    expect(report.schemaVersion).toBe(1);
    expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'scan', 'summary', 'inventory', 'findings']);
    expect(report.inventory).toEqual(summarizeInventory(inventory, warnings, 9));
  });
});
