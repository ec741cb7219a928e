import { describe, expect, it } from 'vitest';
import { ACCOUNT, accessKey, ctx, daysAgo, inventory, root, user } from '../test/helpers/aws-inventory.js';
import rule from './root-access-key.js';

describe('root-access-key', () => {
  it('reports an active root key as critical, with its dates', () => {
    const r = root();
    const key = accessKey(r, { created: daysAgo(1000), lastUsed: daysAgo(3) });
    const findings = rule.evaluate(inventory({ identities: [r], credentials: [key] }), ctx());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'root-access-key',
      severity: 'critical',
      resource: { id: `arn:aws:iam::${ACCOUNT}:root`, kind: 'aws-root', provider: 'aws' },
      evidence: { accessKeyId: key.handle, ageDays: 1000, lastUsed: daysAgo(3).slice(0, 10) },
    });
    expect(findings[0]!.message).toContain(ACCOUNT);
    expect(findings[0]!.message).toContain(key.handle!);
  });

  it('recognises a root key by its ARN when the root identity is missing from the inventory', () => {
    const key = accessKey(root(), { created: daysAgo(5) });
    expect(rule.evaluate(inventory({ credentials: [key] }), ctx())).toHaveLength(1);
  });

  it('stays silent on an inactive root key and on the keys of IAM users', () => {
    const r = root();
    const u = user('svc');
    const findings = rule.evaluate(inventory({ identities: [r, u], credentials: [accessKey(r, { status: 'inactive' }), accessKey(u)] }), ctx());
    expect(findings).toEqual([]);
  });
});
