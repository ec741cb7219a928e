import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { describeWorkflow, ownerEvidence, resourceOf } from '../src/workflow/findings.js';
import { n8nCredentialsByScope, n8nWorkflowsOf } from '../src/workflow/n8n.js';

export default defineRule({
  id: 'n8n-missing-credential',
  title: 'n8n workflow uses a credential the credentials export does not list',
  severity: 'medium',
  owasp: 'NHI1:2025',
  description: `Every credential an n8n node uses is a non-human identity someone must own, rotate and eventually revoke.
When the instance's credentials export (\`n8n export:credentials\`) is scanned with its workflows, each credential a
node references (\`credentials: { "<type>": { "id", "name" } }\`) should be in it. One that is not is a dangling
reference: the credential was deleted (the workflow fails, or was re-pointed by hand on another instance), it belongs
to a project or user whose credentials were not exported, or the workflow was imported from elsewhere and reaches a
credential nobody inventoried. Either way the inventory of the workflow's identities is incomplete.

Reported only when a credentials export is present in the same scanned folder, for each reference whose id (or, for
references without an id, whose name and type) matches no exported credential. The finding points at the credential
type's key in the node.`,
  remediation: {
    summary: 'Find the credential the node really uses, inventory it (or re-point the node to an inventoried one), and delete references to credentials that no longer exist.',
    steps: [
      'Open the workflow in n8n and check which credential the node uses; export the credentials of every project the workflows belong to.',
      'If the credential was deleted, point the node to a current credential, or remove the node.',
      'If it exists outside the export, record its owner and rotation, and include it in the next export.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/1-improper-offboarding/',
    'https://docs.n8n.io/hosting/cli-commands/#export-workflows-and-credentials',
    'https://docs.n8n.io/credentials/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    const byScope = n8nCredentialsByScope(inventory);
    for (const { identity, n8n } of n8nWorkflowsOf(inventory)) {
      const exported = byScope.get(identity.scope);
      if (!exported) continue;
      const ids = new Set(exported.map((c) => c.attributes.n8nId));
      const names = new Set(exported.map((c) => `${c.attributes.type}\u0000${c.attributes.name}`));
      for (const node of n8n.nodes) {
        for (const ref of node.credentials) {
          if (ref.id !== undefined ? ids.has(ref.id) : ref.name !== undefined && names.has(`${ref.type}\u0000${ref.name}`)) continue;
          const label = [ref.name ? `"${ref.name}"` : undefined, ref.id ? `id ${ref.id}` : undefined].filter(Boolean).join(', ') || 'with no id or name';
          findings.push(
            buildFinding(this, {
              message: `Node "${node.name}" of ${describeWorkflow(identity)} uses ${ref.type} credential ${label}, which the credentials export of ${identity.scope} does not list.`,
              identity: [identity.id, node.name, ref.type, ref.id ?? ref.name ?? ''],
              location: ref.at,
              resource: resourceOf(identity),
              evidence: { workflow: identity.id, ...ownerEvidence(identity), node: node.name, credentialType: ref.type, ...(ref.id ? { credentialId: ref.id } : {}), ...(ref.name ? { credentialName: ref.name } : {}), exported: exported.length },
            }),
          );
        }
      }
    }
    return findings;
  },
});
