import { buildFinding, defineRule, type Rule } from '../src/engine/rule.js';
import type { Finding, Identity, Location } from '../src/core/model.js';
import type { N8nNode } from '../src/core/n8n.js';
import type { Severity } from '../src/core/severity.js';
import type { WorkflowAttributes, WorkflowJob } from '../src/core/workflow.js';
import { actionAccessCall, githubScriptAccessCalls, isN8nTool, n8nNodeAccessCalls, shellAccessCalls, type AccessCall } from '../src/workflow/access.js';
import { describeWorkflow, inlineAllowed, ownerEvidence, resourceOf, workflowsOf } from '../src/workflow/findings.js';
import { input, isAction } from '../src/workflow/github.js';
import { n8nWorkflowsOf, type N8nWorkflowItem } from '../src/workflow/n8n.js';

/**
 * GitHub events that people outside the repository can cause and that run with the repository's secrets: an issue or
 * comment anyone can write, a fork's pull request (`pull_request_target`), a run of another workflow a fork started.
 */
const OUTSIDER_EVENTS: ReadonlySet<string> = new Set(['pull_request_target', 'workflow_run', 'issue_comment', 'issues', 'discussion', 'discussion_comment']);

/** Inputs of the Azure actions that hold a script run by the Azure CLI's shell or by PowerShell. */
const SCRIPT_ACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['azure', 'cli'],
  ['azure', 'powershell'],
];

const N8N_MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';
/** n8n triggers anyone who has the URL can fire when they ask for no authentication. */
const N8N_OPEN_TRIGGERS: ReadonlySet<string> = new Set(['n8n-nodes-base.webhook', 'n8n-nodes-base.formTrigger']);

interface JobCall extends AccessCall {
  at: Location;
  step: number;
}

/** The changing calls of a job's steps, in order, each call once; each located at the key that holds it. */
function jobCalls(job: WorkflowJob): JobCall[] {
  const out: JobCall[] = [];
  const add = (calls: AccessCall[], at: Location, step: number) => {
    for (const c of calls) if (!out.some((o) => o.call === c.call)) out.push({ ...c, at, step });
  };
  for (const step of job.steps) {
    if (step.run) add(shellAccessCalls(step.run.text), step.run.at, step.index);
    if (!step.uses) continue;
    if (isAction(step.uses, 'actions', 'github-script')) {
      const script = input(step, 'script');
      if (script) add(githubScriptAccessCalls(script.value), script.at, step.index);
    } else if (SCRIPT_ACTIONS.some(([o, r]) => isAction(step.uses, o, r))) {
      const script = input(step, 'inlineScript');
      if (script) add(shellAccessCalls(script.value), script.at, step.index);
    } else {
      const action = actionAccessCall(step.uses);
      if (action) add([action], step.uses.at, step.index);
    }
  }
  return out;
}

function callsEvidence(calls: AccessCall[]): { calls: string; families: string } {
  return { calls: calls.map((c) => c.call).join(', '), families: [...new Set(calls.map((c) => c.api.family))].join(', ') };
}

/**
 * A job-level `if:` that lets only known people or same-repository pull requests run the job: a check of the pull
 * request's author or the event's sender, of an author association, of the actor, or that the head repository is this one.
 */
const ACTOR_GUARD =
  /\bgithub\.(?:event\.(?:pull_request\.user\.login|sender\.login|comment\.user\.login|issue\.user\.login)|actor|triggering_actor)\s*==|author_association|\bpull_request\.head\.repo\.full_name\s*==\s*github\.repository\b/;

/** GitHub Actions and GitLab CI: a job that changes access with no `environment:`. */
function ciFindings(rule: Rule, identity: Identity, workflow: WorkflowAttributes): Finding[] {
  const findings: Finding[] = [];
  const gitlab = workflow.platform === 'gitlab-ci';
  const events = [...new Set(workflow.triggers.map((t) => t.event))];
  const outsiders = gitlab ? [] : events.filter((e) => OUTSIDER_EVENTS.has(e));
  for (const job of workflow.jobs) {
    // GitLab hidden jobs (`.name`) are templates: they run only through the jobs that extend them.
    if (job.environment || (gitlab && job.id.startsWith('.'))) continue;
    const calls = jobCalls(job);
    if (calls.length === 0) continue;
    const first = calls[0]!;
    const { calls: list, families } = callsEvidence(calls);
    const guarded = !gitlab && job.if !== undefined && ACTOR_GUARD.test(job.if.text);
    const open = outsiders.length > 0 && !guarded;
    // A GitLab pipeline's implicit push trigger says little about a job whose own `rules:` nhi does not read.
    const written = workflow.triggers.some((t) => !t.implicit);
    const started = events.length && written ? `, started by ${events.join(', ')},` : '';
    const manual = gitlab && job.manual ? ' Its `when: manual` lets anyone who may run pipelines start it: that is not a review.' : '';
    const fix = gitlab
      ? 'Give the job an `environment:` that is a protected environment with required approvals (nhi cannot see an environment’s protection, so any environment named in the file is taken as the review).'
      : 'Give the job an `environment:` with required reviewers (nhi cannot see an environment’s protection rules, so any environment named in the file is taken as the review).';
    findings.push(
      buildFinding(rule, {
        resource: resourceOf(identity),
        message: `Job ${job.id} of ${describeWorkflow(identity)}${started} changes identities or permissions (${list}) with no environment in front of it: nobody has to approve a run before it does.${manual} ${fix}`,
        identity: [identity.id, job.id],
        severity: open ? 'critical' : 'high',
        location: first.at,
        allowedInline: inlineAllowed(workflow, first.at),
        evidence: {
          workflow: identity.id,
          ...ownerEvidence(identity),
          job: job.id,
          calls: list,
          families,
          step: first.step + 1,
          review: gitlab && job.manual ? 'none (when: manual, no environment)' : 'none (no environment)',
          ...(events.length ? { triggers: events.join(', ') } : {}),
          ...(outsiders.length ? { outsiderTriggers: outsiders.join(', ') } : {}),
          // Only the check that lets known people run it: the rest of the condition is the file's text, which may hold anything.
          ...(guarded ? { guard: ACTOR_GUARD.exec(job.if!.text)![0].trim() } : {}),
        },
      }),
    );
  }
  return findings;
}

/** Names of the nodes from which `name` can be reached; an AI tool is reached through the agent it serves. */
function upstreamOf(item: N8nWorkflowItem, node: N8nNode): Set<string> {
  const into = new Map<string, string[]>();
  const outOf = new Map<string, string[]>();
  for (const { from, to } of item.n8n.connections) {
    into.set(to, [...(into.get(to) ?? []), from]);
    outOf.set(from, [...(outOf.get(from) ?? []), to]);
  }
  const seen = new Set<string>();
  const queue = isN8nTool(node.type) ? [node.name, ...(outOf.get(node.name) ?? [])] : [node.name];
  while (queue.length) {
    const name = queue.shift()!;
    for (const from of into.get(name) ?? []) {
      if (seen.has(from) || from === node.name) continue;
      seen.add(from);
      queue.push(from);
    }
  }
  return seen;
}

/** n8n: a node that changes access with no approval (`Send and Wait for Response`) upstream of it. */
function n8nFindings(rule: Rule, item: N8nWorkflowItem): Finding[] {
  const findings: Finding[] = [];
  const { identity, workflow, n8n } = item;
  const byName = new Map(n8n.nodes.map((n) => [n.name, n]));
  const enabledTriggers = n8n.nodes.filter((n) => n.trigger && !n.disabled);
  for (const node of n8n.nodes) {
    if (node.disabled) continue;
    const calls = n8nNodeAccessCalls(node);
    if (calls.length === 0) continue;
    const upstream = [...upstreamOf(item, node)].map((name) => byName.get(name)).filter((n): n is N8nNode => n !== undefined);
    if (upstream.some((n) => !n.disabled && n.operation === 'sendAndWait')) continue;
    // The triggers that lead to the node; when the connections say nothing, every trigger of the workflow.
    const leading = upstream.filter((n) => n.trigger && !n.disabled);
    const triggers = leading.length ? leading : enabledTriggers;
    const manualOnly = triggers.length > 0 && triggers.every((t) => t.type === N8N_MANUAL_TRIGGER);
    const open = triggers.filter((t) => N8N_OPEN_TRIGGERS.has(t.type) && (t.authentication === undefined || t.authentication.value === 'none'));
    const severity: Severity = !n8n.active || manualOnly ? 'medium' : open.length ? 'critical' : 'high';
    const at = node.url && calls.every((c) => c.call.startsWith('HTTP Request')) ? node.url.at : node.typeAt;
    const { calls: list, families } = callsEvidence(calls);
    const how = !n8n.active
      ? 'The workflow is inactive: it runs when someone with access executes it, which is not a review by a second person.'
      : manualOnly
        ? 'It starts only from a manual trigger: whoever runs it decides alone.'
        : open.length
          ? `Anyone who can reach its ${open.map((t) => `"${t.name}"`).join(', ')} trigger without authentication can make it run.`
          : '';
    findings.push(
      buildFinding(rule, {
        resource: resourceOf(identity),
        message: `Node "${node.name}" of ${n8n.active ? 'active ' : ''}${describeWorkflow(identity)} changes identities or permissions (${list}) with no approval step before it: nobody has to approve a run before it does.${how ? ` ${how}` : ''} Put a "Send and Wait for Response" approval (Slack, Gmail, Microsoft Teams…) before the node, answered by someone other than the requester.`,
        identity: [identity.id, node.name],
        severity,
        location: at,
        allowedInline: inlineAllowed(workflow, at),
        evidence: {
          workflow: identity.id,
          ...ownerEvidence(identity),
          node: node.name,
          nodeType: node.type,
          calls: list,
          families,
          review: 'none (no approval step upstream)',
          active: n8n.active ? 'yes' : 'no',
          ...(triggers.length ? { triggers: [...new Set(triggers.map((t) => t.type.replace(/^n8n-nodes-base\./, '')))].join(', ') } : {}),
        },
      }),
    );
  }
  return findings;
}

export default defineRule({
  id: 'access-changing-workflow-without-review',
  title: 'Workflow changes identities or permissions with no review in front of it',
  severity: 'high',
  owasp: 'NHI5:2025',
  description: `A workflow that creates users, roles or keys, attaches policies, grants roles or changes memberships is an
identity administrator that never sleeps: whoever can start it (or change it, or the inputs it reads) gets those
changes made, under a credential that can make them. Access changes are the place for change control with separation
of duties: a second person approves each run before it acts. CI platforms put that approval in deployment
environments (GitHub required reviewers, GitLab protected environments with approvals); n8n puts it in an approval step
("Send and Wait for Response") that waits for someone to approve.

nhi reports a GitHub Actions or GitLab CI **job**, or an n8n **node**, that makes a changing identity or permission call
(src/workflow/access.ts holds the catalogue; reads such as \`aws iam list-users\`, \`gh api /orgs/x/members\` or
\`az ad sp list\` are not in it):
- **AWS**: \`aws iam create-*|delete-*|attach-*|detach-*|put-*|update-*|add-*|remove-*…\` (not \`tag-*\`), \`aws organizations …\`,
  \`aws sso-admin …\` (account assignments, permission sets), \`aws identitystore …\`;
- **GitHub**: \`gh api\`, \`curl\` and friends with a changing method (\`-X\`/\`--method\`, or fields that make it a POST) on
  organization memberships, invitations, outside collaborators, organization roles, teams, team memberships and team
  repositories, repository collaborators and deploy keys; \`actions/github-script\` calling Octokit's administration
  methods (\`orgs.setMembershipForUser\`, \`teams.addOrUpdateMembershipForUserInOrg\`, \`repos.addCollaborator\`…) or
  \`request('PUT /orgs/…')\`; a few actions that do nothing else (\`lindluni/team-add\`, \`lee-lott-actions/*-team*\`);
- **Microsoft Entra ID / Azure**: \`az ad sp|app|group|user …\` changes (\`create-for-rbac\`, \`credential reset\`, \`member add\`…),
  \`az role assignment|definition create|delete\`, \`az identity …\`, \`az keyvault set-policy\`; Microsoft Graph, Az and AzureAD
  PowerShell cmdlets (\`New-MgServicePrincipal\`, \`Add-MgApplicationPassword\`, \`New-MgRoleManagementDirectoryRoleAssignment\`,
  \`New-AzRoleAssignment\`, \`Add-AzADGroupMember\`…); Microsoft Graph and Azure Resource Manager calls (\`curl\`,
  \`Invoke-RestMethod\`, \`az rest\`) with a changing method (\`…/addPassword\`, \`/roleManagement/directory/roleAssignments\`,
  \`/groups/{id}/members/$ref\`, \`…/providers/Microsoft.Authorization/roleAssignments/{id}\`…); the \`inlineScript\` of
  \`azure/cli\` and \`azure/powershell\` is read like a \`run:\` script;
- **Google**: \`gcloud … add-iam-policy-binding|remove-iam-policy-binding|set-iam-policy\` on any resource,
  \`gcloud iam service-accounts|roles|workload-identity-pools …\` changes, \`gsutil iam ch|set\`, \`…:setIamPolicy\` and the
  Workspace Admin SDK (users, \`makeAdmin\`, group members, role assignments);
- **Kubernetes**: \`kubectl create|delete (cluster)role(binding)|serviceaccount\`, \`kubectl auth reconcile\`, \`oc adm policy add-*\`
  (\`kubectl apply\` is not read: what it applies is in other files);
- **Okta** API calls that change users, group memberships, admin roles or app assignments;
- **n8n nodes**: AWS IAM, Microsoft Entra ID, Google Workspace Admin and Okta nodes (and their AI-agent tool variants)
  with a changing operation (create, update, delete, add to / remove from group…), the GitHub node inviting a user; and
  HTTP Request nodes aimed at an endpoint that exists only to change access (\`…/addPassword\`, \`…:setIamPolicy\`,
  \`/invitations\` on Microsoft Graph, \`…/makeAdmin\`, Okta \`…/lifecycle/…\`).

Scripts are read as commands: line continuations joined, \`&&\`, \`;\`, \`|\` and \`$( )\` split, so
\`KEY=$(aws iam create-access-key …)\` counts, while comments, quoted text (\`echo "aws iam create-user"\`) and heredoc
bodies do not.

**What counts as review.** GitHub Actions and GitLab CI: the job has an \`environment:\`. That is where GitHub required
reviewers and GitLab protected environments and deployment approvals are configured; whether the named environment is
actually protected is not in the file, so nhi takes any environment as the review and the finding's fix says to protect
it. A GitLab job with \`when: manual\` but no environment is reported: anyone who may run pipelines can press play, and
nobody else has to agree. n8n: an enabled node with the "Send and Wait for Response" operation (\`sendAndWait\`: Slack,
Gmail, Microsoft Teams, Telegram, Discord, email…) on some path of \`connections\` leading to the node (for an AI tool,
leading to the agent it serves). A Wait node does not count (nhi does not know whether it resumes on an approver's
webhook or form, or after a delay).

**Severity.** High. Critical when outsiders can start the run: a GitHub workflow on \`pull_request_target\`,
\`workflow_run\`, \`issues\`, \`issue_comment\`, \`discussion\` or \`discussion_comment\`, unless the job's \`if:\` lets only
known people run it (it checks the pull request's author, the sender, the actor or an author association, or that the head
repository is this one; the check is in the finding's \`guard\` evidence); an active n8n workflow reached from a
Webhook or Form trigger without authentication. Medium for an n8n workflow that is inactive, or that only a manual
trigger starts: the person who runs it still decides alone, so it is reported, but nobody outside can start it. A
job-level \`if:\` (an author or label check) is not read, and is no review: whoever passes it still acts alone.

One finding per job (at the key holding its first call: the \`run\` key, the \`script\` or \`inlineScript\` input, or the
\`uses\` key) or per n8n node (at its \`type\` key, or the \`url\` value of an HTTP Request node), listing every call found.
Not read: composite actions (they have no environment of their own, and nhi does not follow a job's \`uses:\` into
the action it runs, so the calls inside one are not seen from its callers either), reusable-workflow calls (the called
workflow is judged as a workflow of its own), GitLab hidden jobs (\`.template\`), the GitHub GraphQL API,
variables holding the command or the URL, calls made by programs the workflow runs (Terraform, scripts in files). n8n
nodes whose operation is left at its default count only where the default is known to change access (the Google
Workspace Admin node creates a user by default).

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary:
      'Put a second person in front of every run that changes access: run the job in a protected environment with required reviewers (GitHub) or approvals (GitLab), or add an approval step before the n8n node; and give the credential it uses only the changes it is meant to make.',
    steps: [
      'GitHub Actions: add `environment: <name>` to the job, and in Settings → Environments give that environment required reviewers (not the people who trigger it: enable "Prevent self-review") and restrict it to protected branches.',
      'GitLab CI: add `environment: <name>` to the job, protect that environment (Settings → CI/CD → Protected environments) and require approvals from a group other than the pipeline’s authors; `when: manual` alone is not an approval.',
      'n8n: insert a "Send and Wait for Response" node (Slack, Microsoft Teams, Gmail…) of type Approval before the node, addressed to an approver other than the requester, and continue only on approval.',
      'Move the credential that can change identities into the environment’s secrets (or an OIDC role trusted only for that environment), so jobs without the review cannot use it.',
      'Avoid triggers that outsiders control (`pull_request_target`, `issue_comment`, `issues`, `workflow_run`, open webhooks) for access changes; use `workflow_dispatch` with inputs validated against an allow-list.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://docs.github.com/en/enterprise-cloud@latest/actions/reference/workflows-and-actions/deployments-and-environments',
    'https://docs.gitlab.com/ci/environments/deployment_approvals/',
    'https://docs.n8n.io/integrations/builtin/app-nodes/n8n-nodes-base.slack/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of workflowsOf(inventory)) if (workflow.platform === 'github-actions' || workflow.platform === 'gitlab-ci') findings.push(...ciFindings(this, identity, workflow));
    for (const item of n8nWorkflowsOf(inventory)) findings.push(...n8nFindings(this, item));
    return findings;
  },
});
