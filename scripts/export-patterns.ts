/**
 * Prints the detector regexes one per line in the syntax of ripgrep's default engine,
 * for the benchmark's "equivalent pattern set" (`rg -f FILE`).
 */
import { DETECTORS } from '../src/detectors/index.js';

export function toRipgrep(pattern: string, ignoreCase = false): string {
  const converted = pattern
    .replace(/\(\?<[A-Za-z_]\w*>/g, '(') // named groups: rg joins the patterns into one regex, where names would clash
    .replace(/\\\//g, '/'); // JS-only escape
  return ignoreCase ? `(?i)${converted}` : converted;
}

if (process.argv[1]?.endsWith('export-patterns.js')) {
  if (process.argv.includes('--keywords')) {
    // The prefilter's literals, one per line (`rg -F -i -f`).
    const keywords = new Set(DETECTORS.flatMap((d) => d.keywords.map((k) => k.toLowerCase())));
    process.stdout.write([...keywords].join('\n') + '\n');
  } else {
    for (const d of DETECTORS) process.stdout.write(`${toRipgrep(d.pattern, d.ignoreCase)}\n`);
  }
}
