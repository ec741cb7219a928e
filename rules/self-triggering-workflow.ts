import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Confidence, Finding, Location } from '../src/core/model.js';
import type { N8nNode, N8nWorkflowDetails } from '../src/core/n8n.js';
import type { Severity } from '../src/core/severity.js';
import type { NamedValue, WorkflowJob, WorkflowStep } from '../src/core/workflow.js';
import { nodeExtras } from '../connectors/n8n/parse.js';
import { describeWorkflow, inlineAllowed, ownerEvidence, resourceOf, workflowsOf } from '../src/workflow/findings.js';
import { githubWorkflowsOf, input, isAction, readsStoredSecret } from '../src/workflow/github.js';
import { n8nWorkflowsOf, type N8nWorkflowItem } from '../src/workflow/n8n.js';

/** Actions that mint a GitHub App installation token (its `token` output). */
const APP_TOKEN_ACTIONS: ReadonlyArray<[string, string]> = [
  ['actions', 'create-github-app-token'],
  ['tibdex', 'github-app-token'],
];
/** Actions that commit and push with the checkout's credentials or their own token input. */
const PUSH_ACTIONS: ReadonlyArray<[string, string]> = [
  ['stefanzweifel', 'git-auto-commit-action'],
  ['ad-m', 'github-push-action'],
  ['endbug', 'add-and-commit'],
];
/** Actions that comment on issues and pull requests. */
const COMMENT_ACTIONS: ReadonlyArray<[string, string]> = [
  ['peter-evans', 'create-or-update-comment'],
  ['marocchino', 'sticky-pull-request-comment'],
  ['thollander', 'actions-comment-pull-request'],
  ['mshick', 'add-pr-comment'],
];
const COMMENT_EVENTS: ReadonlySet<string> = new Set(['issue_comment', 'pull_request_review_comment', 'discussion_comment']);

type Loop = 'push' | 'comment' | 'workflow_dispatch' | 'repository_dispatch';

/**
 * A script that runs `git push` into this repository's checkout: not one that first clones another repository
 * (a push into that clone, say a benchmark-data or gh-pages repository, does not start this workflow again),
 * nor one that pushes to an explicit URL of another repository.
 */
function pushesHere(script: string, self: RegExp = /\bgithub\.repository\b/): boolean {
  const push = /\bgit\s+push\b([^\n;&|]*)/.exec(script);
  if (!push) return false;
  if (/\bgit\s+clone\b/.test(script.slice(0, push.index))) return false;
  if (SKIP_CI.test(script)) return false;
  const target = push[1]!;
  return !/(?:https?:\/\/|git@)/.test(target) || self.test(target);
}

/**
 * A commit message or push option that tells the platform not to run pipelines for the push: GitHub skips workflows
 * for `[skip ci]`, `[ci skip]`, `[no ci]`, `[skip actions]`, `[actions skip]` in the commit message; GitLab for
 * `[skip ci]`/`[ci skip]` and the `ci.skip` push option.
 */
const SKIP_CI = /\[(?:skip ci|ci skip|no ci|skip actions|actions skip)\]|(?:-o|--push-option)[\s=]+ci\.skip\b/i;

/**
 * GitLab: a job whose `rules:` let it run only in pipelines of the default branch (every condition compares
 * `$CI_COMMIT_BRANCH`/`$CI_COMMIT_REF_NAME` with `$CI_DEFAULT_BRANCH`, `main` or `master`). Its pushes to other branches
 * (a bot rebasing them) start pipelines in which it does not run: no loop.
 */
function onlyOnDefaultBranch(job: WorkflowJob): boolean {
  const cond = job.if?.text;
  if (!cond) return false;
  const onDefault = /\$\{?CI_COMMIT_(?:BRANCH|REF_NAME)\}?\s*==\s*(?:\$\{?CI_DEFAULT_BRANCH\}?|["'](?:main|master)["'])|(?:\$\{?CI_DEFAULT_BRANCH\}?|["'](?:main|master)["'])\s*==\s*\$\{?CI_COMMIT_(?:BRANCH|REF_NAME)\}?/;
  return cond.split('||').every((part) => onDefault.test(part));
}

/** Whether a script's `git push` can update the default branch: no refspec (the current branch), HEAD, or the branch by name. */
function pushesDefaultBranch(script: string): boolean {
  for (const m of script.matchAll(/\bgit\s+push\b([^\n;&|]*)/g)) {
    const args = m[1]!.split(/\s+/).filter((a) => a !== '' && !a.startsWith('-'));
    const refspecs = args.slice(1);
    if (refspecs.length === 0) return true;
    if (refspecs.some((r) => /HEAD|CI_DEFAULT_BRANCH|CI_COMMIT_BRANCH|CI_COMMIT_REF_NAME|(?:^|[:/])(?:main|master)$/.test(r))) return true;
  }
  return false;
}

/** GitLab: a push URL naming this project (its path or clone URL), rather than another project's. */
const GITLAB_SELF = /\b(?:CI_PROJECT_PATH|CI_REPOSITORY_URL|CI_PROJECT_URL)\b/;

const LOOP_TEXT: Record<Loop, string> = {
  push: 'pushes to the repository',
  comment: 'comments',
  workflow_dispatch: 'dispatches itself (workflow_dispatch)',
  repository_dispatch: 'sends a repository_dispatch event to its own repository',
};

const runsAny = (step: WorkflowStep, list: ReadonlyArray<[string, string]>) => list.some(([o, r]) => isAction(step.uses, o, r));

/** Where a job holds a token other than GITHUB_TOKEN: a stored secret, or a GitHub App token minted by an earlier step. */
function botToken(job: WorkflowJob): (value: string) => boolean {
  const appSteps = job.steps.filter((s) => s.id && runsAny(s, APP_TOKEN_ACTIONS)).map((s) => s.id!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const app = appSteps.length ? new RegExp(`\\bsteps\\.(?:${appSteps.join('|')})\\.outputs\\.token\\b`) : undefined;
  return (value) => readsStoredSecret(value) || (app?.test(value) ?? false);
}

/** The key carrying a bot token into a step: one of its inputs, its env, or the script itself. */
function tokenKey(step: WorkflowStep, isBot: (v: string) => boolean, inputs?: readonly string[]): Location | undefined {
  const wanted = inputs?.map((n) => n.toLowerCase());
  const fromWith = step.with.find((w) => (!wanted || wanted.includes(w.name.toLowerCase())) && isBot(w.value));
  if (fromWith) return fromWith.at;
  const fromEnv = step.env.find((e: NamedValue) => isBot(e.value));
  if (fromEnv) return fromEnv.at;
  if (step.run && isBot(step.run.text)) return step.run.at;
  return undefined;
}

interface Hit {
  loop: Loop;
  step: WorkflowStep;
  at: Location;
  how: string;
  confidence: Confidence;
}

function fileBase(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function hitsIn(job: WorkflowJob, events: Set<string>, self: { file: string; name: string }): Hit[] {
  const isBot = botToken(job);
  const hits: Hit[] = [];
  const script = (s: WorkflowStep) => s.run?.text ?? input(s, 'script')?.value ?? '';

  if (events.has('push')) {
    // actions/checkout with a bot token persists it in .git/config: a later `git push` or push action uses it.
    for (const checkout of job.steps) {
      if (!isAction(checkout.uses, 'actions', 'checkout')) continue;
      const token = input(checkout, 'token');
      if (!token || !isBot(token.value) || input(checkout, 'persist-credentials')?.value.trim() === 'false') continue;
      const pusher = job.steps.find((s) => s.index > checkout.index && ((s.run && pushesHere(s.run.text)) || runsAny(s, PUSH_ACTIONS)));
      if (pusher) hits.push({ loop: 'push', step: pusher, at: token.at, how: `checks out with ${token.value.trim()} and pushes in step ${pusher.index + 1}`, confidence: 'medium' });
    }
    for (const step of job.steps) {
      if (hits.some((h) => h.loop === 'push' && h.step === step)) continue;
      const pushes = (step.run && pushesHere(step.run.text)) || runsAny(step, PUSH_ACTIONS);
      const at = pushes ? tokenKey(step, isBot) : undefined;
      if (at) hits.push({ loop: 'push', step, at, how: `pushes in step ${step.index + 1} with a token from secrets`, confidence: 'medium' });
    }
  }

  if ([...events].some((e) => COMMENT_EVENTS.has(e))) {
    for (const step of job.steps) {
      const text = script(step);
      const comments =
        runsAny(step, COMMENT_ACTIONS) ||
        (step.run !== undefined && /\bgh\s+(?:pr|issue)\s+comment\b|\bgh\s+api\b[^\n]*\/comments\b|\/issues\/[^\s/]+\/comments\b/.test(text)) ||
        (isAction(step.uses, 'actions', 'github-script') && /\bcreate(?:Comment|ReplyForReviewComment|ReviewComment|DiscussionComment)\b/.test(text));
      const at = comments ? tokenKey(step, isBot, step.run ? undefined : ['token', 'github-token', 'github_token', 'GITHUB_TOKEN', 'repo-token', 'repo_token']) : undefined;
      if (at) hits.push({ loop: 'comment', step, at, how: `comments in step ${step.index + 1} with a token from secrets`, confidence: 'medium' });
    }
  }

  if (events.has('workflow_dispatch')) {
    const names = [self.file, self.name].filter(Boolean).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const own = new RegExp(`\\bgh\\s+workflow\\s+run\\s+["']?(?:${names.join('|')})["']?(?=\\s|$)|/actions/workflows/${names[0]}/dispatches\\b|workflow_id:\\s*["'\`]${names[0]}["'\`]`, 'm');
    for (const step of job.steps) {
      const text = script(step);
      const dispatches = (step.run !== undefined || isAction(step.uses, 'actions', 'github-script')) && own.test(text);
      const at = dispatches ? tokenKey(step, isBot, step.run ? undefined : ['github-token']) : undefined;
      if (at) hits.push({ loop: 'workflow_dispatch', step, at, how: `runs ${self.file} again in step ${step.index + 1} with a token from secrets`, confidence: 'high' });
    }
  }

  if (events.has('repository_dispatch')) {
    for (const step of job.steps) {
      let dispatches = false;
      if (isAction(step.uses, 'peter-evans', 'repository-dispatch')) {
        const repo = input(step, 'repository')?.value.trim();
        dispatches = !repo || /github\.repository\b/.test(repo);
      } else if (isAction(step.uses, 'actions', 'github-script')) dispatches = /\bcreateDispatchEvent\b/.test(script(step)) && /context\.repo\b|github\.repository\b/.test(script(step));
      else if (step.run) dispatches = /\/repos\/(?:\$\{\{\s*github\.repository\s*\}\}|\$GITHUB_REPOSITORY|\$\{GITHUB_REPOSITORY\}|\{owner\}\/\{repo\})\/dispatches\b/.test(step.run.text);
      const at = dispatches ? tokenKey(step, isBot, step.run ? undefined : ['token', 'github-token']) : undefined;
      if (at) hits.push({ loop: 'repository_dispatch', step, at, how: `sends repository_dispatch to its own repository in step ${step.index + 1} with a token from secrets`, confidence: 'medium' });
    }
  }
  return hits;
}

/* ───────────────────────────── n8n ───────────────────────────── */

const N8N_WEBHOOK = /(?:^|\.)webhook$/i;
const EXECUTE_WORKFLOW_TRIGGER = /\.executeWorkflowTrigger$/i;

/** The segments of a path, without empty ones (leading, trailing and doubled slashes). */
const segments = (path: string) => path.split('/').filter((s) => s !== '');

/** Whether `rest` (what follows `/webhook/` in a URL) is the URL n8n gives `webhook` in `workflowId`'s workflow. */
function webhookUrlMatches(rest: string[], webhook: N8nNode, workflowId: string | undefined): boolean {
  const path = segments(webhook.webhookPath ?? '');
  if (path.length === 0) return false;
  // `:param` segments of a dynamic path match any one segment (`{{ $json.id }}` included).
  const same = (a: string[]) => a.length === path.length && a.every((s, i) => s === path[i] || (path[i]!.startsWith(':') && path[i]!.length > 1));
  if (same(rest)) return true;
  // A dynamic path is served under the node's webhookId: `<webhookId>/<path>`.
  if (path.some((p) => p.startsWith(':')) && rest.length === path.length + 1 && same(rest.slice(1))) return true;
  // Older webhooks without a webhookId: `<workflow id>/<node name, lower-cased and URI-encoded>/<path>`.
  if (rest.length === path.length + 2 && same(rest.slice(2))) {
    const name = rest[1]!;
    const wanted = encodeURIComponent(webhook.name.toLowerCase());
    return (name === wanted || name === webhook.name.toLowerCase()) && (workflowId === undefined || rest[0] === workflowId);
  }
  return false;
}

interface N8nHit {
  node: N8nNode;
  at: Location;
  loop: 'webhook' | 'execute-workflow';
  /** The trigger node it starts again (the Webhook node, the Execute Workflow Trigger). */
  target: N8nNode;
  /** `/webhook-test/`: the editor's test URL, which listens for one call after "Listen for test event". */
  test?: boolean;
  how: string;
}

/** Tool nodes of AI agents (`…Tool`, `@n8n/n8n-nodes-langchain.tool…`): they run when the node they are connected into does. */
const TOOL_NODE = /Tool$|\.tool[A-Z]/;

/**
 * The nodes that run after `start` in an execution that starts there: what its connections reach, and the tool nodes
 * of the agents among them (a tool's connection goes from the tool into its agent). Disabled nodes pass items on.
 */
function runsAfter(n8n: N8nWorkflowDetails, start: string): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of n8n.connections) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const tools = n8n.nodes.filter((n) => TOOL_NODE.test(n.type)).map((n) => n.name);
  const reached = new Set<string>();
  const queue = [start];
  for (;;) {
    while (queue.length > 0) {
      for (const to of next.get(queue.pop()!) ?? []) {
        if (reached.has(to)) continue;
        reached.add(to);
        queue.push(to);
      }
    }
    for (const tool of tools) {
      if (reached.has(tool) || !(next.get(tool) ?? []).some((to) => reached.has(to))) continue;
      reached.add(tool);
      queue.push(tool);
    }
    if (queue.length === 0) return reached;
  }
}

function n8nHits({ n8n }: N8nWorkflowItem): N8nHit[] {
  const hits: N8nHit[] = [];
  const after = new Map<string, Set<string>>();
  const loops = (target: N8nNode, caller: N8nNode) => {
    let reached = after.get(target.name);
    if (!reached) after.set(target.name, (reached = runsAfter(n8n, target.name)));
    return reached.has(caller.name);
  };
  const webhooks = n8n.nodes.filter((n) => !n.disabled && N8N_WEBHOOK.test(n.type) && segments(n.webhookPath ?? '').length > 0);
  for (const node of n8n.nodes) {
    if (node.disabled) continue;
    if (node.url && webhooks.length > 0) {
      // `/webhook/…` or `/webhook-test/…` in the path, after a slash or an expression that gives the instance's base URL.
      for (const m of node.url.value.matchAll(/(?:^|\/|\}\})(webhook(?:-test)?)\/([^]*)$/g)) {
        const rest = segments(m[2]!);
        const target = webhooks.find((w) => webhookUrlMatches(rest, w, n8n.workflowId) && loops(w, node));
        if (!target) continue;
        const test = m[1] === 'webhook-test';
        hits.push({ node, at: node.url.at, loop: 'webhook', target, ...(test ? { test } : {}), how: `calls ${test ? 'the test URL of ' : ''}its own Webhook node "${target.name}" (${target.httpMethod ?? 'GET'} /${m[1]}/${segments(target.webhookPath!).join('/')}), upstream of the node` });
        break;
      }
    }
    const executes = nodeExtras(node).executes;
    if (executes && (executes.current || (n8n.workflowId !== undefined && executes.workflowId === n8n.workflowId))) {
      // A workflow run by another starts at its Execute Workflow Trigger (n8n 0.x: at its Start node).
      const target = n8n.nodes.find((n) => !n.disabled && EXECUTE_WORKFLOW_TRIGGER.test(n.type)) ?? n8n.nodes.find((n) => !n.disabled && n.type === 'n8n-nodes-base.start');
      if (target && loops(target, node)) hits.push({ node, at: executes.at, loop: 'execute-workflow', target, how: `runs its own workflow (${executes.current ? '$workflow.id' : `id ${executes.workflowId}`}), which starts again at "${target.name}", upstream of the node` });
    }
  }
  return hits;
}

export default defineRule({
  id: 'self-triggering-workflow',
  title: 'Workflow re-triggers itself (with a personal or app token on GitHub, by calling its own trigger in n8n)',
  severity: 'medium',
  owasp: 'NHI5:2025',
  description: `Events caused by the automatic \`GITHUB_TOKEN\` never start new workflow runs (apart from \`workflow_dispatch\` and
\`repository_dispatch\`): GitHub's guard against loops. A workflow that acts with another token (a personal access token
or a GitHub App token kept in secrets) lifts that guard: if what it does is the event it listens to, each run starts the
next one. Such loops burn runner minutes, flood notifications and rate limits, and make a long-lived token act over and
over without anyone looking; a commit or comment an attacker can influence then repeats itself under that identity.
They usually come from using a PAT to "make CI run on the bot's commits" without restricting the trigger.

nhi reports, at the key that brings the token into the step (the \`token\` input of \`actions/checkout\` or of the action,
the \`env:\` key, or the \`run\` key when the script names the secret itself), a job of a workflow that:
- **on \`push\`**: checks out with \`token: \${{ secrets.X }}\` (credentials persisted) and later runs \`git push\` or a push
  action (\`stefanzweifel/git-auto-commit-action\`, \`ad-m/github-push-action\`, \`EndBug/add-and-commit\`), or runs
  \`git push\` in a step that receives a secret (confidence medium: nhi does not read \`branches\`/\`paths\` filters or \`if:\`
  conditions that may break the loop);
- **on \`issue_comment\`** (or \`pull_request_review_comment\`, \`discussion_comment\`): comments with a secret token
  through \`gh pr|issue comment\`, \`gh api …/comments\`, \`actions/github-script\` (\`createComment\`…), or a comment action
  (\`peter-evans/create-or-update-comment\`, \`marocchino/sticky-pull-request-comment\`, …) (confidence medium);
- **on \`workflow_dispatch\`**: dispatches its own file or name (\`gh workflow run <file>\`, \`…/actions/workflows/<file>/dispatches\`,
  \`createWorkflowDispatch\` with its \`workflow_id\`) with a secret token (confidence high);
- **on \`repository_dispatch\`**: sends a dispatch event to its own repository (\`peter-evans/repository-dispatch\` without
  another \`repository\`, \`createDispatchEvent\` on \`context.repo\`, \`…/repos/\${{ github.repository }}/dispatches\`) with a
  secret token (confidence medium: nhi does not compare event types).

A GitHub App token minted in the job by \`actions/create-github-app-token\` counts like a secret. Not reported: a \`git push\` into a clone of another repository (the script clones it first), or to another repository's URL; the same
actions with \`GITHUB_TOKEN\`/\`github.token\`; pushes, comments and dispatches in workflows that do not listen to that event;
\`actions/checkout\` with \`persist-credentials: false\`. One finding per job and kind of loop.

Pushes whose commit message or options tell the platform to skip CI (\`[skip ci]\`, \`[ci skip]\`, \`[no ci]\`,
\`[skip actions]\`, \`-o ci.skip\`) are not reported either: they do not start a run.

**GitLab CI.** Pushes made with \`CI_JOB_TOKEN\` do not start pipelines; pushes made with a project, group or personal
access token do. nhi reports a job of a pipeline that runs on push (no \`workflow: rules\`, which means every push, or rules
naming \`push\`, \`$CI_COMMIT_BRANCH\`…) whose script runs \`git push\` into its own checkout or to its own project's URL
(\`$CI_PROJECT_PATH\`, \`$CI_REPOSITORY_URL\`) while it reads a credential-like CI/CD variable, at that variable's reference.
Not reported: a job whose \`rules:\` let it run only on the default branch and whose pushes name other branches (a bot
rebasing them: their pipelines do not run it). Confidence medium: nhi does not evaluate other \`rules:\` that may exclude
the bot's commits.

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.

**n8n.** An n8n workflow that calls its own trigger starts a new execution from inside each execution, with the
credentials of all its nodes, until the instance runs out of workers or memory, or a condition nobody tested stops it.
nhi reports, at the node's \`url\` value (or its \`workflowId\` key), an enabled node of an n8n workflow export that:
- **calls its own webhook**: an HTTP Request node (\`n8n-nodes-base.httpRequest\`, any version, and its tool variants)
  whose URL path is \`…/webhook/<path>\` (the production URL) or \`…/webhook-test/<path>\` (the editor's test URL), where
  \`<path>\` is the \`path\` of an enabled Webhook node of the same workflow (compared case-sensitively, slashes trimmed;
  \`:param\` segments of a dynamic path match any segment, which may be served as \`<webhookId>/<path>\`; older webhooks as
  \`<workflow id>/<node name>/<path>\`). Only the path is compared: exports name the instance's host through an expression
  (\`{{ $env.WEBHOOK_URL }}\`) or a host nhi cannot tie to the instance, and a call to another instance's identical
  path is unlikely. The HTTP method is not compared;
- **runs itself**: an Execute Workflow node (\`n8n-nodes-base.executeWorkflow\`, or an AI agent's Call n8n Workflow Tool)
  reading the workflow from the database by the workflow's own \`id\` (a literal id, or \`{ "__rl": true, "value": … }\`)
  or by \`={{ $workflow.id }}\`, the run starting again at the workflow's Execute Workflow Trigger (n8n 0.x: its Start node);

and only when the calling node runs after the trigger it calls, following the workflow's \`connections\` (an AI agent's
tool node counts as running after the trigger when its agent does): that is a loop. A self-call from another branch
(a manual "test" branch that sends one sample call to the workflow's own webhook, or the common template layout where a
chat agent's tool runs a sub-workflow kept in the same workflow under an Execute Workflow Trigger) runs once and is not
reported; nor is a workflow whose export has no usable connections.

Both are reported whether or not the workflow is active: a self-call loops as soon as one execution starts, be it a
manual run. Severity medium for an active workflow calling its production URL or running itself; low for an inactive
workflow (nothing starts it on its own yet) and for a call to the test URL (n8n serves it for one call after "Listen
for test event"). Confidence medium: nhi does not read the IF or Switch conditions that may end the recursion on
purpose (paging through an API by calling the same workflow with the next cursor). Not reported: disabled nodes, calls
to a disabled Webhook node or to another workflow's path or id, and URLs or ids given by expressions other than
\`$workflow.id\`. One finding per calling node.`,
  remediation: {
    summary:
      'Act with the automatic `GITHUB_TOKEN` where the follow-up run is not needed; where it is, break the loop explicitly: narrow the trigger, and skip runs caused by the bot itself.',
    steps: [
      'Use `GITHUB_TOKEN` (with the job-level `permissions:` it needs) for the push, comment or dispatch if no further workflow run is wanted.',
      'If the bot’s change must run CI, restrict the trigger so the bot’s own event does not match it (`branches`, `paths-ignore`, a dedicated branch), and add `if: github.actor != \'<bot>[bot]\'` (or check the commit message or comment author) to the job.',
      'For dispatches, pass a counter or a flag in the inputs/client_payload and stop when it is set.',
      'Prefer a GitHub App token (`actions/create-github-app-token`, short-lived and scoped to the repository) over a personal access token, and give the job that holds it no other secrets.',
      'n8n: where the recursion is not wanted, call the other workflow or webhook that was meant (a copied workflow keeps its original’s URLs); where it is (paging, retries), put the self-call behind an IF node that stops on a counter or an empty page, and pass the counter in the request.',
      'n8n: prefer an Execute Workflow node running a sub-workflow over HTTP calls to webhooks of the same instance: it needs no open webhook, and the call is visible in the workflow’s executions.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/triggering-a-workflow#triggering-a-workflow-from-a-workflow',
    'https://docs.github.com/actions/security-for-github-actions/security-guides/automatic-token-authentication#using-the-github_token-in-a-workflow',
    'https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/workflow-development/',
    'https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.executeworkflow/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of githubWorkflowsOf(inventory)) {
      const events = new Set(workflow.triggers.map((t) => t.event));
      const self = { file: fileBase(identity.id), name: identity.name === identity.id ? '' : identity.name };
      for (const job of workflow.jobs) {
        const seen = new Set<Loop>();
        for (const hit of hitsIn(job, events, self)) {
          if (seen.has(hit.loop)) continue; // One per job and loop: the first place it happens.
          seen.add(hit.loop);
          const trigger = workflow.triggers.find((t) => (hit.loop === 'comment' ? COMMENT_EVENTS.has(t.event) : t.event === hit.loop));
          findings.push(
            buildFinding(this, {
              resource: resourceOf(identity),
              message: `Job ${job.id} of ${describeWorkflow(identity)}, started by ${trigger?.event ?? hit.loop}, ${LOOP_TEXT[hit.loop]} with a token other than GITHUB_TOKEN (${hit.how}), which can start the workflow again.`,
              identity: [identity.id, job.id, hit.loop],
              confidence: hit.confidence,
              location: hit.at,
              allowedInline: inlineAllowed(workflow, hit.at),
              evidence: {
                workflow: identity.id,
                ...ownerEvidence(identity),
                job: job.id,
                loop: hit.loop,
                trigger: trigger?.event ?? hit.loop,
                ...(trigger ? { triggerAt: `${trigger.at.line}:${trigger.at.column}` } : {}),
                step: hit.step.index + 1,
              },
            }),
          );
        }
      }
    }
    for (const { identity, workflow } of workflowsOf(inventory)) {
      if (workflow.platform !== 'gitlab-ci') continue;
      const trigger = workflow.triggers.find((t) => t.event === 'push');
      if (!trigger) continue;
      for (const job of workflow.jobs) {
        // A token the job reads from a CI/CD variable (not CI_JOB_TOKEN), in the script that pushes.
        const tokens = workflow.secretRefs.filter((r) => r.job === job.id && r.kind === 'named' && (r.section === 'run' || r.section === 'env'));
        const step = job.steps.find((st) => st.run && pushesHere(st.run.text, GITLAB_SELF));
        if (!step || tokens.length === 0) continue;
        if (onlyOnDefaultBranch(job) && !pushesDefaultBranch(step.run!.text)) continue;
        const token = tokens.find((r) => r.step === step.index) ?? tokens[0]!;
        findings.push(
          buildFinding(this, {
            resource: resourceOf(identity),
            message: `Job ${job.id} of ${describeWorkflow(identity)}, started by push${trigger.implicit ? ' (no workflow: rules, so every push)' : ''}, pushes to the project with ${token.expression} rather than CI_JOB_TOKEN and without ci.skip, which starts the pipeline again.`,
            identity: [identity.id, job.id, 'push'],
            confidence: 'medium',
            location: token.at,
            allowedInline: inlineAllowed(workflow, token.at),
            evidence: {
              workflow: identity.id,
              ...ownerEvidence(identity),
              job: job.id,
              loop: 'push',
              trigger: 'push',
              ...(trigger.implicit ? {} : { triggerAt: `${trigger.at.line}:${trigger.at.column}` }),
              step: step.name ?? String(step.index + 1),
              token: token.expression,
            },
          }),
        );
      }
    }
    for (const item of n8nWorkflowsOf(inventory)) {
      const { identity, workflow, n8n } = item;
      const seen = new Set<string>();
      for (const hit of n8nHits(item)) {
        if (seen.has(hit.node.name)) continue; // One per calling node.
        seen.add(hit.node.name);
        const severity: Severity = n8n.active && !hit.test ? 'medium' : 'low';
        const trigger = hit.target ? workflow.triggers.find((t) => t.at.line === hit.target!.typeAt.line && t.at.column === hit.target!.typeAt.column) : undefined;
        findings.push(
          buildFinding(this, {
            resource: resourceOf(identity),
            message: `Node "${hit.node.name}" of ${n8n.active ? 'active' : 'inactive'} n8n ${describeWorkflow(identity)} ${hit.how}: each execution starts the next one.`,
            identity: [identity.id, hit.node.name, hit.loop],
            severity,
            confidence: 'medium',
            location: hit.at,
            allowedInline: inlineAllowed(workflow, hit.at),
            evidence: {
              workflow: identity.id,
              ...ownerEvidence(identity),
              node: hit.node.name,
              nodeType: hit.node.type,
              loop: hit.loop,
              active: n8n.active,
              ...(hit.target ? { trigger: hit.target.name, triggerType: hit.target.type } : {}),
              ...(hit.target?.webhookPath !== undefined && hit.loop === 'webhook' ? { webhookPath: hit.target.webhookPath } : {}),
              ...(trigger ? { triggerAt: `${trigger.at.line}:${trigger.at.column}` } : {}),
              ...(hit.test ? { testUrl: true } : {}),
            },
          }),
        );
      }
    }
    return findings;
  },
});
