import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AwsRoleAttributes, AwsUserAttributes, PolicyDocument } from '../../src/core/aws.js';
import type { Credential, Grant, Identity, ScanWarning } from '../../src/core/model.js';
import { decodePolicyDocument, grantsOf, normalizeAccount, parseCredentialReport, trustedPrincipals, type NormalizeResult } from './normalize.js';
import { discoverExports, loadAccounts } from './offline.js';
import type { AwsAccountExport } from './types.js';

/** An access key id, assembled so that the repository's own scan does not take the test for a leak. */
const key = (suffix: string) => ['AK', 'IA', suffix].join('');
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/aws/acme', import.meta.url));
const ACCOUNT = '111122223333';
const NOW = new Date('2025-06-01T00:00:00Z');
const OWNER_KEYS = ['owner', 'team', 'owner-email', 'contact'];
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

/** A credential report row: the 22 columns, with `over` replacing the defaults (no password, no keys). */
function row(user: string, over: Record<string, string> = {}): string {
  const defaults: Record<string, string> = {
    user,
    arn: user === '<root_account>' ? arn('root') : arn(`user/${user}`),
    user_creation_time: '2024-01-01T00:00:00+00:00',
    password_enabled: 'false',
    password_last_used: 'N/A',
    password_last_changed: 'N/A',
    password_next_rotation: 'N/A',
    mfa_active: 'false',
  };
  for (const n of [1, 2]) Object.assign(defaults, { [`access_key_${n}_active`]: 'false', [`access_key_${n}_last_rotated`]: 'N/A', [`access_key_${n}_last_used_date`]: 'N/A', [`access_key_${n}_last_used_region`]: 'N/A', [`access_key_${n}_last_used_service`]: 'N/A', [`cert_${n}_active`]: 'false', [`cert_${n}_last_rotated`]: 'N/A' });
  const values = { ...defaults, ...over };
  return HEADER.split(',').map((c) => values[c]).join(',');
}
const report = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

function split(result: NormalizeResult) {
  const identities = new Map<string, Identity>();
  const credentials: Credential[] = [];
  const grants: Grant[] = [];
  for (const item of result.items) {
    if (item.kind === 'identity') identities.set(item.value.name, item.value);
    else if (item.kind === 'credential') credentials.push(item.value);
    else if (item.kind === 'grant') grants.push(item.value);
  }
  const credsOf = (id: string) => credentials.filter((c) => c.identityId === id);
  const grantsOfId = (id: string) => grants.filter((g) => g.identityId === id);
  return { identities, credentials, grants, credsOf, grantsOf: grantsOfId, warnings: result.warnings };
}

const normalize = (exp: Partial<AwsAccountExport>, options: { ownerTagKeys?: string[]; now?: Date } = {}) =>
  split(normalizeAccount({ accountId: ACCOUNT, sources: {}, ...exp }, { ownerTagKeys: options.ownerTagKeys ?? OWNER_KEYS, now: options.now ?? NOW }));

describe('the acme fixture account', () => {
  let acme: ReturnType<typeof split>;
  beforeAll(async () => {
    const warnings: ScanWarning[] = [];
    const ctx = { warn: (w: ScanWarning) => warnings.push(w) };
    const [exp] = await loadAccounts(await discoverExports(FIXTURE, ctx), ctx);
    expect(warnings).toEqual([]);
    acme = split(normalizeAccount(exp!, { ownerTagKeys: OWNER_KEYS, now: NOW }));
  });
  const user = (name: string) => acme.identities.get(name)!;
  const attrs = (name: string) => user(name).attributes as unknown as AwsUserAttributes;
  const role = (name: string) => acme.identities.get(name)!;
  const roleAttrs = (name: string) => role(name).attributes as unknown as AwsRoleAttributes;

  it('has no warnings and every identity of the account', () => {
    expect(acme.warnings).toEqual([]);
    const byKind = (kind: string) => [...acme.identities.values()].filter((i) => i.kind === kind).map((i) => i.name).sort();
    expect(byKind('aws-iam-user')).toEqual(['alice', 'carol', 'ci-deploy', 'iam-helper', 'legacy-batch']);
    expect(byKind('aws-iam-role')).toEqual(['AWSServiceRoleForSupport', 'break-glass-admin', 'github-any-repo', 'github-deploy', 'legacy-cross-account', 'order-processor-lambda', 'partner-audit', 'reporting-export']);
    expect(byKind('aws-root')).toEqual(['<root_account>']);
    for (const i of acme.identities.values()) {
      expect(i.provider).toBe('aws');
      expect(i.scope).toBe(ACCOUNT);
      expect(i.id).toMatch(/^arn:aws:iam::111122223333:/);
    }
  });

  it('tells the human from the machines', () => {
    const alice = user('alice');
    expect(alice.id).toBe(arn('user/alice'));
    expect(alice.looksHuman).toBe(true);
    expect(attrs('alice')).toMatchObject({ passwordEnabled: true, mfaActive: true, passwordLastUsed: '2025-05-28T08:02:11.000Z', groups: ['developers'], path: '/' });
    expect(alice.lastUsed).toBe('2025-05-28T08:02:11.000Z');
    expect(alice.created).toBe('2021-04-12T08:30:00.000Z');
    for (const name of ['ci-deploy', 'legacy-batch', 'iam-helper']) expect(user(name).looksHuman, name).toBe(false);
    expect(user('carol').looksHuman).toBe(true); // console password, even though its use is unknown
  });

  it('reads owners from tags whose key matches case-insensitively', () => {
    expect(user('alice').owners).toEqual([{ owner: 'alice@acme.example', source: 'tag:Owner' }]);
    expect(user('ci-deploy').owners).toEqual([{ owner: 'platform', source: 'tag:team' }]);
    expect(user('carol').owners).toEqual([{ owner: 'data', source: 'tag:Team' }]);
    expect(user('legacy-batch').owners).toEqual([]);
    expect(role('legacy-cross-account').owners).toEqual([]);
    expect(role('partner-audit').owners).toEqual([{ owner: 'security-team', source: 'tag:owner' }]);
    expect(user('ci-deploy').tags).toEqual({ team: 'platform', purpose: 'ci' });
  });

  it('joins list-access-keys with the report slots: one old key in use, one never used', () => {
    const keys = acme.credsOf(arn('user/machine/ci-deploy'));
    expect(keys.map((k) => k.kind)).toEqual(['aws-access-key', 'aws-access-key']);
    const [old, fresh] = keys;
    expect(old).toMatchObject({ id: key('6FGVKQSJYQ7WXYGV'), handle: key('6FGVKQSJYQ7WXYGV'), status: 'active', created: '2023-01-10T09:15:00.000Z', lastRotated: '2023-01-10T09:15:00.000Z', lastUsed: '2025-05-30T23:10:00.000Z', attributes: { slot: 1, lastUsedRegion: 'us-east-1', lastUsedService: 's3' } });
    expect(fresh).toMatchObject({ id: key('UJ5GLQEWTCDIWSGM'), handle: key('UJ5GLQEWTCDIWSGM'), status: 'active', created: '2025-04-01T12:00:00.000Z', attributes: { slot: 2 } });
    expect(fresh!.lastUsed).toBeNull(); // N/A on an active key: never used
    expect(user('ci-deploy').lastUsed).toBe('2025-05-30T23:10:00.000Z');
    expect(attrs('ci-deploy').path).toBe('/machine/');
  });

  it('prefers GetAccessKeyLastUsed data when the export carries it', () => {
    const [active, inactive] = acme.credsOf(arn('user/legacy-batch'));
    expect(active).toMatchObject({ id: key('PLPE2SYZ435YFYIC'), status: 'active', lastUsed: '2024-01-15T04:00:00.000Z', attributes: { slot: 1, lastUsedRegion: 'eu-west-1', lastUsedService: 'sqs' } });
    expect(inactive).toMatchObject({ id: key('NASUYEJPCG4ITHQN'), status: 'inactive', lastUsed: null, attributes: { slot: 2 } });
    expect(inactive!.attributes).not.toHaveProperty('lastUsedRegion');
  });

  it('makes key credentials from report slots when list-access-keys does not cover the user', () => {
    const [key] = acme.credsOf(arn('user/iam-helper'));
    expect(key).toMatchObject({ id: `${arn('user/iam-helper')}#key1`, kind: 'aws-access-key', status: 'active', created: '2025-01-05T14:05:00.000Z', lastUsed: '2025-05-31T10:00:00.000Z', attributes: { slot: 1, lastUsedService: 'iam' } });
    expect(key!.handle).toBeUndefined();
    expect(acme.credsOf(arn('user/iam-helper'))).toHaveLength(1); // slot 2 holds no key
  });

  it('keeps an unknown password use (no_information) apart from never', () => {
    expect(attrs('carol').passwordEnabled).toBe(true);
    expect(attrs('carol').passwordLastUsed).toBeUndefined();
    expect(user('carol').lastUsed).toBeUndefined();
    const [password] = acme.credsOf(arn('user/carol'));
    expect(password).toMatchObject({ id: `${arn('user/carol')}#password`, kind: 'aws-console-password', lastRotated: '2014-06-02T10:00:00.000Z', status: 'active' });
    expect(password!.lastUsed).toBeUndefined();
    expect(acme.credsOf(arn('user/alice'))).toEqual([expect.objectContaining({ kind: 'aws-console-password', lastUsed: '2025-05-28T08:02:11.000Z', expires: '2025-08-29T10:00:00.000Z' })]);
    expect(attrs('ci-deploy').passwordLastUsed).toBeNull(); // N/A: no password, never used
  });

  it('has the root account with its access key', () => {
    const root = user('<root_account>');
    expect(root).toMatchObject({ id: arn('root'), kind: 'aws-root', created: '2018-02-01T12:00:00.000Z', lastUsed: '2025-02-10T09:00:00.000Z' });
    expect((root.attributes as unknown as AwsUserAttributes).mfaActive).toBe(true);
    expect(acme.credsOf(arn('root'))).toEqual([expect.objectContaining({ id: `${arn('root')}#key1`, kind: 'aws-access-key', status: 'active', created: '2018-02-02T08:00:00.000Z', lastUsed: '2023-11-20T16:42:00.000Z' })]);
  });

  it('decodes URL-encoded inline policies and keeps Deny with NotResource', () => {
    const inline = acme.grantsOf(arn('user/machine/ci-deploy')).filter((g) => g.source === 'inline:artifacts-bucket');
    expect(inline).toEqual([
      { identityId: arn('user/machine/ci-deploy'), effect: 'Allow', actions: ['s3:PutObject', 's3:GetObject'], resources: ['arn:aws:s3:::acme-artifacts/*'], source: 'inline:artifacts-bucket' },
      { identityId: arn('user/machine/ci-deploy'), effect: 'Deny', actions: ['s3:*'], resources: [], conditions: { NotResource: ['arn:aws:s3:::acme-artifacts', 'arn:aws:s3:::acme-artifacts/*'] }, source: 'inline:artifacts-bucket' },
    ]);
  });

  it('uses only the default version of a managed policy', () => {
    const deploy = acme.grantsOf(arn('user/machine/ci-deploy')).filter((g) => g.source === arn('policy/DeployPolicy'));
    expect(deploy.map((g) => [g.effect, g.actions])).toEqual([
      ['Allow', ['cloudformation:*', 'lambda:UpdateFunctionCode', 's3:PutObject']],
      ['Allow', ['iam:PassRole']],
      ['Deny', ['iam:CreateUser', 'iam:CreateAccessKey']],
    ]);
    expect(deploy[1]!.conditions).toEqual({ Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } });
    expect(acme.grants.some((g) => g.actions.includes('*') && g.source === arn('policy/DeployPolicy'))).toBe(false); // v1 is not the default
    expect(acme.grantsOf(arn('role/github-deploy')).filter((g) => g.source === arn('policy/DeployPolicy'))).toHaveLength(3);
  });

  it('gives users the policies of their groups', () => {
    const helper = acme.grantsOf(arn('user/iam-helper'));
    expect(helper).toContainEqual({ identityId: arn('user/iam-helper'), effect: 'Allow', actions: ['iam:*'], resources: ['*'], source: 'group:iam-admins/inline:iam-everything' });
    expect(helper.filter((g) => g.source === `group:iam-admins/${arn('policy/ReportingRead')}`)).toHaveLength(1); // a JSON-string document
    expect(attrs('iam-helper').groups).toEqual(['iam-admins']);
    expect(attrs('iam-helper').managedPolicies).toEqual([arn('policy/ReportingRead')]);
    // ReadOnlyAccess is not carried: no grant, and noted as unresolved.
    expect(acme.grantsOf(arn('user/alice'))).toEqual([]);
    expect(attrs('alice').unresolvedPolicies).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
  });

  it('resolves the AWS-managed policies it carries', () => {
    expect(acme.grantsOf(arn('role/break-glass-admin'))).toEqual([{ identityId: arn('role/break-glass-admin'), effect: 'Allow', actions: ['*'], resources: ['*'], source: 'arn:aws:iam::aws:policy/AdministratorAccess' }]);
    const power = acme.grantsOf(arn('role/github-any-repo'));
    expect(power[0]).toEqual({ identityId: arn('role/github-any-repo'), effect: 'Allow', actions: [], resources: ['*'], conditions: { NotAction: ['iam:*', 'organizations:*', 'account:*'] }, source: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    expect(acme.grantsOf(arn('role/service-role/order-processor-lambda')).map((g) => g.source)).toEqual(['inline:orders-table', 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
    expect(roleAttrs('partner-audit').unresolvedPolicies).toEqual(['arn:aws:iam::aws:policy/SecurityAudit']);
    expect(acme.grantsOf(arn('role/partner-audit'))).toEqual([]);
  });

  it('reads trust policies: services, other accounts, any principal, OIDC providers', () => {
    expect(role('order-processor-lambda').trustedBy).toEqual(['lambda.amazonaws.com']);
    expect(roleAttrs('order-processor-lambda').trustPolicy).toMatchObject({ Version: '2012-10-17', Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] }); // decoded from URL encoding
    expect(role('partner-audit').trustedBy).toEqual(['arn:aws:iam::444455556666:root']);
    expect(role('legacy-cross-account').trustedBy).toEqual(['*']);
    expect(role('break-glass-admin').trustedBy).toEqual([arn('root')]);
    const oidc = arn('oidc-provider/token.actions.githubusercontent.com');
    expect(role('github-deploy').trustedBy).toEqual([oidc]);
    expect(role('github-any-repo').trustedBy).toEqual([oidc]);
    const conditionOf = (name: string) => (roleAttrs(name).trustPolicy.Statement as Array<{ Condition?: Record<string, Record<string, unknown>> }>)[0]!.Condition!;
    expect(conditionOf('github-deploy').StringLike).toEqual({ 'token.actions.githubusercontent.com:sub': 'repo:acme/webapp:ref:refs/heads/main' });
    expect(JSON.stringify(conditionOf('github-any-repo'))).not.toContain(':sub');
  });

  it('marks service-linked roles and reads role use', () => {
    expect(roleAttrs('AWSServiceRoleForSupport').serviceLinked).toBe(true);
    expect(roleAttrs('order-processor-lambda').serviceLinked).toBe(false); // /service-role/ is not service-linked
    expect(role('order-processor-lambda').lastUsed).toBe('2025-05-31T22:14:09.000Z');
    expect(roleAttrs('order-processor-lambda').roleLastUsedRegion).toBe('us-east-1');
    expect(role('reporting-export').lastUsed).toBeNull(); // RoleLastUsed: {} = never
    expect(roleAttrs('reporting-export').instanceProfiles).toEqual([arn('instance-profile/reporting-export')]);
    expect(roleAttrs('reporting-export').maxSessionDuration).toBe(3600);
  });
});

describe('credential report parsing', () => {
  it('reads the 22 columns with N/A, no_information and not_supported', () => {
    const { rows, problems } = parseCredentialReport(
      report(
        row('<root_account>', { password_enabled: 'not_supported', password_last_used: 'no_information', password_last_changed: 'not_supported', password_next_rotation: 'not_supported', mfa_active: 'true' }),
        row('a', { access_key_1_active: 'true', access_key_1_last_rotated: '2024-02-02T10:00:00+00:00', access_key_1_last_used_date: 'N/A' }),
        row('b', { access_key_2_active: 'true', access_key_2_last_rotated: '2024-02-02T10:00:00+00:00', access_key_2_last_used_date: 'no_information', cert_1_active: 'true', cert_1_last_rotated: '2024-01-01T00:00:00+00:00' }),
      ),
    );
    expect(problems).toEqual([]);
    const [root, a, b] = rows;
    expect(root).toMatchObject({ isRoot: true, passwordEnabled: undefined, passwordLastUsed: undefined, mfaActive: true, keys: [] });
    expect(a!.keys).toEqual([{ slot: 1, active: true, lastRotated: '2024-02-02T10:00:00.000Z', lastUsed: null }]);
    expect(a!.passwordLastUsed).toBeNull();
    expect(b!.keys).toHaveLength(1);
    expect(b!.keys[0]!.slot).toBe(2);
    expect(b!.keys[0]!.lastUsed).toBeUndefined();
    expect('lastUsed' in b!.keys[0]!).toBe(true);
    expect(b!.activeCertificates).toBe(1);
  });

  it('rejects text that is not a credential report and names bad rows', () => {
    expect(() => parseCredentialReport('user,arn\n"unterminated,x\n')).toThrow(/not valid CSV/);
    expect(() => parseCredentialReport('a,b\n1,2\n')).toThrow(/no user and arn/);
    expect(parseCredentialReport(report(row('ok'), row('bad', { arn: 'nonsense' }))).problems).toEqual(['credential report row 3: no valid ARN']);
  });
});

describe('policy documents', () => {
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };
  it('accepts objects, JSON strings and URL-encoded JSON', () => {
    expect(decodePolicyDocument(doc)).toEqual(doc);
    expect(decodePolicyDocument(JSON.stringify(doc))).toEqual(doc);
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc, null, 2)))).toEqual(doc);
  });
  it('names what is wrong', () => {
    expect(() => decodePolicyDocument('%7B%22Version')).toThrow(/not JSON/);
    expect(() => decodePolicyDocument('%E0%A4%A')).toThrow(/does not decode/);
    expect(() => decodePolicyDocument('{"Version":"2012-10-17"}')).toThrow(/no Statement/);
    expect(() => decodePolicyDocument(42)).toThrow(/not a JSON object/);
  });
  it('normalises Action and Resource to arrays and keeps conditions', () => {
    const grants = grantsOf('id', { Statement: { Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:x', Condition: { Bool: { 'aws:SecureTransport': 'false' } } } }, 'inline:x');
    expect(grants).toEqual([{ identityId: 'id', effect: 'Deny', actions: [], resources: [], conditions: { NotAction: ['iam:*'], NotResource: ['arn:x'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }, source: 'inline:x' }]);
    expect(grantsOf('id', { Statement: [{ Effect: 'Allow' } as never, { Effect: 'Maybe', Action: '*' } as never] }, 's')).toEqual([]);
  });
  it('lists trusted principals of Allow statements only, account ids as root ARNs', () => {
    const trust: PolicyDocument = {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ['123456789012', 'arn:aws:iam::444455556666:role/x'], Service: ['ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: '999999999999' }, Action: 'sts:AssumeRole' },
      ],
    };
    expect(trustedPrincipals(trust)).toEqual(['arn:aws:iam::123456789012:root', 'arn:aws:iam::444455556666:role/x', 'ec2.amazonaws.com', '*']);
    expect(trustedPrincipals({ Statement: [{ Effect: 'Allow', Principal: { AWS: '123456789012' } }] }, 'aws-cn')).toEqual(['arn:aws-cn:iam::123456789012:root']);
  });
});

describe('normalizeAccount', () => {
  const userDetail = (name: string, extra: object = {}) => ({ UserName: name, Arn: arn(`user/${name}`), Path: '/', CreateDate: '2024-01-01T00:00:00Z', ...extra });

  it('makes one key credential per report slot when there is no list-access-keys', () => {
    const r = normalize({
      authorizationDetails: { UserDetailList: [userDetail('svc')] },
      credentialReportCsv: report(row('svc', { access_key_1_active: 'true', access_key_1_last_rotated: '2024-01-02T00:00:00+00:00', access_key_1_last_used_date: 'no_information', access_key_2_active: 'true', access_key_2_last_rotated: '2024-03-02T00:00:00+00:00' })),
    });
    const keys = r.credsOf(arn('user/svc'));
    expect(keys.map((k) => [k.id, k.lastUsed, k.handle])).toEqual([
      [`${arn('user/svc')}#key1`, undefined, undefined],
      [`${arn('user/svc')}#key2`, null, undefined],
    ]);
    expect(r.identities.get('svc')!.lastUsed).toBeUndefined(); // one key's use is unknown, none known
    expect(r.identities.get('svc')!.looksHuman).toBe(false);
  });

  it('joins keys to slots by creation time whatever their order, else by order', () => {
    const csv = report(row('svc', { access_key_1_active: 'true', access_key_1_last_rotated: '2024-01-02T00:00:00+00:00', access_key_1_last_used_date: '2024-05-01T00:00:00+00:00', access_key_2_active: 'true', access_key_2_last_rotated: '2024-03-02T00:00:00+00:00' }));
    const keys = [
      { UserName: 'svc', AccessKeyId: key('NZK55NYSZJ25FR3M'), Status: 'Active' as const, CreateDate: '2024-03-02T00:00:00Z' },
      { UserName: 'svc', AccessKeyId: key('HCXNY422TQ3RFTAU'), Status: 'Active' as const, CreateDate: '2024-01-02T00:00:00Z' },
    ];
    const r = normalize({ authorizationDetails: { UserDetailList: [userDetail('svc')] }, credentialReportCsv: csv, accessKeys: keys });
    const byId = new Map(r.credsOf(arn('user/svc')).map((c) => [c.id, c]));
    expect(byId.get(key('HCXNY422TQ3RFTAU'))).toMatchObject({ lastUsed: '2024-05-01T00:00:00.000Z', attributes: { slot: 1 } });
    expect(byId.get(key('NZK55NYSZJ25FR3M'))).toMatchObject({ lastUsed: null, attributes: { slot: 2 } });
    // Creation times that do not match: paired by creation order against slot order.
    const shifted = keys.map((k) => ({ ...k, CreateDate: k.CreateDate.replace('T00:00:00Z', 'T00:00:05Z') }));
    const r2 = normalize({ authorizationDetails: { UserDetailList: [userDetail('svc')] }, credentialReportCsv: csv, accessKeys: shifted });
    expect(new Map(r2.credsOf(arn('user/svc')).map((c) => [c.id, c.attributes?.slot]))).toEqual(new Map([[key('NZK55NYSZJ25FR3M'), 2], [key('HCXNY422TQ3RFTAU'), 1]]));
    // Without a report, a listed key's use is unknown.
    const r3 = normalize({ authorizationDetails: { UserDetailList: [userDetail('svc')] }, accessKeys: keys });
    expect(r3.credsOf(arn('user/svc')).map((c) => c.lastUsed)).toEqual([undefined, undefined]);
    expect(r3.identities.get('svc')!.looksHuman).toBeUndefined();
  });

  it('treats a missing RoleLastUsed as unknown and an empty one as never', () => {
    const role = (name: string, extra: object) => ({ RoleName: name, Arn: arn(`role/${name}`), Path: '/', AssumeRolePolicyDocument: { Statement: [] }, ...extra });
    const r = normalize({ authorizationDetails: { RoleDetailList: [role('a', {}), role('b', { RoleLastUsed: {} }), role('c', { RoleLastUsed: { LastUsedDate: '2025-01-01T00:00:00Z' } })] } });
    expect(r.identities.get('a')!.lastUsed).toBeUndefined();
    expect(r.identities.get('b')!.lastUsed).toBeNull();
    expect(r.identities.get('c')!.lastUsed).toBe('2025-01-01T00:00:00.000Z');
  });

  it('warns about undecodable documents and missing default versions, and goes on', () => {
    const r = normalize({
      sources: { authorizationDetails: 'auth.json' },
      authorizationDetails: {
        UserDetailList: [userDetail('u', { UserPolicyList: [{ PolicyName: 'bad', PolicyDocument: '%7B%22Statement' }, { PolicyName: 'good', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }], AttachedManagedPolicies: [{ PolicyArn: arn('policy/NoDefault') }] })],
        RoleDetailList: [{ RoleName: 'r', Arn: arn('role/r'), AssumeRolePolicyDocument: 'not json' }],
        Policies: [{ Arn: arn('policy/NoDefault'), PolicyVersionList: [{ Document: { Statement: [] }, VersionId: 'v1', IsDefaultVersion: false }] }],
      },
    });
    expect(r.warnings.map((w) => w.message)).toEqual([
      `managed policy ${arn('policy/NoDefault')}: no default version in PolicyVersionList`,
      `${arn('user/u')}: inline policy bad: policy document is not JSON`,
      `${arn('role/r')}: trust policy: policy document is not JSON`,
    ]);
    expect(r.warnings.every((w) => w.kind === 'parse-error' && w.source === 'aws-iam' && w.path === 'auth.json')).toBe(true);
    expect(r.grantsOf(arn('user/u')).map((g) => g.source)).toEqual(['inline:good']);
    expect(r.identities.get('r')!.trustedBy).toEqual([]);
    expect((r.identities.get('u')!.attributes as unknown as AwsUserAttributes).unresolvedPolicies).toEqual([arn('policy/NoDefault')]);
  });

  it('uses the configured owner tag keys', () => {
    const r = normalize({ authorizationDetails: { UserDetailList: [userDetail('u', { Tags: [{ Key: 'CostCenter', Value: 'cc-1' }, { Key: 'owner', Value: 'x' }, { Key: 'Steward', Value: ' ' }] })] } }, { ownerTagKeys: ['costcenter', 'steward'] });
    expect(r.identities.get('u')!.owners).toEqual([{ owner: 'cc-1', source: 'tag:CostCenter' }]);
  });

  it('keeps users known only from the report, and tells a recent password use apart from an old one', () => {
    const r = normalize({
      credentialReportCsv: report(
        row('recent', { arn: arn('user/ops/recent'), password_last_used: '2025-05-01T00:00:00+00:00' }),
        row('old', { password_last_used: '2023-01-01T00:00:00+00:00' }),
        row('never'),
      ),
    });
    expect(r.identities.get('recent')).toMatchObject({ id: arn('user/ops/recent'), kind: 'aws-iam-user', looksHuman: true, lastUsed: '2025-05-01T00:00:00.000Z' });
    expect((r.identities.get('recent')!.attributes as unknown as AwsUserAttributes).path).toBe('/ops/');
    expect(r.identities.get('old')!.looksHuman).toBe(false);
    expect(r.identities.get('never')!.lastUsed).toBeNull(); // no password, no keys: never used
    expect(r.credentials).toEqual([]);
  });

  it('reports a credential report that is not CSV and still normalises the rest', () => {
    const r = normalize({ sources: { credentialReport: 'report.csv' }, credentialReportCsv: 'user,arn\n"broken', authorizationDetails: { UserDetailList: [userDetail('u')] } });
    expect(r.warnings).toEqual([expect.objectContaining({ kind: 'parse-error', path: 'report.csv', message: expect.stringMatching(/not valid CSV/) })]);
    expect(r.identities.get('u')!.looksHuman).toBeUndefined();
  });
});
