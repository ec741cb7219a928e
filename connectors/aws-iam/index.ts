/**
 * connectors/aws-iam: AWS IAM identities, access keys and policies (src/core/aws.ts).
 *
 * Offline mode (offline.ts) applies when a scanned folder holds exports of the AWS CLI;
 * each account's files are normalised by normalize.ts. Live mode (live.ts, through the SDK)
 * fills the same AwsAccountExport per account and will be wired in below: see LIVE MODE.
 */
import type { Connector, ConnectorContext, InventoryItem, ScanOptions, ScanTarget } from '../../src/core/connector.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { normalizeAccount } from './normalize.js';
import { discoverExports, loadAccounts, type ExportFile } from './offline.js';

/** Discovery done by `applies`, reused by `collect` so a folder is walked once per scan. */
const discovered = new Map<string, Promise<ExportFile[]>>();

function discover(root: string): Promise<ExportFile[]> {
  let pending = discovered.get(root);
  if (!pending) {
    // Walk problems (unreadable folders, symlink loops) are the filesystem connector's to report.
    pending = discoverExports(root, { warn: () => {} });
    discovered.set(root, pending);
  }
  return pending;
}

/** Owner tag keys from the scan's config (nhi.config.yml), else the documented defaults. */
function ownerTagKeys(ctx: ConnectorContext): string[] {
  return ctx.config?.ownerTagKeys ?? DEFAULT_CONFIG.ownerTagKeys;
}

export const awsIamConnector: Connector = {
  id: 'aws-iam',
  description: 'AWS IAM users, roles, access keys and policies, from AWS CLI exports (authorization details, credential report, list-access-keys)',
  async applies(target: ScanTarget, options: ScanOptions): Promise<boolean> {
    // Diff-only scans (pre-commit, pull requests) are about code, not an account's inventory.
    if (options.staged || options.since) return false;
    // LIVE MODE: live.ts (SDK, assumed roles from config `aws.assumeRoles`) is wired here later.
    try {
      const files = await discover(target.root);
      if (files.length === 0) discovered.delete(target.root);
      return files.length > 0;
    } catch {
      discovered.delete(target.root);
      return false;
    }
  },
  async *collect(target: ScanTarget, ctx: ConnectorContext): AsyncIterable<InventoryItem> {
    const files = await discover(target.root);
    discovered.delete(target.root);
    const accounts = await loadAccounts(files, ctx);
    const keys = ownerTagKeys(ctx);
    for (const exp of accounts) {
      const { items, warnings } = normalizeAccount(exp, { ownerTagKeys: keys, now: ctx.now });
      for (const w of warnings) ctx.warn(w);
      yield* items;
    }
  },
};
