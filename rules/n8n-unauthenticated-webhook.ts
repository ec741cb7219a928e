import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { describeWorkflow, ownerEvidence, resourceOf } from '../src/workflow/findings.js';
import { n8nWorkflowsOf } from '../src/workflow/n8n.js';

const WEBHOOK = /(?:^|\.)webhook$/i;

export default defineRule({
  id: 'n8n-unauthenticated-webhook',
  title: 'Active n8n workflow starts from a webhook anyone can call',
  severity: 'high',
  owasp: 'NHI4:2025',
  description: `An n8n Webhook node listens on \`<instance>/webhook/<path>\` as soon as its workflow is active. With
Authentication set to None (n8n's default, which an export leaves out), whoever learns or guesses the URL runs the
workflow with every credential its nodes use: the workflow is a non-human identity whose front door has no lock.
Webhook URLs leak through browser history, logs, chat messages and the services they are given to.

Reported for each enabled Webhook node whose \`authentication\` is \`none\` or absent, in a workflow exported as active
(\`"active": true\`); high when the workflow's nodes use credentials, else medium. Not reported: inactive workflows
(their production URL does not listen), disabled nodes, and webhooks with Basic, Header or JWT authentication. The
finding points at the \`authentication\` key, or at the node's \`type\` when the export has none.

A webhook that must stay open to a third party that cannot authenticate should verify a signature of the payload in
the workflow (and the finding be accepted in a baseline).`,
  remediation: {
    summary: 'Give the Webhook node an authentication method (Header Auth with a long random value, Basic Auth or JWT) and have the caller send it.',
    steps: [
      'In the Webhook node, set Authentication to Header Auth (or Basic Auth, or JWT Auth) and create a credential with a long random value.',
      'Give the value to the calling service through its secret store, and rotate it like any other credential.',
      'Change the webhook path if the unauthenticated URL may already be known.',
      'If the caller cannot authenticate, verify the payload’s signature in the workflow before acting on it.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/4-insecure-authentication/',
    'https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/',
    'https://docs.n8n.io/integrations/builtin/credentials/webhook/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, workflow, n8n } of n8nWorkflowsOf(inventory)) {
      if (!n8n.active) continue;
      const usesCredentials = n8n.nodes.some((n) => !n.disabled && n.credentials.length > 0);
      for (const node of n8n.nodes) {
        if (node.disabled || !WEBHOOK.test(node.type)) continue;
        const auth = node.authentication?.value ?? 'none';
        if (auth !== 'none' && auth !== '') continue;
        const path = node.webhookPath ? ` /webhook/${node.webhookPath}` : '';
        findings.push(
          buildFinding(this, {
            message: `Webhook node "${node.name}"${path} of active ${describeWorkflow(identity)} accepts calls without authentication${usesCredentials ? '; the workflow acts with stored credentials' : ''}.`,
            identity: [identity.id, node.name],
            severity: usesCredentials ? 'high' : 'medium',
            location: node.authentication?.at ?? node.typeAt,
            resource: resourceOf(identity),
            evidence: {
              workflow: identity.id,
              ...ownerEvidence(identity),
              node: node.name,
              authentication: node.authentication ? auth : 'none (default)',
              ...(node.webhookPath ? { path: node.webhookPath } : {}),
              ...(node.httpMethod ? { method: node.httpMethod } : {}),
              triggers: workflow.triggers.length,
            },
          }),
        );
      }
    }
    return findings;
  },
});
