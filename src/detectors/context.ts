/**
 * Building blocks shared by the detector data files: context patterns (`NAME… = value`)
 * for formats that have no prefix of their own, value checks, and generators.
 */
import { looksLikePlaceholder, shannonEntropy } from './checks.js';
import { ALPHABETS } from './random.js';
import type { RandomSource } from './types.js';

/** A literal matched case-insensitively, spelled with character classes so the value after it keeps its case. */
export function word(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[A-Za-z]/g, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}

/**
 * `NAME… = value`: one of `names` (case-insensitive), up to 60 characters of identifier or
 * punctuation (`_AUTH_TOKEN`, `"]["secret`, `->setApiKey(`), an assignment-like separator,
 * optional quotes, then the value, which must end at a non-token character.
 */
export function assigned(names: string[], value: string): string {
  return String.raw`(?:${names.map(word).join('|')})[\w.\-\t '"()\[\]{}:,>$=@]{0,60}?(?:=>|:=|[=:,(]|\s)[\s'"\x60=(]{0,5}(?<secret>${value})(?:[^\w+/=-]|$)`;
}

export const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export const hex = (r: RandomSource, n: number): string => r.chars(ALPHABETS.hex, n);
export const alnum = (r: RandomSource, n: number): string => r.chars(ALPHABETS.alnum, n);
export const b64url = (r: RandomSource, n: number): string => r.chars(ALPHABETS.b64url, n);
/** `n` digits, the first not 0. */
export const digits = (r: RandomSource, n: number): string => `${1 + r.int(9)}${r.chars(ALPHABETS.digits, n - 1)}`;
export const uuid = (r: RandomSource): string => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${hex(r, 4)}-${hex(r, 12)}`;

/** For values that are UUIDs (the generic filter drops UUIDs as non-secrets): placeholder check and entropy only. */
export const uuidSecretOk = (secret: string): boolean => !looksLikePlaceholder(secret) && shannonEntropy(secret) >= 3;

/** For webhook URLs (the generic filter drops credential-less URLs): the last path segment must look random. */
export const lastSegmentOk =
  (minEntropy: number) =>
  (url: string): boolean => {
    const last = url.slice(url.lastIndexOf('/') + 1);
    return !looksLikePlaceholder(last) && shannonEntropy(last) >= minEntropy;
  };
