import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { activeAccessKeys, AWS_ROOT, day, daysSince, identityEvidence, identityIndex, ownerIdentityOf, ownerText, keyLabel, resourceOf } from '../src/aws/findings.js';

export default defineRule({
  id: 'root-access-key',
  title: 'Root user has an active access key',
  severity: 'critical',
  owasp: 'NHI5:2025',
  description: `The account's root user has an active access key. The root user can do everything in the account, and no
IAM policy, permissions boundary or (for a management account) SCP can restrict it: a leaked root key is the whole account,
including closing it, changing its contact details and removing every other administrator. Nothing a program does needs
root; AWS recommends that the root user have no access keys at all. The finding names the key, its age and its last use.`,
  remediation: {
    summary:
      'Delete the root access key. Move whatever used it to an IAM role (or, at worst, an IAM user) with only the permissions it needs, and protect the root user with MFA.',
    steps: [
      'Check the key’s last use (service, region, date) and CloudTrail for events signed with it, to find what depends on it.',
      'Give that workload its own role or IAM user with the permissions it actually needs.',
      'Sign in as root, deactivate the key under Security credentials, and delete it once nothing breaks.',
      'Enable MFA on the root user and, in an AWS Organization, consider centralised root access management so member accounts have no root credentials.',
    ],
  },
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html',
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
  ],
  evaluate(inventory, ctx) {
    const identities = identityIndex(inventory);
    const findings: Finding[] = [];
    for (const key of activeAccessKeys(inventory)) {
      const identity = ownerIdentityOf(key, identities);
      if (identity.kind !== AWS_ROOT) continue;
      const keyId = key.handle ?? key.id;
      const label = keyLabel(key);
      const owner = ownerText(identity);
      const used = key.lastUsed === null ? 'never used' : key.lastUsed ? `last used ${day(key.lastUsed)}` : 'last use unknown';
      findings.push(
        buildFinding(this, {
          message: `The root user of account ${identity.scope}${owner ? ` (owner: ${owner})` : ''} has an active access key ${label}, created ${day(key.created)}, ${used}.`,
          identity: [key.id],
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            accessKeyId: keyId,
            created: day(key.created),
            lastUsed: key.lastUsed === null ? 'never' : day(key.lastUsed),
            ...(daysSince(key.created, ctx.now) !== undefined ? { ageDays: daysSince(key.created, ctx.now)! } : {}),
          },
        }),
      );
    }
    return findings;
  },
});
