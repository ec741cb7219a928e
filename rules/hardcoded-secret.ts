import type { SecretOccurrence } from '../src/core/model.js';
import { isListedInExport, listedInExports } from '../src/core/exports.js';
import { buildFinding, defineRule } from '../src/engine/rule.js';

/** Working-tree copies come first, then the earliest commit that introduced the secret. */
function preferred(a: SecretOccurrence, b: SecretOccurrence): SecretOccurrence {
  const rank = (o: SecretOccurrence) => (o.origin === 'history' ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) < rank(b) ? a : b;
  const da = a.location.commit?.date ?? '';
  const db = b.location.commit?.date ?? '';
  if (da !== db) return da < db ? a : b;
  return a.location.line <= b.location.line ? a : b;
}

export default defineRule({
  id: 'hardcoded-secret',
  title: 'Hard-coded credential',
  severity: 'high',
  owasp: 'NHI2:2025',
  description: `A credential (token, key, password or private key) is written into a file or was committed to git history.
Anyone who can read the repository, a fork, a CI log, a backup or a built artefact can use it, and removing the line does not
remove it from history. Each finding names the credential type, where it is, and for history the commit that introduced it.
Severity comes from the credential type: cloud and source-control tokens and private keys are critical or high, lower-impact
formats lower.`,
  remediation: {
    summary:
      'Treat the credential as compromised: revoke or rotate it at its provider first, then move the new value into a secret store and reference it from code; only then clean the file (and, if needed, history).',
    steps: [
      'Identify the owner of the credential and what it can reach; check the provider’s logs for use since the commit date.',
      'Revoke or rotate the credential at the provider (rotation first when a running system depends on it).',
      'Store the new value in a secret manager (AWS Secrets Manager, Azure Key Vault, GCP Secret Manager, Vault, CI secrets) and read it at run time.',
      'Remove the value from the file. If the repository is public or widely cloned, rewrite history (git filter-repo) after rotating; rewriting without rotating is not a fix.',
      'If the value is a test fixture or not a secret, mark the line with an `nhi:allow` comment or add the fingerprint to a baseline with a reason.',
    ],
    commands: ['git log -S "<redacted preview suffix>" --all --oneline   # find every commit that touched it', 'git filter-repo --replace-text expressions.txt   # only after rotation'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/2-secret-leakage/',
    'https://cwe.mitre.org/data/definitions/798.html',
  ],
  evaluate(inventory) {
    // One finding per (credential type, secret, path): a secret repeated through many commits
    // of the same file is one problem, reported where it first appeared.
    const groups = new Map<string, { best: SecretOccurrence; count: number; inTree: boolean }>();
    const listed = listedInExports(inventory);
    for (const o of inventory.occurrences) {
      if (isListedInExport(listed, o)) continue; // an IAM export naming its own keys
      const key = `${o.detectorId}\0${o.fingerprintHash}\0${o.root}\0${o.location.path}`;
      const g = groups.get(key);
      if (!g) groups.set(key, { best: o, count: 1, inTree: o.origin !== 'history' });
      else {
        g.best = preferred(g.best, o);
        g.count++;
        g.inTree ||= o.origin !== 'history';
      }
    }
    return [...groups.values()].map(({ best, count, inTree }) => {
      const commit = best.location.commit;
      const where = commit
        ? `in git history (commit ${commit.sha.slice(0, 12)}${commit.author ? ` by ${commit.author}` : ''}${commit.date ? `, ${commit.date.slice(0, 10)}` : ''})${inTree ? '' : '; no longer in the working tree'}`
        : best.origin === 'staged'
          ? 'in a staged change'
          : 'in the working tree';
      return buildFinding(this, {
        message: `${best.detectorTitle} ${best.redacted} at ${best.location.path}:${best.location.line}, ${where}.`,
        identity: [best.detectorId, best.fingerprintHash, best.location.path],
        severity: best.severity,
        location: best.location,
        secret: { type: best.detectorId, redacted: best.redacted, ...(best.handle ? { handle: best.handle } : {}) },
        evidence: { occurrences: count, inWorkingTree: inTree },
        allowedInline: best.allowedInline,
        secretHash: best.secretHash,
      });
    });
  },
});
