import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import type { NamedValue, SecretRef, WorkflowAttributes, WorkflowJob, WorkflowStep } from '../src/core/workflow.js';
import { describeWorkflow, inlineAllowed, ownerEvidence, resourceOf, workflowsOf } from '../src/workflow/findings.js';
import { input, isAction, readsStoredSecret } from '../src/workflow/github.js';
import { isPredefinedVariable } from '../connectors/gitlab-ci/parse.js';

type Cloud = 'aws' | 'gcp' | 'azure';

const CLOUD_NAME: Record<Cloud, string> = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure' };

/** What to use instead, per cloud: the federated login the platform supports. */
const OIDC_INSTEAD: Record<Cloud, string> = {
  aws: 'aws-actions/configure-aws-credentials with role-to-assume and id-token: write',
  gcp: 'google-github-actions/auth with workload_identity_provider and id-token: write',
  azure: 'azure/login with client-id, tenant-id, subscription-id (a federated credential) and id-token: write',
};

/** Environment variables that hold a static cloud secret, compared case-sensitively (as the SDKs read them). */
const KEY_ENV: Record<string, Cloud> = {
  AWS_ACCESS_KEY_ID: 'aws',
  AWS_SECRET_ACCESS_KEY: 'aws',
  GOOGLE_CREDENTIALS: 'gcp',
  GOOGLE_CLOUD_KEYFILE_JSON: 'gcp',
  GOOGLE_APPLICATION_CREDENTIALS_JSON: 'gcp',
  AZURE_CLIENT_SECRET: 'azure',
  ARM_CLIENT_SECRET: 'azure',
};

/**
 * GitLab CI: the same names, plus \`GOOGLE_APPLICATION_CREDENTIALS\`, which GitLab projects commonly set as a *file*
 * CI/CD variable holding the service-account JSON key (with \`id_tokens\` the job writes a federation config instead,
 * and is not reported).
 */
const GITLAB_KEY_ENV: Record<string, Cloud> = { ...KEY_ENV, GOOGLE_APPLICATION_CREDENTIALS: 'gcp' };

const GITLAB_OIDC_INSTEAD: Record<Cloud, string> = {
  aws: '`id_tokens:` with an IAM role trusting GitLab’s OIDC provider (aws sts assume-role-with-web-identity)',
  gcp: '`id_tokens:` with workload identity federation (gcloud iam workload-identity-pools create-cred-config)',
  azure: '`id_tokens:` with a federated credential (az login --federated-token)',
};

/**
 * The variables a GitLab value expands (\`$PROD_AWS_KEY\`, \`\${X}\`). One GitLab does not predefine is a CI/CD variable
 * stored in the project or group; \`\${CI_PROJECT_DIR}/key.json\` is only a path.
 */
const GITLAB_EXPANSION = /(?<!\$)\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g;

/** A value taken from the secrets or variables context: a stored, static value (not one minted during the run). */
function isStored(value: string): boolean {
  return readsStoredSecret(value) || /\bvars\s*\./.test(value);
}

/** The inputs of the login actions that take a static key; `creds` of azure/login counts when it can hold a client secret. */
function staticKeyInputs(step: WorkflowStep): { cloud: Cloud; keys: NamedValue[] } | undefined {
  const present = (...names: string[]) => names.map((n) => input(step, n)).filter((v): v is NamedValue => v !== undefined && v.value.trim() !== '');
  if (isAction(step.uses, 'aws-actions', 'configure-aws-credentials')) {
    const keys = present('aws-access-key-id', 'aws-secret-access-key');
    return keys.length ? { cloud: 'aws', keys } : undefined;
  }
  if (isAction(step.uses, 'google-github-actions', 'auth') || isAction(step.uses, 'google-github-actions', 'setup-gcloud')) {
    const keys = present('credentials_json', 'service_account_key');
    return keys.length ? { cloud: 'gcp', keys } : undefined;
  }
  if (isAction(step.uses, 'azure', 'login')) {
    // `creds` is a JSON document; it carries a client secret unless it is written out without one.
    const keys = present('creds').filter((c) => isStored(c.value) || /clientSecret/i.test(c.value) || /\binputs\s*\./.test(c.value));
    return keys.length ? { cloud: 'azure', keys } : undefined;
  }
  return undefined;
}

/**
 * Static keys in `env`. `inScope` is every env in effect there (workflow, job, step): AWS-style keys used where an
 * `AWS_ENDPOINT_URL…` is set, or where the scripts that see them name another endpoint (`scriptsOtherS3`), address an
 * S3-compatible store (Cloudflare R2, MinIO, Ceph…), where there is no AWS OIDC to use.
 */
function keyEnv(env: NamedValue[], inScope: NamedValue[][], scriptsOtherS3 = false): Map<Cloud, NamedValue[]> {
  const out = new Map<Cloud, NamedValue[]>();
  const otherEndpoint = scriptsOtherS3 || inScope.some((list) => list.some((e) => e.name.toUpperCase().startsWith('AWS_ENDPOINT_URL')));
  for (const e of env) {
    const cloud = KEY_ENV[e.name];
    if (!cloud || !isStored(e.value) || (cloud === 'aws' && otherEndpoint)) continue;
    out.set(cloud, [...(out.get(cloud) ?? []), e]);
  }
  return out;
}

export default defineRule({
  id: 'long-lived-cloud-key-in-ci',
  title: 'Static cloud key in CI where OIDC federation would do',
  severity: 'high',
  owasp: 'NHI7:2025',
  description: `GitHub Actions can log in to AWS, Google Cloud and Azure without any stored key: the job asks GitHub for an
OIDC token (\`permissions: id-token: write\`) and the cloud exchanges it for credentials that expire within the hour,
trusted only for the repository, branch or environment named in the cloud's trust policy. A static key stored as a
secret instead (an IAM user's access key, a service-account JSON key, a service principal's client secret) lives until
someone rotates it, works from anywhere, and is one leaked log line, one compromised action or one malicious pull
request away from an attacker who can use it for months.

nhi reports, at the key that carries it:
- **AWS**: the \`aws-access-key-id\`/\`aws-secret-access-key\` inputs of \`aws-actions/configure-aws-credentials\`; \`AWS_ACCESS_KEY_ID\`
  or \`AWS_SECRET_ACCESS_KEY\` in \`env:\` (workflow, job or step) taken from \`secrets\` or \`vars\`.
- **Google Cloud**: \`credentials_json\` of \`google-github-actions/auth\` (\`service_account_key\` of the older \`setup-gcloud\`);
  \`GOOGLE_CREDENTIALS\`, \`GOOGLE_CLOUD_KEYFILE_JSON\` or \`GOOGLE_APPLICATION_CREDENTIALS_JSON\` in \`env:\` from \`secrets\`/\`vars\`.
- **Azure**: \`creds\` of \`azure/login\` (a JSON document with a \`clientSecret\`) taken from \`secrets\`, \`vars\`, an input, or
  written with a \`clientSecret\`; \`AZURE_CLIENT_SECRET\` or \`ARM_CLIENT_SECRET\` in \`env:\` from \`secrets\`/\`vars\`.

GitLab CI supports the same federation through \`id_tokens:\`. In a \`.gitlab-ci.yml\` (and its local includes) nhi reports,
per job that requests no \`id_tokens\`, the same variables (and \`GOOGLE_APPLICATION_CREDENTIALS\`, commonly a file variable
holding a service-account JSON key) set in \`variables:\` from another CI/CD variable (\`AWS_SECRET_ACCESS_KEY: $PROD_AWS_SECRET\`),
or read by the job's scripts (\`$AWS_SECRET_ACCESS_KEY\`) or variables (\`aws_secret_access_key: $AWS_SECRET_ACCESS_KEY\`), which makes
them project or group CI/CD variables, or copied by a script from another CI/CD variable (\`export AWS_ACCESS_KEY_ID=$AMI_KEY_ID\`).
Keys that are CI/CD variables no script names are not visible in the file and not reported; nor are values that expand only
variables GitLab predefines (\`GOOGLE_APPLICATION_CREDENTIALS: \${CI_PROJECT_DIR}/key.json\` is a path), AWS-style keys a job's
script sends to another S3-compatible store (\`--endpoint-url\`, s3cmd's \`host_base\`, a MinIO \`mc alias\`, not at amazonaws.com),
and keys the script sets itself before reading them (\`export AWS_ACCESS_KEY_ID=$(…)\`, \`export $(…)\`, \`eval "$(…)"\`, STS
\`assume-role…\` calls, the legacy \`$CI_JOB_JWT\`).

One finding per cloud per place (a step, a job's \`env:\`, the workflow's \`env:\`; a GitLab job), at its first key, naming all of them.
Composite actions are checked too. Not reported: the same actions logging in with \`role-to-assume\`,
\`workload_identity_provider\` or \`client-id\` + \`tenant-id\` (federation); AWS-style keys where an
\`AWS_ENDPOINT_URL…\` variable, or an endpoint option in the scripts that see them (\`--endpoint-url\` not at amazonaws.com),
points them at an S3-compatible store (Cloudflare R2, MinIO, Ceph), which has no AWS OIDC; environment variables filled from a step's
outputs (credentials minted during the run); literal key values (the \`hardcoded-secret\` rule's concern).

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary:
      'Replace the stored key with OIDC federation: trust GitHub’s OIDC provider in the cloud for this repository (and branch or environment), grant the job `id-token: write`, log in with the role or identity instead of the key, then delete the key.',
    steps: [
      'AWS: create an IAM OIDC provider for https://token.actions.githubusercontent.com and a role whose trust policy requires `token.actions.githubusercontent.com:sub` to match this repository (and branch or environment); use `aws-actions/configure-aws-credentials` with `role-to-assume`.',
      'Google Cloud: create a workload identity pool and provider for GitHub with an attribute condition on the repository; use `google-github-actions/auth` with `workload_identity_provider` (and `service_account` to impersonate).',
      'Azure: add a federated credential to the app registration or managed identity for this repository’s subject; use `azure/login` with `client-id`, `tenant-id` and `subscription-id`, no `creds`.',
      'Add `permissions: id-token: write` (and `contents: read`) to the job that logs in.',
      'Once a run has succeeded with federation, deactivate and delete the old key (IAM access key, service-account key, client secret) and remove the repository secrets that held it.',
    ],
    commands: [
      'aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com',
      'aws iam delete-access-key --user-name <user> --access-key-id <key-id>',
      'gcloud iam service-accounts keys delete <key-id> --iam-account <sa-email>',
      'az ad app credential delete --id <app-id> --key-id <secret-key-id>',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/7-long-lived-secrets/',
    'https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect',
    'https://github.com/aws-actions/configure-aws-credentials#oidc',
    'https://github.com/google-github-actions/auth#workload-identity-federation-through-a-service-account',
    'https://learn.microsoft.com/azure/developer/github/connect-from-azure-openid-connect',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of workflowsOf(inventory, { actions: true })) {
      if (workflow.platform !== 'github-actions' && workflow.platform !== 'gitlab-ci') continue;
      const gitlab = workflow.platform === 'gitlab-ci';
      const seen = new Map<string, number>();
      const report = (cloud: Cloud, keys: NamedValue[], where: string, place: string[], job?: WorkflowJob, step?: WorkflowStep) => {
        const first = [...keys].sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column)[0]!;
        const names = keys.map((k) => k.name);
        const base = [identity.id, ...place, cloud, names.join(',')].join('\u0000');
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        findings.push(
          buildFinding(this, {
            resource: resourceOf(identity),
            message: `${where} of ${describeWorkflow(identity)} logs in to ${CLOUD_NAME[cloud]} with a static key (${names.join(', ')}); use ${(gitlab ? GITLAB_OIDC_INSTEAD : OIDC_INSTEAD)[cloud]} instead.`,
            // Where it is and what it names, not the line or the step's position.
            identity: [identity.id, ...place, cloud, ...names, ...(n > 1 ? [String(n)] : [])],
            location: first.at,
            allowedInline: inlineAllowed(workflow, first.at),
            evidence: {
              workflow: identity.id,
              ...ownerEvidence(identity),
              cloud,
              keys: names.join(', '),
              ...(job ? { job: job.id } : {}),
              ...(step ? { step: step.index + 1 } : {}),
              ...(step?.uses ? { uses: step.uses.raw } : {}),
            },
          }),
        );
      };
      if (gitlab) {
        gitlabKeys(workflow, report);
        continue;
      }
      const otherS3 = (steps: WorkflowStep[]) => steps.some((st) => st.run !== undefined && OTHER_S3.test(st.run.text));
      const allSteps = workflow.jobs.flatMap((j) => j.steps);
      for (const [cloud, keys] of keyEnv(workflow.env, [workflow.env], otherS3(allSteps))) report(cloud, keys, 'The workflow-level env', ['env']);
      for (const job of workflow.jobs) {
        for (const [cloud, keys] of keyEnv(job.env, [workflow.env, job.env], otherS3(job.steps))) report(cloud, keys, `The env of job ${job.id}`, [job.id, 'env'], job);
        for (const step of job.steps) {
          const label = step.id ?? step.name ?? step.uses?.raw ?? 'run';
          const where = `Step ${step.index + 1} of job ${job.id}`;
          const fromInputs = staticKeyInputs(step);
          const fromEnv = keyEnv(step.env, [workflow.env, job.env, step.env], otherS3([step]));
          if (fromInputs) {
            const more = fromEnv.get(fromInputs.cloud) ?? [];
            fromEnv.delete(fromInputs.cloud);
            report(fromInputs.cloud, [...fromInputs.keys, ...more], where, [job.id, label], job, step);
          }
          for (const [cloud, keys] of fromEnv) report(cloud, keys, where, [job.id, label], job, step);
        }
      }
    }
    return findings;
  },
});

type Report = (cloud: Cloud, keys: NamedValue[], where: string, place: string[], job?: WorkflowJob, step?: WorkflowStep) => void;

/** Whether a GitLab value expands a variable GitLab does not predefine: a stored CI/CD variable. */
function expandsStored(value: string): boolean {
  return [...value.matchAll(GITLAB_EXPANSION)].some((m) => !isPredefinedVariable(m[1] ?? m[2]!));
}

/**
 * A script that sends AWS-style keys to another S3-compatible store (Ceph RGW, MinIO, R2…), which has no AWS OIDC:
 * an endpoint option, s3cmd's `host_base` or a MinIO client alias, not at amazonaws.com.
 */
const OTHER_S3 = /(?:--endpoint(?:-url)?[=\s]+|\bhost_base\s*=\s*|\bAWS_ENDPOINT_URL\w*=|\bmc\s+alias\s+set\s+\S+\s+)["']?(?!(?:https?:\/\/)?[\w.-]*amazonaws\.com)[\w$]/;

/**
 * A script that obtains cloud credentials while it runs, before it reads them: STS (`assume-role`,
 * `assume-role-with-web-identity` with the legacy `$CI_JOB_JWT`…), or a bulk export of a command's output
 * (`export $(…)`, `eval "$(…)"`).
 */
const GITLAB_MINTED = /\bassume-role(?:-with-web-identity)?\b|\bget-session-token\b|\$\{?CI_JOB_JWT|\bexport\s+\$\(|\beval\s+["']?\$\(/;

/** The first reference to `$NAME` in a script, or -1. */
const firstUse = (script: string, name: string) => script.search(new RegExp(`\\$\\{?${name}(?![\\w])`));

/**
 * GitLab CI, per job that requests no \`id_tokens\`: static key variables it sets from other CI/CD variables
 * (its own \`variables:\` or the pipeline's, or \`export AWS_ACCESS_KEY_ID=$OTHER\` in its scripts), and static key
 * variables it reads (\`$AWS_SECRET_ACCESS_KEY\` in a script or as the value of another variable), which are then
 * project or group CI/CD variables. Not: AWS keys a script sends to another S3-compatible store, keys a script sets
 * itself from a command (STS, a bulk export) before reading them, values that expand only predefined variables.
 * Reported once per job and cloud, at the first of them.
 */
function gitlabKeys(workflow: WorkflowAttributes, report: Report): void {
  const endpointSet = (list: NamedValue[]) => list.some((e) => e.name.toUpperCase().startsWith('AWS_ENDPOINT_URL'));
  const collect = (env: NamedValue[], inScope: NamedValue[], refs: SecretRef[], script = '', copied: NamedValue[] = []) => {
    const otherS3 = endpointSet(inScope) || OTHER_S3.test(script);
    const byCloud = new Map<Cloud, NamedValue[]>();
    const add = (cloud: Cloud, v: NamedValue) => {
      if (cloud === 'aws' && otherS3) return;
      const list = byCloud.get(cloud) ?? [];
      if (!list.some((x) => x.name === v.name)) list.push(v);
      byCloud.set(cloud, list);
    };
    for (const e of env) if (GITLAB_KEY_ENV[e.name] && expandsStored(e.value)) add(GITLAB_KEY_ENV[e.name]!, e);
    for (const v of copied) add(GITLAB_KEY_ENV[v.name]!, v);
    for (const ref of refs) {
      const cloud = ref.kind === 'named' && ref.name ? GITLAB_KEY_ENV[ref.name] : undefined;
      if (!cloud) continue;
      // Set by the script before it is read: minted during the run, not a stored CI/CD variable.
      const used = firstUse(script, ref.name!);
      if (used >= 0 && (GITLAB_MINTED.test(script.slice(0, used)) || setsItself(script.slice(0, used), ref.name!))) continue;
      add(cloud, { name: ref.name!, value: ref.expression, at: ref.at, valueAt: ref.at });
    }
    return byCloud;
  };
  const unfederated = workflow.jobs.filter((j) => !j.idTokens?.length);
  if (unfederated.length > 0 || workflow.jobs.length === 0) {
    // `aws_access_key_id: $AWS_ACCESS_KEY_ID`: the pipeline's variables read a key variable under another name.
    const read = workflow.secretRefs.filter((r) => r.job === undefined && r.section === 'env');
    for (const [cloud, keys] of collect(workflow.env, workflow.env, read)) report(cloud, keys, 'The pipeline-level variables', ['variables']);
  }
  for (const job of unfederated) {
    const refs = workflow.secretRefs.filter((r) => r.job === job.id && (r.section === 'run' || r.section === 'env'));
    const script = job.steps.map((st) => st.run?.text ?? '').join('\n');
    for (const [cloud, keys] of collect(job.env, [...workflow.env, ...job.env], refs, script, copiedKeys(job, refs))) report(cloud, keys, `Job ${job.id}`, [job.id], job);
  }
}

/** `NAME=…` or `export NAME=…` in a script (the whole assignments, at a command's start). */
function assignments(script: string, name: string): RegExpMatchArray[] {
  return [...script.matchAll(new RegExp(`(?:^|[\\s;&|(])(?:export\\s+)?${name}=(["']?)(\\S*)`, 'gm'))];
}

/** Whether a script assigns `name` from something other than a stored variable (a command's output, a literal). */
function setsItself(script: string, name: string): boolean {
  return assignments(script, name).some((m) => m[2] !== '' && (!/^\$\{?[A-Za-z_]\w*\}?["']?$/.test(m[2]!) || /^\$\{?CI_JOB_JWT/.test(m[2]!)));
}

/**
 * Key variables a job's scripts set from another stored CI/CD variable (\`export AWS_ACCESS_KEY_ID=$AMI_KEY_ID\`), each
 * located at that variable's reference (or at the script key when its name does not read like a credential).
 */
function copiedKeys(job: WorkflowJob, refs: SecretRef[]): NamedValue[] {
  const out: NamedValue[] = [];
  for (const step of job.steps) {
    if (!step.run) continue;
    for (const name of Object.keys(GITLAB_KEY_ENV)) {
      for (const m of assignments(step.run.text, name)) {
        const source = /^\$\{?([A-Za-z_]\w*)\}?["']?$/.exec(m[2]!)?.[1];
        if (!source || source === name || isPredefinedVariable(source) || out.some((v) => v.name === name)) continue;
        const ref = refs.find((r) => r.name === source && r.step === step.index);
        const at = ref?.at ?? step.run.at;
        out.push({ name, value: `$${source}`, at, valueAt: at });
      }
    }
  }
  return out;
}
