import { describe, expect, it } from 'vitest';
import type { SecretOccurrence } from '../src/core/model.js';
import { DEFAULT_CONFIG } from '../src/core/config.js';
import { emptyInventory } from '../src/core/model.js';
import rule from './hardcoded-secret.js';

const now = new Date('2026-01-01T00:00:00Z');

function occurrence(over: Partial<SecretOccurrence> & { path?: string; line?: number }): SecretOccurrence {
  return {
    detectorId: 'github-pat-classic',
    detectorTitle: 'GitHub personal access token (classic)',
    severity: 'critical',
    secretHash: 'store-hash-1',
    fingerprintHash: 'fp-hash-1',
    redacted: 'ghp_…abcd',
    location: { path: over.path ?? 'src/a.ts', line: over.line ?? 3, column: 7 },
    origin: 'worktree',
    root: '/repo',
    ...over,
  };
}

function run(occurrences: SecretOccurrence[]) {
  return rule.evaluate({ ...emptyInventory(), occurrences }, { now, config: DEFAULT_CONFIG });
}

describe('hardcoded-secret', () => {
  it('stays silent on an inventory without occurrences', () => {
    expect(run([])).toEqual([]);
  });

  it('reports a working-tree secret with its detector severity and a redacted preview only', () => {
    const [f, ...rest] = run([occurrence({})]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'hardcoded-secret', severity: 'critical', location: { path: 'src/a.ts', line: 3 }, secret: { type: 'github-pat-classic', redacted: 'ghp_…abcd' } });
    expect(f!.message).toContain('working tree');
  });

  it('keeps the fingerprint when the line moves, and changes it for another path or secret', () => {
    const a = run([occurrence({ line: 3 })])[0]!.fingerprint;
    expect(run([occurrence({ line: 40 })])[0]!.fingerprint).toBe(a);
    expect(run([occurrence({ path: 'src/b.ts' })])[0]!.fingerprint).not.toBe(a);
    expect(run([occurrence({ fingerprintHash: 'fp-hash-2' })])[0]!.fingerprint).not.toBe(a);
  });

  it('reports a history-only secret at the earliest commit that introduced it', () => {
    const c1 = { sha: 'a'.repeat(40), author: 'Ann', date: '2025-01-01T00:00:00Z' };
    const c2 = { sha: 'b'.repeat(40), author: 'Bob', date: '2025-02-01T00:00:00Z' };
    const findings = run([
      occurrence({ origin: 'history', location: { path: 'src/a.ts', line: 9, column: 1, commit: c2 } }),
      occurrence({ origin: 'history', location: { path: 'src/a.ts', line: 3, column: 1, commit: c1 } }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location?.commit?.sha).toBe(c1.sha);
    expect(findings[0]!.message).toContain('no longer in the working tree');
    expect(findings[0]!.evidence).toMatchObject({ occurrences: 2, inWorkingTree: false });
  });

  it('prefers the working-tree location when the secret is also in history', () => {
    const c1 = { sha: 'c'.repeat(40), date: '2025-01-01T00:00:00Z' };
    const findings = run([occurrence({ origin: 'history', location: { path: 'src/a.ts', line: 3, column: 1, commit: c1 } }), occurrence({ line: 5 })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location?.commit).toBeUndefined();
    expect(findings[0]!.location?.line).toBe(5);
  });

  it('carries the inline-allow mark so the outcome can suppress it', () => {
    expect(run([occurrence({ allowedInline: true })])[0]!.allowedInline).toBe(true);
  });
});
