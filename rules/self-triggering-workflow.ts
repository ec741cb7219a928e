import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Confidence, Finding, Location } from '../src/core/model.js';
import type { NamedValue, WorkflowJob, WorkflowStep } from '../src/core/workflow.js';
import { describeWorkflow, inlineAllowed, ownerEvidence, resourceOf } from '../src/workflow/findings.js';
import { githubWorkflowsOf, input, isAction, readsStoredSecret } from '../src/workflow/github.js';

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
function pushesHere(script: string): boolean {
  const push = /\bgit\s+push\b([^\n;&|]*)/.exec(script);
  if (!push) return false;
  if (/\bgit\s+clone\b/.test(script.slice(0, push.index))) return false;
  const target = push[1]!;
  return !/(?:https?:\/\/|git@)/.test(target) || /\bgithub\.repository\b/.test(target);
}

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

export default defineRule({
  id: 'self-triggering-workflow',
  title: 'Workflow re-triggers itself with a personal or app token',
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

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary:
      'Act with the automatic `GITHUB_TOKEN` where the follow-up run is not needed; where it is, break the loop explicitly: narrow the trigger, and skip runs caused by the bot itself.',
    steps: [
      'Use `GITHUB_TOKEN` (with the job-level `permissions:` it needs) for the push, comment or dispatch if no further workflow run is wanted.',
      'If the bot’s change must run CI, restrict the trigger so the bot’s own event does not match it (`branches`, `paths-ignore`, a dedicated branch), and add `if: github.actor != \'<bot>[bot]\'` (or check the commit message or comment author) to the job.',
      'For dispatches, pass a counter or a flag in the inputs/client_payload and stop when it is set.',
      'Prefer a GitHub App token (`actions/create-github-app-token`, short-lived and scoped to the repository) over a personal access token, and give the job that holds it no other secrets.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/triggering-a-workflow#triggering-a-workflow-from-a-workflow',
    'https://docs.github.com/actions/security-for-github-actions/security-guides/automatic-token-authentication#using-the-github_token-in-a-workflow',
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
    return findings;
  },
});
