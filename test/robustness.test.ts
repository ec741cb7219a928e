import { chmodSync, closeSync, mkdirSync, openSync, rmSync, symlinkSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeGithubTokens, runCli, tempDir } from './helpers/cli.js';

/**
 * The acceptance case for hostile trees: a 1 GB file, a 50 MB single line, binaries,
 * symlink loops, unreadable files and invalid UTF-8. No crash, bounded memory, a warning
 * per problem, and the rest of the scan completes.
 */
describe('hostile input', () => {
  it('scans a tree with a 1 GB file and a 50 MB line in bounded memory, warning per problem', () => {
    const root = tempDir('nhi-hostile-');
    const [inHuge, inLong, inNormal, inLatin1] = fakeGithubTokens(4, 99);

    // 1 GB of text, a credential near the end.
    const huge = openSync(join(root, 'huge.log'), 'w');
    const block = Buffer.from('2026-01-01T00:00:00Z INFO request handled in 12ms path=/api/v1/items status=200\n'.repeat(12_000));
    let written = 0;
    while (written < 1024 * 1024 * 1024) written += writeSync(huge, block);
    writeSync(huge, `GITHUB_TOKEN=${inHuge}\n`);
    closeSync(huge);

    // A 50 MB minified line with a credential in the middle.
    const half = 'var a=function(b){return b+1};'.repeat(Math.ceil((25 * 1024 * 1024) / 31));
    writeFileSync(join(root, 'bundle.min.js'), `${half}var t="${inLong}";${half}\n`);

    writeFileSync(join(root, 'app.py'), `TOKEN = "${inNormal}"\n`);
    writeFileSync(join(root, 'legacy.txt'), Buffer.concat([Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), Buffer.from(`token=${inLatin1}\n`)]));
    writeFileSync(join(root, 'image.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), Buffer.alloc(4096, 7)]));
    mkdirSync(join(root, 'sub'));
    symlinkSync('..', join(root, 'sub', 'parent'));
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    writeFileSync(join(root, 'secret-but-locked.txt'), 'x');
    chmodSync(join(root, 'secret-but-locked.txt'), 0o000);

    let r;
    try {
      r = runCli(['scan', root, '--no-store', '--format', 'json', '--no-inline-allow'], { env: { NHI_REPORT_RSS: '1' } });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    const paths = report.findings.map((f: { location: { path: string; line: number } }) => `${f.location.path}:${f.location.line}`).sort();
    expect(paths).toEqual(['app.py:1', 'bundle.min.js:1', `huge.log:${Math.ceil(written / block.length) * 12_000 + 1}`, 'legacy.txt:2'].sort());
    const warnings = report.scan.warnings.map((w: { kind: string; path: string }) => `${w.kind}:${w.path}`);
    expect(warnings).toEqual(expect.arrayContaining(['binary:image.png', 'symlink-loop:sub/parent', 'symlink-loop:loop-a', 'symlink-loop:loop-b', 'invalid-utf8:legacy.txt', 'long-line:bundle.min.js']));
    // Each warning is also on stderr for a person to read.
    expect(r.stderr).toContain('legacy.txt: not valid UTF-8');
    const rss = Number(/peak RSS (\d+) MB/.exec(r.stderr)?.[1]);
    console.log(`hostile tree (1 GB file, 50 MB line): peak RSS ${rss} MB`);
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(500);
    for (const t of [inHuge, inLong, inNormal, inLatin1]) expect(r.stdout + r.stderr).not.toContain(t);
  }, 300_000);
});
