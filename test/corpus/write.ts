/**
 * Writes the generated corpus to a directory so people can look at it:
 *
 *   node dist/test/corpus/write.js OUTDIR [--seed N] [--manifest FILE]
 *
 * The manifest (every planted value and where it is) is only written when asked for, and
 * never inside OUTDIR, so that scanning OUTDIR measures the corpus alone.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DEFAULT_SEED, generateCorpus } from './generate.js';

function main(argv: string[]): number {
  let outDir: string | undefined;
  let seed = DEFAULT_SEED;
  let manifestPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--seed') seed = Number(argv[++i]);
    else if (arg === '--manifest') manifestPath = argv[++i];
    else if (!arg.startsWith('-') && outDir === undefined) outDir = arg;
    else {
      process.stderr.write(`unknown argument: ${arg}\n`);
      return 2;
    }
  }
  if (!outDir || !Number.isInteger(seed)) {
    process.stderr.write('usage: node dist/test/corpus/write.js OUTDIR [--seed N] [--manifest FILE]\n');
    return 2;
  }
  const dir = resolve(outDir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    process.stderr.write(`${dir} is not empty; refusing to mix the corpus with other files\n`);
    return 2;
  }
  if (manifestPath && !relative(dir, resolve(manifestPath)).startsWith('..')) {
    process.stderr.write('the manifest must be written outside OUTDIR\n');
    return 2;
  }
  const manifest = generateCorpus(dir, { seed });
  if (manifestPath) writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const formats = new Set(manifest.planted.map((p) => p.format));
  const plantedFiles = new Set(manifest.planted.map((p) => p.path));
  process.stdout.write(
    `wrote ${plantedFiles.size + manifest.decoyFiles.length} files to ${dir}: ` +
      `${manifest.planted.length} planted credentials in ${formats.size} formats across ${plantedFiles.size} files, ` +
      `${manifest.decoyFiles.length} decoy files (seed ${seed})\n`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
