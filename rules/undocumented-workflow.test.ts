import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { n8nFixtureInventory, n8nInventory, n8nWorkflow } from '../test/helpers/n8n-inventory.js';
import { ruleCtx } from '../test/helpers/workflow-inventory.js';
import rule from './undocumented-workflow.js';

const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.severity, f.evidence?.case];
const run = (extra: Record<string, unknown>, nodes: unknown[] = []) => rule.evaluate(n8nInventory({ 'wf.json': n8nWorkflow(nodes, extra) }), ruleCtx());
const cases = (findings: Finding[]) => findings.map((f) => f.evidence?.case);

describe('undocumented-workflow over the fixture instance', () => {
  it('fires on the undescribed copy (twice) and stays silent on the described and the sticky-noted workflows', async () => {
    const { inventory } = await n8nFixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([
      ['workflows/all.json', 155, 13, 'low', 'no-description'],
      ['workflows/all.json', 155, 13, 'low', 'throwaway-name'],
    ]);
    expect(findings[1]!.message).toBe('workflow "Copy of Lead intake" (workflows/all.json#wf2) is named like a draft, copy or experiment.');
  });
});

describe('undocumented-workflow: cases', () => {
  it('knows throwaway names', () => {
    for (const name of ['My workflow 3', 'Untitled', 'Copy of Sync', 'Sync (copy)', 'test slack', 'Sync v2 final', 'old CRM sync', 'tmp']) expect(cases(run({ name })), name).toEqual(['throwaway-name']);
    for (const name of ['Sync invoices', 'Contest entries', 'Latest orders', 'Testimonials to CMS', 'Copywriting assistant']) expect(run({ name }), name).toEqual([]);
  });

  it('is medium for an active throwaway workflow', () => {
    expect(run({ name: 'test', active: true }).map((f) => f.severity)).toEqual(['medium']);
  });

  it('takes a description or a sticky note with text, not an empty one', () => {
    const sticky = (content: string) => ({ parameters: { content }, id: 'n', name: 'Note', type: 'n8n-nodes-base.stickyNote', typeVersion: 1, position: [0, 0] });
    expect(cases(run({ description: '  ' }))).toEqual(['no-description']);
    expect(cases(run({ description: null }, [sticky('')]))).toEqual(['no-description']);
    expect(run({ description: undefined }, [sticky('Copies paid invoices to accounting.')])).toEqual([]);
  });
});
