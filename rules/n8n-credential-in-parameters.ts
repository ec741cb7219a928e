import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { describeWorkflow, ownerEvidence, resourceOf } from '../src/workflow/findings.js';
import { n8nWorkflowsOf } from '../src/workflow/n8n.js';

const SECTION = { header: 'header', query: 'query parameter', url: 'query string of the URL' } as const;

export default defineRule({
  id: 'n8n-credential-in-parameters',
  title: 'n8n HTTP Request node carries a credential in its parameters',
  severity: 'high',
  owasp: 'NHI2:2025',
  description: `An n8n HTTP Request node should authenticate with an n8n credential (Authentication → Generic or
Predefined credential type): n8n stores credentials encrypted, leaves them out of workflow exports and lets them be
rotated in one place. A key pasted into a header (\`Authorization: Bearer …\`, \`x-api-key: …\`), a query parameter
(\`api_key=…\`) or the URL's query string is stored in clear in the workflow: every workflow export, every backup, every
copy of the workflow, the workflow history and every editor who opens it sees it; n8n's own documentation warns that
HTTP Request nodes imported from cURL carry such headers into exports.

Reported when the value is recognised by a secret detector (the finding names it), or when the parameter's name says it
carries a credential (\`Authorization\`, \`*-api-key\`, \`*token\`, \`api_key\`, \`secret\`…) and the value looks like one
(long, mixed characters, not a word, number, URL or path). Not reported: n8n expressions (a value starting with \`=\`,
such as \`={{ $env.API_KEY }}\`), templated values (\`{{ $credentials… }}\`) and placeholders (\`YOUR_API_KEY\`, \`<token>\`).
The finding points at the parameter's \`name\` key (for the URL, at its value); it shows a short preview, never the value.`,
  remediation: {
    summary: 'Revoke the credential, create an n8n credential holding a new one, and make the node use it instead of a literal header or parameter.',
    steps: [
      'Revoke or rotate the exposed key at its provider: it is in every export and backup of the workflow.',
      'In n8n, create a credential for it (Header Auth, Query Auth, Bearer Auth, or the service’s predefined credential type).',
      'In the HTTP Request node, set Authentication to that credential and delete the header, query parameter or URL part that held the key.',
      'Export the workflow again and delete old exports and backups that still hold the key.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/2-secret-leakage/',
    'https://docs.n8n.io/workflows/export-import/',
    'https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.httprequest/',
    'https://docs.n8n.io/credentials/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, n8n } of n8nWorkflowsOf(inventory)) {
      const seen = new Map<string, number>();
      for (const c of n8n.literalCredentials) {
        const key = [c.node, c.section, c.name.toLowerCase()].join('\u0000');
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        const what = c.detector ? c.detector.title : 'a literal credential';
        findings.push(
          buildFinding(this, {
            message: `Node "${c.node}" of ${describeWorkflow(identity)} sends ${what} in its ${SECTION[c.section]} ${c.name} (${c.redacted}), written into the workflow instead of an n8n credential.`,
            identity: [identity.id, c.node, c.section, c.name.toLowerCase(), String(n)],
            ...(c.detector ? { severity: c.detector.severity } : { confidence: 'medium' as const }),
            location: c.at,
            resource: resourceOf(identity),
            secret: { type: c.detector?.id ?? 'literal-credential', redacted: c.redacted },
            evidence: { workflow: identity.id, ...ownerEvidence(identity), node: c.node, nodeType: c.nodeType, parameter: `${c.section}:${c.name}`, active: n8n.active, ...(c.detector ? { detector: c.detector.id } : {}) },
          }),
        );
      }
    }
    return findings;
  },
});
