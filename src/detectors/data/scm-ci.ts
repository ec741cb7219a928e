import { githubTokenChecksumValid, githubTokenWithChecksum, looksLikePlaceholder, shannonEntropy } from '../checks.js';
import { ALPHABETS } from '../random.js';
import { defineDetectors, type Detector, type RandomSource } from '../types.js';

/**
 * Source control, CI/CD and DevOps platform credentials.
 *
 * Prefix-anchored formats end with a consumed terminator (`END`) instead of `\b`:
 * most of these alphabets contain `-`, and `\b` would let a prefix of a longer
 * token match. The terminator is outside the `secret` group.
 */
const END = String.raw`(?:[^\w.-]|$)`;
/** `key = value`, `key: value`, `"key": "value"`, `key := value`, `key => value` after a context word. */
const ASSIGN = String.raw`["']?\s{0,32}(?:=>|:=|=|:)\s{0,32}["']?`;
const UUID = String.raw`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`;

/** Random lowercase UUID (v4 shape) for tokens that are UUIDs. */
function uuid(r: RandomSource): string {
  const h = (n: number) => r.chars(ALPHABETS.hex, n);
  return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[r.int(4)]}${h(3)}-${h(12)}`;
}

/**
 * UUID-shaped tokens (Snyk, Codecov...) are dropped by the generic UUID filter, so these
 * detectors turn `filterPlaceholders` off and apply the placeholder checks themselves.
 * They only run next to a provider keyword, which is what makes a UUID a credential here.
 */
function uuidTokenValid(value: string): boolean {
  if (looksLikePlaceholder(value)) return false;
  if (/^0{8}-|^(.)\1{7}-/.test(value)) return false; // nil or repeated UUID
  return shannonEntropy(value.replace(/-/g, '')) >= 3;
}

/** `n` random alphanumerics with at least one digit, one uppercase and one lowercase letter. */
function mixedAlnum(r: RandomSource, n: number): string {
  return r.chars(ALPHABETS.alnum, n - 3) + r.chars(ALPHABETS.digits, 1) + r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1) + r.chars('abcdefghijklmnopqrstuvwxyz', 1);
}

function hasMixedClasses(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
}

function github(id: string, prefix: string, title: string, examples: Detector['examples']): Detector {
  return {
    id,
    title,
    category: 'scm',
    keywords: [prefix],
    pattern: String.raw`\b(?<secret>${prefix}[A-Za-z0-9]{36})\b`,
    prefixLength: 4,
    filterPlaceholders: false,
    validate: githubTokenChecksumValid,
    generate: (r) => githubTokenWithChecksum(prefix, r.chars(ALPHABETS.alnum, 30)),
    severity: 'critical',
    examples,
    references: [
      'https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/',
      'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats',
    ],
  };
}

/**
 * GitLab tokens: `<prefix><20+ chars>`; since GitLab 17.x many are "routable":
 * `<prefix><base64url payload>.<2-char version>.<9-char suffix>`.
 */
const GITLAB_ROUTABLE = String.raw`[\w-]{27,300}\.[0-9a-z]{2}\.[0-9a-z]{9}`;
const GITLAB_REFS = ['https://docs.gitlab.com/security/tokens/#token-prefixes'];

function gitlab(
  id: string,
  prefix: string,
  title: string,
  body: string,
  gen: (r: RandomSource) => string,
  extra: Partial<Detector> & { examples: Detector['examples'] },
): Detector {
  return {
    id,
    title,
    category: 'scm',
    keywords: [prefix],
    pattern: String.raw`\b(?<secret>${prefix.replace(/[.]/g, '\\.')}(?:${body}))${END}`,
    prefixLength: prefix.length,
    entropy: 3,
    severity: 'high',
    generate: (r) => prefix + gen(r),
    references: GITLAB_REFS,
    ...extra,
  };
}

const gitlabRoutable = (r: RandomSource) => `${r.chars(ALPHABETS.b64url, 40)}.01.${r.chars(ALPHABETS.lower, 9)}`;

export default defineDetectors([
  // ─── GitHub ──────────────────────────────────────────────────────────────
  {
    id: 'github-pat-classic',
    title: 'GitHub personal access token (classic)',
    category: 'scm',
    keywords: ['ghp_'],
    pattern: String.raw`\b(?<secret>ghp_[A-Za-z0-9]{36})\b`,
    prefixLength: 4,
    filterPlaceholders: false,
    validate: githubTokenChecksumValid,
    generate: (r) => githubTokenWithChecksum('ghp_', r.chars(ALPHABETS.alnum, 30)),
    severity: 'critical',
    examples: {
      positive: ['GITHUB_TOKEN={{gen}}', 'const token = "{{gen}}";', 'url = "https://x-access-token:{{gen}}@github.com/o/r.git"'],
      negative: [
        'token: ghp_{{alnum:36}}', // wrong checksum: a random look-alike
        'token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
      ],
    },
    references: ['https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/'],
  },
  github('github-oauth-token', 'gho_', 'GitHub OAuth access token', {
    positive: [
      'export GH_TOKEN={{gen}}',
      '{"access_token": "{{gen}}", "token_type": "bearer", "scope": "repo"}',
      'client = Github("{{gen}}")',
    ],
    negative: ['token = "gho_{{alnum:36}}"', 'gho_16C7e42F292c6912E7710c838347Ae178B4a', 'token: gho_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
  }),
  github('github-user-to-server-token', 'ghu_', 'GitHub App user access token', {
    positive: [
      'headers = {"Authorization": "token {{gen}}"}',
      'GITHUB_USER_TOKEN: {{gen}}',
      'octokit = new Octokit({ auth: "{{gen}}" });',
    ],
    negative: ['auth: "ghu_{{alnum:36}}"', 'ghu_<token>', 'const prefix = "ghu_";'],
  }),
  github('github-server-to-server-token', 'ghs_', 'GitHub App installation access token', {
    positive: [
      'git clone https://x-access-token:{{gen}}@github.com/acme/app.git',
      'INSTALLATION_TOKEN="{{gen}}"',
      '  token: {{gen}}',
    ],
    negative: ['token: ghs_{{alnum:36}}', 'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}', 'ghs_0000000000000000000000000000000000000'],
  }),
  {
    id: 'github-refresh-token',
    title: 'GitHub App refresh token',
    category: 'scm',
    keywords: ['ghr_'],
    // The checksummed 36-character form, or the 76-character form shown in GitHub's docs.
    pattern: String.raw`\b(?<secret>ghr_(?:[A-Za-z0-9]{76}|[A-Za-z0-9]{36}))\b`,
    prefixLength: 4,
    validate: (s) => (s.length === 40 ? githubTokenChecksumValid(s) : shannonEntropy(s) >= 4),
    generate: (r) => githubTokenWithChecksum('ghr_', r.chars(ALPHABETS.alnum, 30)),
    severity: 'critical',
    examples: {
      positive: [
        '"refresh_token": "{{gen}}",',
        'GITHUB_REFRESH_TOKEN={{gen}}',
        'refresh_token = "ghr_{{alnum:76}}"',
      ],
      negative: ['refresh_token = "ghr_{{alnum:36}}"', 'refresh_token: "ghr_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"', 'prefix = "ghr_"'],
    },
    references: ['https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens'],
  },
  {
    id: 'github-fine-grained-pat',
    title: 'GitHub fine-grained personal access token',
    category: 'scm',
    keywords: ['github_pat_'],
    pattern: String.raw`\b(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b`,
    prefixLength: 11,
    entropy: 4,
    generate: (r) => `github_pat_${r.chars(ALPHABETS.alnum, 22)}_${r.chars(ALPHABETS.alnum, 59)}`,
    severity: 'critical',
    examples: {
      positive: ['GITHUB_TOKEN={{gen}}', 'gh_token: "{{gen}}"', 'Authorization: Bearer {{gen}}'],
      negative: [
        'github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        'token = "github_pat_{{alnum:22}}"',
        'echo "github_pat_<your token>"',
      ],
    },
    references: ['https://github.blog/security/application-security/introducing-fine-grained-personal-access-tokens-for-github/'],
  },

  // ─── GitLab ──────────────────────────────────────────────────────────────
  gitlab('gitlab-pat', 'glpat-', 'GitLab personal, project or group access token', String.raw`[\w-]{20}`, (r) => r.chars(ALPHABETS.alnum, 20), {
    severity: 'critical',
    examples: {
      positive: ['GITLAB_TOKEN={{gen}}', 'private_token: "{{gen}}"', 'curl --header "PRIVATE-TOKEN: {{gen}}" https://gitlab.com/api/v4/projects'],
      negative: ['GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx', 'token: glpat-{{alnum:12}}', 'token = "glpat-XXXXXXXXXXX-XXXXXXXX"'],
    },
  }),
  gitlab('gitlab-pat-routable', 'glpat-', 'GitLab personal access token (routable format)', GITLAB_ROUTABLE, gitlabRoutable, {
    severity: 'critical',
    entropy: 3.5,
    examples: {
      positive: ['GITLAB_TOKEN={{gen}}', '"gitlab_token": "{{gen}}"', 'gl = gitlab.Gitlab(url, private_token="{{gen}}")'],
      negative: [
        'token = "glpat-xxxxxxxx-xxxxxxxxxxxxxxxxxx.xxxxxxxxx"',
        'token = "glpat-{{alnum:30}}.01"',
        'glpat-${GITLAB_TOKEN}',
      ],
    },
  }),
  gitlab('gitlab-oauth-app-secret', 'gloas-', 'GitLab OAuth application secret', String.raw`[\w-]{64}`, (r) => r.chars(ALPHABETS.hex, 64), {
    examples: {
      positive: ['GITLAB_APP_SECRET={{gen}}', 'config.omniauth :gitlab, ENV["GITLAB_ID"], "{{gen}}"', 'client_secret: {{gen}}'],
      negative: ['client_secret: gloas-{{hex:32}}', 'client_secret: gloas-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'prefix "gloas-"'],
    },
  }),
  gitlab('gitlab-deploy-token', 'gldt-', 'GitLab deploy token', String.raw`${GITLAB_ROUTABLE}|[\w-]{20}`, (r) => r.chars(ALPHABETS.alnum, 20), {
    examples: {
      positive: ['docker login -u gitlab+deploy-token-1 -p {{gen}} registry.gitlab.com', 'DEPLOY_TOKEN={{gen}}', 'password: "{{gen}}"'],
      negative: ['DEPLOY_TOKEN=gldt-xxxxxxxxxxxxxxxxxxxx', 'DEPLOY_TOKEN=gldt-{{alnum:8}}', 'DEPLOY_TOKEN=$CI_DEPLOY_PASSWORD'],
    },
  }),
  gitlab(
    'gitlab-runner-auth-token',
    'glrt-',
    'GitLab runner authentication token',
    String.raw`${GITLAB_ROUTABLE}|(?:t\d_)?[\w-]{20,40}`,
    (r) => `t${r.int(3) + 1}_${r.chars(ALPHABETS.alnum, 20)}`,
    {
      examples: {
        positive: ['gitlab-runner register --url https://gitlab.com --token {{gen}}', '  token = "{{gen}}"', 'RUNNER_TOKEN: {{gen}}'],
        negative: ['token = "glrt-xxxxxxxxxxxxxxxxxxxx"', 'token = "glrt-{{alnum:10}}"', 'token = "glrt-REPLACE_ME"'],
      },
    },
  ),
  gitlab(
    'gitlab-ci-job-token',
    'glcbt-',
    'GitLab CI/CD job token',
    String.raw`${GITLAB_ROUTABLE}|[0-9a-zA-Z]{1,5}_[\w-]{20}`,
    (r) => `${r.chars(ALPHABETS.alnum, 2)}_${r.chars(ALPHABETS.alnum, 20)}`,
    {
      examples: {
        positive: ['CI_JOB_TOKEN={{gen}}', 'curl --header "JOB-TOKEN: {{gen}}" "$CI_API_V4_URL/projects"', 'job_token: "{{gen}}"'],
        negative: ['curl --header "JOB-TOKEN: $CI_JOB_TOKEN"', 'CI_JOB_TOKEN=glcbt-xx_xxxxxxxxxxxxxxxxxxxx', 'CI_JOB_TOKEN=glcbt-{{alnum:12}}'],
      },
    },
  ),
  gitlab('gitlab-pipeline-trigger-token', 'glptt-', 'GitLab pipeline trigger token', String.raw`[0-9a-f]{40}`, (r) => r.chars(ALPHABETS.hex, 40), {
    examples: {
      positive: [
        'curl -X POST -F token={{gen}} -F ref=main https://gitlab.com/api/v4/projects/1/trigger/pipeline',
        'TRIGGER_TOKEN="{{gen}}"',
        'trigger_token: {{gen}}',
      ],
      negative: ['-F token=glptt-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'TRIGGER_TOKEN=glptt-{{hex:20}}', 'TRIGGER_TOKEN=glptt-{{alpha:40}}'],
    },
  }),
  gitlab('gitlab-feed-token', 'glft-', 'GitLab feed token', String.raw`${GITLAB_ROUTABLE}|[\w-]{20}`, (r) => r.chars(ALPHABETS.alnum, 20), {
    severity: 'medium',
    examples: {
      positive: [
        'url: https://gitlab.com/dashboard/projects.atom?feed_token={{gen}}',
        'FEED_TOKEN={{gen}}',
        '<link href="https://gitlab.example.org/u.ics?feed_token={{gen}}"/>',
      ],
      negative: ['?feed_token=glft-xxxxxxxxxxxxxxxxxxxx', 'FEED_TOKEN=glft-{{alnum:10}}', 'FEED_TOKEN=glft-<token>'],
    },
  }),
  gitlab('gitlab-incoming-mail-token', 'glimt-', 'GitLab incoming email token', String.raw`[\w-]{25}`, (r) => r.chars(ALPHABETS.lower, 25), {
    examples: {
      positive: ['incoming_email_token: {{gen}}', 'INCOMING_EMAIL_TOKEN={{gen}}', 'token: "{{gen}}"'],
      negative: ['token: glimt-xxxxxxxxxxxxxxxxxxxxxxxxx', 'token: glimt-{{lower:12}}', 'token: "glimt-"'],
    },
  }),
  gitlab('gitlab-agent-token', 'glagent-', 'GitLab agent for Kubernetes token', String.raw`${GITLAB_ROUTABLE}|[\w-]{50}`, (r) => r.chars(ALPHABETS.alnum, 50), {
    severity: 'critical',
    examples: {
      positive: [
        'helm upgrade --install gitlab-agent gitlab/gitlab-agent --set config.token={{gen}}',
        'AGENT_TOKEN={{gen}}',
        '  token: "{{gen}}"',
      ],
      negative: ['--set config.token=glagent-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AGENT_TOKEN=glagent-{{alnum:20}}', 'AGENT_TOKEN=${AGENT_TOKEN}'],
    },
  }),
  gitlab('gitlab-scim-token', 'glsoat-', 'GitLab SCIM OAuth access token', String.raw`${GITLAB_ROUTABLE}|[\w-]{20}`, (r) => r.chars(ALPHABETS.alnum, 20), {
    examples: {
      positive: ['SCIM_TOKEN={{gen}}', 'Authorization: Bearer {{gen}}', 'scim_token: "{{gen}}"'],
      negative: ['SCIM_TOKEN=glsoat-xxxxxxxxxxxxxxxxxxxx', 'SCIM_TOKEN=glsoat-{{alnum:6}}', 'SCIM_TOKEN=glsoat-<token>'],
    },
  }),
  gitlab('gitlab-feature-flag-client-token', 'glffct-', 'GitLab feature flags client token', String.raw`${GITLAB_ROUTABLE}|[\w-]{20}`, (r) => r.chars(ALPHABETS.alnum, 20), {
    severity: 'medium',
    examples: {
      positive: ['UNLEASH_INSTANCE_ID={{gen}}', 'instanceId: "{{gen}}",', 'unleash.New(unleash.WithInstanceId("{{gen}}"))'],
      negative: ['UNLEASH_INSTANCE_ID=glffct-xxxxxxxxxxxxxxxxxxxx', 'UNLEASH_INSTANCE_ID=glffct-{{alnum:8}}', 'UNLEASH_INSTANCE_ID=${ID}'],
    },
  }),
  {
    id: 'gitlab-runner-registration-token',
    title: 'GitLab runner registration token (deprecated)',
    category: 'ci',
    keywords: ['GR1348941'],
    pattern: String.raw`\b(?<secret>GR1348941[\w-]{20})${END}`,
    prefixLength: 9,
    entropy: 3,
    generate: (r) => `GR1348941${r.chars(ALPHABETS.b64url, 20)}`,
    severity: 'high',
    examples: {
      positive: [
        'gitlab-runner register --non-interactive --url "https://gitlab.com/" --registration-token "{{gen}}"',
        'REGISTRATION_TOKEN={{gen}}',
        'runnerRegistrationToken: "{{gen}}"',
      ],
      negative: ['--registration-token "GR1348941xxxxxxxxxxxxxxxxxxxx"', '--registration-token "GR1348941{{alnum:10}}"', 'REGISTRATION_TOKEN=$REGISTRATION_TOKEN'],
    },
    references: ['https://docs.gitlab.com/security/tokens/#runner-registration-tokens-deprecated'],
  },

  // ─── Bitbucket / Atlassian ───────────────────────────────────────────────
  {
    id: 'bitbucket-app-password',
    title: 'Bitbucket app password',
    category: 'scm',
    keywords: ['ATBB'],
    // ATBB + 24 random characters + 8 uppercase hex characters (a CRC32 of the first 28).
    pattern: String.raw`\b(?<secret>ATBB[A-Za-z0-9]{24}[A-F0-9]{8})\b`,
    prefixLength: 4,
    entropy: 3.5,
    generate: (r) => `ATBB${r.chars(ALPHABETS.alnum, 24)}${r.chars(ALPHABETS.HEX, 8)}`,
    severity: 'high',
    examples: {
      positive: [
        'git clone https://jdoe:{{gen}}@bitbucket.org/team/repo.git',
        'BITBUCKET_APP_PASSWORD={{gen}}',
        'auth = ("jdoe", "{{gen}}")',
      ],
      negative: ['BITBUCKET_APP_PASSWORD=ATBBxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'password = "ATBB{{alnum:20}}"', 'password = "ATBB{{alnum:24}}{{alpha:8}}"'],
    },
    references: ['https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/'],
  },
  {
    id: 'bitbucket-access-token',
    title: 'Bitbucket Cloud repository/project/workspace access token',
    category: 'scm',
    keywords: ['ATCTT3xFfGN0'],
    pattern: String.raw`\b(?<secret>ATCTT3xFfGN0[A-Za-z0-9_=-]{100,300}=[A-F0-9]{8})${END}`,
    prefixLength: 12,
    entropy: 4,
    generate: (r) => `ATCTT3xFfGN0${r.chars(ALPHABETS.b64url, 170)}=${r.chars(ALPHABETS.HEX, 8)}`,
    severity: 'high',
    examples: {
      positive: ['BITBUCKET_ACCESS_TOKEN={{gen}}', 'curl -H "Authorization: Bearer {{gen}}" https://api.bitbucket.org/2.0/repositories', 'token: "{{gen}}"'],
      negative: ['token: ATCTT3xFfGN0xxxxxxxx', 'token: "ATCTT3xFfGN0{{b64url:40}}=ABCDEF12"', 'prefix = "ATCTT3xFfGN0"'],
    },
    references: ['https://support.atlassian.com/bitbucket-cloud/docs/access-tokens/'],
  },
  {
    id: 'bitbucket-data-center-token',
    title: 'Bitbucket Data Center HTTP access token',
    category: 'scm',
    keywords: ['BBDC-'],
    pattern: String.raw`\b(?<secret>BBDC-[A-Za-z0-9+/@_-]{40,50})(?:[^A-Za-z0-9+/@_-]|$)`,
    prefixLength: 5,
    entropy: 3.5,
    generate: (r) => `BBDC-${r.chars(ALPHABETS.b64, 44)}`,
    severity: 'high',
    examples: {
      positive: ['BITBUCKET_TOKEN={{gen}}', 'git -c http.extraHeader="Authorization: Bearer {{gen}}" clone https://bitbucket.corp/scm/app.git', 'token: "{{gen}}"'],
      negative: ['token: "BBDC-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"', 'token: "BBDC-{{alnum:20}}"', 'label = "BBDC-"'],
    },
    references: ['https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html'],
  },

  // ─── Azure DevOps ────────────────────────────────────────────────────────
  {
    id: 'azure-devops-pat',
    title: 'Azure DevOps personal access token (52-character)',
    category: 'scm',
    keywords: ['azure', 'devops', 'vsts', 'visualstudio.com', 'azdo', 'ado_'],
    // 52 lowercase base32 characters; only next to an Azure DevOps word, as the shape alone is common.
    pattern: String.raw`(?:(?:azure|devops|vsts|visualstudio\.com|azdo|\bado_)[^\n]{0,80}?(?:^|[^a-z0-9])|//[^\s:/@]{0,64}:)(?<secret>[a-z2-7]{52})(?:[^a-z0-9]|$)`,
    ignoreCase: true,
    entropy: 4,
    validate: (s) => /^[a-z2-7]{52}$/.test(s) && /[2-7]/.test(s),
    generate: (r) => r.chars('abcdefghijklmnopqrstuvwxyz234567', 52),
    severity: 'critical',
    examples: {
      positive: [
        'AZURE_DEVOPS_PAT={{gen}}',
        'az devops login --organization https://dev.azure.com/contoso <<< "{{gen}}"',
        'git clone https://pat:{{gen}}@dev.azure.com/contoso/app/_git/app',
        '$env:AZURE_DEVOPS_EXT_PAT = "{{gen}}"',
      ],
      negative: [
        'AZURE_DEVOPS_PAT={{lower:40}}',
        'AZURE_DEVOPS_PAT=$(System.AccessToken)',
        'azure_storage_key: {{hex:52}}', // hex is not base32 lowercase... and 0/1/8/9 are outside the alphabet
        'description: azure pipelines abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
      ],
    },
    references: [
      'https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate',
      'https://learn.microsoft.com/en-us/purview/sit-defn-azure-devops-personal-access-token',
    ],
  },
  {
    id: 'azure-devops-pat-v2',
    title: 'Azure DevOps personal access token (84-character, AZDO signature)',
    category: 'scm',
    keywords: ['AZDO'],
    // 52 random + "JQQJ" common annotated key signature + 20 + provider signature "AZDO" at 76-79 + 4.
    pattern: String.raw`\b(?<secret>[A-Za-z0-9]{52}JQQJ[A-Za-z0-9]{20}AZDO[A-Za-z0-9]{4})\b`,
    entropy: 4,
    generate: (r) =>
      `${r.chars(ALPHABETS.alnum, 52)}JQQJ9${'9DH'[r.int(3)]}${r.chars(ALPHABETS.alnum, 1)}${'ABCDEFGHIJKL'[r.int(12)]}${r.chars(ALPHABETS.alnum, 16)}AZDO${r.chars(ALPHABETS.alnum, 4)}`,
    severity: 'critical',
    examples: {
      positive: ['AZURE_DEVOPS_EXT_PAT={{gen}}', 'PAT = "{{gen}}"', 'echo {{gen}} | az devops login'],
      negative: [
        'PAT = "abcdefghijklmnopqrstuvwxyz012345679ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnoAZDOabcd"',
        'PAT = "{{alnum:52}}JQQJ{{alnum:10}}AZDO{{alnum:4}}"',
        'PAT = "{{alnum:84}}"',
      ],
    },
    references: [
      'https://learn.microsoft.com/en-us/purview/sit-defn-azure-devops-personal-access-token',
      'https://devblogs.microsoft.com/engineering-at-microsoft/common-annotated-security-keys/',
    ],
  },

  // ─── CI services ─────────────────────────────────────────────────────────
  {
    id: 'circleci-token',
    title: 'CircleCI personal or project API token',
    category: 'ci',
    keywords: ['CCIPAT_', 'CCIPRJ_'],
    pattern: String.raw`\b(?<secret>CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40})\b`,
    prefixLength: 7,
    entropy: 3.5,
    generate: (r) => `CCIPAT_${r.chars(ALPHABETS.alnum, 22)}_${r.chars(ALPHABETS.hex, 40)}`,
    severity: 'high',
    examples: {
      positive: ['CIRCLECI_TOKEN={{gen}}', 'curl -H "Circle-Token: {{gen}}" https://circleci.com/api/v2/me', 'token: CCIPRJ_{{alnum:22}}_{{hex:40}}'],
      negative: ['CIRCLECI_TOKEN=CCIPAT_anEXAMPLEFAKEAPITOKENs_59ac51208f391a632497980f77e60cf7daf29ced', 'CIRCLECI_TOKEN=CCIPAT_{{alnum:22}}', 'CIRCLECI_TOKEN=CCIPAT_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
    references: ['https://circleci.com/docs/managing-api-tokens/'],
  },
  {
    id: 'circleci-legacy-token',
    title: 'CircleCI API token (legacy 40-hex)',
    category: 'ci',
    keywords: ['circle_token', 'circle'],
    pattern: String.raw`circle[\w.-]{0,20}(?:token|api[_-]?key)${ASSIGN}(?<secret>[a-f0-9]{40})\b`,
    ignoreCase: true,
    entropy: 3.3,
    validate: (s) => /^[a-f0-9]{40}$/.test(s),
    generate: (r) => r.chars(ALPHABETS.hex, 40),
    severity: 'high',
    examples: {
      positive: ['CIRCLECI_TOKEN={{gen}}', 'circle_token: "{{gen}}"', 'export CIRCLE_API_KEY={{gen}}'],
      negative: ['CIRCLECI_TOKEN=${CIRCLECI_TOKEN}', 'CIRCLE_SHA1={{hex:40}}', 'circle_token: {{hex:20}}'],
    },
    references: ['https://circleci.com/docs/managing-api-tokens/'],
  },
  {
    id: 'travis-ci-token',
    title: 'Travis CI API token',
    category: 'ci',
    keywords: ['travis_token', 'travis'],
    pattern: String.raw`travis[\w.-]{0,20}(?:token|api[_-]?key)${ASSIGN}(?<secret>[A-Za-z0-9_-]{22})(?:[^\w-]|$)`,
    ignoreCase: true,
    entropy: 3.5,
    generate: (r) => mixedAlnum(r, 22),
    severity: 'high',
    examples: {
      positive: ['TRAVIS_TOKEN={{gen}}', 'travis_api_token: "{{gen}}"', 'export TRAVIS_API_KEY="{{gen}}"'],
      negative: ['TRAVIS_TOKEN=${TRAVIS_TOKEN}', 'travis_token: "{{alnum:12}}"', 'TRAVIS_TOKEN=xxxxxxxxxxxxxxxxxxxxxx'],
    },
    references: ['https://developer.travis-ci.com/authentication'],
  },
  {
    id: 'buildkite-token',
    title: 'Buildkite API access or agent token',
    category: 'ci',
    keywords: ['bkua_', 'bkaa_'],
    // bkua_<40 hex> (2023) or bkua_<base64 id>.<40 hex>; agent session tokens bkaa_<id>.<random>.
    pattern: String.raw`\b(?<secret>bkua_(?:[A-Za-z0-9]{2,8}\.)?[a-f0-9]{40}|bkaa_[A-Za-z0-9]{2,8}\.[A-Za-z0-9]{40,100})\b`,
    prefixLength: 5,
    entropy: 3.5,
    generate: (r) => `bkua_MTA.${r.chars(ALPHABETS.hex, 40)}`,
    severity: 'high',
    examples: {
      positive: ['BUILDKITE_API_TOKEN={{gen}}', 'curl -H "Authorization: Bearer bkua_{{hex:40}}" https://api.buildkite.com/v2/user', 'token: bkaa_MTA.{{alnum:80}}'],
      negative: ['BUILDKITE_API_TOKEN=bkua_*****************************************************', 'BUILDKITE_API_TOKEN=bkua_{{hex:20}}', 'BUILDKITE_API_TOKEN=bkua_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
    references: ['https://buildkite.com/docs/platform/security/tokens'],
  },
  {
    id: 'drone-ci-token',
    title: 'Drone CI access token',
    category: 'ci',
    keywords: ['drone_token', 'drone'],
    pattern: String.raw`drone[\w.-]{0,20}(?:token|secret)${ASSIGN}(?<secret>[A-Za-z0-9]{32})\b`,
    ignoreCase: true,
    entropy: 3.5,
    generate: (r) => mixedAlnum(r, 32),
    severity: 'high',
    examples: {
      positive: ['DRONE_TOKEN={{gen}}', 'export DRONE_TOKEN="{{gen}}"', 'drone_rpc_secret: {{gen}}'],
      negative: ['DRONE_TOKEN=${DRONE_TOKEN}', 'DRONE_SERVER=https://drone.example.com', 'drone_token: {{alnum:16}}'],
    },
    references: ['https://docs.drone.io/cli/setup/'],
  },
  {
    id: 'jenkins-api-token',
    title: 'Jenkins API token',
    category: 'ci',
    keywords: ['jenkins_api_token', 'jenkins'],
    // Jenkins ≥2.129 API tokens are "11" + 32 hex; legacy ones 32 hex. Only next to "jenkins".
    pattern: String.raw`jenkins(?:[\w.-]{0,30}(?:token|api[_-]?key|password|secret)${ASSIGN}|[^\n]{0,80}?(?:\s-u\s{0,32}|\s--user[\s=]|//)[^\s:/@"']{1,64}:)(?<secret>(?:11)?[0-9a-f]{32})\b`,
    ignoreCase: true,
    entropy: 3.2,
    validate: (s) => /^(?:11)?[0-9a-f]{32}$/.test(s),
    generate: (r) => `11${r.chars(ALPHABETS.hex, 32)}`,
    severity: 'high',
    examples: {
      positive: [
        'JENKINS_API_TOKEN={{gen}}',
        'curl -X POST https://jenkins.example.com/job/build/build -u admin:{{gen}}',
        'jenkins_token: "{{gen}}"',
      ],
      negative: ['JENKINS_API_TOKEN=${JENKINS_API_TOKEN}', 'jenkins_build_sha: {{hex:40}}', 'JENKINS_URL=https://jenkins.example.com:8080/'],
    },
    references: ['https://www.jenkins.io/doc/book/system-administration/authenticating-scripted-clients/'],
  },
  {
    id: 'teamcity-access-token',
    title: 'JetBrains TeamCity access token',
    category: 'ci',
    keywords: ['eyJ0eXAiOiAiVENWMiJ9'],
    // A JWT-like token whose header is always {"typ": "TCV2"}.
    pattern: String.raw`\b(?<secret>eyJ0eXAiOiAiVENWMiJ9\.[A-Za-z0-9_-]{20,120}\.[A-Za-z0-9_-]{20,200})${END}`,
    prefixLength: 20,
    entropy: 4,
    generate: (r) => `eyJ0eXAiOiAiVENWMiJ9.${r.chars(ALPHABETS.b64url, 36)}.${r.chars(ALPHABETS.b64url, 48)}`,
    severity: 'high',
    examples: {
      positive: ['TEAMCITY_TOKEN={{gen}}', 'curl -H "Authorization: Bearer {{gen}}" https://teamcity.example.com/app/rest/builds', 'teamcity.token = "{{gen}}"'],
      negative: ['TEAMCITY_TOKEN=eyJ0eXAiOiAiVENWMiJ9', 'TEAMCITY_TOKEN=eyJ0eXAiOiAiVENWMiJ9.{{alnum:8}}.{{alnum:8}}', 'TEAMCITY_TOKEN=%env.TEAMCITY_TOKEN%'],
    },
    references: ['https://www.jetbrains.com/help/teamcity/configuring-your-user-profile.html#Managing+Access+Tokens'],
  },
  {
    id: 'codecov-token',
    title: 'Codecov upload or API token',
    category: 'ci',
    keywords: ['codecov_token', 'codecov'],
    pattern: String.raw`codecov(?:[\w.-]{0,20}token${ASSIGN}|[^\n]{0,60}?\s-t\s{0,32}["']?)(?<secret>${UUID}|[A-Za-z0-9]{32})\b`,
    ignoreCase: true,
    filterPlaceholders: false,
    validate: uuidTokenValid,
    generate: uuid,
    severity: 'medium',
    examples: {
      positive: ['CODECOV_TOKEN={{gen}}', 'codecov_token: "{{gen}}"', 'bash <(curl -s https://codecov.io/bash) -t {{gen}}'],
      negative: ['CODECOV_TOKEN=${{ secrets.CODECOV_TOKEN }}', 'CODECOV_TOKEN=00000000-0000-0000-0000-000000000000', 'codecov_token: <your-token>'],
    },
    references: ['https://docs.codecov.com/docs/codecov-tokens'],
  },
  {
    id: 'sonarqube-token',
    title: 'SonarQube / SonarCloud token',
    category: 'ci',
    keywords: ['squ_', 'sqp_', 'sqa_'],
    pattern: String.raw`\b(?<secret>sq[upa]_[a-f0-9]{40})\b`,
    prefixLength: 4,
    entropy: 3.2,
    generate: (r) => `squ_${r.chars(ALPHABETS.hex, 40)}`,
    severity: 'high',
    examples: {
      positive: ['SONAR_TOKEN={{gen}}', 'mvn sonar:sonar -Dsonar.token=sqp_{{hex:40}}', 'sonar.login=sqa_{{hex:40}}'],
      negative: ['SONAR_TOKEN=squ_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'SONAR_TOKEN=squ_{{hex:20}}', 'SONAR_TOKEN=squ_{{alpha:40}}'],
    },
    references: ['https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/'],
  },
  {
    id: 'sonarqube-legacy-token',
    title: 'SonarQube token (legacy 40-hex)',
    category: 'ci',
    keywords: ['sonar_token', 'sonar'],
    pattern: String.raw`sonar[\w.-]{0,20}(?:token|login)${ASSIGN}(?<secret>[a-f0-9]{40})\b`,
    ignoreCase: true,
    entropy: 3.2,
    validate: (s) => /^[a-f0-9]{40}$/.test(s),
    generate: (r) => r.chars(ALPHABETS.hex, 40),
    severity: 'high',
    examples: {
      positive: ['sonar.login={{gen}}', 'SONAR_TOKEN={{gen}}', 'mvn verify sonar:sonar -Dsonar.token={{gen}}'],
      negative: ['SONAR_TOKEN=${SONAR_TOKEN}', 'sonar.login=admin', 'sonar.projectKey={{hex:40}}'],
    },
    references: ['https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/'],
  },
  {
    id: 'snyk-token',
    title: 'Snyk API token',
    category: 'ci',
    keywords: ['snyk_token', 'snyk'],
    pattern: String.raw`snyk(?:[\w.-]{0,20}(?:token|api[_-]?key|key)${ASSIGN}|\s{1,8}(?:auth|config\s{1,8}set\s{1,8}api=)\s{0,32})(?<secret>${UUID})\b`,
    ignoreCase: true,
    filterPlaceholders: false,
    validate: uuidTokenValid,
    generate: uuid,
    severity: 'high',
    examples: {
      positive: ['SNYK_TOKEN={{gen}}', 'snyk auth {{gen}}', 'snyk_api_key: "{{gen}}"'],
      negative: ['SNYK_TOKEN=${{ secrets.SNYK_TOKEN }}', 'SNYK_ORG={{gen}}', 'SNYK_TOKEN=00000000-0000-0000-0000-000000000000'],
    },
    references: ['https://docs.snyk.io/snyk-api/authentication-for-api'],
  },
  {
    id: 'octopus-deploy-api-key',
    title: 'Octopus Deploy API key',
    category: 'ci',
    keywords: ['API-'],
    pattern: String.raw`\b(?<secret>API-[A-Z0-9]{26,34})\b`,
    prefixLength: 4,
    entropy: 3.5,
    validate: (s) => /[0-9]/.test(s.slice(4)) && /[A-Z]/.test(s.slice(4)),
    generate: (r) => `API-${r.chars(ALPHABETS.upper, 30)}`,
    severity: 'high',
    examples: {
      positive: ['OCTOPUS_API_KEY={{gen}}', 'octo create-release --apiKey {{gen}} --server https://octopus.example.com', '$headers = @{ "X-Octopus-ApiKey" = "{{gen}}" }'],
      negative: ['OCTOPUS_API_KEY=API-XXXXXXXXXXXXXXXXXXXXXXXXXX', 'msgstr "GSSAPI-VIRHEKAPSELOINTIMERKKIJONO."', 'OCTOPUS_API_KEY=API-{{upper:10}}'],
    },
    references: ['https://octopus.com/docs/octopus-rest-api/how-to-create-an-api-key'],
  },
  {
    id: 'harness-access-token',
    title: 'Harness personal or service account token',
    category: 'ci',
    keywords: ['pat.', 'sat.'],
    pattern: String.raw`\b(?<secret>(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20})\b`,
    prefixLength: 4,
    entropy: 4,
    generate: (r) => `pat.${r.chars(ALPHABETS.b64url, 22)}.${r.chars(ALPHABETS.hex, 24)}.${r.chars(ALPHABETS.alnum, 20)}`,
    severity: 'high',
    examples: {
      positive: ['HARNESS_API_KEY={{gen}}', 'curl -H "x-api-key: {{gen}}" https://app.harness.io/ng/api/user/currentUser', 'token: sat.{{b64url:22}}.{{alnum:24}}.{{alnum:20}}'],
      negative: ['HARNESS_API_KEY=pat.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxx', 'import compat.{{alnum:22}}', 'HARNESS_API_KEY=pat.{{alnum:22}}.{{alnum:24}}'],
    },
    references: ['https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys/'],
  },

  // ─── Infrastructure as code, secrets managers, developer platforms ───────
  {
    id: 'terraform-cloud-token',
    title: 'HCP Terraform / Terraform Enterprise API token',
    category: 'ci',
    keywords: ['.atlasv1.'],
    pattern: String.raw`\b(?<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})${END}`,
    entropy: 4,
    generate: (r) => `${r.chars(ALPHABETS.alnum, 14)}.atlasv1.${r.chars(ALPHABETS.alnum, 67)}`,
    severity: 'critical',
    examples: {
      positive: ['credentials "app.terraform.io" { token = "{{gen}}" }', 'TF_TOKEN_app_terraform_io={{gen}}', 'export TFE_TOKEN="{{gen}}"'],
      negative: [
        'token = "xxxxxxxxxxxxxx.atlasv1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'token = "{{alnum:14}}.atlasv1.{{alnum:20}}"',
        'token = "${var.tfe_token}"',
      ],
    },
    references: ['https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens'],
  },
  {
    id: 'vault-service-token',
    title: 'HashiCorp Vault service token',
    category: 'ci',
    keywords: ['hvs.'],
    pattern: String.raw`\b(?<secret>hvs\.[A-Za-z0-9_-]{90,120})${END}`,
    prefixLength: 4,
    entropy: 4,
    generate: (r) => `hvs.CAESI${r.chars(ALPHABETS.b64url, 90)}`,
    severity: 'critical',
    examples: {
      positive: ['VAULT_TOKEN={{gen}}', 'vault login {{gen}}', 'curl -H "X-Vault-Token: {{gen}}" https://vault.example.com/v1/secret/data/app'],
      negative: ['VAULT_TOKEN=hvs.{{alnum:24}}', 'VAULT_TOKEN=hvs.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'VAULT_TOKEN=$(vault print token)'],
    },
    references: ['https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes'],
  },
  {
    id: 'vault-batch-token',
    title: 'HashiCorp Vault batch token',
    category: 'ci',
    keywords: ['hvb.'],
    pattern: String.raw`\b(?<secret>hvb\.[A-Za-z0-9_.-]{90,300})(?:[^\w.-]|$)`,
    prefixLength: 4,
    entropy: 4,
    generate: (r) => `hvb.AAAAAQ${r.chars(ALPHABETS.b64url, 140)}`,
    severity: 'high',
    examples: {
      positive: ['VAULT_TOKEN={{gen}}', 'token: "{{gen}}"', 'client.token = "{{gen}}"'],
      negative: ['VAULT_TOKEN=hvb.{{alnum:30}}', 'VAULT_TOKEN=hvb.<batch-token>', 'VAULT_TOKEN=hvb.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
    references: ['https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes'],
  },
  {
    id: 'vault-recovery-token',
    title: 'HashiCorp Vault recovery token',
    category: 'ci',
    keywords: ['hvr.'],
    pattern: String.raw`\b(?<secret>hvr\.[A-Za-z0-9_-]{24,120})${END}`,
    prefixLength: 4,
    entropy: 4,
    generate: (r) => `hvr.${r.chars(ALPHABETS.alnum, 24)}`,
    severity: 'critical',
    examples: {
      positive: ['VAULT_TOKEN={{gen}}', 'vault operator generate-root -decode={{gen}}', 'recovery_token: "{{gen}}"'],
      negative: ['VAULT_TOKEN=hvr.{{alnum:10}}', 'VAULT_TOKEN=hvr.xxxxxxxxxxxxxxxxxxxxxxxx', 'prefix hvr.'],
    },
    references: ['https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes'],
  },
  {
    id: 'vault-legacy-token',
    title: 'HashiCorp Vault token (legacy s. format)',
    category: 'ci',
    keywords: ['vault_token', 'vault'],
    // Before Vault 1.10 service tokens were "s." + 24 base62 characters; only next to "vault".
    pattern: String.raw`vault(?:[\w.-]{0,30}${ASSIGN}|\s{1,8}login\s{1,8}|[\w-]{0,20}token["']?\s{0,32}[:=]?\s{0,32}["']?)(?<secret>s\.[A-Za-z0-9]{24})\b`,
    ignoreCase: true,
    entropy: 3.8,
    validate: (s) => /^s\.[A-Za-z0-9]{24}$/.test(s) && hasMixedClasses(s.slice(2)),
    generate: (r) => `s.${r.chars(ALPHABETS.alnum, 21)}a7Q`,
    severity: 'critical',
    examples: {
      positive: ['VAULT_TOKEN={{gen}}', 'vault login {{gen}}', 'curl -H "X-Vault-Token: {{gen}}" $VAULT_ADDR/v1/sys/health'],
      negative: ['VAULT_TOKEN=s.xxxxxxxxxxxxxxxxxxxxxxxx', 'vault_path: s.{{alpha:24}}', 'VAULT_TOKEN=${VAULT_TOKEN}'],
    },
    references: ['https://developer.hashicorp.com/vault/docs/concepts/tokens'],
  },
  {
    id: 'doppler-token',
    title: 'Doppler token (personal, service, CLI, service account, SCIM or audit)',
    category: 'ci',
    keywords: ['dp.pt.', 'dp.st.', 'dp.ct.', 'dp.sa.', 'dp.scim.', 'dp.audit.'],
    pattern: String.raw`\b(?<secret>dp\.(?:pt|ct|sa|scim|audit|st(?:\.[a-z0-9_-]{2,35})?)\.[A-Za-z0-9]{40,44})\b`,
    prefixLength: 6,
    entropy: 4,
    generate: (r) => `dp.st.prd.${r.chars(ALPHABETS.alnum, 43)}`,
    severity: 'critical',
    examples: {
      positive: ['DOPPLER_TOKEN={{gen}}', 'doppler secrets download --token dp.pt.{{alnum:43}}', 'token: "dp.sa.{{alnum:43}}"'],
      negative: ['DOPPLER_TOKEN=dp.st.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'DOPPLER_TOKEN=dp.pt.{{alnum:20}}', 'DOPPLER_TOKEN=${DOPPLER_TOKEN}'],
    },
    references: ['https://docs.doppler.com/docs/token-formats'],
  },
  {
    id: 'pulumi-access-token',
    title: 'Pulumi access token',
    category: 'ci',
    keywords: ['pul-'],
    pattern: String.raw`\b(?<secret>pul-[a-f0-9]{40})\b`,
    prefixLength: 4,
    entropy: 3.3,
    generate: (r) => `pul-${r.chars(ALPHABETS.hex, 40)}`,
    severity: 'critical',
    examples: {
      positive: ['PULUMI_ACCESS_TOKEN={{gen}}', 'pulumi login --token {{gen}}', 'env: { PULUMI_ACCESS_TOKEN: "{{gen}}" }'],
      negative: ['<img src="./assets/vipul-f0eb1acf0da84c06a50c5b2c59932001997786b176.png">', 'PULUMI_ACCESS_TOKEN=pul-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'PULUMI_ACCESS_TOKEN=pul-{{hex:20}}'],
    },
    references: ['https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/'],
  },
  {
    id: 'infisical-service-token',
    title: 'Infisical service token',
    category: 'ci',
    keywords: ['st.'],
    // st.<token id>.<secret>.<encryption key>, all hexadecimal.
    pattern: String.raw`\b(?<secret>st\.[a-f0-9-]{20,40}\.[a-f0-9]{32}\.[a-f0-9]{32})\b`,
    prefixLength: 3,
    entropy: 3.5,
    generate: (r) => `st.${r.chars(ALPHABETS.hex, 24)}.${r.chars(ALPHABETS.hex, 32)}.${r.chars(ALPHABETS.hex, 32)}`,
    severity: 'critical',
    examples: {
      positive: ['INFISICAL_TOKEN={{gen}}', 'infisical export --token={{gen}}', 'token: "{{gen}}"'],
      negative: ['INFISICAL_TOKEN=st.{{hex:24}}.{{hex:32}}', 'const test = list.{{hex:24}}.{{hex:32}}.{{hex:32}}', 'INFISICAL_TOKEN=${INFISICAL_TOKEN}'],
    },
    references: ['https://infisical.com/docs/documentation/platform/token'],
  },
  {
    id: 'sourcegraph-access-token',
    title: 'Sourcegraph access token',
    category: 'scm',
    keywords: ['sgp_'],
    pattern: String.raw`\b(?<secret>sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40})\b`,
    prefixLength: 4,
    entropy: 3.3,
    generate: (r) => `sgp_${r.chars(ALPHABETS.hex, 16)}_${r.chars(ALPHABETS.hex, 40)}`,
    severity: 'high',
    examples: {
      positive: ['SRC_ACCESS_TOKEN={{gen}}', 'src login https://sourcegraph.example.com --token sgp_{{hex:40}}', 'token: "sgp_local_{{hex:40}}"'],
      negative: ['SRC_ACCESS_TOKEN=sgp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'SRC_ACCESS_TOKEN=sgp_{{hex:20}}', 'SRC_ACCESS_TOKEN=$SRC_ACCESS_TOKEN'],
    },
    references: ['https://sourcegraph.com/docs/cli/how-tos/creating_an_access_token'],
  },
]);
