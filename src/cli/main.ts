#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { RULES, ruleById } from '../../rules/index.js';
import { loadConfig } from '../core/config.js';
import { loadKeys } from '../core/hash.js';
import { EXIT, SEVERITIES, SEVERITY, isSeverity, type Severity } from '../core/severity.js';
import { DETECTORS } from '../detectors/index.js';
import { OWASP_NHI } from '../engine/rule.js';
import { baselineFile, readBaseline } from '../report/baseline.js';
import { jsonReport, toPublicFinding } from '../report/json.js';
import { findingLocator } from '../report/locate.js';
import { decideOutcome } from '../report/outcome.js';
import { sarifReport } from '../report/sarif.js';
import { painter, tableReport } from '../report/table.js';
import { runScan, UsageError, type ScanResult } from '../scan/run.js';
import { defaultDbPath, keyFileFor } from '../store/paths.js';
import { Store } from '../store/store.js';
import { TOOL } from '../version.js';

const useColour = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

function parseSeverity(value: string): Severity {
  if (!isSeverity(value)) throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}`);
  return value;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}

interface ScanFlags {
  config?: string;
  history?: boolean;
  since?: string;
  staged?: boolean;
  format: 'table' | 'json' | 'sarif';
  output?: string;
  failOn: Severity;
  baseline?: string;
  inlineAllow: boolean;
  db?: string;
  store: boolean;
  maxFileSize?: number;
  jobs?: number;
  aws?: boolean;
  awsProfile?: string;
}

function addScanOptions(cmd: Command): Command {
  return cmd
    .option('--history', 'also scan every commit of every ref when a path is a git repository (bare or not)')
    .option('--since <ref>', 'scan only commits reachable from HEAD and not from <ref> (pull requests)')
    .option('--staged', 'scan only the staged changes of a git repository (pre-commit)')
    .option('--max-file-size <MB>', 'skip files larger than this, with a warning (default: no limit, large files are streamed)', parsePositiveInt)
    .option('-j, --jobs <n>', 'worker threads (default: one per core)', parsePositiveInt)
    .option('--aws', 'also collect AWS IAM live, read-only, through the AWS SDK (standard credential chain; more accounts: aws.assumeRoles in the config)')
    .option('--aws-profile <name>', 'the AWS profile to use (implies --aws)')
    .option('--no-inline-allow', 'ignore `nhi:allow` comments (for CI)')
    .option('--db <path>', `database file (default ${defaultDbPath()}, or NHI_DB)`)
    .option('-c, --config <file>', 'settings file (default: nhi.config.yml in the current folder, when present)');
}

function progress(files: number, bytes: number): void {
  process.stderr.write(`\r\x1b[Kscanning… ${files} files, ${(bytes / 1e6).toFixed(1)} MB`);
}

async function scanCommand(paths: string[], flags: ScanFlags, store?: Store): Promise<{ scan: ScanResult; dbPath: string }> {
  const dbPath = flags.db ?? defaultDbPath();
  const keys = loadKeys(keyFileFor(dbPath));
  const tty = process.stderr.isTTY === true;
  const live = Boolean(flags.aws || flags.awsProfile);
  let config;
  try {
    config = flags.config ? loadConfig(flags.config, true) : loadConfig();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const scan = await runScan({
    config,
    // `nhi scan --aws` alone scans the account(s), not the current folder.
    paths: paths.length || live ? paths : ['.'],
    options: {
      history: Boolean(flags.history || flags.since),
      since: flags.since,
      staged: Boolean(flags.staged),
      maxFileSize: flags.maxFileSize ? flags.maxFileSize * 1024 * 1024 : Infinity,
      ...(live ? { aws: flags.awsProfile ? { profile: flags.awsProfile } : {} } : {}),
    },
    keys,
    jobs: flags.jobs,
    onProgress: tty ? progress : undefined,
    ...(store ? { recall: (inventory) => store.recall(inventory) } : {}),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  reportWarnings(scan);
  return { scan, dbPath };
}

function reportWarnings(scan: ScanResult): void {
  const paint = painter(useColour(process.stderr));
  let binaries = 0;
  for (const w of scan.warnings) {
    if (w.kind === 'binary') {
      binaries++;
      continue;
    }
    process.stderr.write(`${paint('yellow', 'warning')} [${w.source}/${w.kind}] ${w.path ?? ''}: ${w.message}\n`);
  }
  if (binaries) process.stderr.write(`${paint('dim', `${binaries} binary file(s) skipped (listed in the JSON report)`)}\n`);
}

function emit(text: string, output?: string): void {
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
}

export function buildProgram(): Command {
  const program = new Command('nhi')
    .description('Audit non-human identities and their credentials: hard-coded secrets in code and git history, and more.')
    .version(TOOL.version)
    .showHelpAfterError()
    .exitOverride();

  addScanOptions(
    program
      .command('scan')
      .description('scan folders, files and git repositories; exit 1 when a finding at or above --fail-on remains')
      .argument('[paths...]', 'folders, files or git repositories (default: .)'),
  )
    .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'sarif']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', `exit 1 when a finding at or above this severity remains (${SEVERITIES.join('|')})`, parseSeverity, 'high' as Severity)
    .option('--baseline <file>', 'ignore findings whose fingerprints are in this file (from `nhi baseline create` or a JSON report)')
    .option('--no-store', 'do not record the scan in the database')
    .action(async (paths: string[], flags: ScanFlags) => {
      const baseline = flags.baseline ? readBaseline(flags.baseline) : undefined;
      // The store is opened first: joins across scans (leaked-live-credential) recall from it.
      const store = flags.store ? new Store(flags.db ?? defaultDbPath()) : undefined;
      let outcome;
      try {
        const { scan } = await scanCommand(paths, flags, store);
        outcome = decideOutcome(scan, { failOn: flags.failOn, baseline, inlineAllow: flags.inlineAllow });
        // Findings about identities are stored with where the scanned export defines them, as the reports show them.
        const locate = findingLocator(scan.inventory);
        store?.saveScan(
          scan,
          outcome.findings.map((f) => {
            const at = locate(f);
            return at === f.location ? f : { ...f, location: at };
          }),
        );
      } finally {
        store?.close();
      }
      const text =
        flags.format === 'json'
          ? jsonReport(outcome)
          : flags.format === 'sarif'
            ? sarifReport(outcome, RULES)
            : tableReport(outcome, painter(!flags.output && useColour(process.stdout)));
      emit(text, flags.output);
      if (flags.output) process.stderr.write(`${outcome.findings.length} finding(s); report written to ${flags.output}\n`);
      process.exitCode = outcome.failed ? EXIT.findings : EXIT.ok;
    });

  program
    .command('findings')
    .description('show findings recorded in the database (latest scan by default)')
    .option('--db <path>', 'database file')
    .option('--scan <id>', 'a scan id (or its prefix); default the latest')
    .option('--new', 'only findings that were not in the previous scan of the same targets')
    .option('--resolved', 'only findings of the previous scan of the same targets that are gone')
    .option('--severity <severity>', 'at or above this severity', parseSeverity)
    .option('--rule <id>', 'only this rule')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((flags: { db?: string; scan?: string; new?: boolean; resolved?: boolean; severity?: Severity; rule?: string; format: string }) => {
      const store = new Store(flags.db ?? defaultDbPath());
      try {
        const scan = flags.scan ? store.getScan(flags.scan) : store.latestScan();
        if (!scan) throw new UsageError(flags.scan ? `no scan ${flags.scan} in the database` : 'the database has no scans yet; run `nhi scan` first');
        const diff = store.diff(scan);
        let list = flags.new ? diff.new : flags.resolved ? diff.resolved : diff.open;
        if (flags.severity) list = list.filter((f) => SEVERITY[f.severity].rank >= SEVERITY[flags.severity!].rank);
        if (flags.rule) list = list.filter((f) => f.ruleId === flags.rule);
        if (flags.format === 'json') {
          const findings = list.map((f) => ({ ...toPublicFinding(f), firstSeenAt: f.firstSeenAt, lastSeenAt: f.lastSeenAt }));
          emit(JSON.stringify({ schemaVersion: 1, scan, counts: { open: diff.open.length, new: diff.new.length, resolved: diff.resolved.length }, findings }, null, 2) + '\n');
          return;
        }
        const paint = painter(useColour(process.stdout));
        const lines = list.map((f) => {
          const where = [f.location ? `${f.location.path}:${f.location.line}` : '', f.resource?.id ?? ''].filter(Boolean).join('  ');
          return `${paint(SEVERITY[f.severity].colour, f.severity.toUpperCase().padEnd(8))} ${f.ruleId}  ${where}  ${f.secret ? paint('dim', f.secret.redacted) : ''}  ${paint('dim', `first seen ${f.firstSeenAt.slice(0, 10)}`)}`;
        });
        lines.push(`scan ${scan.id.slice(0, 8)} (${scan.startedAt}) of ${scan.targets.join(', ')}: ${diff.open.length} open, ${diff.new.length} new, ${diff.resolved.length} resolved since the previous scan`);
        emit(lines.join('\n') + '\n');
      } finally {
        store.close();
      }
    });

  program
    .command('scans')
    .description('list recorded scans')
    .option('--db <path>', 'database file')
    .option('-n, --limit <n>', 'how many', parsePositiveInt, 20)
    .action((flags: { db?: string; limit: number }) => {
      const store = new Store(flags.db ?? defaultDbPath());
      try {
        for (const s of store.listScans(flags.limit)) {
          emit(`${s.id.slice(0, 8)}  ${s.startedAt}  ${String(s.findingCount).padStart(5)} findings  ${s.files} files  ${s.targets.join(', ')}\n`);
        }
      } finally {
        store.close();
      }
    });

  program
    .command('rules')
    .description('list rules, or show one rule’s documentation')
    .argument('[id]', 'rule id')
    .option('--detectors', 'list the secret detectors (credential types) instead')
    .action((id: string | undefined, flags: { detectors?: boolean }) => {
      if (flags.detectors) {
        for (const d of DETECTORS) emit(`${d.id.padEnd(40)} ${d.category.padEnd(17)} ${(d.severity ?? 'high').padEnd(9)} ${d.title}\n`);
        emit(`${DETECTORS.length} detectors\n`);
        return;
      }
      if (!id) {
        for (const r of RULES) emit(`${r.id.padEnd(32)} ${r.severity.padEnd(9)} ${(r.owasp ?? '').padEnd(11)} ${r.title}\n`);
        return;
      }
      const rule = ruleById(id);
      if (!rule) throw new UsageError(`no rule ${id}; \`nhi rules\` lists them`);
      const lines = [
        `${rule.id} — ${rule.title}`,
        `severity: ${rule.severity}${rule.owasp ? `    OWASP NHI Top 10: ${rule.owasp} ${OWASP_NHI[rule.owasp]}` : ''}`,
        '',
        rule.description,
        '',
        'How to fix:',
        rule.remediation.summary,
        ...rule.remediation.steps.map((s, i) => `  ${i + 1}. ${s}`),
        ...(rule.remediation.commands?.length ? ['', 'Commands:', ...rule.remediation.commands.map((c) => `  ${c}`)] : []),
        '',
        'References:',
        ...rule.references.map((r) => `  ${r}`),
      ];
      emit(lines.join('\n') + '\n');
    });

  const baseline = program.command('baseline').description('manage baselines (known findings to ignore)');
  addScanOptions(
    baseline
      .command('create')
      .description('scan and write every current finding’s fingerprint to a baseline file')
      .argument('[paths...]', 'folders, files or git repositories (default: .)'),
  )
    .option('-o, --output <file>', 'baseline file', '.nhi-baseline.json')
    .action(async (paths: string[], flags: ScanFlags) => {
      const { scan } = await scanCommand(paths, { ...flags, format: 'json', failOn: 'info', store: false });
      const outcome = decideOutcome(scan, { failOn: 'info', inlineAllow: flags.inlineAllow });
      writeFileSync(flags.output!, baselineFile(outcome.findings, scan.finishedAt));
      process.stderr.write(`baseline of ${outcome.findings.length} finding(s) written to ${flags.output}\n`);
    });

  return program;
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other parse problem is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? EXIT.ok : EXIT.error;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`nhi: ${error instanceof UsageError ? '' : 'error: '}${message}\n`);
    if (process.env.NHI_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT.error;
  }
}

// `nhi scan | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw error;
});

const code = await main();
process.exitCode = code;
if (process.env.NHI_REPORT_RSS) {
  // Peak resident memory of the whole process (all worker threads), for tests and benchmarks.
  process.on('exit', () => process.stderr.write(`nhi: peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`));
}
