import { describe, expect, it } from 'vitest';
import { accessKey, allow, ctx, deny, inventory, role, user } from '../test/helpers/aws-inventory.js';
import rule from './admin-privileges.js';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

describe('admin-privileges', () => {
  it('reports a user with AdministratorAccess and an access key as critical, naming the policy', () => {
    const u = user('terraform', { owners: [{ owner: 'platform', source: 'tag:team' }] });
    const findings = rule.evaluate(inventory({ identities: [u], credentials: [accessKey(u)], grants: [allow(u, '*', '*', { source: ADMIN })] }), ctx());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'admin-privileges',
      severity: 'critical',
      confidence: 'high',
      resource: { id: u.id, kind: 'aws-iam-user', provider: 'aws', name: 'terraform' },
      evidence: { policy: ADMIN, matched: '*', activeAccessKeys: 1, owner: 'platform (tag:team)' },
    });
    expect(findings[0]!.message).toContain(ADMIN);
    expect(findings[0]!.message).toContain('platform');
  });

  it('reports a role with iam:* on * as high, and a group policy by its source', () => {
    const r = role('ci');
    const u = user('ops-bot');
    const findings = rule.evaluate(
      inventory({ identities: [r, u], grants: [allow(r, 'iam:*'), allow(u, '*', '*', { source: 'group:admins/inline:all' })] }),
      ctx(),
    );
    expect(findings.map((f) => [f.resource!.name, f.severity, f.evidence!.matched, f.evidence!.policy])).toEqual([
      ['ci', 'high', 'iam:*', 'inline:ci-policy'],
      ['ops-bot', 'high', '*', 'group:admins/inline:all'],
    ]);
  });

  it('lowers confidence for a conditioned statement or a permissions boundary', () => {
    const a = role('a');
    const b = role('b', { attributes: { permissionsBoundary: 'arn:aws:iam::123456789012:policy/Boundary' } });
    const findings = rule.evaluate(
      inventory({ identities: [a, b], grants: [allow(a, '*', '*', { condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), allow(b, '*')] }),
      ctx(),
    );
    expect(findings.map((f) => f.confidence)).toEqual(['medium', 'medium']);
    expect(findings[1]!.evidence).toMatchObject({ permissionsBoundary: 'arn:aws:iam::123456789012:policy/Boundary' });
  });

  it('stays silent on scoped policies, PowerUserAccess, denied IAM and service-linked roles', () => {
    const scoped = role('scoped');
    const power = role('power');
    const denied = role('denied');
    const slr = role('AWSServiceRoleForRDS', { serviceLinked: true });
    const grants = [
      allow(scoped, '*', 'arn:aws:s3:::reports/*'),
      allow(scoped, ['s3:*', 'iam:Get*', 'iam:List*']),
      allow(power, [], '*', { notAction: ['iam:*', 'organizations:*', 'account:*'], source: 'arn:aws:iam::aws:policy/PowerUserAccess' }),
      allow(denied, '*'),
      deny(denied, 'iam:*'),
      allow(slr, '*'),
    ];
    expect(rule.evaluate(inventory({ identities: [scoped, power, denied, slr], grants }), ctx())).toEqual([]);
  });
});
