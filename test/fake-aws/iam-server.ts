/**
 * A local fake of the IAM and STS endpoints for tests: a `node:http` server on 127.0.0.1 that
 * speaks the AWS Query protocol as the real services do. Requests are POSTed form-encoded
 * (`Action=…&Version=2010-05-08` for IAM, `Version=2011-06-15` for STS) and signed with SigV4;
 * responses are XML (`<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`),
 * lists as `<member>` elements, policy documents URL-encoded, timestamps ISO-8601, errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 *
 * The server does not verify signatures: it reads the access key id from the Authorization
 * header's credential scope and maps it to an account. It records every request (for the
 * read-only test) and injects faults on demand (throttling, persistent errors, dropped
 * connections). It holds no real credentials: the temporary credentials it issues are fake.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAccessKey, FakeAccount, FakeInlinePolicy, FakePrincipal, FakeUser } from './model.js';
import { awsTimestamp, errorResponse, successResponse, type XmlValue } from './xml.js';

export const IAM_VERSION = '2010-05-08';
export const STS_VERSION = '2011-06-15';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const STS_ACTIONS = new Set(['GetCallerIdentity', 'AssumeRole']);

export interface RecordedRequest {
  action: string;
  version: string;
  /** The service of the SigV4 credential scope (`iam`, `sts`). */
  signedService?: string;
  accessKeyId?: string;
  /** The account the request was answered for, when the credentials were recognised. */
  accountId?: string;
  params: Record<string, string>;
}

export interface FaultError {
  status: number;
  code: string;
  message: string;
  type?: 'Sender' | 'Receiver';
}

export interface Fault {
  /** The Query action this fault applies to (`*` for any). */
  action: string;
  /** Only for requests answered for this account. */
  accountId?: string;
  /** How many matching requests get the fault; default: all of them. */
  times?: number;
  /** An error document, or `close` to destroy the connection without a response. */
  response: FaultError | 'close';
}

/** Ready-made faults in the shapes AWS returns them. */
export const faults = {
  throttling: (action: string, times: number, accountId?: string): Fault => ({
    action,
    times,
    accountId,
    response: { status: 400, type: 'Sender', code: 'Throttling', message: 'Rate exceeded' },
  }),
  tooManyRequests: (action: string, times: number, accountId?: string): Fault => ({
    action,
    times,
    accountId,
    response: { status: 429, type: 'Sender', code: 'ThrottlingException', message: 'Rate exceeded' },
  }),
  unavailable: (action: string, times?: number, accountId?: string): Fault => ({
    action,
    times,
    accountId,
    response: { status: 503, type: 'Receiver', code: 'ServiceUnavailable', message: 'Service is unavailable. Please try again later.' },
  }),
  accessDenied: (action: string, accountId?: string, arn = 'arn:aws:iam::111111111111:user/nhi-scanner'): Fault => ({
    action,
    accountId,
    response: {
      status: 403,
      type: 'Sender',
      code: 'AccessDenied',
      message: `User: ${arn} is not authorized to perform: ${STS_ACTIONS.has(action) ? 'sts' : 'iam'}:${action} because no identity-based policy allows the ${STS_ACTIONS.has(action) ? 'sts' : 'iam'}:${action} action`,
    },
  }),
  close: (action: string, times?: number, accountId?: string): Fault => ({ action, times, accountId, response: 'close' }),
};

export interface FakeAwsOptions {
  accounts: FakeAccount[];
  /** Long-term access keys the server accepts, and whose they are. */
  principals: Record<string, FakePrincipal>;
  /** Role ARNs that `AssumeRole` accepts (the role must exist in its account's fixture). */
  assumableRoles?: string[];
  /** Items per page when the request gives no smaller MaxItems. Default 100, as AWS. */
  pageSize?: number;
  /** How many GenerateCredentialReport calls answer STARTED before one answers COMPLETE. Default 1. */
  reportStartedCalls?: number;
  /** Server clock, for GeneratedTime and credential report timestamps. */
  now?: Date;
}

export interface FakeAwsServer {
  /** `http://127.0.0.1:<port>`: the endpoint override for both IAM and STS clients. */
  url: string;
  requests: RecordedRequest[];
  faults: Fault[];
  /** Actions received, in order. */
  actions(): string[];
  /** Delay before each answer, to observe concurrency. */
  latencyMs: number;
  /** Most requests being answered at the same time since the last reset. */
  maxInFlight: number;
  reset(): void;
  close(): Promise<void>;
}

interface AccountState {
  account: FakeAccount;
  generateCalls: number;
}

let requestCounter = 0;
function requestId(): string {
  requestCounter += 1;
  const n = requestCounter.toString(16).padStart(12, '0');
  return `fa4e0000-0000-4000-8000-${n}`;
}

/** A number in AWS key-id characters ([A-Z2-7]), left-padded to `width`. */
function base32(n: number, width: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let rest = n; rest > 0; rest = Math.floor(rest / 32)) out = alphabet[rest % 32] + out;
  return out.padStart(width, 'A');
}

/** RFC 3986 encoding, as IAM encodes policy documents. */
function encodePolicy(document: object): string {
  return encodeURIComponent(JSON.stringify(document)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function inline(policies: FakeInlinePolicy[] | undefined): XmlValue {
  return (policies ?? []).map((p) => ({ PolicyName: p.name, PolicyDocument: encodePolicy(p.document) }));
}

function attached(arns: string[] | undefined): XmlValue {
  return (arns ?? []).map((arn) => ({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn }));
}

function userArn(account: FakeAccount, user: FakeUser): string {
  return `arn:aws:iam::${account.accountId}:user${user.path ?? '/'}${user.name}`;
}

/** The entries of GetAccountAuthorizationDetails, in AWS's order: users, groups, roles, policies. */
function authorizationEntries(account: FakeAccount): Array<[list: string, item: Record<string, XmlValue>]> {
  const id = account.accountId;
  const out: Array<[string, Record<string, XmlValue>]> = [];
  for (const user of account.users) {
    out.push([
      'UserDetailList',
      {
        Path: user.path ?? '/',
        UserName: user.name,
        UserId: user.id,
        Arn: userArn(account, user),
        CreateDate: user.created,
        UserPolicyList: inline(user.inlinePolicies),
        GroupList: user.groups ?? [],
        AttachedManagedPolicies: attached(user.attachedPolicies),
        PermissionsBoundary: user.permissionsBoundary ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: user.permissionsBoundary } : undefined,
        Tags: user.tags ?? [],
      },
    ]);
  }
  for (const group of account.groups) {
    out.push([
      'GroupDetailList',
      {
        Path: group.path ?? '/',
        GroupName: group.name,
        GroupId: group.id,
        Arn: `arn:aws:iam::${id}:group${group.path ?? '/'}${group.name}`,
        CreateDate: group.created,
        GroupPolicyList: inline(group.inlinePolicies),
        AttachedManagedPolicies: attached(group.attachedPolicies),
      },
    ]);
  }
  for (const role of account.roles) {
    const roleArn = `arn:aws:iam::${id}:role${role.path ?? '/'}${role.name}`;
    out.push([
      'RoleDetailList',
      {
        Path: role.path ?? '/',
        RoleName: role.name,
        RoleId: role.id,
        Arn: roleArn,
        CreateDate: role.created,
        AssumeRolePolicyDocument: encodePolicy(role.trustPolicy),
        InstanceProfileList: (role.instanceProfiles ?? []).map((name, i) => ({
          Path: '/',
          InstanceProfileName: name,
          InstanceProfileId: `AIPAFAKEPROFILE${base32(i, 5)}`,
          Arn: `arn:aws:iam::${id}:instance-profile/${name}`,
          CreateDate: role.created,
          Roles: [{ Path: role.path ?? '/', RoleName: role.name, RoleId: role.id, Arn: roleArn, CreateDate: role.created, AssumeRolePolicyDocument: encodePolicy(role.trustPolicy) }],
        })),
        RolePolicyList: inline(role.inlinePolicies),
        AttachedManagedPolicies: attached(role.attachedPolicies),
        Tags: role.tags ?? [],
        // AWS returns an empty RoleLastUsed for a role never assumed (or not in the tracking period).
        RoleLastUsed: role.lastUsed ? { LastUsedDate: role.lastUsed.date, Region: role.lastUsed.region } : {},
      },
    ]);
  }
  for (const policy of account.policies) {
    out.push([
      'Policies',
      {
        PolicyName: policy.name,
        PolicyId: policy.id,
        Arn: policy.arn,
        Path: policy.path ?? '/',
        DefaultVersionId: 'v1',
        AttachmentCount: policy.attachmentCount,
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        CreateDate: policy.created,
        UpdateDate: policy.updated ?? policy.created,
        PolicyVersionList: [{ Document: encodePolicy(policy.document), VersionId: 'v1', IsDefaultVersion: true, CreateDate: policy.updated ?? policy.created }],
      },
    ]);
  }
  return out;
}

/** The credential report's 22 documented columns, in order. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

/** The credential report AWS would produce for this account (timestamps with +00:00, as AWS writes them). */
export function credentialReportCsv(account: FakeAccount): string {
  const ts = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const keyColumns = (key: FakeAccessKey | undefined): string[] =>
    key
      ? [
          String(key.status === 'Active'),
          ts(key.created),
          key.lastUsed ? ts(key.lastUsed.date) : 'N/A',
          key.lastUsed ? key.lastUsed.region : 'N/A',
          key.lastUsed ? key.lastUsed.service : 'N/A',
        ]
      : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  const rows: string[][] = [
    [
      '<root_account>',
      `arn:aws:iam::${account.accountId}:root`,
      ts(account.rootCreated),
      'not_supported',
      'no_information',
      'not_supported',
      'not_supported',
      'true',
      ...keyColumns(undefined),
      ...keyColumns(undefined),
      'false',
      'N/A',
      'false',
      'N/A',
    ],
  ];
  for (const user of account.users) {
    rows.push([
      user.name,
      userArn(account, user),
      ts(user.created),
      String(Boolean(user.password)),
      user.password ? (user.password.lastUsed ? ts(user.password.lastUsed) : 'no_information') : 'N/A',
      user.password ? ts(user.password.lastChanged) : 'N/A',
      'N/A',
      String(Boolean(user.mfa)),
      ...keyColumns(user.keys[0]),
      ...keyColumns(user.keys[1]),
      'false',
      'N/A',
      'false',
      'N/A',
    ]);
  }
  return [CREDENTIAL_REPORT_COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n');
}

function page<T>(items: T[], params: Record<string, string>, pageSize: number, action: string): { items: T[]; IsTruncated: boolean; Marker?: string } | undefined {
  let start = 0;
  if (params.Marker !== undefined) {
    const decoded = Buffer.from(params.Marker, 'base64').toString('utf8');
    const match = /^(\w+):(\d+)$/.exec(decoded);
    if (!match || match[1] !== action) return undefined;
    start = Number(match[2]);
  }
  const max = params.MaxItems !== undefined ? Math.min(Number(params.MaxItems), pageSize) : pageSize;
  const slice = items.slice(start, start + max);
  const next = start + slice.length;
  return next < items.length
    ? { items: slice, IsTruncated: true, Marker: Buffer.from(`${action}:${next}`).toString('base64') }
    : { items: slice, IsTruncated: false };
}

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAwsServer> {
  const pageSize = options.pageSize ?? 100;
  const reportStartedCalls = options.reportStartedCalls ?? 1;
  const now = options.now ?? new Date('2024-06-15T00:00:00Z');
  const accounts = new Map<string, AccountState>(options.accounts.map((a) => [a.accountId, { account: a, generateCalls: 0 }]));
  const principals = new Map<string, FakePrincipal>(Object.entries(options.principals));
  const assumable = new Set(options.assumableRoles ?? []);
  const requests: RecordedRequest[] = [];
  const faultList: Fault[] = [];
  let sessionCounter = 0;

  function handle(action: string, params: Record<string, string>, principal: FakePrincipal): Record<string, XmlValue> | undefined {
    const state = accounts.get(principal.accountId);
    if (!state) throw new QueryError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    const account = state.account;
    switch (action) {
      case 'GetCallerIdentity':
        return { Arn: principal.arn, UserId: principal.userId, Account: principal.accountId };
      case 'AssumeRole': {
        const roleArn = params.RoleArn ?? '';
        const sessionName = params.RoleSessionName ?? '';
        if (!roleArn || !sessionName) throw new QueryError(400, 'ValidationError', '1 validation error detected: RoleArn and RoleSessionName are required');
        const target = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
        const targetAccount = target ? accounts.get(target[1] as string) : undefined;
        const role = targetAccount?.account.roles.find((r) => r.name === target?.[2]);
        if (!assumable.has(roleArn) || !role || !target) {
          throw new QueryError(403, 'AccessDenied', `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
        }
        sessionCounter += 1;
        const accessKeyId = `ASIAFAKESESSION${base32(sessionCounter, 5)}`;
        const assumedArn = `arn:aws:sts::${target[1]}:assumed-role/${role.name}/${sessionName}`;
        principals.set(accessKeyId, { accountId: target[1] as string, arn: assumedArn, userId: `${role.id}:${sessionName}` });
        return {
          AssumedRoleUser: { AssumedRoleId: `${role.id}:${sessionName}`, Arn: assumedArn },
          Credentials: {
            AccessKeyId: accessKeyId,
            SecretAccessKey: 'fake-session-secret-for-local-test-server-only',
            SessionToken: `fake-session-token-${sessionCounter}`,
            Expiration: awsTimestamp(new Date(Date.now() + 3600_000)),
          },
        };
      }
      case 'GetAccountAuthorizationDetails': {
        const p = page(authorizationEntries(account), params, pageSize, action);
        if (!p) throw new QueryError(400, 'InvalidInput', 'Invalid Marker');
        const result: Record<string, XmlValue> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
        for (const [list, item] of p.items) (result[list] as XmlValue[]).push(item);
        result.IsTruncated = p.IsTruncated;
        result.Marker = p.Marker;
        return result;
      }
      case 'GenerateCredentialReport': {
        state.generateCalls += 1;
        return state.generateCalls <= reportStartedCalls
          ? { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' }
          : { State: 'COMPLETE' };
      }
      case 'GetCredentialReport': {
        if (state.generateCalls === 0) throw new QueryError(410, 'ReportNotPresent', 'Credential report not present. Call GenerateCredentialReport first.');
        if (state.generateCalls <= reportStartedCalls) throw new QueryError(404, 'ReportInProgress', 'Credential report is being generated.');
        return {
          Content: Buffer.from(credentialReportCsv(account), 'utf8').toString('base64'),
          ReportFormat: 'text/csv',
          GeneratedTime: awsTimestamp(now),
        };
      }
      case 'ListUsers': {
        const users = account.users.map((u) => ({
          Path: u.path ?? '/',
          UserName: u.name,
          UserId: u.id,
          Arn: userArn(account, u),
          CreateDate: u.created,
          PasswordLastUsed: u.password?.lastUsed ?? undefined,
        }));
        const p = page(users, params, pageSize, action);
        if (!p) throw new QueryError(400, 'InvalidInput', 'Invalid Marker');
        return { Users: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
      }
      case 'ListAccessKeys': {
        const name = params.UserName;
        const user = name === undefined ? account.users.find((u) => userArn(account, u) === principal.arn) : account.users.find((u) => u.name === name);
        if (!user) throw new QueryError(404, 'NoSuchEntity', `The user with name ${name ?? '(caller)'} cannot be found.`);
        const keys = user.keys.map((k) => ({ UserName: user.name, AccessKeyId: k.id, Status: k.status, CreateDate: k.created }));
        const p = page(keys, params, pageSize, action);
        if (!p) throw new QueryError(400, 'InvalidInput', 'Invalid Marker');
        return { AccessKeyMetadata: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
      }
      case 'GetAccessKeyLastUsed': {
        const id = params.AccessKeyId ?? '';
        for (const user of account.users) {
          const key = user.keys.find((k) => k.id === id);
          if (!key) continue;
          return {
            UserName: user.name,
            // Never used: AWS answers N/A for region and service and leaves LastUsedDate out.
            AccessKeyLastUsed: key.lastUsed
              ? { LastUsedDate: key.lastUsed.date, ServiceName: key.lastUsed.service, Region: key.lastUsed.region }
              : { ServiceName: 'N/A', Region: 'N/A' },
          };
        }
        throw new QueryError(403, 'AccessDenied', `User: ${principal.arn} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ${id}`);
      }
      default:
        throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version ${STS_ACTIONS.has(action) ? STS_VERSION : IAM_VERSION}`);
    }
  }

  let inFlight = 0;
  const api: FakeAwsServer = {
    url: '',
    requests,
    faults: faultList,
    actions: () => requests.map((r) => r.action),
    latencyMs: 0,
    maxInFlight: 0,
    reset() {
      requests.length = 0;
      faultList.length = 0;
      api.latencyMs = 0;
      api.maxInFlight = 0;
      for (const state of accounts.values()) state.generateCalls = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight += 1;
    api.maxInFlight = Math.max(api.maxInFlight, inFlight);
    try {
      await answer(req, res);
    } finally {
      inFlight -= 1;
    }
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (api.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, api.latencyMs));
    const params = Object.fromEntries(new URLSearchParams(body));
    const action = params.Action ?? '';
    const version = params.Version ?? '';
    const isSts = version === STS_VERSION;
    const namespace = isSts ? STS_NAMESPACE : IAM_NAMESPACE;
    const auth = /Credential=([A-Z0-9]+)\/\d{8}\/([\w-]+)\/(\w+)\/aws4_request/.exec(req.headers.authorization ?? '');
    const accessKeyId = auth?.[1];
    const principal = accessKeyId ? principals.get(accessKeyId) : undefined;
    const recorded: RecordedRequest = { action, version, signedService: auth?.[3], accessKeyId, accountId: principal?.accountId, params };
    requests.push(recorded);

    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId(), 'content-length': Buffer.byteLength(xml) });
      res.end(xml);
    };
    const sendError = (e: QueryError) => send(e.status, errorResponse(namespace, e.type, e.code, e.message, requestId()));

    const fault = faultList.find((f) => (f.action === action || f.action === '*') && (f.accountId === undefined || f.accountId === principal?.accountId) && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1;
      if (fault.response === 'close') {
        req.socket.destroy();
        return;
      }
      sendError(new QueryError(fault.response.status, fault.response.code, fault.response.message, fault.response.type ?? 'Sender'));
      return;
    }

    try {
      if (req.method !== 'POST') throw new QueryError(400, 'InvalidAction', 'Only POST is supported by this fake.');
      if (!action) throw new QueryError(400, 'MissingAction', 'Missing Action');
      if (version !== IAM_VERSION && version !== STS_VERSION) throw new QueryError(400, 'InvalidAction', `Unsupported version ${version}`);
      if (STS_ACTIONS.has(action) !== isSts) throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version ${version}`);
      if (!auth) throw new QueryError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      if (auth[3] !== (isSts ? 'sts' : 'iam')) throw new QueryError(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: '${isSts ? 'sts' : 'iam'}'.`);
      if (!principal) throw new QueryError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      const result = handle(action, params, principal);
      send(200, successResponse(action, namespace, result, requestId()));
    } catch (error) {
      if (error instanceof QueryError) sendError(error);
      else sendError(new QueryError(500, 'ServiceFailure', (error as Error).message, 'Receiver'));
    }
  }

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  api.url = `http://127.0.0.1:${port}`;
  return api;
}
