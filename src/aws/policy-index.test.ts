/**
 * evaluateAccess looks only at the statements that can name the action's service (worked out
 * once per grants array) and stops when no Allow matches. These tests hold it to the plain
 * evaluation, every statement for every question, that it replaced.
 */
import { describe, expect, it } from 'vitest';
import type { AwsGrantConditions } from '../core/aws.js';
import type { Grant } from '../core/model.js';
import { allow, deny, role, user } from '../../test/helpers/aws-inventory.js';
import { CREDENTIAL_ACTIONS } from './credential-actions.js';
import { ACTION_RESOURCE, ESCALATION_METHODS } from './escalation.js';
import { principalOf } from './findings.js';
import { allowedServices, canDo, evaluateAccess, IAM_USERS, isConditioned, matchingActionPattern, resolveVariables, type Access, type AccessQuery, type AllowEvidence, type Principal } from './policy.js';
import { arnCovers, arnMatch, arnOverlap, hasWildcard } from './wildcard.js';

/** The evaluation as it was written first: every grant, for every question. */
function plainEvaluateAccess(grants: readonly Grant[], query: AccessQuery, principal?: Principal): Access {
  const target = query.resource ?? '*';
  const conditionsOf = (g: Grant) => (g.conditions ?? {}) as AwsGrantConditions;
  const regionOf = (g: Grant) => {
    const exclude = (conditionsOf(g).NotResource ?? []).map((r) => resolveVariables(r, principal)).filter((r): r is string => r !== null);
    const include = (g.resources.length > 0 ? g.resources : ['*']).map((r) => resolveVariables(r, principal)).filter((r): r is string => r !== null);
    return { include, exclude };
  };
  type Region = ReturnType<typeof regionOf>;
  const namesOnlyItself = (pattern: string, p: Principal) => arnMatch(pattern, p.arn) && pattern.split(':').length >= 6 && !hasWildcard(pattern.split(':').slice(5).join(':'));
  const regionCovers = (region: Region, resource: string) => region.include.some((r) => arnCovers(r, resource)) && !region.exclude.some((nr) => arnOverlap(nr, resource));
  const denies: Array<{ grant: Grant; region: Region }> = [];
  const conditionalDenies: string[] = [];
  for (const g of grants) {
    if (g.effect !== 'Deny' || matchingActionPattern(g, query.action) === undefined) continue;
    const region = regionOf(g);
    if (!isConditioned(g)) denies.push({ grant: g, region });
    else if (region.include.some((r) => arnOverlap(r, target))) conditionalDenies.push(g.source);
  }
  const via: AllowEvidence[] = [];
  const deniedBy = new Set<string>();
  for (const g of grants) {
    if (g.effect !== 'Allow') continue;
    const actionPattern = matchingActionPattern(g, query.action);
    if (actionPattern === undefined) continue;
    const region = regionOf(g);
    const reaching = region.include
      .filter((r) => {
        if (!arnOverlap(r, target)) return false;
        if (query.excludeSelf && principal && namesOnlyItself(r, principal)) return false;
        return !region.exclude.some((nr) => arnCovers(nr, r) || arnCovers(nr, target));
      })
      .filter((r) => {
        const d = denies.find((x) => regionCovers(x.region, r) || regionCovers(x.region, target));
        if (d) deniedBy.add(d.grant.source);
        return !d;
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

/** mulberry32: the same statements on every run. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('evaluateAccess by service', () => {
  it('answers every catalogue question as the plain evaluation does, over varied statements', () => {
    const bob = user('bob');
    const ops = role('ops');
    const ACTIONS = ['*', 'iam:*', 'iam:PassRole', 'iam:Create*', 'iam:CreateAccessKey', 'ec2:RunInstances', 'ec2:*', 'lambda:*', 'lambda:UpdateFunctionCode', 's3:GetObject', 's3:*', 'ssm:GetParameter*', 'secretsmanager:GetSecretValue', 'kms:Decrypt', 'cloudformation:*', 'glue:CreateDevEndpoint', 'sts:AssumeRole', 'dynamodb:*', '*:Get*', 'IAM:passrole'];
    const RESOURCES = ['*', 'arn:aws:iam::*:user/*', 'arn:aws:iam::123456789012:role/app-*', 'arn:aws:iam::*:user/${aws:username}', 'arn:aws:iam::123456789012:user/bob', 'arn:aws:s3:::bucket/*', 'arn:aws:lambda:us-east-1:123456789012:function:app-*', 'arn:aws:secretsmanager:*:*:secret:*', 'arn:aws:iam::*:policy/*'];
    const NOT_ACTIONS = [['iam:*'], ['iam:*', 'organizations:*'], ['s3:*'], ['iam:PassRole']];
    const CONDITION = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    const queries: AccessQuery[] = [];
    for (const m of ESCALATION_METHODS) {
      for (const alt of [...m.requires, ...(m.requiresForRoles ?? [])]) {
        for (const action of alt) {
          const resource = ACTION_RESOURCE[action.toLowerCase()] ?? '*';
          queries.push({ action, resource, excludeSelf: Boolean(m.otherUsersOnly) && resource === IAM_USERS });
        }
      }
    }
    for (const e of CREDENTIAL_ACTIONS) queries.push(e.otherUsersOnly ? { action: e.action, resource: IAM_USERS, excludeSelf: true } : { action: e.action, resource: '*' });
    queries.push({ action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/app-runner' }, { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key' });

    const rand = random(7);
    let compared = 0;
    let allowed = 0;
    for (let set = 0; set < 150; set++) {
      const who = set % 2 === 0 ? bob : ops;
      const grants: Grant[] = [];
      for (let i = 0, n = 1 + rand(7); i < n; i++) {
        const effect = rand(4) === 0 ? 'Deny' : 'Allow';
        const opts: Parameters<typeof allow>[3] = { source: `inline:p${i}` };
        let actions = Array.from({ length: 1 + rand(3) }, () => ACTIONS[rand(ACTIONS.length)]!);
        if (rand(6) === 0) {
          opts.notAction = NOT_ACTIONS[rand(NOT_ACTIONS.length)]!;
          actions = [];
        }
        let resources = Array.from({ length: 1 + rand(2) }, () => RESOURCES[rand(RESOURCES.length)]!);
        if (rand(8) === 0) {
          opts.notResource = [RESOURCES[1 + rand(RESOURCES.length - 1)]!];
          resources = [];
        }
        if (rand(5) === 0) opts.condition = CONDITION;
        grants.push(effect === 'Allow' ? allow(who, actions, resources, opts) : deny(who, actions, resources, opts));
      }
      const principal = principalOf(who);
      for (const q of queries) {
        const got = evaluateAccess(grants, q, principal);
        expect(got).toEqual(plainEvaluateAccess(grants, q, principal));
        compared++;
        if (got.allowed) allowed++;
      }
    }
    // The statements were varied enough to allow some questions and not others.
    expect(allowed).toBeGreaterThan(compared / 20);
    expect(allowed).toBeLessThan(compared);
  });

  it('keeps statements about every service (NotAction, *) for each service', () => {
    const bob = user('bob');
    expect(canDo([allow(bob, 'iam:PassRole'), deny(bob, [], '*', { notAction: ['s3:*'] })], 'iam:PassRole')).toBe(false);
    expect(canDo([allow(bob, [], '*', { notAction: ['s3:*'] })], 'iam:PassRole')).toBe(true);
    expect(canDo([allow(bob, '*:Get*')], 's3:GetObject')).toBe(true);
  });

  it('reports nothing about denies when no Allow matches', () => {
    const bob = user('bob');
    const a = evaluateAccess([deny(bob, 'iam:*'), deny(bob, 'iam:PassRole', '*', { condition: { Bool: { 'aws:SecureTransport': 'false' } } }), allow(bob, 's3:*')], { action: 'iam:PassRole' });
    expect(a).toEqual({ action: 'iam:PassRole', allowed: false, via: [], deniedBy: [], conditionalDenies: [], certain: false, broad: false });
    expect(evaluateAccess([deny(bob, 'iam:*', '*', { source: 'guard' }), allow(bob, 'iam:PassRole')], { action: 'iam:PassRole' }).deniedBy).toEqual(['guard']);
  });

  it('works the answers out again for a grants array that has grown', () => {
    const bob = user('bob');
    const grants = [allow(bob, 's3:GetObject')];
    expect(canDo(grants, 'iam:PassRole')).toBe(false);
    expect([...allowedServices(grants)!]).toEqual(['s3']);
    grants.push(allow(bob, 'iam:PassRole'));
    expect(canDo(grants, 'iam:PassRole')).toBe(true);
    expect([...allowedServices(grants)!].sort()).toEqual(['iam', 's3']);
    grants.push(allow(bob, '*'));
    expect(allowedServices(grants)).toBeNull();
  });
});
