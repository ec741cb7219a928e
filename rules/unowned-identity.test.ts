import { describe, expect, it } from 'vitest';
import { accessKey, ctx, inventory, role, root, user } from '../test/helpers/aws-inventory.js';
import rule from './unowned-identity.js';

describe('unowned-identity', () => {
  it('reports a machine user and a customer role with no owner; medium for the user holding a key', () => {
    const bot = user('billing-export', { tags: { env: 'prod' } });
    const lambdaRole = role('resize-images');
    const findings = rule.evaluate(inventory({ identities: [bot, lambdaRole], credentials: [accessKey(bot)] }), ctx());
    expect(findings).toHaveLength(2);
    const byName = Object.fromEntries(findings.map((f) => [f.resource!.name, f]));
    expect(byName['billing-export']).toMatchObject({ ruleId: 'unowned-identity', severity: 'medium', evidence: { activeAccessKeys: 1, tags: 'env' } });
    expect(byName['billing-export']!.message).toContain('billing-export');
    expect(byName['billing-export']!.message).toContain('1 active access key');
    expect(byName['resize-images']).toMatchObject({ severity: 'low', resource: { kind: 'aws-iam-role', provider: 'aws' } });
  });

  it('stays silent on owned identities, humans, AWS-managed roles and root', () => {
    const identities = [
      user('owned-by-claim', { owners: [{ owner: 'team-a', source: 'tag:team' }] }),
      user('owned-by-tag', { tags: { Owner: 'bob@example.com' } }),
      user('alice', { looksHuman: true }),
      role('AWSServiceRoleForSupport', { serviceLinked: true }),
      role('AWSReservedSSO_Admin_0123456789abcdef', { path: '/aws-reserved/sso.amazonaws.com/' }),
      root(),
    ];
    expect(rule.evaluate(inventory({ identities }), ctx())).toEqual([]);
  });

  it('reports a user whose humanity is unknown with medium confidence', () => {
    const unknown = user('who-knows');
    delete unknown.looksHuman;
    expect(rule.evaluate(inventory({ identities: [unknown] }), ctx())[0]).toMatchObject({ confidence: 'medium' });
  });

  it('does not count a blank owner tag', () => {
    expect(rule.evaluate(inventory({ identities: [role('r', { tags: { owner: ' ' } })] }), ctx())).toHaveLength(1);
  });

  it('reads the owner tag keys from the configuration', () => {
    const r = role('tagged-by-cost-centre', { tags: { 'cost-center': 'cc-42' } });
    expect(rule.evaluate(inventory({ identities: [r] }), ctx())).toHaveLength(1);
    expect(rule.evaluate(inventory({ identities: [r] }), ctx({}, { ownerTagKeys: ['Cost-Center'] }))).toEqual([]);
  });
});
