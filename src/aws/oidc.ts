/**
 * How far an OIDC federation trust reaches: who, among everyone the identity provider issues
 * tokens to, can assume the role. The `sub` claim is what tells callers apart; its layout depends
 * on the provider:
 * - GitHub Actions (`token.actions.githubusercontent.com`): `repo:OWNER/REPO:ref:refs/heads/BRANCH`,
 *   `repo:OWNER/REPO:environment:NAME`, `repo:OWNER/REPO:pull_request`...
 * - GitLab (`gitlab.com` or a self-managed host): `project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH`.
 * - HCP Terraform (`app.terraform.io`): `organization:ORG:project:PROJECT:workspace:WS:run_phase:PHASE`.
 * - Anything else (EKS, CircleCI, Buildkite, Bitbucket...): only a bare wildcard is judged.
 * Breadth, from widest: `missing` (no sub condition), `any` (every tenant of the provider: any
 * GitHub user's repository), `tenant` (any repository of one organisation / group / TFC org),
 * `any-ref` (any branch or event of one repository), `scoped`.
 */
import type { PolicyStatement } from '../core/aws.js';
import { conditionEntries, describeCondition, isLike, isNegated, principals, type ConditionEntry } from './trust.js';

export type Breadth = 'missing' | 'any' | 'tenant' | 'any-ref' | 'scoped';

const ORDER: Breadth[] = ['missing', 'any', 'tenant', 'any-ref', 'scoped'];
const wider = (a: Breadth, b: Breadth): Breadth => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b);
const narrower = (a: Breadth, b: Breadth): Breadth => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

const onlyWildcards = (s: string) => /^[*?]*$/.test(s) && s.length > 0;
const hasWildcard = (s: string) => /[*?]/.test(s);

/** Web identity providers that are not OIDC provider ARNs: the audience (the app id) is what scopes them. */
const AUDIENCE_SCOPED = new Set(['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com']);

export interface FederatedProvider {
  /** As written in the trust policy. */
  principal: string;
  /** Issuer host and path, the prefix of its condition keys (`token.actions.githubusercontent.com`). */
  host: string;
}

/** OIDC providers a statement federates to (SAML providers are left out). */
export function oidcProviders(st: PolicyStatement): FederatedProvider[] {
  return principals(st, 'Federated')
    .filter((p) => !p.includes(':saml-provider/'))
    .map((p) => ({ principal: p, host: /:oidc-provider\/(.+)$/.exec(p)?.[1] ?? p }));
}

function classifyGithub(value: string): Breadth {
  if (!value.startsWith('repo:')) return onlyWildcards(value) ? 'any' : 'scoped';
  const rest = value.slice('repo:'.length);
  const colon = rest.indexOf(':');
  const repoPath = colon < 0 ? rest : rest.slice(0, colon);
  const qualifier = colon < 0 ? '' : rest.slice(colon + 1);
  const slash = repoPath.indexOf('/');
  const owner = slash < 0 ? repoPath : repoPath.slice(0, slash);
  const repo = slash < 0 ? '' : repoPath.slice(slash + 1);
  if (hasWildcard(owner)) return 'any';
  if (slash < 0 || hasWildcard(repo)) return 'tenant';
  if (colon < 0) return 'scoped'; // `repo:org/app` matches no real token (a qualifier always follows)
  if (onlyWildcards(qualifier) || /^ref:(\*|refs\/\*|refs\/heads\/\*)$/.test(qualifier)) return 'any-ref';
  return 'scoped';
}

function classifyGitlab(value: string): Breadth {
  if (!value.startsWith('project_path:')) return onlyWildcards(value) ? 'any' : 'scoped';
  const rest = value.slice('project_path:'.length);
  const colon = rest.indexOf(':');
  const path = colon < 0 ? rest : rest.slice(0, colon);
  const qualifier = colon < 0 ? '' : rest.slice(colon + 1);
  const slash = path.lastIndexOf('/');
  const group = slash < 0 ? path : path.slice(0, slash);
  const project = slash < 0 ? '' : path.slice(slash + 1);
  if (group === '' || hasWildcard(group.split('/')[0]!)) return 'any';
  if (hasWildcard(group) || hasWildcard(project) || slash < 0) return 'tenant';
  if (colon < 0) return 'scoped';
  if (onlyWildcards(qualifier) || /^ref_type:(\*|branch:ref:\*)$/.test(qualifier)) return 'any-ref';
  return 'scoped';
}

function classifyTerraform(value: string): Breadth {
  if (!value.startsWith('organization:')) return onlyWildcards(value) ? 'any' : 'scoped';
  const parts = value.slice('organization:'.length).split(':');
  const org = parts[0] ?? '';
  if (org === '' || hasWildcard(org)) return 'any';
  const rest = parts.slice(1).join(':');
  const workspace = /(?:^|:)workspace:([^:]*)/.exec(rest)?.[1];
  if (rest === '' || onlyWildcards(rest) || workspace === undefined || hasWildcard(workspace)) return 'tenant';
  return 'scoped';
}

function classifier(host: string): (value: string) => Breadth {
  const h = host.toLowerCase();
  if (h === 'token.actions.githubusercontent.com' || h.startsWith('token.actions.githubusercontent.com/')) return classifyGithub;
  if (h === 'gitlab.com' || h.startsWith('gitlab.')) return classifyGitlab;
  if (h === 'app.terraform.io' || h.startsWith('app.terraform.io/')) return classifyTerraform;
  return (value) => (onlyWildcards(value) ? 'any' : 'scoped');
}

/** How one value of a condition reaches: `StringEquals` values are literal, only `Like` operators expand wildcards. */
function valueBreadth(entry: ConditionEntry, value: string, classify: (v: string) => Breadth): Breadth {
  if (!isLike(entry)) return 'scoped';
  return classify(value);
}

export interface SubjectVerdict {
  breadth: Breadth;
  /** The claim the verdict is about (`sub`, or `aud` for audience-scoped providers). */
  claim: string;
  /** The conditions on that claim, as written. */
  conditions: string[];
}

/**
 * The breadth of a statement's trust in one provider. Conditions on the claim are AND-ed: the
 * narrowest decides; the values of one condition are OR-ed: the widest decides. Negated
 * operators do not narrow.
 */
export function subjectBreadth(st: PolicyStatement, provider: FederatedProvider): SubjectVerdict {
  const audienceScoped = AUDIENCE_SCOPED.has(provider.host.toLowerCase());
  const wanted = audienceScoped ? [`${provider.host}:aud`, `${provider.host}:sub`] : [`${provider.host}:sub`];
  const entries = conditionEntries(st).filter((e) => wanted.some((k) => k.toLowerCase() === e.key.toLowerCase()));
  const claim = audienceScoped ? 'aud' : 'sub';
  const classify = audienceScoped ? (v: string) => (onlyWildcards(v) ? 'any' : 'scoped') as Breadth : classifier(provider.host);
  let breadth: Breadth = 'missing';
  for (const entry of entries) {
    if (isNegated(entry) || entry.values.length === 0) continue;
    const widest = entry.values.map((v) => valueBreadth(entry, v, classify)).reduce(wider);
    breadth = breadth === 'missing' ? widest : narrower(breadth, widest);
  }
  return { breadth, claim, conditions: entries.map(describeCondition) };
}
