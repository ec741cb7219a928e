import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding, Location } from '../src/core/model.js';
import type { SecretRef, UsesRef, WorkflowInclude, WorkflowJob } from '../src/core/workflow.js';
import { describeRef, describeWorkflow, isAutomaticToken, ownerEvidence, inlineAllowed, resourceOf, workflowsOf } from '../src/workflow/findings.js';

/**
 * Owners whose actions are GitHub's own: they run on GitHub's platform with GitHub's token
 * already, so a secret handed to them is not handed to a third party. Compared case-insensitively.
 */
export const FIRST_PARTY_OWNERS: ReadonlySet<string> = new Set(['actions', 'github']);

function isThirdPartyUnpinned(uses: UsesRef | undefined): uses is UsesRef {
  if (!uses || uses.pinned) return false;
  if (uses.kind === 'docker') return true;
  return uses.kind === 'repository' && !FIRST_PARTY_OWNERS.has((uses.owner ?? '').toLowerCase());
}

function label(uses: UsesRef): string {
  return uses.ref === undefined ? `${uses.raw} (no version at all)` : uses.raw;
}

/** Whether `a` comes after `b` in the same file. */
const after = (a: Location, b: Location) => a.line > b.line || (a.line === b.line && a.column > b.column);

/**
 * GitLab's own CI/CD components, the catalog's \`components/\` group on gitlab.com (\`components/sast\`,
 * \`components/secret-detection\`…, the successors of GitLab's \`template:\` includes), addressed as \`gitlab.com/…\` or
 * \`$CI_SERVER_FQDN/…\`: not a third party, like \`template:\`.
 */
function isGitlabComponent(include: WorkflowInclude): boolean {
  return include.kind === 'component' && /^(?:gitlab\.com|\$\{?CI_SERVER_FQDN\}?)\/components\//i.test(include.raw.trim());
}

export default defineRule({
  id: 'unpinned-action-with-secrets',
  title: 'Secrets handed to a third-party action not pinned to a commit',
  severity: 'high',
  owasp: 'NHI3:2025',
  description: `\`uses: owner/action@v3\` runs whatever the tag \`v3\` points to when the job starts. Tags and branches move: whoever
controls the action's repository (its maintainers, or whoever steals their credentials, as in the tj-actions/changed-files
compromise of March 2025) can point them at code that reads the secrets the step receives and sends them away. A full
40-character commit SHA cannot be moved. nhi reports a step whose action is third-party and not pinned to a commit SHA and
that receives secrets: through its \`with:\` inputs, its own \`env:\`, or the \`env:\` of its job or workflow (which every step
of the job sees). A job calling another repository's reusable workflow (\`jobs.<id>.uses\`) not pinned to a SHA, with
\`secrets: inherit\` or named secrets, is reported the same way. \`docker://\` images count when not pinned to a
\`sha256:\` digest. The finding points at the \`uses\` key and names the secrets.

Deliberately not reported:
- GitHub's own actions (\`actions/*\`, \`github/*\`): GitHub already runs the job and issues its token, so pinning them
  protects against a party who holds the secrets anyway. Pinning them is still good hygiene (zizmor's \`unpinned-uses\`
  requires it by default since 1.20); this rule is about secrets given to third parties.
- Local actions (\`./…\`): they change only through the repository's own review.
- The automatic token (\`secrets.GITHUB_TOKEN\`, \`github.token\`): any action can read it through an input default of
  \`\${{ github.token }}\`, pinned or not; what it can do is \`workflow-excessive-permissions\`' concern.
- Steps that receive no secret: an unpinned action without secrets can still misuse the job's token and runner, which is
  a supply-chain finding for zizmor's \`unpinned-uses\`, not an identity-credential one.

GitLab CI has no actions, but \`include:\` brings in configuration from elsewhere, and an included file can define jobs or
\`default:\` scripts that run with every CI/CD variable of the project, secrets included. In a \`.gitlab-ci.yml\` that uses
stored secrets (a \`$TOKEN\`-like variable the file does not define, or \`secrets:\`), nhi reports each \`include:\` of
another project (\`project:\` with a \`ref:\` that is not a commit SHA, or none), a CI/CD component whose version is not a
commit SHA (\`@1.2\`, \`@~latest\`), and a \`remote:\` URL without an \`integrity:\` hash; a secret given to the include as
one of its \`inputs:\` (\`token: $RELEASE_TOKEN\`) counts as a secret the pipeline uses, and the finding names it. GitLab's own
\`template:\` includes and components (the catalog's \`components/\` group: \`gitlab.com/components/sast/sast@3\`,
\`$CI_SERVER_FQDN/components/…\`), and \`local:\` files are not reported, for the same reasons as \`actions/*\` and local actions.

A \`nhi:allow\` comment on the reported line suppresses the finding, as it does for secrets.`,
  remediation: {
    summary:
      'Pin the action to the full commit SHA of the release you reviewed, with the version in a comment (`uses: owner/action@<40-hex sha> # v3.1.2`), and let Dependabot or Renovate propose updates.',
    steps: [
      'Find the commit the tag points to: `git ls-remote https://github.com/<owner>/<action> refs/tags/<tag>` (use the peeled `^{}` line for annotated tags), after reading the changes since the version you trust.',
      'Replace the tag with that SHA and keep the tag as a comment: `uses: owner/action@<sha> # v3.1.2`.',
      'Enable Dependabot (`package-ecosystem: github-actions` in .github/dependabot.yml) so pinned SHAs are updated through reviewed pull requests.',
      'Pass the action only the secrets it needs, on the step that needs them, rather than in job- or workflow-level `env:`.',
      'Optionally, enforce SHA pinning for the organisation or repository (Settings → Actions → General → "Require actions to be pinned to a full-length commit SHA").',
    ],
    commands: ['git ls-remote https://github.com/<owner>/<action> "refs/tags/<tag>*"'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/3-vulnerable-third-party-nhi/',
    'https://docs.github.com/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions',
    'https://docs.zizmor.sh/audits/#unpinned-uses',
    'https://docs.gitlab.com/ci/yaml/includes/',
    'https://www.cisa.gov/news-events/alerts/2025/03/18/supply-chain-compromise-third-party-tj-actionschanged-files-cve-2025-30066-and-reviewdogaction-setup-cve-2025-30154',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow } of workflowsOf(inventory, { actions: true })) {
      const refs = workflow.secretRefs.filter((r) => !isAutomaticToken(r));
      if (workflow.platform === 'gitlab-ci') {
        const names = [...new Set(refs.map(describeRef))];
        if (names.length === 0) continue;
        const includes = workflow.includes ?? [];
        const reported = new Set<string>();
        for (const [i, include] of includes.entries()) {
          if (include.pinned || include.kind === 'local' || include.kind === 'template' || isGitlabComponent(include)) continue;
          // The same include written in two files of the pipeline is one finding (one fingerprint), at its first place.
          const key = `${include.kind}\u0000${include.raw}\u0000${include.ref ?? ''}`;
          if (reported.has(key)) continue;
          reported.add(key);
          const how = include.kind === 'remote' ? 'fetched from a URL without an integrity hash' : include.ref ? `at ${include.ref}, not a commit SHA` : 'at its default branch (no ref)';
          // Secrets given to it as `inputs:` (written after its entry, before the next include of the same file).
          const next = includes.slice(i + 1).find((n) => n.at.path === include.at.path && after(n.at, include.at));
          const handed = refs.filter((r) => r.job === undefined && r.section === 'with' && r.at.path === include.at.path && after(r.at, include.at) && (!next || after(next.at, r.at)));
          const given = [...new Set(handed.map((r) => `${describeRef(r)} (input ${r.key})`))];
          const what = given.length ? `, and hands it ${given.join(', ')}; its jobs also run with every CI/CD variable` : '; its jobs run with every CI/CD variable';
          findings.push(
            buildFinding(this, {
              resource: resourceOf(identity),
              message: `${describeWorkflow(identity)[0]!.toUpperCase()}${describeWorkflow(identity).slice(1)} includes ${include.kind} ${include.raw}, ${how}${what}, including ${names.join(', ')}.`,
              identity: [identity.id, 'include', include.kind, include.raw],
              location: include.at,
              allowedInline: inlineAllowed(workflow, include.at),
              evidence: {
                workflow: identity.id,
                ...ownerEvidence(identity),
                include: include.raw,
                kind: include.kind,
                ref: include.ref ?? '',
                secrets: names.join(', '),
                ...(given.length ? { inputs: given.join(', ') } : {}),
              },
            }),
          );
        }
        continue;
      }
      // Secrets every step of a job sees through `env:` (the workflow's, the job's).
      const sharedEnv = (job: WorkflowJob) => refs.filter((r) => r.section === 'env' && r.step === undefined && (r.job === undefined || r.job === job.id));
      const seen = new Map<string, number>();
      const report = (job: WorkflowJob, uses: UsesRef, received: SecretRef[], inherit: boolean, step?: number) => {
        const names = [...new Set(received.map(describeRef))];
        const via = [...new Set(received.map((r) => (r.key ? `${r.section}.${r.key}` : r.section)))];
        const what = inherit ? `every secret (secrets: inherit)${names.length ? ` and ${names.join(', ')}` : ''}` : names.join(', ');
        const n = (seen.get(`${job.id}\u0000${uses.raw}`) ?? 0) + 1;
        seen.set(`${job.id}\u0000${uses.raw}`, n);
        const who = step === undefined ? `Job ${job.id}` : `Step ${step + 1} of job ${job.id}`;
        findings.push(
          buildFinding(this, {
            resource: resourceOf(identity),
            message: `${who} in ${describeWorkflow(identity)} runs ${label(uses)}, not pinned to a commit SHA, and hands it ${what}.`,
            // What is run and where, not the line: the step's position may change, the action and job stay.
            identity: [identity.id, job.id, uses.raw, ...(n > 1 ? [String(n)] : [])],
            location: uses.at,
            allowedInline: inlineAllowed(workflow, uses.at),
            evidence: {
              workflow: identity.id,
              ...ownerEvidence(identity),
              job: job.id,
              ...(step !== undefined ? { step: step + 1 } : {}),
              uses: uses.raw,
              ref: uses.ref ?? '',
              secrets: inherit ? ['inherit', ...names].join(', ') : names.join(', '),
              ...(via.length ? { via: via.join(', ') } : {}),
            },
          }),
        );
      };
      for (const job of workflow.jobs) {
        if (isThirdPartyUnpinned(job.uses) && job.uses.kind === 'repository') {
          const passed = refs.filter((r) => r.job === job.id && r.step === undefined && (r.section === 'secrets' || r.section === 'with'));
          if (job.secretsInherit || passed.length) report(job, job.uses, passed, Boolean(job.secretsInherit));
        }
        const shared = sharedEnv(job);
        for (const step of job.steps) {
          if (!isThirdPartyUnpinned(step.uses)) continue;
          const own = refs.filter((r) => r.job === job.id && r.step === step.index && (r.section === 'with' || r.section === 'env'));
          const received = [...own, ...shared];
          if (received.length) report(job, step.uses, received, false, step.index);
        }
      }
    }
    return findings;
  },
});
