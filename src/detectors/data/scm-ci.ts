import { githubTokenChecksumValid, githubTokenWithChecksum } from '../checks.js';
import { ALPHABETS } from '../random.js';
import { defineDetectors } from '../types.js';

export default defineDetectors([
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
]);
