import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { activeAccessKeys, day, daysSince, describeIdentity, identityEvidence, identityIndex, ownerIdentityOf, keyLabel, resourceOf } from '../src/aws/findings.js';

/** A key this many days old (or twice the threshold, when that is later) is reported as high. */
const HIGH_AFTER_DAYS = 365;

export default defineRule({
  id: 'unrotated-credential',
  title: 'Access key not rotated',
  severity: 'medium',
  owasp: 'NHI7:2025',
  description: `An active IAM access key has not been rotated for longer than the configured threshold
(\`thresholds.unrotatedDays\`, default 90 days), counted from its last rotation (for access keys, its creation date) to the
scan time. Access keys never expire: the older a key, the more copies of it sit in CI settings, laptops, backups, logs and
former employees' shells, and the longer a leaked copy keeps working. Severity is medium, and high once the key is a year old
(or twice the threshold, when the threshold is set above six months). Keys whose creation date is unknown are not reported.
Inactive keys are not reported (they cannot sign requests), and a root user's key is also reported by \`root-access-key\`.`,
  remediation: {
    summary:
      'Rotate the key: create a second key, move every consumer to it, deactivate the old key, watch for failures, then delete it. Better, replace the long-lived key with a role (instance profile, IRSA, OIDC federation for CI) so there is nothing to rotate.',
    steps: [
      'Find every place the key is used: its last-used service and region, CloudTrail events with this access key id, and the secret stores of the owning team.',
      'Create a new key for the user (a user can hold two), and update every consumer to the new key.',
      'Deactivate the old key (not delete) and wait for errors from anything still using it.',
      'Delete the old key once nothing has failed for a few days.',
      'Where the consumer runs on AWS or in CI, replace the user and its key with a role assumed through an instance profile, IRSA or OIDC federation.',
    ],
    commands: [
      'aws iam create-access-key --user-name <user>',
      'aws iam update-access-key --user-name <user> --access-key-id <old key id> --status Inactive',
      'aws iam delete-access-key --user-name <user> --access-key-id <old key id>',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/7-long-lived-secrets/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html',
  ],
  evaluate(inventory, ctx) {
    const threshold = ctx.config.thresholds.unrotatedDays;
    const highAfter = Math.max(HIGH_AFTER_DAYS, 2 * threshold);
    const identities = identityIndex(inventory);
    const findings: Finding[] = [];
    for (const key of activeAccessKeys(inventory)) {
      const since = key.lastRotated ?? key.created;
      const age = daysSince(since, ctx.now);
      if (age === undefined || age <= threshold) continue;
      const identity = ownerIdentityOf(key, identities);
      const keyId = key.handle ?? key.id;
      const label = keyLabel(key);
      const used = key.lastUsed === null ? 'never used' : key.lastUsed ? `last used ${day(key.lastUsed)}` : 'last use unknown';
      findings.push(
        buildFinding(this, {
          message: `Access key ${label} of ${describeIdentity(identity)} was last rotated ${age} days ago (${day(since)}; threshold ${threshold} days); ${used}.`,
          identity: [key.id],
          severity: age >= highAfter ? 'high' : 'medium',
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            accessKeyId: keyId,
            lastRotated: day(since),
            ageDays: age,
            thresholdDays: threshold,
            lastUsed: key.lastUsed === null ? 'never' : day(key.lastUsed),
          },
        }),
      );
    }
    return findings;
  },
});
