#!/usr/bin/env node
/**
 * Writes a synthetic AWS CLI export of one account for `npm run bench` (and for trying `nhi scan`
 * on an account of realistic size): what an auditor gets from
 *
 *   aws iam get-account-authorization-details --output json > iam/authorization-details.json
 *   aws iam generate-credential-report; aws iam get-credential-report --query Content --output text | base64 -d > iam/credential-report.csv
 *   for u in $(aws iam list-users --query 'Users[].UserName' --output text); do
 *     aws iam list-access-keys --user-name "$u" --output json > "iam/access-keys/$u.json"
 *   done
 *
 * Field names, nesting and formats are the CLI's (v2: timestamps as `2024-05-01T10:00:00+00:00`,
 * policy documents decoded into JSON objects, 4-space indentation). The account is fake
 * (111122223333); every id (access key ids `AKIA` + 16 characters of A-Z2-7, user, role, group,
 * policy and instance profile ids) is drawn from a seeded generator, so none was ever issued.
 *
 * Shape of the default account (`npm run bench`'s acceptance point: 5,000 users, 10,000 roles,
 * 20,000 access keys): people in groups (admins, developers, read-only...) and machine users
 * (CI, batch, service accounts), Lambda / ECS / EC2 / Glue... execution roles, cross-account
 * roles (some with an external id), GitHub Actions and EKS OIDC roles (with and without `sub`
 * conditions), SAML roles, a few roles trusting `*` (some pinned to an organisation), service-linked
 * and IAM Identity Center roles, a few hundred customer managed policies with several versions,
 * AWS managed policies (AdministratorAccess, PowerUserAccess, ReadOnlyAccess...) referenced by ARN
 * only (the CLI's default output does not include their documents), inline policies, permissions
 * boundaries, tags with and without an owner.
 *
 * One deliberate departure from real accounts: AWS allows at most two access keys per user, so
 * 20,000 keys over 5,000 users is more than any real account can hold. The keys are spread with
 * a long tail (many users with two or more, a few with many) so the count is reached; the
 * credential report, which has two key slots, shows each user's two newest keys, as it would
 * have before the older ones were deleted. Keys outside those slots have no last-use data.
 *
 * Dates are relative to `now` (default: the moment of generation) and keep clear of the rules'
 * thresholds (7, 90 and 365 days) by several days, so the expected counts written to the
 * manifest hold for a scan run within two days of generation. Deterministic for a given seed
 * and `now`.
 *
 * Usage: node scripts/bench-aws.mjs OUT_DIR [--users N] [--roles N] [--keys N] [--policies N] [--seed N] [--now ISO]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACCOUNT = '111122223333';
/** Bump when the generated data changes, so `npm run bench` regenerates a cached export. */
export const GENERATOR_VERSION = 1;
const DAY_MS = 86_400_000;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const A = (resource) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const AWS_POLICY = (name) => `arn:aws:iam::aws:policy/${name}`;
const OTHER_ACCOUNTS = ['444455556666', '777788889999', '123456789012', '210987654321', '555566667777'];
const ORG_ID = 'o-a1b2c3d4e5';
const REGIONS = ['us-east-1', 'us-east-1', 'us-east-1', 'eu-west-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2'];
const KEY_SERVICES = ['s3', 's3', 'sts', 'dynamodb', 'sqs', 'ec2', 'lambda', 'ecr', 'cloudwatch', 'secretsmanager', 'ssm', 'sns', 'kms', 'iam', 'logs'];
const TEAMS = ['payments', 'platform', 'data', 'identity', 'search', 'growth', 'mobile', 'checkout', 'billing', 'infra', 'security', 'ml', 'analytics', 'support', 'catalog', 'shipping', 'risk', 'content', 'notifications', 'web'];
const APPS = ['orders', 'invoices', 'ledger', 'profile', 'auth', 'catalog', 'cart', 'pricing', 'search', 'recommend', 'images', 'thumbnails', 'reports', 'exports', 'events', 'audit', 'mailer', 'sms', 'webhooks', 'scheduler', 'etl', 'ingest', 'warehouse', 'metrics', 'alerts', 'tickets', 'chat', 'uploads', 'feeds', 'geo', 'fraud', 'refunds', 'tax', 'shipping', 'inventory', 'returns', 'reviews', 'loyalty', 'coupons', 'sessions'];
const ENVS = ['prod', 'prod', 'staging', 'dev', 'qa', 'sandbox'];
const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yasmin', 'zoe', 'amir', 'bea', 'chen', 'dara', 'emeka', 'farah', 'goran', 'hana', 'ines', 'jun', 'kofi', 'lena', 'mei', 'nora', 'omar', 'priya', 'quinn', 'ravi', 'sara'];
const LAST = ['smith', 'jones', 'garcia', 'muller', 'rossi', 'kim', 'nguyen', 'silva', 'novak', 'haddad', 'okafor', 'tanaka', 'larsen', 'dubois', 'kowalski', 'petrov', 'santos', 'cohen', 'ali', 'meyer', 'costa', 'ivanova', 'park', 'lopez', 'fischer', 'moreau', 'shah', 'weber', 'yilmaz', 'berg'];

/** A small seeded generator (mulberry32), with the helpers the generator needs. */
function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const r = {
    next,
    int,
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    /** `[[value, weight], ...]` → a value. */
    weighted: (pairs) => {
      const total = pairs.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [v, w] of pairs) if ((x -= w) < 0) return v;
      return pairs[pairs.length - 1][0];
    },
    /** Zipf-like: index 0 most often. */
    skewed: (n) => Math.min(n - 1, Math.floor(n * next() ** 2.2)),
    b32: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += B32[Math.floor(next() * 32)];
      return s;
    },
    hex: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(next() * 16)];
      return s;
    },
  };
  return r;
}

// ─── Policy statements ───────────────────────────────────────────────────────

/**
 * Statement templates, from the everyday (a bucket, a table, a queue) to the dangerous
 * (PassRole on `*`, secrets on `*`, IAM write actions). `c` is the context: app, env, region.
 */
const STATEMENTS = {
  s3App: (c) => [
    { Sid: 'AppObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${c.app}-${c.env}-${c.suffix}/*` },
    { Sid: 'AppBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${c.app}-${c.env}-${c.suffix}` },
  ],
  s3Read: (c) => [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${c.app}-artifacts`, `arn:aws:s3:::${c.app}-artifacts/*`] }],
  s3Home: () => [{ Sid: 'HomeFolder', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::corp-home/${aws:username}/*' }],
  dynamo: (c) => [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
      Resource: [`arn:aws:dynamodb:${c.region}:${ACCOUNT}:table/${c.app}-${c.env}`, `arn:aws:dynamodb:${c.region}:${ACCOUNT}:table/${c.app}-${c.env}/index/*`],
    },
  ],
  dynamoAll: () => [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
  queue: (c) => [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: `arn:aws:sqs:${c.region}:${ACCOUNT}:${c.app}-*` }],
  topic: (c) => [{ Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:${c.region}:${ACCOUNT}:${c.app}-${c.env}-events` }],
  logs: (c) => [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:*:${ACCOUNT}:log-group:/${c.app}/*` }],
  metrics: () => [{ Effect: 'Allow', Action: ['cloudwatch:PutMetricData', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], Resource: '*' }],
  secretsScoped: (c) => [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: `arn:aws:secretsmanager:${c.region}:${ACCOUNT}:secret:${c.app}/${c.env}/*` }],
  secretsAll: () => [{ Sid: 'ReadSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:ListSecrets'], Resource: '*' }],
  paramsScoped: (c) => [{ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], Resource: `arn:aws:ssm:${c.region}:${ACCOUNT}:parameter/${c.app}/${c.env}/*` }],
  paramsAll: () => [{ Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: '*' }],
  kmsVia: (c) => [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': [`secretsmanager.${c.region}.amazonaws.com`, `ssm.${c.region}.amazonaws.com`] } } }],
  kmsKey: (c) => [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: `arn:aws:kms:${c.region}:${ACCOUNT}:key/${c.uuid}` }],
  ecrPull: (c) => [
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: `arn:aws:ecr:${c.region}:${ACCOUNT}:repository/${c.app}` },
  ],
  ecrPush: (c) => [{ Effect: 'Allow', Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'], Resource: `arn:aws:ecr:${c.region}:${ACCOUNT}:repository/${c.app}` }],
  ec2Describe: () => [{ Effect: 'Allow', Action: ['ec2:Describe*', 'elasticloadbalancing:Describe*', 'autoscaling:Describe*'], Resource: '*' }],
  assumeApp: (c) => [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: A(`role/${c.app}-*`) }],
  passRoleScoped: (c) => [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: A(`role/${c.app}-*`), Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }],
  lambdaDeploy: (c) => [
    { Sid: 'Functions', Effect: 'Allow', Action: ['lambda:CreateFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion', 'lambda:GetFunction'], Resource: `arn:aws:lambda:${c.region}:${ACCOUNT}:function:${c.app}-*` },
    { Sid: 'PassExecutionRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: A(`role/${c.app}-*`) },
  ],
  ecsDeploy: (c) => [
    { Effect: 'Allow', Action: ['ecs:RegisterTaskDefinition', 'ecs:DescribeServices', 'ecs:UpdateService', 'ecs:DescribeTaskDefinition'], Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: [A(`role/${c.app}-task`), A(`role/${c.app}-execution`)] },
  ],
  passRoleAll: () => [{ Sid: 'LaunchWorkers', Effect: 'Allow', Action: ['iam:PassRole', 'ec2:RunInstances', 'ec2:CreateTags'], Resource: '*' }],
  cfnDeploy: () => [{ Effect: 'Allow', Action: ['cloudformation:*', 'iam:PassRole'], Resource: '*' }],
  glueJobs: (c) => [
    { Effect: 'Allow', Action: ['glue:CreateJob', 'glue:StartJobRun', 'glue:GetJobRun', 'glue:UpdateJob'], Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: A(`role/service-role/glue-${c.app}`) },
  ],
  selfKeys: () => [{ Sid: 'ManageOwnKeys', Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:UpdateAccessKey', 'iam:ListAccessKeys'], Resource: 'arn:aws:iam::*:user/${aws:username}' }],
  userAdmin: () => [{ Sid: 'OnboardUsers', Effect: 'Allow', Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:AddUserToGroup', 'iam:TagUser'], Resource: A('user/*') }],
  attachRole: () => [{ Effect: 'Allow', Action: ['iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:GetRole'], Resource: A('role/*') }],
  policyVersions: () => [{ Effect: 'Allow', Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:GetPolicyVersion'], Resource: A('policy/*') }],
  ssmSend: () => [{ Effect: 'Allow', Action: ['ssm:SendCommand', 'ssm:StartSession', 'ssm:GetCommandInvocation'], Resource: '*' }],
  lambdaUpdateAll: () => [{ Effect: 'Allow', Action: ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction', 'lambda:ListFunctions'], Resource: '*' }],
  notActionPower: () => [{ Sid: 'AllButIam', Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }],
  denyDeletes: () => [{ Sid: 'NoDeletes', Effect: 'Deny', Action: ['s3:DeleteBucket', 'dynamodb:DeleteTable', 'rds:DeleteDBInstance'], Resource: '*' }],
  denyRegions: () => [
    {
      Sid: 'DenyOutsideRegions',
      Effect: 'Deny',
      NotAction: ['iam:*', 'sts:*', 'cloudfront:*', 'route53:*', 'support:*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
    },
  ],
  mfaOnly: () => [{ Sid: 'DenyWithoutMFA', Effect: 'Deny', NotAction: ['iam:ChangePassword', 'iam:GetUser', 'iam:ListMFADevices', 'sts:GetSessionToken'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
  adminAll: () => [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  iamAll: () => [{ Sid: 'IamAdmin', Effect: 'Allow', Action: 'iam:*', Resource: '*' }],
};

/** Templates that make an identity an administrator (admin-privileges). */
const ADMIN_TEMPLATES = new Set(['adminAll', 'iamAll']);

/** Everyday templates, with weights, by workload. */
const WORKLOAD = [
  ['s3App', 10], ['s3Read', 5], ['dynamo', 8], ['queue', 6], ['topic', 4], ['logs', 6], ['metrics', 4], ['secretsScoped', 6], ['paramsScoped', 6],
  ['kmsKey', 3], ['kmsVia', 1], ['ecrPull', 4], ['ec2Describe', 3], ['assumeApp', 2], ['passRoleScoped', 2], ['denyDeletes', 2], ['denyRegions', 1],
];
/** Riskier templates and how often one replaces an everyday one. */
const RISKY = [
  ['lambdaDeploy', 6], ['ecsDeploy', 5], ['secretsAll', 4], ['paramsAll', 3], ['dynamoAll', 3], ['passRoleAll', 2], ['cfnDeploy', 2], ['glueJobs', 2],
  ['ssmSend', 2], ['lambdaUpdateAll', 2], ['userAdmin', 1], ['attachRole', 1], ['policyVersions', 1], ['notActionPower', 1], ['ecrPush', 4], ['iamAll', 0.3], ['adminAll', 0.4],
];

function policyDocument(statements) {
  return { Version: '2012-10-17', Statement: statements };
}

// ─── The account ─────────────────────────────────────────────────────────────

/**
 * Builds the export in memory and writes it under `outDir` (replaced). Returns a summary with
 * the counts a correct scan must report for the rules whose outcome follows directly from the
 * data (the others depend on policy evaluation and are reported as measured).
 */
export function buildAwsExport(outDir, options = {}) {
  const { users: USERS = 5000, roles: ROLES = 10000, keys: KEYS = 20000, policies: POLICIES = 300, seed = 20260611 } = options;
  const now = options.now ? new Date(options.now) : new Date();
  const r = random(seed);
  /** An ISO timestamp `days` days before now, a few hours earlier still (so whole days hold for ~18 h). */
  const ago = (days) => new Date(now.getTime() - days * DAY_MS - r.int(0, 6 * 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  /** Days drawn from [lo, hi] avoiding the rules' thresholds (7, 90, 365) by several days. */
  const days = (lo, hi) => {
    for (;;) {
      const d = r.int(lo, hi);
      if ((d >= 5 && d <= 10) || (d >= 85 && d <= 95) || (d >= 360 && d <= 370)) continue;
      return d;
    }
  };
  const usedIds = new Set();
  const uniqueId = (prefix, n) => {
    for (;;) {
      const id = prefix + r.b32(n);
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const names = new Set();
  const uniqueName = (base) => {
    let name = base;
    for (let i = 2; names.has(name); i++) name = `${base}-${i}`;
    names.add(name);
    return name;
  };
  const ctx = () => ({ app: r.pick(APPS), env: r.pick(ENVS), region: r.pick(REGIONS), suffix: r.hex(6), uuid: `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}` });
  /** 1–3 statements' worth of templates; `risk` is the chance that one is a risky template. */
  const templates = (count, risk) => {
    const out = [];
    for (let i = 0; i < count; i++) out.push(r.chance(risk) ? r.weighted(RISKY) : r.weighted(WORKLOAD));
    return [...new Set(out)];
  };
  const render = (list, c = ctx()) => policyDocument(list.flatMap((t) => STATEMENTS[t](c)));
  const expected = {};
  const bump = (rule, n = 1) => (expected[rule] = (expected[rule] ?? 0) + n);
  const ownerKeys = new Set(['owner', 'team', 'owner-email', 'contact']);
  const hasOwner = (tags) => tags.some((t) => ownerKeys.has(t.Key.toLowerCase()) && t.Value.trim() !== '');
  const tagsFor = (app, team, ownedShare) => {
    const tags = [];
    if (r.chance(ownedShare)) {
      const kind = r.weighted([['owner', 4], ['Owner', 2], ['team', 4], ['Team', 1], ['contact', 1], ['owner-email', 1]]);
      const value = kind.toLowerCase() === 'team' ? team : `${r.pick(FIRST)}.${r.pick(LAST)}@example.com`;
      tags.push({ Key: kind, Value: value });
    } else if (r.chance(0.05)) tags.push({ Key: 'owner', Value: '' }); // blank: no owner
    if (r.chance(0.7)) tags.push({ Key: 'env', Value: r.pick(ENVS) });
    if (r.chance(0.5)) tags.push({ Key: 'app', Value: app });
    if (r.chance(0.3)) tags.push({ Key: 'cost-center', Value: `cc-${r.int(1000, 9999)}` });
    if (r.chance(0.2)) tags.push({ Key: 'managed-by', Value: r.pick(['terraform', 'cloudformation', 'cdk', 'manual']) });
    return tags;
  };
  const attach = (arn) => ({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn });

  // Customer managed policies (and two permissions boundaries). Each has 1–5 versions; the
  // default is usually the newest.
  const policies = [];
  const policyAdmin = new Map();
  const attachments = new Map();
  const boundaryArns = [A('policy/boundaries/workload-boundary'), A('policy/boundaries/developer-boundary')];
  for (let i = 0; i < POLICIES; i++) {
    const c = ctx();
    const team = r.pick(TEAMS);
    const isBoundary = i < boundaryArns.length;
    const name = isBoundary ? boundaryArns[i].slice(boundaryArns[i].lastIndexOf('/') + 1) : uniqueName(`${team}-${c.app}-${r.pick(['access', 'deploy', 'runtime', 'read', 'write', 'ops', 'pipeline', 'policy'])}`);
    const path = isBoundary ? '/boundaries/' : r.chance(0.2) ? `/${team}/` : '/';
    const arn = A(`policy${path}${name}`);
    const versionCount = r.weighted([[1, 5], [2, 3], [3, 2], [4, 1], [5, 1]]);
    const defaultIndex = versionCount > 1 && r.chance(0.1) ? r.int(0, versionCount - 2) : versionCount - 1;
    const created = days(200, 2400);
    const versions = [];
    let admin = false;
    for (let v = 0; v < versionCount; v++) {
      const tpl = isBoundary ? ['notActionPower'] : templates(r.int(1, 4), 0.07);
      if (v === defaultIndex) admin = tpl.some((n) => ADMIN_TEMPLATES.has(n));
      versions.push({ Document: render(tpl, c), VersionId: `v${v + 1}`, IsDefaultVersion: v === defaultIndex, CreateDate: ago(Math.max(1, Math.round(created - ((created - 1) * v) / versionCount))) });
    }
    policyAdmin.set(arn, admin);
    attachments.set(arn, 0);
    policies.push({
      PolicyName: name,
      PolicyId: uniqueId('ANPA', 17),
      Arn: arn,
      Path: path,
      DefaultVersionId: `v${defaultIndex + 1}`,
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: versions[0].CreateDate,
      UpdateDate: versions[versions.length - 1].CreateDate,
      PolicyVersionList: versions,
    });
  }
  const customerArns = policies.slice(boundaryArns.length).map((p) => p.Arn);
  const attachCustomer = (n) => {
    const out = new Set();
    for (let i = 0; i < n; i++) out.add(customerArns[r.skewed(customerArns.length)]);
    for (const arn of out) attachments.set(arn, attachments.get(arn) + 1);
    return [...out];
  };
  const boundaryUses = new Map(boundaryArns.map((a) => [a, 0]));
  const boundary = (p) => {
    if (!r.chance(p)) return undefined;
    const arn = r.pick(boundaryArns);
    boundaryUses.set(arn, boundaryUses.get(arn) + 1);
    return { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn };
  };
  const AWS_ADMIN = new Set([AWS_POLICY('AdministratorAccess'), AWS_POLICY('IAMFullAccess')]);
  const isAdminArn = (arn) => AWS_ADMIN.has(arn) || policyAdmin.get(arn) === true;

  // Groups.
  const groupDefs = [
    { name: 'admins', aws: ['AdministratorAccess'] },
    { name: 'iam-admins', aws: ['IAMFullAccess', 'ReadOnlyAccess'] },
    { name: 'read-only', aws: ['ReadOnlyAccess'] },
    { name: 'power-users', aws: ['PowerUserAccess'] },
    { name: 'billing', aws: ['job-function/Billing'] },
    { name: 'support', aws: ['AWSSupportAccess', 'ReadOnlyAccess'] },
    { name: 'developers', aws: ['ReadOnlyAccess'], inline: ['selfKeys', 's3Home'] },
    { name: 'security-audit', aws: ['SecurityAudit', 'ReadOnlyAccess'] },
    { name: 'all-users', inline: ['selfKeys', 'mfaOnly'] },
    ...TEAMS.flatMap((t) => [
      { name: `${t}-engineers`, customer: 2, inline: ['ec2Describe'] },
      { name: `${t}-deployers`, customer: 1, inline: [r.weighted([['lambdaDeploy', 3], ['ecsDeploy', 3], ['cfnDeploy', 1]])] },
    ]),
    { name: 'machine-users', customer: 1, inline: ['denyRegions'] },
  ];
  const groups = [];
  const groupAdmin = new Map();
  for (const g of groupDefs) {
    const attached = [...(g.aws ?? []).map(AWS_POLICY), ...attachCustomer(g.customer ?? 0)];
    const inline = (g.inline ?? []).map((t) => ({ PolicyName: `${g.name}-${t}`, PolicyDocument: render([t]) }));
    groupAdmin.set(g.name, attached.some(isAdminArn) || (g.inline ?? []).some((t) => ADMIN_TEMPLATES.has(t)));
    groups.push({ Path: '/', GroupName: g.name, GroupId: uniqueId('AGPA', 17), Arn: A(`group/${g.name}`), CreateDate: ago(days(400, 2600)), GroupPolicyList: inline, AttachedManagedPolicies: attached.map(attach) });
  }
  const teamGroups = (team) => [`${team}-engineers`, `${team}-deployers`];

  /** What the audited-principal rules must report, for identities whose data makes it plain. */
  const principalExpectations = (grantedAdmin, tags, looksHuman) => {
    if (grantedAdmin) bump('admin-privileges');
    if (!looksHuman && !hasOwner(tags)) bump('unowned-identity');
  };

  // Users: people (console password, MFA, in groups) and machine users (CI, services, batch).
  const users = [];
  const reportRows = [];
  const userKeyCounts = [];
  const humans = Math.round(USERS * 0.18);
  for (let i = 0; i < USERS; i++) {
    const human = i < humans;
    const team = r.pick(TEAMS);
    const app = r.pick(APPS);
    const name = human
      ? uniqueName(`${r.pick(FIRST)}.${r.pick(LAST)}`)
      : uniqueName(r.weighted([[`svc-${app}-${r.pick(ENVS)}`, 5], [`ci-${team}-${app}`, 3], [`batch-${app}`, 2], [`${app}-${r.pick(['uploader', 'exporter', 'sync', 'bot', 'integration'])}`, 2], [`legacy-${app}`, 1]]));
    const path = human ? r.weighted([['/', 6], ['/people/', 3], [`/people/${team}/`, 1]]) : r.weighted([['/', 4], ['/machine/', 3], ['/service/', 2], [`/machine/${team}/`, 1]]);
    const created = days(human ? 20 : 15, 2600);
    const groupList = new Set();
    if (human) {
      groupList.add('all-users');
      groupList.add(r.chance(0.7) ? 'developers' : r.pick(['read-only', 'support', 'billing', 'security-audit']));
      if (r.chance(0.6)) groupList.add(teamGroups(team)[0]);
      if (r.chance(0.15)) groupList.add(teamGroups(team)[1]);
      if (r.chance(0.04)) groupList.add('admins');
      if (r.chance(0.02)) groupList.add('iam-admins');
      if (r.chance(0.05)) groupList.add('power-users');
    } else {
      if (r.chance(0.3)) groupList.add('machine-users');
      if (r.chance(0.08)) groupList.add(teamGroups(team)[1]);
      if (r.chance(0.006)) groupList.add('admins');
      if (r.chance(0.01)) groupList.add('power-users');
    }
    const inlineTemplates = [];
    const userPolicies = [];
    if (!human && r.chance(0.45)) {
      for (let p = 0; p < r.int(1, 2); p++) {
        const tpl = templates(r.int(1, 3), 0.12);
        inlineTemplates.push(...tpl);
        userPolicies.push({ PolicyName: `${app}-${r.pick(['access', 'inline', 'permissions', 'ci'])}${p > 0 ? `-${p + 1}` : ''}`, PolicyDocument: render(tpl, { ...ctx(), app }) });
      }
    }
    const attached = [...(human ? [] : attachCustomer(r.weighted([[0, 4], [1, 4], [2, 2], [3, 1]])))];
    if (r.chance(human ? 0.01 : 0.008)) attached.push(AWS_POLICY('AdministratorAccess'));
    if (!human && r.chance(0.03)) attached.push(AWS_POLICY('ReadOnlyAccess'));
    if (!human && r.chance(0.01)) attached.push(AWS_POLICY('PowerUserAccess'));
    if (!human && r.chance(0.02)) attached.push(AWS_POLICY('AmazonS3FullAccess'));
    const tags = human ? (r.chance(0.4) ? [{ Key: 'department', Value: team }] : []) : tagsFor(app, team, 0.6);
    const arn = A(`user${path}${name}`);
    const user = { Path: path, UserName: name, UserId: uniqueId('AIDA', 17), Arn: arn, CreateDate: ago(created) };
    user.UserPolicyList = userPolicies;
    user.GroupList = [...groupList];
    user.AttachedManagedPolicies = attached.map(attach);
    const pb = boundary(human ? 0 : 0.04);
    if (pb) user.PermissionsBoundary = pb;
    if (tags.length > 0) user.Tags = tags;
    users.push(user);

    // The credential report row (keys are filled in below).
    const passwordEnabled = human || r.chance(0.03);
    const mfa = human && r.chance(0.85);
    const passwordUsed = passwordEnabled ? (r.chance(0.9) ? ago(Math.min(created - 1, days(0, 80))) : r.chance(0.5) ? ago(Math.min(created - 1, days(100, 700))) : 'N/A') : 'N/A';
    const looksHuman = passwordEnabled || mfa || (passwordUsed !== 'N/A' && (now.getTime() - Date.parse(passwordUsed)) / DAY_MS <= 90);
    const grantedAdmin = attached.some(isAdminArn) || [...groupList].some((g) => groupAdmin.get(g)) || inlineTemplates.some((t) => ADMIN_TEMPLATES.has(t));
    principalExpectations(grantedAdmin, tags, looksHuman);
    reportRows.push({
      user: name,
      arn,
      created: user.CreateDate,
      createdDays: created,
      passwordEnabled,
      passwordUsed,
      passwordChanged: passwordEnabled ? ago(Math.min(created - 1, days(11, 300))) : 'N/A',
      mfa,
      cert: !human && r.chance(0.01),
    });
    userKeyCounts.push(human ? r.weighted([[0, 6], [1, 3], [2, 1]]) : r.weighted([[0, 3], [1, 8], [2, 22], [3, 15], [4, 13], [5, 10], [6, 9], [8, 9], [10, 6], [14, 3], [20, 2]]));
  }

  // Access keys: spread exactly KEYS over the users (the long tail absorbs the difference).
  let total = userKeyCounts.reduce((s, n) => s + n, 0);
  while (total !== KEYS) {
    const i = humans + r.int(0, USERS - humans - 1);
    if (total < KEYS) {
      userKeyCounts[i]++;
      total++;
    } else if (userKeyCounts[i] > 0) {
      userKeyCounts[i]--;
      total--;
    }
  }
  const AKIA = ['AK', 'IA'].join('');
  const accessKeyFiles = [];
  for (let i = 0; i < USERS; i++) {
    const row = reportRows[i];
    const count = userKeyCounts[i];
    // Distinct creation days, oldest first, none before the user existed (a user with many
    // keys is made old enough to have had them).
    const need = count * 3 + 40;
    if (row.createdDays < need) {
      row.createdDays = days(need, need + 600);
      users[i].CreateDate = row.created = ago(row.createdDays);
    }
    const keyDays = new Set();
    const upper = Math.max(2, row.createdDays - 1);
    while (keyDays.size < count) {
      // Ages: a third recent (under 90 days), the rest spread over the user's life.
      const [lo, hi] = r.weighted([[[1, 4], 4], [[11, 84], 32], [[96, 359], 30], [[371, 2600], 34]]);
      keyDays.add(lo <= upper ? days(lo, Math.min(hi, upper)) : days(1, upper));
    }
    const keys = [...keyDays].sort((a, b) => b - a).map((age) => {
      const active = r.chance(0.75);
      // Last use (the credential report knows it for the two newest keys only).
      const use = r.weighted([['recent', 55], ['idle', 20], ['never', 18], ['unknown', 2]]);
      let usedDays;
      if (use === 'recent' || (use === 'idle' && age < 102)) usedDays = days(0, Math.min(age - 1, 80));
      else if (use === 'idle') usedDays = days(100, age - 1);
      return { UserName: row.user, AccessKeyId: uniqueId(AKIA, 16), Status: active ? 'Active' : 'Inactive', CreateDate: ago(age), age, use: use === 'idle' || use === 'recent' ? 'used' : use, usedDays };
    });
    const slots = keys.slice(-2);
    row.slots = slots.map((k) => ({
      active: k.Status === 'Active',
      rotated: k.CreateDate,
      used: k.use === 'used' ? ago(k.usedDays) : k.use === 'never' ? 'N/A' : 'no_information',
      region: k.use === 'used' ? r.pick(REGIONS) : 'N/A',
      service: k.use === 'used' ? r.pick(KEY_SERVICES) : 'N/A',
    }));
    // Expected findings, as the key rules define them.
    let active = 0;
    for (const k of keys) {
      if (k.Status !== 'Active') continue;
      active++;
      if (k.age > 90) bump('unrotated-credential');
      if (!slots.includes(k)) continue; // no last-use data: unknown is not unused
      if ((k.use === 'never' && k.age > 7) || (k.use === 'used' && k.usedDays > 90)) bump('unused-credential');
    }
    if (active >= 2) bump('multiple-active-keys');
    accessKeyFiles.push({ user: row.user, keys: keys.map(({ UserName, AccessKeyId, Status, CreateDate }) => ({ UserName, AccessKeyId, Status, CreateDate })) });
  }

  // Roles.
  const roles = [];
  const serviceLinked = [
    ['autoscaling', 'AWSServiceRoleForAutoScaling', 'AutoScalingServiceRolePolicy'], ['ecs', 'AWSServiceRoleForECS', 'AmazonECSServiceRolePolicy'], ['rds', 'AWSServiceRoleForRDS', 'AmazonRDSServiceRolePolicy'],
    ['elasticloadbalancing', 'AWSServiceRoleForElasticLoadBalancing', 'AWSElasticLoadBalancingServiceRolePolicy'], ['support', 'AWSServiceRoleForSupport', 'AWSSupportServiceRolePolicy'], ['trustedadvisor', 'AWSServiceRoleForTrustedAdvisor', 'AWSTrustedAdvisorServiceRolePolicy'],
    ['organizations', 'AWSServiceRoleForOrganizations', 'AWSOrganizationsServiceTrustPolicy'], ['sso', 'AWSServiceRoleForSSO', 'AWSSSOServiceRolePolicy'], ['config', 'AWSServiceRoleForConfig', 'AWSConfigServiceRolePolicy'],
    ['guardduty', 'AWSServiceRoleForAmazonGuardDuty', 'AmazonGuardDutyServiceRolePolicy'], ['securityhub', 'AWSServiceRoleForSecurityHub', 'AWSSecurityHubServiceRolePolicy'], ['eks', 'AWSServiceRoleForAmazonEKS', 'AmazonEKSServiceRolePolicy'],
    ['eks-nodegroup', 'AWSServiceRoleForAmazonEKSNodegroup', 'AWSServiceRoleForAmazonEKSNodegroup'], ['elasticache', 'AWSServiceRoleForElastiCache', 'ElastiCacheServiceRolePolicy'], ['dynamodb.application-autoscaling', 'AWSServiceRoleForApplicationAutoScaling_DynamoDBTable', 'AWSApplicationAutoscalingDynamoDBTablePolicy'],
    ['ecs.application-autoscaling', 'AWSServiceRoleForApplicationAutoScaling_ECSService', 'AWSApplicationAutoscalingECSServicePolicy'], ['cloudtrail', 'AWSServiceRoleForCloudTrail', 'CloudTrailServiceRolePolicy'], ['access-analyzer', 'AWSServiceRoleForAccessAnalyzer', 'AccessAnalyzerServiceRolePolicy'],
    ['ssm', 'AWSServiceRoleForAmazonSSM', 'AmazonSSMServiceRolePolicy'], ['globalaccelerator', 'AWSServiceRoleForGlobalAccelerator', 'AWSGlobalAcceleratorSLRPolicy'],
  ];
  const permissionSets = ['AdministratorAccess', 'ReadOnlyAccess', 'PowerUserAccess', 'Billing', 'SecurityAudit', 'DataEngineer', 'Developer', 'OnCall'];
  const trust = (statements) => policyDocument(statements);
  const serviceTrust = (service) => trust([{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }]);
  const oidcGithub = A('oidc-provider/token.actions.githubusercontent.com');
  const managedRoleCount = serviceLinked.length + permissionSets.length * 3;
  for (let i = 0; i < ROLES; i++) {
    const app = r.pick(APPS);
    const env = r.pick(ENVS);
    const team = r.pick(TEAMS);
    let name;
    let path = '/';
    let trustDoc;
    let attached = [];
    let inline = [];
    let instanceProfile = false;
    let tags;
    let managed = false;
    if (i < serviceLinked.length) {
      const [service, roleName, policy] = serviceLinked[i];
      name = uniqueName(roleName);
      path = `/aws-service-role/${service}.amazonaws.com/`;
      trustDoc = serviceTrust(`${service}.amazonaws.com`);
      attached = [AWS_POLICY(`aws-service-role/${policy}`)];
      managed = true;
      tags = [];
    } else if (i < managedRoleCount) {
      const set = permissionSets[(i - serviceLinked.length) % permissionSets.length];
      name = uniqueName(`AWSReservedSSO_${set}_${r.hex(16)}`);
      path = r.chance(0.5) ? '/aws-reserved/sso.amazonaws.com/' : `/aws-reserved/sso.amazonaws.com/${r.pick(['eu-west-1', 'us-east-1'])}/`;
      trustDoc = trust([{ Effect: 'Allow', Principal: { Federated: A('saml-provider/AWSSSO_' + r.hex(16) + '_DO_NOT_DELETE') }, Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'], Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }]);
      const awsPolicy = { AdministratorAccess: 'AdministratorAccess', ReadOnlyAccess: 'ReadOnlyAccess', PowerUserAccess: 'PowerUserAccess', Billing: 'job-function/Billing', SecurityAudit: 'SecurityAudit' }[set];
      attached = awsPolicy ? [AWS_POLICY(awsPolicy)] : [];
      if (attached.length === 0) inline = [{ PolicyName: 'AwsSSOInlinePolicy', PolicyDocument: render(templates(3, 0.1)) }];
      managed = true;
      tags = [];
    } else {
      const kind = r.weighted([['lambda', 34], ['ecs', 20], ['ec2', 10], ['service', 8], ['cross-account', 12], ['github', 6], ['eks', 5], ['saml', 2], ['any', 1.2], ['ci-user', 1.8]]);
      const riskFor = { lambda: 0.07, ecs: 0.07, ec2: 0.1, service: 0.1, 'cross-account': 0.1, github: 0.45, eks: 0.07, saml: 0.2, any: 0.2, 'ci-user': 0.35 }[kind];
      tags = tagsFor(app, team, 0.65);
      let tpl = [];
      switch (kind) {
        case 'lambda':
          name = uniqueName(`${app}-${env}-${r.pick(['handler', 'worker', 'api', 'consumer', 'cron', 'processor'])}-role`);
          path = r.chance(0.3) ? '/service-role/' : '/';
          trustDoc = serviceTrust('lambda.amazonaws.com');
          attached.push(AWS_POLICY(r.chance(0.8) ? 'service-role/AWSLambdaBasicExecutionRole' : 'service-role/AWSLambdaVPCAccessExecutionRole'));
          tpl = templates(r.int(1, 4), riskFor);
          break;
        case 'ecs':
          name = uniqueName(`${app}-${env}-${r.pick(['task', 'execution', 'service'])}`);
          trustDoc = serviceTrust('ecs-tasks.amazonaws.com');
          if (name.includes('execution')) attached.push(AWS_POLICY('service-role/AmazonECSTaskExecutionRolePolicy'));
          tpl = templates(r.int(1, 4), riskFor);
          break;
        case 'ec2':
          name = uniqueName(`${app}-${env}-instance`);
          trustDoc = serviceTrust('ec2.amazonaws.com');
          attached.push(AWS_POLICY('AmazonSSMManagedInstanceCore'));
          if (r.chance(0.5)) attached.push(AWS_POLICY('CloudWatchAgentServerPolicy'));
          instanceProfile = true;
          tpl = templates(r.int(1, 3), riskFor);
          break;
        case 'service': {
          const service = r.pick(['glue', 'states', 'codebuild', 'events', 'firehose', 'sagemaker', 'datasync', 'backup', 'scheduler', 'codepipeline']);
          name = uniqueName(`${service}-${app}-${env}`);
          path = r.chance(0.5) ? '/service-role/' : '/';
          trustDoc = serviceTrust(`${service}.amazonaws.com`);
          if (service === 'glue') attached.push(AWS_POLICY('service-role/AWSGlueServiceRole'));
          tpl = templates(r.int(1, 3), riskFor);
          break;
        }
        case 'cross-account': {
          const other = r.pick(OTHER_ACCOUNTS);
          name = uniqueName(`${r.pick(['xacct', 'vendor', 'audit', 'deploy', 'monitoring'])}-${app}-${other.slice(-4)}`);
          const principal = r.weighted([[`arn:aws:iam::${other}:root`, 5], [other, 2], [`arn:aws:iam::${other}:role/${app}-deployer`, 3]]);
          const st = { Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' };
          if (r.chance(0.6)) st.Condition = { StringEquals: { 'sts:ExternalId': r.hex(24) } };
          else if (r.chance(0.3)) st.Condition = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
          trustDoc = trust([st]);
          if (r.chance(0.3)) attached.push(AWS_POLICY('ReadOnlyAccess'));
          if (r.chance(0.04)) attached.push(AWS_POLICY('AdministratorAccess'));
          tpl = templates(r.int(1, 3), riskFor);
          break;
        }
        case 'github': {
          const repo = `example-org/${app}${r.chance(0.5) ? `-${r.pick(['service', 'infra', 'web', 'api'])}` : ''}`;
          name = uniqueName(`gha-${app}-${env}-deploy`);
          const sub = r.weighted([['branch', 45], ['environment', 15], ['missing', 15], ['org', 12], ['any-ref', 10], ['repo-only', 3]]);
          const condition = { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } };
          if (sub === 'branch') condition.StringLike = { 'token.actions.githubusercontent.com:sub': `repo:${repo}:ref:refs/heads/main` };
          else if (sub === 'environment') condition.StringEquals['token.actions.githubusercontent.com:sub'] = `repo:${repo}:environment:${env === 'prod' ? 'production' : env}`;
          else if (sub === 'org') condition.StringLike = { 'token.actions.githubusercontent.com:sub': 'repo:example-org/*' };
          else if (sub === 'any-ref') condition.StringLike = { 'token.actions.githubusercontent.com:sub': `repo:${repo}:*` };
          else if (sub === 'repo-only') condition.StringLike = { 'token.actions.githubusercontent.com:sub': [`repo:${repo}:ref:refs/heads/main`, `repo:${repo}:ref:refs/tags/v*`] };
          if (sub === 'missing' || sub === 'org' || sub === 'any-ref') bump('oidc-trust-without-subject');
          trustDoc = trust([{ Effect: 'Allow', Principal: { Federated: oidcGithub }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }]);
          tpl = templates(r.int(1, 3), riskFor);
          break;
        }
        case 'eks': {
          const cluster = r.hex(32).toUpperCase();
          const host = `oidc.eks.${r.pick(REGIONS)}.amazonaws.com/id/${cluster}`;
          name = uniqueName(`eks-${app}-${env}-sa`);
          const condition = { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' } };
          if (r.chance(0.9)) condition.StringEquals[`${host}:sub`] = `system:serviceaccount:${app}:${app}-${r.pick(['api', 'worker', 'controller'])}`;
          else bump('oidc-trust-without-subject');
          trustDoc = trust([{ Effect: 'Allow', Principal: { Federated: A(`oidc-provider/${host}`) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }]);
          tpl = templates(r.int(1, 3), riskFor);
          break;
        }
        case 'saml':
          name = uniqueName(`${r.pick(['Okta', 'ADFS', 'Azure'])}-${team}-${r.pick(['Admin', 'Developer', 'ReadOnly', 'Operator'])}`);
          trustDoc = trust([{ Effect: 'Allow', Principal: { Federated: A('saml-provider/corp-idp') }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }]);
          attached.push(AWS_POLICY(r.weighted([['ReadOnlyAccess', 5], ['PowerUserAccess', 2], ['AdministratorAccess', 1]])));
          tpl = templates(r.int(0, 2), riskFor);
          break;
        case 'any': {
          name = uniqueName(`${app}-${r.pick(['shared', 'public', 'partner', 'legacy'])}-access`);
          const st = { Sid: 'AnyPrincipal', Effect: 'Allow', Principal: r.chance(0.5) ? { AWS: '*' } : '*', Action: 'sts:AssumeRole' };
          const guard = r.weighted([['org', 5], ['none', 3], ['mfa', 2]]);
          if (guard === 'org') st.Condition = { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } };
          else if (guard === 'mfa') st.Condition = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
          if (guard !== 'org') bump('trust-any-principal');
          trustDoc = trust([st]);
          tpl = templates(r.int(1, 2), riskFor);
          break;
        }
        default:
          // Roles that people and CI users of this account assume.
          name = uniqueName(`${team}-${r.pick(['deployer', 'operator', 'breakglass', 'automation'])}`);
          trustDoc = trust([{ Effect: 'Allow', Principal: { AWS: r.chance(0.5) ? A('root') : A(`user/machine/ci-${team}-${app}`) }, Action: ['sts:AssumeRole', 'sts:TagSession'] }]);
          if (r.chance(0.1)) attached.push(AWS_POLICY('AdministratorAccess'));
          tpl = templates(r.int(1, 4), riskFor);
      }
      if (tpl.length > 0) {
        // Mostly one inline policy, sometimes split in two.
        const split = tpl.length > 1 && r.chance(0.3) ? r.int(1, tpl.length - 1) : tpl.length;
        const base = `${app}-${r.pick(['policy', 'access', 'permissions', 'inline'])}`;
        inline = [tpl.slice(0, split), tpl.slice(split)].filter((n) => n.length > 0).map((n, k) => ({ PolicyName: k === 0 ? base : `${base}-${k + 1}`, PolicyDocument: render(n, { ...ctx(), app, env }), templates: n }));
      }
      attached.push(...attachCustomer(r.weighted([[0, 3], [1, 4], [2, 2], [3, 1]])));
      if (r.chance(0.02)) attached.push(AWS_POLICY('PowerUserAccess'));
      if (r.chance(0.04)) attached.push(AWS_POLICY('ReadOnlyAccess'));
      if (r.chance(0.02)) attached.push(AWS_POLICY('AmazonS3ReadOnlyAccess'));
    }
    const arn = A(`role${path}${name}`);
    const created = managed ? days(100, 2000) : r.chance(0.15) ? days(11, 80) : days(100, 2600);
    const use = r.weighted([['recent', 58], ['idle', 20], ['never', 22]]);
    let lastUsed = {};
    let idle;
    if (use === 'recent' || (use === 'idle' && created < 102)) idle = days(0, Math.min(created - 1, 80));
    else if (use === 'idle') idle = days(100, created - 1);
    if (idle !== undefined) lastUsed = { LastUsedDate: ago(idle), Region: r.pick(REGIONS) };
    const role = { Path: path, RoleName: name, RoleId: uniqueId('AROA', 17), Arn: arn, CreateDate: ago(created), AssumeRolePolicyDocument: trustDoc };
    role.InstanceProfileList = instanceProfile
      ? [{ Path: '/', InstanceProfileName: name, InstanceProfileId: uniqueId('AIPA', 17), Arn: A(`instance-profile/${name}`), CreateDate: role.CreateDate, Roles: [{ Path: path, RoleName: name, RoleId: role.RoleId, Arn: arn, CreateDate: role.CreateDate, AssumeRolePolicyDocument: trustDoc }] }]
      : [];
    role.RolePolicyList = inline.map(({ PolicyName, PolicyDocument }) => ({ PolicyName, PolicyDocument }));
    role.AttachedManagedPolicies = [...new Set(attached)].map(attach);
    const pb = managed ? undefined : boundary(0.05);
    if (pb) role.PermissionsBoundary = pb;
    role.Tags = tags;
    role.RoleLastUsed = lastUsed;
    roles.push(role);
    if (!managed) {
      const grantedAdmin = attached.some(isAdminArn) || inline.some((p) => (p.templates ?? []).some((t) => ADMIN_TEMPLATES.has(t)));
      principalExpectations(grantedAdmin, tags, false);
      if (idle === undefined ? created > 90 : idle > 90 && created > 90) bump('unused-role');
    }
  }

  for (const p of policies) {
    p.AttachmentCount = attachments.get(p.Arn) ?? 0;
    p.PermissionsBoundaryUsageCount = boundaryUses.get(p.Arn) ?? 0;
  }

  // The root user: an old access key, only in the credential report (list-access-keys cannot list it).
  const rootRow = {
    user: '<root_account>',
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    created: ago(2700),
    root: true,
    passwordUsed: ago(days(100, 400)),
    mfa: true,
    slots: [{ active: true, rotated: ago(2650), used: ago(days(200, 300)), region: 'us-east-1', service: 'iam' }],
  };
  bump('root-access-key');
  bump('unrotated-credential');
  bump('unused-credential');

  // Writing: the three kinds of file, as the CLI writes them.
  rmSync(outDir, { recursive: true, force: true });
  const iam = join(outDir, 'iam');
  mkdirSync(join(iam, 'access-keys'), { recursive: true });
  const auth = { UserDetailList: users, GroupDetailList: groups, RoleDetailList: roles, Policies: policies };
  writeFileSync(join(iam, 'authorization-details.json'), JSON.stringify(auth, null, 4) + '\n');
  writeFileSync(join(iam, 'credential-report.csv'), credentialReport([rootRow, ...reportRows]));
  for (const f of accessKeyFiles) writeFileSync(join(iam, 'access-keys', `${f.user}.json`), JSON.stringify({ AccessKeyMetadata: f.keys }, null, 4) + '\n');

  for (const rule of ['hardcoded-secret', 'leaked-live-credential']) expected[rule] ??= 0;
  return {
    version: GENERATOR_VERSION,
    seed,
    now: now.toISOString(),
    account: ACCOUNT,
    users: users.length,
    roles: roles.length,
    customerRoles: roles.length - managedRoleCount,
    groups: groups.length,
    customerPolicies: policies.length,
    accessKeys: accessKeyFiles.reduce((s, f) => s + f.keys.length, 0),
    files: 2 + accessKeyFiles.length,
    expected,
  };
}

/** The decoded credential report: the 22 documented columns, one row per user plus the root user. */
function credentialReport(rows) {
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
    'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
    'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
    'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const lines = [header];
  for (const row of rows) {
    const slot = (s) => (s ? [String(s.active), s.rotated, s.used, s.region, s.service] : ['false', 'N/A', 'N/A', 'N/A', 'N/A']);
    const password = row.root
      ? ['not_supported', row.passwordUsed, 'not_supported', 'not_supported']
      : [String(row.passwordEnabled), row.passwordUsed, row.passwordChanged, 'N/A'];
    const cert = row.cert ? ['true', row.created] : ['false', 'N/A'];
    lines.push([row.user, row.arn, row.created, ...password, String(row.mfa), ...slot(row.slots[0]), ...slot(row.slots[1]), ...cert, 'false', 'N/A'].join(','));
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
  if (!out) {
    process.stderr.write('usage: node scripts/bench-aws.mjs OUT_DIR [--users N] [--roles N] [--keys N] [--policies N] [--seed N] [--now ISO]\n');
    process.exit(2);
  }
  const opt = (name) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
  const num = (name) => (opt(name) !== undefined ? Number(opt(name)) : undefined);
  const summary = buildAwsExport(out, { users: num('users'), roles: num('roles'), keys: num('keys'), policies: num('policies'), seed: num('seed'), now: opt('now') });
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
}
