/**
 * CODEOWNERS as GitHub reads it: the first of `.github/CODEOWNERS`, `CODEOWNERS`,
 * `docs/CODEOWNERS` at the repository root; gitignore-style patterns, one rule a line,
 * and the LAST rule that matches a path names its owners (a rule with no owners makes the
 * path unowned). `!` negation and `[ ]` ranges are not part of the syntax and are skipped.
 * https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
 *
 * With `{ dialect: 'gitlab' }`, as GitLab reads it (https://docs.gitlab.com/user/project/codeowners/reference/):
 * the first of `CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS` (GITLAB_CODEOWNERS_PLACES); the file is cut
 * into sections by headings `[Name]`, `^[Name]` (optional), `[Name][2]` (approvals), each optionally followed by
 * the section's default owners (`[Name] @team`), which a rule of that section naming nobody gets. Section names
 * are case-insensitive and sections with the same name are one section; rules before the first heading form an
 * unnamed section. The owners of a path are the union, over sections, of each section's LAST matching rule.
 * Patterns are read gitignore-style by the same matcher as GitHub's (GitLab's fnmatch rules agree on the usual
 * forms: `*.rb`, `/docs/`, `docs/**\/*.md`); GitLab's `!` exclusions are skipped like GitHub's negations.
 */
import ignore, { type Ignore } from 'ignore';
import type { Location, OwnerClaim } from '../../src/core/model.js';

/** Where GitHub looks, in the order it looks, relative to the repository root. */
export const CODEOWNERS_PLACES = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** Where GitLab looks, in the order it looks (the first that exists is used), relative to the repository root. */
export const GITLAB_CODEOWNERS_PLACES = ['CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS'] as const;

export type CodeownersDialect = 'github' | 'gitlab';

interface CodeownersRule {
  pattern: string;
  owners: string[];
  line: number;
  matcher: Ignore;
  /** GitLab: the section (lower-cased name; '' before the first heading). */
  section?: string;
}

export interface Codeowners {
  /** The CODEOWNERS file, relative to the scanned root. */
  path: string;
  rules: CodeownersRule[];
  /** Absent for GitHub. */
  dialect?: 'gitlab';
}

export function parseCodeowners(text: string, path: string, options: { dialect?: CodeownersDialect } = {}): Codeowners {
  if (options.dialect === 'gitlab') return parseGitlabCodeowners(text, path);
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

/** `[Name]`, `^[Name]`, `[Name][2]`, then the section's default owners. */
const GITLAB_SECTION = /^\^?\[([^\]]*)\](?:\[\s*\d+\s*\])?(.*)$/;

/** Splits a GitLab entry on whitespace not escaped by `\` (`path\ with\ spaces @owner`). */
function gitlabWords(line: string): string[] {
  return (line.match(/(?:\\.|\S)+/g) ?? []).map((w) => w.replace(/\\(.)/g, '$1'));
}

function parseGitlabCodeowners(text: string, path: string): Codeowners {
  const rules: CodeownersRule[] = [];
  let section = '';
  const defaults = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((raw, i) => {
    // `\#` keeps a `#` in a path; a `#` at the start of a line or after a space starts a comment.
    const line = raw.replace(/(^|\s)(?<!\\)#.*$/, '').trim();
    if (line === '') return;
    const heading = GITLAB_SECTION.exec(line);
    if (heading) {
      const name = heading[1]!.trim().toLowerCase();
      // A heading without a name is not a section heading; GitLab ignores the line.
      if (name === '') return;
      section = name;
      const owners = heading[2]!.trim().split(/\s+/).filter((o) => o.includes('@'));
      if (owners.length) defaults.set(section, owners);
      return;
    }
    if (line.startsWith('!')) return;
    const [pattern, ...rest] = gitlabWords(line);
    if (!pattern) return;
    const owners = rest.filter((o) => o.includes('@'));
    try {
      rules.push({ pattern, owners, line: i + 1, matcher: ignore().add(pattern.replace(/^\\/, '')), section });
    } catch {
      // A pattern the matcher cannot read owns nothing.
    }
  });
  // Default owners apply to the section's rules that name nobody, wherever the heading giving them is.
  for (const rule of rules) if (rule.owners.length === 0) rule.owners = defaults.get(rule.section ?? '') ?? [];
  return { path, rules, dialect: 'gitlab' };
}

function matches(rule: CodeownersRule, path: string): boolean {
  try {
    return rule.matcher.ignores(path);
  } catch {
    // Paths the matcher refuses (none expected: relative POSIX paths) match nothing.
    return false;
  }
}

/**
 * The owners of `path` (relative to the repository root, POSIX) and the CODEOWNERS line that
 * names them; `undefined` when no rule matches or the last match names nobody. For GitLab, the
 * owners of every section's last matching rule, in file order without repeats, and the first of
 * those rules' lines.
 */
export function ownersOf(codeowners: Codeowners, path: string): { owners: OwnerClaim[]; at: Location } | undefined {
  if (codeowners.dialect === 'gitlab') return gitlabOwnersOf(codeowners, path);
  let match: CodeownersRule | undefined;
  for (const rule of codeowners.rules) if (matches(rule, path)) match = rule;
  if (!match || match.owners.length === 0) return undefined;
  return { owners: match.owners.map((owner) => ({ owner, source: 'codeowners' })), at: { path: codeowners.path, line: match.line, column: 1 } };
}

function gitlabOwnersOf(codeowners: Codeowners, path: string): { owners: OwnerClaim[]; at: Location } | undefined {
  const last = new Map<string, CodeownersRule>();
  for (const rule of codeowners.rules) if (matches(rule, path)) last.set(rule.section ?? '', rule);
  const contributing = [...last.values()].filter((r) => r.owners.length > 0).sort((a, b) => a.line - b.line);
  if (contributing.length === 0) return undefined;
  const owners = [...new Set(contributing.flatMap((r) => r.owners))];
  return { owners: owners.map((owner) => ({ owner, source: 'codeowners' })), at: { path: codeowners.path, line: contributing[0]!.line, column: 1 } };
}
