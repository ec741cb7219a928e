/**
 * connectors/aws-iam: AWS IAM identities, access keys and policies (src/core/aws.ts).
 *
 * Offline mode (offline.ts) applies when a scanned folder holds exports of the AWS CLI;
 * each account's files are normalised by normalize.ts. Live mode (live.ts, through the SDK,
 * `nhi scan --aws`) fills the same AwsAccountExport per account.
 */
import type { Connector, ConnectorContext, InventoryItem, ScanOptions, ScanTarget } from '../../src/core/connector.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { normalizeAccount } from './normalize.js';
import { FolderDiscovery } from '../filesystem/index.js';
import { discoverExports, loadAccounts } from './offline.js';

/** Discovery done by `applies`, reused by `collect`: once per folder and scan. */
const discovery = new FolderDiscovery(discoverExports, (files) => files.length === 0);

/** Owner tag keys from the scan's config (nhi.config.yml), else the documented defaults. */
function ownerTagKeys(ctx: ConnectorContext): string[] {
  return ctx.config?.ownerTagKeys ?? DEFAULT_CONFIG.ownerTagKeys;
}

/**
 * Live mode: the caller's account and one per role of `aws.assumeRoles`, through the SDK (live.ts,
 * read-only by construction), normalised like the exports. The SDK is loaded only here: scans
 * without `--aws` do not pay for it.
 */
async function* collectLiveAccounts(ctx: ConnectorContext): AsyncIterable<InventoryItem> {
  // The SDK warns on Node 20 that its releases after January 2027 will need Node 22: a note for
  // whoever upgrades nhi's dependencies (the locked SDK runs on 20), not for the person scanning.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { collectLive } = await import('./live.js');
  const aws = ctx.config?.aws ?? DEFAULT_CONFIG.aws;
  const profile = ctx.options.aws?.profile;
  const accounts = await collectLive({ ...(profile ? { profile } : {}), assumeRoles: aws.assumeRoles, concurrency: aws.concurrency }, (w) => ctx.warn(w));
  const keys = ownerTagKeys(ctx);
  for (const exp of accounts) {
    const { items, warnings } = normalizeAccount(exp, { ownerTagKeys: keys, now: ctx.now });
    for (const w of warnings) ctx.warn(w);
    yield* items;
  }
}

export const awsIamConnector: Connector = {
  id: 'aws-iam',
  description: 'AWS IAM users, roles, access keys and policies, from AWS CLI exports (authorization details, credential report, list-access-keys), or live through the SDK (--aws)',
  live: 'aws',
  async applies(target: ScanTarget, options: ScanOptions): Promise<boolean> {
    // `nhi scan --aws`: the live target, collected through the SDK.
    if (target.live === 'aws') return options.aws !== undefined;
    // Diff-only scans (pre-commit, pull requests) are about code, not an account's inventory.
    if (options.staged || options.since) return false;
    return discovery.any(target.root, options);
  },
  async *collect(target: ScanTarget, ctx: ConnectorContext): AsyncIterable<InventoryItem> {
    if (target.live === 'aws') {
      yield* collectLiveAccounts(ctx);
      return;
    }
    const files = await discovery.get(target.root, ctx.options);
    const accounts = await loadAccounts(files, ctx);
    const keys = ownerTagKeys(ctx);
    for (const exp of accounts) {
      const { items, warnings } = normalizeAccount(exp, { ownerTagKeys: keys, now: ctx.now });
      for (const w of warnings) ctx.warn(w);
      yield* items;
    }
  },
};
