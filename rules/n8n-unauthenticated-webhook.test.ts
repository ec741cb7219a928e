import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { n8nFixtureInventory, n8nInventory, n8nWorkflow } from '../test/helpers/n8n-inventory.js';
import { ruleCtx } from '../test/helpers/workflow-inventory.js';
import rule from './n8n-unauthenticated-webhook.js';

const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.severity, f.evidence?.authentication];
const hook = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ parameters: { httpMethod: 'POST', path: 'in', options: {}, ...parameters }, id: 'w1', name: 'Hook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], ...extra });
const slack = { parameters: {}, id: 's1', name: 'Post', type: 'n8n-nodes-base.slack', typeVersion: 2, position: [200, 0], credentials: { slackApi: { id: '7', name: 'Bot' } } };
const run = (nodes: unknown[], extra: Record<string, unknown> = {}) => rule.evaluate(n8nInventory({ 'wf.json': n8nWorkflow(nodes, extra) }), ruleCtx());

describe('n8n-unauthenticated-webhook over the fixture instance', () => {
  it('fires on the active workflow’s open webhook only, at the node type', async () => {
    const { inventory } = await n8nFixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    // The inactive copy has the same open webhook; the nightly report's webhook uses Header Auth.
    expect(findings.map(brief)).toEqual([['workflows/all.json', 18, 9, 'high', 'none (default)']]);
    expect(findings[0]!.message).toBe('Webhook node "Website form" /webhook/lead-intake of active workflow "Lead intake" (workflows/all.json#wf1) accepts calls without authentication; the workflow acts with stored credentials.');
    expect(findings[0]!.evidence).toMatchObject({ owner: 'dana@example.com', method: 'POST', path: 'lead-intake' });
  });
});

describe('n8n-unauthenticated-webhook: cases', () => {
  it('points at an explicit authentication: none, and is medium when no credential is used', () => {
    const text = JSON.stringify(n8nWorkflow([hook({ authentication: 'none' })]), null, 2);
    const findings = rule.evaluate(n8nInventory({ 'wf.json': text }), ruleCtx());
    const line = text.split('\n').findIndex((l) => l.includes('"authentication"')) + 1;
    expect(findings.map(brief)).toEqual([['wf.json', line, 9, 'medium', 'none']]);
  });

  it('stays silent on inactive workflows, disabled nodes and authenticated webhooks', () => {
    expect(run([hook({}), slack], { active: false })).toEqual([]);
    expect(run([hook({}, { disabled: true }), slack])).toEqual([]);
    for (const authentication of ['basicAuth', 'headerAuth', 'jwtAuth']) expect(run([hook({ authentication }), slack])).toEqual([]);
    expect(run([hook({})], { active: undefined })).toEqual([]);
  });

  it('keeps its fingerprint when the node moves', () => {
    const a = run([hook({}), slack]);
    const b = run([slack, hook({})]);
    expect(a).toHaveLength(1);
    expect(b.map((f) => f.fingerprint)).toEqual(a.map((f) => f.fingerprint));
  });
});
