import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import type { ScanResult } from '../src/scan/run.js';
import { Store } from '../src/store/store.js';
import { tempDir } from './helpers/cli.js';

function scan(id: string, startedAt: string, targets = ['.']): ScanResult {
  return {
    id,
    startedAt,
    finishedAt: startedAt,
    targets: targets.map((path) => ({ path, connectors: ['filesystem'] })),
    stats: { files: 1, bytes: 10, durationMs: 1 },
    warnings: [],
    inventory: { identities: [], credentials: [], grants: [], occurrences: [] },
    findings: [],
  };
}

function finding(fingerprint: string, line = 1): Finding {
  return {
    ruleId: 'hardcoded-secret',
    severity: 'high',
    confidence: 'high',
    title: 'Hard-coded credential',
    message: `m ${fingerprint}`,
    fingerprint,
    location: { path: 'a.py', line, column: 1 },
    secret: { type: 'github-pat-classic', redacted: 'ghp_…abcd' },
    secretHash: `hash-${fingerprint}`,
  };
}

describe('Store', () => {
  it('migrates a new database to the current schema, in WAL mode, and reopens it unchanged', () => {
    const path = join(tempDir(), 'nhi.db');
    const store = new Store(path);
    expect(store.schemaVersion).toBe(1);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    const again = new Store(path);
    expect(again.schemaVersion).toBe(1);
    again.close();
  });

  it('refuses a database from a newer nhi instead of damaging it', () => {
    const path = join(tempDir(), 'nhi.db');
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => new Store(path)).toThrow(/newer than this nhi knows/);
  });

  it('keeps first-seen, moves last-seen, and tells new from resolved per target set', () => {
    const store = new Store(join(tempDir(), 'nhi.db'));
    store.saveScan(scan('s1', '2026-01-01T00:00:00Z'), [finding('a'), finding('b')]);
    store.saveScan(scan('other', '2026-01-01T12:00:00Z', ['elsewhere']), [finding('z')]);
    store.saveScan(scan('s2', '2026-01-02T00:00:00Z'), [finding('b', 9), finding('c')]);
    const s2 = store.getScan('s2')!;
    const diff = store.diff(s2);
    expect(diff.new.map((f) => f.fingerprint)).toEqual(['c']);
    expect(diff.resolved.map((f) => f.fingerprint)).toEqual(['a']);
    const b = diff.open.find((f) => f.fingerprint === 'b')!;
    expect(b.firstSeenAt).toBe('2026-01-01T00:00:00Z');
    expect(b.lastSeenAt).toBe('2026-01-02T00:00:00Z');
    expect(b.location?.line).toBe(9);
    expect(store.previousScan(s2)?.id).toBe('s1'); // not the scan of other targets
    expect(store.listScans().map((s) => s.id)).toEqual(['s2', 'other', 's1']);
    store.close();
  });
});
