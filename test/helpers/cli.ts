import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { githubTokenWithChecksum } from '../../src/detectors/checks.js';
import { ALPHABETS, seededRandom } from '../../src/detectors/random.js';

/** The built CLI (`npm test` compiles before vitest runs). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', NHI_HASH_KEY: 'test-store-key', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'nhi-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Valid-checksum fake GitHub tokens, deterministic per seed. */
export function fakeGithubTokens(count: number, seed = 42, prefix = 'ghp_'): string[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => githubTokenWithChecksum(prefix, rand.chars(ALPHABETS.alnum, 30)));
}
