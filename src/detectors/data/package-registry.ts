import { base62, crc32 } from '../checks.js';
import { ALPHABETS } from '../random.js';
import { defineDetectors, type RandomSource } from '../types.js';

/** Package registry and artifact repository credentials. */

const ASSIGN = String.raw`["']?\s{0,32}(?:=>|:=|=|:)\s{0,32}["']?`;

/**
 * npm tokens use GitHub's format: `npm_` + 30 random base62 characters + the CRC32 of
 * those 30 characters in base62 (0-9A-Za-z), left-padded to 6. Same algorithm as
 * checks.ts githubTokenChecksumValid (verified against Microsoft's
 * sarif-pattern-matcher IdentifiableNpmAuthorTokenValidator and Samsung CredSweeper's
 * ValueGitHubCheck, which both checksum `token[4:34]`).
 */
export function npmTokenChecksumValid(token: string): boolean {
  const m = /^npm_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/.exec(token);
  return m !== null && base62(crc32(m[1]!), 6) === m[2];
}

function npmToken(r: RandomSource): string {
  const random = r.chars(ALPHABETS.alnum, 30);
  return `npm_${random}${base62(crc32(random), 6)}`;
}

function mixedAlnum(r: RandomSource, n: number): string {
  return r.chars(ALPHABETS.alnum, n - 3) + r.chars(ALPHABETS.digits, 1) + r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1) + r.chars('abcdefghijklmnopqrstuvwxyz', 1);
}

export default defineDetectors([
  {
    id: 'npm-access-token',
    title: 'npm access token',
    category: 'package-registry',
    keywords: ['npm_'],
    pattern: String.raw`\b(?<secret>npm_[A-Za-z0-9]{36})\b`,
    prefixLength: 4,
    filterPlaceholders: false,
    validate: npmTokenChecksumValid,
    generate: npmToken,
    severity: 'critical',
    examples: {
      positive: [
        '//registry.npmjs.org/:_authToken={{gen}}',
        'NPM_TOKEN={{gen}}',
        '- run: npm publish\n  env:\n    NODE_AUTH_TOKEN: "{{gen}}"',
        'npmAuthToken: {{gen}}',
      ],
      negative: [
        '//registry.npmjs.org/:_authToken=npm_{{alnum:36}}', // checksum does not match
        '//registry.npmjs.org/:_authToken=npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
      ],
    },
    references: ['https://github.blog/security/announcing-npms-new-access-token-format/', 'https://docs.npmjs.com/about-access-tokens'],
  },
  {
    id: 'pypi-api-token',
    title: 'PyPI / TestPyPI API token',
    category: 'package-registry',
    keywords: ['pypi-AgEIcHlwaS5vcmc', 'pypi-AgENdGVzdC5weXBpLm9yZw'],
    // A macaroon: "pypi-" + base64url; the fixed start decodes to the "pypi.org" / "test.pypi.org" location.
    pattern: String.raw`\b(?<secret>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000})`,
    prefixLength: 5,
    entropy: 4,
    generate: (r) => `pypi-AgEIcHlwaS5vcmcCJ${r.chars(ALPHABETS.b64url, 150)}`,
    severity: 'critical',
    examples: {
      positive: [
        '[pypi]\nusername = __token__\npassword = {{gen}}',
        'TWINE_PASSWORD={{gen}}',
        'uv publish --token pypi-AgENdGVzdC5weXBpLm9yZw{{b64url:120}}',
      ],
      negative: ['password = pypi-AgEIcHlwaS5vcmc', 'password = pypi-AgEIcHlwaS5vcmc{{alnum:20}}', 'TWINE_PASSWORD=${{ secrets.PYPI_API_TOKEN }}'],
    },
    references: ['https://pypi.org/help/#apitoken'],
  },
  {
    id: 'rubygems-api-key',
    title: 'RubyGems API key',
    category: 'package-registry',
    keywords: ['rubygems_'],
    pattern: String.raw`\b(?<secret>rubygems_[a-f0-9]{48})\b`,
    prefixLength: 9,
    entropy: 3.3,
    generate: (r) => `rubygems_${r.chars(ALPHABETS.hex, 48)}`,
    severity: 'critical',
    examples: {
      positive: ['---\n:rubygems_api_key: {{gen}}', 'GEM_HOST_API_KEY={{gen}}', 'ENV["GEM_HOST_API_KEY"] = "{{gen}}"'],
      negative: [':rubygems_api_key: rubygems_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'GEM_HOST_API_KEY=rubygems_{{hex:20}}', 'gem "rubygems_mfa", "~> 1.0"'],
    },
    references: ['https://guides.rubygems.org/api-key-scopes/'],
  },
  {
    id: 'nuget-api-key',
    title: 'NuGet.org API key',
    category: 'package-registry',
    keywords: ['oy2'],
    // oy2 + 43 lowercase base32 characters: the structure of a 32-byte key (Microsoft security-utilities SEC101/030).
    pattern: String.raw`\b(?<secret>oy2[a-p][0-9a-z]{15}[aq][0-9a-z]{11}[eu][bdfhjlnprtvxz357][a-p][0-9a-z]{11}[aeimquy4])\b`,
    prefixLength: 3,
    entropy: 3.5,
    generate: (r) => {
      const l = (n: number) => r.chars(ALPHABETS.lower, n);
      const pick = (set: string) => set[r.int(set.length)]!;
      return `oy2${pick('abcdefghijklmnop')}${l(15)}${pick('aq')}${l(11)}${pick('eu')}${pick('bdfhjlnprtvxz357')}${pick('abcdefghijklmnop')}${l(11)}${pick('aeimquy4')}`;
    },
    severity: 'critical',
    examples: {
      positive: ['dotnet nuget push app.nupkg --api-key {{gen}} --source https://api.nuget.org/v3/index.json', 'NUGET_API_KEY={{gen}}', '<add key="apiKey" value="{{gen}}" />'],
      negative: ['NUGET_API_KEY=oy2{{lower:20}}', 'NUGET_API_KEY=${{ secrets.NUGET_API_KEY }}', 'hash: oy2{{upper:43}}'],
    },
    references: ['https://learn.microsoft.com/en-us/nuget/nuget-org/scoped-api-keys', 'https://github.com/microsoft/security-utilities'],
  },
  {
    id: 'dockerhub-access-token',
    title: 'Docker Hub personal or organization access token',
    category: 'package-registry',
    keywords: ['dckr_pat_', 'dckr_oat_'],
    pattern: String.raw`\b(?<secret>dckr_pat_[A-Za-z0-9_-]{27}|dckr_oat_[A-Za-z0-9_-]{32})(?:[^\w-]|$)`,
    prefixLength: 9,
    entropy: 3.5,
    generate: (r) => `dckr_pat_${mixedAlnum(r, 27)}`,
    severity: 'high',
    examples: {
      positive: ['echo {{gen}} | docker login -u acme --password-stdin', 'DOCKERHUB_TOKEN={{gen}}', 'password: dckr_oat_{{alnum:32}}'],
      negative: ['DOCKERHUB_TOKEN=dckr_pat_EXAMPLE-EXAMPLE-EXAMPLE-123', 'DOCKERHUB_TOKEN=dckr_pat_{{alnum:12}}', 'DOCKERHUB_TOKEN=dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
    references: ['https://docs.docker.com/security/for-developers/access-tokens/'],
  },
  {
    id: 'jfrog-api-key',
    title: 'JFrog Artifactory API key',
    category: 'package-registry',
    keywords: ['AKCp'],
    pattern: String.raw`\b(?<secret>AKCp[A-Za-z0-9]{69})\b`,
    prefixLength: 4,
    entropy: 4,
    generate: (r) => `AKCp${r.chars(ALPHABETS.alnum, 69)}`,
    severity: 'critical',
    examples: {
      positive: ['ARTIFACTORY_API_KEY={{gen}}', 'curl -H "X-JFrog-Art-Api: {{gen}}" https://acme.jfrog.io/artifactory/api/repositories', 'password: "{{gen}}"'],
      negative: ['ARTIFACTORY_API_KEY=AKCp{{alnum:30}}', 'ARTIFACTORY_API_KEY=AKCpxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'ARTIFACTORY_API_KEY=${ARTIFACTORY_API_KEY}'],
    },
    references: ['https://jfrog.com/help/r/jfrog-platform-administration-documentation/api-key'],
  },
  {
    id: 'jfrog-reference-token',
    title: 'JFrog access (reference) token',
    category: 'package-registry',
    keywords: ['cmVmdGtu'],
    // base64("reftkn:01:<expiry>:<id>"), 64 characters.
    pattern: String.raw`\b(?<secret>cmVmdGtu[A-Za-z0-9]{56})\b`,
    prefixLength: 8,
    entropy: 3.5,
    validate: (s) => /^reftkn:\d\d:\d{10}:[\x21-\x7e]+$/.test(Buffer.from(s, 'base64').toString('latin1')),
    generate: (r) => {
      // Real reference tokens are alphanumeric; retry until the encoding has no '+' or '/'.
      let token = '';
      for (let i = 0; i < 50 && !/^[A-Za-z0-9]{64}$/.test(token); i++) {
        token = Buffer.from(`reftkn:01:${1700000000 + r.int(99999999)}:${r.chars(ALPHABETS.alnum, 27)}`).toString('base64');
      }
      return token;
    },
    severity: 'critical',
    examples: {
      positive: ['JFROG_ACCESS_TOKEN={{gen}}', 'curl -H "Authorization: Bearer {{gen}}" https://acme.jfrog.io/artifactory/api/system/ping', 'jf c add --access-token={{gen}}'],
      negative: ['JFROG_ACCESS_TOKEN=cmVmdGtu{{alnum:56}}', 'JFROG_ACCESS_TOKEN=cmVmdGtuOjAxOjEw', 'JFROG_ACCESS_TOKEN=<reference-token>'],
    },
    references: ['https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens'],
  },
  {
    id: 'clojars-deploy-token',
    title: 'Clojars deploy token',
    category: 'package-registry',
    keywords: ['CLOJARS_'],
    pattern: String.raw`\b(?<secret>CLOJARS_[a-f0-9]{60})\b`,
    prefixLength: 8,
    entropy: 3.3,
    generate: (r) => `CLOJARS_${r.chars(ALPHABETS.hex, 60)}`,
    severity: 'high',
    examples: {
      positive: ['CLOJARS_PASSWORD={{gen}}', ':deploy-repositories [["clojars" {:username "jdoe" :password "{{gen}}"}]]', 'password: {{gen}}'],
      negative: ['CLOJARS_PASSWORD=CLOJARS_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab', 'CLOJARS_USERNAME=jdoe', 'CLOJARS_PASSWORD=CLOJARS_{{hex:20}}'],
    },
    references: ['https://github.com/clojars/clojars-web/wiki/Deploy-Tokens'],
  },
  {
    id: 'crates-io-api-token',
    title: 'crates.io API token',
    category: 'package-registry',
    keywords: ['cio'],
    pattern: String.raw`\b(?<secret>cio[A-Za-z0-9]{32})\b`,
    prefixLength: 3,
    entropy: 3.8,
    validate: (s) => /[0-9]/.test(s.slice(3)) && /[A-Z]/.test(s.slice(3)) && /[a-z]/.test(s.slice(3)),
    generate: (r) => `cio${mixedAlnum(r, 32)}`,
    severity: 'critical',
    examples: {
      positive: ['CARGO_REGISTRY_TOKEN={{gen}}', '[registry]\ntoken = "{{gen}}"', 'cargo publish --token {{gen}}'],
      negative: ['CARGO_REGISTRY_TOKEN=cio{{lower:32}}', 'const ciocalteuReagentsAreCommonlyUsedInLab = 1;', 'CARGO_REGISTRY_TOKEN=cioxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
    references: ['https://doc.rust-lang.org/cargo/reference/registry-authentication.html'],
  },
  {
    id: 'packagist-token',
    title: 'Private Packagist authentication token',
    category: 'package-registry',
    keywords: ['packagist_'],
    // packagist_<o|u><r|u|...>t_ + 60 hex random + 8 hex checksum.
    pattern: String.raw`\b(?<secret>packagist_[a-z]{3}_[a-f0-9]{68})\b`,
    prefixLength: 14,
    entropy: 3.3,
    generate: (r) => `packagist_ort_${r.chars(ALPHABETS.hex, 68)}`,
    severity: 'high',
    examples: {
      positive: [
        'composer config --global --auth http-basic.repo.packagist.com token {{gen}}',
        'COMPOSER_AUTH={"http-basic":{"repo.packagist.com":{"username":"token","password":"{{gen}}"}}}',
        'PACKAGIST_TOKEN=packagist_uut_{{hex:68}}',
      ],
      negative: ['PACKAGIST_TOKEN=packagist_ort_{{hex:30}}', 'PACKAGIST_TOKEN=packagist_ort_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'use packagist_api_client;'],
    },
    references: ['https://packagist.com/docs/composer-authentication#token-format'],
  },
  {
    id: 'cloudsmith-api-key',
    title: 'Cloudsmith API key',
    category: 'package-registry',
    keywords: ['cloudsmith_api_key', 'cloudsmith'],
    pattern: String.raw`cloudsmith[\w.-]{0,20}(?:api[_-]?key|token|key)${ASSIGN}(?<secret>[a-f0-9]{40})\b`,
    ignoreCase: true,
    entropy: 3.3,
    validate: (s) => /^[a-f0-9]{40}$/.test(s),
    generate: (r) => r.chars(ALPHABETS.hex, 40),
    severity: 'high',
    examples: {
      positive: ['CLOUDSMITH_API_KEY={{gen}}', 'cloudsmith_token: "{{gen}}"', 'export CLOUDSMITH_API_KEY="{{gen}}"'],
      negative: ['CLOUDSMITH_API_KEY=${{ secrets.CLOUDSMITH_API_KEY }}', 'CLOUDSMITH_REPO=acme/{{hex:40}}', 'cloudsmith_token: {{hex:20}}'],
    },
    references: ['https://help.cloudsmith.io/docs/api-key'],
  },
  {
    id: 'gemfury-token',
    title: 'Gemfury push or deploy token in a repository URL',
    category: 'package-registry',
    keywords: ['fury.io'],
    // https://TOKEN@push.fury.io/acme/ or https://TOKEN:@pypi.fury.io/acme/
    pattern: String.raw`https?://(?<secret>[A-Za-z0-9_-]{16,64}):?@(?:[a-z]+\.)?fury\.io\b`,
    entropy: 3.5,
    severity: 'high',
    examples: {
      positive: [
        'git remote add fury https://{{alnum:17}}7Qa@git.fury.io/acme/app.git',
        '--extra-index-url https://{{alnum:17}}3bX:@pypi.fury.io/acme/',
        'registry=https://{{alnum:17}}5Zq@npm.fury.io/acme/',
      ],
      negative: ['--extra-index-url https://${FURY_TOKEN}:@pypi.fury.io/acme/', 'https://pypi.fury.io/acme/', 'https://xxxxxxxxxxxxxxxxxxxx@push.fury.io/acme/'],
    },
    references: ['https://gemfury.com/help/tokens/'],
  },
]);
