import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { describeWorkflow, ownerEvidence, resourceOf } from '../src/workflow/findings.js';
import { n8nWorkflowsOf } from '../src/workflow/n8n.js';

/** Names of drafts, copies and experiments: n8n's default names, "Copy of …", "test", "v2 final", "old", "tmp". */
const THROWAWAY_NAME = /^\s*(?:untitled|my workflow)\b|^\s*copy of\b|\(copy\)|\bcopy\s*\d*\s*$|\b(?:test|testing|tmp|temp|draft|wip|old|backup|do not use|dont use|delete me)\b|\bfinal\b/i;

export default defineRule({
  id: 'undocumented-workflow',
  title: 'n8n workflow has no description, or a throwaway name',
  severity: 'low',
  owasp: 'NHI1:2025',
  description: `A workflow holds credentials and acts on other systems: it is a non-human identity, and like any other
it must say what it is for so that someone can review its access and, one day, switch it off. Workflows named
"Copy of …", "test", "v2 final" or n8n's default "My workflow" are the ones nobody remembers making; left active they
keep calling APIs with real credentials long after their purpose is forgotten.

Reported for an n8n workflow (whether active or not) that has no description (n8n 1.x keeps it in the workflow's
top-level \`description\`; a sticky note with text on the canvas counts as one too), and separately for a workflow whose
name looks like a draft, a copy or an experiment (\`untitled\`, \`My workflow\`, \`Copy of\`, \`test\`, \`tmp\`, \`old\`,
\`final\`…). The finding points at the workflow's name (or its first key when it has no name).`,
  remediation: {
    summary: 'Describe what the workflow does, for whom and with which credentials, and give it a name that says so; delete drafts and copies that are not needed.',
    steps: [
      'Delete the workflow if it is a leftover copy or experiment (and the credentials only it used).',
      'Otherwise rename it after what it does, and fill in its description (workflow settings), or add a sticky note explaining its purpose, its owner and the systems it touches.',
      'Tag it with its owner (`owner:<team or person>`), so that nhi and reviewers can find who answers for it.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/1-improper-offboarding/',
    'https://docs.n8n.io/workflows/sticky-notes/',
    'https://docs.n8n.io/workflows/settings/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, n8n } of n8nWorkflowsOf(inventory)) {
      const at = n8n.nameAt ?? identity.definedAt;
      const common = { resource: resourceOf(identity), ...(at ? { location: at } : {}) };
      const evidence = { workflow: identity.id, ...ownerEvidence(identity), active: n8n.active };
      if (!n8n.described && n8n.stickyNotes === 0) {
        findings.push(
          buildFinding(this, {
            ...common,
            message: `${describeWorkflow(identity)}${n8n.active ? ', active,' : ''} has no description and no sticky note saying what it is for.`,
            identity: [identity.id, 'no-description'],
            evidence: { ...evidence, case: 'no-description' },
          }),
        );
      }
      if (identity.name !== identity.id && THROWAWAY_NAME.test(identity.name)) {
        findings.push(
          buildFinding(this, {
            ...common,
            message: `${describeWorkflow(identity)}${n8n.active ? ', active,' : ''} is named like a draft, copy or experiment.`,
            identity: [identity.id, 'throwaway-name'],
            severity: n8n.active ? 'medium' : 'low',
            evidence: { ...evidence, case: 'throwaway-name' },
          }),
        );
      }
    }
    return findings;
  },
});
