/**
 * CODEOWNERS as GitHub reads it: the first of `.github/CODEOWNERS`, `CODEOWNERS`,
 * `docs/CODEOWNERS` at the repository root; gitignore-style patterns, one rule a line,
 * and the LAST rule that matches a path names its owners (a rule with no owners makes the
 * path unowned). `!` negation and `[ ]` ranges are not part of the syntax and are skipped.
 * https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
 */
import ignore, { type Ignore } from 'ignore';
import type { Location, OwnerClaim } from '../../src/core/model.js';

/** Where GitHub looks, in the order it looks, relative to the repository root. */
export const CODEOWNERS_PLACES = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

interface CodeownersRule {
  pattern: string;
  owners: string[];
  line: number;
  matcher: Ignore;
}

export interface Codeowners {
  /** The CODEOWNERS file, relative to the scanned root. */
  path: string;
  rules: CodeownersRule[];
}

export function parseCodeowners(text: string, path: string): Codeowners {
  const rules: CodeownersRule[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('!') || line.includes('[')) return;
    const [pattern, ...rest] = line.split(/\s+/);
    if (!pattern) return;
    try {
      rules.push({ pattern, owners: rest.filter((o) => o.includes('@')), line: i + 1, matcher: ignore().add(pattern) });
    } catch {
      // A pattern the matcher cannot read owns nothing (GitHub flags it in the file's view).
    }
  });
  return { path, rules };
}

/**
 * The owners of `path` (relative to the repository root, POSIX) and the CODEOWNERS line that
 * names them; `undefined` when no rule matches or the last match names nobody.
 */
export function ownersOf(codeowners: Codeowners, path: string): { owners: OwnerClaim[]; at: Location } | undefined {
  let match: CodeownersRule | undefined;
  for (const rule of codeowners.rules) {
    try {
      if (rule.matcher.ignores(path)) match = rule;
    } catch {
      // Paths the matcher refuses (none expected: relative POSIX paths) match nothing.
    }
  }
  if (!match || match.owners.length === 0) return undefined;
  return { owners: match.owners.map((owner) => ({ owner, source: 'codeowners' })), at: { path: codeowners.path, line: match.line, column: 1 } };
}
