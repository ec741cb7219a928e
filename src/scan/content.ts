import { isUtf8 } from 'node:buffer';
import { open, stat } from 'node:fs/promises';
import type { HashKeys } from '../core/hash.js';
import { keyedHash } from '../core/hash.js';
import type { CommitInfo, ScanWarning, SecretOccurrence } from '../core/model.js';
import { redact } from '../core/redact.js';
import type { RawMatch, SecretScanner } from '../detectors/engine.js';
import { expandContainers, unescapeJsonLines } from './containers.js';

export interface ContentScanContext {
  scanner: SecretScanner;
  keys: HashKeys;
  /** Scanned root the paths are relative to (reported, not read). */
  root: string;
  origin: SecretOccurrence['origin'];
  commit?: CommitInfo;
}

export interface ContentScanResult {
  occurrences: SecretOccurrence[];
  warnings: ScanWarning[];
  bytes: number;
}

/** Files up to this size are read whole; larger ones are streamed in chunks. */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024;
/** Carried from one chunk into the next so a secret cut by a chunk boundary is still seen whole. */
const OVERLAP = 64 * 1024;
const BINARY_SNIFF = 8000;
const ALLOW_MARKERS = /nhi:allow|gitleaks:allow/;

export function looksBinary(buf: Uint8Array): boolean {
  return buf.subarray(0, BINARY_SNIFF).indexOf(0) !== -1;
}

/**
 * Scans text held as a Latin-1 string (one character per byte: decoding is free,
 * and every credential format is ASCII). Columns are converted to characters of the
 * UTF-8 line when reported. `firstLine` is the line number of the text's first line.
 */
export function scanText(text: string, path: string, ctx: ContentScanContext, firstLine = 1, minStart = 0, bytes?: Uint8Array): SecretOccurrence[] {
  const matches = ctx.scanner.scan(text, path, bytes);
  if (!matches.some((m) => m.start >= minStart)) return [];
  if (ctx.commit?.summary) ctx = { ...ctx, commit: { ...ctx.commit, summary: safeSummary(ctx.commit.sha, ctx.commit.summary, ctx.scanner) } };
  const out: SecretOccurrence[] = [];
  let line = firstLine;
  let cursor = 0;
  let lineStart = 0;
  for (const m of matches) {
    if (m.start < minStart) continue;
    // Advance the line counter to the match (matches are sorted by start).
    for (let nl = text.indexOf('\n', cursor); nl !== -1 && nl < m.start; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
      cursor = nl + 1;
    }
    cursor = Math.max(cursor, lineStart);
    const lineEnd = text.indexOf('\n', m.start);
    const lineText = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
    out.push(toOccurrence(m, path, ctx, line, utf8Column(text, lineStart, m.start), ALLOW_MARKERS.test(lineText)));
  }
  return out;
}

/** Redacted commit subjects by commit id (a commit's blobs with findings share it), a bounded number of them. */
const summaries = new Map<string, string>();
const SUMMARIES_KEPT = 10_000;

function safeSummary(sha: string, summary: string, scanner: SecretScanner): string {
  let safe = summaries.get(sha);
  if (safe === undefined) {
    if (summaries.size >= SUMMARIES_KEPT) summaries.clear();
    summaries.set(sha, (safe = redactSecrets(summary, scanner)));
  }
  return safe;
}

/**
 * `text` with every credential in it redacted. For commit subjects, which ride along in each
 * occurrence's location: a token pasted into a commit message must not leave with them.
 */
export function redactSecrets(text: string, scanner: SecretScanner): string {
  const matches = scanner.scan(text, '');
  if (matches.length === 0) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    if (m.start < at) continue;
    out += text.slice(at, m.start) + redact(m.secret, m.detector.prefixLength);
    at = m.end;
  }
  return out + text.slice(at);
}

function utf8Column(text: string, lineStart: number, at: number): number {
  const prefix = text.slice(lineStart, at);
  // Pure ASCII: bytes are characters.
  if (!/[\x80-\xff]/.test(prefix)) return prefix.length + 1;
  return Buffer.from(prefix, 'latin1').toString('utf8').length + 1;
}

function toOccurrence(m: RawMatch, path: string, ctx: ContentScanContext, line: number, column: number, allowed: boolean): SecretOccurrence {
  // Latin-1 text holds UTF-8 bytes; hash the real characters.
  const secret = /[\x80-\xff]/.test(m.secret) ? Buffer.from(m.secret, 'latin1').toString('utf8') : m.secret;
  const newlines = secret.split('\n').length - 1;
  const occurrence: SecretOccurrence = {
    detectorId: m.detector.id,
    detectorTitle: m.detector.title,
    severity: m.detector.severity ?? 'high',
    secretHash: keyedHash(ctx.keys.store, secret),
    fingerprintHash: keyedHash(ctx.keys.fingerprint, secret),
    redacted: redact(secret, m.detector.prefixLength),
    location: {
      path,
      line,
      column,
      endLine: line + newlines,
      ...(ctx.commit ? { commit: ctx.commit } : {}),
    },
    origin: ctx.origin,
    root: ctx.root,
  };
  if (m.handle) occurrence.handle = m.handle;
  else if (m.detector.identifier) occurrence.handle = secret;
  if (allowed) occurrence.allowedInline = true;
  return occurrence;
}

/**
 * Scans bytes already in memory (a small file, a git blob). `firstLine` is set when the
 * bytes are a part of a larger text (a history delta), whose first line has that number.
 */
export function scanBuffer(buf: Buffer, path: string, ctx: ContentScanContext, firstLine = 1): ContentScanResult {
  const warnings: ScanWarning[] = [];
  if (looksBinary(buf)) {
    warnings.push({ kind: 'binary', path, source: ctx.origin, message: 'binary file skipped' });
    return { occurrences: [], warnings, bytes: buf.length };
  }
  if (!isUtf8(buf)) {
    warnings.push({ kind: 'invalid-utf8', path, source: ctx.origin, message: 'not valid UTF-8; scanned byte by byte as Latin-1' });
  }
  const raw = buf.toString('latin1');
  const text = path.endsWith('.ipynb') ? unescapeJsonLines(raw) : raw;
  const occurrences = scanText(text, path, ctx, firstLine, 0, text === raw ? buf : undefined);
  // Containers (base64 Secret data...) need the whole document. Where a decoded value is found,
  // it replaces what the plain scan made of its encoded form on that line (one credential, one finding).
  if (firstLine === 1) {
    const decoded = expandContainers(text, path, ctx);
    if (decoded.length > 0) {
      const lines = new Set(decoded.map((o) => o.location.line));
      return { occurrences: [...occurrences.filter((o) => !lines.has(o.location.line)), ...decoded], warnings, bytes: buf.length };
    }
  }
  return { occurrences, warnings, bytes: buf.length };
}

/** Scans a file on disk, streaming it when it is large. Never throws for a per-file problem. */
export async function scanFile(absPath: string, path: string, ctx: ContentScanContext, maxBytes = Infinity): Promise<ContentScanResult> {
  try {
    const info = await stat(absPath);
    if (info.size > maxBytes) {
      return {
        occurrences: [],
        warnings: [{ kind: 'too-large', path, source: ctx.origin, message: `${info.size} bytes is over the --max-file-size limit; skipped` }],
        bytes: 0,
      };
    }
    const handle = await open(absPath, 'r');
    try {
      if (info.size <= WHOLE_FILE_LIMIT) {
        const buf = await handle.readFile();
        return scanBuffer(buf, path, ctx);
      }
      return await scanLargeFile(handle, path, ctx);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    return {
      occurrences: [],
      warnings: [{ kind: 'unreadable', path, source: ctx.origin, message: `cannot read: ${err.code ?? err.message}` }],
      bytes: 0,
    };
  }
}

async function scanLargeFile(handle: import('node:fs/promises').FileHandle, path: string, ctx: ContentScanContext): Promise<ContentScanResult> {
  const warnings: ScanWarning[] = [];
  const occurrences: SecretOccurrence[] = [];
  const buf = Buffer.allocUnsafe(CHUNK + OVERLAP);
  let carried = 0; // bytes at the start of buf kept from the previous chunk
  let line = 1; // line number of buf[0]
  let bytes = 0;
  let first = true;
  let longestLine = 0;
  let sinceNewline = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buf, carried, CHUNK, null);
    if (bytesRead === 0) break;
    bytes += bytesRead;
    const filled = carried + bytesRead;
    const view = buf.subarray(0, filled);
    if (first) {
      first = false;
      if (looksBinary(view)) {
        warnings.push({ kind: 'binary', path, source: ctx.origin, message: 'binary file skipped' });
        return { occurrences, warnings, bytes };
      }
      if (!isUtf8(view.subarray(0, Math.max(0, filled - 4)))) {
        warnings.push({ kind: 'invalid-utf8', path, source: ctx.origin, message: 'not valid UTF-8; scanned byte by byte as Latin-1' });
      }
    }
    const text = view.toString('latin1');
    // Matches starting inside the carried part were reported by the previous chunk.
    for (const o of scanText(text, path, ctx, line, carried, view)) occurrences.push(o);
    // Line lengths of the new bytes (native newline search, not a byte loop).
    let from = carried;
    for (let nl = view.indexOf(10, from); nl !== -1; nl = view.indexOf(10, from)) {
      longestLine = Math.max(longestLine, sinceNewline + nl - from);
      sinceNewline = 0;
      from = nl + 1;
    }
    sinceNewline += filled - from;
    // Keep the tail for the next chunk, and move the line counter past what is dropped.
    const keep = Math.min(OVERLAP, filled);
    const dropped = filled - keep;
    let droppedLines = 0;
    for (let nl = view.indexOf(10); nl !== -1 && nl < dropped; nl = view.indexOf(10, nl + 1)) droppedLines++;
    line += droppedLines;
    buf.copy(buf, 0, dropped, filled);
    carried = keep;
  }
  if (sinceNewline > longestLine) longestLine = sinceNewline;
  if (longestLine > WHOLE_FILE_LIMIT) {
    warnings.push({ kind: 'long-line', path, source: ctx.origin, message: `a line of ${longestLine} bytes; scanned in windows around credential keywords` });
  }
  return { occurrences, warnings, bytes };
}
