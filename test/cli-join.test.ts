import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

/**
 * leaked-live-credential across stored scans: a key id leaked in code and the live key in an
 * IAM export are joined whichever of the two was scanned first (issue: "works in both
 * directions of discovery order").
 */
const ACME = fileURLToPath(new URL('./fixtures/aws/acme', import.meta.url));
// An active key of the fixture's ci-deploy user, read from the export (no key-shaped literal here).
const KEY = (JSON.parse(readFileSync(join(ACME, 'access-keys', 'ci-deploy.json'), 'utf8')) as { AccessKeyMetadata: Array<{ AccessKeyId: string; Status: string }> }).AccessKeyMetadata.find(
  (k) => k.Status === 'Active',
)!.AccessKeyId;

interface Finding {
  ruleId: string;
  fingerprint: string;
  message: string;
  location?: { path: string; line: number };
  resource?: { id: string };
  evidence?: Record<string, unknown>;
}

function codeRepo(): string {
  const dir = tempDir('nhi-join-code-');
  writeFileSync(join(dir, 'deploy.sh'), `#!/bin/sh\nexport AWS_ACCESS_KEY_ID=${KEY}\naws s3 sync build/ s3://acme-site\n`);
  return dir;
}

function scan(target: string, db: string): { status: number; findings: Finding[] } {
  const r = runCli(['scan', target, '--db', db, '--format', 'json']);
  expect(r.status, r.stderr).toBeLessThan(2);
  return { status: r.status, findings: (JSON.parse(r.stdout) as { findings: Finding[] }).findings };
}

const leaks = (findings: Finding[]) => findings.filter((f) => f.ruleId === 'leaked-live-credential');

describe('leaked-live-credential across scans', () => {
  it('code first, then the account: the account scan reports the leak recorded by the code scan', () => {
    const db = join(tempDir('nhi-join-db-'), 'nhi.db');
    const code = codeRepo();
    expect(leaks(scan(code, db).findings)).toEqual([]);
    const { status, findings } = scan(ACME, db);
    expect(status).toBe(1);
    const [leak, ...rest] = leaks(findings);
    expect(rest).toEqual([]);
    expect(leak).toMatchObject({ location: { path: 'deploy.sh', line: 2 }, resource: { id: expect.stringMatching(/:user\/(.*\/)?ci-deploy$/) }, evidence: { keyId: KEY, leakRoot: code } });
    expect(leak!.message).toContain(`found by a scan of ${code}`);
  });

  it('the account first, then code: the code scan reports the leak with the key recorded by the account scan', () => {
    const db = join(tempDir('nhi-join-db-'), 'nhi.db');
    expect(leaks(scan(ACME, db).findings)).toEqual([]);
    const { status, findings } = scan(codeRepo(), db);
    expect(status).toBe(1);
    const [leak, ...rest] = leaks(findings);
    expect(rest).toEqual([]);
    expect(leak).toMatchObject({ location: { path: 'deploy.sh', line: 2 }, resource: { id: expect.stringMatching(/:user\/(.*\/)?ci-deploy$/) }, evidence: { keyId: KEY } });
    expect(leak!.evidence!.keyRecordedAt).toBeDefined();
    expect(leak!.message).toContain('active when its account was scanned on');
  });

  it('gives the same fingerprint in both orders and in one combined scan; nothing is joined without the store', () => {
    const fingerprints = (order: 'code-first' | 'account-first' | 'together') => {
      const db = join(tempDir('nhi-join-db-'), 'nhi.db');
      const code = codeRepo();
      if (order === 'together') {
        const r = runCli(['scan', code, ACME, '--db', db, '--format', 'json']);
        return leaks((JSON.parse(r.stdout) as { findings: Finding[] }).findings).map((f) => f.fingerprint);
      }
      const [first, second] = order === 'code-first' ? [code, ACME] : [ACME, code];
      scan(first, db);
      return leaks(scan(second, db).findings).map((f) => f.fingerprint);
    };
    const together = fingerprints('together');
    expect(together).toHaveLength(1);
    expect(fingerprints('code-first')).toEqual(together);
    expect(fingerprints('account-first')).toEqual(together);
    const alone = runCli(['scan', codeRepo(), '--no-store', '--format', 'json']);
    expect(leaks((JSON.parse(alone.stdout) as { findings: Finding[] }).findings)).toEqual([]);
  });

  it('forgets a key once a later scan of its account shows it inactive or no longer lists it', () => {
    for (const change of ['deactivated', 'deleted'] as const) {
      const db = join(tempDir('nhi-join-db-'), 'nhi.db');
      scan(ACME, db);
      // The same account exported again, with the key deactivated or deleted.
      const later = tempDir('nhi-join-acme-');
      for (const f of ['authorization-details.json', 'credential-report.csv']) writeFileSync(join(later, f), readFileSync(join(ACME, f)));
      const keys = JSON.parse(readFileSync(join(ACME, 'access-keys', 'ci-deploy.json'), 'utf8')) as { AccessKeyMetadata: Array<{ AccessKeyId: string; Status: string }> };
      if (change === 'deactivated') for (const k of keys.AccessKeyMetadata) if (k.AccessKeyId === KEY) k.Status = 'Inactive';
      if (change === 'deleted') keys.AccessKeyMetadata = keys.AccessKeyMetadata.filter((k) => k.AccessKeyId !== KEY);
      writeFileSync(join(later, 'ci-deploy-keys.json'), JSON.stringify(keys, null, 2));
      scan(later, db);
      expect(leaks(scan(codeRepo(), db).findings), change).toEqual([]);
    }
  });

  it('forgets a leak once a later scan of the same working tree no longer finds it', () => {
    const db = join(tempDir('nhi-join-db-'), 'nhi.db');
    const code = codeRepo();
    scan(code, db);
    writeFileSync(join(code, 'deploy.sh'), '#!/bin/sh\nexport AWS_ACCESS_KEY_ID="$(vault read -field=id aws/creds/deploy)"\n');
    scan(code, db);
    expect(leaks(scan(ACME, db).findings)).toEqual([]);
  });

  it('stores findings about identities with the place the export defines them (nhi findings shows it)', () => {
    const db = join(tempDir('nhi-join-db-'), 'nhi.db');
    const scanned = scan(ACME, db).findings.filter((f) => f.resource && f.ruleId !== 'leaked-live-credential');
    expect(scanned.length).toBeGreaterThan(0);
    const stored = JSON.parse(runCli(['findings', '--db', db, '--format', 'json']).stdout) as { findings: Finding[] };
    for (const f of scanned) {
      const again = stored.findings.find((s) => s.fingerprint === f.fingerprint);
      expect(again?.location, f.ruleId).toEqual(f.location);
      expect(again?.location?.line).toBeGreaterThan(0);
    }
    const table = runCli(['findings', '--db', db]).stdout;
    expect(table).toMatch(/authorization-details\.json:\d+ {2}arn:aws:iam::/);
  });
});
