import { isListedInExport, listedInExports } from '../src/core/exports.js';
import type { Credential, Grant, Identity, Recording, SecretOccurrence } from '../src/core/model.js';
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
the repository, a fork or a clone can act as that identity until the key is deactivated.
The two halves need not come from one scan: with the store, a key id found in code is joined with an account
scanned later, and a key recorded from an account with code scanned later (the newest scan of an account wins).`,
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
    // Keys: this scan's, then those recalled from earlier scans whose ids occur in this one.
    type Key = { credential: Credential; identity: Identity; grants: Grant[]; recorded?: Recording };
    const identities = identityIndex(inventory);
    const grants = grantsByIdentity(inventory.grants);
    const keys = new Map<string, Key>();
    const present = new Set<string>();
    for (const c of inventory.credentials) {
      if (!c.handle) continue;
      present.add(c.handle);
      if (c.status !== 'active') continue;
      const identity = ownerIdentityOf(c, identities);
      keys.set(c.handle, { credential: c, identity, grants: grants.get(identity.id) ?? [] });
    }
    for (const r of inventory.recalled?.keys ?? []) {
      const handle = r.credential.handle;
      // This scan's own view of a key wins over an older one (an inactive key here is not live).
      if (!handle || present.has(handle) || r.credential.status !== 'active') continue;
      keys.set(handle, { credential: r.credential, identity: r.identity ?? ownerIdentityOf(r.credential, new Map()), grants: r.grants, recorded: r.recorded });
    }
    if (keys.size === 0) return [];
    const listed = listedInExports(inventory);
    // Occurrences: this scan's, then recalled ones for this scan's keys. At least one side of a
    // join is from this scan: two recalled halves were joined when the later of them was scanned.
    const occurrences: Array<SecretOccurrence & { recorded?: Recording }> = [...inventory.occurrences];
    for (const o of inventory.recalled?.occurrences ?? []) if (o.handle && keys.get(o.handle)?.recorded === undefined) occurrences.push(o);
    // One finding per key and file: the earliest commit for history, the tree first.
    const seen = new Map<string, SecretOccurrence & { recorded?: Recording }>();
    for (const o of occurrences) {
      if (!o.handle || isListedInExport(listed, o)) continue;
      const key = keys.get(o.handle);
      if (!key) continue;
      const id = `${key.credential.id}\0${o.location.path}`;
      const previous = seen.get(id);
      const earlier = !previous || (previous.origin === 'history' && (o.origin !== 'history' || (o.location.commit?.date ?? '') < (previous.location.commit?.date ?? '')));
      if (earlier) seen.set(id, o);
    }
    return [...seen.values()].map((o) => {
      const { credential: key, identity, grants: held, recorded } = keys.get(o.handle!)!;
      const admin = isAdmin(held);
      const used = key.lastUsed === null ? 'never used' : key.lastUsed === undefined ? 'last use unknown' : `last used ${day(key.lastUsed)}`;
      const power = admin ? `administrator (${admin.source})` : `${held.filter((g) => g.effect === 'Allow').length} allow statement(s)`;
      const asOf = recorded ? ` (active when its account was scanned on ${day(recorded.recordedAt)})` : '';
      const foundBy = o.recorded ? ` (found by a scan of ${o.root} on ${day(o.recorded.recordedAt)})` : '';
      return buildFinding(this, {
        message: `Active access key ${o.redacted} of ${describeIdentity(identity)}${asOf} leaked at ${where(o)}${foundBy}; ${used}; can act as ${power}.`,
        identity: [key.id, o.location.path],
        location: o.location,
        secret: { type: o.detectorId, redacted: o.redacted },
        resource: resourceOf(identity),
        evidence: {
          keyId: key.handle!,
          keyCreated: day(key.created),
          lastUsed: key.lastUsed === null ? 'never' : day(key.lastUsed),
          administrator: Boolean(admin),
          leakedIn: o.origin,
          ...(o.recorded ? { leakRecordedAt: o.recorded.recordedAt, leakRoot: o.root } : {}),
          ...(recorded ? { keyRecordedAt: recorded.recordedAt } : {}),
        },
        secretHash: o.secretHash,
      });
    });
  },
});
