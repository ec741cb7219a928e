import { buildFinding, defineRule } from '../src/engine/rule.js';
import type { Finding } from '../src/core/model.js';
import type { Severity } from '../src/core/severity.js';
import { AWS_ROLE, awsIdentities, describeIdentity, identityEvidence, isAwsManagedRole, resourceOf } from '../src/aws/findings.js';
import { oidcProviders, subjectBreadth, type Breadth } from '../src/aws/oidc.js';
import { allowsAction, trustStatements } from '../src/aws/trust.js';

const SEVERITY: Record<Exclude<Breadth, 'scoped'>, Severity> = { missing: 'high', any: 'high', tenant: 'medium', 'any-ref': 'low' };

const WHO: Record<Exclude<Breadth, 'scoped'>, string> = {
  missing: 'anyone the provider issues a token to (for a public CI provider: any repository of any account)',
  any: 'anyone the provider issues a token to: the wildcard spans every organisation',
  tenant: 'any repository or project of the organisation, including ones created later by any member',
  'any-ref': 'any branch, tag, pull request or environment of the repository, so anyone who can push a branch',
};

export default defineRule({
  id: 'oidc-trust-without-subject',
  title: 'OIDC-federated role that any repository or branch can assume',
  severity: 'high',
  owasp: 'NHI6:2025',
  description: `The role trusts an OIDC identity provider (GitHub Actions, GitLab, HCP Terraform, an EKS cluster, another
CI service) for \`sts:AssumeRoleWithWebIdentity\`, but its trust policy does not narrow the token's subject (\`sub\`):
anyone to whom the provider issues a token can assume it. For GitHub Actions and gitlab.com that is every repository of
every user on the platform: an attacker creates a workflow in their own repository and gets your role. The audience
(\`aud\`) condition does not help, it is the same for everyone.
Severity by how far the trust reaches: high when there is no \`sub\` condition or its value is a bare wildcard across
tenants (\`*\`, \`repo:*\`, \`project_path:*\`, \`organization:*\`); medium when it admits every repository of one
organisation (\`repo:my-org/*\`, a whole GitLab group, every workspace of an HCP Terraform organisation); low when it
admits any branch or event of one repository (\`repo:my-org/app:*\`), so anyone who can push a branch can deploy with it.
\`repo:my-org/app:ref:refs/heads/main\` or \`repo:my-org/app:environment:prod\` are silent. Values under \`StringEquals\`
are literal (a \`*\` there matches nothing); negated operators do not narrow. For Cognito and the public web identity
providers (Google, Facebook, Amazon), the audience (the app id) is the scope and its absence is reported instead.`,
  remediation: {
    summary:
      'Add a StringEquals (or a narrow StringLike) condition on the provider’s `sub` claim naming the repository and the branch or environment that deploys, e.g. `token.actions.githubusercontent.com:sub` = `repo:my-org/app:environment:prod`, together with the `aud` condition.',
    steps: [
      'Find which repositories and workflows assume the role (CloudTrail AssumeRoleWithWebIdentity events carry the token subject).',
      'Add a condition on `<provider>:sub` naming exactly those: for GitHub `repo:ORG/REPO:environment:NAME` or `repo:ORG/REPO:ref:refs/heads/main`; for GitLab `project_path:GROUP/PROJECT:ref_type:branch:ref:main`; for HCP Terraform `organization:ORG:project:P:workspace:W:run_phase:apply`.',
      'Prefer deployment environments with required reviewers (GitHub) or protected branches, so the subject names a gate and not just a branch anyone can create.',
      'Keep the `aud` condition (`sts.amazonaws.com` for GitHub) as well; it does not replace `sub`.',
    ],
    commands: ['aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json'],
  },
  references: [
    'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html',
    'https://docs.gitlab.com/ci/cloud_services/aws/',
    'https://owasp.org/www-project-non-human-identities-top-10/2025/6-insecure-cloud-deployment-configurations/',
  ],
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const identity of awsIdentities(inventory, AWS_ROLE)) {
      if (isAwsManagedRole(identity)) continue;
      const seen = new Set<string>();
      for (const st of trustStatements(identity)) {
        if (!allowsAction(st, ['sts:AssumeRoleWithWebIdentity'])) continue;
        for (const provider of oidcProviders(st)) {
          const verdict = subjectBreadth(st, provider);
          if (verdict.breadth === 'scoped' || seen.has(provider.principal)) continue;
          seen.add(provider.principal);
          const conditions = verdict.conditions.length > 0 ? verdict.conditions.join('; ') : 'none';
          const what =
            verdict.breadth === 'missing'
              ? `has no condition on ${provider.host}:${verdict.claim}`
              : `restricts ${provider.host}:${verdict.claim} only to ${conditions}`;
          findings.push(
            buildFinding(this, {
              message: `${describeIdentity(identity)} trusts ${provider.host} for sts:AssumeRoleWithWebIdentity but ${what}: it can be assumed by ${WHO[verdict.breadth]}.`,
              identity: [identity.id, provider.principal],
              severity: SEVERITY[verdict.breadth],
              resource: resourceOf(identity),
              evidence: {
                ...identityEvidence(identity),
                provider: provider.principal,
                claim: verdict.claim,
                breadth: verdict.breadth,
                conditions,
              },
            }),
          );
        }
      }
    }
    return findings;
  },
});
