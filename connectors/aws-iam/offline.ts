/**
 * Offline mode: finds the files the AWS CLI writes in a scanned folder and assembles one
 * AwsAccountExport (./types.ts) per account.
 *
 * Recognised, by sniffing at most the first 64 KiB of `.json` and `.csv` files:
 * - `aws iam get-account-authorization-details` JSON (an object with `UserDetailList` or `RoleDetailList`);
 * - the credential report CSV (header `user,arn,user_creation_time,…`);
 * - the raw `aws iam get-credential-report` JSON (`{"Content": "<base64>", "ReportFormat": "text/csv", …}`);
 * - `aws iam list-access-keys` JSON (`AccessKeyMetadata`).
 * Files are grouped by the account in their ARNs. list-access-keys has no ARN: its keys go to
 * the account whose users they name (else the account of the files in the same folder, else
 * the only account). A file that is malformed, truncated or of the wrong shape gives one
 * `parse-error` warning naming it; the other files are still used.
 *
 * Each export also records where its entries are (AwsAccountExport.locations): one regular
 * expression pass over each JSON file for its `"UserName"`, `"RoleName"` and `"AccessKeyId"`
 * values, and the credential report's row numbers, so that findings can point at a line.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path/posix';
import type { ConnectorContext, ScanOptions } from '../../src/core/connector.js';
import type { Location } from '../../src/core/model.js';
import { walk, walkShared, type WalkEntry } from '../filesystem/index.js';
import { parseCredentialReport, recordKeySource } from './normalize.js';
import type { AccessKeyMetadata, AuthorizationDetails, AwsAccountExport, ExportLocations } from './types.js';

export type ExportKind = 'authorization-details' | 'credential-report' | 'credential-report-json' | 'access-keys';

export interface ExportFile extends WalkEntry {
  kind: ExportKind;
  /** The whole text, when the sniffer read all of it (a file under SNIFF_BYTES): not read again. */
  text?: string;
}

type Warn = Pick<ConnectorContext, 'warn'>;

/** How much of a file the sniffer reads. */
export const SNIFF_BYTES = 64 * 1024;

const REPORT_HEADER = /^user,arn,user_creation_time(,|\r?\n|$)/;

/** What kind of export `head` (the start of a `.json` or `.csv` file) is, if any. */
export function sniffExport(name: string, head: string): ExportKind | undefined {
  const text = head.replace(/^\uFEFF/, '');
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return REPORT_HEADER.test(text) ? 'credential-report' : undefined;
  if (!lower.endsWith('.json') || !/^\s*\{/.test(text)) return undefined;
  if (/"(?:UserDetailList|RoleDetailList)"\s*:/.test(text)) return 'authorization-details';
  if (/"AccessKeyMetadata"\s*:/.test(text)) return 'access-keys';
  // The report's Content can be longer than the sniffed head: look at the first key, or at the format.
  if (/^\s*\{\s*"(?:Content|ReportFormat|GeneratedTime)"\s*:/.test(text) && (/"ReportFormat"\s*:\s*"text\/csv"/.test(text) || /^\s*\{\s*"Content"\s*:\s*"/.test(text))) return 'credential-report-json';
  return undefined;
}

/** The first SNIFF_BYTES of a file, into `buf` (reused from file to file), and whether that is all of it. */
async function readHead(absPath: string, buf: Buffer): Promise<{ head: string; whole: boolean }> {
  const fh = await open(absPath, 'r');
  try {
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return { head: buf.subarray(0, bytesRead).toString('utf8'), whole: bytesRead < SNIFF_BYTES };
  } finally {
    await fh.close();
  }
}

/**
 * The export files under `root` (a folder, walked like the filesystem connector does, so
 * .gitignore and .nhiignore apply; or a single file). Unreadable files are skipped silently:
 * the filesystem connector reports them.
 */
export async function discoverExports(root: string, ctx: Warn, options?: ScanOptions): Promise<ExportFile[]> {
  const info = await stat(root);
  const entries: AsyncIterable<WalkEntry> = info.isDirectory()
    ? options
      ? walkShared(root, options, ctx)
      : walk(root, ctx)
    : (async function* () {
        yield { absPath: root, path: basename(root.split('\\').join('/')) };
      })();
  const out: ExportFile[] = [];
  // An account exported one list-access-keys file per user has thousands of small files: their
  // heads are read SNIFF_PARALLEL at a time (one file at a time waits on each read in turn), each
  // reader with its own buffer, and the results kept in walk order.
  const buffers = Array.from({ length: SNIFF_PARALLEL }, () => Buffer.allocUnsafe(SNIFF_BYTES));
  const sniff = async (entry: WalkEntry, buf: Buffer): Promise<ExportFile | undefined> => {
    let read: { head: string; whole: boolean };
    try {
      read = await readHead(entry.absPath, buf);
    } catch {
      return undefined;
    }
    const kind = sniffExport(entry.path, read.head);
    if (!kind) return undefined;
    return read.whole ? { ...entry, kind, text: read.head } : { ...entry, kind };
  };
  let batch: WalkEntry[] = [];
  const flush = async () => {
    for (const file of await Promise.all(batch.map((entry, i) => sniff(entry, buffers[i]!)))) if (file) out.push(file);
    batch = [];
  };
  for await (const entry of entries) {
    if (!/\.(json|csv)$/i.test(entry.path)) continue;
    batch.push(entry);
    if (batch.length === SNIFF_PARALLEL) await flush();
  }
  await flush();
  return out;
}

/** Files whose heads discovery reads at once. */
const SNIFF_PARALLEL = 16;

const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):/;

function accountOf(arns: Iterable<unknown>): string | undefined {
  for (const arn of arns) {
    const m = typeof arn === 'string' ? ACCOUNT_IN_ARN.exec(arn) : null;
    if (m) return m[1];
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonError(error: unknown, text: string): string {
  const message = (error as Error).message;
  return text.trim().length === 0 ? 'empty file' : /end of (JSON )?input|Unterminated/i.test(message) ? `truncated JSON (${message})` : `invalid JSON (${message})`;
}

interface Loaded {
  file: ExportFile;
  account?: string;
  auth?: AuthorizationDetails;
  csv?: string;
  keys?: AccessKeyMetadata[];
  /** First `"Key": "value"` pair of each located key, by `Key\0value` (JSON files). */
  pairs?: Map<string, Location>;
  /** Credential report rows by ARN. */
  rows?: Map<string, Location>;
}

/** The JSON keys whose values name an entry: users and roles of the authorization details, listed keys. */
const LOCATED_KEYS = /"(UserName|RoleName|AccessKeyId|Content)"\s*:\s*"((?:[^"\\\r\n]|\\.)*)"/g;

/**
 * 1-based line and column of the first `"Key": "value"` pair of each located key and value, in one
 * pass over the text (an entry's own name comes before any repetition of it, such as a role inside
 * its instance profiles). Keyed `Key\0value`; `Content` (the credential report JSON) by `Content\0`.
 */
export function locatePairs(text: string, path: string): Map<string, Location> {
  const found = new Map<string, Location>();
  let line = 1;
  let lineStart = 0;
  // The next line break not yet counted: each is looked for once, so a minified export (one long line) stays linear.
  let nextBreak = text.indexOf('\n');
  for (const m of text.matchAll(LOCATED_KEYS)) {
    const at = m.index;
    while (nextBreak !== -1 && nextBreak < at) {
      line++;
      lineStart = nextBreak + 1;
      nextBreak = text.indexOf('\n', lineStart);
    }
    let value = m[2]!;
    if (m[1] === 'Content') value = '';
    else if (value.includes('\\')) {
      try {
        value = JSON.parse(`"${value}"`) as string;
      } catch {
        continue;
      }
    }
    const key = `${m[1]}\0${value}`;
    if (!found.has(key)) found.set(key, { path, line, column: at - lineStart + 1 });
  }
  return found;
}

/** Reads and checks one export file. Throws an Error whose message says what is wrong with it. */
async function loadFile(file: ExportFile, readText: (path: string) => Promise<string>): Promise<Loaded> {
  // A small file's text came with its discovery (unless the caller reads files its own way).
  const text = (file.text !== undefined && readText === defaultRead ? file.text : await readText(file.absPath)).replace(/^\uFEFF/, '');
  if (file.kind === 'credential-report') return loadReport(file, text);
  const loaded = loadJson(file, text);
  if (loaded.auth || loaded.keys || loaded.csv !== undefined) loaded.pairs = locatePairs(text, file.path);
  if (loaded.csv !== undefined) {
    // The base64 report has no rows to point at: its rows are located at its Content.
    const content = loaded.pairs?.get('Content\0') ?? { path: file.path, line: 1, column: 1 };
    for (const arn of loaded.rows?.keys() ?? []) loaded.rows!.set(arn, content);
  }
  return loaded;
}

/** A sniffed file that, read whole, is well-formed but not an export: left out without a warning. */
class NotAnExport extends Error {}

function loadJson(file: ExportFile, text: string): Loaded {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(describeJsonError(error, text));
  }
  if (!isRecord(json)) throw new Error('not a JSON object');
  switch (file.kind) {
    case 'authorization-details': {
      const lists = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;
      // Well-formed JSON that merely mentions the names further down (an SDK's API model or examples) is not an export.
      if (!lists.some((key) => key in json)) throw new NotAnExport();
      for (const key of lists) if (json[key] !== undefined && !Array.isArray(json[key])) throw new Error(`${key} is not a list`);
      if (!lists.some((key) => Array.isArray(json[key]))) throw new Error('no UserDetailList, GroupDetailList, RoleDetailList or Policies list');
      const auth = json as AuthorizationDetails;
      const arns = [...(auth.UserDetailList ?? []), ...(auth.RoleDetailList ?? []), ...(auth.GroupDetailList ?? []), ...(auth.Policies ?? [])].map((e) => (isRecord(e) ? e.Arn : undefined));
      return { file, account: accountOf(arns), auth };
    }
    case 'credential-report-json': {
      if (typeof json.Content !== 'string') throw new Error('credential report JSON has no Content');
      if (json.ReportFormat !== undefined && json.ReportFormat !== 'text/csv') throw new Error(`credential report format ${String(json.ReportFormat)} is not text/csv`);
      const content = json.Content.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content)) throw new Error('credential report Content is not base64');
      return loadReport(file, Buffer.from(content, 'base64').toString('utf8').replace(/^\uFEFF/, ''));
    }
    case 'access-keys': {
      const list = json.AccessKeyMetadata;
      if (list === undefined) throw new NotAnExport();
      if (!Array.isArray(list)) throw new Error('AccessKeyMetadata is not a list');
      const keys: AccessKeyMetadata[] = [];
      for (const [i, k] of list.entries()) {
        if (!isRecord(k) || typeof k.AccessKeyId !== 'string' || typeof k.UserName !== 'string') throw new Error(`AccessKeyMetadata[${i}] has no AccessKeyId or UserName`);
        keys.push(k as unknown as AccessKeyMetadata);
      }
      return { file, keys };
    }
  }
  throw new Error('not an AWS export');
}

function loadReport(file: ExportFile, csv: string): Loaded {
  if (!REPORT_HEADER.test(csv)) throw new Error('credential report does not start with the user,arn,user_creation_time header');
  const { rows } = parseCredentialReport(csv); // throws on malformed CSV
  const located = new Map<string, Location>();
  for (const r of rows) if (r.line !== undefined && !located.has(r.arn)) located.set(r.arn, { path: file.path, line: r.line, column: 1 });
  return { file, account: accountOf(rows.map((r) => r.arn)), csv, rows: located };
}

const joinSource = (a: string | undefined, b: string) => (a ? `${a}, ${b}` : b);

/**
 * Reads the discovered files and assembles one export per account (sorted by account id).
 * Problems with a file are reported through `ctx.warn` and that file is left out.
 */
export async function loadAccounts(files: ExportFile[], ctx: Warn, readText: (path: string) => Promise<string> = defaultRead): Promise<AwsAccountExport[]> {
  const warn = (file: ExportFile, message: string) => ctx.warn({ kind: 'parse-error', source: 'aws-iam', path: file.path, message: `${file.path}: ${message}` });
  const loaded: Loaded[] = [];
  for (const file of files) {
    try {
      loaded.push(await loadFile(file, readText));
    } catch (error) {
      if (!(error instanceof NotAnExport)) warn(file, (error as Error).message);
    }
  }

  const accounts = new Map<string, AwsAccountExport>();
  const accountFor = (id: string) => {
    let exp = accounts.get(id);
    if (!exp) accounts.set(id, (exp = { accountId: id, sources: {} }));
    return exp;
  };
  const locationsOf = (exp: AwsAccountExport): ExportLocations => (exp.locations ??= { identities: new Map(), accessKeys: new Map(), reportRows: new Map() });
  /** Records `key\0value` of `l` for `id`, unless an earlier file already placed it. */
  const place = (map: Map<string, Location>, id: string, l: Loaded, key: string, value: unknown) => {
    const at = typeof value === 'string' ? l.pairs?.get(`${key}\0${value}`) : undefined;
    if (at && !map.has(id)) map.set(id, at);
  };
  const usersOf = new Map<string, Set<string>>();
  const dirsOf = new Map<string, Set<string>>();
  const note = (account: string, file: ExportFile, users: Iterable<unknown>) => {
    const u = usersOf.get(account) ?? new Set<string>();
    for (const name of users) if (typeof name === 'string') u.add(name);
    usersOf.set(account, u);
    const d = dirsOf.get(account) ?? new Set<string>();
    d.add(dirname(file.path));
    dirsOf.set(account, d);
  };

  for (const l of loaded) {
    if (l.auth) {
      if (!l.account) {
        // Nothing in it names an account: an empty export.
        if ((l.auth.UserDetailList?.length ?? 0) + (l.auth.RoleDetailList?.length ?? 0) + (l.auth.GroupDetailList?.length ?? 0) > 0) warn(l.file, 'no ARN tells which account this export is from');
        continue;
      }
      const exp = accountFor(l.account);
      const prev = exp.authorizationDetails ?? {};
      exp.authorizationDetails = {
        UserDetailList: [...(prev.UserDetailList ?? []), ...(l.auth.UserDetailList ?? [])],
        GroupDetailList: [...(prev.GroupDetailList ?? []), ...(l.auth.GroupDetailList ?? [])],
        RoleDetailList: [...(prev.RoleDetailList ?? []), ...(l.auth.RoleDetailList ?? [])],
        Policies: [...(prev.Policies ?? []), ...(l.auth.Policies ?? [])],
      };
      exp.sources.authorizationDetails = joinSource(exp.sources.authorizationDetails, l.file.path);
      const { identities } = locationsOf(exp);
      for (const u of l.auth.UserDetailList ?? []) if (isRecord(u) && typeof u.Arn === 'string') place(identities, u.Arn, l, 'UserName', u.UserName);
      for (const r of l.auth.RoleDetailList ?? []) if (isRecord(r) && typeof r.Arn === 'string') place(identities, r.Arn, l, 'RoleName', r.RoleName);
      if ((l.auth as Record<string, unknown>).IsTruncated === true) warn(l.file, 'export is truncated (IsTruncated: true): only its first page is known');
      note(l.account, l.file, (l.auth.UserDetailList ?? []).map((u) => (isRecord(u) ? u.UserName : undefined)));
    } else if (l.csv !== undefined) {
      if (!l.account) continue; // A report with no rows says nothing.
      const exp = accountFor(l.account);
      if (exp.credentialReportCsv !== undefined) {
        warn(l.file, `another credential report for account ${l.account} (${exp.sources.credentialReport}) is used; this one is ignored`);
        continue;
      }
      exp.credentialReportCsv = l.csv;
      exp.sources.credentialReport = l.file.path;
      if (l.rows) locationsOf(exp).reportRows = l.rows;
      note(l.account, l.file, parseCredentialReport(l.csv).rows.map((r) => r.user));
    }
  }

  for (const l of loaded) {
    if (!l.keys || l.keys.length === 0) continue;
    const names = new Set(l.keys.map((k) => k.UserName));
    const byUsers = [...usersOf].filter(([, users]) => [...names].every((n) => users.has(n))).map(([a]) => a);
    const dir = dirname(l.file.path);
    const byDir = [...dirsOf].filter(([, dirs]) => dirs.has(dir)).map(([a]) => a);
    const account = byUsers.length === 1 ? byUsers[0] : byDir.length === 1 ? byDir[0] : accounts.size === 1 ? [...accounts.keys()][0] : undefined;
    if (!account) {
      warn(l.file, accounts.size === 0 ? 'access keys without an authorization-details export or credential report to tell their account' : 'cannot tell which account these access keys belong to');
      continue;
    }
    const exp = accountFor(account);
    // Appended in place: an account exported one file per user has thousands of these files.
    const keys = (exp.accessKeys ??= []);
    for (const k of l.keys) {
      keys.push(k);
      recordKeySource(k, l.file.path);
    }
    exp.sources.accessKeys = joinSource(exp.sources.accessKeys, l.file.path);
    const { accessKeys } = locationsOf(exp);
    for (const k of l.keys) place(accessKeys, k.AccessKeyId, l, 'AccessKeyId', k.AccessKeyId);
  }

  return [...accounts.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
}

function defaultRead(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
