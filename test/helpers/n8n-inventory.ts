/** Inventories of n8n exports for rule tests: from the fixture folder, or from JSON written in the test. */
import { fileURLToPath } from 'node:url';
import { collectN8nFiles, discoverN8nFiles, workflowIdentity } from '../../connectors/n8n/index.js';
import { parseN8nFile } from '../../connectors/n8n/parse.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import type { Inventory, ScanWarning } from '../../src/core/model.js';
import { emptyInventory } from '../../src/core/model.js';
import { N8N_CREDENTIAL } from '../../src/core/n8n.js';

/** test/fixtures/n8n/instance: exports of an n8n instance whose workflows fire each n8n rule and stay silent where they should. */
export const N8N_FIXTURE = fileURLToPath(new URL('../fixtures/n8n/instance', import.meta.url));

const options = { history: false, staged: false, maxFileSize: Infinity };

export async function n8nFixtureInventory(root = N8N_FIXTURE, scope = 'instance'): Promise<{ inventory: Inventory; warnings: ScanWarning[] }> {
  const warnings: ScanWarning[] = [];
  const ctx = { warn: (w: ScanWarning) => warnings.push(w), options, config: DEFAULT_CONFIG };
  const inventory = emptyInventory();
  for await (const item of collectN8nFiles(await discoverN8nFiles(root, ctx), scope, ctx)) {
    if (item.kind === 'identity') inventory.identities.push(item.value);
    else if (item.kind === 'credential') inventory.credentials.push(item.value);
  }
  return { inventory, warnings };
}

/** One `path: JSON` entry per export file (workflows or credentials), all in scope `.`; throws on a file that does not parse. */
export function n8nInventory(files: Record<string, unknown>): Inventory {
  const inventory = emptyInventory();
  for (const [path, content] of Object.entries(files)) {
    const parsed = parseN8nFile(typeof content === 'string' ? content : JSON.stringify(content, null, 2), path);
    if (!parsed.ok) throw new Error(`${path}: ${parsed.skip ? 'skipped' : parsed.error}`);
    if (parsed.kind === 'workflows') for (const wf of parsed.workflows) inventory.identities.push(workflowIdentity(path, '.', wf, DEFAULT_CONFIG.ownerTagKeys));
    else
      for (const c of parsed.credentials)
        inventory.credentials.push({ id: `${path}#${c.id}`, provider: 'n8n', kind: N8N_CREDENTIAL, attributes: { n8nId: c.id, name: c.name, type: c.type, scope: '.', file: path }, definedAt: c.definedAt });
  }
  return inventory;
}

/** A minimal workflow export around `nodes`, for tests. */
export function n8nWorkflow(nodes: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'wf', name: 'Sync invoices', description: 'Copies paid invoices to accounting.', active: true, nodes, connections: {}, settings: {}, tags: [], ...extra };
}
