import type { FakeAccount } from './model.js';

/**
 * Fixture estate for the live-mode tests: two accounts. The caller's credentials live in
 * account 111111111111; account 222222222222 is reached by assuming `nhi-audit` there.
 * Key ids follow AWS's format (AKIA + 16 of [A-Z2-7]) but are made up; secrets are obviously fake.
 */

/**
 * Access key ids of the fixtures. Built at run time so that the repository holds no literal
 * key id for nhi's own secret scan to report (the dogfooding test).
 */
const akia = (rest: string) => `AKIA${rest}`;
export const KEY_IDS = {
  CALLER: akia('FAKECALLER234567'),
  CI_ACTIVE: akia('FAKECIDEPLOY2345'),
  CI_INACTIVE: akia('FAKECIDEPLOY7777'),
  ALICE_NEVER_USED: akia('FAKEALICENEVERU2'),
  LEGACY: akia('FAKELEGACYBOT345'),
  BATCH: akia('FAKEBATCHEXPRT23'),
} as const;

export const MAIN_ACCOUNT = '111111111111';
export const SECOND_ACCOUNT = '222222222222';

/** The static credentials the tests hand to the connector. */
export const CALLER_CREDENTIALS = {
  accessKeyId: KEY_IDS.CALLER,
  secretAccessKey: 'fake-secret-for-local-test-server-only',
} as const;
export const CALLER_ARN = `arn:aws:iam::${MAIN_ACCOUNT}:user/nhi-scanner`;

export const AUDIT_ROLE_ARN = `arn:aws:iam::${SECOND_ACCOUNT}:role/nhi-audit`;

const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export const mainAccount: FakeAccount = {
  accountId: MAIN_ACCOUNT,
  rootCreated: '2019-03-01T09:00:00Z',
  users: [
    {
      name: 'ci-deployer',
      id: 'AIDAFAKECIDEPLOYER01',
      path: '/machine/',
      created: '2021-05-10T12:00:00Z',
      tags: [
        { Key: 'owner', Value: 'platform-team' },
        { Key: 'purpose', Value: 'deploys from CI' },
      ],
      attachedPolicies: [`arn:aws:iam::${MAIN_ACCOUNT}:policy/DeployPolicy`],
      inlinePolicies: [
        {
          name: 'pass-deploy-role',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['iam:PassRole', 'lambda:CreateFunction'], Resource: '*' }],
          },
        },
      ],
      keys: [
        { id: KEY_IDS.CI_ACTIVE, status: 'Active', created: '2022-01-15T08:30:00Z', lastUsed: { date: '2024-06-01T10:00:00Z', service: 's3', region: 'eu-west-1' } },
        { id: KEY_IDS.CI_INACTIVE, status: 'Inactive', created: '2021-05-10T12:05:00Z', lastUsed: { date: '2022-01-10T07:00:00Z', service: 'iam', region: 'us-east-1' } },
      ],
    },
    {
      name: 'alice',
      id: 'AIDAFAKEALICE0000001',
      created: '2020-02-02T09:00:00Z',
      tags: [{ Key: 'team', Value: 'security' }],
      groups: ['admins'],
      password: { lastUsed: '2024-06-10T08:00:00Z', lastChanged: '2024-01-01T00:00:00Z' },
      mfa: true,
      keys: [{ id: KEY_IDS.ALICE_NEVER_USED, status: 'Active', created: '2024-05-30T16:00:00Z', lastUsed: null }],
    },
    {
      name: 'legacy-bot',
      id: 'AIDAFAKELEGACYBOT001',
      created: '2018-07-07T07:07:07Z',
      inlinePolicies: [
        {
          name: 'too-much',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'Escalate', Effect: 'Allow', Action: ['iam:CreatePolicyVersion', 'iam:AttachUserPolicy'], Resource: '*' },
              { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::legacy-bucket/*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
            ],
          },
        },
      ],
      keys: [{ id: KEY_IDS.LEGACY, status: 'Active', created: '2018-07-07T07:10:00Z', lastUsed: { date: '2019-01-01T00:00:00Z', service: 'sqs', region: 'us-west-2' } }],
    },
    {
      name: 'nhi-scanner',
      id: 'AIDAFAKENHISCANNER01',
      created: '2024-01-01T00:00:00Z',
      tags: [{ Key: 'owner', Value: 'security' }],
      attachedPolicies: ['arn:aws:iam::aws:policy/SecurityAudit'],
      keys: [{ id: KEY_IDS.CALLER, status: 'Active', created: '2024-01-01T00:00:00Z', lastUsed: { date: '2024-06-12T00:00:00Z', service: 'iam', region: 'us-east-1' } }],
    },
    {
      name: 'report-reader',
      id: 'AIDAFAKEREPORTREADER',
      path: '/machine/',
      created: '2023-03-03T03:03:03Z',
      tags: [{ Key: 'owner', Value: 'finance' }],
      keys: [],
    },
  ],
  groups: [
    {
      name: 'admins',
      id: 'AGPAFAKEADMINS000001',
      created: '2019-03-01T10:00:00Z',
      attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      inlinePolicies: [{ name: 'deny-leave-org', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] } }],
    },
  ],
  roles: [
    {
      name: 'github-deploy',
      id: 'AROAFAKEGITHUBDEPLOY',
      created: '2023-04-01T00:00:00Z',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${MAIN_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
              StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:example-org/app:ref:refs/heads/main' },
            },
          },
        ],
      },
      tags: [{ Key: 'owner', Value: 'platform-team' }],
      attachedPolicies: [`arn:aws:iam::${MAIN_ACCOUNT}:policy/DeployPolicy`],
      lastUsed: { date: '2024-06-11T12:00:00Z', region: 'eu-west-1' },
    },
    {
      name: 'lambda-exec',
      id: 'AROAFAKELAMBDAEXEC01',
      path: '/service/',
      created: '2022-08-08T08:08:08Z',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      inlinePolicies: [{ name: 'logs', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }] } }],
      instanceProfiles: [],
    },
    {
      name: 'AWSServiceRoleForSupport',
      id: 'AROAFAKESUPPORTROLE1',
      path: '/aws-service-role/support.amazonaws.com/',
      created: '2019-03-01T09:00:00Z',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'support.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      attachedPolicies: ['arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy'],
    },
    {
      name: 'anyone-can-assume',
      id: 'AROAFAKEANYONE000001',
      created: '2020-10-10T10:10:10Z',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] },
      instanceProfiles: ['anyone-profile'],
    },
  ],
  policies: [
    {
      name: 'AdministratorAccess',
      id: 'ANPAFAKEADMINACCESS1',
      arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      created: '2015-02-06T18:39:46Z',
      document: allowAll,
      attachmentCount: 1,
    },
    {
      name: 'DeployPolicy',
      id: 'ANPAFAKEDEPLOYPOLICY',
      arn: `arn:aws:iam::${MAIN_ACCOUNT}:policy/DeployPolicy`,
      created: '2021-05-10T11:00:00Z',
      updated: '2023-02-02T02:02:02Z',
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::deploy-artifacts/*' },
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        ],
      },
      attachmentCount: 2,
    },
  ],
};

export const secondAccount: FakeAccount = {
  accountId: SECOND_ACCOUNT,
  rootCreated: '2020-06-01T00:00:00Z',
  users: [
    {
      name: 'batch-exporter',
      id: 'AIDAFAKEBATCHEXPORT1',
      created: '2020-06-02T00:00:00Z',
      tags: [{ Key: 'owner', Value: 'data-team' }],
      attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      keys: [{ id: KEY_IDS.BATCH, status: 'Active', created: '2020-06-02T00:10:00Z', lastUsed: { date: '2024-05-01T00:00:00Z', service: 'dynamodb', region: 'eu-central-1' } }],
    },
  ],
  groups: [],
  roles: [
    {
      name: 'nhi-audit',
      id: 'AROAFAKENHIAUDIT0001',
      created: '2024-01-01T00:00:00Z',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MAIN_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] },
      tags: [{ Key: 'owner', Value: 'security' }],
      attachedPolicies: ['arn:aws:iam::aws:policy/SecurityAudit'],
      lastUsed: { date: '2024-06-12T00:00:00Z', region: 'us-east-1' },
    },
  ],
  policies: [
    {
      name: 'AdministratorAccess',
      id: 'ANPAFAKEADMINACCESS1',
      arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      created: '2015-02-06T18:39:46Z',
      document: allowAll,
      attachmentCount: 1,
    },
  ],
};
