/**
 * Renders examples/demo-estate/ into a git repository: each commit-N/ folder is one
 * commit, `{{...}}` templates become freshly generated fake credentials (seeded, so the
 * demo is the same every time), and `NAME.delete` deletes NAME in that commit.
 *
 *   node dist/scripts/render-demo.js [TEMPLATES] [OUT]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { githubTokenWithChecksum } from '../src/detectors/checks.js';
import { ALPHABETS, expandTemplate, seededRandom } from '../src/detectors/random.js';
import type { RandomSource } from '../src/detectors/types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** Generators for values whose structure a plain character class cannot give. */
const GENERATORS: Record<string, (r: RandomSource, arg?: string) => string> = {
  'aws-access-key-id': (r) => `AKIA${r.chars(BASE32, 16)}`,
  'github-token': (r) => githubTokenWithChecksum('ghp_', r.chars(ALPHABETS.alnum, 30)),
  'npm-token': (r) => githubTokenWithChecksum('npm_', r.chars(ALPHABETS.alnum, 30)),
  jwt: (r) =>
    [
      b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
      b64url(JSON.stringify({ sub: `svc-reporting-${r.chars(ALPHABETS.digits, 4)}`, iss: 'https://auth.acme.test', iat: 1767225600, exp: 1830297600 })),
      r.chars(ALPHABETS.b64url, 43),
    ].join('.'),
  'base64-of': (r) => Buffer.from(r.chars(ALPHABETS.alnum, 20)).toString('base64'),
  'pem-body-escaped': (r) => Array.from({ length: 25 }, () => r.chars(ALPHABETS.b64, 64)).join('\\n'),
};

export function renderTemplate(text: string, rand: RandomSource): string {
  const named = text.replace(/\{\{([a-z][a-z0-9-]*)(?::([a-z0-9-]+))?\}\}/g, (whole, name: string, arg?: string) => {
    const gen = GENERATORS[name];
    return gen ? gen(rand, arg) : whole;
  });
  return expandTemplate(named, rand);
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...files(full));
    else out.push(full);
  }
  return out.sort();
}

export function renderDemoEstate(templates: string, out: string, seed = 2026): void {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const rand = seededRandom(seed);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Dana Developer',
    GIT_AUTHOR_EMAIL: 'dana@acme.test',
    GIT_COMMITTER_NAME: 'Dana Developer',
    GIT_COMMITTER_EMAIL: 'dana@acme.test',
  };
  const git = (args: string[], date?: string) =>
    execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
      cwd: out,
      env: date ? { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : env,
      stdio: 'pipe',
    });
  git(['init', '-q']);
  const commits = readdirSync(templates)
    .filter((d) => /^commit-\d+$/.test(d))
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));
  commits.forEach((commit, i) => {
    const dir = join(templates, commit);
    for (const file of files(dir)) {
      const rel = relative(dir, file);
      if (rel.endsWith('.delete')) {
        rmSync(join(out, rel.slice(0, -'.delete'.length)), { force: true });
        continue;
      }
      mkdirSync(dirname(join(out, rel)), { recursive: true });
      writeFileSync(join(out, rel), renderTemplate(readFileSync(file, 'utf8'), rand));
    }
    git(['add', '-A']);
    git(['commit', '-q', '-m', i === 0 ? 'Initial import of acme-payments' : 'Remove .env from the repository'], `2026-0${i + 1}-15T10:00:00Z`);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const templates = process.argv[2] ?? join(root, 'examples', 'demo-estate');
  const out = process.argv[3] ?? join(root, '.demo', 'estate');
  renderDemoEstate(templates, out);
  cpSync(join(templates, 'README.md'), join(out, '..', 'ABOUT-THE-DEMO.md'));
  process.stdout.write(`demo estate rendered in ${out}\n`);
}
