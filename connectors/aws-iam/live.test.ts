import { DeleteUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScanWarning } from '../../src/core/model.js';
import {
  AUDIT_ROLE_ARN,
  CALLER_ARN,
  CALLER_CREDENTIALS,
  KEY_IDS,
  MAIN_ACCOUNT,
  SECOND_ACCOUNT,
  mainAccount,
  secondAccount,
} from '../../test/fake-aws/fixtures.js';
import { CREDENTIAL_REPORT_COLUMNS, STS_VERSION, faults, startFakeAws, type FakeAwsServer } from '../../test/fake-aws/iam-server.js';
import { ALLOWED_OPERATIONS, ForbiddenOperationError, collectLive, createClients, type LiveOptions } from './live.js';
import type { AwsAccountExport } from './types.js';

const PAGE_SIZE = 2;
const SESSION_SECRET = 'fake-session-secret-for-local-test-server-only';

let server: FakeAwsServer;
/** Every warning of every test, for the final "no secret in warnings" check. */
const allWarnings: ScanWarning[] = [];

beforeAll(async () => {
  server = await startFakeAws({
    accounts: [mainAccount, secondAccount],
    principals: { [CALLER_CREDENTIALS.accessKeyId]: { accountId: MAIN_ACCOUNT, arn: CALLER_ARN, userId: 'AIDAFAKENHISCANNER01' } },
    assumableRoles: [AUDIT_ROLE_ARN],
    pageSize: PAGE_SIZE,
    reportStartedCalls: 1,
  });
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => server.reset());

function options(extra: Partial<LiveOptions> = {}): LiveOptions {
  return {
    endpoint: server.url,
    credentials: { ...CALLER_CREDENTIALS },
    assumeRoles: [],
    concurrency: 4,
    retry: { maxAttempts: 4, baseDelayMs: 0 },
    credentialReport: { attempts: 5, delayMs: 0 },
    ...extra,
  };
}

async function collect(extra: Partial<LiveOptions> = {}): Promise<{ exports: AwsAccountExport[]; warnings: ScanWarning[] }> {
  const warnings: ScanWarning[] = [];
  const exports = await collectLive(options(extra), (w) => warnings.push(w));
  allWarnings.push(...warnings);
  return { exports, warnings };
}

function only(exports: AwsAccountExport[]): AwsAccountExport {
  expect(exports).toHaveLength(1);
  return exports[0] as AwsAccountExport;
}

const MAIN_KEYS = mainAccount.users.reduce((n, u) => n + u.keys.length, 0);
const count = (action: string) => server.actions().filter((a) => a === action).length;

describe('aws-iam live mode against the fake IAM/STS endpoint', () => {
  it('uses fixture key ids in AWS format (AKIA + 16 of [A-Z2-7])', () => {
    for (const id of Object.values(KEY_IDS)) expect(id).toMatch(/^AKIA[A-Z2-7]{16}$/);
  });

  it('merges every page of GetAccountAuthorizationDetails, keeping AWS shapes (URL-encoded documents, ISO dates)', async () => {
    const { exports, warnings } = await collect();
    expect(warnings).toEqual([]);
    const account = only(exports);
    expect(account.accountId).toBe(MAIN_ACCOUNT);

    const details = account.authorizationDetails;
    expect(details?.UserDetailList?.map((u) => u.UserName)).toEqual(mainAccount.users.map((u) => u.name));
    expect(details?.GroupDetailList?.map((g) => g.GroupName)).toEqual(['admins']);
    expect(details?.RoleDetailList?.map((r) => r.RoleName)).toEqual(mainAccount.roles.map((r) => r.name));
    expect(details?.Policies?.map((p) => p.PolicyName)).toEqual(['AdministratorAccess', 'DeployPolicy']);
    const entries = mainAccount.users.length + mainAccount.groups.length + mainAccount.roles.length + mainAccount.policies.length;
    expect(count('GetAccountAuthorizationDetails')).toBe(Math.ceil(entries / PAGE_SIZE));
    // Each page after the first carried the previous page's Marker.
    const markers = server.requests.filter((r) => r.action === 'GetAccountAuthorizationDetails').map((r) => r.params.Marker);
    expect(markers[0]).toBeUndefined();
    expect(markers.slice(1).every((m) => typeof m === 'string' && m.length > 0)).toBe(true);

    const ci = details?.UserDetailList?.find((u) => u.UserName === 'ci-deployer');
    expect(ci).toMatchObject({
      Path: '/machine/',
      Arn: `arn:aws:iam::${MAIN_ACCOUNT}:user/machine/ci-deployer`,
      CreateDate: '2021-05-10T12:00:00.000Z',
      Tags: [
        { Key: 'owner', Value: 'platform-team' },
        { Key: 'purpose', Value: 'deploys from CI' },
      ],
      AttachedManagedPolicies: [{ PolicyName: 'DeployPolicy', PolicyArn: `arn:aws:iam::${MAIN_ACCOUNT}:policy/DeployPolicy` }],
    });
    // Policy documents stay as the API returns them: URL-encoded JSON strings.
    const inline = ci?.UserPolicyList?.[0]?.PolicyDocument;
    expect(typeof inline).toBe('string');
    expect(inline).toMatch(/^%7B%22Version%22/);
    expect(JSON.parse(decodeURIComponent(inline as string))).toEqual(mainAccount.users[0]?.inlinePolicies?.[0]?.document);

    const alice = details?.UserDetailList?.find((u) => u.UserName === 'alice');
    expect(alice?.GroupList).toEqual(['admins']);

    const github = details?.RoleDetailList?.find((r) => r.RoleName === 'github-deploy');
    expect(github?.RoleLastUsed).toEqual({ LastUsedDate: '2024-06-11T12:00:00.000Z', Region: 'eu-west-1' });
    expect(github?.Tags).toEqual([{ Key: 'owner', Value: 'platform-team' }]);
    const trust = JSON.parse(decodeURIComponent(github?.AssumeRolePolicyDocument as string));
    expect(trust.Statement[0].Condition.StringLike['token.actions.githubusercontent.com:sub']).toBe('repo:example-org/app:ref:refs/heads/main');
    // A role never assumed: AWS returns an empty RoleLastUsed.
    expect(details?.RoleDetailList?.find((r) => r.RoleName === 'lambda-exec')?.RoleLastUsed).toEqual({});
    expect(details?.RoleDetailList?.find((r) => r.RoleName === 'anyone-can-assume')?.InstanceProfileList?.[0]?.InstanceProfileName).toBe('anyone-profile');

    const deploy = details?.Policies?.find((p) => p.PolicyName === 'DeployPolicy');
    expect(deploy?.PolicyVersionList?.[0]).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });
    expect(JSON.parse(decodeURIComponent(deploy?.PolicyVersionList?.[0]?.Document as string))).toEqual(mainAccount.policies[1]?.document);
    expect(account.sources.authorizationDetails).toContain('GetAccountAuthorizationDetails');
  });

  it('polls GenerateCredentialReport until COMPLETE and decodes the base64 report to CSV', async () => {
    const { exports, warnings } = await collect();
    expect(warnings).toEqual([]);
    const csv = only(exports).credentialReportCsv ?? '';
    expect(count('GenerateCredentialReport')).toBe(2); // STARTED, then COMPLETE
    expect(count('GetCredentialReport')).toBe(1);
    const lines = csv.split('\n');
    expect(lines[0]?.split(',')).toEqual([...CREDENTIAL_REPORT_COLUMNS]);
    expect(lines[0]?.split(',')).toHaveLength(22);
    expect(lines[1]).toMatch(/^<root_account>,arn:aws:iam::111111111111:root,/);
    expect(lines.find((l) => l.startsWith('alice,'))).toContain(',true,'); // password and MFA
    expect(lines.every((l) => l.split(',').length === 22)).toBe(true);
  });

  it('warns when the credential report is not ready within the polling budget, and collects the rest', async () => {
    const { exports, warnings } = await collect({ credentialReport: { attempts: 1, delayMs: 0 } });
    const account = only(exports);
    expect(account.credentialReportCsv).toBeUndefined();
    expect(account.authorizationDetails?.UserDetailList).toHaveLength(mainAccount.users.length);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'unreadable', source: 'aws-iam', path: `aws:${MAIN_ACCOUNT}` });
    expect(warnings[0]?.message).toMatch(/not ready/);
  });

  it('keeps polling when GetCredentialReport still answers ReportInProgress after COMPLETE', async () => {
    server.faults.push({ action: 'GetCredentialReport', times: 1, response: { status: 404, type: 'Sender', code: 'ReportInProgress', message: 'Report is in progress' } });
    const { exports, warnings } = await collect();
    expect(warnings).toEqual([]);
    expect(only(exports).credentialReportCsv).toContain('<root_account>');
    expect(count('GetCredentialReport')).toBe(2);
  });

  it('lists every key with its last use: a date, never used (null), or unknown after a failed call (undefined)', async () => {
    const { exports, warnings } = await collect();
    expect(warnings).toEqual([]);
    const keys = only(exports).accessKeys ?? [];
    const expected = mainAccount.users.flatMap((u) => u.keys.map((k) => k.id));
    expect(keys.map((k) => k.AccessKeyId).sort()).toEqual([...expected].sort());
    expect(count('ListUsers')).toBe(Math.ceil(mainAccount.users.length / PAGE_SIZE));
    expect(count('ListAccessKeys')).toBe(mainAccount.users.length);
    expect(count('GetAccessKeyLastUsed')).toBe(expected.length);

    const byId = new Map(keys.map((k) => [k.AccessKeyId, k]));
    expect(byId.get(KEY_IDS.CI_ACTIVE)).toEqual({
      UserName: 'ci-deployer',
      AccessKeyId: KEY_IDS.CI_ACTIVE,
      Status: 'Active',
      CreateDate: '2022-01-15T08:30:00.000Z',
      LastUsed: { LastUsedDate: '2024-06-01T10:00:00.000Z', ServiceName: 's3', Region: 'eu-west-1' },
    });
    expect(byId.get(KEY_IDS.CI_INACTIVE)?.Status).toBe('Inactive');
    // Never used: no LastUsedDate from AWS → null (not undefined, which means "not known").
    expect(byId.get(KEY_IDS.ALICE_NEVER_USED)?.LastUsed).toEqual({ LastUsedDate: null, ServiceName: 'N/A', Region: 'N/A' });

    server.reset();
    server.faults.push({ action: 'GetAccessKeyLastUsed', times: 1, response: { status: 403, type: 'Sender', code: 'AccessDenied', message: 'not authorized to perform: iam:GetAccessKeyLastUsed' } });
    const second = await collect();
    const after = only(second.exports).accessKeys ?? [];
    expect(after).toHaveLength(expected.length);
    const unknown = after.filter((k) => k.LastUsed === undefined);
    expect(unknown).toHaveLength(1);
    expect(after.filter((k) => k.LastUsed?.LastUsedDate === null).map((k) => k.AccessKeyId)).toEqual(
      unknown[0]?.AccessKeyId === KEY_IDS.ALICE_NEVER_USED ? [] : [KEY_IDS.ALICE_NEVER_USED],
    );
    expect(second.warnings).toHaveLength(1);
    expect(second.warnings[0]?.message).toMatch(/GetAccessKeyLastUsed failed for 1 of 5 keys: AccessDenied \(HTTP 403\)/);
  });

  it('retries throttling (400 Throttling, 429), 503 and dropped connections with backoff, and then succeeds', async () => {
    server.faults.push(
      faults.unavailable('GetCallerIdentity', 1),
      faults.throttling('GetAccountAuthorizationDetails', 2),
      faults.tooManyRequests('ListUsers', 2),
      faults.close('ListAccessKeys', 1),
      { action: 'GetCredentialReport', times: 1, response: { status: 400, type: 'Sender', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } },
    );
    const started = Date.now();
    const { exports, warnings } = await collect();
    expect(warnings).toEqual([]);
    const account = only(exports);
    expect(account.authorizationDetails?.UserDetailList).toHaveLength(mainAccount.users.length);
    expect(account.credentialReportCsv).toContain('<root_account>');
    expect(account.accessKeys).toHaveLength(MAIN_KEYS);
    expect(count('GetCallerIdentity')).toBe(2);
    expect(count('GetAccountAuthorizationDetails')).toBe(Math.ceil(12 / PAGE_SIZE) + 2);
    expect(count('ListUsers')).toBe(Math.ceil(mainAccount.users.length / PAGE_SIZE) + 2);
    expect(count('ListAccessKeys')).toBe(mainAccount.users.length + 1);
    expect(count('GetCredentialReport')).toBe(2);
    expect(server.faults.every((f) => f.times === 0)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('backs off between retries by the configured base delay', async () => {
    server.faults.push(faults.throttling('GetCallerIdentity', 2));
    const started = Date.now();
    await collect({ retry: { maxAttempts: 3, baseDelayMs: 100 } });
    // Retry 1 waits 50–100 ms, retry 2 waits 100–200 ms (exponential with equal jitter).
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1_000); // not the SDK's default 1 s throttling base
    expect(count('GetCallerIdentity')).toBe(3);
  });

  it('turns a persistent 503 on one action into one warning for the account and collects the rest', async () => {
    server.faults.push(faults.unavailable('GetCredentialReport'));
    const { exports, warnings } = await collect();
    const account = only(exports);
    expect(account.credentialReportCsv).toBeUndefined();
    expect(account.sources.credentialReport).toBeUndefined();
    expect(account.authorizationDetails?.RoleDetailList).toHaveLength(mainAccount.roles.length);
    expect(account.accessKeys).toHaveLength(MAIN_KEYS);
    expect(count('GetCredentialReport')).toBe(4); // maxAttempts
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'unreadable', source: 'aws-iam', path: `aws:${MAIN_ACCOUNT}` });
    expect(warnings[0]?.message).toMatch(/iam:GetCredentialReport failed: ServiceUnavailable \(HTTP 503\).*after 4 attempts/);
  });

  it('turns AccessDenied into a warning without retrying, and collects the rest', async () => {
    server.faults.push(faults.accessDenied('GetAccountAuthorizationDetails'), faults.accessDenied('ListAccessKeys'));
    const { exports, warnings } = await collect();
    const account = only(exports);
    expect(account.authorizationDetails).toBeUndefined();
    expect(account.accessKeys).toBeUndefined();
    expect(account.credentialReportCsv).toContain('ci-deployer');
    expect(count('GetAccountAuthorizationDetails')).toBe(1);
    expect(warnings.map((w) => w.message).sort()).toEqual([
      expect.stringMatching(/^iam:GetAccountAuthorizationDetails failed: AccessDenied \(HTTP 403\): User: .* is not authorized/),
      expect.stringMatching(/^iam:ListAccessKeys failed for 5 of 5 users .*AccessDenied.*access keys of this account are missing/),
    ]);
    expect(warnings.every((w) => w.path === `aws:${MAIN_ACCOUNT}`)).toBe(true);
  });

  it('keeps the pages it cannot read out of the export when the connection keeps dropping', async () => {
    server.faults.push(faults.close('ListUsers'));
    const { exports, warnings } = await collect({ retry: { maxAttempts: 2, baseDelayMs: 0 } });
    const account = only(exports);
    expect(account.accessKeys).toBeUndefined();
    expect(account.authorizationDetails?.UserDetailList).toHaveLength(mainAccount.users.length);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/^iam:ListUsers failed: .*(ECONNRESET|socket hang up)/);
  });

  it('assumes a role into a second account and collects it with the temporary credentials', async () => {
    const { exports, warnings } = await collect({ assumeRoles: [AUDIT_ROLE_ARN] });
    expect(warnings).toEqual([]);
    expect(exports.map((e) => e.accountId).sort()).toEqual([MAIN_ACCOUNT, SECOND_ACCOUNT]);
    const second = exports.find((e) => e.accountId === SECOND_ACCOUNT) as AwsAccountExport;
    expect(second.authorizationDetails?.UserDetailList?.map((u) => u.UserName)).toEqual(['batch-exporter']);
    expect(second.authorizationDetails?.RoleDetailList?.map((r) => r.RoleName)).toEqual(['nhi-audit']);
    expect(second.accessKeys?.map((k) => k.AccessKeyId)).toEqual([KEY_IDS.BATCH]);
    expect(second.credentialReportCsv).toContain(`arn:aws:iam::${SECOND_ACCOUNT}:root`);

    const assume = server.requests.filter((r) => r.action === 'AssumeRole');
    expect(assume).toHaveLength(1);
    expect(assume[0]?.params).toMatchObject({ RoleArn: AUDIT_ROLE_ARN, RoleSessionName: 'nhi-audit', Version: STS_VERSION });
    expect(assume[0]?.accessKeyId).toBe(CALLER_CREDENTIALS.accessKeyId);
    // Everything about the second account was signed with the temporary (ASIA…) key.
    const secondRequests = server.requests.filter((r) => r.accountId === SECOND_ACCOUNT);
    expect(secondRequests.length).toBeGreaterThan(5);
    expect(secondRequests.every((r) => /^ASIA[A-Z2-7]{16}$/.test(r.accessKeyId ?? ''))).toBe(true);
  });

  it('warns for a role it cannot assume and still collects the caller account', async () => {
    const missing = `arn:aws:iam::${SECOND_ACCOUNT}:role/not-trusted`;
    const { exports, warnings } = await collect({ assumeRoles: [missing] });
    expect(exports.map((e) => e.accountId)).toEqual([MAIN_ACCOUNT]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'unreadable', source: 'aws-iam', path: `aws:${missing}` });
    expect(warnings[0]?.message).toMatch(/^sts:AssumeRole failed: AccessDenied \(HTTP 403\)/);
  });

  it('bounds the API calls in flight per account by the configured concurrency', async () => {
    server.latencyMs = 15;
    const { warnings } = await collect({ concurrency: 2 });
    expect(warnings).toEqual([]);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
    expect(server.maxInFlight).toBe(2);
  });

  it('sends only operations of ALLOWED_OPERATIONS, and uses all of them', async () => {
    server.faults.push(faults.throttling('ListAccessKeys', 1));
    await collect({ assumeRoles: [AUDIT_ROLE_ARN] });
    const sent = new Set(server.requests.map((r) => `${r.version === STS_VERSION ? 'sts' : 'iam'}:${r.action}`));
    for (const op of sent) expect(ALLOWED_OPERATIONS).toContain(op);
    expect([...sent].sort()).toEqual([...ALLOWED_OPERATIONS].sort());
    expect(server.requests.every((r) => r.signedService === (r.version === STS_VERSION ? 'sts' : 'iam'))).toBe(true);
    for (const op of ALLOWED_OPERATIONS) expect(op).toMatch(/^(iam:(Get|List|Generate)\w+|sts:(GetCallerIdentity|AssumeRole))$/);
  });

  it('refuses an operation outside the allow-list before any request reaches the server', async () => {
    const { iam, sts } = createClients({ endpoint: server.url, retry: { maxAttempts: 1 } }, { ...CALLER_CREDENTIALS });
    try {
      await expect(iam.send(new DeleteUserCommand({ UserName: 'alice' }))).rejects.toThrow(ForbiddenOperationError);
      await expect(iam.send(new DeleteUserCommand({ UserName: 'alice' }))).rejects.toThrow(/refusing to send iam:DeleteUser/);
      await expect(sts.send(new GetSessionTokenCommand({}))).rejects.toThrow(/refusing to send sts:GetSessionToken/);
      expect(server.requests).toHaveLength(0);
      // The same guarded client does send allowed reads.
      const users = await iam.send(new ListUsersCommand({}));
      expect(users.Users?.length).toBe(PAGE_SIZE);
      expect(server.actions()).toEqual(['ListUsers']);
    } finally {
      iam.destroy();
      sts.destroy();
    }
  });

  it('reports bad credentials once and clearly, without echoing the secret', async () => {
    // Built at run time: no literal credential in the repository (nhi scans itself).
    const wrong = ['fake', 'wrong', 'value', 'never', 'to', 'be', 'printed'].join('-');
    const unknownKeyId = ['AK', 'IA', 'FAKEUNKNOWNKEY23'].join('');
    const { exports, warnings } = await collect({ credentials: { accessKeyId: unknownKeyId, secretAccessKey: wrong } });
    expect(exports).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'unreadable', source: 'aws-iam', path: 'aws:caller' });
    expect(warnings[0]?.message).toMatch(/the given AWS credentials were rejected by sts:GetCallerIdentity \(InvalidClientTokenId \(HTTP 403\)/);
    expect(warnings[0]?.message).not.toContain(wrong);
    expect(server.actions()).toEqual(['GetCallerIdentity']);
  });

  it('says so when no credentials can be loaded at all', async () => {
    const provider = async () => {
      const error = new Error('Could not load credentials from any providers');
      error.name = 'CredentialsProviderError';
      throw error;
    };
    const { exports, warnings } = await collect({ credentials: provider });
    expect(exports).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/^no usable AWS credentials: the given AWS credentials could not be loaded \(CredentialsProviderError: Could not load credentials/);
    expect(server.requests).toHaveLength(0);
  });

  it('scrubs secret values from warnings even when an error message echoes them', async () => {
    server.faults.push(
      { action: 'GetAccountAuthorizationDetails', accountId: MAIN_ACCOUNT, response: { status: 400, type: 'Sender', code: 'InvalidInput', message: `bad request signed with ${CALLER_CREDENTIALS.secretAccessKey}` } },
      { action: 'ListUsers', accountId: SECOND_ACCOUNT, response: { status: 400, type: 'Sender', code: 'InvalidInput', message: `session ${SESSION_SECRET}` } },
    );
    const { warnings } = await collect({ assumeRoles: [AUDIT_ROLE_ARN] });
    expect(warnings).toHaveLength(2);
    expect(warnings.every((w) => w.message.includes('[redacted]'))).toBe(true);
  });

  it('never put a secret access key or session token in any warning', () => {
    expect(allWarnings.length).toBeGreaterThan(5);
    for (const w of allWarnings) {
      const text = JSON.stringify(w);
      expect(text).not.toContain(CALLER_CREDENTIALS.secretAccessKey);
      expect(text).not.toContain(SESSION_SECRET);
      expect(text).not.toMatch(/fake-session-token/);
    }
  });
});
