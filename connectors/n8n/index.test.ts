import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanOptions } from '../../src/core/connector.js';
import { workflowAttributes } from '../../src/core/workflow.js';
import { tempDir } from '../../test/helpers/cli.js';
import { N8N_FIXTURE, n8nFixtureInventory } from '../../test/helpers/n8n-inventory.js';
import { n8nConnector, ownersFromTags, sniffN8n } from './index.js';
import { parseN8nFile } from './parse.js';

const base: ScanOptions = { history: false, staged: false, maxFileSize: Infinity };

describe('n8n connector: when it applies', () => {
  it('takes a folder with n8n exports, not one without, and not diff-only scans', async () => {
    const target = { root: N8N_FIXTURE, display: 'instance' };
    expect(await n8nConnector.applies(target, base)).toBe(true);
    expect(await n8nConnector.applies(target, { ...base, staged: true })).toBe(false);
    const other = tempDir();
    writeFileSync(join(other, 'package.json'), '{"name":"x","type":"module"}');
    writeFileSync(join(other, 'tsconfig.json'), '{"compilerOptions":{"strict":true}}');
    expect(await n8nConnector.applies({ root: other, display: 'x' }, base)).toBe(false);
  });

  it('sniffs workflow and credential exports from the start of .json files', () => {
    expect(sniffN8n('a.json', '{"name":"W","nodes":[{"parameters":{},"type":"n8n-nodes-base.webhook"')).toBe('workflows');
    expect(sniffN8n('a.json', '[\n {"id":"1","name":"W","active":false,"nodes":[],"connections":{}}]')).toBe('workflows');
    expect(sniffN8n('creds.json', '[{"id":"1","name":"Slack","data":"U2FsdGVkX1","type":"slackApi"}]')).toBe('credentials');
    expect(sniffN8n('n8n-credential.json', '{"id":"1","name":"Slack","type":"slackApi"}')).toBe('credentials');
    expect(sniffN8n('a.yml', '{"nodes":[],"connections":{}}')).toBeUndefined();
    expect(sniffN8n('package.json', '{"name":"x","type":"module","dependencies":{}}')).toBeUndefined();
  });

  it('honours .nhiignore like the filesystem connector', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'exports'));
    writeFileSync(join(root, 'exports', 'w.json'), JSON.stringify({ name: 'W', nodes: [], connections: {} }));
    writeFileSync(join(root, '.nhiignore'), 'exports/\n');
    expect(await n8nConnector.applies({ root, display: 'x' }, base)).toBe(false);
  });
});

describe('n8n connector: the fixture instance', () => {
  it('yields one workflow identity per exported workflow, with owners from tags', async () => {
    const { inventory } = await n8nFixtureInventory();
    expect(inventory.identities.map((i) => [i.id, i.name, i.status, i.owners.map((o) => `${o.owner} (${o.source})`).join(' ')])).toEqual([
      ['workflows/all.json#wf1', 'Lead intake', 'active', 'dana@example.com (tag:owner)'],
      ['workflows/all.json#wf2', 'Copy of Lead intake', 'inactive', ''],
      ['workflows/separate/nightly-report.json', 'Nightly report', 'active', 'finance-ops (tag:team)'],
    ]);
    for (const i of inventory.identities) {
      expect(i).toMatchObject({ provider: 'n8n', kind: 'workflow', scope: 'instance' });
      expect(workflowAttributes(i.attributes)?.platform).toBe('n8n');
      expect(JSON.parse(JSON.stringify(i))).toEqual(i);
    }
    const lead = workflowAttributes(inventory.identities[0]!.attributes)!;
    expect(inventory.identities[0]!.definedAt).toEqual({ path: 'workflows/all.json', line: 3, column: 5 });
    expect(lead.triggers).toEqual([{ event: 'n8n-nodes-base.webhook', at: { path: 'workflows/all.json', line: 18, column: 9 } }]);
    expect(lead.n8n!.nodes.map((n) => n.type)).toEqual(['n8n-nodes-base.webhook', 'n8n-nodes-base.httpRequest', 'n8n-nodes-base.slack', 'n8n-nodes-base.httpRequest']);
    expect(lead.n8n!.nodes.flatMap((n) => n.credentials)).toEqual([
      { type: 'slackApi', id: 'c1', name: 'Slack bot', at: { path: 'workflows/all.json', line: 67, column: 11 } },
      { type: 'httpHeaderAuth', id: 'c9', name: 'Old CRM key', at: { path: 'workflows/all.json', line: 90, column: 11 } },
    ]);
    expect(lead.n8n).toMatchObject({ active: true, described: true, workflowId: 'wf1', activeAt: { line: 8, column: 5 } });
    const nightly = workflowAttributes(inventory.identities[2]!.attributes)!;
    expect(nightly.triggers.map((t) => t.event)).toEqual(['n8n-nodes-base.webhook', 'n8n-nodes-base.scheduleTrigger']);
    expect(nightly.n8n).toMatchObject({ described: false, stickyNotes: 1 });
  });

  it('keeps credential metadata only, and warns (without values) about decrypted data and broken JSON', async () => {
    const { inventory, warnings } = await n8nFixtureInventory();
    expect(inventory.credentials.map((c) => [c.id, c.kind, c.attributes?.name, c.attributes?.type, c.definedAt?.line])).toEqual([
      ['credentials.json#c1', 'n8n-credential', 'Slack bot', 'slackApi', 3],
      ['credentials.json#c2', 'n8n-credential', 'Callback secret', 'httpHeaderAuth', 12],
      ['finance-credential.json#c3', 'n8n-credential', 'Finance SFTP', 'sftp', 2],
    ]);
    expect(warnings).toEqual([
      { kind: 'parse-error', path: 'broken.json', source: 'n8n', message: expect.stringMatching(/^invalid JSON at line 5, column 1: /) },
      { kind: 'parse-error', path: 'finance-credential.json', source: 'n8n', message: expect.stringContaining('decrypted credential data') },
    ]);
    const stored = JSON.stringify(inventory);
    for (const value of ['decrypted-fixture-value-0001', 'sftp.example.com', 'U2FsdGVkX1', '7Qm2Lp9Zt4Kw', 'FixtureFake9xQ2mZ7LpW4']) expect(stored).not.toContain(value); // nhi:allow
    expect(JSON.stringify(warnings)).not.toContain('decrypted-fixture-value-0001');
  });
});

describe('parseN8nFile', () => {
  it('skips well-formed JSON that is not an export, and reports an array mixing workflows and other things', () => {
    expect(parseN8nFile('{"id":"1","name":"x","type":"module"}', 'p.json')).toEqual({ ok: false, skip: true });
    expect(parseN8nFile('{"id":"1","name":"x","type":"slackApi"}', 'exports/credentials/1.json')).toMatchObject({ ok: true, kind: 'credentials' });
    expect(parseN8nFile('[{"nodes":[],"connections":{}}, 3]', 'p.json')).toMatchObject({ ok: false, error: expect.stringContaining('not an n8n workflow export') });
    expect(parseN8nFile('', 'p.json')).toEqual({ ok: false, error: 'empty file' });
  });

  it('reads old-style credential references and treats a missing `active` as inactive', () => {
    const parsed = parseN8nFile(JSON.stringify({ name: 'Old', nodes: [{ name: 'S', type: 'n8n-nodes-base.slack', parameters: {}, credentials: { slackApi: 'Team bot' } }], connections: {} }), 'old.json');
    if (!parsed.ok || parsed.kind !== 'workflows') throw new Error('not parsed');
    expect(parsed.workflows[0]!.n8n.active).toBe(false);
    expect(parsed.workflows[0]!.n8n.nodes[0]!.credentials).toEqual([{ type: 'slackApi', name: 'Team bot', at: { path: 'old.json', line: 1, column: 97 } }]);
  });

  it('maps owner tags with the configured keys', () => {
    expect(ownersFromTags(['Owner: dana@example.com', 'crm', 'team=ops', 'env:prod'], ['owner', 'team'])).toEqual({
      owners: [
        { owner: 'dana@example.com', source: 'tag:owner' },
        { owner: 'ops', source: 'tag:team' },
      ],
      tagMap: { Owner: 'dana@example.com', crm: '', team: 'ops', env: 'prod' },
    });
  });
});
