import { describe, expect, it } from 'vitest';
import { accessKey, ctx, daysAgo, inventory, user } from '../test/helpers/aws-inventory.js';
import rule from './unused-credential.js';

const svc = user('reporting-bot', { owners: [{ owner: 'data-team', source: 'tag:owner' }] });

function run(keys: ReturnType<typeof accessKey>[], thresholds = {}) {
  return rule.evaluate(inventory({ identities: [svc], credentials: keys }), ctx(thresholds));
}

describe('unused-credential', () => {
  it('reports a key not used for more than 90 days, with when and where it was last used', () => {
    const key = accessKey(svc, { created: daysAgo(300), lastUsed: daysAgo(120), attributes: { lastUsedService: 's3', lastUsedRegion: 'eu-west-1' } });
    const [f, ...rest] = run([key]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'unused-credential', severity: 'medium', resource: { id: svc.id, provider: 'aws' } });
    expect(f!.message).toContain(key.handle!);
    expect(f!.message).toContain('reporting-bot');
    expect(f!.message).toContain('data-team');
    expect(f!.message).toContain('120 days');
    expect(f!.message).toContain('s3 in eu-west-1');
    expect(f!.evidence).toMatchObject({ idleDays: 120, lastUsedService: 's3', owner: 'data-team (tag:owner)' });
  });

  it('reports a never-used key older than the grace period', () => {
    const [f] = run([accessKey(svc, { created: daysAgo(8), lastUsed: null })]);
    expect(f!.message).toContain('never been used');
    expect(f!.evidence).toMatchObject({ lastUsed: 'never', ageDays: 8 });
  });

  it('stays silent on recent use, young never-used keys, unknown use and inactive keys', () => {
    expect(
      run([
        accessKey(svc, { created: daysAgo(300), lastUsed: daysAgo(89) }),
        accessKey(svc, { created: daysAgo(7), lastUsed: null }),
        accessKey(svc, { created: daysAgo(300) }), // lastUsed undefined: unknown, not unused
        accessKey(svc, { created: daysAgo(300), lastUsed: daysAgo(200), status: 'inactive' }),
      ]),
    ).toEqual([]);
  });

  it('honours configured thresholds', () => {
    const idle = accessKey(svc, { created: daysAgo(300), lastUsed: daysAgo(40) });
    const fresh = accessKey(svc, { created: daysAgo(3), lastUsed: null });
    expect(run([idle, fresh])).toEqual([]);
    expect(run([idle, fresh], { unusedDays: 30, neverUsedGraceDays: 1 })).toHaveLength(2);
  });
});
