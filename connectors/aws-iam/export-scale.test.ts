/**
 * Exports the way large accounts are exported: one list-access-keys file per user (thousands of
 * small files), and the synthetic account of `npm run bench` (scripts/bench-aws.mjs) at a small size.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AwsAccessKeyAttributes } from '../../src/core/aws.js';
import type { InventoryItem } from '../../src/core/connector.js';
import type { Credential, ScanWarning } from '../../src/core/model.js';
import { runScan } from '../../src/scan/run.js';
import { isoDate, normalizeAccount, parseCredentialReport } from './normalize.js';
import { discoverExports, loadAccounts, SNIFF_BYTES } from './offline.js';

const ACCOUNT = '111122223333';
const OPTIONS = { history: false, staged: false, maxFileSize: Infinity };
/** A syntactically valid access key id, assembled so that the repository's own scan does not take it for a leak. */
const keyId = (n: number) => ['AK', 'IA', `TESTKEY${String(n).padStart(9, '0')}`.replace(/[0189]/g, (d) => 'ABCD'['0189'.indexOf(d)]!)].join('');
const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-aws-scale-'));
  temps.push(dir);
  return dir;
}
const credentials = (items: InventoryItem[]): Credential[] => items.flatMap((i) => (i.kind === 'credential' ? [i.value] : []));
function collector() {
  const warnings: ScanWarning[] = [];
  return { warnings, ctx: { warn: (w: ScanWarning) => warnings.push(w) } };
}

/** A credential report and one list-access-keys file per user, two keys each. */
function perUserExport(users: number): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'access-keys'));
  const rows = [HEADER];
  for (let u = 0; u < users; u++) {
    const name = `svc-${u}`;
    rows.push(`${name},arn:aws:iam::${ACCOUNT}:user/${name},2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-01-02T00:00:00+00:00,N/A,N/A,N/A,true,2024-02-02T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A`);
    const keys = [0, 1].map((k) => ({ UserName: name, AccessKeyId: keyId(u * 2 + k), Status: 'Active', CreateDate: k === 0 ? '2024-01-02T00:00:00+00:00' : '2024-02-02T00:00:00+00:00' }));
    writeFileSync(join(dir, 'access-keys', `${name}.json`), JSON.stringify({ AccessKeyMetadata: keys }, null, 4));
  }
  writeFileSync(join(dir, 'credential-report.csv'), rows.join('\n'));
  return dir;
}

describe('one list-access-keys file per user', () => {
  it('lists each key in the file that names it, not in every file of the account', async () => {
    const dir = perUserExport(300);
    // The same key listed again in a second file (an export taken twice): both files list it.
    writeFileSync(join(dir, 'again.json'), JSON.stringify({ AccessKeyMetadata: [{ UserName: 'svc-7', AccessKeyId: keyId(14), Status: 'Active', CreateDate: '2024-01-02T00:00:00+00:00' }] }));
    const { warnings, ctx } = collector();
    const [exp] = await loadAccounts(await discoverExports(dir, ctx), ctx);
    expect(warnings).toEqual([]);
    expect(exp!.accessKeys).toHaveLength(601);
    const { items } = normalizeAccount(exp!, { ownerTagKeys: ['owner'], now: new Date('2025-01-01T00:00:00Z') });
    const listedIn = new Map(credentials(items).filter((c) => c.handle).map((c) => [c.handle, (c.attributes as AwsAccessKeyAttributes).listedIn]));
    expect(listedIn.size).toBe(600);
    expect(listedIn.get(keyId(0))).toEqual(['access-keys/svc-0.json']);
    expect(listedIn.get(keyId(599))).toEqual(['access-keys/svc-299.json']);
    expect([...listedIn.get(keyId(14))!].sort()).toEqual(['access-keys/svc-7.json', 'again.json']);
  });

  it('lists keys of an export assembled in code under every key source, as before', () => {
    const csv = [HEADER, `svc-0,arn:aws:iam::${ACCOUNT}:user/svc-0,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-01-02T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`].join('\n');
    const { items } = normalizeAccount(
      { accountId: ACCOUNT, credentialReportCsv: csv, accessKeys: [{ UserName: 'svc-0', AccessKeyId: keyId(1), Status: 'Active', CreateDate: '2024-01-02T00:00:00+00:00' }], sources: { credentialReport: 'r.csv', accessKeys: 'a.json, b.json' } },
      { ownerTagKeys: [] },
    );
    const key = credentials(items).find((c) => c.handle === keyId(1));
    expect((key!.attributes as AwsAccessKeyAttributes).listedIn).toEqual(['a.json', 'b.json']);
  });

  it('reads a small export file once, at discovery; a large one when it is loaded', async () => {
    const dir = perUserExport(2);
    const big = Array.from({ length: Math.ceil(SNIFF_BYTES / 100) + 10 }, (_, i) => ({ UserName: 'svc-1', AccessKeyId: keyId(1000 + i), Status: 'Inactive', CreateDate: '2023-01-01T00:00:00+00:00' }));
    writeFileSync(join(dir, 'access-keys', 'big.json'), JSON.stringify({ AccessKeyMetadata: big }, null, 4));
    const { warnings, ctx } = collector();
    const files = await discoverExports(dir, ctx);
    const byPath = new Map(files.map((f) => [f.path, f]));
    expect(byPath.get('access-keys/svc-0.json')!.text).toMatch(/^\{\s*"AccessKeyMetadata"/);
    expect(byPath.get('access-keys/big.json')!.text).toBeUndefined();
    const [exp] = await loadAccounts(files, ctx);
    expect(warnings).toEqual([]);
    expect(exp!.accessKeys).toHaveLength(4 + big.length);
  });

  it('parses one report text once for loading and normalising', () => {
    const csv = [HEADER, `svc-0,arn:aws:iam::${ACCOUNT}:user/svc-0,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`].join('\n');
    const first = parseCredentialReport(csv);
    expect(parseCredentialReport(csv)).toBe(first);
    const other = parseCredentialReport(csv.replace('svc-0,', 'svc-1,'));
    expect(other.rows[0]!.user).toBe('svc-1');
    expect(first.rows[0]!.user).toBe('svc-0');
  });
});

describe('isoDate', () => {
  it('reads the exports\' timestamps as Date does, edge days and times included', () => {
    const viaDate = (v: string) => {
      if (!/^\d{4}-\d{2}-\d{2}/.test(v.trim())) return undefined;
      const d = new Date(v.trim());
      return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
    };
    const values: string[] = [];
    for (const year of ['0999', '1970', '2016', '2023', '2024', '9999'])
      for (const month of ['00', '01', '02', '04', '12', '13'])
        for (const day of ['00', '01', '28', '29', '30', '31', '32'])
          for (const time of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60', '07:08:09.123', '07:08:09.5'])
            for (const zone of ['Z', '+00:00', '+01:00', '', 'z']) values.push(`${year}-${month}-${day}T${time}${zone}`);
    values.push('2024-05-01', ' 2024-05-01T10:00:00+00:00 ', '2024-05-01 10:00:00', 'N/A', 'no_information', '');
    for (const v of values) expect([v, isoDate(v)]).toEqual([v, viaDate(v)]);
  });
});

describe('the benchmark account (scripts/bench-aws.mjs)', () => {
  it('is scanned with every count it was built with', async () => {
    const dir = tempDir();
    const now = new Date('2026-03-01T12:00:00Z');
    const generator = new URL('../../scripts/bench-aws.mjs', import.meta.url).href;
    const { buildAwsExport } = await import(generator);
    const manifest = buildAwsExport(dir, { users: 300, roles: 400, keys: 1200, policies: 30, now: now.toISOString() });
    expect(manifest).toMatchObject({ users: 300, roles: 400, accessKeys: 1200, files: 302 });
    const result = await runScan({ paths: [dir], options: OPTIONS, keys: { store: Buffer.from('a'), fingerprint: Buffer.from('b') }, jobs: 1, now });
    expect(result.warnings).toEqual([]);
    const byRule: Record<string, number> = {};
    for (const f of result.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    for (const [rule, count] of Object.entries(manifest.expected as Record<string, number>)) expect([rule, byRule[rule] ?? 0]).toEqual([rule, count]);
    // The rules that weigh permissions found something to report too.
    expect(byRule['privilege-escalation']).toBeGreaterThan(0);
    expect(byRule['credentials-exposure']).toBeGreaterThan(0);
  });
});
