import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fixtureInventory, gitlabInventory, ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './long-lived-cloud-key-in-ci.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const W = '.github/workflows/w.yml';
const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.evidence?.cloud, f.evidence?.keys];
const run = (text: string) => rule.evaluate(workflowInventory({ [W]: text }), ruleCtx());
const SHA = '0f3c4a1d2b5e6f708192a3b4c5d6e7f8091a2b3c';

describe('long-lived-cloud-key-in-ci: fires', () => {
  it('on the fixture repository’s S3 upload fed AWS keys through env', async () => {
    const { inventory } = await fixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([['.github/workflows/deploy.yml', 34, 11, 'aws', 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY']]);
    expect(findings[0]).toMatchObject({
      ruleId: 'long-lived-cloud-key-in-ci',
      severity: 'high',
      resource: { id: '.github/workflows/deploy.yml', kind: 'workflow', provider: 'github', name: 'Deploy' },
      evidence: { job: 'deploy', step: 2, uses: 'jakejarvis/s3-sync-action@master' },
    });
  });

  it('on the login actions’ static-key inputs, for AWS, Google Cloud and Azure, at the first key', () => {
    const findings = run(
      lines(
        'on: push',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        `      - uses: aws-actions/configure-aws-credentials@${SHA} # v4`,
        '        with:',
        '          aws-access-key-id: ${{ secrets.AWS_KEY_ID }}',
        '          aws-secret-access-key: ${{ secrets.AWS_SECRET }}',
        '          aws-region: eu-west-1',
        '      - uses: google-github-actions/auth@v2',
        '        with:',
        '          credentials_json: ${{ secrets.GCP_SA_KEY }}',
        '      - uses: azure/login@v2',
        '        with:',
        '          creds: ${{ secrets.AZURE_CREDENTIALS }}',
        '      - uses: azure/login@v2',
        '        with:',
        '          creds: \'{"clientId": "${{ vars.AZ_CLIENT }}", "clientSecret": "${{ secrets.AZ_SECRET }}", "tenantId": "${{ vars.AZ_TENANT }}"}\'',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 8, 11, 'aws', 'aws-access-key-id, aws-secret-access-key'],
      [W, 13, 11, 'gcp', 'credentials_json'],
      [W, 16, 11, 'azure', 'creds'],
      [W, 19, 11, 'azure', 'creds'],
    ]);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(4);
    expect(findings[0]!.message).toContain('role-to-assume');
  });

  it('on key variables in workflow, job and step env taken from secrets or vars, one finding per cloud per place', () => {
    const findings = run(
      lines(
        'on: push',
        'env:',
        '  GOOGLE_CREDENTIALS: ${{ secrets.GOOGLE_CREDENTIALS }}',
        'jobs:',
        '  tf:',
        '    runs-on: ubuntu-latest',
        '    env:',
        '      ARM_CLIENT_ID: ${{ vars.ARM_CLIENT_ID }}',
        '      ARM_CLIENT_SECRET: ${{ secrets.ARM_CLIENT_SECRET }}',
        '    steps:',
        '      - run: terraform apply -auto-approve',
        '        env:',
        '          AWS_ACCESS_KEY_ID: ${{ vars.AWS_ACCESS_KEY_ID }}',
        '          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}',
        '          AZURE_CLIENT_SECRET: ${{ secrets.AZURE_CLIENT_SECRET }} # nhi:allow being migrated, see INFRA-12',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 3, 3, 'gcp', 'GOOGLE_CREDENTIALS'],
      [W, 9, 7, 'azure', 'ARM_CLIENT_SECRET'],
      [W, 13, 11, 'aws', 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY'],
      [W, 15, 11, 'azure', 'AZURE_CLIENT_SECRET'],
    ]);
    expect(findings.map((f) => f.allowedInline ?? false)).toEqual([false, false, false, true]);
  });

  it('in composite actions too', () => {
    const findings = rule.evaluate(
      workflowInventory({
        '.github/actions/login/action.yml': lines(
          'name: Login',
          'runs:',
          '  using: composite',
          '  steps:',
          '    - uses: aws-actions/configure-aws-credentials@v4',
          '      with:',
          '        aws-access-key-id: ${{ inputs.key-id }}',
          '        aws-secret-access-key: ${{ inputs.secret }}',
        ),
      }),
      ruleCtx(),
    );
    expect(findings.map(brief)).toEqual([['.github/actions/login/action.yml', 7, 9, 'aws', 'aws-access-key-id, aws-secret-access-key']]);
  });
});

describe('long-lived-cloud-key-in-ci: stays silent', () => {
  it('on OIDC federation with the same actions', () => {
    expect(
      run(
        lines(
          'on: push',
          'permissions: {id-token: write, contents: read}',
          'jobs:',
          '  deploy:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: aws-actions/configure-aws-credentials@v4',
          '        with: {role-to-assume: "arn:aws:iam::111122223333:role/deploy", aws-region: eu-west-1}',
          '      - uses: google-github-actions/auth@v2',
          '        with:',
          '          workload_identity_provider: projects/123456789/locations/global/workloadIdentityPools/github/providers/repo',
          '          service_account: deploy@example-project.iam.gserviceaccount.com',
          '      - uses: azure/login@v2',
          '        with:',
          '          client-id: ${{ vars.AZURE_CLIENT_ID }}',
          '          tenant-id: ${{ vars.AZURE_TENANT_ID }}',
          '          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
        ),
      ),
    ).toEqual([]);
  });

  it('on AWS-style keys for an S3-compatible store (an AWS_ENDPOINT_URL… in effect), while AWS keys beside it still fire', () => {
    const findings = run(
      lines(
        'on: push',
        'env: {AWS_ENDPOINT_URL_S3: "${{ vars.R2_ENDPOINT }}"}',
        'jobs:',
        '  mirror:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: aws s3 sync dist/ s3://mirror',
        '        env:',
        '          AWS_ACCESS_KEY_ID: ${{ secrets.R2_KEY_ID }}',
        '          AWS_SECRET_ACCESS_KEY: ${{ secrets.R2_SECRET }}',
        '  other:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: gcloud storage ls',
        '        env: {GOOGLE_CREDENTIALS: "${{ secrets.GCP_KEY }}"}',
      ),
    );
    expect(findings.map(brief)).toEqual([['.github/workflows/w.yml', 15, 15, 'gcp', 'GOOGLE_CREDENTIALS']]);
  });

  it('on AWS-style keys whose scripts name another S3-compatible endpoint (--endpoint-url), but not an amazonaws.com one', () => {
    const job = (endpoint: string) =>
      lines(
        'on: push',
        'jobs:',
        '  upload:',
        '    runs-on: ubuntu-latest',
        '    env:',
        '      AWS_ACCESS_KEY_ID: ${{ secrets.CEPH_KEY_ID }}',
        '      AWS_SECRET_ACCESS_KEY: ${{ secrets.CEPH_SECRET }}',
        '    steps:',
        `      - run: aws --endpoint-url ${endpoint} s3 cp build.tgz s3://nightly/`,
      );
    expect(run(job('https://rgw.example.org'))).toEqual([]);
    expect(run(job('"${{ vars.S3_ENDPOINT }}"'))).toEqual([]);
    expect(run(job('https://s3.eu-west-1.amazonaws.com')).map(brief)).toEqual([['.github/workflows/w.yml', 6, 7, 'aws', 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY']]);
  });

  it('on credentials minted during the run, non-secret names, and the fixture’s OIDC deploy', async () => {
    expect(
      run(
        lines(
          'on: push',
          'jobs:',
          '  j:',
          '    runs-on: ubuntu-latest',
          '    env: {AWS_REGION: eu-west-1, AWS_ROLE_ARN: "${{ vars.ROLE }}"}',
          '    steps:',
          '      - id: creds',
          '        run: ./mint-credentials.sh',
          '      - run: aws s3 ls',
          '        env:',
          '          AWS_ACCESS_KEY_ID: ${{ steps.creds.outputs.key-id }}',
          '          AWS_SECRET_ACCESS_KEY: ${{ steps.creds.outputs.secret }}',
        ),
      ),
    ).toEqual([]);
    const { inventory } = await fixtureInventory();
    expect(rule.evaluate(inventory, ruleCtx()).filter((f) => f.location?.path === '.github/workflows/deploy-oidc.yml')).toEqual([]);
  });
});

describe('long-lived-cloud-key-in-ci on GitLab CI', () => {
  const loc = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.evidence?.job ?? '', f.evidence?.keys];

  it('fires on static key variables a job reads or sets from CI/CD variables, in the file each came from', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': [
        'include:',
        '  - local: ci/deploy.yml',
        'variables:',
        '  GOOGLE_CREDENTIALS: $GCP_DEPLOY_KEY_JSON',
        'test:',
        '  script:',
        '    - npm test',
        '',
      ].join('\n'),
      'ci/deploy.yml': [
        'deploy:',
        '  script:',
        '    - aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"',
        '    - aws s3 sync dist/ s3://bucket/',
        'az:',
        '  variables:',
        '    ARM_CLIENT_SECRET: ${AZ_SP_SECRET}',
        '  script:',
        '    - terraform apply -auto-approve',
        '',
      ].join('\n'),
    });
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(loc)).toEqual([
      ['.gitlab-ci.yml', 4, 3, '', 'GOOGLE_CREDENTIALS'],
      ['ci/deploy.yml', 3, 48, 'deploy', 'AWS_SECRET_ACCESS_KEY'],
      ['ci/deploy.yml', 7, 5, 'az', 'ARM_CLIENT_SECRET'],
    ]);
    expect(findings[1]!.message).toContain('id_tokens');
  });

  it('stays silent on jobs with id_tokens, S3-compatible endpoints, literal values and names nothing reads', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': [
        'oidc:',
        '  id_tokens:',
        '    AWS_ID_TOKEN:',
        '      aud: sts.amazonaws.com',
        '  script:',
        '    - aws sts assume-role-with-web-identity --web-identity-token "$AWS_ID_TOKEN" --role-arn "$ROLE_ARN"',
        '    - echo "$AWS_SECRET_ACCESS_KEY" > /dev/null',
        'r2:',
        '  variables:',
        '    AWS_ENDPOINT_URL_S3: https://example.r2.cloudflarestorage.com',
        '  script:',
        '    - aws s3 cp out.tgz "s3://artifacts/" # keys: $AWS_SECRET_ACCESS_KEY',
        'build:',
        '  variables:',
        '    AWS_REGION: eu-west-1',
        '  script:',
        '    - aws s3 ls',
        '',
      ].join('\n'),
    });
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });

  it('fires on keys a script copies from another CI/CD variable and on key variables read under another name', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': [
        'variables:', //                                                         1
        '  aws_access_key_id: $AWS_ACCESS_KEY_ID', //                            2
        '.ami:', //                                                              3
        '  script:', //                                                          4
        '    - export AWS_ACCESS_KEY_ID=$AMI_BUILDER_KEY_ID', //                 5
        '    - export AWS_SECRET_ACCESS_KEY=$AMI_BUILDER_SECRET_ACCESS_KEY', //  6
        '    - packer build ami.json', //                                        7
        'ami-amd64:', //                                                         8
        '  extends: .ami', //                                                    9
        'copy-env:', //                                                          10
        '  variables:', //                                                       11
        '    TF_VAR_aws_secret: $AWS_SECRET_ACCESS_KEY', //                      12
        '  script:', //                                                          13
        '    - terraform apply -auto-approve', //                                14
        '',
      ].join('\n'),
    });
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(loc)).toEqual([
      ['.gitlab-ci.yml', 2, 22, '', 'AWS_ACCESS_KEY_ID'],
      ['.gitlab-ci.yml', 5, 32, 'ami-amd64', 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY'],
      ['.gitlab-ci.yml', 12, 24, 'copy-env', 'AWS_SECRET_ACCESS_KEY'],
    ]);
  });

  it('stays silent on paths built from predefined variables, other S3-compatible stores and keys the script mints itself', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': [
        'variables:',
        '  GOOGLE_APPLICATION_CREDENTIALS: ${CI_PROJECT_DIR}/.gcp-keyfile.json', // a path, not a stored key
        'upload-rgw:',
        '  script:',
        '    - |',
        '      if [[ -n "${AWS_ACCESS_KEY_ID}" ]]; then',
        '        echo "access_key = ${AWS_ACCESS_KEY_ID}" >> ~/.s3cfg',
        '        echo "secret_key = ${AWS_SECRET_ACCESS_KEY}" >> ~/.s3cfg',
        '        echo "host_base = objects.example.org" >> ~/.s3cfg',
        '        s3cmd put build.dmg s3://artifacts/',
        '      fi',
        'upload-minio:',
        '  script:',
        '    - aws --endpoint-url https://minio.example.org s3 cp out.zip s3://builds/ # uses $AWS_SECRET_ACCESS_KEY',
        'legacy-oidc:',
        '  script:',
        '    - >',
        '      export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"',
        '      $(aws sts assume-role-with-web-identity --role-arn "$ROLE_ARN" --role-session-name "ci-$CI_JOB_ID"',
        '      --web-identity-token "$CI_JOB_JWT_V2" --query "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]" --output text))',
        '    - echo "caller $AWS_ACCESS_KEY_ID"',
        'minted:',
        '  script:',
        '    - export AWS_SECRET_ACCESS_KEY="$(./ci/fetch-session-secret.sh)"',
        '    - ./deploy.sh --secret "$AWS_SECRET_ACCESS_KEY"',
        '',
      ].join('\n'),
    });
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
  });

  it('still fires when the endpoint named is AWS’s own, or the key is read before the script sets it', async () => {
    const inventory = await gitlabInventory({
      '.gitlab-ci.yml': [
        'aws-endpoint:',
        '  script:',
        '    - aws --endpoint-url https://s3.eu-west-1.amazonaws.com s3 cp out.zip s3://builds/ --sse "$AWS_SECRET_ACCESS_KEY"',
        'read-first:',
        '  script:',
        '    - echo "$AWS_SECRET_ACCESS_KEY" | ./check-key.sh',
        '    - export AWS_SECRET_ACCESS_KEY="$(./rotate.sh)"',
        '',
      ].join('\n'),
    });
    expect(rule.evaluate(inventory, ruleCtx()).map(loc)).toEqual([
      ['.gitlab-ci.yml', 3, 95, 'aws-endpoint', 'AWS_SECRET_ACCESS_KEY'],
      ['.gitlab-ci.yml', 6, 13, 'read-first', 'AWS_SECRET_ACCESS_KEY'],
    ]);
  });
});
