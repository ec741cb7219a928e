import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { ESCALATION_METHODS, openEscalationMethods, type OpenMethod } from '../src/aws/escalation.js';
import { auditedPrincipals, describeIdentity, identityEvidence, permissionsBoundary, principalOf, resourceOf } from '../src/aws/findings.js';
import { isAdmin, type Access } from '../src/aws/policy.js';

/** `iam:PassRole (iam:* in inline:ci on *)`. */
function describeAccess(a: Access): string {
  const v = a.via[0]!;
  return `${a.action} (${v.actionPattern} in ${v.source} on ${v.resources.join(' ')}${v.conditioned ? ', with a Condition' : ''})`;
}

function describeMethod(m: OpenMethod): string {
  return `${m.method.id}: ${m.accesses.map(describeAccess).join(' + ')}`;
}

const MESSAGE_METHODS = 4;

export default defineRule({
  id: 'privilege-escalation',
  title: 'Identity can escalate its own privileges',
  severity: 'high',
  owasp: 'NHI5:2025',
  description: `The identity's effective permissions allow one or more published IAM privilege-escalation methods: ways
to turn limited permissions into more, up to administrator. Examples: \`iam:CreatePolicyVersion\` (rewrite a policy that
applies to itself), \`iam:AttachUserPolicy\` / \`iam:PutRolePolicy\` (give itself any policy), \`iam:CreateAccessKey\` on
other users (become them), \`iam:PassRole\` with \`ec2:RunInstances\`, \`lambda:CreateFunction\`, \`glue:CreateDevEndpoint\`,
\`cloudformation:CreateStack\`… (run code as a more privileged role), \`iam:UpdateAssumeRolePolicy\` (make a privileged role
trust itself), \`ssm:SendCommand\` (run commands on instances and take their role). The catalogue (src/aws/escalation.ts)
holds ${ESCALATION_METHODS.length} methods from Rhino Security Labs' research, Pacu, Bishop Fox's IAM Vulnerable and
pathfinding.cloud, each with its source. Whoever controls this identity's credentials or code is, in effect, as privileged
as what it can reach.

An action counts when an Allow statement matches it and no unconditional Deny covers it; actions on users must reach a
user other than the identity itself where the method needs one (\`CreateAccessKey\` on oneself is not an escalation).
Confidence is high when every action of a method is allowed without Condition on a wildcard resource (or on the identity
itself); medium when a Condition, a possibly-applying conditional Deny, a permissions boundary, or a grant on specific
named resources only (whose privileges nhi does not weigh) stands in the way. Administrators are reported by
\`admin-privileges\` instead.`,
  remediation: {
    summary:
      'Remove the actions that open each method listed in the finding, or scope them: iam:PassRole to the specific roles the workload must pass (with an iam:PassedToService condition), IAM write actions to resources the identity cannot profit from, and service actions to named resources.',
    steps: [
      'For each method in the finding, look at the statements named in its evidence and decide whether the workload needs those actions at all.',
      'Scope iam:PassRole to named role ARNs and add a Condition on iam:PassedToService; never allow it on `*`.',
      'Remove IAM write actions (policy versions, policy attachment, inline policies, trust policies, access keys, login profiles, group membership) from workloads that do not administer IAM.',
      'Give identities that must administer IAM a permissions boundary, and require that boundary on the identities they create.',
      'Re-run the scan: the finding disappears once no method remains open.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/',
    'https://pathfinding.cloud/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, grants } of auditedPrincipals(inventory)) {
      if (grants.length === 0 || isAdmin(grants)) continue;
      const open = openEscalationMethods(grants, principalOf(identity));
      if (open.length === 0) continue;
      const boundary = permissionsBoundary(identity);
      const certain = open.some((m) => m.certain) && !boundary;
      const shown = open.slice(0, MESSAGE_METHODS).map(describeMethod).join('; ');
      const more = open.length > MESSAGE_METHODS ? `; and ${open.length - MESSAGE_METHODS} more` : '';
      const policies = [...new Set(open.flatMap((m) => m.accesses.flatMap((a) => a.via.map((v) => v.source))))];
      findings.push(
        buildFinding(this, {
          message: `${describeIdentity(identity)} can escalate its privileges through ${open.length} published method${open.length > 1 ? 's' : ''}: ${shown}${more}${boundary ? `; a permissions boundary (${boundary}) may limit it` : ''}.`,
          identity: [identity.id],
          confidence: certain ? 'high' : 'medium',
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            methods: open.map((m) => m.method.id).join(', '),
            methodCount: open.length,
            actions: [...new Set(open.flatMap((m) => m.accesses.map((a) => a.action)))].join(', '),
            policies: policies.join(', '),
            details: open.map(describeMethod).join('; '),
            ...(boundary ? { permissionsBoundary: boundary } : {}),
          },
        }),
      );
    }
    return findings;
  },
});
