import { isListedInExport, listedInExports } from '../src/core/exports.js';
import type { Credential, SecretOccurrence } from '../src/core/model.js';
import { day, describeIdentity, identityIndex, ownerIdentityOf, resourceOf } from '../src/aws/findings.js';
import { grantsByIdentity, isAdmin } from '../src/aws/policy.js';
import { buildFinding, defineRule } from '../src/engine/rule.js';

function where(o: SecretOccurrence): string {
  const commit = o.location.commit;
  return `${o.location.path}:${o.location.line}${commit ? ` (commit ${commit.sha.slice(0, 12)}${commit.author ? ` by ${commit.author}` : ''})` : ''}`;
}

export default defineRule({
  id: 'leaked-live-credential',
  title: 'Leaked credential that is live in the inventory',
  severity: 'critical',
  owasp: 'NHI2:2025',
  description: `A credential found in code or git history belongs to a key that is still active in a scanned cloud account.
This joins the two halves that other tools keep apart: where the key leaked (file, line, commit) and what it is —
whose key, what it can do, when it was last used. An active leaked key is an incident, not a hygiene issue: anyone with
the repository, a fork or a clone can act as that identity until the key is deactivated.`,
  remediation: {
    summary: 'Deactivate the key now, check CloudTrail for its use since the leak, then rotate what depended on it and remove the value from the code.',
    steps: [
      'Deactivate (do not delete yet) the access key, so that anything breaking tells you who depended on it.',
      'Search CloudTrail for the key id since the commit date; treat unexplained use as a compromise of everything the identity can reach.',
      'Issue a replacement credential to the owner through a secret store (or move the workload to a role), then delete the old key.',
      'Remove the value from the file and, where the repository is shared widely, from history.',
    ],
    commands: [
      'aws iam update-access-key --user-name <user> --access-key-id <key id> --status Inactive',
      'aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=<key id>',
      'aws iam delete-access-key --user-name <user> --access-key-id <key id>',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/2-secret-leakage/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console',
  ],
  evaluate(inventory) {
    const keys = new Map<string, Credential>();
    for (const c of inventory.credentials) if (c.handle && c.status === 'active') keys.set(c.handle, c);
    if (keys.size === 0) return [];
    const listed = listedInExports(inventory);
    const identities = identityIndex(inventory);
    const grants = grantsByIdentity(inventory.grants);
    // One finding per key and file: the earliest commit for history, the tree first.
    const seen = new Map<string, SecretOccurrence>();
    for (const o of inventory.occurrences) {
      if (!o.handle || isListedInExport(listed, o)) continue;
      const key = keys.get(o.handle);
      if (!key) continue;
      const id = `${key.id}\0${o.location.path}`;
      const previous = seen.get(id);
      const earlier = !previous || (previous.origin === 'history' && (o.origin !== 'history' || (o.location.commit?.date ?? '') < (previous.location.commit?.date ?? '')));
      if (earlier) seen.set(id, o);
    }
    return [...seen.values()].map((o) => {
      const key = keys.get(o.handle!)!;
      const identity = ownerIdentityOf(key, identities);
      const admin = isAdmin(grants.get(identity.id) ?? []);
      const used = key.lastUsed === null ? 'never used' : key.lastUsed === undefined ? 'last use unknown' : `last used ${day(key.lastUsed)}`;
      const power = admin ? `administrator (${admin.source})` : `${(grants.get(identity.id) ?? []).filter((g) => g.effect === 'Allow').length} allow statement(s)`;
      return buildFinding(this, {
        message: `Active access key ${o.redacted} of ${describeIdentity(identity)} leaked at ${where(o)}; ${used}; can act as ${power}.`,
        identity: [key.id, o.location.path],
        location: o.location,
        secret: { type: o.detectorId, redacted: o.redacted },
        resource: resourceOf(identity),
        evidence: { keyId: key.handle!, keyCreated: day(key.created), lastUsed: key.lastUsed === null ? 'never' : day(key.lastUsed), administrator: Boolean(admin), leakedIn: o.origin },
        secretHash: o.secretHash,
      });
    });
  },
});
