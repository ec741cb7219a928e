/**
 * What the AWS rules share: picking identities and keys out of the inventory, describing an
 * identity in a message (name, kind, owner), and day arithmetic against the scan clock.
 */
import type { AwsRoleAttributes, AwsUserAttributes } from '../core/aws.js';
import type { Credential, Grant, Identity, Inventory } from '../core/model.js';
import type { FindingInput } from '../engine/rule.js';
import { grantsByIdentity, type Principal } from './policy.js';

export const AWS_USER = 'aws-iam-user';
export const AWS_ROLE = 'aws-iam-role';
export const AWS_ROOT = 'aws-root';
export const AWS_ACCESS_KEY = 'aws-access-key';

const DAY_MS = 86_400_000;

/** Whole days from `iso` to `now` (negative when in the future); undefined for a missing or bad date. */
export function daysSince(iso: string | null | undefined, now: Date): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return Math.floor((now.getTime() - t) / DAY_MS);
}

/** `2025-03-01` from an ISO date. */
export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : 'unknown';
}

export function awsIdentities(inventory: Inventory, kind?: string): Identity[] {
  return inventory.identities.filter((i) => i.provider === 'aws' && (kind === undefined || i.kind === kind));
}

export function identityIndex(inventory: Inventory): Map<string, Identity> {
  const map = new Map<string, Identity>();
  for (const i of inventory.identities) if (i.provider === 'aws') map.set(i.id, i);
  return map;
}

/** Active AWS access keys. A key whose status is not reported is not assumed active. */
export function activeAccessKeys(inventory: Inventory): Credential[] {
  return inventory.credentials.filter((c) => c.provider === 'aws' && c.kind === AWS_ACCESS_KEY && c.status === 'active');
}

export function roleAttributes(identity: Identity): AwsRoleAttributes | undefined {
  return identity.kind === AWS_ROLE ? (identity.attributes as AwsRoleAttributes | undefined) : undefined;
}

export function userAttributes(identity: Identity): AwsUserAttributes | undefined {
  return identity.kind === AWS_USER ? (identity.attributes as AwsUserAttributes | undefined) : undefined;
}

/** Roles AWS manages for itself or for IAM Identity Center: nobody in the account owns or trims them. */
export function isAwsManagedRole(identity: Identity): boolean {
  const attrs = roleAttributes(identity);
  if (attrs?.serviceLinked) return true;
  const path = attrs?.path ?? pathOf(identity.id);
  return path.startsWith('/aws-service-role/') || path.startsWith('/aws-reserved/');
}

/** `/team/` from `arn:aws:iam::1:role/team/deploy`. */
function pathOf(arn: string): string {
  const slash = arn.indexOf('/');
  const last = arn.lastIndexOf('/');
  return slash < 0 || slash === last ? '/' : arn.slice(slash, last + 1);
}

export function principalOf(identity: Identity): Principal {
  const attrs = identity.attributes as { userId?: string; roleId?: string } | undefined;
  const userId = attrs?.userId ?? attrs?.roleId;
  return { arn: identity.id, name: identity.name, kind: identity.kind, ...(userId ? { userId } : {}) };
}

const KIND_LABEL: Record<string, string> = { [AWS_USER]: 'IAM user', [AWS_ROLE]: 'IAM role', [AWS_ROOT]: 'root user' };

/** Owner claims as text (`alice (tag:owner)`), or undefined. */
export function ownerText(identity: Identity | undefined): string | undefined {
  if (!identity || identity.owners.length === 0) return undefined;
  return identity.owners.map((o) => `${o.owner} (${o.source})`).join(', ');
}

/** `IAM user ci-deploy in 123456789012 (owner: team-a (tag:team))`. */
export function describeIdentity(identity: Identity): string {
  const owner = ownerText(identity);
  return `${KIND_LABEL[identity.kind] ?? identity.kind} ${identity.name} in ${identity.scope}${owner ? ` (owner: ${owner})` : ' (no owner known)'}`;
}

export function resourceOf(identity: Identity): NonNullable<FindingInput['resource']> {
  return { id: identity.id, kind: identity.kind, provider: 'aws', name: identity.name };
}

/** The identity a credential belongs to, or a stand-in built from its ARN when the inventory lacks it. */
export function ownerIdentityOf(credential: Credential, index: Map<string, Identity>): Identity {
  const found = credential.identityId ? index.get(credential.identityId) : undefined;
  if (found) return found;
  const arn = credential.identityId ?? credential.id;
  const account = /^arn:aws[\w-]*:iam::(\d{12}):/.exec(arn)?.[1] ?? 'unknown';
  const isRoot = arn.endsWith(':root');
  return {
    id: arn,
    provider: 'aws',
    scope: account,
    kind: isRoot ? AWS_ROOT : AWS_USER,
    name: isRoot ? '<root>' : arn.slice(arn.lastIndexOf('/') + 1),
    tags: {},
    owners: [],
  };
}

/** Evidence shared by every identity finding. */
export function identityEvidence(identity: Identity): Record<string, string | number | boolean> {
  const evidence: Record<string, string | number | boolean> = { identity: identity.id, account: identity.scope };
  const owner = ownerText(identity);
  if (owner) evidence.owner = owner;
  return evidence;
}

/**
 * The principals whose permissions the privilege rules weigh: IAM users and customer roles (not
 * service-linked roles nor IAM Identity Center's `/aws-reserved/` roles, whose policies AWS or
 * the permission sets manage), with their grants.
 */
export function auditedPrincipals(inventory: Inventory): Array<{ identity: Identity; grants: Grant[] }> {
  const grants = grantsByIdentity(inventory.grants);
  const out: Array<{ identity: Identity; grants: Grant[] }> = [];
  for (const identity of awsIdentities(inventory)) {
    if (identity.kind !== AWS_USER && identity.kind !== AWS_ROLE) continue;
    if (identity.kind === AWS_ROLE && isAwsManagedRole(identity)) continue;
    out.push({ identity, grants: grants.get(identity.id) ?? [] });
  }
  return out;
}

/** The permissions boundary ARN of a user or role, when it has one (not evaluated: lowers confidence). */
export function permissionsBoundary(identity: Identity): string | undefined {
  return (identity.attributes as { permissionsBoundary?: string } | undefined)?.permissionsBoundary;
}

/** Count of active access keys per identity id. */
export function activeKeyCounts(inventory: Inventory): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of activeAccessKeys(inventory)) if (key.identityId) counts.set(key.identityId, (counts.get(key.identityId) ?? 0) + 1);
  return counts;
}

/** How a message names a key: its id, or its slot when only the credential report knows it. */
export function keyLabel(key: Credential): string {
  if (key.handle) return key.handle;
  const slot = (key.attributes as { slot?: number } | undefined)?.slot;
  return slot ? `#${slot} (id not in the export)` : key.id;
}
