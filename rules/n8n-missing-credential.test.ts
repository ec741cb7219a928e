import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { n8nFixtureInventory, n8nInventory, n8nWorkflow } from '../test/helpers/n8n-inventory.js';
import { ruleCtx } from '../test/helpers/workflow-inventory.js';
import rule from './n8n-missing-credential.js';

const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.evidence?.credentialType, f.evidence?.credentialId ?? null, f.evidence?.credentialName ?? null];
const slack = (credentials: unknown) => ({ parameters: {}, id: 's1', name: 'Post', type: 'n8n-nodes-base.slack', typeVersion: 2, position: [0, 0], credentials });
const creds = [
  { id: '7', name: 'Bot', type: 'slackApi', data: 'U2FsdGVkX1+notARealCiphertext' },
  { id: '8', name: 'CRM', type: 'httpHeaderAuth', data: 'U2FsdGVkX1+notARealCiphertext' },
];

describe('n8n-missing-credential over the fixture instance', () => {
  it('fires on the reference to a credential the export does not list, at its type key', async () => {
    const { inventory } = await n8nFixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([['workflows/all.json', 90, 11, 'httpHeaderAuth', 'c9', 'Old CRM key']]);
    expect(findings[0]!.message).toBe('Node "File in CRM" of workflow "Lead intake" (workflows/all.json#wf1) uses httpHeaderAuth credential "Old CRM key", id c9, which the credentials export of instance does not list.');
  });
});

describe('n8n-missing-credential: cases', () => {
  it('matches by id, else (old exports) by type and name', () => {
    const inventory = n8nInventory({
      'credentials.json': creds,
      'a.json': n8nWorkflow([slack({ slackApi: { id: '7', name: 'Renamed bot' }, httpHeaderAuth: { id: '99', name: 'CRM' } })]),
      'b.json': n8nWorkflow([slack({ slackApi: 'Bot', httpHeaderAuth: 'Gone' })]),
    });
    expect(rule.evaluate(inventory, ruleCtx()).map((f) => [f.location?.path, f.evidence?.credentialType, f.evidence?.credentialId ?? null, f.evidence?.credentialName])).toEqual([
      ['a.json', 'httpHeaderAuth', '99', 'CRM'],
      ['b.json', 'httpHeaderAuth', null, 'Gone'],
    ]);
  });

  it('stays silent without a credentials export in the same scope', () => {
    const inventory = n8nInventory({ 'a.json': n8nWorkflow([slack({ slackApi: { id: '404', name: 'Nowhere' } })]) });
    expect(rule.evaluate(inventory, ruleCtx())).toEqual([]);
    const elsewhere = n8nInventory({ 'credentials.json': creds, 'a.json': n8nWorkflow([slack({ slackApi: { id: '404', name: 'Nowhere' } })]) });
    for (const c of elsewhere.credentials) (c.attributes as Record<string, unknown>).scope = 'other-instance';
    expect(rule.evaluate(elsewhere, ruleCtx())).toEqual([]);
  });
});
