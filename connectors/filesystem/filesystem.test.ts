import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import type { ConnectorContext } from '../../src/core/connector.js';
import type { ScanWarning, SecretOccurrence } from '../../src/core/model.js';
import { ScanPool } from '../../src/scan/pool.js';
import { fakeGithubTokens, tempDir } from '../../test/helpers/cli.js';
import { filesystemConnector, walk, walkShared } from './index.js';

const keys = { store: Buffer.from('store'), fingerprint: Buffer.from('fp') };

async function collect(root: string, maxFileSize = Infinity) {
  const warnings: ScanWarning[] = [];
  let files = 0;
  const pool = new ScanPool(keys, 0);
  const ctx: ConnectorContext = { keys, pool, now: new Date(), config: DEFAULT_CONFIG, options: { history: false, staged: false, maxFileSize }, warn: (w) => warnings.push(w), count: (_b, f = 0) => (files += f) };
  const occurrences: SecretOccurrence[] = [];
  for await (const item of filesystemConnector.collect({ root, display: root }, ctx)) if (item.kind === 'occurrence') occurrences.push(item.value);
  await pool.close();
  return { occurrences, warnings, files };
}

describe('filesystem connector', () => {
  it('honours .gitignore (nested) and .nhiignore, and skips .git', async () => {
    const root = tempDir();
    const [t1, t2, t3, t4, t5] = fakeGithubTokens(5);
    writeFileSync(join(root, '.gitignore'), 'ignored.txt\nbuild/\n');
    writeFileSync(join(root, '.nhiignore'), 'fixtures/**\n');
    mkdirSync(join(root, 'build'));
    mkdirSync(join(root, 'fixtures'));
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'ignored.txt'), `t=${t1}\n`);
    writeFileSync(join(root, 'build', 'out.js'), `t="${t2}"\n`);
    writeFileSync(join(root, 'fixtures', 'f.json'), `{"t":"${t3}"}\n`);
    writeFileSync(join(root, '.git', 'config'), `t=${t4}\n`);
    writeFileSync(join(root, 'src', '.gitignore'), 'local.env\n');
    writeFileSync(join(root, 'src', 'local.env'), `T=${t4}\n`);
    writeFileSync(join(root, 'src', 'deep', 'app.py'), `\n\nTOKEN = "${t5}"\n`);
    const paths: string[] = [];
    for await (const e of walk(root, { warn: () => {} })) paths.push(e.path);
    expect(paths.sort()).toEqual(['.gitignore', '.nhiignore', 'src/.gitignore', 'src/deep/app.py']);
    const { occurrences } = await collect(root);
    expect(occurrences.map((o) => [o.location.path, o.location.line, o.location.column])).toEqual([['src/deep/app.py', 3, 10]]);
  });

  it('warns about symlink loops, binaries, unreadable files and invalid UTF-8, and scans the rest', async () => {
    const root = tempDir();
    const [t1, t2] = fakeGithubTokens(2, 7);
    mkdirSync(join(root, 'a'));
    symlinkSync('..', join(root, 'a', 'up'));
    symlinkSync('missing-target', join(root, 'dangling'));
    writeFileSync(join(root, 'blob.bin'), Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(t1!)]));
    writeFileSync(join(root, 'latin1.txt'), Buffer.concat([Buffer.from('caf\xe9 = 1\ntoken: ', 'latin1'), Buffer.from(`${t2}\n`)]));
    const locked = join(root, 'locked.txt');
    writeFileSync(locked, 'nothing');
    chmodSync(locked, 0o000);
    const { occurrences, warnings } = await collect(root);
    const kinds = warnings.map((w) => `${w.kind}:${w.path}`).sort();
    expect(kinds).toContain('symlink-loop:a/up');
    expect(kinds).toContain('unreadable:dangling');
    expect(kinds).toContain('binary:blob.bin');
    expect(kinds).toContain('invalid-utf8:latin1.txt');
    if (process.getuid?.() !== 0) expect(kinds).toContain('unreadable:locked.txt'); // root reads anything
    expect(occurrences.map((o) => o.location.path)).toEqual(['latin1.txt']);
    expect(JSON.stringify({ occurrences, warnings })).not.toContain(t2);
  });

  it('streams a large file with a very long line and reports correct line numbers after it', async () => {
    const root = tempDir();
    const [t1, t2] = fakeGithubTokens(2, 9);
    const longLine = 'x'.repeat(20 * 1024 * 1024); // longer than the whole-file limit: streamed
    writeFileSync(join(root, 'big.min.js'), `a\nvar k="${t1}";${longLine}\nb\nc\nconst t = "${t2}";\n`);
    const { occurrences, warnings } = await collect(root);
    expect(occurrences.map((o) => [o.location.line, o.redacted.slice(0, 4)])).toEqual([
      [2, 'ghp_'],
      [5, 'ghp_'],
    ]);
    expect(warnings.map((w) => w.kind)).toContain('long-line');
  });

  it('skips files over --max-file-size with a warning', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'big.txt'), 'y'.repeat(3000));
    const { warnings } = await collect(root, 1000);
    expect(warnings).toEqual([expect.objectContaining({ kind: 'too-large', path: 'big.txt' })]);
  });

  it('scans a single file given as the target', async () => {
    const root = tempDir();
    const [t] = fakeGithubTokens(1, 11);
    const file = join(root, 'one.env');
    writeFileSync(file, `GH=${t}\n`);
    const { occurrences } = await collect(file);
    expect(occurrences.map((o) => o.location.path)).toEqual(['one.env']);
  });
});

describe('credential containers', () => {
  it('decodes base64 data of Kubernetes Secrets and reports the line of the encoded value', async () => {
    const root = tempDir();
    const [token] = fakeGithubTokens(1, 21);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    writeFileSync(
      join(root, 'secret.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'data:',
        '  greeting: aGVsbG8=',
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: ci',
        'type: Opaque',
        'data:',
        `  GITHUB_TOKEN: ${b64(token!)}`,
        `  DB_PASSWORD: ${b64('Zx8#qLm2!vR7pT4w')}`,
        `  username: ${b64('deploy')}`,
        '',
      ].join('\n'),
    );
    const { occurrences } = await collect(root);
    const found = occurrences.map((o) => [o.detectorId, o.location.line]).sort();
    expect(found).toEqual([
      ['generic-password', 13],
      ['github-pat-classic', 12],
    ]);
  });
});

describe('walkShared', () => {
  it('walks a folder once per scan: later walks of the same scan list it from memory, a new scan walks again', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'a');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'b.txt'), 'b');
    const options = { history: false, staged: false, maxFileSize: Infinity };
    const ctx = { warn: () => {} };
    const list = async (opts: typeof options) => {
      const out: string[] = [];
      for await (const e of walkShared(dir, opts, ctx)) out.push(`${e.path}=${e.absPath === join(dir, e.path)}`);
      return out;
    };
    const first = await list(options);
    expect(first).toEqual(['a.txt=true', 'sub/b.txt=true']);
    expect(first.map((e) => e.split('=')[0])).toEqual(await (async () => {
      const plain: string[] = [];
      for await (const e of walk(dir, ctx)) plain.push(e.path);
      return plain;
    })());
    writeFileSync(join(dir, 'c.txt'), 'c');
    // The same scan: the recorded list, not the disk.
    expect(await list(options)).toEqual(first);
    // Another scan sees the new file.
    expect(await list({ ...options })).toEqual(['a.txt=true', 'c.txt=true', 'sub/b.txt=true']);
  });
});
