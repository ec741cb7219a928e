/** What the n8n rules share: the n8n workflows of an inventory, and the credentials exported beside them. */
import type { Credential, Identity, Inventory } from '../core/model.js';
import { N8N_CREDENTIAL, type N8nCredentialAttributes, type N8nWorkflowDetails } from '../core/n8n.js';
import type { WorkflowAttributes } from '../core/workflow.js';
import { workflowsOf } from './findings.js';

export interface N8nWorkflowItem {
  identity: Identity;
  workflow: WorkflowAttributes;
  n8n: N8nWorkflowDetails;
}

export function n8nWorkflowsOf(inventory: Inventory): N8nWorkflowItem[] {
  const out: N8nWorkflowItem[] = [];
  for (const { identity, workflow } of workflowsOf(inventory)) if (workflow.platform === 'n8n' && workflow.n8n) out.push({ identity, workflow, n8n: workflow.n8n });
  return out;
}

/** Credentials listed by n8n credentials exports, by scope (the scanned folder). */
export function n8nCredentialsByScope(inventory: Inventory): Map<string, Array<{ credential: Credential; attributes: N8nCredentialAttributes }>> {
  const out = new Map<string, Array<{ credential: Credential; attributes: N8nCredentialAttributes }>>();
  for (const credential of inventory.credentials) {
    if (credential.provider !== 'n8n' || credential.kind !== N8N_CREDENTIAL) continue;
    const attributes = credential.attributes as unknown as N8nCredentialAttributes | undefined;
    if (!attributes || typeof attributes.n8nId !== 'string') continue;
    const list = out.get(attributes.scope) ?? [];
    list.push({ credential, attributes });
    out.set(attributes.scope, list);
  }
  return out;
}
