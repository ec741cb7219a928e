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
    expect(store.schemaVersion).toBe(2);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    const again = new Store(path);
    expect(again.schemaVersion).toBe(2);
    again.close();
  });

  it('upgrades a version 1 database in place, keeping its scans', () => {
    const path = join(tempDir(), 'nhi.db');
    // A database as nhi left it before the join tables (migration 1 only).
    const raw = new Database(path);
    raw.exec(`CREATE TABLE scans (id TEXT PRIMARY KEY, target_key TEXT NOT NULL, targets TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
      files INTEGER NOT NULL, bytes INTEGER NOT NULL, duration_ms INTEGER NOT NULL, warnings INTEGER NOT NULL, finding_count INTEGER NOT NULL);
      CREATE TABLE findings (fingerprint TEXT PRIMARY KEY, rule_id TEXT NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL, message TEXT NOT NULL,
      location TEXT, secret_type TEXT, redacted TEXT, secret_hash TEXT, resource TEXT, evidence TEXT, first_seen_scan TEXT NOT NULL,
      first_seen_at TEXT NOT NULL, last_seen_scan TEXT NOT NULL, last_seen_at TEXT NOT NULL);
      CREATE TABLE scan_findings (scan_id TEXT NOT NULL, fingerprint TEXT NOT NULL, PRIMARY KEY (scan_id, fingerprint)) WITHOUT ROWID;
      INSERT INTO scans VALUES ('s1', '["."]', '["."]', '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z', 1, 10, 1000, 0, 0);
      PRAGMA user_version = 1;`);
    raw.close();
    const store = new Store(path);
    expect(store.schemaVersion).toBe(2);
    expect(store.listScans().map((s) => s.id)).toEqual(['s1']);
    expect(store.recall({ identities: [], credentials: [], grants: [], occurrences: [] })).toEqual({ occurrences: [], keys: [] });
    store.close();
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
