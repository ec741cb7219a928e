import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Credential, Finding } from '../src/core/model.js';
import { activeAccessKeys, day, describeIdentity, identityEvidence, identityIndex, ownerIdentityOf, keyLabel, resourceOf } from '../src/aws/findings.js';

function lastUse(key: Credential): string {
  return key.lastUsed === null ? 'never used' : key.lastUsed ? `last used ${day(key.lastUsed)}` : 'use unknown';
}

export default defineRule({
  id: 'multiple-active-keys',
  title: 'IAM user with two active access keys',
  severity: 'medium',
  owasp: 'NHI7:2025',
  description: `An IAM user (or the root user) has two active access keys at once. AWS allows two so that a key can be
rotated without downtime, but both should be active only for the length of a rotation. Two keys that stay active mean
twice the long-lived secrets to leak, and usually one of two things: a rotation that was never finished (the old key still
works wherever it was copied), or one identity shared by two workloads, so neither can be rotated or revoked without
breaking the other. Each key's creation and last use are in the finding, to tell the two cases apart.`,
  remediation: {
    summary:
      'Finish the rotation: find which key is still in use, move its consumers to the newer key, then deactivate and delete the other. If two workloads share the user, give each its own identity (preferably a role).',
    steps: [
      'Compare the keys’ last use (service, region, date) and ask the owner which workloads use each.',
      'If one key is unused or only used by a workload that can move, move it to the other key, deactivate the old key, and delete it after a grace period.',
      'If two different workloads use the keys, create a separate identity for one of them (a role where it runs on AWS or in CI) and remove its key from this user.',
    ],
    commands: ['aws iam list-access-keys --user-name <user>', 'aws iam update-access-key --user-name <user> --access-key-id <key id> --status Inactive'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/7-long-lived-secrets/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
  ],
  evaluate(inventory) {
    const byIdentity = new Map<string, Credential[]>();
    for (const key of activeAccessKeys(inventory)) {
      const owner = key.identityId ?? '';
      byIdentity.set(owner, [...(byIdentity.get(owner) ?? []), key]);
    }
    const identities = identityIndex(inventory);
    const findings: Finding[] = [];
    for (const [owner, keys] of byIdentity) {
      if (!owner || keys.length < 2) continue;
      keys.sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.id.localeCompare(b.id));
      const identity = ownerIdentityOf(keys[0]!, identities);
      const handles = keys.map((k) => k.handle ?? k.id);
      const detail = keys.map((k) => `${keyLabel(k)} (created ${day(k.created)}, ${lastUse(k)})`).join(' and ');
      findings.push(
        buildFinding(this, {
          message: `${describeIdentity(identity)} has ${keys.length} active access keys: ${detail}.`,
          identity: [identity.id],
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            activeKeys: keys.length,
            accessKeyIds: handles.join(', '),
            created: keys.map((k) => day(k.created)).join(', '),
            lastUsed: keys.map((k) => (k.lastUsed === null ? 'never' : day(k.lastUsed))).join(', '),
          },
        }),
      );
    }
    return findings;
  },
});
