import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding, Identity } from '../src/core/model.js';
import { activeKeyCounts, AWS_ROLE, AWS_USER, awsIdentities, day, describeIdentity, identityEvidence, isAwsManagedRole, resourceOf } from '../src/aws/findings.js';

/** The value of the first configured owner tag (keys compared case-insensitively) that is not blank. */
function ownerTag(identity: Identity, keys: readonly string[]): string | undefined {
  const wanted = new Set(keys.map((k) => k.toLowerCase()));
  for (const [key, value] of Object.entries(identity.tags)) if (wanted.has(key.toLowerCase()) && value.trim() !== '') return key;
  return undefined;
}

export default defineRule({
  id: 'unowned-identity',
  title: 'Non-human identity without an owner',
  severity: 'low',
  owasp: 'NHI1:2025',
  description: `An IAM user that does not look like a person (no console password or MFA), or an IAM role, has no owner:
no owner claim from any source, and no tag under the configured owner keys (\`ownerTagKeys\`, default \`owner\`, \`team\`,
\`owner-email\`, \`contact\`, compared case-insensitively). Without an owner nobody rotates its keys, answers when it
misbehaves, trims its permissions or deletes it when the workload goes away: unowned identities are the ones left
behind. Severity is medium for a user holding an active access key (a long-lived secret with nobody responsible for it),
low otherwise; a user is taken for a machine when the scan cannot tell (no credential report), with medium confidence.
Service-linked roles and the roles AWS creates for IAM Identity Center (\`/aws-service-role/\`,
\`/aws-reserved/\` paths) are managed by AWS and not reported; neither are users that look human or the root user.`,
  remediation: {
    summary:
      'Find who runs the workload behind the identity and record it as an owner tag; if nobody claims it, disable its credentials and, after a grace period, delete it.',
    steps: [
      'Look at what the identity does (last use, CloudTrail events, the names of its policies) and who created it (CloudTrail CreateUser / CreateRole).',
      'Tag it with one of the configured owner keys, naming a team or a person who will answer for it.',
      'If nobody claims it: deactivate its access keys (or add a deny-all inline policy to a role), wait, and delete it.',
    ],
    commands: ['aws iam tag-user --user-name <user> --tags Key=owner,Value=<team>', 'aws iam tag-role --role-name <role> --tags Key=owner,Value=<team>'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/1-improper-offboarding/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html',
  ],
  evaluate(inventory, ctx) {
    const keysByUser = activeKeyCounts(inventory);
    const findings: Finding[] = [];
    for (const identity of awsIdentities(inventory)) {
      if (identity.kind === AWS_USER) {
        if (identity.looksHuman === true) continue;
      } else if (identity.kind === AWS_ROLE) {
        if (isAwsManagedRole(identity)) continue;
      } else continue;
      if (identity.owners.length > 0 || ownerTag(identity, ctx.config.ownerTagKeys)) continue;
      const keys = keysByUser.get(identity.id) ?? 0;
      const used = identity.lastUsed === null ? 'never used' : identity.lastUsed ? `last used ${day(identity.lastUsed)}` : 'last use unknown';
      const tagKeys = Object.keys(identity.tags);
      findings.push(
        buildFinding(this, {
          message: `${describeIdentity(identity)}: no owner claim and no tag under ${ctx.config.ownerTagKeys.join(', ')}; created ${day(identity.created)}, ${used}${keys > 0 ? `, ${keys} active access key${keys > 1 ? 's' : ''}` : ''}.`,
          identity: [identity.id],
          severity: keys > 0 ? 'medium' : 'low',
          // Without a credential report nobody knows whether a user is a person: still reported, less surely.
          confidence: identity.kind === AWS_USER && identity.looksHuman === undefined ? 'medium' : 'high',
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            ownerTagKeys: ctx.config.ownerTagKeys.join(', '),
            tags: tagKeys.length > 0 ? tagKeys.join(', ') : 'none',
            activeAccessKeys: keys,
          },
        }),
      );
    }
    return findings;
  },
});
