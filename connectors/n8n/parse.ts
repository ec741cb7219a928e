/**
 * Reads one n8n export file: workflows (`n8n export:workflow`: one object, or an array with
 * `--all` without `--separate`) or credentials (`n8n export:credentials`: `{ id, name, type, data }`,
 * one object or an array). The text is parsed with jsonc-parser in strict JSON mode (no comments, no trailing
 * commas), whose syntax tree gives every key and value its offset, turned into a line and column through a table
 * of line starts built once per file.
 *
 * Shapes relied on (docs.n8n.io "Export and import workflows", the CLI commands page, and n8n's
 * WorkflowEntity / INode / IConnections types): a workflow has `nodes[]` (each `name`, `type`, `parameters`,
 * optional `credentials: { "<type>": { id, name } }`, `disabled`, `notes`), `connections` (source node name →
 * connection type → one list of `{ node, type, index }` targets per output, `null` for an unconnected one),
 * `active`, `settings`, `tags` (`[{ id, name }]`), optional `id`, `name`, `meta`, `description`. n8n leaves
 * parameters at their default out of an export: a webhook with no `authentication` has none. Read from
 * `parameters`: `resource`, `operation`, a webhook's `path` and `httpMethod`, an HTTP Request node's `url`
 * (reduced: see reduceUrl) and header/query parameters, an Execute Workflow node's `source` and `workflowId`.
 *
 * Never throws for bad input: broken JSON, or a file of the wrong shape, gives `{ ok: false, error }`.
 */
import { parseTree, printParseErrorCode, type Node as JNode, type ParseError } from 'jsonc-parser';
import type { Location } from '../../src/core/model.js';
import type { N8nCredentialRef, N8nLiteralCredential, N8nNode, N8nWorkflowDetails } from '../../src/core/n8n.js';
import type { WorkflowAttributes, WorkflowTrigger } from '../../src/core/workflow.js';
import { reduceUrl } from '../../src/detectors/sanitize.js';
import { judgeParameter } from './literal.js';

export interface ParsedWorkflow {
  /** The workflow's `name`, when it has one. */
  name?: string;
  /** Position in an array export; absent for a file holding one workflow. */
  index?: number;
  definedAt: Location;
  attributes: WorkflowAttributes;
  n8n: N8nWorkflowDetails;
}

export interface ParsedCredential {
  id: string;
  name: string;
  type: string;
  definedAt: Location;
}

export type ParsedN8nFile =
  | { ok: true; kind: 'workflows'; workflows: ParsedWorkflow[] }
  /** `decrypted`: how many items carried decrypted `data` (whose values were not read). */
  | { ok: true; kind: 'credentials'; credentials: ParsedCredential[]; decrypted: number }
  /** Well-formed, but not an n8n export after all (the sniffer guessed wrong): left out silently. */
  | { ok: false; skip: true }
  | { ok: false; skip?: false; error: string };

/**
 * What the connector adds to a node beyond src/core/n8n.ts's `N8nNode` (plain JSON like the rest, kept in the
 * inventory with it); read through `nodeExtras()`.
 */
export interface N8nNodeExtras {
  /**
   * Execute Workflow nodes (`n8n-nodes-base.executeWorkflow`) and the AI agents' Call n8n Workflow Tool
   * (`@n8n/n8n-nodes-langchain.toolWorkflow`) that run a workflow of the instance (`source` absent or `database`):
   * `parameters.workflowId` as a literal id (a string, or `{ "__rl": true, "value": "<id>", "mode": "list"|"id" }`),
   * or `current` for the expression `={{ $workflow.id }}`. `at` is the `workflowId` key.
   */
  executes?: { workflowId?: string; current?: true; at: Location };
  /** Where the node's object ends (its closing brace), and where its `parameters` map starts and ends. */
  extent?: { end: Location; parameters?: { at: Location; end: Location } };
}

/** The connector's extras of a node read from the inventory (see N8nNodeExtras), when they have the expected shape. */
export function nodeExtras(node: N8nNode): N8nNodeExtras {
  const raw = node as N8nNode & { executes?: unknown; extent?: unknown };
  const out: N8nNodeExtras = {};
  const isLoc = (l: unknown): l is Location => !!l && typeof l === 'object' && typeof (l as Location).line === 'number' && typeof (l as Location).path === 'string';
  const e = raw.executes as N8nNodeExtras['executes'] | undefined;
  if (e && typeof e === 'object' && isLoc(e.at) && (typeof e.workflowId === 'string' || e.current === true)) out.executes = e;
  const x = raw.extent as N8nNodeExtras['extent'] | undefined;
  if (x && typeof x === 'object' && isLoc(x.end)) out.extent = x.parameters && !(isLoc(x.parameters.at) && isLoc(x.parameters.end)) ? { end: x.end } : x;
  return out;
}

/** HTTP Request nodes (and the AI agents' HTTP tools), whose `method` is kept. */
const HTTP_REQUEST_TYPE = /\.(?:httpRequest|httpRequestTool|toolHttpRequest)$/;

/** A node of jsonc-parser's tree: `object`, `array`, `property` (children `[key, value]`), `string`, `number`, `boolean`, `null`. */
type JsonValue = JNode | undefined;
/** An object node. */
type JsonMap = JNode;
/** A property node of an object: children `[key]` or `[key, value]`. */
type Pair = JNode;

function isNode(node: unknown): node is JNode {
  return !!node && typeof node === 'object' && typeof (node as JNode).type === 'string' && typeof (node as JNode).offset === 'number';
}

function isMap(node: unknown): node is JsonMap {
  return isNode(node) && node.type === 'object';
}

function isSeq(node: unknown): node is JNode {
  return isNode(node) && node.type === 'array';
}

/** A string, number, boolean or null node. */
function isScalar(node: unknown): node is JNode {
  return isNode(node) && (node.type === 'string' || node.type === 'number' || node.type === 'boolean' || node.type === 'null');
}

/** Strict JSON: jsonc-parser's scanner skips only JSON's whitespace (space, tab, LF, CR) between tokens. */
const PARSE_OPTIONS = { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false } as const;

class Reader {
  /** Offsets where each line starts (after each `\n`; a CRLF's `\r` ends the line before). */
  private readonly lineStarts: number[] = [0];
  readonly root: JsonValue;
  readonly errors: ParseError[] = [];
  /** Why the tree could not be built at all (jsonc-parser recurses: nesting deeper than the stack allows). */
  readonly failure: string | undefined;

  constructor(
    text: string,
    readonly path: string,
  ) {
    // Duplicate keys are kept in the tree (JSON has no rule against them); `get` takes the last one, as JSON.parse does.
    // (The YAML reading this replaces allowed them too: `uniqueKeys: false`.)
    try {
      this.root = parseTree(text, this.errors, PARSE_OPTIONS);
    } catch (e) {
      const message = String((e as Error)?.message ?? e).split('\n')[0]!;
      this.failure = /call stack/i.test(message) ? 'nested too deeply to read' : message;
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  at(offset: number): Location {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { path: this.path, line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  nodeAt(node: unknown): Location {
    return this.at(isNode(node) ? node.offset : 0);
  }

  map(node: unknown): JsonMap | undefined {
    return isMap(node) ? node : undefined;
  }

  str(node: unknown): string | undefined {
    if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
    return typeof node.value === 'object' ? undefined : String(node.value);
  }

  /** The key of a property node, when it has one. */
  private keyOf(pair: Pair): string | undefined {
    const key = pair.type === 'property' ? pair.children?.[0] : undefined;
    return key && typeof key.value === 'string' ? key.value : undefined;
  }

  pairs(map: JsonMap | undefined): Array<{ key: string; pair: Pair }> {
    const out: Array<{ key: string; pair: Pair }> = [];
    for (const pair of isMap(map) ? (map.children ?? []) : []) {
      const key = this.keyOf(pair);
      if (key !== undefined) out.push({ key, pair });
    }
    return out;
  }

  /** The last pair with this key (JSON: the last duplicate wins). */
  get(map: JsonMap | undefined, key: string): Pair | undefined {
    const children = isMap(map) ? (map.children ?? []) : [];
    for (let i = children.length - 1; i >= 0; i--) if (this.keyOf(children[i]!) === key) return children[i];
    return undefined;
  }

  value(map: JsonMap | undefined, key: string): JsonValue {
    return this.val(this.get(map, key));
  }

  /** The value of a pair. */
  val(pair: Pair | undefined): JsonValue {
    return pair?.children?.[1];
  }

  /** The last character of a node (a map's closing brace). */
  endAt(node: unknown): Location | undefined {
    return isNode(node) ? this.at(Math.max(node.offset, node.offset + node.length - 1)) : undefined;
  }

  keyAt(pair: Pair): Location {
    return this.nodeAt(pair.children?.[0]);
  }

  valueAt(pair: Pair): Location {
    const value = this.val(pair);
    return value ? this.nodeAt(value) : this.keyAt(pair);
  }

  items(node: unknown): JNode[] {
    return isSeq(node) ? (node.children ?? []) : [];
  }

  /** The key of a map's first pair, or the map itself when it has none. */
  firstKey(map: JsonMap | undefined): JsonValue {
    return map?.children?.[0]?.children?.[0];
  }
}

/** 1-based line and column of a character offset (CRLF and LF both end a line). */
function linePos(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, col: offset - lineStart + 1 };
}

/**
 * The file's first error, when it is not strict JSON. Text that is YAML but not JSON (trailing commas, comments,
 * single quotes, unquoted keys or values, control characters in strings) is an error: the YAML reading this replaces
 * accepted it.
 */
function firstError(r: Reader, text: string): string | undefined {
  const error = r.errors[0];
  if (!error && r.failure === undefined) return undefined;
  // JSON.parse's words: jsonc-parser has only error codes. Where JSON.parse names no offset, jsonc-parser's is kept
  // (the unexpected token), or the end of the text for `Unexpected end of JSON input`.
  try {
    JSON.parse(text);
  } catch (e) {
    // JSON.parse names the offset (`at position 6973`, Node 22 adds `(line 396 column 2)`): the place to point at.
    // Node quotes the text around the error (`Unexpected token '@', "{"x": @"sk-pr"... is not valid JSON`): dropped,
    // since a credential may sit there.
    const message = (e as Error).message
      .split('\n')[0]!
      .replace(/\s*\(line \d+ column \d+\)$/, '')
      .replace(/,\s*(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, ': not valid JSON');
    const offset = /\bposition (\d+)/.exec(message);
    const at = offset ? Number(offset[1]) : /^Unexpected end of JSON input/.test(message) || !error ? text.length : Math.min(error.offset, text.length);
    const pos = linePos(text, at);
    return `invalid JSON at line ${pos.line}, column ${pos.col}: ${message}`;
  }
  if (!error) return `unreadable JSON: ${r.failure}`;
  const pos = linePos(text, Math.min(error.offset, text.length));
  return `unreadable JSON at line ${pos.line}, column ${pos.col}: ${printParseErrorCode(error.error)}`;
}

const TRIGGER_TYPE = /(?:trigger|\.webhook|\.cron|\.interval|\.start|\.formTrigger)$/i;
const STICKY_NOTE = 'n8n-nodes-base.stickyNote';
const HTTP_REQUEST = /httpRequest/i;
/** Nodes whose `parameters.url` is the request's URL (HTTP Request, any typeVersion; its tool variants for AI agents). */
const URL_NODE_TYPES: ReadonlySet<string> = new Set(['n8n-nodes-base.httpRequest', 'n8n-nodes-base.httpRequestTool', '@n8n/n8n-nodes-langchain.toolHttpRequest']);
/** Nodes that run another workflow of the instance by its id. */
const EXECUTE_WORKFLOW_TYPES: ReadonlySet<string> = new Set(['n8n-nodes-base.executeWorkflow', '@n8n/n8n-nodes-langchain.toolWorkflow']);
/** `={{ $workflow.id }}`: the workflow running the node. */
const CURRENT_WORKFLOW = /^=\s*\{\{\s*\$workflow\.id\s*\}\}\s*$/;

/** Re-exported for the n8n tests that import it from here. */
export { reduceUrl };

function isWorkflow(r: Reader, map: JsonMap | undefined): boolean {
  return !!map && isSeq(r.value(map, 'nodes')) && (r.get(map, 'connections') !== undefined || r.items(r.value(map, 'nodes')).some((n) => r.str(r.value(r.map(n), 'type'))?.includes('n8n')));
}

/** A credential: `id`, `name`, a credential type, and `data` (or a file named like `*credential*`). */
function isCredential(r: Reader, map: JsonMap | undefined, namedLikeCredentials: boolean): boolean {
  if (!map || r.get(map, 'nodes') || (!namedLikeCredentials && !r.get(map, 'data'))) return false;
  const type = r.str(r.value(map, 'type'));
  return r.str(r.value(map, 'id')) !== undefined && r.str(r.value(map, 'name')) !== undefined && type !== undefined && /^[A-Za-z][A-Za-z0-9_]*$/.test(type);
}

function credentialRefs(r: Reader, node: JsonMap): N8nCredentialRef[] {
  const out: N8nCredentialRef[] = [];
  for (const { key, pair } of r.pairs(r.map(r.value(node, 'credentials')))) {
    const ref: N8nCredentialRef = { type: key, at: r.keyAt(pair) };
    const value = r.val(pair);
    if (isMap(value)) {
      const id = r.str(r.value(value, 'id'));
      const name = r.str(r.value(value, 'name'));
      if (id !== undefined && id !== '') ref.id = id;
      if (name !== undefined && name !== '') ref.name = name;
    } else {
      const name = r.str(value);
      if (name) ref.name = name;
    }
    out.push(ref);
  }
  return out;
}

/** `{ parameters: [{ name, value }] }` (HTTP Request v3+) or `{ parameter: [{ name, value }] }` (v1, v2). */
function nameValueList(r: Reader, holder: unknown): Array<{ name: string; at: Location; value: string; valueAt: Location }> {
  const out: Array<{ name: string; at: Location; value: string; valueAt: Location }> = [];
  const map = r.map(holder);
  for (const listKey of ['parameters', 'parameter']) {
    for (const item of r.items(r.value(map, listKey))) {
      const entry = r.map(item);
      const namePair = r.get(entry, 'name');
      const valuePair = r.get(entry, 'value');
      const name = r.str(r.val(namePair));
      const value = r.str(r.val(valuePair));
      if (!namePair || !valuePair || name === undefined || value === undefined) continue;
      out.push({ name, at: r.keyAt(namePair), value, valueAt: r.valueAt(valuePair) });
    }
  }
  return out;
}

function literalCredentialsOf(r: Reader, nodeName: string, nodeType: string, params: JsonMap | undefined): N8nLiteralCredential[] {
  const out: N8nLiteralCredential[] = [];
  const judge = (section: N8nLiteralCredential['section'], name: string, value: string, at: Location, valueAt: Location) => {
    const verdict = judgeParameter(section, name, value);
    if (verdict) out.push({ node: nodeName, nodeType, section, name, at, valueAt, ...verdict });
  };
  for (const [section, keys] of [
    ['header', ['headerParameters', 'headerParametersUi']],
    ['query', ['queryParameters', 'queryParametersUi']],
  ] as const) {
    for (const key of keys) for (const p of nameValueList(r, r.value(params, key))) judge(section, p.name, p.value, p.at, p.valueAt);
    // `specifyHeaders: json` / `specifyQuery: json`: the pairs are one JSON text.
    const jsonPair = r.get(params, section === 'header' ? 'jsonHeaders' : 'jsonQuery');
    const json = r.str(r.val(jsonPair));
    if (jsonPair && json && !json.startsWith('=')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        parsed = undefined;
      }
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
          if (typeof value === 'string') judge(section, name, value, r.valueAt(jsonPair), r.valueAt(jsonPair));
        }
      }
    }
  }
  const urlPair = r.get(params, 'url');
  const url = r.str(r.val(urlPair));
  if (urlPair && url && !url.startsWith('=')) {
    const q = url.indexOf('?');
    if (q >= 0) {
      for (const part of url.slice(q + 1).split('#')[0]!.split('&')) {
        const eq = part.indexOf('=');
        if (eq <= 0) continue;
        let name = part.slice(0, eq);
        let value = part.slice(eq + 1);
        try {
          name = decodeURIComponent(name);
          value = decodeURIComponent(value);
        } catch {
          // Kept as written.
        }
        judge('url', name, value, r.valueAt(urlPair), r.valueAt(urlPair));
      }
    }
  }
  return out;
}

function nodeOf(r: Reader, item: unknown): { node: N8nNode; literals: N8nLiteralCredential[]; sticky: boolean } | undefined {
  const map = r.map(item);
  const typePair = r.get(map, 'type');
  const type = r.str(r.val(typePair));
  if (!map || !typePair || type === undefined) return undefined;
  const name = r.str(r.value(map, 'name')) ?? type;
  const params = r.map(r.value(map, 'parameters'));
  const node: N8nNode = {
    name,
    type,
    at: r.nodeAt(r.firstKey(map)),
    typeAt: r.keyAt(typePair),
    disabled: r.str(r.value(map, 'disabled')) === 'true',
    trigger: TRIGGER_TYPE.test(type),
    credentials: credentialRefs(r, map),
  };
  const authPair = r.get(params, 'authentication');
  const auth = r.str(r.val(authPair));
  if (authPair && auth !== undefined) node.authentication = { value: auth, at: r.keyAt(authPair) };
  if (/\.webhook$/i.test(type)) {
    const path = r.str(r.value(params, 'path'));
    const method = r.str(r.value(params, 'httpMethod'));
    if (path !== undefined) node.webhookPath = path;
    if (method !== undefined) node.httpMethod = method;
  }
  if (HTTP_REQUEST_TYPE.test(type)) {
    const method = r.str(r.value(params, 'method')) ?? r.str(r.value(params, 'requestMethod'));
    if (method !== undefined && method.trim() !== '') node.requestMethod = method.trim();
  }
  for (const key of ['resource', 'operation'] as const) {
    const value = r.str(r.value(params, key));
    if (value !== undefined && value !== '' && !value.startsWith('=')) node[key] = value;
  }
  if (URL_NODE_TYPES.has(type)) {
    const urlPair = r.get(params, 'url');
    const url = r.str(r.val(urlPair));
    if (urlPair && url !== undefined && url.trim() !== '' && url.trim() !== '=') node.url = { value: reduceUrl(url), at: r.valueAt(urlPair) };
  }
  const extras: N8nNodeExtras = {};
  if (EXECUTE_WORKFLOW_TYPES.has(type)) {
    const source = r.str(r.value(params, 'source'));
    const idPair = r.get(params, 'workflowId');
    if (idPair && (source === undefined || source === 'database')) {
      const idValue = r.val(idPair);
      const value = isMap(idValue) ? r.str(r.value(idValue, 'value')) : r.str(idValue);
      if (value !== undefined && CURRENT_WORKFLOW.test(value)) extras.executes = { current: true, at: r.keyAt(idPair) };
      else if (value !== undefined && value.trim() !== '' && !value.startsWith('=')) extras.executes = { workflowId: value.trim(), at: r.keyAt(idPair) };
    }
  }
  const end = r.endAt(map);
  const paramsNode = r.get(map, 'parameters');
  const paramsEnd = paramsNode ? r.endAt(r.val(paramsNode)) : undefined;
  if (end) extras.extent = { end, ...(paramsNode && paramsEnd ? { parameters: { at: r.keyAt(paramsNode), end: paramsEnd } } : {}) };
  Object.assign(node, extras);
  const sticky = type === STICKY_NOTE && (r.str(r.value(params, 'content')) ?? '').trim() !== '';
  return { node, literals: HTTP_REQUEST.test(type) ? literalCredentialsOf(r, name, type, params) : [], sticky };
}

/**
 * `connections: { "<source node>": { "<connection type>": [ [ { node: "<target>", type, index }, … ] | null, … ] } }`
 * (n8n-workflow's IConnections: one list per output, `null` for an output left unconnected): every edge of every
 * connection type (`main`, `ai_tool`, `ai_languageModel`…), from the source node's name to the target's, once.
 * Entries of another shape are skipped.
 */
function connectionsOf(r: Reader, node: unknown): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  const seen = new Set<string>();
  const add = (from: string, target: unknown) => {
    const node = r.value(r.map(target), 'node');
    const to = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
    if (to === undefined || to === '') return;
    const key = `${from}\0${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ from, to });
  };
  for (const { key: from, pair } of r.pairs(r.map(node))) {
    for (const { pair: typed } of r.pairs(r.map(r.val(pair)))) {
      for (const output of r.items(r.val(typed))) {
        if (isSeq(output)) for (const target of r.items(output)) add(from, target);
        else if (isMap(output)) add(from, output); // an output written without its list
      }
    }
  }
  return out;
}

function tagsOf(r: Reader, node: unknown): string[] {
  const out: string[] = [];
  for (const item of r.items(node)) {
    const name = isMap(item) ? r.str(r.value(item, 'name')) : r.str(item);
    if (name) out.push(name);
  }
  return out;
}

function workflowOf(r: Reader, map: JsonMap, index: number | undefined): ParsedWorkflow {
  const nodes: N8nNode[] = [];
  const literalCredentials: N8nLiteralCredential[] = [];
  let stickyNotes = 0;
  for (const item of r.items(r.value(map, 'nodes'))) {
    const read = nodeOf(r, item);
    if (!read) continue;
    nodes.push(read.node);
    literalCredentials.push(...read.literals);
    if (read.sticky) stickyNotes++;
  }
  const activePair = r.get(map, 'active');
  const namePair = r.get(map, 'name');
  const name = r.str(r.val(namePair));
  const workflowId = r.str(r.value(map, 'id'));
  const n8n: N8nWorkflowDetails = {
    active: r.str(r.val(activePair)) === 'true',
    described: (r.str(r.value(map, 'description')) ?? '').trim() !== '',
    stickyNotes,
    tags: tagsOf(r, r.value(map, 'tags')),
    nodes,
    connections: connectionsOf(r, r.value(map, 'connections')),
    literalCredentials,
  };
  if (workflowId !== undefined && workflowId !== '') n8n.workflowId = workflowId;
  if (activePair) n8n.activeAt = r.keyAt(activePair);
  if (namePair) n8n.nameAt = r.valueAt(namePair);
  const triggers: WorkflowTrigger[] = nodes.filter((n) => n.trigger && !n.disabled).map((n) => ({ event: n.type, at: n.typeAt }));
  const attributes: WorkflowAttributes = { platform: 'n8n', triggers, env: [], jobs: [], secretRefs: [], n8n };
  return { ...(name !== undefined ? { name } : {}), ...(index !== undefined ? { index } : {}), definedAt: r.nodeAt(r.firstKey(map) ?? map), attributes, n8n };
}

/** Whether an item's `data` is decrypted (an object of values), as `export:credentials --decrypted` writes it. */
function hasDecryptedData(r: Reader, map: JsonMap): boolean {
  const data = r.value(map, 'data');
  return isMap(data) && (data.children?.length ?? 0) > 0;
}

/** Parses one sniffed file. `path` is relative to the scanned root (POSIX) and goes into every Location. */
export function parseN8nFile(text: string, path: string): ParsedN8nFile {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { ok: false, error: 'empty file' };
  const r = new Reader(source, path);
  const error = firstError(r, source);
  if (error) return { ok: false, error };
  const root = r.root;
  const list = isSeq(root) ? r.items(root) : [root];
  const maps = list.map((i) => r.map(i));
  if (maps.length > 0 && maps.every((m) => isWorkflow(r, m))) {
    const array = isSeq(root);
    return { ok: true, kind: 'workflows', workflows: maps.map((m, i) => workflowOf(r, m!, array ? i : undefined)) };
  }
  if (maps.length > 0 && maps.every((m) => isCredential(r, m, /credential/i.test(path)))) {
    let decrypted = 0;
    const credentials = maps.map((m) => {
      if (hasDecryptedData(r, m!)) decrypted++;
      // Metadata only: `data` is never read, encrypted or not.
      return { id: r.str(r.value(m, 'id'))!, name: r.str(r.value(m, 'name'))!, type: r.str(r.value(m, 'type'))!, definedAt: r.nodeAt(r.firstKey(m) ?? m) };
    });
    return { ok: true, kind: 'credentials', credentials, decrypted };
  }
  if (maps.length > 0 && maps.some((m) => isWorkflow(r, m))) return { ok: false, error: 'not an n8n workflow export: some items are not workflows (no `nodes` list)' };
  return { ok: false, skip: true };
}
