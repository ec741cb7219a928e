import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanWarning } from '../../src/core/model.js';
import { runScan } from '../../src/scan/run.js';
import { awsIamConnector } from './index.js';
import { discoverExports, loadAccounts, sniffExport } from './offline.js';

/** An access key id, assembled so that the repository's own scan does not take the test for a leak. */
const key = (suffix: string) => ['AK', 'IA', suffix].join('');
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/aws/acme', import.meta.url));
const ACCOUNT = '111122223333';
const OPTIONS = { history: false, staged: false, maxFileSize: Infinity };

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-aws-'));
  temps.push(dir);
  return dir;
}
/** A copy of the acme fixture in a fresh folder. */
function acmeCopy(): string {
  const dir = tempDir();
  cpSync(FIXTURE, join(dir, 'acme'), { recursive: true });
  return dir;
}
function collector() {
  const warnings: ScanWarning[] = [];
  return { warnings, ctx: { warn: (w: ScanWarning) => warnings.push(w) } };
}

const REPORT_CSV = readFileSync(join(FIXTURE, 'credential-report.csv'), 'utf8');
const HEADER = REPORT_CSV.split('\n')[0]!;

describe('sniffing', () => {
  it('recognises each export by its start, in .json and .csv files only', () => {
    expect(sniffExport('a.json', '{\n    "UserDetailList": [')).toBe('authorization-details');
    expect(sniffExport('a.json', '\uFEFF{"RoleDetailList": []')).toBe('authorization-details');
    expect(sniffExport('a.JSON', '{ "AccessKeyMetadata": [] }')).toBe('access-keys');
    expect(sniffExport('r.json', '{\n    "Content": "dXNlcixhcm4s')).toBe('credential-report-json');
    expect(sniffExport('r.json', '{"ReportFormat": "text/csv", "Content": "x"}')).toBe('credential-report-json');
    expect(sniffExport('r.csv', `${HEADER}\n`)).toBe('credential-report');
    expect(sniffExport('r.txt', `${HEADER}\n`)).toBeUndefined();
    expect(sniffExport('x.csv', 'user,name\n')).toBeUndefined();
    expect(sniffExport('x.json', '{"Content": 3}')).toBeUndefined();
    expect(sniffExport('x.json', '["UserDetailList"]')).toBeUndefined();
    expect(sniffExport('package.json', '{"name": "x"}')).toBeUndefined();
  });
});

describe('discovery and loading', () => {
  it('finds the exports of the acme fixture and nothing else', async () => {
    const { warnings, ctx } = collector();
    const files = await discoverExports(FIXTURE, ctx);
    expect(files.map((f) => [f.path, f.kind])).toEqual([
      ['authorization-details.json', 'authorization-details'],
      ['credential-report.csv', 'credential-report'],
      ['access-keys/ci-deploy.json', 'access-keys'],
      ['access-keys/legacy-batch.json', 'access-keys'],
    ]);
    const accounts = await loadAccounts(files, ctx);
    expect(warnings).toEqual([]);
    expect(accounts).toHaveLength(1);
    const [acme] = accounts;
    expect(acme!.accountId).toBe(ACCOUNT);
    expect(acme!.sources).toEqual({ authorizationDetails: 'authorization-details.json', credentialReport: 'credential-report.csv', accessKeys: 'access-keys/ci-deploy.json, access-keys/legacy-batch.json' });
    expect(acme!.authorizationDetails!.UserDetailList).toHaveLength(5);
    expect(acme!.credentialReportCsv).toBe(REPORT_CSV);
    expect(acme!.accessKeys!.map((k) => k.AccessKeyId)).toEqual([key('6FGVKQSJYQ7WXYGV'), key('UJ5GLQEWTCDIWSGM'), key('PLPE2SYZ435YFYIC'), key('NASUYEJPCG4ITHQN')]);
  });

  it('honours .gitignore and accepts a single file as the target', async () => {
    const dir = acmeCopy();
    writeFileSync(join(dir, '.gitignore'), 'acme/access-keys/\n');
    const files = await discoverExports(dir, collector().ctx);
    expect(files.map((f) => f.path)).toEqual(['acme/authorization-details.json', 'acme/credential-report.csv']);
    const single = await discoverExports(join(FIXTURE, 'credential-report.csv'), collector().ctx);
    expect(single.map((f) => [f.path, f.kind])).toEqual([['credential-report.csv', 'credential-report']]);
  });

  it('decodes the raw get-credential-report JSON', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ Content: Buffer.from(REPORT_CSV).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: '2025-06-01T00:00:00+00:00' }, null, 4));
    const { warnings, ctx } = collector();
    const accounts = await loadAccounts(await discoverExports(dir, ctx), ctx);
    expect(warnings).toEqual([]);
    expect(accounts.map((a) => [a.accountId, a.credentialReportCsv, a.sources.credentialReport])).toEqual([[ACCOUNT, REPORT_CSV, 'report.json']]);
  });

  it('groups files by account and gives list-access-keys to the account whose users they name', async () => {
    const dir = acmeCopy();
    const other = REPORT_CSV.split('\n').slice(0, 1).concat(['svc-other,arn:aws:iam::444455556666:user/svc-other,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-01-02T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A', '']).join('\n');
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'other', 'report.csv'), other);
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ AccessKeyMetadata: [{ UserName: 'svc-other', AccessKeyId: key('NZK55NYSZJ25FR3M'), Status: 'Active', CreateDate: '2024-01-02T00:00:00Z' }] }));
    const { warnings, ctx } = collector();
    const accounts = await loadAccounts(await discoverExports(dir, ctx), ctx);
    expect(warnings).toEqual([]);
    expect(accounts.map((a) => a.accountId)).toEqual([ACCOUNT, '444455556666']);
    expect(accounts[1]!.accessKeys!.map((k) => k.AccessKeyId)).toEqual([key('NZK55NYSZJ25FR3M')]);
    expect(accounts[1]!.sources).toEqual({ credentialReport: 'other/report.csv', accessKeys: 'keys.json' });
    expect(accounts[0]!.accessKeys).toHaveLength(4);
  });

  it('warns once per broken file, naming it and the problem, and keeps the rest', async () => {
    const dir = acmeCopy();
    const auth = readFileSync(join(FIXTURE, 'authorization-details.json'), 'utf8');
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'truncated-auth.json'), auth.slice(0, 3000));
    writeFileSync(join(dir, 'broken', 'wrong-shape-auth.json'), '{"UserDetailList": {"not": "a list"}}');
    writeFileSync(join(dir, 'broken', 'bad-report.csv'), `${HEADER}\nalice,"arn:aws:iam::111122223333:user/alice,unterminated\n`);
    writeFileSync(join(dir, 'broken', 'bad-keys.json'), '{"AccessKeyMetadata": [{"Status": "Active"}]}');
    writeFileSync(join(dir, 'broken', 'report-not-base64.json'), '{"Content": "%%%not base64%%%", "ReportFormat": "text/csv"}');
    writeFileSync(join(dir, 'broken', 'report-wrong-format.json'), '{"Content": "", "ReportFormat": "text/html"}');
    writeFileSync(join(dir, 'broken', 'empty-keys.json'), '{"AccessKeyMetadata": [');
    const { warnings, ctx } = collector();
    const accounts = await loadAccounts(await discoverExports(dir, ctx), ctx);
    const byPath = Object.fromEntries(warnings.map((w) => [w.path, w.message]));
    expect(warnings.every((w) => w.kind === 'parse-error' && w.source === 'aws-iam')).toBe(true);
    expect(Object.keys(byPath).sort()).toEqual(['broken/bad-keys.json', 'broken/bad-report.csv', 'broken/empty-keys.json', 'broken/report-not-base64.json', 'broken/report-wrong-format.json', 'broken/truncated-auth.json', 'broken/wrong-shape-auth.json']);
    expect(warnings).toHaveLength(7);
    expect(byPath['broken/truncated-auth.json']).toMatch(/^broken\/truncated-auth\.json: truncated JSON/);
    expect(byPath['broken/empty-keys.json']).toMatch(/truncated JSON/);
    expect(byPath['broken/wrong-shape-auth.json']).toMatch(/UserDetailList is not a list/);
    expect(byPath['broken/bad-report.csv']).toMatch(/not valid CSV/);
    expect(byPath['broken/bad-keys.json']).toMatch(/AccessKeyMetadata\[0\] has no AccessKeyId or UserName/);
    expect(byPath['broken/report-not-base64.json']).toMatch(/not base64/);
    expect(byPath['broken/report-wrong-format.json']).toMatch(/text\/html is not text\/csv/);
    // The good files are all still there.
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.sources).toEqual({ authorizationDetails: 'acme/authorization-details.json', credentialReport: 'acme/credential-report.csv', accessKeys: 'acme/access-keys/ci-deploy.json, acme/access-keys/legacy-batch.json' });
  });

  it('warns about access keys whose account cannot be told', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ AccessKeyMetadata: [{ UserName: 'x', AccessKeyId: key('NZK55NYSZJ25FR3M'), Status: 'Active' }] }));
    const { warnings, ctx } = collector();
    expect(await loadAccounts(await discoverExports(dir, ctx), ctx)).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ kind: 'parse-error', path: 'keys.json', message: expect.stringMatching(/without an authorization-details export or credential report/) })]);
  });
});

describe('files that only look like exports', () => {
  it('leaves out, without a warning, well-formed JSON that mentions export keys only deeper down (an SDK model, API examples)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'iam.examples.json'), JSON.stringify({ version: '1.0', examples: { ListAccessKeys: [{ output: { AccessKeyMetadata: [] } }] } }));
    writeFileSync(join(dir, 'iam.model.json'), JSON.stringify({ shapes: { GetAccountAuthorizationDetailsResponse: { members: { UserDetailList: {}, RoleDetailList: {} } } } }));
    const { warnings, ctx } = collector();
    const files = await discoverExports(dir, ctx);
    expect(files.length).toBe(2); // the sniffer cannot tell from the start alone
    expect(await loadAccounts(files, ctx)).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('the aws-iam connector', () => {
  it('applies to folders holding exports only, and not to diff-only scans', async () => {
    expect(await awsIamConnector.applies({ root: FIXTURE, display: FIXTURE }, OPTIONS)).toBe(true);
    expect(await awsIamConnector.applies({ root: FIXTURE, display: FIXTURE }, { ...OPTIONS, staged: true })).toBe(false);
    const empty = tempDir();
    writeFileSync(join(empty, 'package.json'), '{"name": "x"}');
    expect(await awsIamConnector.applies({ root: empty, display: empty }, OPTIONS)).toBe(false);
    // Not cached as "nothing here": exports written later are found by the next scan (a scan is one options object).
    cpSync(join(FIXTURE, 'credential-report.csv'), join(empty, 'report.csv'));
    expect(await awsIamConnector.applies({ root: empty, display: empty }, { ...OPTIONS })).toBe(true);
  });

  it('puts the account into the inventory through runScan', async () => {
    const dir = acmeCopy();
    writeFileSync(join(dir, 'acme', 'truncated.json'), '{"RoleDetailList": [{"RoleName": "x"');
    const result = await runScan({ paths: [dir], options: OPTIONS, keys: { store: Buffer.from('a'), fingerprint: Buffer.from('b') }, jobs: 1, now: new Date('2025-06-01T00:00:00Z') });
    expect(result.targets).toEqual([{ path: dir, connectors: expect.arrayContaining(['filesystem', 'aws-iam']) }]);
    const aws = result.inventory.identities.filter((i) => i.provider === 'aws');
    expect(aws.map((i) => i.id).sort()).toEqual(
      [
        'root',
        'user/alice',
        'user/machine/ci-deploy',
        'user/legacy-batch',
        'user/iam-helper',
        'user/carol',
        'role/service-role/order-processor-lambda',
        'role/partner-audit',
        'role/legacy-cross-account',
        'role/github-deploy',
        'role/github-any-repo',
        'role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport',
        'role/break-glass-admin',
        'role/reporting-export',
      ]
        .map((r) => `arn:aws:iam::${ACCOUNT}:${r}`)
        .sort(),
    );
    const keys = result.inventory.credentials.filter((c) => c.kind === 'aws-access-key');
    expect(keys.map((k) => k.id).sort()).toEqual([key('6FGVKQSJYQ7WXYGV'), key('NASUYEJPCG4ITHQN'), key('PLPE2SYZ435YFYIC'), key('UJ5GLQEWTCDIWSGM'), `arn:aws:iam::${ACCOUNT}:root#key1`, `arn:aws:iam::${ACCOUNT}:user/iam-helper#key1`].sort());
    expect(result.inventory.credentials.filter((c) => c.kind === 'aws-console-password').map((c) => c.identityId).sort()).toEqual([`arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:user/carol`]);
    expect(result.inventory.grants.some((g) => g.identityId === `arn:aws:iam::${ACCOUNT}:role/break-glass-admin` && g.actions.includes('*'))).toBe(true);
    expect(result.warnings.filter((w) => w.source === 'aws-iam')).toEqual([expect.objectContaining({ kind: 'parse-error', path: 'acme/truncated.json' })]);
  });
});
