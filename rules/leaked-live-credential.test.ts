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

  describe('across scans (halves recalled from the store)', () => {
    const recorded = { scanId: 'earlier-scan', recordedAt: '2025-05-01T10:00:00Z' };
    const codeOnly = (occurrences: SecretOccurrence[], recalled: Inventory['recalled']): Inventory => ({ identities: [], credentials: [], grants: [], occurrences, recalled });

    it('code scanned first: the IAM scan joins its key with the leak an earlier scan recorded', () => {
      const inv: Inventory = { ...base, recalled: { occurrences: [{ ...leak(live.handle!), recorded }], keys: [] } };
      const findings = rule.evaluate(inv, ctx());
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ location: { path: 'deploy/env.sh' }, resource: { id: ci.id }, evidence: { keyId: live.handle, leakRecordedAt: recorded.recordedAt, leakRoot: '/repo' } });
      expect(findings[0]!.message).toContain('found by a scan of /repo on 2025-05-01');
      // The same fingerprint as when both halves are found in one scan.
      expect(findings[0]!.fingerprint).toBe(rule.evaluate(withLeaks(base, [leak(live.handle!)]), ctx())[0]!.fingerprint);
    });

    it('account scanned first: the code scan joins its leak with the key an earlier scan recorded', () => {
      const inv = codeOnly([leak(live.handle!)], { occurrences: [], keys: [{ credential: live, identity: ci, grants: [allow(ci, '*', '*')], recorded }] });
      const findings = rule.evaluate(inv, ctx());
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ resource: { id: ci.id }, evidence: { keyId: live.handle, administrator: true, keyRecordedAt: recorded.recordedAt } });
      expect(findings[0]!.message).toContain('active when its account was scanned on 2025-05-01');
      expect(findings[0]!.fingerprint).toBe(rule.evaluate(withLeaks(base, [leak(live.handle!)]), ctx())[0]!.fingerprint);
    });

    it('trusts this scan over an older one, and never joins two recalled halves', () => {
      // The key was active when recorded, but this scan sees it inactive: not live.
      const inactive = { ...live, status: 'inactive' as const };
      const inv: Inventory = { ...base, credentials: [inactive], occurrences: [leak(live.handle!)], recalled: { occurrences: [], keys: [{ credential: live, identity: ci, grants: [], recorded }] } };
      expect(rule.evaluate(inv, ctx())).toEqual([]);
      // A recalled inactive key does not fire either.
      expect(rule.evaluate(codeOnly([leak(live.handle!)], { occurrences: [], keys: [{ credential: inactive, identity: ci, grants: [], recorded }] }), ctx())).toEqual([]);
      // Both halves recalled: that join belonged to an earlier scan.
      const both = codeOnly([], { occurrences: [{ ...leak(live.handle!), recorded }], keys: [{ credential: live, identity: ci, grants: [], recorded }] });
      expect(rule.evaluate(both, ctx())).toEqual([]);
    });
  });
});
