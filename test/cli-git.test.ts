import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeGithubTokens, runCli, tempDir } from './helpers/cli.js';

function git(cwd: string, args: string[], date = '2026-03-01T12:00:00Z'): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Eve Engineer', GIT_AUTHOR_EMAIL: 'eve@example.test', GIT_COMMITTER_NAME: 'Eve Engineer', GIT_COMMITTER_EMAIL: 'eve@example.test', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  });
}

interface JsonFinding {
  location: { path: string; line: number; commit?: { sha: string; author?: string } };
  secret: { redacted: string };
  evidence: { inWorkingTree: boolean };
}

describe('nhi scan of git repositories', () => {
  const [removed, kept, staged] = fakeGithubTokens(3, 777);

  function repository(): { repo: string; introducing: string } {
    const repo = tempDir('nhi-cli-git-');
    git(repo, ['init', '-q']);
    writeFileSync(join(repo, 'deploy.sh'), `#!/bin/sh\nexport GH_TOKEN=${removed}\n`);
    writeFileSync(join(repo, 'app.py'), `TOKEN = "${kept}"\n`);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'add deploy script'], '2026-03-01T12:00:00Z');
    const introducing = git(repo, ['rev-parse', 'HEAD']).trim();
    writeFileSync(join(repo, 'deploy.sh'), '#!/bin/sh\nexport GH_TOKEN="$(vault read -field=token secret/gh)"\n');
    git(repo, ['commit', '-q', '-am', 'read the token from vault'], '2026-03-02T12:00:00Z');
    return { repo, introducing };
  }

  it('reports a secret added in one commit and deleted in the next, with the commit that introduced it', () => {
    const { repo, introducing } = repository();
    const plain = JSON.parse(runCli(['scan', repo, '--no-store', '--format', 'json']).stdout);
    expect(plain.findings.map((f: JsonFinding) => f.location.path)).toEqual(['app.py']);

    const r = runCli(['scan', repo, '--history', '--no-store', '--format', 'json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.scan.targets[0].connectors).toEqual(['filesystem', 'git']);
    const deploy = report.findings.find((f: JsonFinding) => f.location.path === 'deploy.sh');
    expect(deploy.location.commit).toMatchObject({ sha: introducing, author: 'Eve Engineer' });
    expect(deploy.location.line).toBe(2);
    expect(deploy.evidence.inWorkingTree).toBe(false);
    // The secret still in the tree is one finding, located in the tree.
    const app = report.findings.filter((f: JsonFinding) => f.location.path === 'app.py');
    expect(app).toHaveLength(1);
    expect(app[0].location.commit).toBeUndefined();
    expect(r.stdout + r.stderr).not.toContain(removed);

    // The same through SARIF: the commit travels in the result's properties.
    const sarif = JSON.parse(runCli(['scan', repo, '--history', '--no-store', '--format', 'sarif']).stdout);
    const result = sarif.runs[0].results.find((x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => x.locations[0]!.physicalLocation.artifactLocation.uri === 'deploy.sh');
    expect(result.properties.commit).toBe(introducing);
  });

  it('scans a bare clone by its history', () => {
    const { repo, introducing } = repository();
    const bare = join(tempDir('nhi-bare-'), 'mirror.git');
    execFileSync('git', ['clone', '-q', '--bare', repo, bare]);
    const report = JSON.parse(runCli(['scan', bare, '--history', '--no-store', '--format', 'json']).stdout);
    expect(report.scan.targets[0].connectors).toEqual(['git']);
    expect(report.findings.map((f: JsonFinding) => [f.location.path, f.location.commit?.sha])).toEqual(
      expect.arrayContaining([['deploy.sh', introducing], ['app.py', introducing]]),
    );
  });

  it('--staged reports only what is about to be committed (pre-commit)', () => {
    const { repo } = repository();
    writeFileSync(join(repo, 'new.env'), `GH_TOKEN=${staged}\n`);
    git(repo, ['add', 'new.env']);
    const r = runCli(['scan', repo, '--staged', '--no-store', '--format', 'json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: JsonFinding) => f.location.path)).toEqual(['new.env']);
    git(repo, ['reset', '-q', 'new.env']);
    rmSync(join(repo, 'new.env'));
    expect(runCli(['scan', repo, '--staged', '--no-store']).status).toBe(0);
  });

  it('--since scans only the commits of a branch, and an unknown ref is a warning', () => {
    const { repo } = repository();
    git(repo, ['checkout', '-q', '-b', 'feature']);
    writeFileSync(join(repo, 'feature.ts'), `export const t = "${staged}";\n`);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'feature'], '2026-03-03T12:00:00Z');
    const report = JSON.parse(runCli(['scan', repo, '--since', 'main', '--no-store', '--format', 'json']).stdout);
    // Diff-only: the branch's commit, not the secrets already on main nor the rest of the working tree.
    expect(report.scan.targets[0].connectors).toEqual(['git']);
    expect(report.findings.map((f: JsonFinding) => f.location.path)).toEqual(['feature.ts']);
    expect(report.findings[0].location.commit).toBeDefined();
    const bad = runCli(['scan', repo, '--since', 'no-such-ref', '--no-store', '--format', 'json']);
    expect(JSON.parse(bad.stdout).scan.warnings.map((w: { kind: string }) => w.kind)).toContain('git-error');
  });

  it('finds secrets in history through worker threads, in small and large blobs, delta-scanned versions included', () => {
    const repo = tempDir('nhi-cli-git-big-');
    git(repo, ['init', '-q']);
    const [small, big, edit] = fakeGithubTokens(3, 4242);
    const prose = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i}: release notes, nothing to see`).join('\n') + '\n';
    // Many small files (copied into batches) and one large file (handed over whole).
    for (let i = 0; i < 150; i++) writeFileSync(join(repo, `note-${i}.md`), prose(5, `note ${i}`));
    writeFileSync(join(repo, 'small.env'), `GH_TOKEN=${small}\n`);
    writeFileSync(join(repo, 'CHANGELOG.md'), `${prose(3000, 'old')}GITHUB_TOKEN=${big}\n${prose(1000, 'tail')}`);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'initial'], '2026-03-01T12:00:00Z');
    // A later version of the large file: scanned as a delta against the first.
    writeFileSync(join(repo, 'CHANGELOG.md'), `${prose(3000, 'old')}GITHUB_TOKEN=${big}\n${prose(500, 'tail')}token: ${edit}\n${prose(500, 'more')}`);
    git(repo, ['commit', '-q', '-am', 'edit'], '2026-03-02T12:00:00Z');
    const second = git(repo, ['rev-parse', 'HEAD']).trim();
    rmSync(join(repo, 'CHANGELOG.md'));
    rmSync(join(repo, 'small.env'));
    git(repo, ['commit', '-q', '-am', 'remove'], '2026-03-03T12:00:00Z');
    const r = runCli(['scan', repo, '--history', '--no-store', '--format', 'json', '--jobs', '2']);
    const found = JSON.parse(r.stdout).findings.map((f: JsonFinding) => [f.location.path, f.location.line, f.secret.redacted.slice(-4)]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['small.env', 1, small!.slice(-4)],
        ['CHANGELOG.md', 3001, big!.slice(-4)],
        ['CHANGELOG.md', 3502, edit!.slice(-4)],
      ]),
    );
    expect(found).toHaveLength(3);
    const editFinding = JSON.parse(r.stdout).findings.find((f: JsonFinding) => f.location.line === 3502);
    expect(editFinding.location.commit.sha).toBe(second);
    // A large staged blob (nobody else keeps it: handed to the worker without a copy).
    writeFileSync(join(repo, 'big.log'), `${prose(4000, 'log')}GH_TOKEN=${small}\n`);
    git(repo, ['add', 'big.log']);
    const staged = JSON.parse(runCli(['scan', repo, '--staged', '--no-store', '--format', 'json', '--jobs', '2']).stdout);
    expect(staged.findings.map((f: JsonFinding) => [f.location.path, f.location.line])).toEqual([['big.log', 4001]]);
  });
});
