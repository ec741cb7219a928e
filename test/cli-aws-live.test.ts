import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ROLE_ARN, CALLER_ARN, CALLER_CREDENTIALS, KEY_IDS, MAIN_ACCOUNT, SECOND_ACCOUNT, mainAccount, secondAccount } from './fake-aws/fixtures.js';
import { startFakeAws, type FakeAwsServer } from './fake-aws/iam-server.js';
import { CLI, tempDir } from './helpers/cli.js';

/**
 * `nhi scan --aws` end to end: the built CLI, the real AWS SDK clients, the standard credential
 * chain (environment variables) and the SDK's own endpoint setting (AWS_ENDPOINT_URL), against a
 * fake IAM/STS server started here. The CLI runs asynchronously: the server lives in this process.
 */
let server: FakeAwsServer;

beforeAll(async () => {
  server = await startFakeAws({
    accounts: [mainAccount, secondAccount],
    principals: { [CALLER_CREDENTIALS.accessKeyId]: { accountId: MAIN_ACCOUNT, arn: CALLER_ARN, userId: 'AIDAFAKENHISCANNER01' } },
    assumableRoles: [AUDIT_ROLE_ARN],
    reportStartedCalls: 0,
  });
});

afterAll(async () => {
  await server?.close();
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: tempDir('nhi-aws-home-'), // no ~/.aws of the machine running the tests
        NO_COLOR: '1',
        NHI_HASH_KEY: 'test-store-key',
        AWS_ACCESS_KEY_ID: CALLER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CALLER_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: server.url,
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

interface Finding {
  ruleId: string;
  resource?: { id: string };
  evidence?: Record<string, unknown>;
}

describe('nhi scan --aws', () => {
  it('collects the caller account and each configured role account read-only, and the rules run on them', async () => {
    server.reset();
    const dir = tempDir('nhi-aws-live-');
    const config = join(dir, 'nhi.config.yml');
    writeFileSync(config, `aws:\n  assumeRoles: ["${AUDIT_ROLE_ARN}"]\n  concurrency: 2\n`);
    const r = await run(['scan', '--aws', '--config', config, '--no-store', '--format', 'json']);
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { scan: { targets: Array<{ path: string; connectors: string[] }> }; findings: Finding[] };
    // Only the live target: --aws alone does not scan the current folder.
    expect(report.scan.targets).toEqual([{ path: 'aws', connectors: ['aws-iam'] }]);
    const accounts = new Set(report.findings.map((f) => /^arn:aws:iam::(\d{12}):/.exec(f.resource?.id ?? '')?.[1]).filter(Boolean));
    expect(accounts).toEqual(new Set([MAIN_ACCOUNT, SECOND_ACCOUNT]));
    const rules = new Set(report.findings.map((f) => f.ruleId));
    for (const id of ['admin-privileges', 'privilege-escalation', 'unrotated-credential']) expect(rules).toContain(id);
    // Read-only: every call the server received is an allowed read.
    expect(server.actions().every((a) => /^(Get|List|Generate)/.test(a) || a === 'AssumeRole')).toBe(true);
    expect(server.actions()).toContain('GetAccountAuthorizationDetails');
    // No secret of the caller or of the assumed role reaches the output, and stderr is quiet.
    expect(r.stdout + r.stderr).not.toContain(CALLER_CREDENTIALS.secretAccessKey);
    expect(r.stderr).not.toMatch(/Warning/);
  });

  it('joins a key id leaked in code with the live key, in the same scan', async () => {
    server.reset();
    const code = tempDir('nhi-aws-code-');
    writeFileSync(join(code, 'release.sh'), `export AWS_ACCESS_KEY_ID=${KEY_IDS.CI_ACTIVE}\n`);
    const r = await run(['scan', code, '--aws', '--no-store', '--format', 'json']);
    const findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId === 'leaked-live-credential');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence).toMatchObject({ keyId: KEY_IDS.CI_ACTIVE });
  });

  it('bad credentials are a clear warning, not a crash, and the rest of the scan goes on', async () => {
    server.reset();
    const code = tempDir('nhi-aws-bad-');
    writeFileSync(join(code, 'README.md'), 'nothing here\n');
    const r = await run(['scan', code, '--aws', '--no-store', '--format', 'json'], { AWS_ACCESS_KEY_ID: 'AKIA' + 'NOTAKNOWNCALLER2', AWS_SECRET_ACCESS_KEY: 'wrong-secret-for-the-test' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/aws-iam\/unreadable\] aws:caller: .*rejected by sts:GetCallerIdentity/);
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-for-the-test');
    expect(JSON.parse(r.stdout).scan.targets.map((t: { path: string }) => t.path)).toEqual([code, 'aws']);
  });
});
