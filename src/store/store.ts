import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isListedInExport, listedInExports } from '../core/exports.js';
import type { Credential, Finding, Grant, Identity, Inventory, Location, Recalled, SecretOccurrence } from '../core/model.js';
import type { Severity } from '../core/severity.js';
import type { ScanResult } from '../scan/run.js';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append only: never edit a migration that has shipped.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE scans (
     id TEXT PRIMARY KEY,
     target_key TEXT NOT NULL,
     targets TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT NOT NULL,
     files INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     warnings INTEGER NOT NULL,
     finding_count INTEGER NOT NULL
   );
   CREATE INDEX scans_by_target ON scans(target_key, started_at);
   CREATE TABLE findings (
     fingerprint TEXT PRIMARY KEY,
     rule_id TEXT NOT NULL,
     severity TEXT NOT NULL,
     title TEXT NOT NULL,
     message TEXT NOT NULL,
     location TEXT,
     secret_type TEXT,
     redacted TEXT,
     secret_hash TEXT,
     resource TEXT,
     evidence TEXT,
     first_seen_scan TEXT NOT NULL,
     first_seen_at TEXT NOT NULL,
     last_seen_scan TEXT NOT NULL,
     last_seen_at TEXT NOT NULL
   );
   CREATE INDEX findings_by_secret ON findings(secret_hash);
   CREATE TABLE scan_findings (
     scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
     fingerprint TEXT NOT NULL REFERENCES findings(fingerprint),
     PRIMARY KEY (scan_id, fingerprint)
   ) WITHOUT ROWID;`,
  // v2: what joins across scans need (leaked-live-credential): key ids found in code, and keys
  // found in cloud inventories with their identity and grants. Key ids are public identifiers,
  // not secrets; the occurrence JSON holds keyed hashes and redacted previews only.
  `CREATE TABLE key_occurrences (
     handle TEXT NOT NULL,
     root TEXT NOT NULL,
     path TEXT NOT NULL,
     commit_sha TEXT NOT NULL,
     occurrence TEXT NOT NULL,
     scan_id TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     PRIMARY KEY (handle, root, path, commit_sha)
   ) WITHOUT ROWID;
   CREATE TABLE inventory_keys (
     handle TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     credential TEXT NOT NULL,
     identity_id TEXT,
     scan_id TEXT NOT NULL,
     recorded_at TEXT NOT NULL
   );
   CREATE INDEX inventory_keys_by_account ON inventory_keys(account);
   CREATE TABLE inventory_identities (
     id TEXT PRIMARY KEY,
     identity TEXT NOT NULL,
     grants TEXT NOT NULL,
     scan_id TEXT NOT NULL,
     recorded_at TEXT NOT NULL
   );`,
];

/** Access key ids (AWS): the handles that joins across scans are made on. */
const JOINABLE_HANDLE = /^(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}$/;

function accountOf(arn: string | undefined): string {
  return (arn && /^arn:aws[\w-]*:iam::(\d{12}):/.exec(arn)?.[1]) || 'unknown';
}

export interface StoredFinding extends Finding {
  firstSeenAt: string;
  lastSeenAt: string;
  firstSeenScan: string;
  lastSeenScan: string;
}

export interface StoredScan {
  id: string;
  targetKey: string;
  targets: string[];
  startedAt: string;
  finishedAt: string;
  files: number;
  bytes: number;
  durationMs: number;
  warnings: number;
  findingCount: number;
}

interface FindingRow {
  fingerprint: string;
  rule_id: string;
  severity: string;
  title: string;
  message: string;
  location: string | null;
  secret_type: string | null;
  redacted: string | null;
  resource: string | null;
  evidence: string | null;
  first_seen_scan: string;
  first_seen_at: string;
  last_seen_scan: string;
  last_seen_at: string;
}

interface ScanRow {
  id: string;
  target_key: string;
  targets: string;
  started_at: string;
  finished_at: string;
  files: number;
  bytes: number;
  duration_ms: number;
  warnings: number;
  finding_count: number;
}

function rowToFinding(r: FindingRow): StoredFinding {
  const f: StoredFinding = {
    ruleId: r.rule_id,
    severity: r.severity as Severity,
    confidence: 'high',
    title: r.title,
    message: r.message,
    fingerprint: r.fingerprint,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    firstSeenScan: r.first_seen_scan,
    lastSeenScan: r.last_seen_scan,
  };
  if (r.location) f.location = JSON.parse(r.location) as Location;
  if (r.secret_type && r.redacted) f.secret = { type: r.secret_type, redacted: r.redacted };
  if (r.resource) f.resource = JSON.parse(r.resource) as Finding['resource'];
  if (r.evidence) f.evidence = JSON.parse(r.evidence) as Finding['evidence'];
  return f;
}

function rowToScan(r: ScanRow): StoredScan {
  return {
    id: r.id,
    targetKey: r.target_key,
    targets: JSON.parse(r.targets) as string[],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    files: r.files,
    bytes: r.bytes,
    durationMs: r.duration_ms,
    warnings: r.warnings,
    findingCount: r.finding_count,
  };
}

/** The embedded database of scans and findings. Holds keyed hashes and redacted previews, never secrets. */
export class Store {
  readonly db: Database.Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`database ${this.path} has schema version ${version}, newer than this nhi knows (${MIGRATIONS.length}); upgrade nhi`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * What earlier scans recorded that `inventory` can join with: occurrences of the key ids of
   * its keys (code scanned before the account), and keys whose ids occur in it (the account
   * scanned before the code). Items of this scan's own inventory are not recalled.
   */
  recall(inventory: Inventory): Recalled {
    const recalled: Recalled = { occurrences: [], keys: [] };
    const keyHandles = new Set(inventory.credentials.filter((c) => c.handle && JOINABLE_HANDLE.test(c.handle)).map((c) => c.handle!));
    const occurrenceHandles = new Set(inventory.occurrences.filter((o) => o.handle && JOINABLE_HANDLE.test(o.handle)).map((o) => o.handle!));
    const here = new Set(inventory.occurrences.map((o) => `${o.handle}\0${o.root}\0${o.location.path}\0${o.location.commit?.sha ?? ''}`));
    const occurrences = this.db.prepare('SELECT occurrence, scan_id, recorded_at FROM key_occurrences WHERE handle = ?');
    for (const handle of keyHandles) {
      for (const row of occurrences.all(handle) as Array<{ occurrence: string; scan_id: string; recorded_at: string }>) {
        const o = JSON.parse(row.occurrence) as SecretOccurrence;
        if (here.has(`${o.handle}\0${o.root}\0${o.location.path}\0${o.location.commit?.sha ?? ''}`)) continue;
        recalled.occurrences.push({ ...o, recorded: { scanId: row.scan_id, recordedAt: row.recorded_at } });
      }
    }
    const key = this.db.prepare('SELECT credential, identity_id, scan_id, recorded_at FROM inventory_keys WHERE handle = ?');
    const identity = this.db.prepare('SELECT identity, grants FROM inventory_identities WHERE id = ?');
    for (const handle of occurrenceHandles) {
      if (keyHandles.has(handle)) continue;
      const row = key.get(handle) as { credential: string; identity_id: string | null; scan_id: string; recorded_at: string } | undefined;
      if (!row) continue;
      const who = row.identity_id ? (identity.get(row.identity_id) as { identity: string; grants: string } | undefined) : undefined;
      recalled.keys.push({
        credential: JSON.parse(row.credential) as Credential,
        ...(who ? { identity: JSON.parse(who.identity) as Identity } : {}),
        grants: who ? (JSON.parse(who.grants) as Grant[]) : [],
        recorded: { scanId: row.scan_id, recordedAt: row.recorded_at },
      });
    }
    return recalled;
  }

  /** Records what later scans may join with (see `recall`); part of saveScan's transaction. */
  private recordJoinables(scan: ScanResult): void {
    const inventory = scan.inventory;
    const at = scan.finishedAt;
    const listed = listedInExports(inventory);
    const putOccurrence = this.db.prepare(
      `INSERT INTO key_occurrences (handle, root, path, commit_sha, occurrence, scan_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(handle, root, path, commit_sha) DO UPDATE SET occurrence = excluded.occurrence, scan_id = excluded.scan_id, recorded_at = excluded.recorded_at`,
    );
    for (const o of inventory.occurrences) {
      // An export listing its own key ids describes the keys; it does not leak them.
      if (!o.handle || !JOINABLE_HANDLE.test(o.handle) || isListedInExport(listed, o)) continue;
      putOccurrence.run(o.handle, o.root, o.location.path, o.location.commit?.sha ?? '', JSON.stringify(o), scan.id, at);
    }
    // A working tree scanned again is described by this scan alone: a key id removed from it since is no longer a
    // leak there (what history holds stays: history does not change).
    const forgetTree = this.db.prepare(`DELETE FROM key_occurrences WHERE root = ? AND commit_sha = '' AND scan_id <> ?`);
    for (const t of scan.targets) if (t.connectors.includes('filesystem')) forgetTree.run(resolve(t.path), scan.id);
    const identities = new Map(inventory.identities.map((i) => [i.id, i]));
    const grants = new Map<string, Grant[]>();
    for (const g of inventory.grants) {
      let list = grants.get(g.identityId);
      if (!list) grants.set(g.identityId, (list = []));
      list.push(g);
    }
    const putKey = this.db.prepare(
      `INSERT INTO inventory_keys (handle, account, credential, identity_id, scan_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(handle) DO UPDATE SET account = excluded.account, credential = excluded.credential, identity_id = excluded.identity_id,
         scan_id = excluded.scan_id, recorded_at = excluded.recorded_at`,
    );
    const putIdentity = this.db.prepare(
      `INSERT INTO inventory_identities (id, identity, grants, scan_id, recorded_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET identity = excluded.identity, grants = excluded.grants, scan_id = excluded.scan_id, recorded_at = excluded.recorded_at`,
    );
    // The accounts this scan describes: those of its AWS identities, so an account whose keys were all deleted
    // since is cleaned too. Keys whose account cannot be told are never cleaned by another scan's account.
    const accounts = new Set<string>();
    for (const i of inventory.identities) if (i.provider === 'aws') accounts.add(accountOf(i.id));
    const stored = new Set<string>();
    for (const c of inventory.credentials) {
      if (!c.handle || !JOINABLE_HANDLE.test(c.handle)) continue;
      const account = accountOf(c.identityId ?? c.id);
      accounts.add(account);
      putKey.run(c.handle, account, JSON.stringify(c), c.identityId ?? null, scan.id, at);
      if (c.identityId && !stored.has(c.identityId)) {
        stored.add(c.identityId);
        const identity = identities.get(c.identityId);
        if (identity) putIdentity.run(identity.id, JSON.stringify(identity), JSON.stringify(grants.get(identity.id) ?? []), scan.id, at);
      }
    }
    // An account scanned again is described by this scan alone: its keys that are gone were deleted.
    const forget = this.db.prepare('DELETE FROM inventory_keys WHERE account = ? AND scan_id <> ?');
    accounts.delete('unknown');
    for (const account of accounts) forget.run(account, scan.id);
  }

  /** Records a scan and its findings in one transaction; first-seen is kept, last-seen moves. */
  saveScan(scan: ScanResult, findings: Finding[]): void {
    const targets = scan.targets.map((t) => t.path);
    const targetKey = JSON.stringify([...targets].sort());
    const insertScan = this.db.prepare(
      `INSERT INTO scans (id, target_key, targets, started_at, finished_at, files, bytes, duration_ms, warnings, finding_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const upsert = this.db.prepare(
      `INSERT INTO findings (fingerprint, rule_id, severity, title, message, location, secret_type, redacted, secret_hash, resource, evidence,
                             first_seen_scan, first_seen_at, last_seen_scan, last_seen_at)
       VALUES (@fingerprint, @rule_id, @severity, @title, @message, @location, @secret_type, @redacted, @secret_hash, @resource, @evidence,
               @scan, @at, @scan, @at)
       ON CONFLICT(fingerprint) DO UPDATE SET
         severity = excluded.severity, title = excluded.title, message = excluded.message, location = excluded.location,
         redacted = excluded.redacted, secret_hash = excluded.secret_hash, resource = excluded.resource, evidence = excluded.evidence,
         last_seen_scan = excluded.last_seen_scan, last_seen_at = excluded.last_seen_at`,
    );
    const link = this.db.prepare('INSERT OR IGNORE INTO scan_findings (scan_id, fingerprint) VALUES (?, ?)');
    this.db.transaction(() => {
      insertScan.run(scan.id, targetKey, JSON.stringify(targets), scan.startedAt, scan.finishedAt, scan.stats.files, scan.stats.bytes, scan.stats.durationMs, scan.warnings.length, findings.length);
      for (const f of findings) {
        upsert.run({
          fingerprint: f.fingerprint,
          rule_id: f.ruleId,
          severity: f.severity,
          title: f.title,
          message: f.message,
          location: f.location ? JSON.stringify(f.location) : null,
          secret_type: f.secret?.type ?? null,
          redacted: f.secret?.redacted ?? null,
          secret_hash: f.secretHash ?? null,
          resource: f.resource ? JSON.stringify(f.resource) : null,
          evidence: f.evidence ? JSON.stringify(f.evidence) : null,
          scan: scan.id,
          at: scan.finishedAt,
        });
        link.run(scan.id, f.fingerprint);
      }
      this.recordJoinables(scan);
    })();
  }

  listScans(limit = 20): StoredScan[] {
    return (this.db.prepare('SELECT * FROM scans ORDER BY started_at DESC LIMIT ?').all(limit) as ScanRow[]).map(rowToScan);
  }

  getScan(id: string): StoredScan | undefined {
    const row = this.db.prepare('SELECT * FROM scans WHERE id = ? OR id LIKE ?').get(id, `${id}%`) as ScanRow | undefined;
    return row && rowToScan(row);
  }

  latestScan(): StoredScan | undefined {
    return this.listScans(1)[0];
  }

  /** The scan of the same targets just before this one. */
  previousScan(scan: StoredScan): StoredScan | undefined {
    const row = this.db
      .prepare('SELECT * FROM scans WHERE target_key = ? AND started_at < ? ORDER BY started_at DESC LIMIT 1')
      .get(scan.targetKey, scan.startedAt) as ScanRow | undefined;
    return row && rowToScan(row);
  }

  findingsOfScan(scanId: string): StoredFinding[] {
    return (
      this.db.prepare('SELECT f.* FROM findings f JOIN scan_findings s ON s.fingerprint = f.fingerprint WHERE s.scan_id = ?').all(scanId) as FindingRow[]
    ).map(rowToFinding);
  }

  /**
   * Findings of `scan` compared with the previous scan of the same targets:
   * `new` were not in it, `resolved` were in it and are gone, `open` are in this scan.
   */
  diff(scan: StoredScan): { new: StoredFinding[]; open: StoredFinding[]; resolved: StoredFinding[] } {
    const current = this.findingsOfScan(scan.id);
    const previous = this.previousScan(scan);
    const before = previous ? this.findingsOfScan(previous.id) : [];
    const beforeSet = new Set(before.map((f) => f.fingerprint));
    const nowSet = new Set(current.map((f) => f.fingerprint));
    return {
      new: current.filter((f) => !beforeSet.has(f.fingerprint)),
      open: current,
      resolved: before.filter((f) => !nowSet.has(f.fingerprint)),
    };
  }

  close(): void {
    this.db.close();
  }
}
