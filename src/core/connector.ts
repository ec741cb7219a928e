import type { NhiConfig } from './config.js';
import type { HashKeys } from './hash.js';
import type { Credential, Grant, Identity, ScanWarning, SecretOccurrence } from './model.js';
import type { ScanPool } from '../scan/pool.js';

/**
 * One thing named on the command line: a folder, a file, or a git repository (bare or not);
 * or, with `live`, a provider's API (`--aws`), collected by the connectors of that provider only.
 */
export interface ScanTarget {
  /** Absolute path (for a live target, a label such as `aws:default`). */
  root: string;
  /** As the user wrote it, for messages. */
  display: string;
  live?: 'aws';
}

export interface ScanOptions {
  /** Scan every commit of every ref when a target is a git repository. */
  history: boolean;
  /** Only commits reachable from HEAD and not from this ref (pull requests). Implies history of that range. */
  since?: string;
  /** Only what is staged in the index (pre-commit). */
  staged: boolean;
  /** Files larger than this are skipped with a warning (default: no limit; huge files are streamed). */
  maxFileSize: number;
  /** Collect AWS IAM live through the SDK (`--aws`): the standard credential chain, or this profile. */
  aws?: { profile?: string };
}

export interface ConnectorContext {
  keys: HashKeys;
  pool: ScanPool;
  options: ScanOptions;
  /** The scan's clock: injectable so rule and connector tests are deterministic. */
  now: Date;
  /** Settings (nhi.config.yml): owner tag keys, live-mode accounts... */
  config: NhiConfig;
  warn(warning: ScanWarning): void;
  /** Counts scanned bytes and files for the summary. */
  count(bytes: number, files?: number): void;
}

export type InventoryItem =
  | { kind: 'identity'; value: Identity }
  | { kind: 'credential'; value: Credential }
  | { kind: 'grant'; value: Grant }
  | { kind: 'occurrence'; value: SecretOccurrence };

/**
 * A connector collects part of the inventory from one kind of source. `nhi scan`
 * asks every connector whether it applies to each target and runs those that do.
 */
export interface Connector {
  id: string;
  description: string;
  /** The live targets this connector also collects (only such connectors are offered them; paths are offered to all). */
  live?: 'aws';
  applies(target: ScanTarget, options: ScanOptions): Promise<boolean>;
  collect(target: ScanTarget, ctx: ConnectorContext): AsyncIterable<InventoryItem>;
}
