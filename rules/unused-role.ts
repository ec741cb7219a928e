import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { AWS_ROLE, awsIdentities, day, daysSince, describeIdentity, identityEvidence, isAwsManagedRole, resourceOf, roleAttributes } from '../src/aws/findings.js';
import { grantsByIdentity, isAdmin } from '../src/aws/policy.js';

export default defineRule({
  id: 'unused-role',
  title: 'IAM role not used',
  severity: 'low',
  owasp: 'NHI1:2025',
  description: `A customer-managed IAM role has not been assumed for longer than \`thresholds.unusedRoleDays\` (default 90
days), or has never been assumed, and was created more than that many days ago. A role nobody uses still carries its
permissions and its trust policy: whoever the trust policy names (another account, a CI provider, a service) can still
assume it, and nobody watches when they do. Roles are left behind when the workload that used them is decommissioned.
Severity is low, medium when the role has administrator privileges. "Never used" means AWS reports no last use
(\`RoleLastUsed\` is empty; AWS tracks about 400 days); a role whose last use is unknown to the scan is not reported, and
neither are service-linked roles or the \`/aws-reserved/\` roles of IAM Identity Center.`,
  remediation: {
    summary:
      'Confirm with the owner that nothing assumes the role any more, then delete it (after detaching its policies and removing it from instance profiles). If it must stay, narrow its trust policy and permissions.',
    steps: [
      'Check the role’s last use and CloudTrail AssumeRole events; look for schedules (yearly jobs, disaster recovery) that would use it rarely.',
      'If it is not needed, remove it from instance profiles, detach its managed policies, delete its inline policies, then delete the role.',
      'If it is kept for a rare job, tag the owner and the reason, and keep its trust policy as narrow as possible.',
    ],
    commands: ['aws iam get-role --role-name <role> --query Role.RoleLastUsed', 'aws iam delete-role --role-name <role>'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/1-improper-offboarding/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html',
  ],
  evaluate(inventory, ctx) {
    const threshold = ctx.config.thresholds.unusedRoleDays;
    const grants = grantsByIdentity(inventory.grants);
    const findings: Finding[] = [];
    for (const identity of awsIdentities(inventory, AWS_ROLE)) {
      if (isAwsManagedRole(identity) || identity.lastUsed === undefined) continue;
      const age = daysSince(identity.created, ctx.now);
      const idle = identity.lastUsed === null ? undefined : daysSince(identity.lastUsed, ctx.now);
      if (identity.lastUsed === null) {
        if (age === undefined || age <= threshold) continue;
      } else if (idle === undefined || idle <= threshold || (age !== undefined && age <= threshold)) continue;
      const admin = isAdmin(grants.get(identity.id) ?? []);
      const usage = identity.lastUsed === null ? 'has never been assumed' : `has not been assumed for ${idle} days (last used ${day(identity.lastUsed)}${roleAttributes(identity)?.roleLastUsedRegion ? ` in ${roleAttributes(identity)!.roleLastUsedRegion}` : ''})`;
      findings.push(
        buildFinding(this, {
          message: `${describeIdentity(identity)} ${usage}; created ${day(identity.created)}; threshold ${threshold} days${admin ? `; it has administrator privileges (${admin.source})` : ''}.`,
          identity: [identity.id],
          severity: admin ? 'medium' : 'low',
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            created: day(identity.created),
            lastUsed: identity.lastUsed === null ? 'never' : day(identity.lastUsed),
            ...(idle !== undefined ? { idleDays: idle } : {}),
            thresholdDays: threshold,
            admin: !!admin,
          },
        }),
      );
    }
    return findings;
  },
});
