import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding, Location } from '../src/core/model.js';
import type { WorkflowJob, WorkflowStep } from '../src/core/workflow.js';
import { describeRef, describeWorkflow, inlineAllowed, ownerEvidence, resourceOf } from '../src/workflow/findings.js';
import { githubWorkflowsOf, input, isAction, jobSecretRefs, jobTokenPower } from '../src/workflow/github.js';

/** Events whose runs hold the base repository's secrets and a token that may write, while reacting to someone else's pull request. */
export const PRIVILEGED_TRIGGERS: ReadonlySet<string> = new Set(['pull_request_target', 'workflow_run', 'issue_comment']);

/**
 * Expressions naming the pull request's code (its head commit, branch or repository) or a
 * `refs/pull/<n>/…` ref: what a privileged job must not check out and run.
 */
const UNTRUSTED_CODE =
  /github\.event\.pull_request\.head\.(?:sha|ref|repo\.full_name)|github\.head_ref|github\.event\.workflow_run\.(?:head_sha|head_branch|head_commit\.id|head_repository\.full_name)|refs\/pull\/|\bpull\/(?:\$\{\{[^}]*\}\}|[^/\s]+)\/(?:head|merge)\b/;

/** Shell commands that fetch or switch to the pull request's code. */
const SHELL_CHECKOUT = /\bgh\s+pr\s+checkout\b|\bgit\s+(?:fetch|checkout|switch|pull|merge|reset|worktree\s+add)\b[^\n]*(?:github\.event\.pull_request\.head|github\.head_ref|github\.event\.workflow_run\.head|refs\/pull\/|\bpull\/(?:\$\{\{[^}]*\}\}|[^/\s]+)\/(?:head|merge)\b)/;

interface UntrustedCheckout {
  step: WorkflowStep;
  /** The key to report: the checkout's `ref`/`repository` input, or the `run` key. */
  at: Location;
  /** What names the pull request's code, as written. */
  what: string;
  /** The same `run:` script goes on to run more commands after the checkout. */
  runsInSameStep: boolean;
}

function untrustedCheckout(step: WorkflowStep): UntrustedCheckout | undefined {
  if (isAction(step.uses, 'actions', 'checkout')) {
    const ref = input(step, 'ref');
    const repository = input(step, 'repository');
    const hit = [ref, repository].find((v) => v && UNTRUSTED_CODE.test(v.value));
    if (hit) return { step, at: hit.at, what: `${hit.name}: ${hit.value}`, runsInSameStep: false };
    return undefined;
  }
  if (!step.run) return undefined;
  const lines = step.run.text.split('\n');
  const i = lines.findIndex((l) => SHELL_CHECKOUT.test(l));
  if (i < 0) return undefined;
  return { step, at: step.run.at, what: lines[i]!.trim(), runsInSameStep: runsWorkspaceCode(lines.slice(i + 1)) };
}

/**
 * Commands that do not execute what the checkout brought: the GitHub CLI (`gh pr review`, `gh pr merge`…), output,
 * navigation and git's read-only queries. Anything else may (a build, a test, an install with lifecycle scripts).
 */
const INERT_COMMAND = /^(?:gh|echo|printf|cd|pwd|export|set|exit|true|false|sleep|git\s+(?:status|log|diff|show|rev-parse|branch))(?:\s|$)/;

/** Whether script lines run anything beyond inert commands (blank lines and comments aside). */
function runsWorkspaceCode(lines: string[]): boolean {
  return lines.some((l) => {
    const line = l.trim();
    if (line === '' || line.startsWith('#')) return false;
    // Every command of the line (`a && b; c || d`) must be inert.
    return line.split(/&&|\|\||;/).some((part) => !isInert(part));
  });
}

/** One command: shell keywords (`if`, `then`, `fi`…) aside, an inert command, or a test (`[ … ]`) whose `$(…)` are inert. */
function isInert(part: string): boolean {
  const command = part.trim().replace(/^(?:(?:if|then|else|elif|fi|do|done|while|until|!)(?:\s+|$))+/, '');
  if (command === '') return true;
  if (/^(?:\[\[?|test)(?:\s|$)/.test(command)) return [...command.matchAll(/\$\(\s*([^)\s]+)/g)].every((m) => INERT_COMMAND.test(`${m[1]} `));
  return INERT_COMMAND.test(command);
}

/** The first step after the checkout that runs code from the workspace: a `run:` script (not only inert commands) or a local action. */
function laterRun(job: WorkflowJob, from: UntrustedCheckout): WorkflowStep | undefined {
  return job.steps.find((s) => s.index > from.step.index && ((s.run !== undefined && runsWorkspaceCode(s.run.text.split('\n'))) || s.uses?.kind === 'local'));
}

export default defineRule({
  id: 'secrets-to-untrusted-code',
  title: 'Privileged workflow runs a pull request’s code with secrets or a write token',
  severity: 'high',
  owasp: 'NHI5:2025',
  description: `Workflows started by \`pull_request_target\`, \`workflow_run\` and \`issue_comment\` run in the base repository's
context even when the event comes from a fork: they receive the repository's secrets and a \`GITHUB_TOKEN\` that may write.
That is safe only while they run the base repository's own code. A job that checks out the pull request's code and then
runs it (a build, a test, \`npm install\` with its lifecycle scripts, a Makefile) hands those secrets and that token to
whoever opened the pull request ("pwn request"): the credentials are the identity, and the attacker's code now holds it.

nhi reports a job of such a workflow that:
- checks out the pull request's code: \`actions/checkout\` whose \`ref\` or \`repository\` names the pull request's head
  (\`github.event.pull_request.head.sha\`/\`.ref\`/\`.repo.full_name\`, \`github.head_ref\`,
  \`github.event.workflow_run.head_sha\`/\`head_branch\`/\`head_repository.full_name\`) or a \`refs/pull/<n>/merge|head\` ref;
  or a \`run:\` script with \`gh pr checkout\`, or \`git fetch|checkout|switch|pull…\` of such a ref;
- then runs code from the workspace: a later \`run:\` step or local action (\`uses: ./…\`), or more commands in the same script;
- and can reach a credential: a stored secret referenced anywhere in the job or in the workflow's \`env:\` (critical), or a
  token with write scopes through the job's or the workflow's \`permissions:\` (high). With no \`permissions:\` at all the
  token gets the repository's default, which may write everywhere: reported high with medium confidence.

The finding points at the checkout's \`ref\` (or \`repository\`) input, or at the \`run\` key of the script that checks out.

Not reported: such workflows that label, comment or triage without checking out the pull request's code; a checkout of the
base ref (no \`ref:\`, or \`ref: main\`); a checkout followed only by inert commands (the GitHub CLI — \`gh pr review\`,
\`gh pr merge\` —, \`echo\`, \`cd\`, git's read-only queries); jobs whose token is read-only and which see no secret; third-party actions run
after the checkout (nhi cannot tell which of them execute workspace code); artifacts downloaded from the triggering run
(another path for untrusted data). A job-level \`if:\` (a label check, an author association) is not taken as a
safeguard: labels can be added after the code changes.

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary:
      'Split the work: build and test the pull request’s code in a `pull_request` workflow, which gets no secrets and a read-only token for forks, and keep the privileged workflow to steps that never run that code.',
    steps: [
      'Move the build/test of the pull request’s code to a workflow triggered by `pull_request`; it runs with a read-only token and without secrets for forks.',
      'If a privileged step is needed afterwards (a comment, a label, an upload), run it in a `workflow_run` workflow that only reads the first run’s results as data, never executes them, and treats artifacts as untrusted input.',
      'If the privileged workflow must look at the code, check it out into a separate directory with `persist-credentials: false`, never run its scripts, and hold no secrets in that job.',
      'Set `permissions:` to the least the job needs (`contents: read`, or `{}`), and move secrets to an environment with required reviewers so a maintainer approves each use.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
    'https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request_target',
    'https://docs.zizmor.sh/audits/#dangerous-triggers',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of githubWorkflowsOf(inventory)) {
      const triggers = workflow.triggers.filter((t) => PRIVILEGED_TRIGGERS.has(t.event));
      if (triggers.length === 0) continue;
      const events = [...new Set(triggers.map((t) => t.event))];
      for (const job of workflow.jobs) {
        for (const step of job.steps) {
          const checkout = untrustedCheckout(step);
          if (!checkout) continue;
          const runner = laterRun(job, checkout);
          if (!runner && !checkout.runsInSameStep) continue;
          const secrets = [...new Set(jobSecretRefs(workflow, job).map(describeRef))];
          const power = jobTokenPower(workflow, job);
          if (secrets.length === 0 && power.writes.length === 0 && !power.defaulted) continue;
          const token = power.defaulted
            ? 'the repository’s default token (no permissions: block; it may write to every scope)'
            : power.writes.length
              ? `a token that can write (${power.writes.includes('*') ? 'write-all' : power.writes.join(', ')})`
              : '';
          const reach = [secrets.length ? secrets.join(', ') : '', token].filter(Boolean).join(' and ');
          const runs = runner ? `step ${runner.index + 1} runs it` : 'the same script runs it';
          findings.push(
            buildFinding(this, {
              resource: resourceOf(identity),
              message: `Job ${job.id} of ${describeWorkflow(identity)}, started by ${events.join(', ')}, checks out the pull request’s code (${checkout.what}) and ${runs} with ${reach}.`,
              // The job and what it checks out, never the line: moving a step keeps the fingerprint.
              identity: [identity.id, job.id, checkout.what],
              severity: secrets.length ? 'critical' : 'high',
              confidence: secrets.length === 0 && power.defaulted ? 'medium' : 'high',
              location: checkout.at,
              allowedInline: inlineAllowed(workflow, checkout.at),
              evidence: {
                workflow: identity.id,
                ...ownerEvidence(identity),
                job: job.id,
                triggers: events.join(', '),
                checkout: checkout.what,
                step: checkout.step.index + 1,
                ...(runner ? { runs: runner.index + 1 } : {}),
                ...(secrets.length ? { secrets: secrets.join(', ') } : {}),
                token: power.defaulted ? 'default' : power.writes.length ? power.writes.join(', ') : 'read-only',
              },
            }),
          );
          break; // One finding per job: the first checkout of the pull request's code.
        }
      }
    }
    return findings;
  },
});
