import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../src/core/aws.js';
import { ACCOUNT, ctx, inventory, role, trust } from '../test/helpers/aws-inventory.js';
import rule from './oidc-trust-without-subject.js';

const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const GITLAB = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`;
const TFC = `arn:aws:iam::${ACCOUNT}:oidc-provider/app.terraform.io`;
const EKS = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF`;

function federated(provider: string, condition?: PolicyStatement['Condition']): PolicyStatement {
  return { Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition ? { Condition: condition } : {}) };
}

const AUD = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };

function run(...statements: PolicyStatement[]) {
  const r = role('gha-deploy', { owners: [{ owner: 'platform', source: 'tag:team' }], trustPolicy: trust(...statements) });
  return rule.evaluate(inventory({ identities: [r] }), ctx());
}

function verdict(...statements: PolicyStatement[]): [string, string] | undefined {
  const [f] = run(...statements);
  return f ? [f.severity, String(f.evidence!.breadth)] : undefined;
}

describe('oidc-trust-without-subject', () => {
  it('reports a GitHub Actions role with only an audience condition as high, naming role, owner and provider', () => {
    const findings = run(federated(GITHUB, { StringEquals: AUD }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'oidc-trust-without-subject',
      severity: 'high',
      resource: { kind: 'aws-iam-role', name: 'gha-deploy', provider: 'aws' },
      evidence: { provider: GITHUB, claim: 'sub', breadth: 'missing', conditions: 'none' },
    });
    expect(findings[0]!.message).toContain('gha-deploy');
    expect(findings[0]!.message).toContain('platform');
    expect(findings[0]!.message).toContain('token.actions.githubusercontent.com:sub');
  });

  it('grades GitHub subject patterns by how far they reach', () => {
    const like = (sub: string | string[]) => verdict(federated(GITHUB, { StringEquals: AUD, StringLike: { 'token.actions.githubusercontent.com:sub': sub } }));
    expect(like('*')).toEqual(['high', 'any']);
    expect(like('repo:*')).toEqual(['high', 'any']);
    expect(like('repo:*/infra:*')).toEqual(['high', 'any']);
    expect(like('repo:my-org/*')).toEqual(['medium', 'tenant']);
    expect(like('repo:my-org/*:*')).toEqual(['medium', 'tenant']);
    expect(like('repo:my-org/app:*')).toEqual(['low', 'any-ref']);
    expect(like('repo:my-org/app:ref:refs/heads/*')).toEqual(['low', 'any-ref']);
    // One wide value among several decides: the values are OR-ed.
    expect(like(['repo:my-org/app:ref:refs/heads/main', 'repo:my-org/*'])).toEqual(['medium', 'tenant']);
  });

  it('stays silent on a subject pinned to a repository and a branch or environment', () => {
    const sub = (op: string, value: string | string[]) => run(federated(GITHUB, { StringEquals: AUD, [op]: { 'token.actions.githubusercontent.com:sub': value } }));
    expect(sub('StringEquals', 'repo:my-org/app:ref:refs/heads/main')).toEqual([]);
    expect(sub('StringLike', 'repo:my-org/app:environment:prod')).toEqual([]);
    expect(sub('StringLike', ['repo:my-org/app:ref:refs/heads/main', 'repo:my-org/app:ref:refs/tags/v*'])).toEqual([]);
    // Under StringEquals a `*` is a literal character: it matches no token at all.
    expect(sub('StringEquals', 'repo:*')).toEqual([]);
  });

  it('does not count negated operators as a restriction, and takes the narrowest of AND-ed conditions', () => {
    expect(verdict(federated(GITHUB, { StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:evil/*' } }))).toEqual(['high', 'missing']);
    expect(
      verdict(
        federated(GITHUB, {
          StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' },
          StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:my-org/app:environment:prod' },
        }),
      ),
    ).toBeUndefined();
  });

  it('judges GitLab, HCP Terraform and other providers by their subject layout', () => {
    const gl = (sub: string) => verdict(federated(GITLAB, { StringLike: { 'gitlab.com:sub': sub } }));
    expect(gl('project_path:*')).toEqual(['high', 'any']);
    expect(gl('project_path:my-group/*:ref_type:branch:ref:main')).toEqual(['medium', 'tenant']);
    expect(gl('project_path:my-group/app:*')).toEqual(['low', 'any-ref']);
    expect(gl('project_path:my-group/app:ref_type:branch:ref:main')).toBeUndefined();
    const tfc = (sub: string) => verdict(federated(TFC, { StringLike: { 'app.terraform.io:sub': sub } }));
    expect(tfc('organization:*')).toEqual(['high', 'any']);
    expect(tfc('organization:my-org:*')).toEqual(['medium', 'tenant']);
    expect(tfc('organization:my-org:project:infra:workspace:prod:run_phase:*')).toBeUndefined();
    expect(verdict(federated(EKS))).toEqual(['high', 'missing']);
    expect(verdict(federated(EKS, { StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF:sub': 'system:serviceaccount:app:web' } }))).toBeUndefined();
  });

  it('requires the audience for Cognito and ignores SAML, other actions and service-linked roles', () => {
    expect(verdict(federated('cognito-identity.amazonaws.com'))).toEqual(['high', 'missing']);
    expect(verdict(federated('cognito-identity.amazonaws.com', { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:1234-abcd' } }))).toBeUndefined();
    expect(run({ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta` }, Action: 'sts:AssumeRoleWithSAML' })).toEqual([]);
    expect(run({ ...federated(GITHUB), Action: 'sts:TagSession' })).toEqual([]);
    const slr = role('AWSServiceRoleForX', { serviceLinked: true, trustPolicy: trust(federated(GITHUB)) });
    expect(rule.evaluate(inventory({ identities: [slr] }), ctx())).toEqual([]);
  });

  it('reports each provider of a role once', () => {
    const findings = run(federated(GITHUB), federated(GITHUB, { StringEquals: AUD }), federated(GITLAB));
    expect(findings.map((f) => f.evidence!.provider)).toEqual([GITHUB, GITLAB]);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
  });
});
