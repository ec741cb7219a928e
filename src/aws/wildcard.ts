/**
 * IAM wildcards: `*` matches any run of characters (including none), `?` any one character.
 * Actions compare case-insensitively, resource ARNs case-sensitively (as AWS does).
 *
 * Besides matching a pattern against a value, the policy helpers compare two patterns:
 * whether they can match a common value (`wildcardOverlap`: an allow on `arn:aws:iam::*:user/*`
 * reaches some user), and whether one matches everything the other does (`wildcardCovers`:
 * a deny on `iam:*` removes an allow on `iam:Create*`).
 */

const compiledSensitive = new Map<string, RegExp>();
const compiledInsensitive = new Map<string, RegExp>();

function compile(pattern: string, caseInsensitive: boolean): RegExp {
  const cache = caseInsensitive ? compiledInsensitive : compiledSensitive;
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    // Patterns come from policy documents: bounded by what an account holds, but keep the cache small.
    if (cache.size > 20_000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Does `pattern` (with `*` and `?`) match the concrete `value`? */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  if (pattern === '*') return true;
  if (!hasWildcard(pattern)) return caseInsensitive ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return compile(pattern, caseInsensitive).test(value);
}

function fold(s: string, caseInsensitive: boolean): string {
  return caseInsensitive ? s.toLowerCase() : s;
}

/** Can the two patterns match at least one common value? */
export function wildcardOverlap(a: string, b: string, caseInsensitive = false): boolean {
  if (a === '*' || b === '*') return true;
  if (!hasWildcard(a)) return wildcardMatch(b, a, caseInsensitive);
  if (!hasWildcard(b)) return wildcardMatch(a, b, caseInsensitive);
  const x = fold(a, caseInsensitive);
  const y = fold(b, caseInsensitive);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result: boolean;
    if (i === x.length && j === y.length) result = true;
    else if (i < x.length && x[i] === '*') result = go(i + 1, j) || (j < y.length && go(i, j + 1));
    else if (j < y.length && y[j] === '*') result = go(i, j + 1) || (i < x.length && go(i + 1, j));
    else if (i < x.length && j < y.length) result = (x[i] === '?' || y[j] === '?' || x[i] === y[j]) && go(i + 1, j + 1);
    else result = false;
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * Does `outer` match every value `inner` matches? Sufficient test: `outer` matches the text of
 * `inner` with its wildcards taken as characters, where `outer`'s `?` may stand for `inner`'s `?`
 * but not for its `*`, and only `outer`'s `*` may absorb `inner`'s `*`.
 */
export function wildcardCovers(outer: string, inner: string, caseInsensitive = false): boolean {
  if (outer === '*') return true;
  if (!hasWildcard(inner)) return wildcardMatch(outer, inner, caseInsensitive);
  if (!hasWildcard(outer)) return false;
  const x = fold(outer, caseInsensitive);
  const y = fold(inner, caseInsensitive);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result: boolean;
    if (i === x.length) result = j === y.length;
    else if (x[i] === '*') result = go(i + 1, j) || (j < y.length && go(i, j + 1));
    else if (j === y.length) result = false;
    else if (x[i] === '?') result = y[j] !== '*' && go(i + 1, j + 1);
    else result = x[i] === y[j] && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * ARNs compare component by component (the first five colons split them; the resource part
 * keeps its own colons), as AWS matches ARN patterns: a `*` in the account field does not reach
 * into the resource type. Patterns that are not six-part ARNs (`*`) compare as whole strings.
 */
function arnParts(s: string): string[] | undefined {
  if (!s.startsWith('arn:')) return undefined;
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = s.indexOf(':', start);
    if (colon < 0) return undefined;
    parts.push(s.slice(start, colon));
    start = colon + 1;
  }
  parts.push(s.slice(start));
  return parts;
}

function byComponent(a: string, b: string, compare: (x: string, y: string) => boolean): boolean | undefined {
  const pa = arnParts(a);
  const pb = arnParts(b);
  if (!pa || !pb) return undefined;
  return pa.every((x, i) => compare(x, pb[i]!));
}

export function arnMatch(pattern: string, arn: string): boolean {
  return byComponent(pattern, arn, (x, y) => wildcardMatch(x, y)) ?? wildcardMatch(pattern, arn);
}

export function arnOverlap(a: string, b: string): boolean {
  return byComponent(a, b, (x, y) => wildcardOverlap(x, y)) ?? wildcardOverlap(a, b);
}

export function arnCovers(outer: string, inner: string): boolean {
  return byComponent(outer, inner, (x, y) => wildcardCovers(x, y)) ?? wildcardCovers(outer, inner);
}
