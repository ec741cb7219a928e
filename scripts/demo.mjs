#!/usr/bin/env node
// `npm run demo`: install if needed, build, render the demo estate, and scan it with history.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const step = (text) => process.stderr.write(`\n> ${text}\n`);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  step('npm ci (first run only)');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}
step('npm run build');
run(npm, ['run', 'build', '--silent']);
step('render the demo estate (examples/demo-estate -> .demo/estate, a git repository with two commits)');
run(process.execPath, ['dist/scripts/render-demo.js']);
step('nhi scan .demo/estate --history');
const scan = spawnSync(process.execPath, ['dist/src/cli/main.js', 'scan', '.demo/estate', '--history', '--db', '.demo/nhi.db'], { cwd: root, stdio: 'inherit' });
process.stderr.write(
  `\nnhi exited with ${scan.status} (${scan.status === 1 ? 'findings at or above --fail-on high: a CI job would fail here' : scan.status === 0 ? 'nothing to report' : 'error'}).\n` +
    'Try next:  node dist/src/cli/main.js scan .demo/estate --history --format sarif -o demo.sarif\n' +
    '           node dist/src/cli/main.js findings --db .demo/nhi.db\n' +
    '           node dist/src/cli/main.js rules hardcoded-secret\n',
);
process.exit(scan.status === 1 || scan.status === 0 ? 0 : 1);
