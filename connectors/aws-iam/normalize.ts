/**
 * Turns one account's raw export (./types.ts, filled by offline.ts or live.ts) into the
 * inventory described in src/core/aws.ts. Pure: no I/O, no clock other than `options.now`.
 *
 * `normalizeAccount` returns `{ items, warnings }`: the inventory items in a stable order
 * (identities, then their credentials and grants) and the problems met on the way (a policy
 * document that is not JSON, a credential report row without an ARN...), as `parse-error`
 * warnings naming the export part they come from. It never throws on bad data.
 *
 * When the export says where its entries are (`exp.locations`, offline mode), identities and
 * credentials carry `definedAt`: a user's or role's entry in the authorization details (else its
 * credential report row), a key's list-access-keys entry (else its owner's report row).
 *
 * Unknown versus never (src/core/model.ts): `null` = known not to have happened,
 * `undefined` = unknown.
 * - Credential report, key slot `access_key_N_last_used_date`: a date; `N/A` for a slot that
 *   holds a key = never used (null); `no_information` = unknown (undefined).
 * - Credential report `password_last_used`: a date; `N/A` = never (null: the user has no
 *   password, or it was never used); `no_information` = unknown (undefined).
 * - `list-access-keys` with `LastUsed` (GetAccessKeyLastUsed): `LastUsedDate` present = that
 *   date, absent or null = never used; no `LastUsed` at all = ask the report's slot, else unknown.
 * - Roles: `RoleLastUsed.LastUsedDate` = that date; `RoleLastUsed` present without a date
 *   (AWS prints `{}`) = never (null); `RoleLastUsed` missing from the export = unknown.
 * - Users: the latest known date among password and key use; null when every part is known
 *   to be "never"; undefined when nothing is known (no report row and no key data).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { AwsAccessKeyAttributes, AwsGrantConditions, AwsRoleAttributes, AwsUserAttributes, PolicyDocument, PolicyStatement } from '../../src/core/aws.js';
import type { InventoryItem } from '../../src/core/connector.js';
import type { Credential, Grant, Identity, Location, OwnerClaim, ScanWarning } from '../../src/core/model.js';
import type { AccessKeyMetadata, AwsAccountExport, GroupDetail, InlinePolicy, ManagedPolicyDetail, PolicyAttachment, Tag } from './types.js';

export interface NormalizeOptions {
  /** Tag keys that name an owner, compared case-insensitively (config `ownerTagKeys`). */
  ownerTagKeys: string[];
  /** The scan's clock, for "password used recently" (looksHuman). Default: now. */
  now?: Date;
  /** A password used within this many days makes a user look human. Default 90. */
  recentPasswordDays?: number;
}

export interface NormalizeResult {
  items: InventoryItem[];
  warnings: ScanWarning[];
}

// ─── Values ──────────────────────────────────────────────────────────────────

const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?(?:Z|\+00:00)$/;

/** ISO-8601 UTC, or undefined for anything that is not a date. */
export function isoDate(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  // The form AWS exports use (`2024-05-01T10:00:00+00:00`, `…Z`), read without a Date when the
  // answer is plain: a day every month has, a valid time (an account has ~100,000 of these).
  if (typeof value === 'string') {
    const m = CANONICAL_UTC.exec(value);
    if (m && m[2]! >= '01' && m[2]! <= '12' && m[3]! >= '01' && m[3]! <= '28' && m[4]! <= '23' && m[5]! <= '59' && m[6]! <= '59') return `${value.slice(0, 19)}.${m[7] ?? '000'}Z`;
  }
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) return undefined;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function toArray(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ARN = /^arn:(aws[a-z-]*):iam::(\d{12}|aws):([a-z-]+)\/?(.*)$/;

/** Partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), default `aws`. */
export function partitionOf(arn: string | undefined): string {
  return (arn && ARN.exec(arn)?.[1]) || 'aws';
}

/** Path of a user or role ARN (`arn:aws:iam::1:user/a/b/name` → `/a/b/`). */
function pathOf(arn: string): string {
  const rest = ARN.exec(arn)?.[4] ?? '';
  const i = rest.lastIndexOf('/');
  return i < 0 ? '/' : `/${rest.slice(0, i + 1)}`;
}

// ─── Policy documents ────────────────────────────────────────────────────────

/**
 * A policy document as an object: objects pass through, strings are parsed as JSON after
 * URL-decoding those that arrive URL-encoded (the API returns `%7B%22Version%22…`).
 * Throws with a short reason when it is not a policy document.
 */
export function decodePolicyDocument(doc: unknown): PolicyDocument {
  let value = doc;
  if (typeof value === 'string') {
    let text = value.trim();
    if (/^%7B/i.test(text) || (text.startsWith('%') && !text.startsWith('{'))) {
      try {
        text = decodeURIComponent(text);
      } catch {
        throw new Error('URL-encoded policy document does not decode');
      }
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error('policy document is not JSON');
    }
  }
  if (!isRecord(value)) throw new Error('policy document is not a JSON object');
  const st = value.Statement;
  if (!isRecord(st) && !Array.isArray(st)) throw new Error('policy document has no Statement');
  return value as unknown as PolicyDocument;
}

export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  const st = doc.Statement as unknown;
  return (Array.isArray(st) ? st : [st]).filter(isRecord) as unknown as PolicyStatement[];
}

/**
 * One grant per statement. `actions` holds `Action` (empty when the statement uses
 * `NotAction`), `resources` holds `Resource` (empty with `NotResource`); NotAction,
 * NotResource and Condition go to `conditions` (AwsGrantConditions), absent when none.
 */
export function grantsOf(identityId: string, doc: PolicyDocument, source: string): Grant[] {
  const out: Grant[] = [];
  for (const st of statementsOf(doc)) {
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') continue;
    if (st.Action === undefined && st.NotAction === undefined) continue;
    const conditions: AwsGrantConditions = {};
    if (isRecord(st.Condition)) conditions.Condition = st.Condition;
    if (st.NotAction !== undefined) conditions.NotAction = toArray(st.NotAction);
    if (st.NotResource !== undefined) conditions.NotResource = toArray(st.NotResource);
    const grant: Grant = { identityId, effect: st.Effect, actions: toArray(st.Action), resources: toArray(st.Resource), source };
    if (Object.keys(conditions).length > 0) grant.conditions = conditions as Record<string, unknown>;
    out.push(grant);
  }
  return out;
}

/**
 * Documents of the AWS-managed policies that matter to the rules, for exports that do not
 * include AWS-managed policies (the CLI's default filter leaves them out). Keyed by the part
 * of the ARN after `:policy`. ReadOnlyAccess is deliberately absent (thousands of read
 * actions; it grants nothing the admin or escalation rules look for): it stays unresolved.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  '/AdministratorAccess': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  '/PowerUserAccess': {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['account:GetAccountInformation', 'account:GetPrimaryEmail', 'account:ListRegions', 'iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization'],
        Resource: '*',
      },
    ],
  },
  '/IAMFullAccess': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['iam:*', 'organizations:DescribeAccount', 'organizations:DescribeOrganization', 'organizations:DescribeOrganizationalUnit', 'organizations:DescribePolicy', 'organizations:ListChildren', 'organizations:ListParents', 'organizations:ListPoliciesForTarget', 'organizations:ListRoots', 'organizations:ListPolicies', 'organizations:ListTargetsForPolicy'],
        Resource: '*',
      },
    ],
  },
  '/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/** The built-in document for an AWS-managed policy ARN, when we carry one. */
export function builtInManagedPolicy(arn: string): PolicyDocument | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy(\/.*)$/.exec(arn);
  return m ? AWS_MANAGED_POLICIES[m[1]!] : undefined;
}

// ─── Credential report ───────────────────────────────────────────────────────

export interface ReportKeySlot {
  slot: 1 | 2;
  active: boolean;
  lastRotated?: string;
  /** null = never used (`N/A`), undefined = unknown (`no_information`). */
  lastUsed?: string | null;
  lastUsedRegion?: string;
  lastUsedService?: string;
}

export interface CredentialReportRow {
  user: string;
  arn: string;
  isRoot: boolean;
  created?: string;
  /** undefined for the root row (`not_supported`). */
  passwordEnabled?: boolean;
  /** null = never (`N/A`), undefined = unknown (`no_information`, `not_supported`). */
  passwordLastUsed?: string | null;
  passwordLastChanged?: string;
  passwordNextRotation?: string;
  mfaActive?: boolean;
  /** Only the slots that hold a key (active, or with a creation date). */
  keys: ReportKeySlot[];
  /** Active X.509 signing certificates (cert_1/cert_2). */
  activeCertificates: number;
  /** 1-based line of the row in the CSV text (where it ends, for a row with quoted line breaks). */
  line?: number;
}

export const CREDENTIAL_REPORT_COLUMNS = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed', 'password_next_rotation', 'mfa_active',
  'access_key_1_active', 'access_key_1_last_rotated', 'access_key_1_last_used_date', 'access_key_1_last_used_region', 'access_key_1_last_used_service',
  'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date', 'access_key_2_last_used_region', 'access_key_2_last_used_service',
  'cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated',
] as const;

function bool(v: string | undefined): boolean | undefined {
  const s = v?.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

/** A "when was it used" cell: a date, `N/A` → null (never), anything else (`no_information`) → undefined. */
function usedCell(v: string | undefined): string | null | undefined {
  const s = v?.trim();
  if (s === 'N/A') return null;
  return isoDate(s);
}

function textCell(v: string | undefined): string | undefined {
  const s = v?.trim();
  return !s || s === 'N/A' || s === 'no_information' || s === 'not_supported' ? undefined : s;
}

/**
 * Parses the credential report CSV (the decoded `Content` of GetCredentialReport).
 * Throws when the text is not CSV or lacks the `user` and `arn` columns; rows without an
 * ARN are skipped and listed in `problems`.
 */
export function parseCredentialReport(csv: string): { rows: CredentialReportRow[]; problems: string[] } {
  // Offline mode parses a report to check it and to learn its account, then normalisation parses
  // the same text again: the last result is kept (callers treat it as read-only).
  if (lastReport !== undefined && lastReport.csv === csv) return lastReport.parsed;
  const parsed = parseReportText(csv);
  lastReport = { csv, parsed };
  return parsed;
}

let lastReport: { csv: string; parsed: { rows: CredentialReportRow[]; problems: string[] } } | undefined;

function parseReportText(csv: string): { rows: CredentialReportRow[]; problems: string[] } {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parseCsv(csv, { columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false, info: true });
  } catch (error) {
    throw new Error(`credential report is not valid CSV: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const first = records[0]?.record;
  if (first && !('user' in first && 'arn' in first)) throw new Error('credential report has no user and arn columns');
  const rows: CredentialReportRow[] = [];
  records.forEach(({ record: r, info }, i) => {
    const arn = r.arn?.trim();
    if (!arn || !ARN.test(arn)) {
      problems.push(`credential report row ${i + 2}: no valid ARN`);
      return;
    }
    const keys: ReportKeySlot[] = [];
    for (const slot of [1, 2] as const) {
      const active = bool(r[`access_key_${slot}_active`]) ?? false;
      const lastRotated = isoDate(r[`access_key_${slot}_last_rotated`]);
      if (!active && !lastRotated) continue;
      const k: ReportKeySlot = { slot, active, lastUsed: usedCell(r[`access_key_${slot}_last_used_date`]) };
      if (lastRotated) k.lastRotated = lastRotated;
      const region = textCell(r[`access_key_${slot}_last_used_region`]);
      const service = textCell(r[`access_key_${slot}_last_used_service`]);
      if (region) k.lastUsedRegion = region;
      if (service) k.lastUsedService = service;
      keys.push(k);
    }
    const row: CredentialReportRow = {
      user: r.user ?? '',
      arn,
      isRoot: r.user === '<root_account>' || /:root$/.test(arn),
      passwordEnabled: bool(r.password_enabled),
      passwordLastUsed: usedCell(r.password_last_used),
      mfaActive: bool(r.mfa_active),
      keys,
      activeCertificates: [bool(r.cert_1_active), bool(r.cert_2_active)].filter(Boolean).length,
      line: info.lines,
    };
    const created = isoDate(r.user_creation_time);
    if (created) row.created = created;
    const changed = isoDate(r.password_last_changed);
    if (changed) row.passwordLastChanged = changed;
    const next = isoDate(r.password_next_rotation);
    if (next) row.passwordNextRotation = next;
    rows.push(row);
  });
  return { rows, problems };
}

// ─── Account ─────────────────────────────────────────────────────────────────

function tagsOf(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t && typeof t.Key === 'string') out[t.Key] = String(t.Value ?? '');
  return out;
}

function ownersOf(tags: Tag[] | undefined, ownerKeys: Set<string>): OwnerClaim[] {
  const out: OwnerClaim[] = [];
  for (const t of tags ?? []) {
    if (!t || typeof t.Key !== 'string' || !ownerKeys.has(t.Key.toLowerCase())) continue;
    const value = String(t.Value ?? '').trim();
    if (value) out.push({ owner: value, source: `tag:${t.Key}` });
  }
  return out;
}

/** Principals of a trust policy's Allow statements, account ids as root ARNs. */
export function trustedPrincipals(doc: PolicyDocument, partition = 'aws'): string[] {
  const out = new Set<string>();
  for (const st of statementsOf(doc)) {
    if (st.Effect !== 'Allow') continue;
    const p = st.Principal as unknown;
    if (p === '*') out.add('*');
    else if (isRecord(p)) {
      for (const [type, values] of Object.entries(p)) {
        for (const v of toArray(values)) {
          const value = v.trim();
          if (type === 'AWS' && /^\d{12}$/.test(value)) out.add(`arn:${partition}:iam::${value}:root`);
          else out.add(value);
        }
      }
    }
  }
  return [...out];
}

/** Latest of the parts; null when all are known "never"; undefined when none is known. */
function latestUse(parts: Array<string | null | undefined>): string | null | undefined {
  const dates = parts.filter((p): p is string => typeof p === 'string').sort();
  if (dates.length > 0) return dates[dates.length - 1];
  if (parts.length > 0 && parts.every((p) => p === null)) return null;
  return undefined;
}

/** The whole second of an ISO date, to pair keys with report slots (NaN for a bad date: pairs with nothing). */
const secondOf = (iso: string | undefined) => (iso === undefined ? undefined : Math.floor(Date.parse(iso) / 1000));

/**
 * Pairs listed keys with the report's slots: same creation time (a key's `last_rotated` is
 * its creation), then, for what is left, creation order against slot order when the counts
 * and statuses agree. Unpaired keys keep only what list-access-keys says.
 */
function pairKeys(keys: AccessKeyMetadata[], slots: ReportKeySlot[]): Map<AccessKeyMetadata, ReportKeySlot> {
  const pairs = new Map<AccessKeyMetadata, ReportKeySlot>();
  const free = new Set(slots);
  // Each key's creation date, converted once (users with many keys sort and compare them often).
  const created = new Map(keys.map((k) => [k, isoDate(k.CreateDate)]));
  const byCreation = [...keys].sort((a, b) => (created.get(a) ?? '').localeCompare(created.get(b) ?? ''));
  const slotSecond = new Map(slots.map((s) => [s, secondOf(s.lastRotated)]));
  for (const k of byCreation) {
    if (free.size === 0) break;
    const second = secondOf(created.get(k));
    const s = second === undefined ? undefined : [...free].find((slot) => slotSecond.get(slot) === second);
    if (s) {
      pairs.set(k, s);
      free.delete(s);
    }
  }
  const restKeys = byCreation.filter((k) => !pairs.has(k));
  const restSlots = [...free].sort((a, b) => a.slot - b.slot);
  if (restKeys.length > 0 && restKeys.length === restSlots.length && restKeys.every((k, i) => (k.Status === 'Active') === restSlots[i]!.active)) {
    restKeys.forEach((k, i) => pairs.set(k, restSlots[i]!));
  }
  return pairs;
}

/**
 * The export file each listed key was read from, recorded by offline mode (offline.ts) as it
 * assigns list-access-keys files to accounts. A key's `listedIn` then names the files that list
 * it. Keys read otherwise (live mode, exports built in code) fall back to every source of the
 * account's keys (`sources.accessKeys`): fine for a handful of files, but an account exported
 * the usual way, one file per user, has thousands, and every key naming all of them is
 * quadratic (20,000 keys × 5,000 files: gigabytes, and more entries than a Set holds).
 */
const keySources = new WeakMap<AccessKeyMetadata, string>();

export function recordKeySource(key: AccessKeyMetadata, path: string): void {
  keySources.set(key, path);
}

/** Normalises one account's export. See the file comment for the unknown/never rules. */
export function normalizeAccount(exp: AwsAccountExport, options: NormalizeOptions): NormalizeResult {
  const warnings: ScanWarning[] = [];
  const warn = (message: string, path: string | undefined) => warnings.push({ kind: 'parse-error', source: 'aws-iam', ...(path ? { path } : {}), message });
  const authPath = exp.sources.authorizationDetails;
  const account = exp.accountId;
  const auth = exp.authorizationDetails ?? {};
  const ownerKeys = new Set(options.ownerTagKeys.map((k) => k.toLowerCase()));
  const now = options.now ?? new Date();
  const recentMs = (options.recentPasswordDays ?? 90) * 86_400_000;
  // Where the export files define each entry (offline mode only), as `definedAt` on the items.
  const locations = exp.locations;
  const definedAt = (loc: Location | undefined): { definedAt?: Location } => (loc ? { definedAt: { ...loc } } : {});
  const reportRowAt = (arn: string) => definedAt(locations?.reportRows.get(arn));

  // Credential report rows, by ARN and by user name.
  let rows: CredentialReportRow[] = [];
  if (exp.credentialReportCsv !== undefined) {
    try {
      const parsed = parseCredentialReport(exp.credentialReportCsv);
      rows = parsed.rows;
      for (const p of parsed.problems) warn(p, exp.sources.credentialReport);
    } catch (error) {
      warn((error as Error).message, exp.sources.credentialReport);
    }
  }
  const rowByArn = new Map(rows.map((r) => [r.arn, r]));

  // list-access-keys, by user name (deduplicated by key id), and the files that list each key id.
  const keysByUser = new Map<string, AccessKeyMetadata[]>();
  const seenKeys = new Set<string>();
  const filesOfKey = new Map<string, string[]>();
  for (const k of exp.accessKeys ?? []) {
    if (!k || typeof k.AccessKeyId !== 'string' || typeof k.UserName !== 'string') {
      warn('access key entry without AccessKeyId or UserName', exp.sources.accessKeys);
      continue;
    }
    const file = keySources.get(k);
    if (file !== undefined) {
      const files = filesOfKey.get(k.AccessKeyId);
      if (!files) filesOfKey.set(k.AccessKeyId, [file]);
      else if (!files.includes(file)) files.push(file);
    }
    if (seenKeys.has(k.AccessKeyId)) continue;
    seenKeys.add(k.AccessKeyId);
    const list = keysByUser.get(k.UserName);
    if (list) list.push(k);
    else keysByUser.set(k.UserName, [k]);
  }
  const allKeySources = exp.sources.accessKeys ? exp.sources.accessKeys.split(', ') : undefined;

  // Managed policies: the default version of those in the export, else the built-in table.
  const managed = new Map<string, PolicyDocument | null>();
  for (const p of (auth.Policies ?? []) as ManagedPolicyDetail[]) {
    if (!p || typeof p.Arn !== 'string') continue;
    const versions = p.PolicyVersionList ?? [];
    const version = versions.find((v) => v.IsDefaultVersion === true) ?? versions.find((v) => p.DefaultVersionId !== undefined && v.VersionId === p.DefaultVersionId);
    if (!version) {
      warn(`managed policy ${p.Arn}: no default version in PolicyVersionList`, authPath);
      managed.set(p.Arn, null);
      continue;
    }
    try {
      managed.set(p.Arn, decodePolicyDocument(version.Document));
    } catch (error) {
      warn(`managed policy ${p.Arn} (${version.VersionId ?? 'default version'}): ${(error as Error).message}`, authPath);
      managed.set(p.Arn, null);
    }
  }
  const resolveManaged = (arn: string): PolicyDocument | undefined => {
    const known = managed.get(arn);
    return known === undefined ? builtInManagedPolicy(arn) : (known ?? undefined);
  };
  const groups = new Map<string, GroupDetail>();
  for (const g of auth.GroupDetailList ?? []) if (g && typeof g.GroupName === 'string') groups.set(g.GroupName, g);

  const items: InventoryItem[] = [];

  /** Inline documents decoded once each (a group's are shared by all its members); a bad one warns once. */
  const decoded = new Map<InlinePolicy, PolicyDocument | null>();
  const decodeInline = (p: InlinePolicy, what: string): PolicyDocument | null => {
    let doc = decoded.get(p);
    if (doc === undefined) {
      try {
        doc = decodePolicyDocument(p.PolicyDocument);
      } catch (error) {
        warn(`${what}: ${(error as Error).message}`, authPath);
        doc = null;
      }
      decoded.set(p, doc);
    }
    return doc;
  };

  /** Grants of inline and attached policies, with `prefix` on the source (`group:<name>/`). */
  const policyGrants = (identityId: string, inline: InlinePolicy[] | undefined, attached: PolicyAttachment[] | undefined, prefix: string, seenManaged: string[], unresolved: string[]): Grant[] => {
    const out: Grant[] = [];
    for (const p of inline ?? []) {
      if (!p || typeof p.PolicyName !== 'string') continue;
      const doc = decodeInline(p, prefix ? `inline policy ${prefix}${p.PolicyName}` : `${identityId}: inline policy ${p.PolicyName}`);
      if (doc) out.push(...grantsOf(identityId, doc, `${prefix}inline:${p.PolicyName}`));
    }
    for (const a of attached ?? []) {
      const arn = a?.PolicyArn;
      if (typeof arn !== 'string') continue;
      if (!seenManaged.includes(arn)) seenManaged.push(arn);
      const doc = resolveManaged(arn);
      if (doc) out.push(...grantsOf(identityId, doc, `${prefix}${arn}`));
      else if (!unresolved.includes(arn)) unresolved.push(arn);
    }
    return out;
  };

  const keyCredential = (ownerArn: string, k: AccessKeyMetadata, slot: ReportKeySlot | undefined): Credential => {
    const created = isoDate(k.CreateDate) ?? slot?.lastRotated;
    let lastUsed: string | null | undefined = slot?.lastUsed;
    let region = slot?.lastUsedRegion;
    let service = slot?.lastUsedService;
    if (k.LastUsed) {
      lastUsed = k.LastUsed.LastUsedDate === undefined || k.LastUsed.LastUsedDate === null ? null : isoDate(k.LastUsed.LastUsedDate);
      region = textCell(k.LastUsed.Region) ?? (lastUsed ? region : undefined);
      service = textCell(k.LastUsed.ServiceName) ?? (lastUsed ? service : undefined);
    }
    const attributes: AwsAccessKeyAttributes = {};
    // The export files that list this key id: a key id there is inventory, not a leak.
    const listedIn = filesOfKey.get(k.AccessKeyId) ?? allKeySources;
    if (listedIn) attributes.listedIn = [...listedIn];
    if (slot) attributes.slot = slot.slot;
    if (region) attributes.lastUsedRegion = region;
    if (service) attributes.lastUsedService = service;
    const listedAt = locations?.accessKeys.get(k.AccessKeyId);
    return {
      id: k.AccessKeyId,
      handle: k.AccessKeyId,
      identityId: ownerArn,
      provider: 'aws',
      kind: 'aws-access-key',
      ...(created ? { created, lastRotated: created } : {}),
      lastUsed,
      status: k.Status === 'Active' ? 'active' : 'inactive',
      attributes: attributes as Record<string, unknown>,
      ...(listedAt ? definedAt(listedAt) : slot ? reportRowAt(ownerArn) : {}),
    };
  };

  /** A key known only from its report slot: no key id, so the id is `<arn>#key<slot>` and there is no handle. */
  const slotCredential = (ownerArn: string, s: ReportKeySlot): Credential => {
    const attributes: AwsAccessKeyAttributes = { slot: s.slot };
    if (s.lastUsedRegion) attributes.lastUsedRegion = s.lastUsedRegion;
    if (s.lastUsedService) attributes.lastUsedService = s.lastUsedService;
    return {
      id: `${ownerArn}#key${s.slot}`,
      identityId: ownerArn,
      provider: 'aws',
      kind: 'aws-access-key',
      ...(s.lastRotated ? { created: s.lastRotated, lastRotated: s.lastRotated } : {}),
      lastUsed: s.lastUsed,
      status: s.active ? 'active' : 'inactive',
      attributes: attributes as Record<string, unknown>,
      ...reportRowAt(ownerArn),
    };
  };

  /** Access keys and console password of a user (or root), from list-access-keys and/or the report. */
  const userCredentials = (arn: string, name: string | undefined, row: CredentialReportRow | undefined): Credential[] => {
    const out: Credential[] = [];
    const listed = name !== undefined ? keysByUser.get(name) : undefined;
    if (listed && listed.length > 0) {
      const pairs = pairKeys(listed, row?.keys ?? []);
      for (const k of listed) out.push(keyCredential(arn, k, pairs.get(k)));
    } else if (row) {
      for (const s of row.keys) out.push(slotCredential(arn, s));
    }
    if (row?.passwordEnabled) {
      out.push({
        id: `${arn}#password`,
        identityId: arn,
        provider: 'aws',
        kind: 'aws-console-password',
        ...(row.passwordLastChanged ? { lastRotated: row.passwordLastChanged } : {}),
        lastUsed: row.passwordLastUsed,
        ...(row.passwordNextRotation ? { expires: row.passwordNextRotation } : {}),
        status: 'active',
        attributes: { mfaActive: row.mfaActive },
        ...reportRowAt(arn),
      });
    }
    return out;
  };

  const emitUser = (user: { arn: string; name: string; path: string; userId?: string; created?: string; tags?: Tag[]; groups: string[]; boundary?: string; inline?: InlinePolicy[]; attached?: PolicyAttachment[] }, row: CredentialReportRow | undefined) => {
    const creds = userCredentials(user.arn, user.name, row);
    const attributes: AwsUserAttributes = { arn: user.arn, path: user.path, groups: user.groups };
    if (user.userId) attributes.userId = user.userId;
    if (row) {
      if (row.passwordEnabled !== undefined) attributes.passwordEnabled = row.passwordEnabled;
      attributes.passwordLastUsed = row.passwordLastUsed;
      if (row.mfaActive !== undefined) attributes.mfaActive = row.mfaActive;
    }
    if (user.boundary) attributes.permissionsBoundary = user.boundary;
    const managedArns: string[] = [];
    const unresolved: string[] = [];
    const grants = policyGrants(user.arn, user.inline, user.attached, '', managedArns, unresolved);
    for (const gName of user.groups) {
      const g = groups.get(gName);
      if (!g) continue;
      grants.push(...policyGrants(user.arn, g.GroupPolicyList, g.AttachedManagedPolicies, `group:${gName}/`, managedArns, unresolved));
    }
    if (managedArns.length > 0) attributes.managedPolicies = managedArns;
    if (unresolved.length > 0) attributes.unresolvedPolicies = unresolved;
    const keyUses = creds.filter((c) => c.kind === 'aws-access-key').map((c) => c.lastUsed);
    const parts = row ? [row.passwordLastUsed, ...keyUses] : keyUses;
    const passwordRecent = typeof row?.passwordLastUsed === 'string' && now.getTime() - Date.parse(row.passwordLastUsed) <= recentMs;
    const identity: Identity = {
      id: user.arn,
      provider: 'aws',
      scope: account,
      kind: 'aws-iam-user',
      name: user.name,
      status: 'active',
      ...(user.created ? { created: user.created } : {}),
      lastUsed: latestUse(parts),
      tags: tagsOf(user.tags),
      owners: ownersOf(user.tags, ownerKeys),
      ...(row ? { looksHuman: Boolean(row.passwordEnabled || row.mfaActive || passwordRecent) } : {}),
      attributes: attributes as unknown as Record<string, unknown>,
      // The authorization details' entry, else the credential report's row.
      ...definedAt(locations?.identities.get(user.arn) ?? locations?.reportRows.get(user.arn)),
    };
    items.push({ kind: 'identity', value: identity });
    for (const c of creds) items.push({ kind: 'credential', value: c });
    for (const g of grants) items.push({ kind: 'grant', value: g });
  };

  // Users from the authorization details, joined with their report rows.
  const usedRows = new Set<CredentialReportRow>();
  for (const u of auth.UserDetailList ?? []) {
    if (!u || typeof u.Arn !== 'string' || typeof u.UserName !== 'string') {
      warn('user entry without Arn or UserName', authPath);
      continue;
    }
    const row = rowByArn.get(u.Arn);
    if (row) usedRows.add(row);
    const created = isoDate(u.CreateDate) ?? row?.created;
    emitUser(
      {
        arn: u.Arn,
        name: u.UserName,
        path: u.Path ?? pathOf(u.Arn),
        userId: u.UserId,
        created,
        tags: u.Tags,
        groups: (u.GroupList ?? []).filter((g): g is string => typeof g === 'string'),
        boundary: u.PermissionsBoundary?.PermissionsBoundaryArn,
        inline: u.UserPolicyList,
        attached: u.AttachedManagedPolicies,
      },
      row,
    );
  }

  // Users only in the credential report (a partial export), and the root account.
  for (const row of rows) {
    if (usedRows.has(row)) continue;
    if (row.isRoot) {
      const creds = userCredentials(row.arn, undefined, { ...row, passwordEnabled: undefined });
      const attributes: AwsUserAttributes = { arn: row.arn, path: '/', groups: [], passwordLastUsed: row.passwordLastUsed };
      if (row.mfaActive !== undefined) attributes.mfaActive = row.mfaActive;
      items.push({
        kind: 'identity',
        value: {
          id: row.arn,
          provider: 'aws',
          scope: account,
          kind: 'aws-root',
          name: '<root_account>',
          status: 'active',
          ...(row.created ? { created: row.created } : {}),
          lastUsed: latestUse([row.passwordLastUsed, ...creds.map((c) => c.lastUsed)]),
          tags: {},
          owners: [],
          attributes: attributes as unknown as Record<string, unknown>,
          ...reportRowAt(row.arn),
        },
      });
      for (const c of creds) items.push({ kind: 'credential', value: c });
      continue;
    }
    const name = row.user || (ARN.exec(row.arn)?.[4] ?? '').split('/').pop() || row.arn;
    emitUser({ arn: row.arn, name, path: pathOf(row.arn), created: row.created, groups: [] }, row);
  }

  // Keys listed for users that neither the authorization details nor the report name.
  const namedUsers = new Set([...(auth.UserDetailList ?? []).map((u) => u?.UserName), ...rows.map((r) => r.user)]);
  for (const [name, keys] of keysByUser) {
    if (namedUsers.has(name)) continue;
    const arn = `arn:${partitionOf(rows[0]?.arn ?? auth.UserDetailList?.[0]?.Arn)}:iam::${account}:user/${name}`;
    for (const k of keys) items.push({ kind: 'credential', value: keyCredential(arn, k, undefined) });
  }

  // Roles.
  for (const r of auth.RoleDetailList ?? []) {
    if (!r || typeof r.Arn !== 'string' || typeof r.RoleName !== 'string') {
      warn('role entry without Arn or RoleName', authPath);
      continue;
    }
    let trustPolicy: PolicyDocument = { Statement: [] };
    if (r.AssumeRolePolicyDocument !== undefined) {
      try {
        trustPolicy = decodePolicyDocument(r.AssumeRolePolicyDocument);
      } catch (error) {
        warn(`${r.Arn}: trust policy: ${(error as Error).message}`, authPath);
      }
    }
    const path = r.Path ?? pathOf(r.Arn);
    const attributes: AwsRoleAttributes = {
      arn: r.Arn,
      path,
      trustPolicy,
      serviceLinked: path.startsWith('/aws-service-role/'),
      instanceProfiles: (r.InstanceProfileList ?? []).map((p) => p?.Arn ?? p?.InstanceProfileName).filter((p): p is string => typeof p === 'string'),
    };
    if (r.RoleId) attributes.roleId = r.RoleId;
    if (r.RoleLastUsed?.Region) attributes.roleLastUsedRegion = r.RoleLastUsed.Region;
    if (typeof r.MaxSessionDuration === 'number') attributes.maxSessionDuration = r.MaxSessionDuration;
    if (r.PermissionsBoundary?.PermissionsBoundaryArn) attributes.permissionsBoundary = r.PermissionsBoundary.PermissionsBoundaryArn;
    const managedArns: string[] = [];
    const unresolved: string[] = [];
    const grants = policyGrants(r.Arn, r.RolePolicyList, r.AttachedManagedPolicies, '', managedArns, unresolved);
    if (managedArns.length > 0) attributes.managedPolicies = managedArns;
    if (unresolved.length > 0) attributes.unresolvedPolicies = unresolved;
    const created = isoDate(r.CreateDate);
    const lastUsed = r.RoleLastUsed === undefined || r.RoleLastUsed === null ? undefined : r.RoleLastUsed.LastUsedDate ? isoDate(r.RoleLastUsed.LastUsedDate) : null;
    items.push({
      kind: 'identity',
      value: {
        id: r.Arn,
        provider: 'aws',
        scope: account,
        kind: 'aws-iam-role',
        name: r.RoleName,
        status: 'active',
        ...(created ? { created } : {}),
        lastUsed,
        tags: tagsOf(r.Tags),
        owners: ownersOf(r.Tags, ownerKeys),
        trustedBy: trustedPrincipals(trustPolicy, partitionOf(r.Arn)),
        attributes: attributes as unknown as Record<string, unknown>,
        ...definedAt(locations?.identities.get(r.Arn)),
      },
    });
    for (const g of grants) items.push({ kind: 'grant', value: g });
  }

  return { items, warnings };
}
