import { describe, expect, it } from 'vitest';
import type { Grant, Identity } from '../src/core/model.js';
import { allow, ctx, deny, inventory, role, user } from '../test/helpers/aws-inventory.js';
import rule from './privilege-escalation.js';

function run(identities: Identity[], grants: Grant[]) {
  return rule.evaluate(inventory({ identities, grants }), ctx());
}

function methodsOf(identities: Identity[], grants: Grant[]): Record<string, string> {
  return Object.fromEntries(run(identities, grants).map((f) => [f.resource!.name!, String(f.evidence!.methods)]));
}

describe('privilege-escalation', () => {
  it('flags each principal that can escalate, listing the methods, and leaves the others alone', () => {
    const p = {
      policyVersion: role('policy-editor'),
      keyMaker: user('key-maker'),
      passEc2: role('launcher'),
      passLambda: user('lambda-deployer'),
      trustEditor: role('trust-editor'),
      ssm: role('ops-runner'),
      glue: user('glue-dev'),
      // Cannot escalate:
      readOnly: role('auditor'),
      selfService: user('self-service'),
      passOnly: role('pass-only'),
      lambdaNoPass: role('lambda-no-pass'),
      deniedKeys: user('denied-keys'),
      s3: role('s3-writer'),
    };
    const grants = [
      allow(p.policyVersion, 'iam:CreatePolicyVersion', 'arn:aws:iam::123456789012:policy/*'),
      allow(p.keyMaker, 'iam:CreateAccessKey', 'arn:aws:iam::123456789012:user/*'),
      allow(p.passEc2, ['iam:PassRole', 'ec2:RunInstances', 'ec2:Describe*']),
      allow(p.passLambda, ['lambda:CreateFunction', 'lambda:InvokeFunction']),
      allow(p.passLambda, 'iam:PassRole', 'arn:aws:iam::123456789012:role/*', { source: 'arn:aws:iam::123456789012:policy/PassAny' }),
      allow(p.trustEditor, 'iam:UpdateAssumeRolePolicy'),
      allow(p.ssm, ['ssm:SendCommand', 'ssm:GetCommandInvocation']),
      allow(p.glue, ['glue:UpdateDevEndpoint']),
      allow(p.readOnly, ['iam:Get*', 'iam:List*', 'ec2:Describe*', 's3:GetObject']),
      // The AWS-documented "manage your own credentials" policy: only on oneself.
      allow(p.selfService, ['iam:CreateAccessKey', 'iam:UpdateLoginProfile', 'iam:CreateLoginProfile', 'iam:DeleteAccessKey'], 'arn:aws:iam::*:user/${aws:username}'),
      allow(p.passOnly, 'iam:PassRole'),
      allow(p.lambdaNoPass, ['lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:GetFunction']),
      allow(p.deniedKeys, 'iam:*User*'),
      deny(p.deniedKeys, ['iam:CreateAccessKey', 'iam:*LoginProfile', 'iam:AttachUserPolicy', 'iam:PutUserPolicy', 'iam:AddUserToGroup']),
      allow(p.s3, ['s3:*', 'kms:Decrypt']),
    ];
    const found = methodsOf(Object.values(p), grants);
    expect(found).toEqual({
      'policy-editor': 'CreateNewPolicyVersion',
      'key-maker': 'CreateAccessKey',
      launcher: 'CreateEC2WithExistingIP',
      'lambda-deployer': 'PassExistingRoleToNewLambdaThenInvoke',
      'trust-editor': 'UpdateRolePolicyToAssumeIt',
      'ops-runner': 'SSMSendCommand',
      'glue-dev': 'UpdateExistingGlueDevEndpoint',
    });
  });

  it('names the identity, its owner, the policies and the matched actions', () => {
    const u = user('deployer', { owners: [{ owner: 'team-web', source: 'tag:team' }] });
    const [f] = run([u], [allow(u, ['iam:PassRole', 'lambda:*'], '*', { source: 'arn:aws:iam::123456789012:policy/Deploy' })]);
    expect(f).toMatchObject({ ruleId: 'privilege-escalation', severity: 'high', confidence: 'high', resource: { id: u.id, provider: 'aws', name: 'deployer' } });
    expect(f!.message).toContain('deployer');
    expect(f!.message).toContain('team-web');
    expect(f!.message).toContain('lambda:* in arn:aws:iam::123456789012:policy/Deploy');
    expect(String(f!.evidence!.methods)).toContain('PassExistingRoleToNewLambdaThenInvoke');
    expect(String(f!.evidence!.methods)).toContain('EditExistingLambdaFunctionWithRole');
    expect(f!.evidence).toMatchObject({ policies: 'arn:aws:iam::123456789012:policy/Deploy' });
    expect(Number(f!.evidence!.methodCount)).toBeGreaterThanOrEqual(5);
  });

  it('flags a conditioned grant with medium confidence, and a grant on named resources only likewise', () => {
    const conditioned = role('conditioned');
    const named = role('named');
    const findings = run(
      [conditioned, named],
      [
        allow(conditioned, ['iam:PassRole', 'ec2:RunInstances'], '*', { condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }),
        allow(named, 'lambda:UpdateFunctionCode', 'arn:aws:lambda:eu-west-1:123456789012:function:resize'),
      ],
    );
    expect(findings.map((f) => [f.resource!.name, f.confidence])).toEqual([
      ['conditioned', 'medium'],
      ['named', 'medium'],
    ]);
  });

  it('requires sts:AssumeRole for a user changing a role policy, not for the role itself', () => {
    const u = user('u');
    const r = role('r');
    const found = methodsOf([u, r], [allow(u, 'iam:PutRolePolicy'), allow(r, 'iam:PutRolePolicy', r.id)]);
    expect(found).toEqual({ r: 'PutRolePolicy' });
  });

  it('does not apply user-only methods to roles', () => {
    const u = user('u');
    const r = role('r');
    const found = methodsOf([u, r], [allow(u, ['iam:AddUserToGroup', 'iam:PutUserPolicy']), allow(r, ['iam:AddUserToGroup', 'iam:PutUserPolicy'])]);
    expect(found).toEqual({ u: 'PutUserPolicy, AddUserToGroup' });
  });

  it('leaves administrators to admin-privileges', () => {
    const admin = role('admin');
    expect(run([admin], [allow(admin, '*')])).toEqual([]);
  });

  it('reads NotAction: everything but IAM still opens the PassRole-free service methods', () => {
    const power = role('power-user');
    const [f] = run([power], [allow(power, [], '*', { notAction: ['iam:*', 'organizations:*', 'account:*'] })]);
    const methods = String(f!.evidence!.methods);
    expect(methods).toContain('SSMSendCommand');
    expect(methods).toContain('EditExistingLambdaFunctionWithRole');
    expect(methods).not.toContain('CreateEC2WithExistingIP'); // needs iam:PassRole
    expect(methods).not.toContain('CreateAccessKey');
  });
});
