import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { describeWorkflow, inlineAllowed, resourceOf, workflowsOf } from '../src/workflow/findings.js';

export default defineRule({
  id: 'unowned-workflow',
  title: 'Workflow with no CODEOWNERS owner',
  severity: 'low',
  owasp: 'NHI1:2025',
  description: `A workflow is a non-human identity of its own: it holds the repository's secrets and a token, and whoever
changes its file changes what that identity does. CODEOWNERS makes a named team review every change to the files it
covers (with branch protection's "Require review from Code Owners") and tells everyone who answers for the workflow when
its secrets must be rotated, its permissions trimmed or the workflow retired. A workflow no CODEOWNERS entry owns can be
changed with any reviewer's approval, and is the one left behind when its team moves on.

nhi reports each GitHub Actions workflow (\`.github/workflows/*.yml\`) and composite action whose path no CODEOWNERS rule
covers, or whose last matching rule names nobody (which removes ownership: GitHub takes the last match). CODEOWNERS is
read where GitHub reads it (\`.github/CODEOWNERS\`, \`CODEOWNERS\`, \`docs/CODEOWNERS\` at the repository root). GitLab CI
pipelines (\`.gitlab-ci.yml\`) are judged the same way with GitLab's CODEOWNERS (\`CODEOWNERS\`, \`docs/CODEOWNERS\`,
\`.gitlab/CODEOWNERS\`, with sections: a path's owners are those of every section's last matching rule); only the
\`.gitlab-ci.yml\` itself is looked up, not the files it includes. A repository without any CODEOWNERS file gets one
finding per workflow. n8n workflows are not judged here: their owner comes from tags, not CODEOWNERS. The finding points at the workflow file's first key. Low
severity: ownership is governance, not an exposure; other rules report what the workflow can reach.

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary: 'Add a CODEOWNERS rule that names the team responsible for the workflow, and require code-owner review on the default branch.',
    steps: [
      'Find who maintains the workflow (the authors of its recent changes, the team owning what it deploys or publishes).',
      'Add a line to .github/CODEOWNERS covering it, e.g. `/.github/workflows/release.yml @acme/release-team`, below any broader rule (the last match wins); for GitLab, `/.gitlab-ci.yml @acme/platform` (and `/.gitlab/ci/` for included files) in CODEOWNERS or .gitlab/CODEOWNERS.',
      'Cover the whole folder too (`/.github/ @acme/platform`) so that new workflows start owned.',
      'Turn on "Require review from Code Owners" in the default branch’s protection rule or ruleset (GitLab: "Code owner approval" on the protected branch), so the owners review every change.',
      'If nobody claims the workflow, disable it (`gh workflow disable`) and delete it along with the secrets only it used.',
    ],
    commands: ['gh workflow disable <workflow-file>'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/1-improper-offboarding/',
    'https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners',
    'https://docs.github.com/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-codeowners-to-monitor-changes',
    'https://docs.gitlab.com/user/project/codeowners/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of workflowsOf(inventory, { actions: true })) {
      if (workflow.platform === 'n8n') continue;
      if (identity.owners.length > 0) continue;
      const at = identity.definedAt;
      findings.push(
        buildFinding(this, {
          resource: resourceOf(identity),
          message: `${describeWorkflow(identity)[0]!.toUpperCase()}${describeWorkflow(identity).slice(1)} has no owner: no CODEOWNERS rule names anyone for ${identity.id}.`,
          identity: [identity.id],
          ...(at ? { location: at, allowedInline: inlineAllowed(workflow, at) } : {}),
          evidence: { workflow: identity.id, triggers: workflow.triggers.map((t) => t.event).join(', '), jobs: workflow.jobs.length },
        }),
      );
    }
    return findings;
  },
});
