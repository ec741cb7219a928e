import { describe, expect, it } from 'vitest';
import type { SecretRef, WorkflowAttributes } from '../../src/core/workflow.js';
import {
  CREDENTIAL_NAME_PARTS,
  isCredentialName,
  isPredefinedVariable,
  localIncludePath,
  MAX_INCLUDES,
  parseGitlabFiles,
  pipelineSourcesOf,
  variableRefsIn,
  scriptAssigned,
  wildcardMatcher,
  type ParsedPipeline,
} from './parse.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const MAIN = '.gitlab-ci.yml';

async function parsed(files: Record<string, string>): Promise<Extract<ParsedPipeline, { ok: true }>> {
  const p = await parseGitlabFiles(files);
  if (!p.ok) throw new Error(p.error);
  return p;
}

async function parse(files: Record<string, string> | string): Promise<WorkflowAttributes> {
  return (await parsed(typeof files === 'string' ? { [MAIN]: files } : files)).attributes;
}

const at = (line: number, column: number, path = MAIN) => ({ path, line, column });
const refKey = (r: SecretRef) => `${r.kind} ${r.name ?? '-'} ${r.at.path}:${r.at.line}:${r.at.column} ${r.job ?? '-'} ${r.step ?? '-'} ${r.section} ${r.key ?? '-'}`;

describe('parseGitlabPipeline: a pipeline', () => {
  const text = lines(
    'variables:', //                                        1
    '  REGION: eu-west-1', //                               2
    '  BUCKET:', //                                         3
    '    value: shop-artifacts', //                         4
    '    description: where builds go', //                  5
    'build:', //                                            6
    '  variables:', //                                      7
    '    MODE: release', //                                 8
    '  environment: staging', //                            9
    '  script:', //                                         10
    '    - make', //                                        11
    '    - |', //                                           12
    '      echo start', //                                  13
    '      curl -u "ci:$DEPLOY_TOKEN" "$URL/$REGION"', //   14
    '  after_script: [echo done]', //                       15
    'deploy:', //                                           16
    '  environment:', //                                    17
    '    name: production', //                              18
    '    url: https://example.com', //                      19
    '  when: manual', //                                    20
    '  id_tokens:', //                                      21
    '    AWS_TOKEN:', //                                    22
    '      aud: https://sts.amazonaws.com', //              23
    '    MULTI:', //                                        24
    '      aud: [a, b]', //                                 25
    '  script: ./deploy.sh', //                             26
    '.hidden:', //                                          27
    '  script: [echo $HIDDEN_TOKEN]', //                    28
    'stages: [build]', //                                   29
  );

  it('reads env, jobs (not hidden ones or keywords), steps, environment, manual and id_tokens with their Locations', async () => {
    const w = await parse(text);
    expect(w.platform).toBe('gitlab-ci');
    expect(w.permissions).toBeUndefined();
    expect(w.env).toEqual([
      { name: 'REGION', value: 'eu-west-1', at: at(2, 3), valueAt: at(2, 11) },
      { name: 'BUCKET', value: 'shop-artifacts', at: at(3, 3), valueAt: at(4, 12) },
    ]);
    expect(w.jobs.map((j) => j.id)).toEqual(['build', 'deploy']);
    const [build, deploy] = w.jobs;
    expect(build).toMatchObject({ id: 'build', at: at(6, 1), environment: { name: 'staging', at: at(9, 3) }, env: [{ name: 'MODE', value: 'release', at: at(8, 5), valueAt: at(8, 11) }] });
    expect(build!.manual).toBeUndefined();
    expect(build!.steps).toEqual([
      { index: 1, name: 'script', at: at(10, 3), run: { text: 'make\necho start\ncurl -u "ci:$DEPLOY_TOKEN" "$URL/$REGION"\n', at: at(10, 3) }, with: [], env: [] },
      { index: 2, name: 'after_script', at: at(15, 3), run: { text: 'echo done', at: at(15, 3) }, with: [], env: [] },
    ]);
    expect(deploy).toMatchObject({ environment: { name: 'production', at: at(17, 3) }, manual: at(20, 3) });
    expect(deploy!.idTokens).toEqual([
      { name: 'AWS_TOKEN', value: 'https://sts.amazonaws.com', at: at(22, 5), valueAt: at(23, 12) },
      { name: 'MULTI', value: 'a, b', at: at(24, 5), valueAt: at(25, 12) },
    ]);
    expect(deploy!.steps).toEqual([{ index: 1, name: 'script', at: at(26, 3), run: { text: './deploy.sh', at: at(26, 3) }, with: [], env: [] }]);
    expect(JSON.parse(JSON.stringify(w))).toEqual(w);
  });

  it('finds a credential variable at the exact line and column of its `$`, inside a block scalar too; not hidden jobs', async () => {
    const w = await parse(text);
    expect(w.secretRefs).toEqual([{ kind: 'named', name: 'DEPLOY_TOKEN', expression: '$DEPLOY_TOKEN', at: at(14, 19), job: 'build', step: 1, section: 'run' }]);
  });

  it('records an implicit push trigger at the first key when there are no workflow rules', async () => {
    expect((await parse(text)).triggers).toEqual([{ event: 'push', implicit: true, at: at(1, 1) }]);
  });

  it('names the identity after a literal `workflow: name:` only', async () => {
    expect((await parsed({ [MAIN]: lines('workflow:', '  name: Nightly', 'j:', '  script: x') })).name).toBe('Nightly');
    expect((await parsed({ [MAIN]: lines('workflow:', '  name: Deploy $CI_COMMIT_REF_NAME', 'j:', '  script: x') })).name).toBeUndefined();
  });
});

describe('parseGitlabPipeline: triggers from workflow rules', () => {
  it('reads $CI_PIPELINE_SOURCE comparisons, merge request and branch tests, skipping `when: never` rules', async () => {
    const w = await parse(
      lines(
        'workflow:', //                                                             1
        '  rules:', //                                                              2
        '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"', //                3
        '    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS', //                4
        '      when: never', //                                                     5
        "    - if: '$CI_PIPELINE_SOURCE =~ /^(schedule|web)$/'", //                 6
        '    - if: $CI_COMMIT_TAG', //                                              7
        '    - if: $CI_PIPELINE_SOURCE == "schedule"', //                           8
        'j:', //                                                                    9
        '  script: x', //                                                           10
      ),
    );
    expect(w.triggers).toEqual([
      { event: 'merge_request_event', at: at(3, 11) },
      { event: 'schedule', at: at(6, 11) },
      { event: 'web', at: at(6, 11) },
      { event: 'push', at: at(7, 11) },
    ]);
  });

  it('reads each `||` alternative; a rule without `if` lets pushes in', async () => {
    expect(pipelineSourcesOf('$CI_MERGE_REQUEST_IID')).toEqual(['merge_request_event']);
    expect(pipelineSourcesOf('$CI_MERGE_REQUEST_ID || $CI_COMMIT_BRANCH == "main"')).toEqual(['merge_request_event', 'push']);
    expect(pipelineSourcesOf('$CI_PIPELINE_SOURCE == "schedule" && $CI_COMMIT_BRANCH')).toEqual(['schedule']);
    expect(pipelineSourcesOf("$CI_PIPELINE_SOURCE != 'merge_request_event' && $CI_COMMIT_BRANCH")).toEqual(['push']);
    expect(pipelineSourcesOf('$CI_COMMIT_TAG == null && $CI_MERGE_REQUEST_IID == null')).toEqual([]);
    expect(pipelineSourcesOf('${CI_PIPELINE_SOURCE} =~ /^(?:api|trigger|pipeline)$/')).toEqual(['api', 'trigger', 'pipeline']);
    expect(pipelineSourcesOf('$DEPLOY == "yes"')).toEqual([]);
    // Set in every branch and tag pipeline: `if: '$CI_COMMIT_REF_NAME'` (a real pipeline's only workflow rule) lets pushes in.
    expect(pipelineSourcesOf('$CI_COMMIT_REF_NAME')).toEqual(['push']);
    expect(pipelineSourcesOf('$CI_COMMIT_REF_SLUG =~ /^release-/')).toEqual(['push']);
    expect(pipelineSourcesOf('$CI_COMMIT_REF_NAME == null')).toEqual([]);
    const w = await parse(lines('workflow:', '  rules:', '    - if: $FOO', '      when: never', '    - when: always', 'j:', '  script: x'));
    expect(w.triggers).toEqual([{ event: 'push', at: at(5, 7) }]);
  });

  it('flattens rules built from `!reference` lists, in workflow and job rules', async () => {
    const w = await parse(
      lines(
        '.mr-rules:', //                                                   1
        '  - if: $CI_PIPELINE_SOURCE == "merge_request_event"', //         2
        '.manual-rules:', //                                               3
        '  - if: $CI_COMMIT_TAG && $RELEASE_PAT', //                       4
        '    when: manual', //                                             5
        'workflow:', //                                                    6
        '  rules:', //                                                     7
        '    - !reference [.mr-rules]', //                                 8
        '    - if: $CI_COMMIT_TAG', //                                     9
        'release:', //                                                     10
        '  rules:', //                                                     11
        '    - !reference [.manual-rules]', //                             12
        '    - when: never', //                                            13
        '  script: x', //                                                  14
      ),
    );
    expect(w.triggers).toEqual([
      { event: 'merge_request_event', at: at(2, 9) },
      { event: 'push', at: at(9, 11) },
    ]);
    expect(w.jobs[0]!.manual).toEqual(at(5, 5));
    expect(w.secretRefs.map(refKey)).toEqual(['named RELEASE_PAT .gitlab-ci.yml:4:27 release - if -']);
  });
});

describe('parseGitlabPipeline: local includes', () => {
  it('reads a string, a list and a map; nested includes; wildcards as GitLab matches them; Locations in each file', async () => {
    const files = {
      [MAIN]: lines(
        'include:', //                          1
        '  - /ci/base.yml', //                  2
        '  - local: ci/jobs/*.yml', //          3
        '  - local: /ci/deep/**.yml', //        4
        'main-job:', //                         5
        '  script: [echo $MAIN_TOKEN]', //      6
      ),
      'ci/base.yml': lines('include: ci/nested.yml', 'base-job:', '  script: echo base'),
      'ci/nested.yml': lines('nested-job:', '  script: echo nested'),
      'ci/jobs/a.yml': lines('a-job:', '  script: echo a'),
      'ci/jobs/b.yml': lines('b-job:', '  script: echo b'),
      'ci/jobs/sub/c.yml': lines('c-job:', '  script: echo c'),
      'ci/deep/d.yml': lines('d-job:', '  script: echo d'),
      'ci/deep/x/e.yml': lines('e-job:', '  script: [echo $E_SECRET]'),
    };
    const p = await parsed(files);
    const w = p.attributes;
    expect(p.warnings).toEqual([]);
    expect(w.files).toEqual([MAIN, 'ci/base.yml', 'ci/nested.yml', 'ci/jobs/a.yml', 'ci/jobs/b.yml', 'ci/deep/d.yml', 'ci/deep/x/e.yml']);
    expect(w.includes).toEqual([
      { kind: 'local', raw: '/ci/base.yml', pinned: false, resolved: true, at: at(2, 5) },
      { kind: 'local', raw: 'ci/nested.yml', pinned: false, resolved: true, at: at(1, 10, 'ci/base.yml') },
      { kind: 'local', raw: 'ci/jobs/*.yml', pinned: false, resolved: true, at: at(3, 5) },
      { kind: 'local', raw: '/ci/deep/**.yml', pinned: false, resolved: true, at: at(4, 5) },
    ]);
    // Included files first (nested before their includer), then the main file.
    expect(w.jobs.map((j) => `${j.id} ${j.at.path}:${j.at.line}`)).toEqual([
      'nested-job ci/nested.yml:1',
      'base-job ci/base.yml:2',
      'a-job ci/jobs/a.yml:1',
      'b-job ci/jobs/b.yml:1',
      'd-job ci/deep/d.yml:1',
      'e-job ci/deep/x/e.yml:1',
      'main-job .gitlab-ci.yml:5',
    ]);
    expect(w.secretRefs.map(refKey)).toEqual(['named E_SECRET ci/deep/x/e.yml:2:17 e-job 1 run -', 'named MAIN_TOKEN .gitlab-ci.yml:6:17 main-job 1 run -']);
  });

  it('matches wildcards like GitLab: * stays in a folder, ** crosses folders, **/ needs one', () => {
    const files = ['ci/a.yml', 'ci/sub/b.yml', 'ci/sub/deeper/c.yml', 'other/ci/d.yml'];
    const match = (p: string) => files.filter((f) => wildcardMatcher(p).test(f));
    expect(match('ci/*.yml')).toEqual(['ci/a.yml']);
    expect(match('ci/**.yml')).toEqual(['ci/a.yml', 'ci/sub/b.yml', 'ci/sub/deeper/c.yml']);
    expect(match('ci/**/*.yml')).toEqual(['ci/sub/b.yml', 'ci/sub/deeper/c.yml']);
    expect(match('**/ci/*.yml')).toEqual(['other/ci/d.yml']);
    expect(wildcardMatcher('c.i/*.yml').test('cxi/a.yml')).toBe(false);
    expect(localIncludePath('/ci/a.yml')).toBe('ci/a.yml');
    expect(localIncludePath('./ci/../ci/a.yml')).toBe('ci/a.yml');
    expect(localIncludePath('../other/a.yml')).toBeUndefined();
    expect(localIncludePath('ci/$CI_COMMIT_REF_NAME.yml')).toBeUndefined();
  });

  it('warns once per missing or broken include, naming the including file, line and path, and builds the rest', async () => {
    const p = await parsed({
      [MAIN]: lines(
        'include:', //                    1
        '  - local: ci/missing.yml', //   2
        '  - ci/broken.yml', //           3
        '  - local: ci/none/*.yml', //    4
        '  - ci/ok.yml', //               5
        'main-job:', //                   6
        '  script: echo main', //         7
      ),
      'ci/broken.yml': lines('job: [unclosed', 'x: 1'),
      'ci/ok.yml': lines('ok-job:', '  script: echo ok'),
    });
    expect(p.warnings).toEqual([
      { kind: 'not-found', path: MAIN, message: 'include at line 2, column 5: local include "ci/missing.yml" not found' },
      { kind: 'parse-error', path: MAIN, message: expect.stringMatching(/^include at line 3, column 5: ci\/broken\.yml: invalid YAML at line \d+, column \d+: /) },
      { kind: 'not-found', path: MAIN, message: 'include at line 4, column 5: no file matches local include "ci/none/*.yml"' },
    ]);
    expect(p.attributes.includes!.map((i) => [i.raw, i.resolved])).toEqual([
      ['ci/missing.yml', false],
      ['ci/broken.yml', false],
      ['ci/none/*.yml', false],
      ['ci/ok.yml', true],
    ]);
    expect(p.attributes.jobs.map((j) => j.id)).toEqual(['ok-job', 'main-job']);
    expect(p.attributes.files).toEqual([MAIN, 'ci/ok.yml']);
  });

  it('stops at include cycles and at the include limit', async () => {
    const cycle = await parsed({
      [MAIN]: lines('include: a.yml', 'main-job:', '  script: x'),
      'a.yml': lines('include: b.yml', 'a-job:', '  script: x'),
      'b.yml': lines('include: [a.yml, .gitlab-ci.yml]', 'b-job:', '  script: x'),
    });
    expect(cycle.attributes.jobs.map((j) => j.id)).toEqual(['b-job', 'a-job', 'main-job']);
    expect(cycle.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'b.yml: include at line 1, column 11: "a.yml" is already being read (an include cycle); not read again',
      'b.yml: include at line 1, column 18: ".gitlab-ci.yml" is already being read (an include cycle); not read again',
    ]);

    const many: Record<string, string> = { [MAIN]: lines('include:', ...Array.from({ length: MAX_INCLUDES + 10 }, (_, i) => `  - f${i}.yml`), 'j:', '  script: x') };
    for (let i = 0; i < MAX_INCLUDES + 10; i++) many[`f${i}.yml`] = lines(`job${i}:`, '  script: x');
    const capped = await parsed(many);
    expect(capped.attributes.includes).toHaveLength(MAX_INCLUDES);
    expect(capped.attributes.jobs).toHaveLength(MAX_INCLUDES + 1);
    expect(capped.warnings).toEqual([{ kind: 'parse-error', path: MAIN, message: `include at line ${MAX_INCLUDES + 2}, column 5: more than ${MAX_INCLUDES} includes; the rest are not read` }]);
  });

  it('merges a job defined again in a later file key by key (maps deep-merged, lists replaced), each part keeping its file', async () => {
    const w = await parse({
      [MAIN]: lines(
        'include: ci/base.yml', //        1
        'build:', //                      2
        '  variables:', //                3
        '    MODE: debug', //             4
        '  script: [make debug]', //      5
      ),
      'ci/base.yml': lines(
        'build:', //                      1
        '  variables:', //                2
        '    MODE: release', //           3
        '    CACHE: "on"', //             4
        '  environment: ci', //           5
        '  script: [make, make test]', // 6
      ),
    });
    const [build] = w.jobs;
    expect(build!.at).toEqual(at(2, 1));
    expect(build!.env).toEqual([
      { name: 'MODE', value: 'debug', at: at(4, 5), valueAt: at(4, 11) },
      { name: 'CACHE', value: 'on', at: at(4, 5, 'ci/base.yml'), valueAt: at(4, 12, 'ci/base.yml') },
    ]);
    expect(build!.environment).toEqual({ name: 'ci', at: at(5, 3, 'ci/base.yml') });
    expect(build!.steps.map((s) => [s.run!.text, s.at])).toEqual([['make debug', at(5, 3)]]);
  });
});

describe('parseGitlabPipeline: other includes are recorded, never read', () => {
  it('reads remote, project, template and component entries and whether they are pinned', async () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const w = await parse(
      lines(
        'include:', //                                                      1
        '  - https://example.com/ci/a.yml', //                              2
        '  - remote: https://example.com/ci/b.yml', //                      3
        '    integrity: sha256-ZmFrZS1pbnRlZ3JpdHktZm9yLXRlc3Rz', // 4
        '  - project: acme/templates', //                                   5
        `    ref: ${sha}`, //                                               6
        '    file: [/a.yml, /b.yml]', //                                    7
        '  - project: acme/templates', //                                   8
        '    ref: main', //                                                 9
        '    file: /c.yml', //                                              10
        '  - project: acme/templates', //                                   11
        '    file: /d.yml', //                                              12
        '  - template: Security/SAST.gitlab-ci.yml', //                     13
        '  - component: $CI_SERVER_FQDN/acme/lint/eslint@1.2.0', //         14
        `  - component: gitlab.example.com/acme/lint/eslint@${sha}`, //     15
        'j:', //                                                            16
        '  script: x', //                                                   17
      ),
    );
    expect(w.includes).toEqual([
      { kind: 'remote', raw: 'https://example.com/ci/a.yml', pinned: false, at: at(2, 5) },
      { kind: 'remote', raw: 'https://example.com/ci/b.yml', pinned: true, at: at(3, 5) },
      { kind: 'project', raw: 'acme/templates:/a.yml,/b.yml', ref: sha, pinned: true, at: at(5, 5) },
      { kind: 'project', raw: 'acme/templates:/c.yml', ref: 'main', pinned: false, at: at(8, 5) },
      { kind: 'project', raw: 'acme/templates:/d.yml', pinned: false, at: at(11, 5) },
      { kind: 'template', raw: 'Security/SAST.gitlab-ci.yml', pinned: false, at: at(13, 5) },
      { kind: 'component', raw: '$CI_SERVER_FQDN/acme/lint/eslint@1.2.0', ref: '1.2.0', pinned: false, at: at(14, 5) },
      { kind: 'component', raw: `gitlab.example.com/acme/lint/eslint@${sha}`, ref: sha, pinned: true, at: at(15, 5) },
    ]);
    expect(w.files).toEqual([MAIN]);
  });

  it('reads the references in an include’s inputs as values it is given (`with`), at their place', async () => {
    const w = await parse(
      lines(
        'include:', //                                                      1
        '  - component: $CI_SERVER_FQDN/acme/release/run@v0.9.0', //        2
        '    inputs:', //                                                   3
        '      stage: release', //                                          4
        '      token: $RELEASE_BOT_TOKEN', //                               5
        '      extra: { auth: "${REGISTRY_PASSWORD}" }', //                 6
        '  - project: acme/templates', //                                   7
        '    file: /deploy.yml', //                                         8
        '    inputs:', //                                                   9
        '      region: $DEPLOY_REGION', //                                  10
        '      api_key: $DEFINED_API_KEY', //                               11
        'variables:', //                                                    12
        '  DEFINED_API_KEY: not-a-stored-one', //                           13
        'j:', //                                                            14
        '  script: x', //                                                   15
      ),
    );
    expect(w.secretRefs.map(refKey)).toEqual([
      'named RELEASE_BOT_TOKEN .gitlab-ci.yml:5:14 - - with token',
      'named REGISTRY_PASSWORD .gitlab-ci.yml:6:23 - - with extra',
    ]);
  });

  it('records the includes of a file included twice (with other inputs) once', async () => {
    const w = await parse({
      [MAIN]: lines(
        'include:',
        '  - local: ci/qa.yml',
        '    inputs: { full: true }',
        '  - local: ci/qa.yml',
        '    inputs: { full: false }',
        'j:',
        '  script: x',
      ),
      'ci/qa.yml': lines('spec:', '  inputs:', '    full:', '      type: boolean', '---', 'include:', '  - component: gitlab.example.com/acme/review/danger@2.1.0', 'qa:', '  script: run-qa'),
    });
    expect(w.includes!.map((i) => `${i.kind} ${i.raw} ${i.at.path}:${i.at.line}`)).toEqual([
      'local ci/qa.yml .gitlab-ci.yml:2',
      'component gitlab.example.com/acme/review/danger@2.1.0 ci/qa.yml:7',
      'local ci/qa.yml .gitlab-ci.yml:4',
    ]);
  });

  it('reads `include:` given as a single map', async () => {
    const w = await parse(lines('include:', '  template: Auto-DevOps.gitlab-ci.yml', 'j:', '  script: x'));
    expect(w.includes).toEqual([{ kind: 'template', raw: 'Auto-DevOps.gitlab-ci.yml', pinned: false, at: at(2, 3) }]);
  });
});

describe('parseGitlabPipeline: extends, !reference and default', () => {
  const files = {
    [MAIN]: lines(
      'include: ci/templates.yml', //                        1
      'default:', //                                          2
      '  image: alpine:3.20', //                              3
      '  before_script: [echo default-before]', //            4
      '  after_script:', //                                   5
      '    - !reference [.cleanup, script]', //               6
      'test:', //                                             7
      '  extends: [.base, .with-vars]', //                    8
      '  variables:', //                                      9
      '    OWN: "1"', //                                      10
      '  script:', //                                         11
      '    - !reference [.setup, script]', //                 12
      '    - !reference [.missing, script]', //               13
      '    - npm test', //                                    14
      'lint:', //                                             15
      '  inherit:', //                                        16
      '    default: false', //                                17
      '  script: [npm run lint]', //                          18
      'only-after:', //                                       19
      '  inherit:', //                                        20
      '    default: [after_script]', //                       21
      '  variables: !reference [.with-vars, variables]', //   22
      '  script: [x]', //                                     23
    ),
    'ci/templates.yml': lines(
      '.setup:', //                                           1
      '  script:', //                                         2
      '    - echo "setup with $SETUP_TOKEN"', //              3
      '    - !reference [.more, script]', //                  4
      '.more:', //                                            5
      '  script: [echo more]', //                             6
      '.base:', //                                            7
      '  extends: .root', //                                  8
      '  before_script: [echo base-before]', //               9
      '  script: [echo base]', //                             10
      '.root:', //                                            11
      '  environment: root-env', //                           12
      '  when: manual', //                                    13
      '.with-vars:', //                                       14
      '  variables:', //                                      15
      '    FROM_TEMPLATE: "yes"', //                          16
      '.cleanup:', //                                         17
      '  script: [echo cleanup]', //                          18
    ),
  };

  it('applies extends recursively across files, own keys winning; resolves references; adds defaults the job lacks', async () => {
    const w = await parse(files);
    expect(w.jobs.map((j) => j.id)).toEqual(['test', 'lint', 'only-after']);
    const [test, lint, onlyAfter] = w.jobs;
    expect(test).toMatchObject({ environment: { name: 'root-env', at: at(12, 3, 'ci/templates.yml') }, manual: at(13, 3, 'ci/templates.yml') });
    expect(test!.env.map((e) => [e.name, e.value, e.at.path])).toEqual([
      ['FROM_TEMPLATE', 'yes', 'ci/templates.yml'],
      ['OWN', '1', MAIN],
    ]);
    expect(test!.steps.map((s) => [s.name, s.run!.text, s.at])).toEqual([
      ['before_script', 'echo base-before', at(9, 3, 'ci/templates.yml')],
      ['script', 'echo "setup with $SETUP_TOKEN"\necho more\nnpm test', at(11, 3)],
      ['after_script', 'echo cleanup', at(5, 3)],
    ]);
    expect(lint!.steps.map((s) => s.name)).toEqual(['script']);
    expect(onlyAfter!.steps.map((s) => s.name)).toEqual(['script', 'after_script']);
    expect(onlyAfter!.env.map((e) => [e.name, e.at])).toEqual([['FROM_TEMPLATE', at(16, 5, 'ci/templates.yml')]]);
    // The reference in .setup is reported in the job that uses it, at the template's line.
    expect(w.secretRefs.map(refKey)).toEqual(['named SETUP_TOKEN ci/templates.yml:3:24 test 1 run -']);
  });

  it('survives extends and reference cycles', async () => {
    const w = await parse(
      lines('.a:', '  extends: .b', '  script: [!reference [.b, script]]', '.b:', '  extends: .a', '  script: [!reference [.a, script]]', 'job:', '  extends: .a', '  variables: {X: "1"}'),
    );
    expect(w.jobs.map((j) => j.id)).toEqual(['job']);
    expect(w.jobs[0]!.env.map((e) => e.name)).toEqual(['X']);
  });

  it('follows YAML anchors and `<<:` merge keys', async () => {
    const w = await parse(
      lines(
        '.defaults: &defaults', //                  1
        '  environment: prod', //                   2
        '  script:', //                             3
        '    - deploy --token "$PROD_API_KEY"', //  4
        'deploy-eu:', //                            5
        '  <<: *defaults', //                       6
        '  variables: {REGION: eu}', //             7
        'deploy-us:', //                            8
        '  <<: *defaults', //                       9
        '  environment: prod-us', //                10
      ),
    );
    expect(w.jobs.map((j) => [j.id, j.environment?.name, j.steps[0]?.at.line])).toEqual([
      ['deploy-eu', 'prod', 3],
      ['deploy-us', 'prod-us', 3],
    ]);
    expect(w.secretRefs.map(refKey)).toEqual(['named PROD_API_KEY .gitlab-ci.yml:4:23 deploy-eu 1 run -', 'named PROD_API_KEY .gitlab-ci.yml:4:23 deploy-us 1 run -']);
  });
});

describe('parseGitlabPipeline: secret references', () => {
  it('counts credential-named variables the file does not define and GitLab does not predefine, with their place', async () => {
    const w = await parse(
      lines(
        'variables:', //                                                        1
        '  GLOBAL_TOKEN: "set-here"', //                                        2
        '  NEEDS: $UPSTREAM_SECRET', //                                         3
        'workflow:', //                                                         4
        '  rules:', //                                                          5
        '    - if: $RELEASE_TOKEN', //                                          6
        'job:', //                                                              7
        '  image: registry.example.com/img:$IMAGE_TAG', //                      8
        '  variables:', //                                                      9
        '    JOB_PASSWORD: literal', //                                         10
        '    AUTH_HEADER: "Bearer ${API_KEY}"', //                              11
        '  rules:', //                                                          12
        '    - if: $SONAR_TOKEN', //                                            13
        '  secrets:', //                                                        14
        '    DB_PASSWORD:', //                                                  15
        '      vault: db/password@ops', //                                      16
        '  script:', //                                                         17
        '    - echo $GLOBAL_TOKEN $JOB_PASSWORD $DB_PASSWORD $GITLAB_USER_LOGIN', // 18
        '    - echo $CI_REGISTRY_PASSWORD $HOME $$ESCAPED_TOKEN $MONKEY $KEYBOARD', // 19
        '    - git clone "https://gitlab-ci-token:${CI_JOB_TOKEN}@gitlab.example.com/x.git"', // 20
        '    - echo %WIN_PASSWORD% $env:PS_SECRET $GITLAB_TOKEN', //            21
      ),
    );
    expect(w.secretRefs.map(refKey)).toEqual([
      'named UPSTREAM_SECRET .gitlab-ci.yml:3:10 - - env NEEDS',
      'named RELEASE_TOKEN .gitlab-ci.yml:6:11 - - if -',
      'named API_KEY .gitlab-ci.yml:11:26 job - env AUTH_HEADER',
      'named SONAR_TOKEN .gitlab-ci.yml:13:11 job - if -',
      'job-token - .gitlab-ci.yml:20:42 job 1 run -',
      'named WIN_PASSWORD .gitlab-ci.yml:21:12 job 1 run -',
      'named PS_SECRET .gitlab-ci.yml:21:27 job 1 run -',
      'named GITLAB_TOKEN .gitlab-ci.yml:21:42 job 1 run -',
      'named DB_PASSWORD .gitlab-ci.yml:15:5 job - secrets DB_PASSWORD',
    ]);
    const token = w.secretRefs.find((r) => r.kind === 'job-token')!;
    expect(token.expression).toBe('${CI_JOB_TOKEN}');
    expect(token.name).toBeUndefined();
  });

  it('keeps exact positions in folded and quoted scalars', async () => {
    const w = await parse(
      lines(
        'job:', //                                       1
        '  script:', //                                  2
        '    - >', //                                    3
        '      curl', //                                 4
        '      -H "PRIVATE-TOKEN: $PAT_TOKEN"', //        5
        '    - "echo \\"$OTHER_SECRET\\""', //            6
      ),
    );
    expect(w.secretRefs.map((r) => [r.name, r.at.line, r.at.column])).toEqual([
      ['PAT_TOKEN', 5, 26],
      ['OTHER_SECRET', 6, 15],
    ]);
  });

  it('does not count ID tokens, parallel matrix variables or rule variables the job defines', async () => {
    const w = await parse(
      lines(
        'job:',
        '  id_tokens:',
        '    VAULT_ID_TOKEN: {aud: https://vault.example.com}',
        '  parallel:',
        '    matrix:',
        '      - SIGNING_KEY: [a, b]',
        '  rules:',
        '    - if: $CI_COMMIT_TAG',
        '      variables: {RELEASE_AUTH: "x"}',
        '  script: [use $VAULT_ID_TOKEN $SIGNING_KEY $RELEASE_AUTH]',
      ),
    );
    expect(w.secretRefs).toEqual([]);
  });

  it('finds references as written', () => {
    expect(variableRefsIn('a $X ${Y} $$Z $env:W %V% ${U:-d}', 0)).toEqual([
      { name: 'X', expression: '$X', offset: 2 },
      { name: 'Y', expression: '${Y}', offset: 5 },
      { name: 'W', expression: '$env:W', offset: 14 },
      { name: 'V', expression: '%V%', offset: 21 },
      // The default is a literal the file holds: not kept.
      { name: 'U', expression: '${U}', offset: 25 },
    ]);
    // A sed placeholder or a path segment is not a cmd variable; a cmd line's `%V%` between spaces or quotes is.
    expect(variableRefsIn("sed -i 's/%TERRAFORM_TOKEN%/x/' main.tf; curl https://h/%VERSION%/a", 0)).toEqual([]);
    expect(variableRefsIn('set "TOKEN=%DEPLOY_TOKEN%"', 0).map((r) => r.name)).toEqual(['DEPLOY_TOKEN']);
    expect(isPredefinedVariable('CI_DEPLOY_PASSWORD')).toBe(true);
    expect(isPredefinedVariable('GITLAB_USER_EMAIL')).toBe(true);
    expect(isPredefinedVariable('GITLAB_TOKEN')).toBe(false);
  });

  it('reads credential names on whole `_`-separated parts', () => {
    expect(CREDENTIAL_NAME_PARTS).toEqual(expect.arrayContaining(['TOKEN', 'SECRET', 'PASSWORD', 'KEY', 'AUTH', 'KUBECONFIG', 'DSN', 'WEBHOOK']));
    for (const name of ['API_KEY', 'AWS_SECRET_ACCESS_KEY', 'SSH_PRIVATE_KEY', 'NPM_TOKEN', 'DB_PASS', 'DB_PWD', 'PASSWORD', 'KUBECONFIG', 'AZURE_STORAGE_SAS', 'DB_CONN_STR', 'MONGO_CONNECTION_STRING', 'SENTRY_DSN', 'SLACK_WEBHOOK', 'DOCKER_AUTH_CONFIG', 'TLS_CERT', 'GCP_CREDENTIALS', 'token2', 'GH_PAT']) {
      expect(isCredentialName(name), name).toBe(true);
    }
    for (const name of ['MONKEY', 'KEYBOARD', 'AUTHOR', 'PASSAGE', 'TOKENIZER', 'REGION', 'DEPLOY_BUCKET', 'CONNECTION', 'STRING', 'IMAGE_TAG']) {
      expect(isCredentialName(name), name).toBe(false);
    }
  });
});

describe('parseGitlabPipeline: manual jobs', () => {
  it('is manual when every rule that can run the job says so', async () => {
    const w = await parse(
      lines(
        'a:', //                                       1
        '  rules:', //                                 2
        '    - if: $CI_COMMIT_TAG', //                 3
        '      when: manual', //                       4
        '    - when: never', //                        5
        '  script: x', //                              6
        'b:', //                                       7
        '  rules:', //                                 8
        '    - if: $CI_COMMIT_TAG', //                 9
        '    - if: $CI_COMMIT_BRANCH', //              10
        '      when: manual', //                       11
        '  script: x', //                              12
        'c:', //                                       13
        '  when: manual', //                           14
        '  rules:', //                                 15
        '    - if: $CI_COMMIT_TAG', //                 16
        '  script: x', //                              17
        'd:', //                                       18
        '  when: on_success', //                       19
        '  script: x', //                              20
      ),
    );
    expect(w.jobs.map((j) => [j.id, j.manual ?? null])).toEqual([
      ['a', at(4, 7)],
      ['b', null],
      ['c', at(14, 3)],
      ['d', null],
    ]);
  });
});

describe('parseGitlabPipeline: file shapes', () => {
  it('reads the pipeline after a `spec:` header document', async () => {
    const w = await parse(
      lines(
        'spec:', //                                      1
        '  inputs:', //                                  2
        '    stage:', //                                 3
        '      default: test', //                        4
        '---', //                                        5
        'scan:', //                                      6
        '  stage: $[[ inputs.stage ]]', //               7
        '  script: [scan --key "$SCANNER_API_KEY"]', //  8
      ),
    );
    expect(w.jobs.map((j) => [j.id, j.at])).toEqual([['scan', at(6, 1)]]);
    expect(w.triggers).toEqual([{ event: 'push', implicit: true, at: at(6, 1) }]);
    expect(w.secretRefs.map((r) => [r.name, r.at])).toEqual([['SCANNER_API_KEY', at(8, 24)]]);
  });

  it('gives one clear error for broken, empty, misshapen and binary files', async () => {
    const error = async (text: string) => {
      const p = await parseGitlabFiles({ [MAIN]: text });
      return p.ok ? 'ok' : p.error;
    };
    expect(await error('job:\n  script: [a\n')).toMatch(/^invalid YAML at line \d+, column \d+: /);
    expect(await error('')).toBe('empty file');
    expect(await error('\n# only a comment\n')).toBe('empty file');
    expect(await error('- a\n- b\n')).toBe('not a GitLab CI configuration: the file is not a YAML mapping');
    expect(await error('just text')).toBe('not a GitLab CI configuration: the file is not a YAML mapping');
    expect(await error('spec:\n  inputs: {}\n---\n')).toBe('no configuration after the `spec:` header');
    expect(await error('job:\0\x01\x02')).toBe('binary file, not YAML');
    expect(await error('\uFEFFjob:\n  script: x\n')).toBe('ok');
  });

  it('warns about a script item YAML reads as a mapping (an unquoted `: `), naming file, line and jobs, and keeps the line', async () => {
    const p = await parsed({
      [MAIN]: lines(
        'include: ci/release.yml', //                                  1
        'default:', //                                                 2
        '  before_script:', //                                         3
        '    - echo start', //                                         4
        'lint:', //                                                    5
        '  script:', //                                                6
        '    - npm run lint', //                                       7
        "    - 'echo \"done: ok\"'", //                                8 (quoted: a string)
        'a:', //                                                       9
        '  extends: .bump', //                                         10
        'b:', //                                                       11
        '  extends: .bump', //                                         12
      ),
      'ci/release.yml': lines(
        '.bump:', //                                                   1
        '  script:', //                                                2
        '    - git add -A', //                                         3
        '    - git commit -am "chore: bump version"', //               4
        '    - - curl -H "PRIVATE-TOKEN: $RELEASE_TOKEN" "$CI_API_V4_URL/projects"', // 5 (nested list)
      ),
    });
    expect(p.warnings).toEqual([
      {
        kind: 'parse-error',
        path: 'ci/release.yml',
        message:
          'line 4, column 7: a script item of jobs a, b is a YAML mapping, not a string (an unquoted ": " after `git commit -am "chore`); GitLab rejects the pipeline ("script config should be a string or a nested array of strings"); quote the line. Read as written.',
      },
      {
        kind: 'parse-error',
        path: 'ci/release.yml',
        message: expect.stringMatching(/^line 5, column 9: a script item of jobs a, b is a YAML mapping, not a string \(an unquoted ": " after `curl -H "PRIVATE-TOKEN`\); /),
      },
    ]);
    const byId = new Map(p.attributes.jobs.map((j) => [j.id, j]));
    expect(byId.get('a')!.steps.map((s) => s.run!.text)).toEqual([
      'echo start',
      'git add -A\ngit commit -am "chore: bump version"\ncurl -H "PRIVATE-TOKEN: $RELEASE_TOKEN" "$CI_API_V4_URL/projects"',
    ]);
    expect(byId.get('lint')!.steps[1]!.run!.text).toBe('npm run lint\necho "done: ok"');
    expect(p.attributes.secretRefs.map(refKey)).toEqual(['named RELEASE_TOKEN ci/release.yml:5:33 a 1 run -', 'named RELEASE_TOKEN ci/release.yml:5:33 b 1 run -']);
  });

  it('lets a key written twice win the second time, as GitLab does', async () => {
    const w = await parse(lines('job:', '  script: first', 'job:', '  script: second'));
    expect(w.jobs.map((j) => [j.id, j.steps[0]!.run!.text, j.at.line])).toEqual([['job', 'second', 3]]);
  });

  it('stays bounded on an alias bomb', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    bomb.push('job:', '  variables: {X: $SOME_TOKEN}', '  script: *l');
    const started = Date.now();
    const w = await parse(lines(...bomb));
    expect(w.jobs.map((j) => j.id)).toEqual(['job']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps nhi:allow lines of the main file', async () => {
    const w = await parse(lines('job:', '  script: [echo $A_TOKEN] # nhi:allow', '  stage: test'));
    expect(w.allowedLines).toEqual([2]);
  });
});

describe('parseGitlabPipeline: variables the scripts set themselves', () => {
  it('does not count a variable a script sets before reading it, in an earlier line or after a separator', async () => {
    const parsed = await parseGitlabFiles({
      '.gitlab-ci.yml': [
        'docs:',
        '  before_script:',
        '    - export DOCS_TOKEN="$(vault kv get -field=token ci/docs)"',
        '  script:',
        '    - curl -H "PRIVATE-TOKEN: $DOCS_TOKEN" https://gitlab.example.com/api/v4/projects',
        '    - read -r ROLE_SECRET < secret.txt; ./login.sh "$ROLE_SECRET"',
        '    - ./deploy.sh "$DEPLOY_TOKEN"',
        '    - DEPLOY_TOKEN=$DEPLOY_TOKEN ./again.sh',
        '    - echo "$LATE_TOKEN"',
        '    - export LATE_TOKEN=x',
        '',
      ].join('\n'),
    });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.attributes.secretRefs.map((r) => `${r.name}@${r.at.line}`)).toEqual(['DEPLOY_TOKEN@7', 'DEPLOY_TOKEN@8', 'LATE_TOKEN@9']);
  });
});

describe('parseGitlabPipeline: adversarial input ends, and says when it was cut short', () => {
  it('reads `read` with many options, and wildcards with many stars, without backtracking', () => {
    expect(scriptAssigned(`read ${'-a '.repeat(60)}!`)).toEqual([]);
    expect(scriptAssigned('read -r -p "Token: " TOKEN').map((a) => a.name)).toEqual(['TOKEN']);
    expect(wildcardMatcher(`${'**a'.repeat(12)}b.yml`).test(`${'a'.repeat(60)}.yml`)).toBe(false);
    expect(wildcardMatcher('ci/***/*.yml').test('ci/x/a.yml')).toBe(true);
  });

  it('merges each template once, however often templates extend one another', async () => {
    // Eight levels (GitLab allows eleven), each extending the next six times over: 6^7 merges without memoising.
    const templates = Array.from({ length: 8 }, (_, i) =>
      i < 7 ? `.l${i}:\n  extends: [${Array(6).fill(`.l${i + 1}`).join(', ')}]\n  variables: { V${i}: x }` : `.l${i}:\n  script: [make]`,
    );
    const p = await parseGitlabFiles({ '.gitlab-ci.yml': `${templates.join('\n')}\njob:\n  extends: .l0\n` });
    if (!p.ok) throw new Error(p.error);
    expect(p.attributes.jobs.map((j) => [j.id, j.steps.map((s) => s.run?.text)])).toEqual([['job', ['make']]]);
  });

  it('warns when a pipeline is too large to read whole, rather than dropping jobs silently', async () => {
    const base = `.base:\n  script: [make]\n  variables:\n${Array.from({ length: 400 }, (_, i) => `    V${i}: v`).join('\n')}\n`;
    const jobs = Array.from({ length: 1500 }, (_, i) => `j${i}:\n  extends: .base\n`).join('');
    const p = await parseGitlabFiles({ '.gitlab-ci.yml': base + jobs });
    if (!p.ok) throw new Error(p.error);
    const stepless = p.attributes.jobs.filter((j) => j.steps.length === 0).length;
    if (stepless > 0) expect(p.warnings.map((w) => w.message)).toEqual([expect.stringContaining('too large to read whole')]);
    else expect(p.warnings).toEqual([]);
  });
});

describe('parseGitlabPipeline: the condition a job runs under', () => {
  it('joins the if: of the rules that can run it; none when a rule without if: can', async () => {
    const p = await parseGitlabFiles({
      '.gitlab-ci.yml': [
        'a:',
        '  rules:',
        '    - if: $CI_COMMIT_TAG',
        '      when: never',
        '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
        '    - if: $CI_PIPELINE_SOURCE == "schedule"',
        '  script: [x]',
        'b:',
        '  rules:',
        '    - if: $CI_COMMIT_BRANCH == "main"',
        '    - when: manual',
        '  script: [x]',
        'c:',
        '  script: [x]',
        '',
      ].join('\n'),
    });
    if (!p.ok) throw new Error(p.error);
    expect(p.attributes.jobs.map((j) => [j.id, j.if?.text, j.if?.at.line])).toEqual([
      ['a', '($CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH) || ($CI_PIPELINE_SOURCE == "schedule")', 5],
      ['b', undefined, undefined],
      ['c', undefined, undefined],
    ]);
  });
});
