import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../src/core/aws.js';
import { ctx, inventory, role, trust } from '../test/helpers/aws-inventory.js';
import rule from './trust-any-principal.js';

function run(...statements: PolicyStatement[]) {
  const r = role('shared', { owners: [{ owner: 'sec-team', source: 'tag:owner' }], trustPolicy: trust(...statements) });
  return rule.evaluate(inventory({ identities: [r] }), ctx());
}

const assume = { Effect: 'Allow', Action: 'sts:AssumeRole' } as const;

describe('trust-any-principal', () => {
  it('reports Principal "*" and {"AWS": "*"} without conditions as critical', () => {
    const [a] = run({ ...assume, Principal: '*' });
    expect(a).toMatchObject({ ruleId: 'trust-any-principal', severity: 'critical', confidence: 'high', resource: { kind: 'aws-iam-role', name: 'shared', provider: 'aws' } });
    expect(a!.message).toContain('shared');
    expect(a!.message).toContain('sec-team');
    expect(a!.message).toContain('without any condition');
    const [b] = run({ ...assume, Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } });
    expect(b!.evidence).toMatchObject({ principal: '{"AWS": "*"}', actions: 'sts:AssumeRole', conditions: 'none' });
  });

  it('still reports when the only conditions do not pin the caller, with medium confidence', () => {
    const findings = [
      run({ ...assume, Principal: { AWS: '*' }, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
      run({ ...assume, Principal: { AWS: '*' }, Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
      run({ ...assume, Principal: { AWS: '*' }, Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
      run({ ...assume, Principal: { AWS: '*' }, Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deploy' } } }),
      run({ ...assume, Principal: { AWS: '*' }, Condition: { StringLike: { 'sts:ExternalId': '*' } } }),
    ];
    for (const f of findings) expect(f).toHaveLength(1);
    expect(findings[0]![0]).toMatchObject({ confidence: 'medium' });
    expect(findings[0]![0]!.message).toContain('aws:MultiFactorAuthPresent');
  });

  it('stays silent when a condition restricts the organisation, account, principal or external id', () => {
    expect(run({ ...assume, Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } })).toEqual([]);
    expect(run({ ...assume, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': ['111122223333', '444455556666'] } } })).toEqual([]);
    expect(run({ ...assume, Principal: { AWS: '*' }, Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci-*' } } })).toEqual([]);
    expect(run({ ...assume, Principal: { AWS: '*' }, Condition: { StringEquals: { 'sts:ExternalId': 'vendor-7f3a' } } })).toEqual([]);
  });

  it('stays silent on named principals, services, denies and service-linked roles', () => {
    expect(run({ ...assume, Principal: { AWS: 'arn:aws:iam::111122223333:root' } })).toEqual([]);
    expect(run({ ...assume, Principal: { Service: 'ec2.amazonaws.com' } })).toEqual([]);
    expect(run({ Effect: 'Deny', Action: 'sts:AssumeRole', Principal: '*' })).toEqual([]);
    expect(run({ Effect: 'Allow', Action: 'sts:TagSession', Principal: '*' })).toEqual([]);
    const slr = role('AWSServiceRoleForX', { serviceLinked: true, trustPolicy: trust({ ...assume, Principal: '*' }) });
    expect(rule.evaluate(inventory({ identities: [slr] }), ctx())).toEqual([]);
  });

  it('reads a trust policy left as (URL-encoded) JSON text', () => {
    const doc = JSON.stringify(trust({ ...assume, Principal: { AWS: '*' } }));
    const r = role('raw', { attributes: { trustPolicy: encodeURIComponent(doc) as never } });
    expect(rule.evaluate(inventory({ identities: [r] }), ctx())).toHaveLength(1);
  });
});
