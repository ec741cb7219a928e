import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { activeKeyCounts, auditedPrincipals, AWS_USER, describeIdentity, identityEvidence, permissionsBoundary, resourceOf } from '../src/aws/findings.js';
import { isAdmin } from '../src/aws/policy.js';

export default defineRule({
  id: 'admin-privileges',
  title: 'Identity with administrator privileges',
  severity: 'high',
  owasp: 'NHI5:2025',
  description: `An IAM user or role is allowed every action on every resource (\`"Action": "*", "Resource": "*"\`, as in
the \`AdministratorAccess\` managed policy), or every IAM action on every resource (\`iam:*\`), which is as good: it can
grant itself anything else. Statements written with \`NotAction\` count when what they leave out does not touch IAM. A
workload almost never needs this; whoever steals its credentials, or controls its code, owns the account. Severity is
high, and critical for an IAM user with an active access key (a long-lived secret that is an administrator). The finding
names the policy that grants it. A Condition on the statement, or a permissions boundary on the identity (which nhi does
not evaluate), lowers the confidence to medium; an explicit unconditional Deny of \`iam:*\` on \`*\` removes the finding,
partial denies do not. Service-linked roles and IAM Identity Center roles are not reported.`,
  remediation: {
    summary:
      'Replace the administrator policy with one that allows only what the workload does. IAM Access Analyzer can generate a policy from the identity’s CloudTrail activity; last-accessed data shows which services it never uses.',
    steps: [
      'Find what the identity actually does: IAM last-accessed information per service, or an Access Analyzer policy generated from 90 days of CloudTrail.',
      'Write a policy that allows those actions on those resources, attach it, and detach the administrator policy (or remove the `*` / `iam:*` statement).',
      'If an administrator is truly needed (break-glass, account bootstrap), make it a role that people assume with MFA, not a user with keys, and alert on its use.',
      'Add a permissions boundary to identities that create other identities, so they cannot grant more than they have.',
    ],
    commands: [
      'aws iam generate-service-last-accessed-details --arn <identity arn>',
      'aws accessanalyzer start-policy-generation --policy-generation-details principalArn=<identity arn> --cloud-trail-details ...',
      'aws iam detach-role-policy --role-name <role> --policy-arn arn:aws:iam::aws:policy/AdministratorAccess',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html',
  ],
  evaluate(inventory) {
    const keys = activeKeyCounts(inventory);
    const findings: Finding[] = [];
    for (const { identity, grants } of auditedPrincipals(inventory)) {
      const admin = isAdmin(grants);
      if (!admin) continue;
      const keyCount = keys.get(identity.id) ?? 0;
      const boundary = permissionsBoundary(identity);
      const what = admin.matched === '*' ? 'every action on every resource' : 'every IAM action on every resource';
      const caveats = [
        admin.conditioned ? 'the statement has a Condition' : '',
        boundary ? `a permissions boundary (${boundary}) may limit it` : '',
      ].filter(Boolean);
      findings.push(
        buildFinding(this, {
          message: `${describeIdentity(identity)} is allowed ${what} (${admin.actionPattern} in ${admin.source})${identity.kind === AWS_USER && keyCount > 0 ? ` and holds ${keyCount} active access key${keyCount > 1 ? 's' : ''}` : ''}${caveats.length ? `; ${caveats.join('; ')}` : ''}.`,
          identity: [identity.id],
          severity: identity.kind === AWS_USER && keyCount > 0 ? 'critical' : 'high',
          confidence: admin.conditioned || boundary ? 'medium' : 'high',
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            policy: admin.source,
            actions: admin.actionPattern,
            matched: admin.matched,
            conditioned: admin.conditioned,
            activeAccessKeys: keyCount,
            ...(boundary ? { permissionsBoundary: boundary } : {}),
            ...(identity.looksHuman ? { looksHuman: true } : {}),
          },
        }),
      );
    }
    return findings;
  },
});
