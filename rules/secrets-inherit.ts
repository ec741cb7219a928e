import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { describeWorkflow, inlineAllowed, ownerEvidence, resourceOf, workflowsOf } from '../src/workflow/findings.js';

export default defineRule({
  id: 'secrets-inherit',
  title: 'Workflow hands over every secret instead of the ones needed',
  severity: 'medium',
  owasp: 'NHI5:2025',
  description: `A workflow should hand each piece of code the secrets it needs by name. Two constructs hand over all of them:

- **\`secrets: inherit\`** on a job that calls a reusable workflow: the called workflow receives every repository,
  organisation and environment secret the caller can read, today's and every one added later, whatever it uses. A change
  in the called workflow (or, for another repository's workflow not pinned to a commit, a change by its owners) can then
  read any of them. Medium when the called workflow is in another repository; low for a workflow of the same repository
  (\`./.github/workflows/…\`), which the same reviewers change.
- **The whole secrets context as a value**: \`\${{ toJSON(secrets) }}\` (or \`secrets\` passed to any function) puts every
  secret into one environment variable, input or script (high). \`secrets[<expression>]\`, indexed by something other
  than a literal, makes the runner receive every secret to evaluate it (medium, confidence medium).

Not reported: \`secrets.X\` and \`secrets['X']\` (named, as they should be); \`secrets:\` maps that pass named secrets to a
reusable workflow; \`github.token\`. The finding points at the \`secrets\` key, or at the expression.

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary:
      'Pass secrets by name: list in the calling job’s `secrets:` map the secrets the reusable workflow declares under `on.workflow_call.secrets`, and reference single secrets (`secrets.NAME`) instead of the whole context.',
    steps: [
      'Open the called workflow and read its `on.workflow_call.secrets` (or, if it declares none, the `secrets.*` it uses).',
      'Replace `secrets: inherit` with a map naming each of them, e.g. `secrets: { NPM_TOKEN: ${{ secrets.NPM_TOKEN }} }`; declare them in the called workflow if it does not.',
      'Replace `toJSON(secrets)` with the secrets the step needs, each in its own environment variable.',
      'Replace `secrets[format(…)]` with explicit names (one step per environment, or a matrix of literal names).',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://docs.github.com/actions/sharing-automations/reusing-workflows#passing-secrets-to-nested-workflows',
    'https://docs.github.com/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions',
    'https://docs.zizmor.sh/audits/#secrets-inherit',
    'https://docs.zizmor.sh/audits/#overprovisioned-secrets',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of workflowsOf(inventory, { actions: true })) {
      const common = { resource: resourceOf(identity) };
      for (const job of workflow.jobs) {
        if (!job.secretsInherit) continue;
        const local = job.uses?.kind === 'local';
        const callee = job.uses?.raw ?? 'a reusable workflow';
        findings.push(
          buildFinding(this, {
            ...common,
            message: `Job ${job.id} of ${describeWorkflow(identity)} passes every secret it can read to ${callee} (secrets: inherit)${local ? ', a workflow of the same repository' : ''}.`,
            identity: [identity.id, job.id, 'inherit'],
            severity: local ? 'low' : 'medium',
            location: job.secretsInherit,
            allowedInline: inlineAllowed(workflow, job.secretsInherit),
            evidence: { workflow: identity.id, ...ownerEvidence(identity), case: 'secrets-inherit', job: job.id, calls: callee },
          }),
        );
      }
      // The same expression twice in one place is two findings: count them so fingerprints differ.
      const seen = new Map<string, number>();
      for (const ref of workflow.secretRefs) {
        if (ref.kind !== 'whole-context' && ref.kind !== 'dynamic') continue;
        // Not the step's position nor the line: inserting a step must keep the fingerprint.
        const place = [ref.job ?? '', ref.section, ref.key ?? ''];
        const key = [...place, ref.expression].join('\u0000');
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        const whereText = `${ref.job ? `job ${ref.job}${ref.step !== undefined ? `, step ${ref.step + 1}` : ''}` : 'the workflow'}${ref.key ? ` (${ref.section}: ${ref.key})` : ref.section !== 'other' ? ` (${ref.section})` : ''}`;
        const whole = ref.kind === 'whole-context';
        findings.push(
          buildFinding(this, {
            ...common,
            message: whole
              ? `${describeWorkflow(identity)} exposes every secret at once in ${whereText}: ${ref.expression}.`
              : `${describeWorkflow(identity)} indexes the secrets context with an expression in ${whereText} (${ref.expression}), so every secret is sent to the runner.`,
            identity: [identity.id, ref.kind, ...place, ref.expression, String(n)],
            severity: whole ? 'high' : 'medium',
            confidence: whole ? 'high' : 'medium',
            location: ref.at,
            allowedInline: inlineAllowed(workflow, ref.at),
            evidence: { workflow: identity.id, ...ownerEvidence(identity), case: ref.kind, expression: ref.expression, ...(ref.job ? { job: ref.job } : {}) },
          }),
        );
      }
    }
    return findings;
  },
});
