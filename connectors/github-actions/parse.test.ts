import { describe, expect, it } from 'vitest';
import type { WorkflowAttributes } from '../../src/core/workflow.js';
import { parseGithubActionsFile, parseUses } from './parse.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const P = '.github/workflows/w.yml';

function parse(text: string, path = P): WorkflowAttributes {
  const parsed = parseGithubActionsFile(text, path, 'workflow');
  if (!parsed.ok) throw new Error(parsed.skip ? 'skipped' : parsed.error);
  return parsed.attributes;
}

const at = (line: number, column: number) => ({ path: P, line, column });

describe('parseGithubActionsFile: a workflow', () => {
  const text = lines(
    'name: Release', //                                   1
    'on:', //                                             2
    '  push:', //                                         3
    '    tags: [v*]', //                                  4
    '  workflow_dispatch:', //                            5
    'permissions:', //                                    6
    '  contents: read', //                                7
    '  id-token: write', //                               8
    'env:', //                                            9
    '  REGION: eu-west-1', //                             10
    'jobs:', //                                           11
    '  build:', //                                        12
    '    name: Build it', //                              13
    '    runs-on: ubuntu-latest', //                      14
    '    environment:', //                                15
    '      name: production', //                          16
    '    permissions: write-all', //                      17
    '    env:', //                                        18
    '      TOKEN: ${{ secrets.API_TOKEN }}', //           19
    '    steps:', //                                      20
    '      - uses: actions/checkout@v4', //               21
    '      - id: publish', //                             22
    '        uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc', // 23
    '        with:', //                                   24
    '          password: ${{ secrets[\'PYPI_TOKEN\'] }}', // 25
    '      - run: |', //                                  26
    '          echo start', //                            27
    '          curl -H "Authorization: ${{ github.token }}" ${{ env.URL }}', // 28
    '  call:', //                                         29
    '    uses: acme/workflows/.github/workflows/ci.yml@main', // 30
    '    secrets: inherit', //                            31
    '  call-named:', //                                   32
    '    uses: ./.github/workflows/local.yml', //         33
    '    with:', //                                       34
    '      debug: true', //                               35
    '    secrets:', //                                    36
    '      token: ${{ secrets.DEPLOY_TOKEN }}', //        37
  );

  it('reads triggers, permissions, env and jobs with the Location of each key', () => {
    const w = parse(text);
    expect(w.platform).toBe('github-actions');
    expect(w.triggers).toEqual([
      { event: 'push', at: at(3, 3) },
      { event: 'workflow_dispatch', at: at(5, 3) },
    ]);
    expect(w.permissions).toEqual({
      kind: 'scopes',
      scopes: [
        { scope: 'contents', level: 'read', at: at(7, 3) },
        { scope: 'id-token', level: 'write', at: at(8, 3) },
      ],
      at: at(6, 1),
    });
    expect(w.env).toEqual([{ name: 'REGION', value: 'eu-west-1', at: at(10, 3), valueAt: at(10, 11) }]);
    expect(w.jobs.map((j) => j.id)).toEqual(['build', 'call', 'call-named']);
    const [build, call, named] = w.jobs;
    expect(build).toMatchObject({ id: 'build', name: 'Build it', at: at(12, 3), environment: { name: 'production', at: at(15, 5) }, permissions: { kind: 'write-all', scopes: [], at: at(17, 5) } });
    expect(build!.env).toEqual([{ name: 'TOKEN', value: '${{ secrets.API_TOKEN }}', at: at(19, 7), valueAt: at(19, 14) }]);
    expect(call).toMatchObject({ uses: { kind: 'repository', owner: 'acme', repo: 'workflows', path: '.github/workflows/ci.yml', ref: 'main', pinned: false, at: at(30, 5), valueAt: at(30, 11) }, secretsInherit: at(31, 5), steps: [] });
    expect(named).toMatchObject({ uses: { kind: 'local', pinned: false }, with: [{ name: 'debug', value: 'true' }], secrets: [{ name: 'token', value: '${{ secrets.DEPLOY_TOKEN }}', at: at(37, 7) }] });
    expect(named!.secretsInherit).toBeUndefined();
  });

  it('reads steps: uses with its ref and pinning, run text, with and env', () => {
    const steps = parse(text).jobs[0]!.steps;
    expect(steps).toHaveLength(3);
    expect(steps[0]).toMatchObject({ index: 0, at: at(21, 9), uses: { raw: 'actions/checkout@v4', owner: 'actions', repo: 'checkout', ref: 'v4', pinned: false, at: at(21, 9), valueAt: at(21, 15) } });
    expect(steps[1]).toMatchObject({ index: 1, id: 'publish', at: at(22, 9), uses: { owner: 'pypa', repo: 'gh-action-pypi-publish', pinned: true, at: at(23, 9) } });
    expect(steps[1]!.with).toEqual([{ name: 'password', value: "${{ secrets['PYPI_TOKEN'] }}", at: at(25, 11), valueAt: at(25, 21) }]);
    expect(steps[2]!.run).toEqual({ text: 'echo start\ncurl -H "Authorization: ${{ github.token }}" ${{ env.URL }}\n', at: at(26, 9) });
  });

  it('finds every secret reference, at its exact place, inside block scalars too', () => {
    expect(parse(text).secretRefs).toEqual([
      { kind: 'named', name: 'API_TOKEN', expression: '${{ secrets.API_TOKEN }}', at: at(19, 18), job: 'build', section: 'env', key: 'TOKEN' },
      { kind: 'named', name: 'PYPI_TOKEN', expression: "${{ secrets['PYPI_TOKEN'] }}", at: at(25, 25), job: 'build', step: 1, section: 'with', key: 'password' },
      { kind: 'github-token', expression: '${{ github.token }}', at: at(28, 39), job: 'build', step: 2, section: 'run' },
      { kind: 'named', name: 'DEPLOY_TOKEN', expression: '${{ secrets.DEPLOY_TOKEN }}', at: at(37, 18), job: 'call-named', section: 'secrets', key: 'token' },
    ]);
  });

  it('is plain JSON', () => {
    const w = parse(text);
    expect(JSON.parse(JSON.stringify(w))).toEqual(w);
  });
});

describe('parseGithubActionsFile: the forms a key can take', () => {
  it('keeps a job-level if: as written, with its key', () => {
    const w = parse(lines('on: push', 'jobs:', '  a:', "    if: ${{ github.actor == 'x' }}", '    runs-on: x', '  b:', '    if: ""', '    runs-on: x'));
    expect(w.jobs.map((j) => j.if)).toEqual([{ text: "${{ github.actor == 'x' }}", at: at(4, 5) }, undefined]);
  });

  it('reads `on` as a name, a list or a map', () => {
    expect(parse(lines('on: push', 'jobs: {}')).triggers).toEqual([{ event: 'push', at: at(1, 5) }]);
    expect(parse(lines('on: [push, pull_request_target]', 'jobs: {}')).triggers).toEqual([
      { event: 'push', at: at(1, 6) },
      { event: 'pull_request_target', at: at(1, 12) },
    ]);
  });

  it('reads permissions: write-all, read-all, {}, empty, and values GitHub would reject', () => {
    const perms = (v: string) => parse(lines('on: push', `permissions: ${v}`, 'jobs: {}')).permissions;
    expect(perms('write-all')).toEqual({ kind: 'write-all', scopes: [], at: at(2, 1) });
    expect(perms('read-all')).toMatchObject({ kind: 'read-all' });
    expect(perms('{}')).toEqual({ kind: 'scopes', scopes: [], at: at(2, 1) });
    expect(perms('')).toEqual({ kind: 'scopes', scopes: [], at: at(2, 1) });
    expect(perms('everything')).toMatchObject({ kind: 'other', raw: 'everything' });
    expect(parse(lines('on: push', 'jobs: {}')).permissions).toBeUndefined();
  });

  it('reads `environment: name`, and follows aliases to their anchors', () => {
    const w = parse(
      lines(
        'on: push',
        'jobs:',
        '  a:',
        '    environment: staging',
        '    env: &shared',
        '      KEY: ${{ secrets.SHARED_KEY }}',
        '  b:',
        '    env: *shared',
      ),
    );
    expect(w.jobs[0]!.environment).toEqual({ name: 'staging', at: at(4, 5) });
    expect(w.jobs[1]!.env).toEqual([{ name: 'KEY', value: '${{ secrets.SHARED_KEY }}', at: at(6, 7), valueAt: at(6, 12) }]);
    // The alias's secret is where the anchor's text is, and is counted for each job that uses it.
    expect(w.secretRefs.map((r) => [r.job, r.at.line, r.at.column])).toEqual([
      ['a', 6, 16],
      ['b', 6, 16],
    ]);
  });

  it('tells whole-context and dynamic uses from named ones, and ignores look-alikes', () => {
    const w = parse(
      lines(
        'on: push',
        'jobs:',
        '  a:',
        '    steps:',
        '      - run: echo "${{ toJSON(secrets) }}"',
        '        env:',
        '          ONE: ${{ secrets[format(\'{0}_TOKEN\', matrix.env)] }}',
        "          TWO: ${{ inputs.secrets || env.secrets || 'secrets.NOPE' }}",
        '          THREE: ${{ SECRETS.Mixed_Case }} and $SECRETS and secrets.NOT_AN_EXPRESSION',
        '          FOUR: ${{ fromJSON(secrets.CONFIG).url }}',
      ),
    );
    expect(w.secretRefs.map((r) => [r.kind, r.name, r.at.line, r.at.column, r.key])).toEqual([
      ['whole-context', undefined, 5, 24, undefined],
      ['dynamic', undefined, 7, 20, 'ONE'],
      ['named', 'Mixed_Case', 9, 22, 'THREE'],
      ['named', 'CONFIG', 10, 30, 'FOUR'],
    ]);
    expect(w.secretRefs[0]).toMatchObject({ job: 'a', step: 0, section: 'run' });
  });

  it('records the lines marked nhi:allow', () => {
    expect(parse(lines('on: push', 'permissions: write-all # nhi:allow release bot', 'jobs: {}')).allowedLines).toEqual([2]);
    expect(parse(lines('on: push', 'jobs: {}')).allowedLines).toBeUndefined();
  });

  it('strips a byte-order mark', () => {
    expect(parse('\uFEFFon: push\njobs: {}\n').triggers).toEqual([{ event: 'push', at: at(1, 5) }]);
  });
});

describe('parseGithubActionsFile: composite actions', () => {
  it('models a composite action as one job, `runs`, with its steps', () => {
    const text = lines(
      'name: Setup',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - uses: some/action@v1',
      '      env:',
      '        T: ${{ inputs.token }}',
      '    - run: make',
      '      shell: bash',
    );
    const parsed = parseGithubActionsFile(text, 'action.yml', 'action');
    expect(parsed).toMatchObject({ ok: true, name: 'Setup', definedAt: { path: 'action.yml', line: 1, column: 1 } });
    const w = (parsed as { attributes: WorkflowAttributes }).attributes;
    expect(w.triggers).toEqual([]);
    expect(w.permissions).toBeUndefined();
    expect(w.jobs).toHaveLength(1);
    expect(w.jobs[0]).toMatchObject({ id: 'runs', at: { line: 2, column: 1 } });
    expect(w.jobs[0]!.steps.map((s) => s.uses?.raw ?? s.run?.text)).toEqual(['some/action@v1', 'make']);
  });

  it('skips JavaScript and Docker actions without a warning', () => {
    expect(parseGithubActionsFile(lines('name: JS', 'runs:', '  using: node20', '  main: index.js'), 'action.yml', 'action')).toEqual({ ok: false, skip: true });
    expect(parseGithubActionsFile(lines('runs:', '  using: docker', '  image: Dockerfile'), 'action.yml', 'action')).toEqual({ ok: false, skip: true });
  });
});

describe('parseGithubActionsFile: broken input', () => {
  it.each([
    ['empty', '  \n', 'empty file'],
    ['broken YAML', lines('on:', '  push:', '    branches: [main', 'jobs: {}'), /^invalid YAML at line 4, column 1: /],
    ['duplicate keys', lines('on: push', 'on: pull_request', 'jobs: {}'), /^invalid YAML at line 2, column 1: Map keys must be unique/],
    ['two documents', lines('on: push', 'jobs: {}', '---', 'on: push'), /^invalid YAML/],
    ['a list', lines('- name: bug'), 'not a GitHub Actions workflow: the file is not a YAML mapping'],
    ['no jobs', lines('on: push'), 'not a GitHub Actions workflow: no `jobs:` mapping'],
    ['no on', lines('jobs: {}'), 'not a GitHub Actions workflow: no `on:`'],
  ])('%s: an error, never an exception', (_name, text, error) => {
    const parsed = parseGithubActionsFile(text, P, 'workflow');
    expect(parsed.ok).toBe(false);
    expect((parsed as { error: string }).error).toMatch(error);
  });

  it('an action without runs is the wrong shape', () => {
    expect(parseGithubActionsFile(lines('name: x'), 'action.yml', 'action')).toEqual({ ok: false, error: 'not a GitHub Action: no `runs:` mapping' });
  });

  it('survives alias bombs', () => {
    const bomb = ['on: push', 'a: &a ["${{ secrets.X }}", "${{ secrets.X }}"]'];
    for (let i = 0; i < 20; i++) bomb.push(`${String.fromCharCode(98 + (i % 25))}${i}: &${'a' + (i + 1)} [*a${i === 0 ? '' : i}, *a${i === 0 ? '' : i}]`);
    bomb.push('jobs: {}');
    const parsed = parseGithubActionsFile(lines(...bomb), P, 'workflow');
    expect(parsed.ok).toBe(true);
    expect((parsed as { attributes: WorkflowAttributes }).attributes.secretRefs.length).toBeLessThanOrEqual(100_000);
  });
});

describe('parseUses', () => {
  const a = at(1, 1);
  it.each([
    ['actions/checkout@v4', { kind: 'repository', owner: 'actions', repo: 'checkout', ref: 'v4', pinned: false }],
    ['actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', { kind: 'repository', pinned: true }],
    ['github/codeql-action/init@v3', { kind: 'repository', owner: 'github', repo: 'codeql-action', path: 'init', ref: 'v3' }],
    ['some/action', { kind: 'repository', owner: 'some', repo: 'action', pinned: false }],
    ['some/action@11bd719', { kind: 'repository', pinned: false }],
    ['./.github/actions/setup', { kind: 'local', path: './.github/actions/setup', pinned: false }],
    ['$/.github/workflows/build.yml', { kind: 'local', path: '$/.github/workflows/build.yml', pinned: false }],
    ['docker://alpine:3.20', { kind: 'docker', path: 'alpine', ref: '3.20', pinned: false }],
    ['docker://ghcr.io/acme/tool', { kind: 'docker', path: 'ghcr.io/acme/tool', pinned: false }],
    [`docker://alpine@sha256:${'ab'.repeat(32)}`, { kind: 'docker', path: 'alpine', pinned: true }],
  ])('%s', (raw, expected) => {
    expect(parseUses(raw, a, a)).toMatchObject({ raw, ...expected });
  });
});
