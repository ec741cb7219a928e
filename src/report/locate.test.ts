import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAccounts, discoverExports } from '../../connectors/aws-iam/offline.js';
import { normalizeAccount } from '../../connectors/aws-iam/normalize.js';
import { tempDir } from '../../test/helpers/cli.js';
import { emptyInventory, type Credential, type Finding, type Identity, type Inventory, type ScanWarning } from '../core/model.js';
import { RULES } from '../../rules/index.js';
import type { ScanResult } from '../scan/run.js';
import { jsonReport, toPublicFinding } from './json.js';
import { findingLocator } from './locate.js';
import { decideOutcome } from './outcome.js';
import { sarifReport } from './sarif.js';

const ACCOUNT = '111122223333';
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;
/** An access key id, assembled so that the repository's own scan does not take the test for a leak. */
const key = (suffix: string) => ['AK', 'IA', suffix].join('');

const user: Identity = {
  id: arn('user/ci'),
  provider: 'aws',
  scope: ACCOUNT,
  kind: 'aws-iam-user',
  name: 'ci',
  tags: {},
  owners: [],
  definedAt: { path: 'iam/auth.json', line: 7, column: 13 },
};
const apiRole: Identity = { id: arn('role/from-api'), provider: 'aws', scope: ACCOUNT, kind: 'aws-iam-role', name: 'from-api', tags: {}, owners: [] };
const listedKey: Credential = { id: key('TESTTESTTESTTEST'), handle: key('TESTTESTTESTTEST'), identityId: user.id, provider: 'aws', kind: 'aws-access-key', status: 'active', definedAt: { path: 'iam/keys.json', line: 5, column: 13 } };

function finding(over: Partial<Finding>): Finding {
  return { ruleId: 'privilege-escalation', severity: 'high', confidence: 'high', title: 't', message: 'm', fingerprint: '0'.repeat(32), ...over };
}

const resourceOf = (i: Identity) => ({ id: i.id, kind: i.kind, provider: 'aws' as const, name: i.name });
const findings: Finding[] = [
  finding({ fingerprint: 'a'.repeat(32), resource: resourceOf(user) }),
  finding({ ruleId: 'unrotated-credential', fingerprint: 'b'.repeat(32), resource: resourceOf(user), evidence: { accessKeyId: listedKey.handle! } }),
  finding({ ruleId: 'trust-any-principal', fingerprint: 'c'.repeat(32), resource: resourceOf(apiRole) }),
  finding({ ruleId: 'hardcoded-secret', fingerprint: 'd'.repeat(32), location: { path: 'src/app.py', line: 3, column: 10 }, secret: { type: 'x', redacted: 'x…1234' } }),
];

function outcome(list: Finding[], inventory: Inventory) {
  const scan: ScanResult = { id: 'id', startedAt: '2025-06-01T00:00:00.000Z', finishedAt: '2025-06-01T00:00:01.000Z', targets: [{ path: '.', connectors: ['aws-iam'] }], stats: { files: 0, bytes: 0, durationMs: 0 }, warnings: [], inventory, findings: list };
  return decideOutcome(scan, { failOn: 'high', inlineAllow: true });
}

const inventory: Inventory = { ...emptyInventory(), identities: [user, apiRole], credentials: [listedKey] };

describe('locations of findings about identities', () => {
  it('places a finding at its key when the evidence names a located one, else at its identity, else nowhere', () => {
    const locate = findingLocator(inventory);
    expect(findings.map(locate)).toEqual([user.definedAt, listedKey.definedAt, undefined, findings[3]!.location]);
    expect(findingLocator(undefined)(findings[0]!)).toBeUndefined();
  });

  it('adds `location` to resource findings in the JSON report and changes nothing else', () => {
    const report = JSON.parse(jsonReport(outcome(findings, inventory)));
    expect(report.schemaVersion).toBe(1);
    const [a, b, c, d] = report.findings;
    expect(a).toEqual({ ruleId: 'privilege-escalation', severity: 'high', confidence: 'high', title: 't', message: 'm', fingerprint: 'a'.repeat(32), location: user.definedAt, resource: resourceOf(user) });
    expect(b.location).toEqual(listedKey.definedAt);
    expect(c).not.toHaveProperty('location');
    expect(c.resource).toEqual(resourceOf(apiRole));
    expect(d.location).toEqual({ path: 'src/app.py', line: 3, column: 10 });
    // Fingerprints are what the rules made: locations never enter them.
    expect(report.findings.map((f: Finding) => f.fingerprint)).toEqual(findings.map((f) => f.fingerprint));
    // Findings read back from the store (no inventory) keep their shape.
    expect(toPublicFinding(findings[0]!)).not.toHaveProperty('location');
  });

  it('gives SARIF results a physical location at the defining line and the ARN as a logical location', () => {
    const run = JSON.parse(sarifReport(outcome(findings, inventory), RULES)).runs[0];
    const [a, b, c, d] = run.results;
    expect(a.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: 'iam/auth.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 7, startColumn: 13 } },
        logicalLocations: [{ name: 'ci', fullyQualifiedName: user.id, kind: 'resource', properties: { resourceKind: 'aws-iam-user', provider: 'aws' } }],
      },
    ]);
    expect(b.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'iam/keys.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 5, startColumn: 13 } });
    // Nothing in a file to point at: the logical location alone, as before.
    expect(c.locations).toEqual([{ logicalLocations: [{ name: 'from-api', fullyQualifiedName: apiRole.id, kind: 'resource', properties: { resourceKind: 'aws-iam-role', provider: 'aws' } }] }]);
    expect(d.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'src/app.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 10 } } }]);
    expect(run.results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints['nhi/v1'])).toEqual(findings.map((f) => f.fingerprint));
  });
});

describe('where the AWS export connector says identities and keys are defined', () => {
  const HEADER =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const reportRow = (name: string, keyActive: boolean) =>
    [name, name === '<root_account>' ? arn('root') : arn(`user/${name}`), '2024-01-01T00:00:00+00:00', 'false', 'N/A', 'N/A', 'N/A', 'false', String(keyActive), keyActive ? '2024-01-02T00:00:00+00:00' : 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'false', 'N/A'].join(',');

  async function collect(dir: string) {
    const warnings: ScanWarning[] = [];
    const ctx = { warn: (w: ScanWarning) => warnings.push(w) };
    const accounts = await loadAccounts(await discoverExports(dir, ctx), ctx);
    expect(warnings).toEqual([]);
    const items = accounts.flatMap((exp) => normalizeAccount(exp, { ownerTagKeys: ['owner'] }).items);
    const inv = emptyInventory();
    for (const item of items) {
      if (item.kind === 'identity') inv.identities.push(item.value);
      else if (item.kind === 'credential') inv.credentials.push(item.value);
    }
    const identity = (name: string) => inv.identities.find((i) => i.name === name)?.definedAt;
    const credential = (id: string) => inv.credentials.find((c) => c.id === id)?.definedAt;
    return { identity, credential };
  }

  it('finds entries in minified JSON and in a second page, CSV rows, and the base64 report at its Content', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'iam'));
    // A compact export (one line) and a second page of the same account, pretty-printed.
    const page1 = JSON.stringify({ UserDetailList: [{ UserName: 'ci', Arn: arn('user/ci'), UserPolicyList: [] }], RoleDetailList: [{ RoleName: 'app', Arn: arn('role/app'), InstanceProfileList: [{ InstanceProfileName: 'p', Roles: [{ RoleName: 'app', Arn: arn('role/app') }] }] }] });
    writeFileSync(join(dir, 'iam', 'page1.json'), page1);
    writeFileSync(join(dir, 'iam', 'page2.json'), JSON.stringify({ RoleDetailList: [{ Path: '/', RoleName: 'other', Arn: arn('role/other') }] }, null, 4));
    writeFileSync(join(dir, 'iam', 'keys.json'), JSON.stringify({ AccessKeyMetadata: [{ UserName: 'ci', AccessKeyId: key('CICICICICICICICI'), Status: 'Active' }] }, null, 4));
    writeFileSync(join(dir, 'iam', 'report.csv'), [HEADER, reportRow('<root_account>', true), reportRow('ci', true), reportRow('only-in-report', true)].join('\n') + '\n');
    const found = await collect(dir);
    expect(found.identity('ci')).toEqual({ path: 'iam/page1.json', line: 1, column: page1.indexOf('"UserName"') + 1 });
    // The role's own entry, not its copy inside the instance profile.
    expect(found.identity('app')).toEqual({ path: 'iam/page1.json', line: 1, column: page1.indexOf('"RoleName"') + 1 });
    expect(found.identity('other')).toEqual({ path: 'iam/page2.json', line: 5, column: 13 });
    expect(found.credential(key('CICICICICICICICI'))).toEqual({ path: 'iam/keys.json', line: 5, column: 13 });
    expect(found.identity('<root_account>')).toEqual({ path: 'iam/report.csv', line: 2, column: 1 });
    expect(found.credential(`${arn('root')}#key1`)).toEqual({ path: 'iam/report.csv', line: 2, column: 1 });
    expect(found.identity('only-in-report')).toEqual({ path: 'iam/report.csv', line: 4, column: 1 });
    expect(found.credential(`${arn('user/only-in-report')}#key1`)).toEqual({ path: 'iam/report.csv', line: 4, column: 1 });

    const json = tempDir();
    const csv = [HEADER, reportRow('<root_account>', true)].join('\n') + '\n';
    writeFileSync(join(json, 'report.json'), `{\n    "Content": "${Buffer.from(csv).toString('base64')}",\n    "ReportFormat": "text/csv"\n}\n`);
    expect((await collect(json)).identity('<root_account>')).toEqual({ path: 'report.json', line: 2, column: 5 });
  });
});
