import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import { AWS_ROLE, awsIdentities, describeIdentity, identityEvidence, isAwsManagedRole, resourceOf } from '../src/aws/findings.js';
import { allowsAction, anyPrincipal, ASSUME_ACTIONS, conditionEntries, describeCondition, isLike, isNegated, list, trustStatements, type ConditionEntry } from '../src/aws/trust.js';

/** Condition keys that pin the caller to an account, an organisation, a principal or a shared secret. */
const RESTRICTING_KEYS = new Set(
  [
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:userid',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'sts:ExternalId',
  ].map((k) => k.toLowerCase()),
);

/** A Like value that matches anything, or an ARN with a wildcard account: no restriction. */
function unrestrictedValue(entry: ConditionEntry, value: string): boolean {
  if (value.trim() === '') return true;
  if (!isLike(entry)) return false;
  if (/^[*?]+$/.test(value)) return true;
  const arn = /^arn:[^:]*:[^:]*:[^:]*:([^:]*):/.exec(value);
  return !!arn && /^[*?]*$/.test(arn[1]!);
}

/**
 * A condition restricts the caller when it uses a positive operator on one of the keys above
 * with values that are not wildcards, and still applies when the key is absent (no `IfExists`,
 * no `ForAllValues:`).
 */
function restricts(entry: ConditionEntry): boolean {
  if (!RESTRICTING_KEYS.has(entry.key.toLowerCase())) return false;
  if (isNegated(entry) || entry.ifExists || entry.forAllValues) return false;
  if (!/^(String|Arn)/i.test(entry.base)) return false;
  return entry.values.length > 0 && entry.values.every((v) => !unrestrictedValue(entry, v));
}

export default defineRule({
  id: 'trust-any-principal',
  title: 'Role trusts any AWS principal',
  severity: 'critical',
  owasp: 'NHI5:2025',
  description: `The role's trust policy allows \`sts:AssumeRole\` (or another assume action) to \`"Principal": "*"\` or
\`{"AWS": "*"}\` (or through \`NotPrincipal\`), without a condition that pins the caller down. Anyone with credentials in
any AWS account in the world can then assume the role and use its permissions: role ARNs are not secret (they appear in
logs, error messages, templates and public repositories). A condition restricts the caller when it requires, with a
positive operator and non-wildcard values, one of \`aws:PrincipalOrgID\`, \`aws:PrincipalOrgPaths\`,
\`aws:PrincipalAccount\`, \`aws:PrincipalArn\`, \`aws:userid\`, \`aws:SourceAccount\`, \`aws:SourceArn\`,
\`aws:SourceOrgID\`, \`aws:SourceOrgPaths\` or \`sts:ExternalId\`; \`IfExists\` and \`ForAllValues:\` forms do not count
(they pass when the key is absent), nor do negated operators. Other conditions (source IP, MFA) are listed in the
finding, whose confidence then drops to medium, but do not silence it.`,
  remediation: {
    summary:
      'Name the principals that should assume the role (account root ARNs, role ARNs) in the trust policy instead of `*`; if `*` is needed (many accounts of one organisation), add a condition on aws:PrincipalOrgID or aws:PrincipalAccount; for a third party, require its sts:ExternalId.',
    steps: [
      'Find who assumes the role today: CloudTrail AssumeRole events for this role ARN, and the accounts they come from.',
      'Replace `"AWS": "*"` with those account or role ARNs, or keep `*` with a StringEquals condition on aws:PrincipalOrgID (your organisation) or aws:PrincipalAccount.',
      'For a vendor integration, use the vendor’s account ARN and require the sts:ExternalId they gave you.',
      'Review what the role was used for while it was open: CloudTrail events of its sessions from unknown accounts.',
    ],
    commands: ['aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json'],
  },
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html',
    'https://owasp.org/www-project-non-human-identities-top-10/2025/5-overprivileged-nhi/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const identity of awsIdentities(inventory, AWS_ROLE)) {
      if (isAwsManagedRole(identity)) continue;
      trustStatements(identity).forEach((st, index) => {
        const who = anyPrincipal(st);
        if (!who || !allowsAction(st, ASSUME_ACTIONS)) return;
        const conditions = conditionEntries(st);
        if (conditions.some(restricts)) return;
        const actions = st.Action !== undefined ? list(st.Action).join(', ') : st.NotAction !== undefined ? `NotAction ${list(st.NotAction).join(', ')}` : '(any)';
        const others = conditions.map(describeCondition);
        findings.push(
          buildFinding(this, {
            message: `${describeIdentity(identity)} can be assumed by any AWS principal: its trust policy allows ${actions} to ${who}${others.length ? ` with only ${others.join('; ')}` : ' without any condition'}, and nothing restricts the caller's account or organisation.`,
            identity: [identity.id, st.Sid ?? String(index)],
            confidence: others.length > 0 ? 'medium' : 'high',
            resource: resourceOf(identity),
            evidence: {
              ...identityEvidence(identity),
              statement: st.Sid ?? `#${index + 1}`,
              principal: who,
              actions,
              conditions: others.length > 0 ? others.join('; ') : 'none',
            },
          }),
        );
      });
    }
    return findings;
  },
});
