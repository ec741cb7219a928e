import type { Inventory, SecretOccurrence } from './model.js';

/**
 * Key ids that an inventory export itself lists (`aws iam list-access-keys` output): a match
 * there is the inventory describing the key, not the key leaking. Keyed by `path\0handle`.
 */
export function listedInExports(inventory: Inventory): Set<string> {
  const listed = new Set<string>();
  for (const c of inventory.credentials) {
    const files = (c.attributes as { listedIn?: unknown } | undefined)?.listedIn;
    if (!c.handle || !Array.isArray(files)) continue;
    for (const f of files) if (typeof f === 'string') listed.add(`${f}\0${c.handle}`);
  }
  return listed;
}

export function isListedInExport(listed: Set<string>, o: SecretOccurrence): boolean {
  return o.handle !== undefined && listed.has(`${o.location.path}\0${o.handle}`);
}
