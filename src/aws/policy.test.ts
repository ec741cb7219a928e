import { describe, expect, it } from 'vitest';
import { allow, deny, role, user } from '../../test/helpers/aws-inventory.js';
import { ESCALATION_METHODS, openEscalationMethods } from './escalation.js';
import { actionMatches, canDo, evaluateAccess, IAM_USERS, isAdmin, isUnrestrictedResource, resolveVariables } from './policy.js';
import { principalOf } from './findings.js';
import { arnCovers, arnMatch, arnOverlap, wildcardCovers, wildcardMatch, wildcardOverlap } from './wildcard.js';

describe('wildcards', () => {
  it('matches actions case-insensitively with * and ?', () => {
    expect(actionMatches('iam:Create*', 'iam:CreateAccessKey')).toBe(true);
    expect(actionMatches('IAM:createaccesskey', 'iam:CreateAccessKey')).toBe(true);
    expect(actionMatches('iam:?reateAccessKey', 'iam:CreateAccessKey')).toBe(true);
    expect(actionMatches('iam:Get*', 'iam:CreateAccessKey')).toBe(false);
    expect(actionMatches('*', 'sts:AssumeRole')).toBe(true);
    expect(actionMatches('s3:*', 's3x:Get')).toBe(false);
  });

  it('matches resources case-sensitively', () => {
    expect(wildcardMatch('arn:aws:iam::*:user/*', 'arn:aws:iam::1:user/bob')).toBe(true);
    expect(wildcardMatch('arn:aws:iam::*:user/Bob', 'arn:aws:iam::1:user/bob')).toBe(false);
  });

  it('tells whether two patterns overlap and whether one covers the other', () => {
    expect(wildcardOverlap('arn:aws:iam::*:user/*', 'arn:aws:iam::123:user/team/*')).toBe(true);
    expect(wildcardOverlap('arn:aws:iam::*:role/*', 'arn:aws:iam::*:user/*')).toBe(true); // a plain * spans colons
    expect(arnOverlap('arn:aws:iam::*:role/*', 'arn:aws:iam::*:user/*')).toBe(false);
    expect(arnOverlap('arn:aws:iam::*:user/*', 'arn:aws:iam::123:user/team/*')).toBe(true);
    expect(arnCovers('arn:aws:iam::*:*', 'arn:aws:iam::123:user/x')).toBe(true);
    expect(arnMatch('arn:aws:iam::*:user/*', 'arn:aws:iam::123:role/user/x')).toBe(false);
    expect(wildcardOverlap('a*c', '*b*')).toBe(true);
    expect(wildcardCovers('iam:*', 'iam:Create*', true)).toBe(true);
    expect(wildcardCovers('iam:Create*', 'iam:*', true)).toBe(false);
    expect(wildcardCovers('a?', 'a*')).toBe(false);
    expect(wildcardCovers('arn:aws:iam::*:user/*', 'arn:aws:iam::123:user/x')).toBe(true);
  });
});

describe('evaluateAccess', () => {
  const bob = user('bob');

  it('allows through a matching Allow and reports the policy', () => {
    const a = evaluateAccess([allow(bob, 'iam:Create*', '*', { source: 'arn:aws:iam::123456789012:policy/Ops' })], { action: 'iam:CreateAccessKey' });
    expect(a).toMatchObject({ allowed: true, certain: true, broad: true });
    expect(a.via[0]).toMatchObject({ source: 'arn:aws:iam::123456789012:policy/Ops', actionPattern: 'iam:Create*' });
  });

  it('subtracts an unconditional Deny, and keeps an allow a conditioned Deny may not cancel', () => {
    expect(canDo([allow(bob, '*'), deny(bob, 'iam:*')], 'iam:CreateAccessKey')).toBe(false);
    const a = evaluateAccess([allow(bob, '*'), deny(bob, 'iam:*', '*', { condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } })], { action: 'iam:CreateAccessKey' });
    expect(a.allowed).toBe(true);
    expect(a.certain).toBe(false);
    expect(a.conditionalDenies).toHaveLength(1);
  });

  it('a Deny on part of the resources leaves the rest allowed', () => {
    expect(canDo([allow(bob, 'iam:CreateAccessKey'), deny(bob, 'iam:CreateAccessKey', 'arn:aws:iam::*:user/admins/*')], 'iam:CreateAccessKey', IAM_USERS)).toBe(true);
    expect(canDo([allow(bob, 'iam:CreateAccessKey'), deny(bob, 'iam:CreateAccessKey', 'arn:aws:iam::*:user/*')], 'iam:CreateAccessKey', IAM_USERS)).toBe(false);
  });

  it('keeps a conditioned Allow, marked as not certain', () => {
    const a = evaluateAccess([allow(bob, 'iam:PassRole', '*', { condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } })], { action: 'iam:PassRole' });
    expect(a.allowed).toBe(true);
    expect(a.certain).toBe(false);
    expect(a.via[0]!.conditioned).toBe(true);
  });

  it('reads NotAction as every action except those listed', () => {
    const g = allow(bob, [], '*', { notAction: ['iam:*', 'organizations:*'] });
    expect(canDo([g], 's3:GetObject')).toBe(true);
    expect(canDo([g], 'iam:CreateAccessKey')).toBe(false);
    expect(evaluateAccess([g], { action: 'ec2:RunInstances' }).via[0]!.actionPattern).toBe('NotAction iam:*,organizations:*');
    // A deny written with NotAction denies everything else.
    expect(canDo([allow(bob, '*'), deny(bob, [], '*', { notAction: ['s3:*'] })], 'iam:PutUserPolicy')).toBe(false);
    expect(canDo([allow(bob, '*'), deny(bob, [], '*', { notAction: ['s3:*'] })], 's3:GetObject')).toBe(true);
  });

  it('reads NotResource as every resource except those listed', () => {
    const g = allow(bob, 'iam:CreateAccessKey', [], { notResource: ['arn:aws:iam::*:user/admins/*'] });
    expect(canDo([g], 'iam:CreateAccessKey', IAM_USERS)).toBe(true);
    const all = allow(bob, 'iam:CreateAccessKey', [], { notResource: ['arn:aws:iam::*:user/*'] });
    expect(canDo([all], 'iam:CreateAccessKey', IAM_USERS)).toBe(false);
  });

  it('does not count an action on the principal itself when asked for other users', () => {
    const self = allow(bob, 'iam:CreateAccessKey', 'arn:aws:iam::*:user/${aws:username}');
    const p = principalOf(bob);
    expect(evaluateAccess([self], { action: 'iam:CreateAccessKey', resource: IAM_USERS, excludeSelf: true }, p).allowed).toBe(false);
    expect(evaluateAccess([self], { action: 'iam:CreateAccessKey', resource: IAM_USERS }, p).allowed).toBe(true);
    const literal = allow(bob, 'iam:CreateAccessKey', bob.id);
    expect(evaluateAccess([literal], { action: 'iam:CreateAccessKey', resource: IAM_USERS, excludeSelf: true }, p).allowed).toBe(false);
    expect(evaluateAccess([literal], { action: 'iam:CreateAccessKey', resource: IAM_USERS }, p).allowed).toBe(true);
  });

  it('resolves policy variables for users, never matches ${aws:username} for roles', () => {
    expect(resolveVariables('arn:aws:iam::1:user/${aws:username}', { arn: 'arn:aws:iam::1:user/bob', kind: 'aws-iam-user' })).toBe('arn:aws:iam::1:user/bob');
    expect(resolveVariables('arn:aws:iam::1:user/${aws:username}', { arn: 'arn:aws:iam::1:role/r', kind: 'aws-iam-role' })).toBeNull();
    expect(resolveVariables('arn:aws:s3:::b/${aws:PrincipalTag/team}/*')).toBe('arn:aws:s3:::b/*/*');
  });

  it('matches a statement whose action is pinned to a resource of another type only for that type', () => {
    expect(canDo([allow(bob, 'iam:PassRole', 'arn:aws:s3:::bucket')], 'iam:PassRole', 'arn:aws:iam::*:role/*')).toBe(false);
  });
});

describe('isAdmin', () => {
  const r = role('ops');

  it('recognises *:* and iam:* on *, naming the policy', () => {
    expect(isAdmin([allow(r, '*', '*', { source: 'arn:aws:iam::aws:policy/AdministratorAccess' })])).toMatchObject({ source: 'arn:aws:iam::aws:policy/AdministratorAccess', matched: '*' });
    expect(isAdmin([allow(r, 'iam:*')])).toMatchObject({ matched: 'iam:*' });
    expect(isAdmin([allow(r, 'IAM:*')])).toMatchObject({ matched: 'iam:*' });
  });

  it('does not count * on a limited resource, a service other than IAM, or PowerUserAccess', () => {
    expect(isAdmin([allow(r, '*', 'arn:aws:s3:::bucket/*')])).toBeUndefined();
    expect(isAdmin([allow(r, 's3:*')])).toBeUndefined();
    expect(isAdmin([allow(r, [], '*', { notAction: ['iam:*', 'organizations:*', 'account:*'] })])).toBeUndefined();
    expect(isAdmin([allow(r, [], '*', { notAction: ['s3:*'] })])).toMatchObject({ matched: 'iam:*', actionPattern: 'NotAction s3:*' });
  });

  it('is cancelled by an unconditional Deny of iam:*, not by a partial deny', () => {
    expect(isAdmin([allow(r, '*'), deny(r, 'iam:*')])).toBeUndefined();
    expect(isAdmin([allow(r, '*'), deny(r, 's3:DeleteBucket')])).toMatchObject({ matched: '*' });
  });

  it('reports a conditioned admin grant as conditioned, and prefers an unconditioned one', () => {
    expect(isAdmin([allow(r, '*', '*', { condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })])).toMatchObject({ conditioned: true });
    expect(isAdmin([allow(r, '*', '*', { condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), allow(r, 'iam:*', '*', { source: 'b' })])).toMatchObject({ conditioned: false, source: 'b' });
  });
});

describe('isUnrestrictedResource', () => {
  it('accepts * and whole-type ARNs, not paths or names', () => {
    expect(isUnrestrictedResource('*')).toBe(true);
    expect(isUnrestrictedResource('arn:aws:secretsmanager:*:*:secret:*')).toBe(true);
    expect(isUnrestrictedResource('arn:aws:ssm:eu-west-1:123456789012:parameter/*')).toBe(true);
    expect(isUnrestrictedResource('arn:aws:ssm:eu-west-1:123456789012:parameter/app/prod/*')).toBe(false);
    expect(isUnrestrictedResource('arn:aws:secretsmanager:*:*:secret:app-*')).toBe(false);
  });
});

describe('escalation catalogue', () => {
  it('holds at least 25 distinct published methods with references', () => {
    expect(ESCALATION_METHODS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(ESCALATION_METHODS.map((m) => m.id)).size).toBe(ESCALATION_METHODS.length);
    for (const m of ESCALATION_METHODS) {
      expect(m.reference).toMatch(/^https:\/\//);
      expect(m.requires.length).toBeGreaterThan(0);
      for (const alt of m.requires) for (const a of alt) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
  });

  it('opens a PassRole method only when every action of an alternative is allowed', () => {
    const r = role('builder');
    const ids = (grants: ReturnType<typeof allow>[]) => openEscalationMethods(grants, principalOf(r)).map((m) => m.method.id);
    expect(ids([allow(r, 'iam:PassRole')])).toEqual([]);
    expect(ids([allow(r, ['iam:PassRole', 'ec2:RunInstances'])])).toContain('CreateEC2WithExistingIP');
    expect(ids([allow(r, ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'])])).toContain('PassExistingRoleToNewCodeBuildProject');
  });

  it('needs sts:AssumeRole for a user to profit from AttachRolePolicy, not for a role', () => {
    const u = user('u');
    const r = role('r');
    expect(openEscalationMethods([allow(u, 'iam:AttachRolePolicy')], principalOf(u)).map((m) => m.method.id)).toEqual([]);
    expect(openEscalationMethods([allow(r, 'iam:AttachRolePolicy')], principalOf(r)).map((m) => m.method.id)).toEqual(['AttachRolePolicy']);
  });
});
