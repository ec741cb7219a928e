/** CODEOWNERS as GitLab reads it (../github-actions/codeowners.ts with `dialect: 'gitlab'`). */
import { describe, expect, it } from 'vitest';
import { CODEOWNERS_PLACES, GITLAB_CODEOWNERS_PLACES, ownersOf, parseCodeowners } from '../github-actions/codeowners.js';

const owners = (co: ReturnType<typeof parseCodeowners>, path: string) => ownersOf(co, path)?.owners.map((o) => o.owner);

describe('CODEOWNERS, GitLab dialect', () => {
  const text = [
    '# Required for all files', //                    1
    '* @acme/everyone', //                             2
    '', //                                             3
    '[CI] @acme/platform', //                          4
    '.gitlab-ci.yml', //                               5
    '/.gitlab/ci/ @acme/ci-leads', //                  6
    '', //                                             7
    '^[Docs][2] @acme/writers', //                     8
    'docs/', //                                        9
    '*.md', //                                         10
    'README.md @acme/readme', //                       11
    '', //                                             12
    '[ci]', //                                         13
    '/.gitlab/ci/deploy.yml', //                       14
    '[Nobody]', //                                     15
    '*.lock', //                                       16
    'path\\ with\\ spaces.txt @acme/spaces # trailing', // 17
    '!excluded.yml @acme/excluded', //                 18
  ].join('\n');
  const co = parseCodeowners(text, '.gitlab/CODEOWNERS', { dialect: 'gitlab' });

  it('gives the union of every section last matching rule, with section default owners for rules that name nobody', () => {
    expect(owners(co, '.gitlab-ci.yml')).toEqual(['@acme/everyone', '@acme/platform']);
    expect(ownersOf(co, '.gitlab-ci.yml')!.at).toEqual({ path: '.gitlab/CODEOWNERS', line: 2, column: 1 });
    expect(owners(co, '.gitlab/ci/build.yml')).toEqual(['@acme/everyone', '@acme/ci-leads']);
    // `[ci]` continues `[CI]` (names are case-insensitive): its later rule wins there, with the section's default owners.
    expect(owners(co, '.gitlab/ci/deploy.yml')).toEqual(['@acme/everyone', '@acme/platform']);
    expect(owners(co, 'docs/guide.md')).toEqual(['@acme/everyone', '@acme/writers']);
    expect(owners(co, 'README.md')).toEqual(['@acme/everyone', '@acme/readme']);
    expect(owners(co, 'src/app.ts')).toEqual(['@acme/everyone']);
    expect(owners(co, 'path with spaces.txt')).toEqual(['@acme/everyone', '@acme/spaces']);
    expect(co.rules.map((r) => r.pattern)).not.toContain('!excluded.yml');
  });

  it('leaves a path unowned when no section with owners matches it', () => {
    const only = parseCodeowners('[Locks]\n*.lock\n[CI] @acme/ci\n.gitlab-ci.yml\n', 'CODEOWNERS', { dialect: 'gitlab' });
    expect(ownersOf(only, 'yarn.lock')).toBeUndefined();
    expect(ownersOf(only, 'src/x.ts')).toBeUndefined();
    expect(ownersOf(only, '.gitlab-ci.yml')).toEqual({ owners: [{ owner: '@acme/ci', source: 'codeowners' }], at: { path: 'CODEOWNERS', line: 4, column: 1 } });
  });

  it('looks in GitLab places, in GitLab order; GitHub keeps its own, and reads `[` lines as it always did', () => {
    expect(GITLAB_CODEOWNERS_PLACES).toEqual(['CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS']);
    expect(CODEOWNERS_PLACES).toEqual(['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']);
    const github = parseCodeowners(text, '.github/CODEOWNERS');
    expect(github.dialect).toBeUndefined();
    // GitHub has no sections: the heading lines are skipped and the last matching rule alone counts.
    expect(owners(github, '.gitlab-ci.yml')).toBeUndefined();
    expect(owners(github, 'src/app.ts')).toEqual(['@acme/everyone']);
  });
});
