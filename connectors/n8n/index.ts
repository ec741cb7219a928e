/**
 * connectors/n8n: n8n workflow and credential exports in a scanned folder, as workflow identities
 * (src/core/workflow.ts, platform `n8n`; details in src/core/n8n.ts) and credential metadata.
 *
 * Recognised by sniffing the first 64 KiB of each `.json` file (walked like the filesystem
 * connector: .gitignore and .nhiignore apply):
 * - a workflow export (`n8n export:workflow`, the editor's Download): an object, or with `--all` an
 *   array of objects, with a `nodes` list and `connections` (or nodes of an `n8n-nodes-…` type);
 * - a credentials export (`n8n export:credentials`): objects with `id`, `name`, `type` and `data`
 *   (or in a file or folder named like `*credential*`).
 * Broken JSON gives one `parse-error` warning naming the file and the scan goes on; a sniffed file
 * that turns out not to be an export is left out silently. Credential `data` is never read into the
 * inventory; a file carrying decrypted data (`--decrypted`) gets a warning naming it, without values.
 * The files' text is scanned for secrets by the filesystem connector, not here.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Connector, ConnectorContext, InventoryItem, ScanOptions } from '../../src/core/connector.js';
import type { Credential, Identity, OwnerClaim } from '../../src/core/model.js';
import { N8N_CREDENTIAL, type N8nCredentialAttributes } from '../../src/core/n8n.js';
import { WORKFLOW } from '../../src/core/workflow.js';
import { definitionsConnector, FolderDiscovery, walk, walkShared, type WalkEntry } from '../filesystem/index.js';
import { parseN8nFile, type ParsedWorkflow } from './parse.js';

export const SOURCE = 'n8n';

/** How much of a file the sniffer reads. */
export const SNIFF_BYTES = 64 * 1024;

export type N8nFileKind = 'workflows' | 'credentials';

export interface N8nFile extends WalkEntry {
  kind: N8nFileKind;
}

/** What kind of n8n export `head` (the start of a `.json` file named `name`) is, if any. */
export function sniffN8n(name: string, head: string): N8nFileKind | undefined {
  const text = head.replace(/^\uFEFF/, '');
  if (!name.toLowerCase().endsWith('.json') || !/^\s*[[{]/.test(text)) return undefined;
  if (/"nodes"\s*:\s*\[/.test(text) && /"(?:connections|typeVersion)"\s*:|"type"\s*:\s*"(?:@n8n\/)?n8n-nodes-/.test(text)) return 'workflows';
  const fields = /"id"\s*:/.test(text) && /"name"\s*:/.test(text) && /"type"\s*:\s*"[A-Za-z][A-Za-z0-9_]*"/.test(text);
  if (fields && (/"data"\s*:/.test(text) || /credential/i.test(name))) return 'credentials';
  return undefined;
}

async function readHead(absPath: string): Promise<string> {
  const fh = await open(absPath, 'r');
  try {
    const buf = Buffer.allocUnsafe(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The n8n exports under `root` (a folder, or one file). Unreadable files are skipped: the filesystem connector reports them. */
export async function discoverN8nFiles(root: string, ctx: Pick<ConnectorContext, 'warn'>, options?: ScanOptions): Promise<N8nFile[]> {
  const info = await stat(root);
  const entries: AsyncIterable<WalkEntry> = info.isDirectory()
    ? options
      ? walkShared(root, options, ctx)
      : walk(root, ctx)
    : (async function* () {
        yield { absPath: root, path: basename(root) };
      })();
  const out: N8nFile[] = [];
  for await (const entry of entries) {
    if (!/\.json$/i.test(entry.path)) continue;
    try {
      const kind = sniffN8n(entry.path, await readHead(entry.absPath));
      if (kind) out.push({ ...entry, kind });
    } catch {
      // Unreadable: reported by the filesystem connector.
    }
  }
  return out;
}

/** Owners named by tags `key:value` (or `key=value`) whose key is one of `ownerTagKeys`. */
export function ownersFromTags(tags: string[], ownerTagKeys: string[]): { owners: OwnerClaim[]; tagMap: Record<string, string> } {
  const keys = new Set(ownerTagKeys.map((k) => k.toLowerCase()));
  const owners: OwnerClaim[] = [];
  const tagMap: Record<string, string> = {};
  for (const tag of tags) {
    const m = /^\s*([^:=]+?)\s*[:=]\s*(.+?)\s*$/.exec(tag);
    if (!m) {
      tagMap[tag] = '';
      continue;
    }
    tagMap[m[1]!] = m[2]!;
    if (keys.has(m[1]!.toLowerCase())) owners.push({ owner: m[2]!, source: `tag:${m[1]!.toLowerCase()}` });
  }
  return { owners, tagMap };
}

export function workflowIdentity(path: string, scope: string, wf: ParsedWorkflow, ownerTagKeys: string[]): Identity {
  const id = wf.index === undefined ? path : `${path}#${wf.n8n.workflowId ?? wf.index}`;
  const { owners, tagMap } = ownersFromTags(wf.n8n.tags, ownerTagKeys);
  return {
    id,
    provider: 'n8n',
    scope,
    kind: WORKFLOW,
    name: wf.name ?? id,
    status: wf.n8n.active ? 'active' : 'inactive',
    tags: tagMap,
    owners,
    attributes: wf.attributes as unknown as Record<string, unknown>,
    definedAt: wf.definedAt,
  };
}

export async function* collectN8nFiles(files: N8nFile[], scope: string, ctx: Pick<ConnectorContext, 'warn' | 'options' | 'config'>): AsyncIterable<InventoryItem> {
  for (const file of files) {
    let text: string;
    try {
      const info = await stat(file.absPath);
      if (info.size > ctx.options.maxFileSize) continue;
      text = await readFile(file.absPath, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseN8nFile(text, file.path);
    if (!parsed.ok) {
      if (!parsed.skip) ctx.warn({ kind: 'parse-error', path: file.path, source: SOURCE, message: parsed.error });
      continue;
    }
    if (parsed.kind === 'workflows') {
      for (const wf of parsed.workflows) yield { kind: 'identity', value: workflowIdentity(file.path, scope, wf, ctx.config.ownerTagKeys) };
      continue;
    }
    if (parsed.decrypted > 0) {
      ctx.warn({
        kind: 'parse-error',
        path: file.path,
        source: SOURCE,
        message: `n8n credentials export holds decrypted credential data (${parsed.decrypted} credential${parsed.decrypted === 1 ? '' : 's'}, n8n export:credentials --decrypted): not read into the inventory; delete the file, or export again without --decrypted`,
      });
    }
    for (const c of parsed.credentials) {
      const attributes: N8nCredentialAttributes = { n8nId: c.id, name: c.name, type: c.type, scope, file: file.path };
      const credential: Credential = {
        id: `${file.path}#${c.id}`,
        provider: 'n8n',
        kind: N8N_CREDENTIAL,
        attributes: attributes as unknown as Record<string, unknown>,
        definedAt: c.definedAt,
      };
      yield { kind: 'credential', value: credential };
    }
  }
}

/** Discovery done by `applies`, reused by `collect`: once per folder and scan. */
const discovery = new FolderDiscovery(discoverN8nFiles, (found) => found.length === 0);

export const n8nConnector: Connector = definitionsConnector(
  SOURCE,
  'n8n workflow exports (nodes, triggers, webhooks, credentials referenced, active flag; owners from tags) and credential exports (metadata only)',
  discovery,
  (found, target, ctx) => collectN8nFiles(found, target.display, ctx),
);
