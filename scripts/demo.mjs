#!/usr/bin/env node
// `npm run demo`: install if needed, build, render the demo estate, and scan its code (with history)
// and its AWS account export together, so that leaked keys are joined to live ones.
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
step('render the demo estate (examples/demo-estate -> .demo/estate, a git repository with two commits, and .demo/aws, an AWS account export)');
run(process.execPath, ['dist/scripts/render-demo.js']);
// A CLI that cannot even load exits 1 like a scan with findings: tell the two apart first.
const probe = spawnSync(process.execPath, ['dist/src/cli/main.js', '--version'], { cwd: root, encoding: 'utf8' });
if (probe.status !== 0) {
  process.stderr.write(`\nthe built CLI does not start:\n${probe.stderr}`);
  process.exit(1);
}
step('nhi scan .demo/estate .demo/aws --history');
const scan = spawnSync(process.execPath, ['dist/src/cli/main.js', 'scan', '.demo/estate', '.demo/aws', '--history', '--db', '.demo/nhi.db'], { cwd: root, stdio: 'inherit' });
process.stderr.write(
  `\nnhi exited with ${scan.status} (${scan.status === 1 ? 'findings at or above --fail-on high: a CI job would fail here' : scan.status === 0 ? 'nothing to report' : 'error'}).\n` +
    'Try next:  node dist/src/cli/main.js scan .demo/estate .demo/aws --history --format json -o demo.json\n' +
    '           node dist/src/cli/main.js scan .demo/estate --history --format sarif -o demo.sarif\n' +
    '           node dist/src/cli/main.js findings --db .demo/nhi.db\n' +
    '           node dist/src/cli/main.js rules leaked-live-credential\n',
);
process.exit(scan.status === 1 || scan.status === 0 ? 0 : 1);
