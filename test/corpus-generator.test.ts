import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubTokenChecksumValid } from '../src/detectors/checks.js';
import { type CorpusManifest, generateCorpus } from './corpus/generate.js';

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

describe('corpus generator', () => {
  const dirs: string[] = [];
  let dir: string;
  let manifest: CorpusManifest;
  const read = (path: string): string => readFileSync(join(dir, ...path.split('/')), 'utf8');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nhi-corpus-gen-'));
    dirs.push(dir);
    manifest = generateCorpus(dir);
  });

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is deterministic for a seed and varies with the seed', () => {
    const again = mkdtempSync(join(tmpdir(), 'nhi-corpus-gen-'));
    const other = mkdtempSync(join(tmpdir(), 'nhi-corpus-gen-'));
    dirs.push(again, other);
    expect(generateCorpus(again)).toEqual(manifest);
    const files = listFiles(dir);
    expect(listFiles(again)).toEqual(files);
    for (const file of files) expect(readFileSync(join(again, file), 'utf8'), file).toBe(readFileSync(join(dir, file), 'utf8'));

    const otherManifest = generateCorpus(other, { seed: 12345 });
    // Same layout (bundle names carry a content hash, which depends on the seed); fresh values.
    const layout = (m: CorpusManifest) => m.planted.map((p) => [p.path.replace(/\.[0-9a-f]{8}\.js$/, '.HASH.js'), p.line, p.format]);
    expect(layout(otherManifest)).toEqual(layout(manifest));
    const values = new Set(manifest.planted.map((p) => p.value));
    expect(otherManifest.planted.filter((p) => values.has(p.value))).toEqual([]);
  });

  it('plants at least 45 formats, each in at least two different files', () => {
    const filesByFormat = new Map<string, Set<string>>();
    for (const p of manifest.planted) {
      const set = filesByFormat.get(p.format) ?? new Set<string>();
      set.add(p.path);
      filesByFormat.set(p.format, set);
    }
    expect(filesByFormat.size).toBeGreaterThanOrEqual(45);
    for (const [format, files] of filesByFormat) expect(files.size, `${format} planted in ${[...files].join(', ')}`).toBeGreaterThanOrEqual(2);
  });

  it('writes at least 40 decoy files that hold no planted value', () => {
    expect(manifest.decoyFiles.length).toBeGreaterThanOrEqual(40);
    const planted = new Set(manifest.planted.map((p) => p.path));
    for (const path of manifest.decoyFiles) {
      expect(planted.has(path), path).toBe(false);
      const text = read(path);
      for (const p of manifest.planted) expect(text.includes(p.value), `${path} contains planted ${p.format}`).toBe(false);
    }
    // Every file on disk is either planted or a decoy.
    expect(listFiles(dir)).toEqual([...new Set([...planted, ...manifest.decoyFiles])].sort());
  });

  it('records the 1-based line on which each value starts, one value per line', () => {
    const seen = new Set<string>();
    for (const p of manifest.planted) {
      expect(p.path).not.toMatch(/\\|^\//);
      const key = `${p.path}:${p.line}`;
      expect(seen.has(key), `two planted values on ${key}`).toBe(false);
      seen.add(key);
      const lines = read(p.path).split('\n');
      const valueLines = p.value.split('\n');
      expect(lines[p.line - 1], `${key} (${p.format})`).toContain(valueLines[0]);
      // The whole value is in the file starting on that line.
      const tail = lines.slice(p.line - 1).join('\n');
      expect(tail.indexOf(p.value), `${key} (${p.format})`).toBeGreaterThanOrEqual(0);
      expect(tail.indexOf(p.value)).toBeLessThan(lines[p.line - 1]!.length);
    }
  });

  it('plants GitHub tokens with valid checksums', () => {
    const tokens = manifest.planted.flatMap((p) => p.value.match(/\bgh[pousr]_[A-Za-z0-9]{36}\b/g) ?? []);
    expect(tokens.length).toBeGreaterThanOrEqual(8);
    for (const token of tokens) expect(githubTokenChecksumValid(token), token).toBe(true);
  });

  it('covers the languages and config formats secrets are found in', () => {
    const files = [...new Set(manifest.planted.map((p) => p.path))];
    const has = (re: RegExp) => files.some((f) => re.test(f));
    const wanted: Record<string, RegExp> = {
      python: /\.py$/, javascript: /\.js$/, typescript: /\.ts$/, go: /\.go$/, java: /\.java$/, ruby: /\.rb$/, php: /\.php$/,
      csharp: /\.cs$/, rust: /\.rs$/, shell: /\.sh$/, dockerfile: /(^|\/)Dockerfile$/, compose: /docker-compose\.ya?ml$/,
      k8sSecret: /k8s\/secret\.yaml$/, terraform: /\.tf$/, tfvars: /\.tfvars$/, dotenv: /(^|\/)\.env$/, yaml: /\.ya?ml$/, json: /\.json$/,
      toml: /\.toml$/, ini: /\.ini$/, mavenSettings: /settings\.xml$/, properties: /\.properties$/, npmrc: /\.npmrc$/, pypirc: /\.pypirc$/,
      netrc: /\.netrc$/, gitCredentials: /\.git-credentials$/, awsCredentials: /\.aws\/credentials$/, notebook: /\.ipynb$/,
      minified: /dist\/assets\/.*\.js$/, readme: /README\.md$/, workflow: /^\.github\/workflows\/.*\.ya?ml$/, dockerConfig: /\.docker\/config\.json$/,
    };
    for (const [name, re] of Object.entries(wanted)) expect(has(re), name).toBe(true);
    const secretManifest = read('deploy/k8s/secret.yaml');
    expect(secretManifest).toMatch(/kind: Secret/);
    expect(secretManifest).toMatch(/stringData:/);
    const gcp = manifest.planted.filter((p) => p.format === 'gcp-service-account-key');
    for (const p of gcp) {
      expect(p.value).toMatch(/^-----BEGIN PRIVATE KEY-----\\n[A-Za-z0-9+/=\\n]+-----END PRIVATE KEY-----\\n$/);
      expect(JSON.parse(read(p.path)).private_key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    }
    const bundles = files.filter((f) => /dist\/assets\/.*\.js$/.test(f));
    for (const b of bundles) expect(Math.max(...read(b).split('\n').map((line) => line.length)), b).toBeGreaterThan(30_000);
  });

  it('builds structurally plausible values', () => {
    const byFormat = (format: string) => manifest.planted.filter((p) => p.format === format).map((p) => p.value);
    for (const jwt of byFormat('jwt')) {
      const [header, payload, signature] = jwt.split('.');
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toHaveProperty('sub');
      expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    for (const key of byFormat('azure-storage-account-key')) expect(key).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    for (const key of byFormat('datadog-api-key')) expect(key).toMatch(/^[0-9a-f]{32}$/);
    for (const key of byFormat('digitalocean-token')) expect(key).toMatch(/^dop_v1_[0-9a-f]{64}$/);
    for (const key of byFormat('gcp-api-key')) expect(key).toMatch(/^AIza[A-Za-z0-9_-]{35}$/);
    for (const key of byFormat('aws-access-key-id')) expect(key).toMatch(/^AKIA[A-Z2-7]{16}$/);
    for (const key of byFormat('mailchimp-api-key')) expect(key).toMatch(/^[0-9a-f]{32}-us\d{1,2}$/);
    for (const key of [...byFormat('private-key-rsa'), ...byFormat('private-key-openssh'), ...byFormat('private-key-ec'), ...byFormat('private-key-pkcs8')]) {
      expect(key).toMatch(/^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END ([A-Z]+ )?PRIVATE KEY-----$/);
    }
  });

  it('commits no literal credential: the generator source holds none of the values', () => {
    const source = readFileSync(new URL('./corpus/generate.ts', import.meta.url), 'utf8');
    for (const p of manifest.planted) expect(source.includes(p.value), p.format).toBe(false);
  });
});
