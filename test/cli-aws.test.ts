/**
 * `nhi scan` over an AWS CLI export, end to end through the built CLI: test/fixtures/aws/acme (see
 * its README for what each identity exercises), then a copy of it with principals that look
 * dangerous but cannot escalate, lines moved, and a planted secret.
 *
 * Expectations come from the fixture's policies:
 * - ci-deploy (user) and github-deploy (role) share DeployPolicy v2: `cloudformation:*`,
 *   `lambda:UpdateFunctionCode` and `s3:PutObject` on `*`, and `iam:PassRole` on one named role with an
 *   `iam:PassedToService` condition. That opens the CloudFormation methods (UpdateStack, change sets,
 *   CreateStack with that role) and EditExistingLambdaFunctionWithRole, and no Lambda pass-role method
 *   (no `lambda:CreateFunction`). v1 (`*` on `*`) is not the default version: not an administrator.
 * - github-any-repo (role) has PowerUserAccess: every action but `iam:*`, `organizations:*` and
 *   `account:*`. So every method that uses an existing resource is open, and none that needs an IAM
 *   action (no `iam:PassRole`, no policy or trust writes); it also reads every secret; and its GitHub
 *   OIDC trust has no `sub` condition.
 * - iam-helper (`iam:*` through its group) and break-glass-admin (AdministratorAccess) are
 *   administrators: admin-privileges, not privilege-escalation.
 * - Nobody else can escalate: alice and carol hold only ReadOnlyAccess (not resolved offline: no
 *   grants), legacy-batch two SQS actions on one queue, order-processor-lambda DynamoDB on one table
 *   and CloudWatch Logs, partner-audit only SecurityAudit (unresolved), legacy-cross-account
 *   `s3:GetObject` on one bucket, reporting-export Athena and `s3:GetObject`.
 * - legacy-cross-account trusts `{"AWS": "*"}` with no condition; partner-audit trusts another
 *   account with an ExternalId; github-deploy's OIDC trust pins `sub` to one repository and branch.
 */
import { cpSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ESCALATION_METHODS } from '../src/aws/escalation.js';
import { ALPHABETS, seededRandom } from '../src/detectors/random.js';
import { runCli, tempDir, type CliRun } from './helpers/cli.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE_REL = 'test/fixtures/aws/acme';
const FIXTURE = join(REPO, FIXTURE_REL);
const ACCOUNT = '111122223333';
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;
/** An access key id, assembled so that the repository's own scan does not take the test for a leak. */
const key = (suffix: string) => ['AK', 'IA', suffix].join('');

interface PublicFinding {
  ruleId: string;
  severity: string;
  confidence: string;
  message: string;
  fingerprint: string;
  location?: { path: string; line: number; column: number };
  resource?: { id: string; kind: string; provider: string; name?: string };
  secret?: { type: string; redacted: string };
  evidence?: Record<string, string | number | boolean>;
}
interface Report {
  schemaVersion: number;
  scan: { targets: Array<{ path: string; connectors: string[] }>; warnings: unknown[] };
  summary: { failed: boolean; failOn: string; bySeverity: Record<'critical' | 'high' | 'medium' | 'low' | 'info', number> };
  findings: PublicFinding[];
}

const of = (report: Report, ruleId: string) => report.findings.filter((f) => f.ruleId === ruleId);
const namesOf = (report: Report, ruleId: string) => of(report, ruleId).map((f) => f.resource!.name!).sort();
const byName = (report: Report, ruleId: string, name: string) => of(report, ruleId).find((f) => f.resource?.name === name);
const methodsOf = (f: PublicFinding | undefined) => String(f?.evidence?.methods ?? '').split(', ').filter(Boolean).sort();

/** The text of the line a location names, from the scanned folder. */
function lineAt(root: string, loc: { path: string; line: number }): string {
  return readFileSync(join(root, loc.path), 'utf8').split('\n')[loc.line - 1] ?? '';
}

/** 1-based line of the first occurrence of `needle` in a file. */
function lineOf(file: string, needle: string): number {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in ${file}`);
  return text.slice(0, at).split('\n').length;
}

/**
 * Every finding of an export scan is about an identity and carries the place that defines it: the
 * listed key its evidence names, the credential report row of a key or user the report alone knows,
 * else the user's or role's entry in the authorization details.
 */
function expectDefiningLines(report: Report, root: string): void {
  for (const f of report.findings) {
    expect(f.resource, f.message).toBeDefined();
    expect(f.location, f.message).toBeDefined();
    const loc = f.location!;
    const line = lineAt(root, loc);
    const at = line.slice(loc.column - 1);
    const keyId = f.evidence?.accessKeyId;
    if (typeof keyId === 'string' && !keyId.startsWith('arn:')) expect(at, f.message).toMatch(new RegExp(`^"AccessKeyId": "${keyId}"`));
    else if (loc.path.endsWith('.csv')) expect(line.split(',')[1], f.message).toBe(f.resource!.id);
    else expect(at, f.message).toMatch(new RegExp(`^"${f.resource!.kind === 'aws-iam-role' ? 'RoleName' : 'UserName'}": "${f.resource!.name}"`));
  }
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  partialFingerprints?: Record<string, string>;
  locations?: Array<{
    physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn?: number } };
    logicalLocations?: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
  }>;
}

/**
 * What GitHub code scanning needs of each result (no npm package ships the SARIF 2.1.0 schema as
 * JSON, so this asserts the structure instead of validating against the schema): a rule it can find
 * in tool.driver.rules, a physical location whose URI is relative to the checkout and whose region
 * starts on a line, and a fingerprint.
 */
function expectCodeScanningShape(sarif: { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: SarifResult[] }> }): SarifResult[] {
  expect(sarif.version).toBe('2.1.0');
  expect(sarif.runs).toHaveLength(1);
  const run = sarif.runs[0]!;
  const ids = run.tool.driver.rules.map((r) => r.id);
  for (const r of run.results) {
    expect(ids).toContain(r.ruleId);
    expect(ids[r.ruleIndex]).toBe(r.ruleId);
    expect(r.partialFingerprints?.['nhi/v1']).toMatch(/^[0-9a-f]{32}$/);
    const physical = r.locations?.[0]?.physicalLocation;
    expect(physical, r.ruleId).toBeDefined();
    const uri = physical!.artifactLocation.uri;
    expect(physical!.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    expect(uri).not.toMatch(/^(\/|[a-z][a-z0-9+.-]*:|\.\.?\/)/i); // relative: no root, scheme or dot segment
    expect(Number.isInteger(physical!.region.startLine) && physical!.region.startLine >= 1).toBe(true);
    expect(physical!.region.startColumn ?? 1).toBeGreaterThanOrEqual(1);
  }
  return run.results;
}

describe('nhi scan over the acme AWS export', () => {
  let json: CliRun;
  let report: Report;
  let sarifRun: CliRun;
  beforeAll(() => {
    json = runCli(['scan', FIXTURE_REL, '--no-store', '--format', 'json'], { cwd: REPO });
    report = JSON.parse(json.stdout) as Report;
    sarifRun = runCli(['scan', FIXTURE_REL, '--no-store', '--format', 'sarif'], { cwd: REPO });
  });

  it('reads the export with the aws-iam connector and fails on findings at or above high', () => {
    expect(json.stderr).toBe('');
    expect(report.schemaVersion).toBe(1);
    expect(report.scan.targets).toEqual([{ path: FIXTURE_REL, connectors: ['filesystem', 'aws-iam'] }]);
    expect(report.scan.warnings).toEqual([]);
    expect(report.summary).toMatchObject({ failOn: 'high', failed: true });
    expect(report.summary.bySeverity.critical + report.summary.bySeverity.high).toBeGreaterThan(0);
    expect(json.status).toBe(1);
    expect(sarifRun.status).toBe(1);
  });

  it('flags exactly the principals whose policies open an escalation method', () => {
    expect(namesOf(report, 'privilege-escalation')).toEqual(['ci-deploy', 'github-any-repo', 'github-deploy']);
    const deploy = ['CloudFormationUpdateStack', 'EditExistingLambdaFunctionWithRole', 'ExecuteCloudFormationChangeSet', 'PassExistingRoleToNewCloudFormation'];
    for (const name of ['ci-deploy', 'github-deploy']) {
      const f = byName(report, 'privilege-escalation', name);
      expect(methodsOf(f), name).toEqual(deploy);
      // iam:PassRole without lambda:CreateFunction opens no Lambda method.
      expect(f!.message).not.toMatch(/PassExistingRoleToNewLambda/);
      expect(f).toMatchObject({ severity: 'high', confidence: 'high' });
    }
    // PowerUserAccess: every existing-resource method a role can use, nothing that needs an IAM action.
    const existing = ESCALATION_METHODS.filter((m) => m.category === 'existing-resource' && !m.usersOnly).map((m) => m.id);
    expect(methodsOf(byName(report, 'privilege-escalation', 'github-any-repo'))).toEqual([...existing].sort());
  });

  it('does not flag principals that cannot escalate, nor administrators (admin-privileges reports those)', () => {
    const flagged = new Set(namesOf(report, 'privilege-escalation'));
    for (const name of ['alice', 'carol', 'legacy-batch', 'iam-helper', 'order-processor-lambda', 'partner-audit', 'legacy-cross-account', 'reporting-export', 'break-glass-admin', 'AWSServiceRoleForSupport', '<root_account>']) {
      expect(flagged.has(name), name).toBe(false);
    }
  });

  it('reports administrators, any-principal trust, OIDC trust without a subject and credential exposure', () => {
    expect(of(report, 'admin-privileges').map((f) => [f.resource!.name, f.severity]).sort()).toEqual([
      ['break-glass-admin', 'high'],
      ['iam-helper', 'critical'], // a user with an active key
    ]);
    expect(of(report, 'trust-any-principal').map((f) => [f.resource!.name, f.severity])).toEqual([['legacy-cross-account', 'critical']]);
    expect(of(report, 'oidc-trust-without-subject').map((f) => [f.resource!.name, f.severity])).toEqual([['github-any-repo', 'high']]);
    expect(of(report, 'credentials-exposure').map((f) => [f.resource!.name, f.severity])).toEqual([['github-any-repo', 'high']]);
    expect(String(byName(report, 'credentials-exposure', 'github-any-repo')!.evidence!.actions)).toContain('secretsmanager:GetSecretValue');
  });

  it('gives every finding the export line that defines what it is about', () => {
    expectDefiningLines(report, FIXTURE);
    const auth = join(FIXTURE, 'authorization-details.json');
    expect(byName(report, 'privilege-escalation', 'ci-deploy')!.location).toEqual({ path: 'authorization-details.json', line: lineOf(auth, '"UserName": "ci-deploy"'), column: 13 });
    expect(byName(report, 'trust-any-principal', 'legacy-cross-account')!.location).toEqual({ path: 'authorization-details.json', line: lineOf(auth, '"RoleName": "legacy-cross-account"'), column: 13 });
    expect(of(report, 'root-access-key')[0]!.location).toEqual({ path: 'credential-report.csv', line: 2, column: 1 });
  });

  it('writes SARIF that code scanning accepts, with resource findings at their export line and ARN', () => {
    const results = expectCodeScanningShape(JSON.parse(sarifRun.stdout));
    expect(results).toHaveLength(report.findings.length);
    const byFingerprint = new Map(report.findings.map((f) => [f.fingerprint, f]));
    for (const r of results) {
      const f = byFingerprint.get(r.partialFingerprints!['nhi/v1']!)!;
      expect(f, r.ruleId).toBeDefined();
      const [location] = r.locations!;
      expect(location!.physicalLocation).toEqual({ artifactLocation: { uri: f.location!.path, uriBaseId: '%SRCROOT%' }, region: { startLine: f.location!.line, startColumn: f.location!.column } });
      expect(location!.logicalLocations).toEqual([expect.objectContaining({ name: f.resource!.name, fullyQualifiedName: f.resource!.id, kind: 'resource' })]);
    }
    const escalation = results.filter((r) => r.ruleId === 'privilege-escalation').map((r) => r.locations![0]!);
    expect(escalation.map((l) => l.physicalLocation!.artifactLocation.uri)).toEqual(['authorization-details.json', 'authorization-details.json', 'authorization-details.json']);
    expect(escalation.map((l) => l.logicalLocations![0]!.fullyQualifiedName).sort()).toEqual([arn('role/github-any-repo'), arn('role/github-deploy'), arn('user/machine/ci-deploy')]);
  });

  it('takes the key ids that list-access-keys exports for inventory, not for leaked secrets', () => {
    // The export holds no secret value (the copy below plants one to check that none is printed).
    expect(report.findings.filter((f) => f.secret !== undefined)).toEqual([]);
    expect(of(report, 'hardcoded-secret')).toEqual([]);
  });
});

// ─── A copy with near misses, moved lines and a planted secret ───────────────────────────────────

type Statement = Record<string, unknown>;
const doc = (...Statement: Statement[]) => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*'): Statement => ({ Effect: 'Allow', Action, Resource });
const deny = (Action: string | string[], Resource: string | string[] = '*'): Statement => ({ Effect: 'Deny', Action, Resource });
const EC2_TRUST = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });

function roleEntry(name: string, policy: object, trust: object = EC2_TRUST) {
  return {
    Path: '/',
    RoleName: name,
    Arn: arn(`role/${name}`),
    CreateDate: '2025-01-01T00:00:00+00:00',
    AssumeRolePolicyDocument: trust,
    InstanceProfileList: [],
    RolePolicyList: [{ PolicyName: name, PolicyDocument: policy }],
    AttachedManagedPolicies: [],
    Tags: [{ Key: 'owner', Value: 'platform' }],
  };
}

function userEntry(name: string, policy: object) {
  return {
    Path: '/',
    UserName: name,
    Arn: arn(`user/${name}`),
    CreateDate: '2025-01-01T00:00:00+00:00',
    UserPolicyList: [{ PolicyName: name, PolicyDocument: policy }],
    GroupList: [],
    AttachedManagedPolicies: [],
    Tags: [{ Key: 'owner', Value: 'platform' }],
  };
}

/** Principals whose policies look broad but open no escalation method, and one that does. */
const NEAR_MISSES = {
  roles: [
    // iam:PassRole on every role, but no service to pass a role to.
    roleEntry('passrole-only', doc(allow('iam:PassRole'), allow('s3:ListAllMyBuckets'))),
    // Creating and invoking functions without iam:PassRole cannot give a function another role.
    roleEntry('lambda-without-passrole', doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:CreateEventSourceMapping', 'lambda:AddPermission']))),
    // Secrets read, but only named ones.
    roleEntry('one-secret-reader', doc(allow('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:app/db-*`), allow('ssm:GetParameter', `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/*`))),
    // Trusts `*`, but only within one organisation.
    roleEntry('org-wide', doc(allow('s3:GetObject', 'arn:aws:s3:::acme-shared/*')), doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } })),
    // The contrast: iam:PassRole with a compute action is an escalation.
    roleEntry('passrole-ec2', doc(allow(['iam:PassRole', 'ec2:RunInstances']))),
  ],
  users: [
    // Manages its own keys and password only (the AWS documentation's self-service policy).
    userEntry('self-service', doc(allow(['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:UpdateAccessKey', 'iam:ListAccessKeys', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'], arn('user/${aws:username}')))),
    // Policy writes on users and groups, all denied.
    userEntry('denied-policy-writer', doc(allow(['iam:PutUserPolicy', 'iam:AttachUserPolicy', 'iam:AddUserToGroup']), deny(['iam:PutUserPolicy', 'iam:AttachUserPolicy', 'iam:AddUserToGroup']))),
  ],
};

describe('nhi scan over a copy of acme with near misses, moved lines and a planted secret', () => {
  const secret = seededRandom(7).chars(ALPHABETS.alnum, 40);
  let root: string;
  let original: Report;
  let report: Report;
  let outputs: CliRun[];
  beforeAll(() => {
    root = join(tempDir(), 'acme');
    cpSync(FIXTURE, root, { recursive: true });
    const authFile = join(root, 'authorization-details.json');
    const auth = JSON.parse(readFileSync(authFile, 'utf8')) as { UserDetailList: object[]; RoleDetailList: object[] };
    auth.UserDetailList.push(...NEAR_MISSES.users);
    auth.RoleDetailList.push(...NEAR_MISSES.roles);
    // Three lines more at the top: every entry moves.
    writeFileSync(authFile, `\n\n\n${JSON.stringify(auth, null, 4)}\n`);
    mkdirSync(join(root, 'deploy'));
    writeFileSync(join(root, 'deploy', 'ci.env'), `AWS_ACCESS_KEY_ID=${key('6FGVKQSJYQ7WXYGV')}\nAWS_SECRET_ACCESS_KEY=${secret}\n`); // nhi:allow generated test value
    original = JSON.parse(runCli(['scan', FIXTURE, '--no-store', '--format', 'json']).stdout) as Report;
    outputs = [
      runCli(['scan', root, '--no-store', '--format', 'json']),
      runCli(['scan', root, '--no-store', '--format', 'sarif']),
      runCli(['scan', root, '--no-store']),
    ];
    report = JSON.parse(outputs[0]!.stdout) as Report;
  });

  it('does not take broad-looking permissions for escalation, and still flags iam:PassRole with ec2:RunInstances', () => {
    expect(report.scan.warnings).toEqual([]);
    expect(namesOf(report, 'privilege-escalation')).toEqual(['ci-deploy', 'github-any-repo', 'github-deploy', 'passrole-ec2']);
    expect(methodsOf(byName(report, 'privilege-escalation', 'passrole-ec2'))).toEqual(['CreateEC2WithExistingIP']);
    for (const rule of ['admin-privileges', 'credentials-exposure', 'trust-any-principal', 'oidc-trust-without-subject']) {
      expect(namesOf(report, rule), rule).toEqual(namesOf(original, rule));
    }
  });

  it('keeps fingerprints when the export lines move, and points at the new lines', () => {
    const moved = new Map(report.findings.map((f) => [f.fingerprint, f]));
    const auth = original.findings.filter((f) => f.location?.path === 'authorization-details.json');
    expect(auth.length).toBeGreaterThan(5);
    for (const f of auth) {
      const now = moved.get(f.fingerprint);
      expect(now, `${f.ruleId} ${f.resource!.name}`).toBeDefined();
      expect(now!.location!.path).toBe('authorization-details.json');
      expect(now!.location!.line).toBeGreaterThan(f.location!.line);
    }
    expectDefiningLines({ ...report, findings: report.findings.filter((f) => f.location?.path !== 'deploy/ci.env') }, root);
    expect(byName(report, 'privilege-escalation', 'passrole-ec2')!.location).toEqual({ path: 'authorization-details.json', line: lineOf(join(root, 'authorization-details.json'), '"RoleName": "passrole-ec2"'), column: 13 });
    expectCodeScanningShape(JSON.parse(outputs[1]!.stdout));
  });

  it('reports the planted secret redacted and never writes it out', () => {
    const found = report.findings.find((f) => f.secret?.type === 'aws-secret-access-key');
    expect(found).toMatchObject({ ruleId: 'hardcoded-secret', location: { path: 'deploy/ci.env', line: 2 } });
    expect(found!.secret!.redacted.endsWith(secret.slice(-4))).toBe(true);
    for (const o of outputs) {
      expect(o.status).toBe(1);
      expect(o.stdout.includes(secret)).toBe(false);
      expect(o.stderr.includes(secret)).toBe(false);
    }
  });
});
