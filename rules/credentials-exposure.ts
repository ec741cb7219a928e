import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { CREDENTIAL_ACTIONS, type CredentialAction } from '../src/aws/credential-actions.js';
import { auditedPrincipals, describeIdentity, identityEvidence, permissionsBoundary, principalOf, resourceOf } from '../src/aws/findings.js';
import { allowedServices, evaluateAccess, IAM_USERS, isAdmin, isUnrestrictedResource, type AllowEvidence } from '../src/aws/policy.js';

interface Exposure {
  entry: CredentialAction;
  via: AllowEvidence[];
  certain: boolean;
}

/** The service of each catalogue action, lower-cased (checked for every identity). */
const SERVICE = new Map(CREDENTIAL_ACTIONS.map((e) => [e, e.action.slice(0, e.action.indexOf(':')).toLowerCase()]));

/** Allowed on an unrestricted resource: `*`, a whole resource type, or everything but a NotResource list. */
function unrestricted(v: AllowEvidence): boolean {
  return v.notResource !== undefined || v.resources.some(isUnrestrictedResource);
}

/** Exposures grouped by the statement that grants them: `a, b (secretsmanager:* in inline:x on *)`. */
function describeExposures(exposures: Exposure[]): string {
  const groups = new Map<string, string[]>();
  for (const e of exposures) {
    const v = e.via[0]!;
    const on = v.notResource ? `all but ${v.notResource.join(' ')}` : v.resources.filter(isUnrestrictedResource).join(' ');
    const key = `${v.actionPattern} in ${v.source} on ${on}${v.conditioned ? ', with a Condition' : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), e.entry.action]);
  }
  return [...groups].map(([how, actions]) => `${actions.join(', ')} (${how})`).join('; ');
}

export default defineRule({
  id: 'credentials-exposure',
  title: 'Identity can read credentials or secrets on every resource',
  severity: 'high',
  owasp: 'NHI5:2025',
  description: `The identity is allowed, on every resource (\`*\`, or a whole resource type such as
\`arn:aws:secretsmanager:*:*:secret:*\`), actions whose responses carry credentials or secret values: reading every Secrets
Manager secret or SSM SecureString parameter, decrypting with any KMS key, creating access keys for other users, fetching
database credentials (Redshift, RDS IAM authentication), Windows passwords, Lightsail keys, Glue connection passwords, and
configuration where secrets are often kept (Lambda and CodeBuild environment variables). Such an identity holds, in effect,
every secret in the account: compromising it compromises everything those secrets open, far beyond its own workload.
The list, with what each action returns and why some credential-returning actions are left out (STS, ECR tokens), is in
src/aws/credential-actions.ts. Severity is high, medium when only the "may contain secrets" configuration reads are
allowed. A Condition, a conditional Deny or a permissions boundary lowers confidence to medium. Scoped grants (a secret
name prefix, a parameter path) are not reported; administrators are reported by \`admin-privileges\` instead.`,
  remediation: {
    summary:
      'Scope each listed action to the secrets, parameters, keys or users the workload actually needs, by ARN or path prefix (and, for KMS, by key and kms:ViaService condition), instead of `*`.',
    steps: [
      'For each action in the finding, find which secrets, parameters or keys the workload reads (CloudTrail, or the code and its configuration).',
      'Replace `*` with those ARNs or a prefix dedicated to the workload: `arn:aws:secretsmanager:<region>:<account>:secret:<app>/*`, `arn:aws:ssm:<region>:<account>:parameter/<app>/*`.',
      'Restrict kms:Decrypt to the keys in use, with a kms:ViaService condition when decryption happens through Secrets Manager or SSM.',
      'Remove iam:CreateAccessKey and service-specific credential actions from workloads that do not manage users.',
    ],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
    'https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html',
    'https://cloudsplaining.readthedocs.io/en/latest/glossary/credentials-exposure/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const { identity, grants } of auditedPrincipals(inventory)) {
      if (grants.length === 0 || isAdmin(grants)) continue;
      const principal = principalOf(identity);
      const exposures: Exposure[] = [];
      const services = allowedServices(grants);
      for (const entry of CREDENTIAL_ACTIONS) {
        if (services && !services.has(SERVICE.get(entry)!)) continue;
        const access = entry.otherUsersOnly
          ? evaluateAccess(grants, { action: entry.action, resource: IAM_USERS, excludeSelf: true }, principal)
          : evaluateAccess(grants, { action: entry.action, resource: '*' }, principal);
        const via = access.via.filter(unrestricted);
        if (via.length === 0) continue;
        exposures.push({ entry, via, certain: access.conditionalDenies.length === 0 && via.some((v) => !v.conditioned) });
      }
      if (exposures.length === 0) continue;
      const boundary = permissionsBoundary(identity);
      const direct = exposures.some((e) => e.entry.kind !== 'may-contain');
      const policies = [...new Set(exposures.flatMap((e) => e.via.map((v) => v.source)))];
      findings.push(
        buildFinding(this, {
          message: `${describeIdentity(identity)} can read credentials or secrets on every resource: ${describeExposures(exposures)}${boundary ? `; a permissions boundary (${boundary}) may limit it` : ''}.`,
          identity: [identity.id],
          severity: direct ? 'high' : 'medium',
          confidence: exposures.some((e) => e.certain) && !boundary ? 'high' : 'medium',
          resource: resourceOf(identity),
          evidence: {
            ...identityEvidence(identity),
            actions: exposures.map((e) => e.entry.action).join(', '),
            returns: exposures.map((e) => `${e.entry.action}: ${e.entry.returns}`).join('; '),
            policies: policies.join(', '),
            ...(boundary ? { permissionsBoundary: boundary } : {}),
          },
        }),
      );
    }
    return findings;
  },
});
