/**
 * What one AWS identity may do, computed from its grants (src/core/aws.ts: one grant per
 * statement of every policy that applies to it, Deny statements kept).
 *
 * The evaluation follows AWS's identity-policy logic closely enough for auditing:
 * - an action is allowed when some Allow statement matches it (wildcards `*` and `?`,
 *   case-insensitive; `NotAction` = every action except those listed) on a resource that
 *   reaches the target (wildcard ARNs; `NotResource` = every resource except those listed),
 *   and no unconditional Deny matches the same action on the whole of that resource;
 * - a Condition on an Allow does not stop it from counting (we cannot tell whether the
 *   request will meet it) but the result says so, and rules lower their confidence;
 * - a Deny with a Condition is not subtracted (it may not apply), and is reported likewise;
 * - policy variables: `${aws:username}` (and `${aws:userid}` when known) stand for the
 *   principal itself; a role has no user name, so such resources never match for it; any
 *   other variable is taken as `*`.
 * Not evaluated: permissions boundaries, SCPs, session policies and resource-based policies
 * (rules report a boundary as evidence and lower confidence), and the Condition values.
 */
import type { AwsGrantConditions } from '../core/aws.js';
import type { Grant } from '../core/model.js';
import { arnCovers, arnMatch, arnOverlap, hasWildcard, wildcardCovers, wildcardMatch, wildcardOverlap } from './wildcard.js';

/** Who the grants belong to: needed for `${aws:username}` and "other users than itself". */
export interface Principal {
  arn: string;
  /** User or role name (the last path segment of the ARN when absent). */
  name?: string;
  kind?: string;
  userId?: string;
}

/** The resource pattern that stands for "some IAM user other than oneself" and its kin. */
export const IAM_USERS = 'arn:aws:iam::*:user/*';
export const IAM_GROUPS = 'arn:aws:iam::*:group/*';
export const IAM_ROLES = 'arn:aws:iam::*:role/*';
export const IAM_POLICIES = 'arn:aws:iam::*:policy/*';

export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

function conditionsOf(grant: Grant): AwsGrantConditions {
  return (grant.conditions ?? {}) as AwsGrantConditions;
}

/** True when the statement carries a Condition block (NotAction/NotResource are not conditions). */
export function isConditioned(grant: Grant): boolean {
  const c = conditionsOf(grant).Condition;
  return !!c && Object.keys(c).length > 0;
}

/**
 * What is worked out once per grants array (an identity's grants, as grantsByIdentity groups
 * them) and reused by every query about it: the rules ask dozens of questions per identity.
 * Keyed by the array; an array that has grown since is worked out again.
 */
interface GrantsIndex {
  length: number;
  allowed?: Set<string> | null;
  /** Per service: the grants that can match its actions (naming it, or any service), in order. */
  byService: Map<string, Grant[]>;
}

const indexCache = new WeakMap<readonly Grant[], GrantsIndex>();

function grantsIndex(grants: readonly Grant[]): GrantsIndex {
  let index = indexCache.get(grants);
  if (!index || index.length !== grants.length) {
    index = { length: grants.length, byService: new Map() };
    indexCache.set(grants, index);
  }
  return index;
}

/** The services some Allow statement can name (`null`: any service). Treat the set as read-only. */
export function allowedServices(grants: readonly Grant[]): Set<string> | null {
  const index = grantsIndex(grants);
  if (index.allowed !== undefined) return index.allowed;
  let all: Set<string> | null = new Set<string>();
  for (const g of grants) {
    if (g.effect !== 'Allow') continue;
    const services = servicesOf(g);
    if (services === null) {
      all = null;
      break;
    }
    for (const s of services) all.add(s);
  }
  index.allowed = all;
  return all;
}

/**
 * The grants that can match an action of `service`, in their order: the others cannot
 * (matchingActionPattern rules them out by service first), so evaluation may skip them.
 */
function grantsForService(grants: readonly Grant[], service: string): readonly Grant[] {
  const index = grantsIndex(grants);
  let list = index.byService.get(service);
  if (!list) {
    list = grants.filter((g) => {
      const services = servicesOf(g);
      return services === null || services.has(service);
    });
    index.byService.set(service, list);
  }
  return list;
}

/** The action pattern of the grant that matches `action` (for evidence), or undefined. */
/**
 * The services a grant's action patterns can name (`null`: any service, for `*`, a wildcard in
 * the service part, or NotAction). Lets evaluation skip statements about other services without
 * running a pattern match: an account's worth of principals times the escalation catalogue is
 * millions of checks.
 */
const servicesCache = new WeakMap<Grant, Set<string> | null>();

function servicesOf(grant: Grant): Set<string> | null {
  let services = servicesCache.get(grant);
  if (services !== undefined) return services;
  const notAction = conditionsOf(grant).NotAction;
  if (notAction && notAction.length > 0) services = null;
  else {
    services = new Set<string>();
    for (const p of grant.actions) {
      const colon = p.indexOf(':');
      const service = colon < 0 ? p : p.slice(0, colon);
      if (colon < 0 || hasWildcard(service)) {
        services = null;
        break;
      }
      services.add(service.toLowerCase());
    }
  }
  servicesCache.set(grant, services);
  return services;
}

function serviceOf(action: string): string {
  const colon = action.indexOf(':');
  return (colon < 0 ? action : action.slice(0, colon)).toLowerCase();
}

/** The action pattern of the grant that matches `action` (for evidence), or undefined. */
export function matchingActionPattern(grant: Grant, action: string): string | undefined {
  const services = servicesOf(grant);
  if (services && !services.has(serviceOf(action))) return undefined;
  const notAction = conditionsOf(grant).NotAction;
  if (notAction && notAction.length > 0) {
    if (notAction.some((p) => actionMatches(p, action))) return undefined;
    if (grant.actions.length === 0) return `NotAction ${notAction.join(',')}`;
  }
  return grant.actions.find((p) => actionMatches(p, action));
}

export function grantMatchesAction(grant: Grant, action: string): boolean {
  return matchingActionPattern(grant, action) !== undefined;
}

function principalName(p: Principal): string {
  return p.name ?? p.arn.slice(p.arn.lastIndexOf('/') + 1);
}

/** Resolves policy variables; null when the resource can never match for this principal. */
export function resolveVariables(pattern: string, principal?: Principal): string | null {
  if (!pattern.includes('${')) return pattern;
  let never = false;
  const out = pattern.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const key = name.toLowerCase();
    if (key === 'aws:username') {
      if (!principal) return '*';
      if (principal.kind === 'aws-iam-user' || principal.arn.includes(':user/')) return principalName(principal);
      never = true;
      return '';
    }
    if (key === 'aws:userid' && principal?.userId) return principal.userId;
    return '*';
  });
  return never ? null : out;
}

interface Region {
  /** Resource patterns the statement names (`*` when it names none but excludes some). */
  include: string[];
  /** NotResource patterns. */
  exclude: string[];
}

const regionCache = new WeakMap<Grant, { principal: string | undefined; region: Region }>();

function regionOf(grant: Grant, principal?: Principal): Region {
  const cached = regionCache.get(grant);
  if (cached && cached.principal === principal?.arn) return cached.region;
  const notResource = conditionsOf(grant).NotResource ?? [];
  const exclude = notResource.map((r) => resolveVariables(r, principal)).filter((r): r is string => r !== null);
  // A statement with neither Resource nor NotResource is not valid in an identity policy; treat
  // it as `*` rather than drop it (an auditor errs towards reporting).
  const named = grant.resources.length > 0 ? grant.resources : ['*'];
  const include = named.map((r) => resolveVariables(r, principal)).filter((r): r is string => r !== null);
  const region = { include, exclude };
  regionCache.set(grant, { principal: principal?.arn, region });
  return region;
}

/** The resource patterns of an allow that reach `target`, excluding the principal itself when asked. */
function reachingResources(region: Region, target: string, principal: Principal | undefined, excludeSelf: boolean): string[] {
  return region.include.filter((r) => {
    if (!arnOverlap(r, target)) return false;
    if (excludeSelf && principal && namesOnlyItself(r, principal)) return false;
    if (region.exclude.some((nr) => arnCovers(nr, r) || arnCovers(nr, target))) return false;
    return true;
  });
}

/** The pattern names the principal and nothing else (wildcards at most in partition, region or account). */
function namesOnlyItself(pattern: string, principal: Principal): boolean {
  if (!arnMatch(pattern, principal.arn)) return false;
  const parts = pattern.split(':');
  return parts.length >= 6 && !hasWildcard(parts.slice(5).join(':'));
}

function regionCovers(region: Region, resource: string): boolean {
  return region.include.some((r) => arnCovers(r, resource)) && !region.exclude.some((nr) => arnOverlap(nr, resource));
}

export interface AccessQuery {
  action: string;
  /** A concrete ARN or a wildcard pattern standing for a class of resources; default `*`. */
  resource?: string;
  /** Only resources other than the principal itself count (e.g. `iam:CreateAccessKey` on other users). */
  excludeSelf?: boolean;
}

export interface AllowEvidence {
  /** Policy the statement comes from (`Grant.source`). */
  source: string;
  /** The action pattern that matched (`iam:*`, `NotAction s3:*`). */
  actionPattern: string;
  /** The resource patterns that reach the target. */
  resources: string[];
  conditioned: boolean;
  /** Some reaching resource is a wildcard (or the statement uses NotResource). */
  broad: boolean;
  /** The statement's NotResource patterns, when it uses NotResource (it then allows everything else). */
  notResource?: string[];
}

export interface Access {
  action: string;
  allowed: boolean;
  /** The Allow statements that grant it, after denies. */
  via: AllowEvidence[];
  /** Unconditional denies that removed an allow. */
  deniedBy: string[];
  /** Denies with a Condition that match the action and may apply. */
  conditionalDenies: string[];
  /** Allowed by an unconditioned statement and not touched by a conditional deny. */
  certain: boolean;
  /** Allowed on a wildcard resource (not only on named resources). */
  broad: boolean;
}

/** Can the principal holding `grants` perform the query's action on its resource? */
export function evaluateAccess(grants: readonly Grant[], query: AccessQuery, principal?: Principal): Access {
  const target = query.resource ?? '*';
  const denies: Array<{ grant: Grant; region: Region }> = [];
  const conditionalDenies: string[] = [];
  // Only the statements that can name the action's service can match it.
  const candidates = grantsForService(grants, serviceOf(query.action));
  // The Allow statements that match the action, and how. Without one nothing is allowed, whatever
  // the denies say (most questions the rules ask end here).
  const allows: Array<{ grant: Grant; actionPattern: string }> = [];
  for (const g of candidates) {
    if (g.effect !== 'Allow') continue;
    const actionPattern = matchingActionPattern(g, query.action);
    if (actionPattern !== undefined) allows.push({ grant: g, actionPattern });
  }
  if (allows.length === 0) return { action: query.action, allowed: false, via: [], deniedBy: [], conditionalDenies: [], certain: false, broad: false };
  for (const g of candidates) {
    if (g.effect !== 'Deny' || !grantMatchesAction(g, query.action)) continue;
    const region = regionOf(g, principal);
    if (!isConditioned(g)) denies.push({ grant: g, region });
    else if (region.include.some((r) => arnOverlap(r, target))) conditionalDenies.push(g.source);
  }
  const via: AllowEvidence[] = [];
  const deniedBy = new Set<string>();
  for (const { grant: g, actionPattern } of allows) {
    const region = regionOf(g, principal);
    const reaching = reachingResources(region, target, principal, query.excludeSelf ?? false).filter((r) => {
      const deny = denies.find((d) => regionCovers(d.region, r) || regionCovers(d.region, target));
      if (deny) deniedBy.add(deny.grant.source);
      return !deny;
    });
    if (reaching.length === 0) continue;
    via.push({
      source: g.source,
      actionPattern,
      resources: reaching,
      conditioned: isConditioned(g),
      broad: region.exclude.length > 0 || reaching.some(hasWildcard),
      ...(region.exclude.length > 0 ? { notResource: region.exclude } : {}),
    });
  }
  const allowed = via.length > 0;
  return {
    action: query.action,
    allowed,
    via,
    deniedBy: [...deniedBy],
    conditionalDenies: allowed ? [...new Set(conditionalDenies)] : [],
    certain: allowed && conditionalDenies.length === 0 && via.some((v) => !v.conditioned),
    broad: via.some((v) => v.broad),
  };
}

/** Shorthand: is the action allowed on the resource (default: on some resource)? */
export function canDo(grants: readonly Grant[], action: string, resource = '*', principal?: Principal): boolean {
  return evaluateAccess(grants, { action, resource }, principal).allowed;
}

export interface AdminMatch {
  /** The policy that grants it. */
  source: string;
  /** `*` (every action) or `iam:*` (every IAM action, which is enough to grant oneself the rest). */
  matched: '*' | 'iam:*';
  /** How the statement says it (`*`, `iam:*`, `NotAction s3:*`). */
  actionPattern: string;
  conditioned: boolean;
}

/**
 * Administrator: an Allow of every action (`*`), or of every IAM action (`iam:*`), on every
 * resource (`*`), not taken away by an unconditional Deny of `iam:*` (or `*`) on `*`. Partial
 * denies leave an administrator an administrator. Prefers an unconditioned `*` match.
 */
export function isAdmin(grants: readonly Grant[]): AdminMatch | undefined {
  const cached = adminCache.get(grants);
  if (cached !== undefined) return cached ?? undefined;
  const result = computeAdmin(grants);
  adminCache.set(grants, result ?? null);
  return result;
}

const adminCache = new WeakMap<readonly Grant[], AdminMatch | null>();

function computeAdmin(grants: readonly Grant[]): AdminMatch | undefined {
  const deniesIam = grants.some(
    (g) =>
      g.effect === 'Deny' &&
      !isConditioned(g) &&
      coversAllResources(g) &&
      (g.actions.some((p) => wildcardCovers(p.toLowerCase(), 'iam:*', true)) || notActionCovers(g, 'iam:*')),
  );
  if (deniesIam) return undefined;
  const matches: AdminMatch[] = [];
  for (const g of grants) {
    if (g.effect !== 'Allow' || !coversAllResources(g)) continue;
    const conditioned = isConditioned(g);
    for (const matched of ['*', 'iam:*'] as const) {
      const pattern = actionsCover(g, matched);
      if (pattern) {
        matches.push({ source: g.source, matched, actionPattern: pattern, conditioned });
        break;
      }
    }
  }
  matches.sort((a, b) => Number(a.conditioned) - Number(b.conditioned) || (a.matched === '*' ? 0 : 1) - (b.matched === '*' ? 0 : 1));
  return matches[0];
}

function coversAllResources(g: Grant): boolean {
  const notResource = conditionsOf(g).NotResource ?? [];
  if (notResource.length > 0) return false;
  return g.resources.length === 0 || g.resources.includes('*');
}

/** A NotAction statement with no Action list covers `set` when none of its exclusions touch it. */
function notActionCovers(g: Grant, set: string): boolean {
  const notAction = conditionsOf(g).NotAction;
  if (!notAction || notAction.length === 0) return false;
  if (notAction.some((p) => wildcardOverlap(p, set, true))) return false;
  return g.actions.length === 0 || g.actions.some((p) => wildcardCovers(p, set, true));
}

function actionsCover(g: Grant, set: '*' | 'iam:*'): string | undefined {
  const notAction = conditionsOf(g).NotAction;
  if (notAction && notAction.length > 0) return notActionCovers(g, set) ? `NotAction ${notAction.join(',')}` : undefined;
  return g.actions.find((p) => wildcardCovers(p, set, true));
}

/**
 * Is `pattern` an unrestricted resource: `*`, or an ARN whose resource part is `*`, `type/*`
 * or `type:*` (every secret, every parameter, every key of the account)?
 */
export function isUnrestrictedResource(pattern: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split(':');
  if (parts.length < 6) return false;
  const resource = parts.slice(5).join(':');
  return /^(\*|[A-Za-z0-9_-]+[/:]\*)$/.test(resource);
}

const grouped = new WeakMap<readonly Grant[], Map<string, Grant[]>>();

/**
 * Groups an inventory's grants by identity id. Remembered per grants array, so the rules of one
 * scan share the grouping (and, through it, isAdmin's answers): treat the result as read-only.
 */
export function grantsByIdentity(grants: readonly Grant[]): Map<string, Grant[]> {
  let map = grouped.get(grants);
  if (map) return map;
  map = new Map<string, Grant[]>();
  for (const g of grants) {
    const list = map.get(g.identityId);
    if (list) list.push(g);
    else map.set(g.identityId, [g]);
  }
  grouped.set(grants, map);
  return map;
}
