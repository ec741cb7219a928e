/**
 * What parseN8nFile reads beyond identity and credentials: node resource/operation, the reduced URL of HTTP
 * Request nodes, the workflow's connections, and the connector's node extras (Execute Workflow targets, extents).
 */
import { describe, expect, it } from 'vitest';
import { fakeGithubTokens } from '../../test/helpers/cli.js';
import { n8nFixtureInventory } from '../../test/helpers/n8n-inventory.js';
import { workflowAttributes } from '../../src/core/workflow.js';
import { nodeExtras, parseN8nFile, reduceUrl, type ParsedWorkflow } from './parse.js';

function workflows(content: unknown, path = 'w.json'): ParsedWorkflow[] {
  const parsed = parseN8nFile(typeof content === 'string' ? content : JSON.stringify(content, null, 2), path);
  if (!parsed.ok || parsed.kind !== 'workflows') throw new Error(`not parsed: ${JSON.stringify(parsed)}`);
  return parsed.workflows;
}

const one = (nodes: unknown[], extra: Record<string, unknown> = {}) => workflows({ id: 'wf9', name: 'W', active: true, nodes, connections: {}, ...extra })[0]!;

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not found`);
  return i + 1;
}

describe('parseN8nFile: resource and operation', () => {
  it('keeps literal values, not expressions or non-strings', () => {
    const wf = one([
      { name: 'Invite', type: 'n8n-nodes-base.github', parameters: { resource: 'user', operation: 'invite' } },
      { name: 'Dynamic', type: 'n8n-nodes-base.github', parameters: { resource: '={{ $json.resource }}', operation: 'get' } },
      { name: 'Odd', type: 'n8n-nodes-base.github', parameters: { resource: { value: 'user' }, operation: '' } },
      { name: 'None', type: 'n8n-nodes-base.noOp' },
    ]);
    expect(wf.n8n.nodes.map((n) => [n.name, n.resource, n.operation])).toEqual([
      ['Invite', 'user', 'invite'],
      ['Dynamic', undefined, 'get'],
      ['Odd', undefined, undefined],
      ['None', undefined, undefined],
    ]);
  });
});

describe('parseN8nFile: the method of HTTP Request nodes', () => {
  it('keeps `method` (`requestMethod` in version 1) as written, only on HTTP Request nodes', () => {
    const wf = one([
      { name: 'Post', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters: { method: 'POST', url: 'https://a.example.com' } },
      { name: 'V1', type: 'n8n-nodes-base.httpRequest', typeVersion: 1, parameters: { requestMethod: 'PUT', url: 'https://a.example.com' } },
      { name: 'Default', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters: { url: 'https://a.example.com' } },
      { name: 'Expr', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters: { method: '={{ $json.m }}', url: 'https://a.example.com' } },
      { name: 'Hook', type: 'n8n-nodes-base.webhook', parameters: { httpMethod: 'POST', path: 'p', method: 'DELETE' } },
    ]);
    expect(wf.n8n.nodes.map((n) => [n.name, n.requestMethod])).toEqual([
      ['Post', 'POST'],
      ['V1', 'PUT'],
      ['Default', undefined],
      ['Expr', '={{ $json.m }}'],
      ['Hook', undefined],
    ]);
  });
});

describe('parseN8nFile: the URL of HTTP Request nodes', () => {
  it('reduces URLs to scheme, host and path, expressions too, and points at the value', () => {
    const text = JSON.stringify(
      {
        name: 'W',
        nodes: [
          { name: 'Plain', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters: { url: 'https://api.example.com/v2/items?page=2#top' } },
          { name: 'User info', type: 'n8n-nodes-base.httpRequest', typeVersion: 1, parameters: { url: 'https://svc:not-a-password@api.example.com/x' } },
          { name: 'Expression', type: 'n8n-nodes-base.httpRequest', typeVersion: 3, parameters: { url: '={{ $json.base }}/webhook/abc?x=1' } },
          { name: 'Tool', type: 'n8n-nodes-base.httpRequestTool', parameters: { url: 'https://tools.example.com/run' } },
          { name: 'Empty', type: 'n8n-nodes-base.httpRequest', parameters: { url: '' } },
          { name: 'Not HTTP', type: 'n8n-nodes-base.slack', parameters: { url: 'https://hooks.example.com/x' } },
        ],
        connections: {},
      },
      null,
      2,
    );
    const wf = workflows(text)[0]!;
    expect(wf.n8n.nodes.map((n) => [n.name, n.url?.value])).toEqual([
      ['Plain', 'https://api.example.com/v2/items'],
      ['User info', 'https://api.example.com/x'],
      ['Expression', '{{ $json.base }}/webhook/abc'],
      ['Tool', 'https://tools.example.com/run'],
      ['Empty', undefined],
      ['Not HTTP', undefined],
    ]);
    const line = lineOf(text, 'api.example.com/v2/items');
    expect(wf.n8n.nodes[0]!.url!.at).toEqual({ path: 'w.json', line, column: text.split('\n')[line - 1]!.indexOf('"https') + 1 });
  });

  it('never keeps a credential written in the URL path', () => {
    const [token] = fakeGithubTokens(1, 31);
    expect(reduceUrl(`https://api.example.com/${token}/status?x=1`)).toMatch(/^https:\/\/api\.example\.com\/ghp_…\w{4}\/status$/);
    const wf = one([{ name: 'H', type: 'n8n-nodes-base.httpRequest', parameters: { url: `https://api.example.com/${token}/status` } }]);
    expect(JSON.stringify(wf)).not.toContain(token);
  });
});

describe('parseN8nFile: connections', () => {
  it('reads every edge of every connection type, once, from source to target', () => {
    const wf = one([], {
      connections: {
        Webhook: { main: [[{ node: 'Agent', type: 'main', index: 0 }, { node: 'Log', type: 'main', index: 0 }], null, [{ node: 'Agent', type: 'main', index: 1 }]] },
        'Call tool': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
        Model: { ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]] },
        Agent: { main: [[{ node: 'Reply', type: 'main', index: 0 }]] },
      },
    });
    expect(wf.n8n.connections).toEqual([
      { from: 'Webhook', to: 'Agent' },
      { from: 'Webhook', to: 'Log' },
      { from: 'Call tool', to: 'Agent' },
      { from: 'Model', to: 'Agent' },
      { from: 'Agent', to: 'Reply' },
    ]);
  });

  it('skips malformed shapes without throwing', () => {
    for (const connections of [null, 3, 'x', [], { A: null }, { A: { main: 'x' } }, { A: { main: [3, 'x', [null, 4, { node: 7 }, {}]] } }]) {
      expect(one([], { connections }).n8n.connections, JSON.stringify(connections)).toEqual([]);
    }
    // An output written without its list is still an edge.
    expect(one([], { connections: { A: { main: [{ node: 'B', type: 'main', index: 0 }] } } }).n8n.connections).toEqual([{ from: 'A', to: 'B' }]);
  });

  it('fills the fixture instance’s connections', async () => {
    const { inventory } = await n8nFixtureInventory();
    const lead = workflowAttributes(inventory.identities[0]!.attributes)!;
    expect(lead.n8n!.connections).toEqual([
      { from: 'Website form', to: 'Enrich lead' },
      { from: 'Enrich lead', to: 'Notify sales' },
      { from: 'Notify sales', to: 'File in CRM' },
    ]);
    expect(lead.n8n!.nodes.map((n) => n.url?.value)).toEqual([undefined, 'https://enrich.example.com/v2/person', undefined, 'https://crm.example.com/api/leads']);
  });
});

describe('parseN8nFile: node extras', () => {
  it('reads the workflow an Execute Workflow node runs from the database', () => {
    const wf = one([
      { name: 'By id', type: 'n8n-nodes-base.executeWorkflow', typeVersion: 1, parameters: { workflowId: ' wf9 ' } },
      { name: 'From list', type: 'n8n-nodes-base.executeWorkflow', typeVersion: 1.1, parameters: { workflowId: { __rl: true, value: 'wf3', mode: 'list', cachedResultName: 'Other' } } },
      { name: 'Self', type: 'n8n-nodes-base.executeWorkflow', parameters: { workflowId: { __rl: true, value: '={{ $workflow.id }}', mode: 'id' } } },
      { name: 'Tool', type: '@n8n/n8n-nodes-langchain.toolWorkflow', parameters: { workflowId: '={{$workflow.id}}' } },
      { name: 'Dynamic', type: 'n8n-nodes-base.executeWorkflow', parameters: { workflowId: '={{ $json.next }}' } },
      { name: 'From file', type: 'n8n-nodes-base.executeWorkflow', parameters: { source: 'localFile', workflowPath: '/data/w.json', workflowId: 'wf9' } },
      { name: 'Not one', type: 'n8n-nodes-base.set', parameters: { workflowId: 'wf9' } },
    ]);
    expect(wf.n8n.nodes.map((n) => [n.name, nodeExtras(n).executes ? { ...nodeExtras(n).executes, at: undefined } : undefined])).toEqual([
      ['By id', { workflowId: 'wf9', at: undefined }],
      ['From list', { workflowId: 'wf3', at: undefined }],
      ['Self', { current: true, at: undefined }],
      ['Tool', { current: true, at: undefined }],
      ['Dynamic', undefined],
      ['From file', undefined],
      ['Not one', undefined],
    ]);
  });

  it('records where each node and its parameters end, in pretty-printed and one-line exports', () => {
    const content = { name: 'W', nodes: [{ parameters: { url: 'https://a.example.com' }, name: 'A', type: 'n8n-nodes-base.httpRequest' }, { name: 'B', type: 'n8n-nodes-base.noOp', parameters: {} }], connections: {} };
    const text = JSON.stringify(content, null, 2);
    const [a, b] = workflows(text)[0]!.n8n.nodes.map((n) => nodeExtras(n).extent!);
    expect(a).toEqual({
      end: { path: 'w.json', line: lineOf(text, '"name": "B"') - 2, column: 5 },
      parameters: { at: { path: 'w.json', line: lineOf(text, '"parameters"'), column: 7 }, end: { path: 'w.json', line: lineOf(text, '"parameters"') + 2, column: 7 } },
    });
    expect(b!.end.line).toBeGreaterThan(a!.end.line);
    const flat = JSON.stringify(content);
    const [fa] = workflows(flat)[0]!.n8n.nodes.map((n) => nodeExtras(n).extent!);
    expect(fa).toMatchObject({ end: { line: 1, column: flat.indexOf('},{"name":"B"') + 1 }, parameters: { at: { line: 1, column: flat.indexOf('"parameters"') + 1 } } });
  });

  it('ignores extras of the wrong shape', () => {
    const node = { name: 'X', type: 't', at: { path: 'p', line: 1, column: 1 }, typeAt: { path: 'p', line: 1, column: 1 }, disabled: false, trigger: false, credentials: [] };
    expect(nodeExtras({ ...node, executes: { workflowId: 3 }, extent: 'x' } as never)).toEqual({});
  });
});

describe('parseN8nFile: broken JSON', () => {
  it('points at the offset JSON.parse names, in a CRLF file with text after the workflow', () => {
    const text = JSON.stringify({ name: 'W', nodes: [], connections: {} }, null, 2).replace(/\n/g, '\r\n') + 'stray text';
    const parsed = parseN8nFile(text, 'w.json');
    expect(parsed.ok).toBe(false);
    const lines = text.split('\n');
    expect(parsed.ok === false && !parsed.skip && parsed.error).toMatch(new RegExp(`^invalid JSON at line ${lines.length}, column ${lines.at(-1)!.indexOf('s') + 1}: `));
  });

  it('does not quote the text around the error, where a credential may sit', () => {
    const [token] = fakeGithubTokens(1, 5);
    const parsed = parseN8nFile(`{"name": "W", "nodes": [], "connections": {}, "x": @"${token}"}`, 'w.json');
    expect(parsed.ok === false && !parsed.skip && parsed.error).toMatch(/^invalid JSON at line 1, column \d+: Unexpected token '@': not valid JSON$/);
    expect(JSON.stringify(parsed)).not.toContain(token!.slice(0, 8));
  });
});

describe('parseN8nFile: strict JSON through jsonc-parser', () => {
  const content = { name: 'W', nodes: [{ name: 'Hook', type: 'n8n-nodes-base.webhook', parameters: { path: 'p' } }], connections: {} };

  it('points at the same key in LF, CRLF and BOM-prefixed files', () => {
    const text = JSON.stringify(content, null, 2);
    const line = lineOf(text, '"type"');
    const expected = { path: 'w.json', line, column: text.split('\n')[line - 1]!.indexOf('"type"') + 1 };
    for (const variant of [text, text.replace(/\n/g, '\r\n'), `\uFEFF${text.replace(/\n/g, '\r\n')}`]) {
      const wf = workflows(variant)[0]!;
      expect(wf.n8n.nodes[0]!.typeAt).toEqual(expected);
      expect(wf.definedAt).toEqual({ path: 'w.json', line: 2, column: 3 });
    }
  });

  it('reads a large export, with locations on its last lines', () => {
    const nodes = Array.from({ length: 20000 }, (_, i) => ({ name: `N${i}`, type: 'n8n-nodes-base.set', parameters: { value: 'x'.repeat(100) } }));
    const text = JSON.stringify({ name: 'Big', nodes, connections: {} }, null, 2);
    const wf = workflows(text)[0]!;
    expect(wf.n8n.nodes).toHaveLength(20000);
    expect(wf.n8n.nodes.at(-1)!.at).toEqual({ path: 'w.json', line: lineOf(text, '"name": "N19999"'), column: 7 });
  });

  it('takes the last of duplicate keys, as JSON.parse does, and keeps every duplicate credential', () => {
    const text = '{"name": "A", "name": "B", "nodes": [{"name": "x", "type": "n8n-nodes-base.webhook", "type": "n8n-nodes-base.set", "credentials": {"slackApi": {"id": "1"}, "slackApi": {"id": "2"}}}], "connections": {}}';
    const wf = workflows(text)[0]!;
    expect(wf.name).toBe('B');
    expect(wf.n8n.nodes[0]!.type).toBe('n8n-nodes-base.set');
    expect(wf.n8n.nodes[0]!.trigger).toBe(false);
    expect(wf.n8n.nodes[0]!.credentials.map((c) => c.id)).toEqual(['1', '2']);
  });

  it('rejects what YAML would accept but JSON does not', () => {
    for (const text of [
      '{"name": "W", "nodes": [], "connections": {},}',
      '{"name": "W", # comment\n "nodes": [], "connections": {}}',
      "{\"name\": 'W', \"nodes\": [], \"connections\": {}}",
      '{name: "W", "nodes": [], "connections": {}}',
      '{"name": "W\nX", "nodes": [], "connections": {}}',
      '{"name": "W", "nodes": [], "connections": {}, "x": 01}',
    ]) {
      const parsed = parseN8nFile(text, 'w.json');
      expect(parsed.ok === false && !parsed.skip && parsed.error, text).toMatch(/^invalid JSON at line \d+, column \d+: /);
    }
  });

  it('points at the end of a truncated file', () => {
    const text = '{"name": "W",\r\n "nodes": [1,\r\n  ';
    expect(parseN8nFile(text, 'w.json')).toEqual({ ok: false, error: 'invalid JSON at line 3, column 3: Unexpected end of JSON input' });
  });

  it('gives an error, not an exception, for nesting deeper than the stack', () => {
    const depth = 200000;
    const text = `{"name": "W", "nodes": [], "connections": {}, "x": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(parseN8nFile(text, 'w.json')).toEqual({ ok: false, error: 'unreadable JSON: nested too deeply to read' });
  });
});
