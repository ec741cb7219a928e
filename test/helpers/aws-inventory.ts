/**
 * Builds small AWS inventories for rule tests, in the shape connectors/aws-iam produces
 * (src/core/aws.ts): identities, access keys and one grant per policy statement.
 */
import type { AwsAccessKeyAttributes, AwsRoleAttributes, AwsUserAttributes, PolicyDocument, PolicyStatement } from '../../src/core/aws.js';
import { DEFAULT_CONFIG, type NhiConfig } from '../../src/core/config.js';
import type { Credential, Grant, Identity, Inventory, OwnerClaim } from '../../src/core/model.js';
import { emptyInventory } from '../../src/core/model.js';
import type { RuleContext } from '../../src/engine/rule.js';

export const ACCOUNT = '123456789012';
export const NOW = new Date('2026-01-01T00:00:00Z');

export function daysAgo(days: number, now: Date = NOW): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

export function ctx(thresholds: Partial<NhiConfig['thresholds']> = {}, over: Partial<NhiConfig> = {}): RuleContext {
  return { now: NOW, config: { ...DEFAULT_CONFIG, ...over, thresholds: { ...DEFAULT_CONFIG.thresholds, ...thresholds } } };
}

export function inventory(parts: Partial<Pick<Inventory, 'identities' | 'credentials' | 'grants'>>): Inventory {
  return { ...emptyInventory(), ...parts };
}

interface IdentityOptions {
  owners?: OwnerClaim[];
  tags?: Record<string, string>;
  created?: string;
  lastUsed?: string | null;
  looksHuman?: boolean;
  path?: string;
}

export function user(name: string, opts: IdentityOptions & { attributes?: Partial<AwsUserAttributes> } = {}): Identity {
  const path = opts.path ?? '/';
  const arn = `arn:aws:iam::${ACCOUNT}:user${path}${name}`;
  const identity: Identity = {
    id: arn,
    provider: 'aws',
    scope: ACCOUNT,
    kind: 'aws-iam-user',
    name,
    created: opts.created ?? daysAgo(400),
    status: 'active',
    tags: opts.tags ?? {},
    owners: opts.owners ?? [],
    looksHuman: opts.looksHuman ?? false,
    attributes: { arn, path, groups: [], ...opts.attributes } satisfies AwsUserAttributes,
  };
  if (opts.lastUsed !== undefined) identity.lastUsed = opts.lastUsed;
  return identity;
}

export function trust(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

export function role(
  name: string,
  opts: IdentityOptions & { trustPolicy?: PolicyDocument; serviceLinked?: boolean; attributes?: Partial<AwsRoleAttributes> } = {},
): Identity {
  const path = opts.path ?? (opts.serviceLinked ? '/aws-service-role/' : '/');
  const arn = `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
  const trustPolicy = opts.trustPolicy ?? trust({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
  const identity: Identity = {
    id: arn,
    provider: 'aws',
    scope: ACCOUNT,
    kind: 'aws-iam-role',
    name,
    created: opts.created ?? daysAgo(400),
    status: 'active',
    tags: opts.tags ?? {},
    owners: opts.owners ?? [],
    attributes: { arn, path, trustPolicy, serviceLinked: opts.serviceLinked ?? false, instanceProfiles: [], ...opts.attributes } satisfies AwsRoleAttributes,
  };
  if (opts.lastUsed !== undefined) identity.lastUsed = opts.lastUsed;
  return identity;
}

export function root(): Identity {
  return { id: `arn:aws:iam::${ACCOUNT}:root`, provider: 'aws', scope: ACCOUNT, kind: 'aws-root', name: '<root_account>', tags: {}, owners: [] };
}

/** A syntactically valid access key id, assembled so that the repository's own scan does not take it for a leak. */
export function keyId(n: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let suffix = '';
  for (let i = 0, x = n + 7; i < 16; i++, x = (x * 31 + 11) % 1_000_003) suffix += letters[x % 32];
  return ['AK', 'IA', suffix].join('');
}

let keyCounter = 0;

export function accessKey(owner: Identity, opts: Partial<Credential> & { attributes?: AwsAccessKeyAttributes } = {}): Credential {
  const id = opts.id ?? keyId(++keyCounter);
  const created = opts.created ?? daysAgo(30);
  return {
    id,
    handle: id,
    identityId: owner.id,
    provider: 'aws',
    kind: 'aws-access-key',
    status: 'active',
    ...opts,
    created,
    lastRotated: opts.lastRotated === undefined ? created : opts.lastRotated,
  };
}

interface StatementOptions {
  source?: string;
  condition?: PolicyStatement['Condition'];
  notAction?: string[];
  notResource?: string[];
}

function grant(effect: 'Allow' | 'Deny', identity: Identity, actions: string[], resources: string[], opts: StatementOptions): Grant {
  const conditions: Record<string, unknown> = {};
  if (opts.condition) conditions.Condition = opts.condition;
  if (opts.notAction) conditions.NotAction = opts.notAction;
  if (opts.notResource) conditions.NotResource = opts.notResource;
  const g: Grant = { identityId: identity.id, effect, actions, resources, source: opts.source ?? `inline:${identity.name}-policy` };
  if (Object.keys(conditions).length > 0) g.conditions = conditions;
  return g;
}

export function allow(identity: Identity, actions: string | string[], resources: string | string[] = '*', opts: StatementOptions = {}): Grant {
  return grant('Allow', identity, [actions].flat(), [resources].flat(), opts);
}

export function deny(identity: Identity, actions: string | string[], resources: string | string[] = '*', opts: StatementOptions = {}): Grant {
  return grant('Deny', identity, [actions].flat(), [resources].flat(), opts);
}
