/**
 * Renders examples/demo-estate/ into OUT:
 * - OUT/estate: a git repository; each commit-N/ folder is one commit, and `NAME.delete`
 *   deletes NAME in that commit;
 * - OUT/aws: the AWS account export of aws/ (what `aws iam get-account-authorization-details`,
 *   the credential report and `aws iam list-access-keys` print), beside the code, as a team
 *   would keep it.
 * `{{...}}` templates become freshly generated fake credentials (seeded, so the demo is the same
 * every time) and dates relative to the render time (so the AWS rules report the same on any day).
 *
 *   node dist/scripts/render-demo.js [TEMPLATES] [OUT]
 *
 * Templates, in one render:
 * - `{{kind:N}}` N random characters of a class (hex, alnum, b64, digits..., src/detectors/random.ts);
 * - `{{name}}` a fresh value from GENERATORS below (`aws-access-key-id`, `github-token`, `jwt`...);
 * - `{{name:key}}` the same, but one value per key: every `{{aws-access-key-id:ci-deploy}}`
 *   (in the code and in the export) is the same key id;
 * - `{{days-ago:N}}` the render time minus N days, as the AWS CLI prints dates
 *   (`2025-01-01T00:00:00+00:00`).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { githubTokenWithChecksum } from '../src/detectors/checks.js';
import { ALPHABETS, expandTemplate, seededRandom } from '../src/detectors/random.js';
import type { RandomSource } from '../src/detectors/types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const b64url = (text: string) => Buffer.from(text).toString('base64url');
const DAY_MS = 86_400_000;

/** What one render shares between files: its clock, keyed values, and a record of what it generated. */
export interface RenderContext {
  /** The render time, for `{{days-ago:N}}`. */
  now: Date;
  /** `name:key` → value, so `{{name:key}}` is one value wherever it appears. */
  keyed: Map<string, string>;
  /** Every generated value, in order (for tests: which strings must never appear in a report). */
  generated: GeneratedValue[];
}

export interface GeneratedValue {
  /** The template that produced it (`github-token`, `alnum:20`, `aws-access-key-id:ci-deploy`...). */
  template: string;
  value: string;
  /**
   * False for values that are public by nature and that reports may show in full: AWS access key
   * ids (identifiers, the join between a leak and the inventory) and dates.
   */
  secret: boolean;
}

export function newRenderContext(now = new Date()): RenderContext {
  return { now, keyed: new Map(), generated: [] };
}

/** `2025-01-01T00:00:00+00:00`, the AWS CLI's and the credential report's form of a date (whole seconds, UTC). */
export function awsDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Generators for values whose structure a plain character class cannot give. */
const GENERATORS: Record<string, (r: RandomSource, arg: string | undefined, ctx: RenderContext) => string> = {
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
  'days-ago': (_r, arg, ctx) => {
    if (!arg || !/^\d+$/.test(arg)) throw new Error(`{{days-ago:N}} needs a number of days, got ${arg ?? 'nothing'}`);
    return awsDate(new Date(Math.floor(ctx.now.getTime() / 1000) * 1000 - Number(arg) * DAY_MS));
  },
};

/** Generated values that are not secrets (see GeneratedValue.secret). */
const PUBLIC_VALUES = new Set(['aws-access-key-id', 'days-ago']);

/** A random source that records each value it hands out under `template()`. */
function recording(rand: RandomSource, ctx: RenderContext, template: () => string, secret: boolean): RandomSource {
  return {
    int: (n) => rand.int(n),
    chars(alphabet, length) {
      const value = rand.chars(alphabet, length);
      ctx.generated.push({ template: template(), value, secret });
      return value;
    },
  };
}

export function renderTemplate(text: string, rand: RandomSource, ctx: RenderContext = newRenderContext()): string {
  const named = text.replace(/\{\{([a-z][a-z0-9-]*)(?::([a-z0-9-]+))?\}\}/g, (whole, name: string, arg?: string) => {
    const gen = GENERATORS[name];
    if (!gen) return whole;
    const template = arg === undefined ? name : `${name}:${arg}`;
    const known = arg === undefined ? undefined : ctx.keyed.get(template);
    if (known !== undefined) return known;
    const secret = !PUBLIC_VALUES.has(name);
    // The parts are recorded too: the decoded value inside `base64-of`, a token's body.
    const value = gen(recording(rand, ctx, () => `${template} (part)`, secret), arg, ctx);
    ctx.generated.push({ template, value, secret });
    if (arg !== undefined) ctx.keyed.set(template, value);
    return value;
  });
  // expandTemplate draws once per `{{kind:N}}`, left to right: record each under its template.
  const kinds = [...named.matchAll(/\{\{\w+(?::\d+)?\}\}/g)].map((m) => m[0].slice(2, -2));
  let i = 0;
  return expandTemplate(named, recording(rand, ctx, () => kinds[i++] ?? 'chars', true));
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

export interface RenderedDemo {
  /** The git repository (OUT/estate). */
  repo: string;
  /** The AWS account export (OUT/aws), when the templates have one. */
  aws?: string;
  /** Every value generated for this render (RenderContext.generated). */
  generated: GeneratedValue[];
}

/**
 * Renders the templates into `out/estate` (a git repository) and `out/aws` (the AWS export),
 * replacing both; other files in `out` (the demo's database) are left alone. The code is rendered
 * first, so keyed values first drawn there keep the code's values the same whether or not an export
 * follows.
 */
export function renderDemoEstate(templates: string, out: string, options: { seed?: number; now?: Date } = {}): RenderedDemo {
  const repo = join(out, 'estate');
  const awsOut = join(out, 'aws');
  rmSync(repo, { recursive: true, force: true });
  rmSync(awsOut, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  const rand = seededRandom(options.seed ?? 2026);
  const ctx = newRenderContext(options.now);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Dana Developer',
    GIT_AUTHOR_EMAIL: 'dana@acme.test',
    GIT_COMMITTER_NAME: 'Dana Developer',
    GIT_COMMITTER_EMAIL: 'dana@acme.test',
  };
  const git = (args: string[], date?: string) =>
    execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
      cwd: repo,
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
        rmSync(join(repo, rel.slice(0, -'.delete'.length)), { force: true });
        continue;
      }
      mkdirSync(dirname(join(repo, rel)), { recursive: true });
      writeFileSync(join(repo, rel), renderTemplate(readFileSync(file, 'utf8'), rand, ctx));
    }
    git(['add', '-A']);
    git(['commit', '-q', '-m', i === 0 ? 'Initial import of acme-payments' : 'Remove .env from the repository'], `2026-0${i + 1}-15T10:00:00Z`);
  });

  const awsTemplates = join(templates, 'aws');
  if (!existsSync(awsTemplates)) return { repo, generated: ctx.generated };
  for (const file of files(awsTemplates)) {
    const rel = relative(awsTemplates, file);
    mkdirSync(dirname(join(awsOut, rel)), { recursive: true });
    writeFileSync(join(awsOut, rel), renderTemplate(readFileSync(file, 'utf8'), rand, ctx));
  }
  return { repo, aws: awsOut, generated: ctx.generated };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const templates = process.argv[2] ?? join(root, 'examples', 'demo-estate');
  const out = process.argv[3] ?? join(root, '.demo');
  const demo = renderDemoEstate(templates, out);
  cpSync(join(templates, 'README.md'), join(out, 'ABOUT-THE-DEMO.md'));
  process.stdout.write(`demo estate rendered: code in ${relative(process.cwd(), demo.repo) || '.'}${demo.aws ? `, AWS export in ${relative(process.cwd(), demo.aws)}` : ''}\n`);
}
