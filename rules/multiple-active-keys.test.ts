import { describe, expect, it } from 'vitest';
import { accessKey, ctx, daysAgo, inventory, user } from '../test/helpers/aws-inventory.js';
import rule from './multiple-active-keys.js';

const etl = user('etl', { owners: [{ owner: 'alice@example.com', source: 'tag:owner' }] });
const other = user('other');

describe('multiple-active-keys', () => {
  it('reports a user with two active keys once, listing both keys with their dates', () => {
    const old = accessKey(etl, { created: daysAgo(400), lastUsed: daysAgo(200) });
    const fresh = accessKey(etl, { created: daysAgo(10), lastUsed: daysAgo(1) });
    const findings = rule.evaluate(inventory({ identities: [etl, other], credentials: [fresh, old, accessKey(other)] }), ctx());
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ ruleId: 'multiple-active-keys', severity: 'medium', resource: { id: etl.id, name: 'etl' }, evidence: { activeKeys: 2 } });
    expect(f.message).toContain('etl');
    expect(f.message).toContain('alice@example.com');
    expect(f.message.indexOf(old.handle!)).toBeLessThan(f.message.indexOf(fresh.handle!));
    expect(f.evidence!.accessKeyIds).toBe(`${old.handle}, ${fresh.handle}`);
  });

  it('stays silent when the second key is inactive or the keys belong to different users', () => {
    const findings = rule.evaluate(
      inventory({ identities: [etl, other], credentials: [accessKey(etl), accessKey(etl, { status: 'inactive' }), accessKey(other)] }),
      ctx(),
    );
    expect(findings).toEqual([]);
  });

  it('keeps the fingerprint when a key is replaced (the finding is about the user)', () => {
    const a = rule.evaluate(inventory({ identities: [etl], credentials: [accessKey(etl), accessKey(etl)] }), ctx())[0]!.fingerprint;
    const b = rule.evaluate(inventory({ identities: [etl], credentials: [accessKey(etl), accessKey(etl)] }), ctx())[0]!.fingerprint;
    expect(b).toBe(a);
  });
});
