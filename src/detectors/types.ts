import type { Severity } from '../core/severity.js';

export type DetectorCategory =
  | 'cloud'
  | 'scm'
  | 'ci'
  | 'package-registry'
  | 'payment'
  | 'messaging'
  | 'ai'
  | 'observability'
  | 'database'
  | 'private-key'
  | 'auth'
  | 'saas'
  | 'generic';

/**
 * A secret detector is data: a keyword prefilter, one regular expression and
 * a few checks, with examples that the test suite runs (test/detectors.test.ts).
 *
 * Regex rules (so the pattern set can be exported to other engines for benchmarks):
 * - write `pattern` as a JavaScript regex *source* string, compiled with the `g` flag
 *   (plus `i` when `ignoreCase` is set);
 * - the credential value is the named group `secret` (required); an optional named
 *   group `handle` captures a public identifier beside it (e.g. an AWS key id);
 * - no lookbehind, no lookahead, no backreferences, no possessive/atomic groups;
 * - `\b` and character classes are fine; keep quantifiers bounded (`{20,80}`, not `+`)
 *   where the format allows it.
 */
export interface Detector {
  /** kebab-case, unique, stable: part of the public fingerprint and shown to users. */
  id: string;
  /** Human name of the credential, e.g. "GitHub personal access token (classic)". */
  title: string;
  category: DetectorCategory;
  /**
   * Case-insensitive literals. The detector's regex only runs near a place where one of
   * them occurs, so every true match must contain (or be on the same line as) a keyword.
   */
  keywords: string[];
  pattern: string;
  ignoreCase?: boolean;
  /**
   * The regex may span lines (private keys). Its window runs up to 64 KiB forward from
   * the keyword instead of stopping at the end of the line.
   */
  multiline?: boolean;
  /** Minimum Shannon entropy (bits per character) of the `secret` group. */
  entropy?: number;
  /** Default 'high'. */
  severity?: Severity;
  /**
   * Extra validation of a candidate (checksums, structure). Return false to drop it.
   * `context.match` is the whole regex match (key name, operator and value), for detectors
   * that judge by the name a value is assigned to.
   */
  validate?: (secret: string, context: { match: string }) => boolean;
  /**
   * Apply the generic look-alike filters (placeholders, env/template references,
   * hashes, UUIDs...). Default true; prefix-anchored formats with checksums may turn it off.
   */
  filterPlaceholders?: boolean;
  /** Only scan files whose relative path (POSIX separators) matches. */
  path?: RegExp;
  /**
   * The match is a public identifier rather than a secret (an AWS access key id): it is kept
   * in full as the occurrence's `handle`, which is how a leak joins the live inventory.
   */
  identifier?: boolean;
  /** Number of leading characters of the secret that are a fixed prefix and safe to show. */
  prefixLength?: number;
  /** Generates a fresh, fake, valid-looking value (used by `{{gen}}` in examples and by the corpus). */
  generate?: (rand: RandomSource) => string;
  /**
   * Examples run by the tests. Each may contain templates expanded with a seeded RNG:
   * `{{gen}}` (this detector's `generate`), `{{hex:N}}`, `{{HEX:N}}`, `{{alnum:N}}` (A-Za-z0-9),
   * `{{lower:N}}` (a-z0-9), `{{upper:N}}` (A-Z0-9), `{{alpha:N}}`, `{{digits:N}}`,
   * `{{b64:N}}` (A-Za-z0-9+/), `{{b64url:N}}` (A-Za-z0-9_-), `{{base32:N}}` (A-Z2-7).
   * Every positive must yield at least one match of this detector; negatives must yield none.
   */
  examples: { positive: string[]; negative: string[] };
  /** Where the format is documented; shown in `nhi rules hardcoded-secret --detectors`. */
  references?: string[];
}

export interface RandomSource {
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string;
}

export function defineDetectors(detectors: Detector[]): Detector[] {
  return detectors;
}
