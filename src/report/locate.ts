import type { Finding, Inventory, Location } from '../core/model.js';

/** Evidence fields through which AWS key findings name the key they are about (rules/*-credential.ts, root-access-key). */
const KEY_EVIDENCE = ['accessKeyId', 'keyId'] as const;

/**
 * Where a report places a finding: its own location (a file finding), else, for a finding about
 * an identity, where a scanned file defines what it is about: the key the evidence names, when
 * the inventory knows where that key is listed, else the identity (`definedAt`, set by connectors
 * that read files: an export's `UserName`/`RoleName` entry, a credential report row). Undefined
 * when neither is known (identities read from an API). Never part of a fingerprint.
 */
export function findingLocator(inventory: Inventory | undefined): (f: Finding) => Location | undefined {
  const identities = new Map<string, Location>();
  const credentials = new Map<string, Location>();
  for (const i of inventory?.identities ?? []) if (i.definedAt && !identities.has(i.id)) identities.set(i.id, i.definedAt);
  for (const c of inventory?.credentials ?? []) {
    if (!c.definedAt) continue;
    for (const id of [c.id, c.handle]) if (id !== undefined && !credentials.has(id)) credentials.set(id, c.definedAt);
  }
  return (f) => {
    if (f.location) return f.location;
    if (!f.resource) return undefined;
    for (const field of KEY_EVIDENCE) {
      const key = f.evidence?.[field];
      const at = typeof key === 'string' ? credentials.get(key) : undefined;
      if (at) return at;
    }
    return identities.get(f.resource.id);
  };
}
