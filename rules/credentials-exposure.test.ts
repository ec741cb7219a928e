import { describe, expect, it } from 'vitest';
import type { Grant, Identity } from '../src/core/model.js';
import { allow, ctx, deny, inventory, role, user } from '../test/helpers/aws-inventory.js';
import rule from './credentials-exposure.js';

function run(identities: Identity[], grants: Grant[]) {
  return rule.evaluate(inventory({ identities, grants }), ctx());
}

describe('credentials-exposure', () => {
  it('reports secret reads on *, naming the actions, policies and the identity', () => {
    const app = role('app', { owners: [{ owner: 'payments', source: 'tag:team' }] });
    const findings = run([app], [allow(app, ['secretsmanager:GetSecretValue', 'ssm:GetParameter*', 'kms:Decrypt'], '*', { source: 'arn:aws:iam::123456789012:policy/AppSecrets' })]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ ruleId: 'credentials-exposure', severity: 'high', confidence: 'high', resource: { id: app.id, kind: 'aws-iam-role', name: 'app' } });
    expect(f.evidence!.actions).toBe('secretsmanager:GetSecretValue, ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, ssm:GetParameterHistory, kms:Decrypt');
    expect(f.evidence!.policies).toBe('arn:aws:iam::123456789012:policy/AppSecrets');
    expect(f.message).toContain('payments');
    expect(f.message).toContain('ssm:GetParameter* in arn:aws:iam::123456789012:policy/AppSecrets on *');
  });

  it('counts a whole resource type and NotResource as unrestricted', () => {
    const a = role('a');
    const b = role('b');
    const findings = run(
      [a, b],
      [allow(a, 'secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:*:123456789012:secret:*'), allow(b, 'ssm:GetParameters', [], { notResource: ['arn:aws:ssm:*:*:parameter/admin/*'] })],
    );
    expect(findings.map((f) => f.resource!.name)).toEqual(['a', 'b']);
    expect(findings[1]!.message).toContain('all but arn:aws:ssm:*:*:parameter/admin/*');
  });

  it('reports iam:CreateAccessKey on other users, not on oneself', () => {
    const admin = user('user-admin');
    const self = user('self-service');
    const findings = run(
      [admin, self],
      [allow(admin, 'iam:CreateAccessKey', 'arn:aws:iam::*:user/*'), allow(self, 'iam:CreateAccessKey', 'arn:aws:iam::*:user/${aws:username}')],
    );
    expect(findings.map((f) => [f.resource!.name, f.evidence!.actions])).toEqual([['user-admin', 'iam:CreateAccessKey']]);
  });

  it('rates configuration reads that may contain secrets as medium', () => {
    const reader = role('reader');
    const [f] = run([reader], [allow(reader, ['lambda:GetFunction*', 'lambda:List*'])]);
    expect(f).toMatchObject({ severity: 'medium', evidence: { actions: 'lambda:GetFunctionConfiguration, lambda:GetFunction' } });
  });

  it('lowers confidence when the grant has a Condition', () => {
    const r = role('conditioned');
    const [f] = run([r], [allow(r, 'kms:Decrypt', '*', { condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } })]);
    expect(f).toMatchObject({ confidence: 'medium' });
    expect(f!.message).toContain('with a Condition');
  });

  it('stays silent on scoped secrets, denied reads, excluded credential actions and administrators', () => {
    const scoped = role('scoped');
    const denied = role('denied');
    const ecr = role('ecr-puller');
    const admin = role('admin');
    const grants = [
      allow(scoped, 'secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/prod/*'),
      allow(scoped, 'ssm:GetParametersByPath', 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/*'),
      allow(scoped, 'kms:Decrypt', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      allow(denied, 'secretsmanager:*'),
      deny(denied, 'secretsmanager:GetSecretValue'),
      deny(denied, 'secretsmanager:BatchGetSecretValue'),
      allow(ecr, ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'sts:AssumeRole']),
      allow(admin, '*'),
    ];
    expect(run([scoped, denied, ecr, admin], grants)).toEqual([]);
  });
});
