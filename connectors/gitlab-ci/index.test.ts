import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ScanOptions } from '../../src/core/connector.js';
import type { Identity, ScanWarning } from '../../src/core/model.js';
import { workflowAttributes, type SecretRef } from '../../src/core/workflow.js';
import { tempDir } from '../../test/helpers/cli.js';
import { collectGitlabPipelines, discoverGitlabPipelines, gitlabCiConnector, isPipelineFile } from './index.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/gitlab-ci/repos', import.meta.url));
const base: ScanOptions = { history: false, staged: false, maxFileSize: Infinity };

async function inventory(root: string, options: ScanOptions = base): Promise<{ identities: Identity[]; warnings: ScanWarning[] }> {
  const warnings: ScanWarning[] = [];
  const ctx = { warn: (w: ScanWarning) => warnings.push(w), options };
  const identities: Identity[] = [];
  for await (const item of collectGitlabPipelines(await discoverGitlabPipelines(root, ctx, options), ctx)) if (item.kind === 'identity') identities.push(item.value);
  return { identities, warnings };
}

function write(root: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const refKey = (r: SecretRef) => `${r.kind} ${r.name ?? '-'} ${r.at.path}:${r.at.line}:${r.at.column} ${r.job ?? '-'}`;

describe('gitlab-ci connector: when it applies', () => {
  it('takes a folder with a .gitlab-ci.yml at any depth, or the file itself; not diff-only scans', async () => {
    const target = { root: FIXTURE, display: 'fixtures' };
    expect(await gitlabCiConnector.applies(target, base)).toBe(true);
    expect(await gitlabCiConnector.applies(target, { ...base, staged: true })).toBe(false);
    expect(await gitlabCiConnector.applies(target, { ...base, since: 'main', history: true })).toBe(false);
    expect(await gitlabCiConnector.applies({ root: join(FIXTURE, 'shop', '.gitlab-ci.yml'), display: 'x' }, base)).toBe(true);
    expect(await gitlabCiConnector.applies({ root: join(FIXTURE, 'shop', '.gitlab', 'ci', 'deploy.yml'), display: 'x' }, base)).toBe(false);
    const empty = write(tempDir(), { 'ci.yml': 'job:\n  script: x\n', '.github/workflows/ci.yml': 'on: push\njobs: {}\n' });
    expect(await gitlabCiConnector.applies({ root: empty, display: 'x' }, base)).toBe(false);
  });

  it('knows pipeline files', () => {
    expect(isPipelineFile('.gitlab-ci.yml')).toBe(true);
    expect(isPipelineFile('svc/api/.gitlab-ci.yaml')).toBe(true);
    expect(isPipelineFile('templates/gitlab-ci.yml')).toBe(false);
    expect(isPipelineFile('.gitlab-ci.yml.bak')).toBe(false);
  });

  it('honours .nhiignore like the filesystem connector', async () => {
    const root = write(tempDir(), { '.gitlab-ci.yml': 'job:\n  script: x\n', '.nhiignore': '.gitlab-ci.yml\n' });
    expect(await gitlabCiConnector.applies({ root, display: 'x' }, base)).toBe(false);
  });
});

describe('gitlab-ci connector: the fixture repositories', () => {
  it('yields one identity per pipeline, with owners from GitLab CODEOWNERS sections', async () => {
    const { identities } = await inventory(FIXTURE);
    expect(identities.map((i) => [i.id, i.provider, i.kind, i.scope, i.name, i.owners.map((o) => o.owner).join(' ')])).toEqual([
      ['legacy/.gitlab-ci.yml', 'gitlab', 'workflow', 'legacy', 'legacy/.gitlab-ci.yml', ''],
      ['shop/.gitlab-ci.yml', 'gitlab', 'workflow', 'shop', 'Shop pipeline', '@acme/shop-devs @acme/platform'],
    ]);
    for (const i of identities) {
      expect(workflowAttributes(i.attributes)?.platform).toBe('gitlab-ci');
      expect(JSON.parse(JSON.stringify(i))).toEqual(i);
    }
    const shop = identities[1]!;
    expect(shop.definedAt).toEqual({ path: 'shop/.gitlab-ci.yml', line: 2, column: 1 });
    expect(workflowAttributes(shop.attributes)!.ownersFrom).toEqual({ path: 'shop/.gitlab/CODEOWNERS', line: 2, column: 1 });
  });

  it('merges the included files into the shop pipeline and reads its jobs, tokens and secrets', async () => {
    const { identities } = await inventory(FIXTURE);
    const w = workflowAttributes(identities[1]!.attributes)!;
    expect(w.files).toEqual(['shop/.gitlab-ci.yml', 'shop/.gitlab/ci/deploy.yml', 'shop/.gitlab/ci/templates.yml']);
    expect(w.triggers.map((t) => t.event)).toEqual(['merge_request_event', 'push', 'schedule', 'web']);
    expect(w.includes!.map((i) => `${i.kind} ${i.pinned} ${i.resolved ?? '-'}`)).toEqual(['local false true', 'template false -', 'project true -', 'component false -', 'remote false -']);
    expect(w.jobs.map((j) => j.id)).toEqual(['deploy-staging', 'deploy-production', 'release', 'db-migrate', 'build', 'test']);
    const byId = new Map(w.jobs.map((j) => [j.id, j]));
    expect(byId.get('deploy-production')).toMatchObject({ environment: { name: 'production' }, manual: { path: 'shop/.gitlab/ci/deploy.yml', line: 15, column: 7 } });
    expect(byId.get('deploy-staging')!.manual).toBeUndefined();
    expect(byId.get('deploy-staging')!.steps.map((s) => `${s.name} ${s.at.path}:${s.at.line}`)).toEqual(['before_script shop/.gitlab/ci/templates.yml:16', 'script shop/.gitlab/ci/templates.yml:18']);
    expect(byId.get('release')!.idTokens!.map((t) => [t.name, t.value])).toEqual([['AWS_ID_TOKEN', 'https://sts.amazonaws.com']]);
    expect(byId.get('test')!.steps.map((s) => s.run!.text)).toEqual(['npm ci --cache .npm --prefer-offline', 'echo "testing $CI_COMMIT_SHORT_SHA"\nnpm test -- --coverage']);
    expect(w.secretRefs.map(refKey)).toEqual([
      'named AWS_ACCESS_KEY_ID shop/.gitlab/ci/templates.yml:20:44 deploy-staging',
      'named AWS_SECRET_ACCESS_KEY shop/.gitlab/ci/templates.yml:21:48 deploy-staging',
      'named AWS_ACCESS_KEY_ID shop/.gitlab/ci/templates.yml:20:44 deploy-production',
      'named AWS_SECRET_ACCESS_KEY shop/.gitlab/ci/templates.yml:21:48 deploy-production',
      'job-token - shop/.gitlab/ci/deploy.yml:29:34 release',
      'named DATABASE_PASSWORD shop/.gitlab/ci/deploy.yml:37:5 db-migrate',
      'named NPM_TOKEN shop/.gitlab-ci.yml:37:46 build',
    ]);
  });

  it('warns once per broken pipeline and missing include, and goes on; included files are no identities', async () => {
    const { identities, warnings } = await inventory(FIXTURE);
    expect(warnings).toEqual([
      { kind: 'parse-error', path: 'broken/.gitlab-ci.yml', source: 'gitlab-ci', message: expect.stringMatching(/^invalid YAML at line \d+, column \d+: /) },
      { kind: 'not-found', path: 'legacy/.gitlab-ci.yml', source: 'gitlab-ci', message: 'include at line 1, column 10: local include "/ci/common.yml" not found' },
    ]);
    expect(identities.map((i) => i.id)).not.toContain('shop/.gitlab/ci/deploy.yml');
  });
});

describe('gitlab-ci connector: layouts', () => {
  it('owns a pipeline in a sub-folder through the nearest CODEOWNERS above it, read relative to that folder', async () => {
    const root = write(tempDir(), {
      'CODEOWNERS': '* @acme/platform\n/docs/example/ @acme/docs\n',
      '.gitlab-ci.yml': 'job:\n  script: x\n',
      'docs/example/.gitlab-ci.yml': 'example:\n  script: x\n',
      'svc/.gitlab-ci.yml': 'svc:\n  script: x\n',
      'svc/.gitlab/CODEOWNERS': '.gitlab-ci.yml @acme/svc\n',
    });
    const { identities } = await inventory(root);
    expect(identities.map((i) => [i.id, i.owners.map((o) => o.owner)])).toEqual([
      ['.gitlab-ci.yml', ['@acme/platform']],
      ['docs/example/.gitlab-ci.yml', ['@acme/docs']],
      ['svc/.gitlab-ci.yml', ['@acme/svc']],
    ]);
  });

  it('scans a folder of repositories; a .gitlab-ci.yml another pipeline includes is part of it', async () => {
    const root = write(tempDir(), {
      'mono/.gitlab-ci.yml': 'include:\n  - local: services/*/.gitlab-ci.yml\nroot-job:\n  script: x\n',
      'mono/services/api/.gitlab-ci.yml': 'api-job:\n  script: [echo $API_DEPLOY_TOKEN]\n',
      'mono/services/web/.gitlab-ci.yml': 'web-job:\n  script: x\n',
      'mono/CODEOWNERS': '* @acme/mono\n',
      'mono/.gitlab/CODEOWNERS': '* @acme/ignored\n',
      'tools/.gitlab-ci.yml': 'tool-job:\n  script: x\n',
      'tools/docs/CODEOWNERS': '[CI]\n.gitlab-ci.yml @acme/tools\n',
    });
    const { identities, warnings } = await inventory(root);
    expect(warnings).toEqual([]);
    expect(identities.map((i) => [i.id, i.scope, i.owners.map((o) => o.owner)])).toEqual([
      ['mono/.gitlab-ci.yml', 'mono', ['@acme/mono']],
      ['tools/.gitlab-ci.yml', 'tools', ['@acme/tools']],
    ]);
    const mono = workflowAttributes(identities[0]!.attributes)!;
    expect(mono.jobs.map((j) => j.id)).toEqual(['api-job', 'web-job', 'root-job']);
    expect(mono.secretRefs.map(refKey)).toEqual(['named API_DEPLOY_TOKEN mono/services/api/.gitlab-ci.yml:2:17 api-job']);
  });

  it('reads a .gitlab-ci.yml named directly, with its includes (wildcards too) from its folder', async () => {
    const root = write(tempDir(), {
      '.gitlab-ci.yml': 'include: ci/*.yml\nmain-job:\n  script: x\n',
      'ci/a.yml': 'a-job:\n  script: x\n',
      'CODEOWNERS': '.gitlab-ci.yml @acme/direct\n',
    });
    const { identities, warnings } = await inventory(join(root, '.gitlab-ci.yml'));
    expect(warnings).toEqual([]);
    expect(identities.map((i) => [i.id, i.scope, i.owners.map((o) => o.owner)])).toEqual([['.gitlab-ci.yml', '.', ['@acme/direct']]]);
    expect(workflowAttributes(identities[0]!.attributes)!.files).toEqual(['.gitlab-ci.yml', 'ci/a.yml']);
  });

  it('skips a pipeline over --max-file-size (the filesystem connector warns) and warns about an include over it', async () => {
    const root = write(tempDir(), {
      'big/.gitlab-ci.yml': `job:\n  script: x\n# ${'x'.repeat(400)}\n`,
      'small/.gitlab-ci.yml': 'include: big.yml\njob:\n  script: x\n',
      'small/big.yml': `other:\n  script: x\n# ${'x'.repeat(400)}\n`,
    });
    const { identities, warnings } = await inventory(root, { ...base, maxFileSize: 200 });
    expect(identities.map((i) => i.id)).toEqual(['small/.gitlab-ci.yml']);
    expect(warnings).toEqual([{ kind: 'parse-error', path: 'small/.gitlab-ci.yml', source: 'gitlab-ci', message: expect.stringMatching(/^include at line 1, column 10: small\/big\.yml: \d+ bytes is over the --max-file-size limit; not read$/) }]);
  });

  it('warns, per file, about a script line GitLab would reject (an unquoted `: ` makes it a mapping) and keeps the pipeline', async () => {
    const root = write(tempDir(), {
      'app/.gitlab-ci.yml': 'include: ci/release.yml\nbuild:\n  script:\n    - make\n',
      'app/ci/release.yml': 'release:\n  script:\n    - git tag "v$VERSION"\n    - git commit --allow-empty -m "release: v$VERSION"\n',
    });
    const { identities, warnings } = await inventory(root);
    expect(identities.map((i) => i.id)).toEqual(['app/.gitlab-ci.yml']);
    expect(warnings).toEqual([
      {
        kind: 'parse-error',
        path: 'app/ci/release.yml',
        source: 'gitlab-ci',
        message: expect.stringMatching(/^line 4, column 7: a script item of job release is a YAML mapping, not a string \(an unquoted ": " after `git commit --allow-empty -m "release`\); GitLab rejects the pipeline/),
      },
    ]);
    const release = workflowAttributes(identities[0]!.attributes)!.jobs.find((j) => j.id === 'release')!;
    expect(release.steps[0]!.run!.text).toBe('git tag "v$VERSION"\ngit commit --allow-empty -m "release: v$VERSION"');
  });

  it('gives one warning for a binary or empty .gitlab-ci.yml and goes on', async () => {
    const root = tempDir();
    write(root, { 'empty/.gitlab-ci.yml': '', 'ok/.gitlab-ci.yml': 'job:\n  script: x\n', 'list/.gitlab-ci.yml': '- a\n' });
    writeFileSync(join(root, 'bin.gitlab-ci.yml'), 'x');
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', '.gitlab-ci.yml'), Buffer.from([0x6a, 0x3a, 0x00, 0xff, 0x10]));
    const { identities, warnings } = await inventory(root);
    expect(identities.map((i) => i.id)).toEqual(['ok/.gitlab-ci.yml']);
    expect(warnings.map((w) => `${w.kind} ${w.path}: ${w.message}`).sort()).toEqual([
      'parse-error bin/.gitlab-ci.yml: binary file, not YAML',
      'parse-error empty/.gitlab-ci.yml: empty file',
      'parse-error list/.gitlab-ci.yml: not a GitLab CI configuration: the file is not a YAML mapping',
    ]);
  });
});
