import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { AwsAccessKeyAttributes } from '../src/core/aws.js';
import type { Finding } from '../src/core/model.js';
import { activeAccessKeys, day, daysSince, describeIdentity, identityEvidence, identityIndex, ownerIdentityOf, keyLabel, resourceOf } from '../src/aws/findings.js';

export default defineRule({
  id: 'unused-credential',
  title: 'Access key active but unused',
  severity: 'medium',
  owasp: 'NHI1:2025',
  description: `An active IAM access key has not been used for longer than \`thresholds.unusedDays\` (default 90 days), or
has never been used and is older than \`thresholds.neverUsedGraceDays\` (default 7 days). A key nobody uses still works for
whoever holds a copy: it is what is left behind when a workload was decommissioned or moved to a role, and nobody notices
when it is used again, by someone else. Removing it costs nothing and closes the door.
A key whose use is unknown (the source did not say: no credential report and no \`GetAccessKeyLastUsed\`) is not reported
as unused; "never used" is only concluded when AWS says so. Inactive keys are not reported.`,
  remediation: {
    summary:
      'Deactivate the key, wait to see whether anything breaks, then delete it. If the user has no other use, delete the user as well.',
    steps: [
      'Confirm with the owner (or from CloudTrail) that nothing depends on the key.',
      'Deactivate the key; keep it inactive for a short grace period in case a rare job still needs it.',
      'Delete the key, and delete the IAM user if it holds no other credential and no longer serves a workload.',
    ],
    commands: [
      'aws iam get-access-key-last-used --access-key-id <key id>',
      'aws iam update-access-key --user-name <user> --access-key-id <key id> --status Inactive',
      'aws iam delete-access-key --user-name <user> --access-key-id <key id>',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/1-improper-offboarding/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html',
  ],
  evaluate(inventory, ctx) {
    const { unusedDays, neverUsedGraceDays } = ctx.config.thresholds;
    const identities = identityIndex(inventory);
    const findings: Finding[] = [];
    for (const key of activeAccessKeys(inventory)) {
      if (key.lastUsed === undefined) continue; // unknown is not unused
      const identity = ownerIdentityOf(key, identities);
      const keyId = key.handle ?? key.id;
      const label = keyLabel(key);
      const base = { ...identityEvidence(identity), accessKeyId: keyId, created: day(key.created) };
      if (key.lastUsed === null) {
        const age = daysSince(key.created, ctx.now);
        if (age === undefined || age <= neverUsedGraceDays) continue;
        findings.push(
          buildFinding(this, {
            message: `Access key ${label} of ${describeIdentity(identity)} has never been used since it was created ${age} days ago (${day(key.created)}).`,
            identity: [key.id],
            resource: resourceOf(identity),
            evidence: { ...base, lastUsed: 'never', ageDays: age, thresholdDays: neverUsedGraceDays },
          }),
        );
        continue;
      }
      const idle = daysSince(key.lastUsed, ctx.now);
      if (idle === undefined || idle <= unusedDays) continue;
      const attrs = key.attributes as AwsAccessKeyAttributes | undefined;
      const where = attrs?.lastUsedService ? ` (${attrs.lastUsedService}${attrs.lastUsedRegion ? ` in ${attrs.lastUsedRegion}` : ''})` : '';
      findings.push(
        buildFinding(this, {
          message: `Access key ${label} of ${describeIdentity(identity)} has not been used for ${idle} days: last used ${day(key.lastUsed)}${where}; threshold ${unusedDays} days.`,
          identity: [key.id],
          resource: resourceOf(identity),
          evidence: {
            ...base,
            lastUsed: day(key.lastUsed),
            idleDays: idle,
            thresholdDays: unusedDays,
            ...(attrs?.lastUsedService ? { lastUsedService: attrs.lastUsedService } : {}),
            ...(attrs?.lastUsedRegion ? { lastUsedRegion: attrs.lastUsedRegion } : {}),
          },
        }),
      );
    }
    return findings;
  },
});
