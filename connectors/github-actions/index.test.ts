import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanOptions } from '../../src/core/connector.js';
import { workflowAttributes } from '../../src/core/workflow.js';
import { tempDir } from '../../test/helpers/cli.js';
import { ACTIONS_FIXTURE, fixtureInventory } from '../../test/helpers/workflow-inventory.js';
import { ownersOf, parseCodeowners } from './codeowners.js';
import { fileKind, githubActionsConnector, repositoryOf } from './index.js';

const base: ScanOptions = { history: false, staged: false, maxFileSize: Infinity };

describe('github-actions connector: when it applies', () => {
  it('takes a folder with workflows, not one without, and not diff-only scans', async () => {
    const target = { root: ACTIONS_FIXTURE, display: 'repo' };
    expect(await githubActionsConnector.applies(target, base)).toBe(true);
    expect(await githubActionsConnector.applies(target, { ...base, staged: true })).toBe(false);
    expect(await githubActionsConnector.applies(target, { ...base, since: 'main', history: true })).toBe(false);
    const empty = tempDir();
    writeFileSync(join(empty, 'ci.yml'), 'on: push\njobs: {}\n');
    expect(await githubActionsConnector.applies({ root: empty, display: 'x' }, base)).toBe(false);
  });

  it('knows workflow files (directly in .github/workflows) from action files', () => {
    expect(fileKind('.github/workflows/ci.yml')).toBe('workflow');
    expect(fileKind('svc/.github/workflows/ci.yaml')).toBe('workflow');
    expect(fileKind('.github/workflows/sub/ci.yml')).toBeUndefined();
    expect(fileKind('.github/workflows/README.md')).toBeUndefined();
    expect(fileKind('.github/actions/setup/action.yml')).toBe('action');
    expect(fileKind('action.yaml')).toBe('action');
    expect(fileKind('docs/my-action.yml')).toBeUndefined();
  });

  it('honours .nhiignore like the filesystem connector', async () => {
    const root = tempDir();
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'on: push\njobs: {}\n');
    writeFileSync(join(root, '.nhiignore'), '.github/\n');
    expect(await githubActionsConnector.applies({ root, display: 'x' }, base)).toBe(false);
  });
});

describe('github-actions connector: the fixture repository', () => {
  it('yields one identity per workflow and composite action, with owners from CODEOWNERS', async () => {
    const { inventory } = await fixtureInventory();
    const summary = inventory.identities.map((i) => [i.id, i.kind, i.name, i.owners.map((o) => `${o.owner} (${o.source})`).join(' ')]);
    expect(summary).toEqual([
      ['.github/actions/setup-deps/action.yml', 'composite-action', 'Set up dependencies', '@acme/ci-owners (codeowners)'],
      ['.github/workflows/ci.yml', 'workflow', 'CI', '@acme/ci-owners (codeowners) dana@example.com (codeowners)'],
      ['.github/workflows/deploy-oidc.yml', 'workflow', 'Deploy with OIDC', '@acme/ci-owners (codeowners) dana@example.com (codeowners)'],
      ['.github/workflows/deploy.yml', 'workflow', 'Deploy', '@acme/ci-owners (codeowners) dana@example.com (codeowners)'],
      ['.github/workflows/docs.yml', 'workflow', 'Docs', '@acme/ci-owners (codeowners) dana@example.com (codeowners)'],
      // The last matching CODEOWNERS rule names nobody: unowned.
      ['.github/workflows/nightly.yml', 'workflow', 'Nightly backup', ''],
      ['.github/workflows/release.yml', 'workflow', 'Release', '@acme/ci-owners (codeowners) dana@example.com (codeowners)'],
    ]);
    for (const i of inventory.identities) {
      expect(i).toMatchObject({ provider: 'github', scope: '.', definedAt: { path: i.id, line: 1, column: 1 } });
      expect(workflowAttributes(i.attributes)).toBeDefined();
      expect(JSON.parse(JSON.stringify(i))).toEqual(i);
    }
    const ci = workflowAttributes(inventory.identities[1]!.attributes)!;
    expect(ci.ownersFrom).toEqual({ path: '.github/CODEOWNERS', line: 3, column: 1 });
  });

  it('warns once per broken or misplaced file and goes on; JavaScript actions are not identities', async () => {
    const { inventory, warnings } = await fixtureInventory();
    expect(warnings).toEqual([
      { kind: 'parse-error', path: '.github/workflows/broken.yml', source: 'github-actions', message: expect.stringMatching(/^invalid YAML at line 5, column 1: /) },
      { kind: 'parse-error', path: '.github/workflows/labels.yml', source: 'github-actions', message: 'not a GitHub Actions workflow: the file is not a YAML mapping' },
    ]);
    expect(inventory.identities.map((i) => i.id)).not.toContain('tools/release-notes/action.yml');
  });

  it('scans a folder of repositories, each with its own CODEOWNERS', async () => {
    const root = tempDir();
    for (const [repo, owner] of [
      ['api', '@acme/api'],
      ['web', '@acme/web'],
    ]) {
      mkdirSync(join(root, repo!, '.github', 'workflows'), { recursive: true });
      mkdirSync(join(root, repo!, 'docs'), { recursive: true });
      writeFileSync(join(root, repo!, '.github', 'workflows', 'ci.yml'), 'on: push\njobs: {}\n');
      writeFileSync(join(root, repo!, 'docs', 'CODEOWNERS'), `* ${owner}\n`);
    }
    // .github/CODEOWNERS comes before docs/CODEOWNERS.
    writeFileSync(join(root, 'web', '.github', 'CODEOWNERS'), '*.yml @acme/web-ci\n');
    const { inventory } = await fixtureInventory(root);
    expect(inventory.identities.map((i) => [i.id, i.scope, i.owners.map((o) => o.owner)])).toEqual([
      ['api/.github/workflows/ci.yml', 'api', ['@acme/api']],
      ['web/.github/workflows/ci.yml', 'web', ['@acme/web-ci']],
    ]);
  });
});

describe('CODEOWNERS', () => {
  const co = parseCodeowners(
    [
      '# comment',
      '*            @org/everyone',
      '/.github/    @org/ci   # trailing comment',
      '*.md         docs@example.com',
      '!negated     @nobody',
      '/.github/workflows/legacy.yml',
      '',
    ].join('\n'),
    '.github/CODEOWNERS',
  );

  it('lets the last matching rule win, gitignore-style', () => {
    expect(ownersOf(co, 'src/app.ts')?.owners).toEqual([{ owner: '@org/everyone', source: 'codeowners' }]);
    expect(ownersOf(co, '.github/workflows/ci.yml')).toEqual({ owners: [{ owner: '@org/ci', source: 'codeowners' }], at: { path: '.github/CODEOWNERS', line: 3, column: 1 } });
    expect(ownersOf(co, '.github/README.md')?.owners.map((o) => o.owner)).toEqual(['docs@example.com']);
    expect(ownersOf(co, '.github/workflows/legacy.yml')).toBeUndefined();
    expect(co.rules.map((r) => r.pattern)).not.toContain('!negated');
  });

  it('finds the repository of a file', () => {
    expect(repositoryOf('.github/workflows/ci.yml', [])).toBe('');
    expect(repositoryOf('svc/api/.github/workflows/ci.yml', [])).toBe('svc/api');
    expect(repositoryOf('svc/api/action.yml', ['', 'svc', 'svc/api'])).toBe('svc/api');
    expect(repositoryOf('tools/action.yml', ['svc'])).toBe('');
  });
});
