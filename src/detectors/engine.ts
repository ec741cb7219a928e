import { looksLikeIdentifierWords, looksLikeNonSecretValue, looksLikePlaceholder, shannonEntropy } from './checks.js';
import { KeywordMatcher } from './keywords.js';
import type { Detector } from './types.js';

/** A candidate credential found in a text, before hashing and redaction. */
export interface RawMatch {
  detector: Detector;
  secret: string;
  /** Public identifier captured beside the secret (e.g. an AWS access key id). */
  handle?: string;
  /** Offsets of the secret in the scanned text. */
  start: number;
  end: number;
}

/** How far (in characters) after a keyword a single-line detector looks. */
const WINDOW = 1024;
/** How far before its keyword a context detector looks (key names, schemes and handles precede the keyword). */
const WINDOW_BEFORE = 256;
/** How far forward from its keyword a multi-line detector (private keys) looks. */
const MULTILINE_WINDOW = 64 * 1024;

interface CompiledDetector {
  detector: Detector;
  regex: RegExp;
  /**
   * The same pattern, sticky (`y`): for a token that starts with its keyword, tried at the
   * keyword's offset only, so the attempt costs a few character comparisons instead of a
   * search through a window. Set for patterns whose every quantifier is bounded.
   */
  sticky?: RegExp;
  index: number;
  generic: boolean;
  /** The pattern itself matches JSON string escapes (`\\n` in a PEM key written on one JSON line): it sees them unmasked. */
  readsEscapes: boolean;
}

const WORD_CHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) WORD_CHAR[c] = /\w/.test(String.fromCharCode(c)) ? 1 : 0;

/**
 * Runs a set of detectors over texts. Built once per scan (compiling ~200 regexes
 * is not free) and reused for every file.
 *
 * How it stays fast: an Aho–Corasick automaton of every detector's keywords makes
 * the only pass over the whole text. Each keyword hit selects the detectors that
 * listed it, and their regexes run only over a window around the hit (the hit's line,
 * capped at WINDOW characters either side), so most of a file is never seen by a
 * detector regex at all.
 */
export class SecretScanner {
  readonly detectors: readonly Detector[];
  private readonly compiled: CompiledDetector[];
  private readonly matcher: KeywordMatcher;
  /** Detector indices per keyword index of `matcher`. */
  private readonly detectorsOfKeyword: number[][];
  /**
   * Per keyword, per detector of `detectorsOfKeyword`: the keyword is the token's own prefix
   * and the pattern starts at a word boundary (`\b(?<secret>ghp_…`). Such a hit inside a word
   * or a base64 run cannot start a match, and its window need not reach back before the hit.
   */
  private readonly anchoredOfKeyword: boolean[][];
  /** Per detector, the offset of the last sticky attempt in the current scan (two keywords of one token at one offset are tried once). */
  private readonly lastStickyAt: Int32Array;

  constructor(detectors: readonly Detector[]) {
    this.detectors = detectors;
    const ids = new Set<string>();
    const byKeyword = new Map<string, number[]>();
    this.compiled = detectors.map((detector, index) => {
      if (ids.has(detector.id)) throw new Error(`duplicate detector id ${detector.id}`);
      ids.add(detector.id);
      if (detector.keywords.length === 0) throw new Error(`detector ${detector.id} has no keywords`);
      let regex: RegExp;
      try {
        // `d`: match indices, so the secret's offset is exact even when its text also occurs earlier in the match.
        regex = new RegExp(detector.pattern, detector.ignoreCase ? 'gid' : 'gd');
      } catch (error) {
        throw new Error(`detector ${detector.id}: invalid pattern: ${(error as Error).message}`);
      }
      if (!detector.pattern.includes('(?<secret>')) throw new Error(`detector ${detector.id}: pattern has no (?<secret>…) group`);
      for (const keyword of detector.keywords) {
        const key = keyword.toLowerCase();
        const list = byKeyword.get(key) ?? [];
        if (!list.includes(index)) list.push(index);
        byKeyword.set(key, list);
      }
      return { detector, regex, index, generic: detector.category === 'generic', readsEscapes: /\\\\[nrt"]/.test(detector.pattern) };
    });
    const keywords = [...byKeyword.keys()];
    this.matcher = new KeywordMatcher(keywords);
    this.detectorsOfKeyword = keywords.map((k) => byKeyword.get(k)!);
    this.anchoredOfKeyword = keywords.map((k) => byKeyword.get(k)!.map((i) => keywordStartsToken(this.compiled[i]!.detector.pattern, k)));
    this.anchoredOfKeyword.forEach((flags, k) =>
      flags.forEach((anchored, d) => {
        const compiled = this.compiled[this.detectorsOfKeyword[k]![d]!]!;
        const { detector } = compiled;
        if (anchored && !compiled.sticky && !detector.multiline && !hasUnboundedQuantifier(detector.pattern)) {
          compiled.sticky = new RegExp(detector.pattern, detector.ignoreCase ? 'iyd' : 'yd');
        }
      }),
    );
    this.lastStickyAt = new Int32Array(detectors.length);
  }

  /**
   * Finds candidates in `text`. `path` (relative, POSIX separators) is used for
   * detectors restricted to certain files. `bytes` may carry the text's Latin-1 bytes.
   */
  scan(text: string, path = '', bytes?: Uint8Array): RawMatch[] {
    const found: RawMatch[] = [];
    const masked = JSON_FILE.test(path) ? maskJsonEscapes(text) : undefined;
    const windows = this.collectWindows(text, path, found, bytes, masked);
    if (windows.size === 0 && found.length === 0) return [];
    for (const [index, ranges] of windows) {
      const compiled = this.compiled[index]!;
      const seen = masked !== undefined && !compiled.readsEscapes ? masked : text;
      for (const [from, to] of mergeRanges(ranges)) this.runDetector(compiled, seen, from, to, found);
    }
    return resolveOverlaps(found);
  }

  /** `bytes`, when given, are `text`'s bytes (Latin-1: one per character): the prefilter walks them instead. */
  private collectWindows(text: string, path: string, found: RawMatch[], bytes?: Uint8Array, masked?: string): Map<number, Array<[number, number]>> {
    const windows = new Map<number, Array<[number, number]>>();
    const lastStickyAt = this.lastStickyAt.fill(-1);
    const pathAllowed = new Map<number, boolean>();
    // Line bounds of the previous hit, reused while hits stay on the same line.
    let lineFrom = -1;
    let lineTo = -1;
    this.matcher.scan(bytes ?? text, (keyword, at) => {
      if (at >= lineTo || at < lineFrom) {
        const nl = text.lastIndexOf('\n', at);
        lineFrom = nl + 1;
        const next = text.indexOf('\n', at);
        lineTo = next === -1 ? text.length : next;
      }
      const length = this.matcher.keywords[keyword]!.length;
      // In a JSON file, a token right after an escape (`\nghp_…`) starts after a value boundary.
      const before = at > 0 ? (masked !== undefined ? masked.charCodeAt(at - 1) & 0xff : bytes ? bytes[at - 1]! : text.charCodeAt(at - 1) & 0xff) : 32;
      const detectors = this.detectorsOfKeyword[keyword]!;
      const anchoredFlags = this.anchoredOfKeyword[keyword]!;
      for (let d = 0; d < detectors.length; d++) {
        const index = detectors[d]!;
        const anchored = anchoredFlags[d]!;
        const detector = this.compiled[index]!.detector;
        if (anchored && WORD_CHAR[before] === 1) continue;
        if (detector.path) {
          let ok = pathAllowed.get(index);
          if (ok === undefined) {
            ok = detector.path.test(path);
            pathAllowed.set(index, ok);
          }
          if (!ok) continue;
        }
        const compiled = this.compiled[index]!;
        if (anchored && compiled.sticky) {
          if (lastStickyAt[index] !== at) {
            lastStickyAt[index] = at;
            this.runSticky(compiled, compiled.sticky, masked !== undefined && !compiled.readsEscapes ? masked : text, at, found);
          }
          continue;
        }
        const from = Math.max(lineFrom, anchored ? at - 1 : at - WINDOW_BEFORE);
        const to = detector.multiline ? Math.min(text.length, at + MULTILINE_WINDOW) : Math.min(lineTo, at + length + WINDOW);
        let list = windows.get(index);
        if (!list) windows.set(index, (list = []));
        const last = list[list.length - 1];
        if (last && from <= last[1]) last[1] = Math.max(last[1], to);
        else list.push([from, to]);
      }
    });
    return windows;
  }

  /** Tries a token detector at `at`, where its keyword (the token's prefix) was found after a non-word character. */
  private runSticky(compiled: CompiledDetector, sticky: RegExp, text: string, at: number, out: RawMatch[]): void {
    sticky.lastIndex = at;
    const m = sticky.exec(text);
    if (m === null || m[0].length === 0) return;
    const secret = m.groups?.secret;
    if (!secret) return;
    // The context `validate` sees, as a window search would give it: from the character before the token, on its line.
    const contextStart = at > 0 && text.charCodeAt(at - 1) !== 10 ? at - 1 : at;
    if (!acceptSecret(compiled.detector, secret, text.slice(contextStart, m.index + m[0].length))) return;
    if (compiled.generic && at > 0 && ':/'.includes(text[at - 1]!)) return;
    const start = m.indices?.groups?.secret?.[0] ?? m.index + m[0].indexOf(secret);
    out.push({ detector: compiled.detector, secret, handle: m.groups?.handle, start, end: start + secret.length });
  }

  private runDetector(compiled: CompiledDetector, text: string, from: number, to: number, out: RawMatch[]): void {
    const { detector, regex } = compiled;
    const slice = text.slice(from, to);
    regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = regex.exec(slice)) !== null) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const secret = m.groups?.secret;
      if (!secret) continue;
      // What `validate` sees as the match: up to 64 characters before it on the line too, so a
      // detector can judge the whole key name without its pattern scanning for it (slow).
      const contextStart = Math.max(0, m.index - 64);
      if (!acceptSecret(detector, secret, slice.slice(contextStart, m.index + m[0].length))) continue;
      if (compiled.generic && m.index > 0) {
        const previous = slice[m.index - 1]!;
        // A key name right after ':' or '/' sits inside another value (`arn:…:secret:name/…`, a URL).
        if (':/'.includes(previous)) continue;
        // Inside a lower-case word (`bypass`, `atpass:`), not a key name; camelCase (`dbPassword`) is.
        if (/[a-z0-9]/.test(previous) && /[a-z]/.test(slice[m.index]!)) continue;
      }
      const start = from + (m.indices?.groups?.secret?.[0] ?? m.index + m[0].indexOf(secret));
      out.push({ detector, secret, handle: m.groups?.handle, start, end: start + secret.length });
    }
  }
}

/** Files whose text is JSON: a value ends at a string escape (see maskJsonEscapes). */
const JSON_FILE = /\.(?:json|jsonc|jsonl|ndjson)$/i;

/**
 * `text` with the JSON string escapes that cannot be part of a credential (backslash-n, -r, -t and
 * backslash-quote) replaced by characters that end a value (two spaces; a space and a quote for an escaped
 * quote), keeping every offset: a match stops where the string's line or quoted part does, so that a Code
 * node's `passphrase: certPassphrase` followed by an escaped newline is not a password ending in one. An escaped
 * backslash stays as it is, and so does an escaped slash (URLs written by PHP's json_encode). Detectors
 * whose pattern reads the escapes (PEM keys written on one JSON line) see the text unmasked.
 * Undefined when there is nothing to mask.
 */
export function maskJsonEscapes(text: string): string | undefined {
  if (!text.includes('\\')) return undefined;
  let changed = false;
  const masked = text.replace(/\\(?:\\|[nrt"])/g, (escape) => {
    if (escape === '\\\\') return escape;
    changed = true;
    return escape === '\\"' ? ' "' : '  ';
  });
  return changed ? masked : undefined;
}

/**
 * True when a match of `pattern` that involves `keyword` starts with it: the pattern is
 * `\b(?<secret>` followed by literal text, or by a group of alternatives one of which starts
 * with the keyword.
 */
export function keywordStartsToken(pattern: string, keyword: string): boolean {
  const head = '\\b(?<secret>';
  if (!pattern.startsWith(head)) return false;
  const rest = pattern.slice(head.length);
  const literalPrefix = (text: string): string => {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined || /[A-Za-z0-9]/.test(next)) break; // \b, \d, \w...: not a literal
        out += next;
        i++;
      } else if ('[](){}*+?|^$.'.includes(c)) break;
      else out += c;
    }
    return out.toLowerCase();
  };
  const k = keyword.toLowerCase();
  if (!rest.startsWith('(?:')) return literalPrefix(rest).startsWith(k);
  // A leading group of alternatives: find its end, split at top-level bars.
  let depth = 0;
  const alternatives: string[] = [];
  let current = '';
  for (let i = 3; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      current += c + (rest[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') {
      if (depth === 0) {
        alternatives.push(current);
        return alternatives.some((a) => literalPrefix(a).startsWith(k));
      }
      depth--;
    }
    if (c === '|' && depth === 0) {
      alternatives.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  return false;
}

/** True when `pattern` has a `*`, `+` or `{n,}` outside character classes (a match of unbounded length). */
function hasUnboundedQuantifier(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(pattern.slice(i, i + 12)))) return true;
  }
  return false;
}

export function acceptSecret(detector: Detector, secret: string, match = secret): boolean {
  if (detector.entropy !== undefined && shannonEntropy(secret) < detector.entropy) return false;
  if (detector.filterPlaceholders !== false) {
    if (looksLikePlaceholder(secret) || looksLikeIdentifierWords(secret)) return false;
    // Hashes, UUIDs, plain words ("postgres", "tiger") and paths: values that detectors keyed on a
    // context rather than a format (generic assignments, database URLs) confuse with secrets.
    if ((detector.category === 'generic' || detector.category === 'database') && looksLikeNonSecretValue(secret)) return false;
  }
  if (detector.validate && !detector.validate(secret, { match })) return false;
  return true;
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [ranges[0]!];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i]!;
    const last = merged[merged.length - 1]!;
    if (r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  return merged;
}

/**
 * Where matches overlap, keep one: a specific detector beats a generic one, then the
 * longer secret wins (an `sk-ant-…` key over the `sk-…` shape it also fits).
 */
function resolveOverlaps(matches: RawMatch[]): RawMatch[] {
  if (matches.length < 2) return matches;
  const ranked = [...matches].sort((a, b) => {
    const generic = Number(a.detector.category === 'generic') - Number(b.detector.category === 'generic');
    if (generic !== 0) return generic;
    const prefix = (b.detector.prefixLength ?? 0) - (a.detector.prefixLength ?? 0);
    if (prefix !== 0) return prefix;
    return b.end - b.start - (a.end - a.start);
  });
  const kept: RawMatch[] = [];
  for (const m of ranked) {
    if (kept.some((k) => m.start < k.end && k.start < m.end)) continue;
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}
