import { describe, expect, it } from 'vitest';
import type { Inventory, SecretOccurrence } from '../src/core/model.js';
import { accessKey, allow, ctx, daysAgo, inventory, user } from '../test/helpers/aws-inventory.js';
import hardcodedSecret from './hardcoded-secret.js';
import rule from './leaked-live-credential.js';

function leak(handle: string, over: Partial<SecretOccurrence> = {}): SecretOccurrence {
  return {
    detectorId: 'aws-access-key-id',
    detectorTitle: 'AWS access key ID',
    severity: 'high',
    secretHash: `h-${handle}`,
    fingerprintHash: `f-${handle}`,
    redacted: `${handle.slice(0, 4)}…${handle.slice(-2)}`,
    handle,
    location: { path: 'deploy/env.sh', line: 3, column: 8 },
    origin: 'worktree',
    root: '/repo',
    ...over,
  };
}

function withLeaks(inv: Inventory, occurrences: SecretOccurrence[]): Inventory {
  return { ...inv, occurrences };
}

describe('leaked-live-credential', () => {
  const ci = user('ci-deploy', { owners: [{ owner: 'platform', source: 'tag:team' }] });
  const live = accessKey(ci, { created: daysAgo(400), lastUsed: daysAgo(2) });
  const base = inventory({ identities: [ci], credentials: [live], grants: [allow(ci, '*', '*')] });

  it('joins a leaked key id to the live key: where it leaked, whose it is, what it can do, when it was used', () => {
    const commit = { sha: 'c'.repeat(40), author: 'Dana', date: '2025-06-01T00:00:00Z' };
    const findings = rule.evaluate(withLeaks(base, [leak(live.handle!, { origin: 'history', location: { path: 'deploy/env.sh', line: 3, column: 8, commit } })]), ctx());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'leaked-live-credential',
      severity: 'critical',
      location: { path: 'deploy/env.sh', commit: { sha: commit.sha } },
      resource: { id: ci.id, provider: 'aws' },
      evidence: { keyId: live.handle, administrator: true, lastUsed: daysAgo(2).slice(0, 10), leakedIn: 'history' },
    });
    expect(findings[0]!.message).toContain('platform');
    expect(findings[0]!.message).toContain('administrator');
  });

  it('is the same finding whichever connector found its half first (the inventory is joined as a whole)', () => {
    const a = rule.evaluate(withLeaks({ ...base, credentials: [...base.credentials] }, [leak(live.handle!)]), ctx());
    const reversed: Inventory = { identities: [...base.identities].reverse(), credentials: [...base.credentials].reverse(), grants: base.grants, occurrences: [leak(live.handle!)] };
    expect(rule.evaluate(reversed, ctx()).map((f) => f.fingerprint)).toEqual(a.map((f) => f.fingerprint));
  });

  it('stays silent for inactive keys, unknown keys, and the export file that lists the key', () => {
    const inactive = { ...live, status: 'inactive' as const };
    expect(rule.evaluate(withLeaks({ ...base, credentials: [inactive] }, [leak(live.handle!)]), ctx())).toEqual([]);
    expect(rule.evaluate(withLeaks(base, [leak('AKIA' + 'Q'.repeat(16))]), ctx())).toEqual([]);
    const listed = { ...live, attributes: { listedIn: ['iam/access-keys.json'] } };
    const inExport = leak(live.handle!, { location: { path: 'iam/access-keys.json', line: 5, column: 29 } });
    const inv = withLeaks({ ...base, credentials: [listed] }, [inExport]);
    expect(rule.evaluate(inv, ctx())).toEqual([]);
    // ...and hardcoded-secret does not report the export's own key ids either.
    expect(hardcodedSecret.evaluate(inv, ctx())).toEqual([]);
  });
});
