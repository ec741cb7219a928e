import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { describeWorkflow, inlineAllowed, ownerEvidence, resourceOf, workflowsOf } from '../src/workflow/findings.js';

export default defineRule({
  id: 'workflow-excessive-permissions',
  title: 'Workflow token with more power than its jobs need',
  severity: 'medium',
  owasp: 'NHI5:2025',
  description: `Every workflow run gets a token (GitHub's \`GITHUB_TOKEN\`) whose power is set by \`permissions:\`, at the
workflow level for every job and at the job level for one. Any code the job runs (its actions, its build scripts, the
dependencies they install) can use that token: to push commits, cut releases, publish packages, approve pull requests or
mint cloud credentials through OIDC. nhi reports three cases, each at the key to change:

- **\`permissions: write-all\`** at the workflow or a job level (high): every scope, written out as a choice.
- **No \`permissions:\` at all** on a workflow that uses secrets (\`secrets.X\`, \`toJSON(secrets)\`, \`github.token\`, or
  secrets handed to a reusable workflow), for the jobs that have none of their own (medium, confidence medium): those jobs
  get the repository's or organisation's default, which is read and write on every scope for repositories created before
  February 2023 and wherever an administrator chose it. nhi cannot see that setting offline, hence the confidence. The
  finding points at the first job without a block and names the others.
- **Write scopes at the workflow level shared by several jobs** (medium): when two or more jobs inherit a workflow-level
  \`<scope>: write\`, at least one of them very likely does not need it (a lint or test job rarely pushes); grant write
  to the job that needs it instead. One finding per write scope, at its key. A single job inheriting it, or every job
  declaring its own block, is not reported: there the workflow-level block is that job's block.

Deliberately not reported: \`read-all\` (broad, but it cannot change anything); job-level write scopes (nhi cannot tell
what a job needs without knowing every action's needs); workflows triggered only by \`workflow_call\` (a reusable
workflow's token is capped by its caller, where the finding belongs); composite actions (they run with their caller's
token); a workflow without a permissions block that uses no secret (its token is still the default: zizmor's
\`excessive-permissions\` reports it, nhi keeps to identities that hold credentials).

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary:
      'Declare `permissions:` explicitly: `contents: read` (or `{}`) at the workflow level, and the write scopes each job needs on that job only.',
    steps: [
      'Add `permissions: { contents: read }` (or `permissions: {}` when nothing needs the repository) at the top of the workflow.',
      'For each job that writes (pushes, releases, comments, publishes, requests an OIDC token), add a job-level `permissions:` block with exactly those scopes, e.g. `contents: write` on the release job or `id-token: write` on the deploy job.',
      'Replace `write-all` with the list of scopes the job uses; the action’s documentation says which it needs.',
      'Set the repository or organisation default to read-only (Settings → Actions → General → Workflow permissions), so that a workflow someone forgets to restrict starts from least privilege.',
    ],
    commands: ['gh api -X PUT repos/<owner>/<repo>/actions/permissions/workflow -f default_workflow_permissions=read'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token',
    'https://docs.github.com/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions',
    'https://docs.zizmor.sh/audits/#excessive-permissions',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of workflowsOf(inventory)) {
      // GitLab's CI_JOB_TOKEN has fixed powers, set in the project's settings, not in the file; n8n has no token.
      if (workflow.platform !== 'github-actions') continue;
      const reusableOnly = workflow.triggers.length > 0 && workflow.triggers.every((t) => t.event === 'workflow_call');
      if (reusableOnly) continue;
      const common = { resource: resourceOf(identity) };
      const evidence = (extra: Record<string, string | number | boolean>) => ({ workflow: identity.id, ...ownerEvidence(identity), ...extra });

      if (workflow.permissions?.kind === 'write-all') {
        findings.push(
          buildFinding(this, {
            ...common,
            message: `${describeWorkflow(identity)} gives every job a token with write access to every scope (permissions: write-all).`,
            identity: [identity.id, 'write-all'],
            severity: 'high',
            location: workflow.permissions.at,
            allowedInline: inlineAllowed(workflow, workflow.permissions.at),
            evidence: evidence({ case: 'write-all', level: 'workflow' }),
          }),
        );
      }
      for (const job of workflow.jobs) {
        if (job.permissions?.kind !== 'write-all') continue;
        findings.push(
          buildFinding(this, {
            ...common,
            message: `Job ${job.id} of ${describeWorkflow(identity)} runs with a token that can write to every scope (permissions: write-all).`,
            identity: [identity.id, 'write-all', job.id],
            severity: 'high',
            location: job.permissions.at,
            allowedInline: inlineAllowed(workflow, job.permissions.at),
            evidence: evidence({ case: 'write-all', level: 'job', job: job.id }),
          }),
        );
      }

      const inheriting = workflow.jobs.filter((j) => !j.permissions);
      const usesSecrets = workflow.secretRefs.length > 0 || workflow.jobs.some((j) => j.secretsInherit || j.secrets.length > 0);
      if (!workflow.permissions && usesSecrets && inheriting.length > 0) {
        const names = inheriting.map((j) => j.id);
        findings.push(
          buildFinding(this, {
            ...common,
            message: `${describeWorkflow(identity)} uses secrets but declares no permissions: job${names.length > 1 ? 's' : ''} ${names.join(', ')} run${names.length > 1 ? '' : 's'} with the repository's default token, which may write to every scope.`,
            identity: [identity.id, 'default-permissions'],
            confidence: 'medium',
            location: inheriting[0]!.at,
            allowedInline: inlineAllowed(workflow, inheriting[0]!.at),
            evidence: evidence({ case: 'no-permissions', jobs: names.join(', ') }),
          }),
        );
      }

      if (workflow.permissions?.kind === 'scopes' && inheriting.length >= 2) {
        const names = inheriting.map((j) => j.id);
        for (const scope of workflow.permissions.scopes) {
          if (scope.level !== 'write') continue;
          findings.push(
            buildFinding(this, {
              ...common,
              message: `${describeWorkflow(identity)} grants ${scope.scope}: write at the workflow level, so ${names.length} jobs (${names.join(', ')}) hold it; grant it only to the job that needs it.`,
              identity: [identity.id, 'workflow-write', scope.scope],
              location: scope.at,
              allowedInline: inlineAllowed(workflow, scope.at),
              evidence: evidence({ case: 'workflow-level-write', scope: scope.scope, jobs: names.join(', ') }),
            }),
          );
        }
      }
    }
    return findings;
  },
});
