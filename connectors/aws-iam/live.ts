/**
 * Live mode: collects each account's IAM export through the AWS SDK, in the same shape offline
 * mode reads from the CLI's JSON (types.ts). Read-only by construction: every client carries a
 * middleware that refuses any operation outside ALLOWED_OPERATIONS before it is serialised or
 * sent, so a programming error cannot turn an audit into a change.
 *
 * - Credentials: the SDK's standard Node chain (environment, shared config and credentials files
 *   with `profile`, SSO, web identity, container and instance metadata) unless given.
 * - Accounts: the caller's own (STS GetCallerIdentity), plus one per role in `assumeRoles`
 *   (STS AssumeRole, session name `nhi-audit`). A role in the caller's own account replaces the
 *   caller for that account. Accounts run with bounded concurrency.
 * - Per account: GetAccountAuthorizationDetails (all pages), the credential report
 *   (GenerateCredentialReport polled until COMPLETE, then GetCredentialReport), ListUsers +
 *   ListAccessKeys + GetAccessKeyLastUsed, with at most `concurrency` calls in flight.
 * - Throttling (HTTP 429, `Throttling`, `ThrottlingException`, `RequestLimitExceeded`…) and
 *   transient failures (HTTP 5xx, connection resets, timeouts) are retried by the SDK's own
 *   retry strategy with exponential backoff and jitter.
 * - Failures become `unreadable` warnings (`aws:<account>` or `aws:<role arn>`) and the rest is
 *   still collected: each part of an export is either complete or absent, except access keys,
 *   where one user's failed listing drops only that user's keys, and a failed
 *   GetAccessKeyLastUsed leaves `LastUsed` undefined (unknown) rather than null (never used).
 * - Secrets never reach a message: known secret values are scrubbed from every warning.
 */
import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  type IAMClientConfig,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
// The SDK's own retry strategy (the package the AWS clients themselves depend on and re-use).
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { ScanWarning } from '../../src/core/model.js';
import type { AccessKeyMetadata, AuthorizationDetails, AwsAccountExport } from './types.js';

/**
 * Every operation live mode sends, as IAM policy actions. All are reads: `Get*`, `List*`,
 * `GenerateCredentialReport` (starts building the read-only report) and the two STS calls
 * that only identify the caller or obtain read credentials for another account.
 * The README's read-only policy for live mode lists exactly these.
 */
export const ALLOWED_OPERATIONS = [
  'sts:GetCallerIdentity',
  'sts:AssumeRole',
  'iam:GetAccountAuthorizationDetails',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  'iam:ListUsers',
  'iam:ListAccessKeys',
  'iam:GetAccessKeyLastUsed',
] as const;

export type AllowedOperation = (typeof ALLOWED_OPERATIONS)[number];

const ALLOWED = new Set<string>(ALLOWED_OPERATIONS);

export type CredentialProvider = NonNullable<IAMClientConfig['credentials']>;

export interface RetryOptions {
  /** Total attempts per call, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff before retry n (1-based) is up to `baseDelayMs * 2^(n-1)`, with jitter. Default 250. */
  baseDelayMs?: number;
  /** Cap on one backoff. Default 20 000. */
  maxDelayMs?: number;
}

export interface LiveOptions {
  /** Default `us-east-1` (IAM is global; STS is called in this region). */
  region?: string;
  /** A profile of the shared config/credentials files, for the standard chain. */
  profile?: string;
  /** Endpoint override for both IAM and STS (tests, VPC endpoints). */
  endpoint?: string;
  /** Role ARNs to assume, one per additional account. */
  assumeRoles: string[];
  /** API calls in flight per account. */
  concurrency: number;
  /** Accounts collected at once. Default min(4, concurrency). */
  accountConcurrency?: number;
  /** Skips the standard chain (tests pass static credentials). */
  credentials?: CredentialProvider;
  retry?: RetryOptions;
  /** Polling of GenerateCredentialReport until COMPLETE. Defaults: 20 attempts, 2 000 ms apart. */
  credentialReport?: { attempts?: number; delayMs?: number };
  /** Per-request socket timeout. Default 30 000 ms. */
  requestTimeoutMs?: number;
}

export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
}

/** Thrown by the read-only guard; nothing has been sent when it is. */
export class ForbiddenOperationError extends Error {
  constructor(readonly operation: string) {
    super(`nhi live mode is read-only: refusing to send ${operation} (not in ALLOWED_OPERATIONS)`);
    this.name = 'ForbiddenOperationError';
  }
}

/** The allow-list as SDK middleware: runs first in the initialize step, before serialisation and signing. */
export function guardClient(client: IAMClient | STSClient, service: 'iam' | 'sts'): void {
  // Both clients share the same middleware stack type but TypeScript cannot call through the union.
  (client as unknown as IAMClient).middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '');
      const operation = `${service}:${command.replace(/Command$/, '')}`;
      if (!ALLOWED.has(operation)) throw new ForbiddenOperationError(operation);
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'nhiReadOnlyGuard', override: true },
  );
}

function retryStrategy(retry: RetryOptions = {}): ConfiguredRetryStrategy {
  const maxAttempts = Math.max(1, retry.maxAttempts ?? 5);
  const base = Math.max(0, retry.baseDelayMs ?? 250);
  const cap = Math.max(0, retry.maxDelayMs ?? 20_000);
  // `retry` counts retries (1 before the first retry): exponential backoff with "equal jitter",
  // between half and all of min(cap, base * 2^(retry-1)). maxAttempts counts every request.
  return new ConfiguredRetryStrategy(maxAttempts, (retry) => {
    const ceiling = Math.min(cap, base * 2 ** Math.max(0, retry - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  });
}

/** IAM and STS clients with the read-only guard, retries and timeouts. */
export function createClients(options: Omit<LiveOptions, 'assumeRoles' | 'concurrency'>, credentials: CredentialProvider): AwsClients {
  const config = {
    region: options.region ?? 'us-east-1',
    credentials,
    retryStrategy: retryStrategy(options.retry),
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000, connectionTimeout: 10_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const iam = new IAMClient(config);
  const sts = new STSClient({ ...config, retryStrategy: retryStrategy(options.retry) });
  guardClient(iam, 'iam');
  guardClient(sts, 'sts');
  return { iam, sts };
}

// ---------------------------------------------------------------------------------------------

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Error codes meaning the credentials themselves are missing, wrong or expired. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'UnrecognizedClientException',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'AuthFailure',
]);

/** GetCredentialReport's answer while the report is still being generated. */
const REPORT_NOT_READY = new Set(['ReportInProgress', 'CredentialReportNotReadyException']);

/** Replaces known secret values (secret keys, session tokens) in messages. */
export class Scrubber {
  private secrets = new Set<string>();
  add(...values: Array<string | undefined>): void {
    for (const v of values) if (v && v.length >= 8) this.secrets.add(v);
  }
  clean(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out;
  }
}

function errorCode(error: unknown): string {
  const e = (error ?? {}) as SdkError;
  return e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'Error';
}

function describe(error: unknown, scrub: Scrubber): string {
  const e = (error ?? {}) as SdkError;
  const code = errorCode(error);
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  const parts = [`${code}${status ? ` (HTTP ${status})` : ''}: ${message}`];
  if (attempts && attempts > 1) parts.push(`after ${attempts} attempts`);
  return scrub.clean(parts.join(' '));
}

/** At most `n` of the given tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  const limit = Math.max(1, Math.floor(n));
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

/** Dates to ISO strings, `$metadata` and undefined members dropped: the CLI's JSON shape. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === '$metadata' || child === undefined) continue;
      out[key] = plain(child);
    }
    return out;
  }
  return value;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

export interface AccountTarget {
  accountId: string;
  /** For warnings: `aws:<label>`. The account id, or the role ARN that reached it. */
  label: string;
}

export interface CollectAccountOptions {
  concurrency: number;
  credentialReport?: { attempts?: number; delayMs?: number };
}

/** Collects one account with a (guarded) IAM client. Failures become warnings; the export is partial. */
export async function collectAccount(
  iam: IAMClient,
  target: AccountTarget,
  options: CollectAccountOptions,
  warn: (w: ScanWarning) => void,
  scrub: Scrubber = new Scrubber(),
): Promise<AwsAccountExport> {
  const call = limiter(options.concurrency);
  const path = `aws:${target.label}`;
  const unreadable = (message: string) => warn({ kind: 'unreadable', source: 'aws-iam', path, message });
  const where = `aws:${target.accountId}`;
  const out: AwsAccountExport = { accountId: target.accountId, sources: {} };

  const authorizationDetails = async () => {
    const merged: Required<AuthorizationDetails> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
    let marker: string | undefined;
    let pages = 0;
    try {
      do {
        const page: GetAccountAuthorizationDetailsCommandOutput = await call(() =>
          iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000, ...(marker ? { Marker: marker } : {}) })),
        );
        pages += 1;
        const p = plain(page) as AuthorizationDetails;
        merged.UserDetailList.push(...(p.UserDetailList ?? []));
        merged.GroupDetailList.push(...(p.GroupDetailList ?? []));
        merged.RoleDetailList.push(...(p.RoleDetailList ?? []));
        merged.Policies.push(...(p.Policies ?? []));
        marker = page.IsTruncated ? page.Marker : undefined;
        if (page.IsTruncated && !page.Marker) throw new Error('IsTruncated without a Marker');
      } while (marker);
      out.authorizationDetails = merged;
      out.sources.authorizationDetails = `${where} iam:GetAccountAuthorizationDetails (${pages} page${pages === 1 ? '' : 's'})`;
    } catch (error) {
      unreadable(`iam:GetAccountAuthorizationDetails failed${pages > 0 ? ` on page ${pages + 1}` : ''}: ${describe(error, scrub)}; users, groups, roles and policies of this account are missing`);
    }
  };

  const credentialReport = async () => {
    const attempts = Math.max(1, options.credentialReport?.attempts ?? 20);
    const delayMs = options.credentialReport?.delayMs ?? 2_000;
    let step = 'iam:GenerateCredentialReport';
    try {
      // One budget of attempts for both: GenerateCredentialReport until COMPLETE, then
      // GetCredentialReport, which may still answer ReportInProgress for a moment.
      for (let i = 0, complete = false; i < attempts; i++) {
        if (i > 0) await sleep(delayMs);
        if (!complete) {
          step = 'iam:GenerateCredentialReport';
          const generated = await call(() => iam.send(new GenerateCredentialReportCommand({})));
          complete = generated.State === 'COMPLETE';
          if (!complete) continue;
        }
        step = 'iam:GetCredentialReport';
        try {
          const report = await call(() => iam.send(new GetCredentialReportCommand({})));
          if (!report.Content) throw new Error('empty Content');
          out.credentialReportCsv = Buffer.from(report.Content).toString('utf8');
          out.sources.credentialReport = `${where} iam:GetCredentialReport${report.GeneratedTime ? ` (generated ${report.GeneratedTime.toISOString()})` : ''}`;
          return;
        } catch (error) {
          if (!REPORT_NOT_READY.has(errorCode(error))) throw error;
        }
      }
      unreadable(`credential report not ready after ${attempts} attempts (${step}); password and MFA data of this account are missing`);
    } catch (error) {
      unreadable(`${step} failed: ${describe(error, scrub)}; the credential report of this account is missing`);
    }
  };

  const accessKeys = async () => {
    const userNames: string[] = [];
    try {
      let marker: string | undefined;
      do {
        const page = await call(() => iam.send(new ListUsersCommand({ MaxItems: 1000, ...(marker ? { Marker: marker } : {}) })));
        for (const user of page.Users ?? []) if (user.UserName) userNames.push(user.UserName);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
    } catch (error) {
      unreadable(`iam:ListUsers failed: ${describe(error, scrub)}; access keys of this account are missing`);
      return;
    }

    const listFailures: Array<{ user: string; error: unknown }> = [];
    const lastUsedFailures: Array<{ key: string; error: unknown }> = [];
    const keys: AccessKeyMetadata[] = [];
    const perUser = await Promise.all(
      userNames.map(async (userName) => {
        const found: AccessKeyMetadata[] = [];
        try {
          let marker: string | undefined;
          do {
            const page = await call(() => iam.send(new ListAccessKeysCommand({ UserName: userName, MaxItems: 1000, ...(marker ? { Marker: marker } : {}) })));
            for (const k of page.AccessKeyMetadata ?? []) {
              if (!k.AccessKeyId) continue;
              found.push({
                UserName: k.UserName ?? userName,
                AccessKeyId: k.AccessKeyId,
                Status: k.Status === 'Inactive' ? 'Inactive' : 'Active',
                ...(k.CreateDate ? { CreateDate: k.CreateDate.toISOString() } : {}),
              });
            }
            marker = page.IsTruncated ? page.Marker : undefined;
          } while (marker);
        } catch (error) {
          listFailures.push({ user: userName, error });
          return undefined;
        }
        await Promise.all(
          found.map(async (key) => {
            try {
              const used = await call(() => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId })));
              const last = used.AccessKeyLastUsed;
              // No LastUsedDate: never used (AWS then reports N/A for service and region).
              key.LastUsed = {
                LastUsedDate: last?.LastUsedDate ? last.LastUsedDate.toISOString() : null,
                ...(last?.ServiceName !== undefined ? { ServiceName: last.ServiceName } : {}),
                ...(last?.Region !== undefined ? { Region: last.Region } : {}),
              };
            } catch (error) {
              lastUsedFailures.push({ key: key.AccessKeyId, error });
            }
          }),
        );
        return found;
      }),
    );
    for (const found of perUser) if (found) keys.push(...found);

    if (listFailures.length > 0) {
      const first = listFailures[0] as { user: string; error: unknown };
      unreadable(
        `iam:ListAccessKeys failed for ${listFailures.length} of ${userNames.length} users (first: ${first.user}): ${describe(first.error, scrub)}; ` +
          (listFailures.length === userNames.length ? 'access keys of this account are missing' : 'the access keys of those users are missing'),
      );
    }
    if (lastUsedFailures.length > 0) {
      const first = lastUsedFailures[0] as { key: string; error: unknown };
      unreadable(`iam:GetAccessKeyLastUsed failed for ${lastUsedFailures.length} of ${keys.length} keys: ${describe(first.error, scrub)}; their last use is unknown`);
    }
    if (userNames.length > 0 && listFailures.length === userNames.length) return;
    out.accessKeys = keys;
    out.sources.accessKeys = `${where} iam:ListAccessKeys`;
  };

  await Promise.all([authorizationDetails(), credentialReport(), accessKeys()]);
  return out;
}

function credentialSource(options: LiveOptions): string {
  if (options.credentials) return 'the given AWS credentials';
  if (options.profile) return `the AWS credentials of profile "${options.profile}"`;
  return 'the AWS credentials of the default chain (environment, shared config and credentials files, SSO, web identity, container or instance metadata)';
}

/**
 * Collects the caller's account and every account reached through `assumeRoles`.
 * Never throws for AWS failures: they become warnings and the accounts that worked are returned.
 */
export async function collectLive(options: LiveOptions, warn: (w: ScanWarning) => void): Promise<AwsAccountExport[]> {
  const scrub = new Scrubber();
  const provider: CredentialProvider = options.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  const source = credentialSource(options);
  const baseClients = createClients(options, provider);
  const path = `aws:${options.profile ? `profile/${options.profile}` : 'caller'}`;

  let callerAccount: string;
  try {
    if (typeof provider === 'function') {
      const resolved = await provider();
      scrub.add(resolved.secretAccessKey, resolved.sessionToken);
    } else if (provider && 'secretAccessKey' in provider) {
      scrub.add(provider.secretAccessKey, provider.sessionToken);
    }
    const identity = await baseClients.sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    callerAccount = identity.Account;
  } catch (error) {
    const code = errorCode(error);
    const message = CREDENTIAL_ERRORS.has(code)
      ? code === 'CredentialsProviderError'
        ? `no usable AWS credentials: ${source} could not be loaded (${describe(error, scrub)})`
        : `${source} were rejected by sts:GetCallerIdentity (${describe(error, scrub)}); check the access key id, secret and session token, or refresh the session`
      : `sts:GetCallerIdentity failed with ${source}: ${describe(error, scrub)}`;
    warn({ kind: 'unreadable', source: 'aws-iam', path, message });
    return [];
  }

  type Target = AccountTarget & { roleArn?: string };
  const targets: Target[] = [];
  const seen = new Set<string>();
  const roles = [...new Set(options.assumeRoles)];
  const roleAccount = (arn: string) => /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(arn)?.[1];
  if (!roles.some((arn) => roleAccount(arn) === callerAccount)) {
    targets.push({ accountId: callerAccount, label: callerAccount });
    seen.add(callerAccount);
  }
  for (const roleArn of roles) {
    const account = roleAccount(roleArn);
    if (!account) {
      warn({ kind: 'unreadable', source: 'aws-iam', path: `aws:${roleArn}`, message: `not a role ARN (arn:aws:iam::<12-digit account>:role/<name>): skipped` });
      continue;
    }
    if (seen.has(account)) {
      warn({ kind: 'unreadable', source: 'aws-iam', path: `aws:${roleArn}`, message: `account ${account} is already collected through another role: skipped` });
      continue;
    }
    seen.add(account);
    targets.push({ accountId: account, label: roleArn, roleArn });
  }

  const accountLimit = limiter(options.accountConcurrency ?? Math.min(4, Math.max(1, options.concurrency)));
  const results = await Promise.all(
    targets.map((target) =>
      accountLimit(async (): Promise<AwsAccountExport | undefined> => {
        let iam = baseClients.iam;
        let accountId = target.accountId;
        if (target.roleArn) {
          try {
            const assumed = await baseClients.sts.send(new AssumeRoleCommand({ RoleArn: target.roleArn, RoleSessionName: 'nhi-audit' }));
            const c = assumed.Credentials;
            if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
            scrub.add(c.SecretAccessKey, c.SessionToken);
            const fromArn = assumed.AssumedRoleUser?.Arn ? /^arn:aws[\w-]*:sts::(\d{12}):/.exec(assumed.AssumedRoleUser.Arn)?.[1] : undefined;
            if (fromArn) accountId = fromArn;
            const assumedClients = createClients(options, {
              accessKeyId: c.AccessKeyId,
              secretAccessKey: c.SecretAccessKey,
              ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
              ...(c.Expiration ? { expiration: c.Expiration } : {}),
            });
            assumedClients.sts.destroy();
            iam = assumedClients.iam;
          } catch (error) {
            warn({ kind: 'unreadable', source: 'aws-iam', path: `aws:${target.roleArn}`, message: `sts:AssumeRole failed: ${describe(error, scrub)}; account ${target.accountId} is not collected` });
            return undefined;
          }
        }
        try {
          return await collectAccount(iam, { accountId, label: target.label }, { concurrency: options.concurrency, credentialReport: options.credentialReport }, warn, scrub);
        } finally {
          if (iam !== baseClients.iam) iam.destroy();
        }
      }),
    ),
  );
  baseClients.iam.destroy();
  baseClients.sts.destroy();
  return results.filter((r): r is AwsAccountExport => r !== undefined);
}
