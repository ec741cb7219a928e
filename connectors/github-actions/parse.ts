/**
 * One GitHub Actions file (a workflow under `.github/workflows/`, or a composite `action.yml`)
 * into WorkflowAttributes (src/core/workflow.ts), every part with the line and column of its key.
 *
 * Positions come from the `yaml` library's node ranges through a LineCounter, so they are
 * exact in the source text; `${{ … }}` expressions are found in each scalar's source slice,
 * which keeps them exact inside block scalars (`run: |`) too. Aliases are followed (their text,
 * and so their Location, is where the anchor is). Nothing is evaluated and nothing is fetched.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Location } from '../../src/core/model.js';
import type {
  NamedValue,
  PermissionLevel,
  SecretRef,
  TokenPermissions,
  UsesRef,
  WorkflowAttributes,
  WorkflowJob,
  WorkflowStep,
  WorkflowTrigger,
} from '../../src/core/workflow.js';

export type GithubActionsFileKind = 'workflow' | 'action';

export type ParsedFile =
  | { ok: true; name?: string; definedAt: Location; attributes: WorkflowAttributes }
  /** Not ours to model: an action that is not composite (JavaScript, Docker). */
  | { ok: false; skip: true }
  /** Broken YAML or the wrong shape: the reason, for a per-file warning. */
  | { ok: false; skip?: false; error: string };

/** Nodes visited per file at most (aliases can multiply a small file into a huge tree). */
const MAX_NODES = 100_000;

type YNode = Node | null | undefined;

class Reader {
  private readonly lines = new LineCounter();
  readonly doc: Document.Parsed;

  constructor(
    readonly text: string,
    readonly path: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, keepSourceTokens: true, uniqueKeys: true, prettyErrors: true });
  }

  at(offset: number): Location {
    const { line, col } = this.lines.linePos(offset);
    return { path: this.path, line, column: col };
  }

  /** Where a node starts (its first character), or the file's start for a node without a range. */
  nodeAt(node: YNode | Pair): Location {
    const range = node && 'range' in node ? node.range : undefined;
    return this.at(range ? range[0] : 0);
  }

  /** The aliased node for an alias, the node itself otherwise. */
  /** Alias targets, found once each (the library searches the whole document on every call). */
  private readonly aliases = new Map<unknown, YNode>();

  resolve(node: unknown): YNode {
    if (!isAlias(node)) return node as YNode;
    let target = this.aliases.get(node);
    if (target === undefined) {
      target = (node.resolve(this.doc) as YNode) ?? null;
      this.aliases.set(node, target);
    }
    return target;
  }

  map(node: unknown): YAMLMap | undefined {
    const n = this.resolve(node);
    return isMap(n) ? n : undefined;
  }

  /** A scalar's text (numbers and booleans as written by String()); undefined for maps, lists and null. */
  str(node: unknown): string | undefined {
    const n = this.resolve(node);
    if (!isScalar(n) || n.value === null || n.value === undefined) return undefined;
    return String(n.value);
  }

  pairs(map: YAMLMap | undefined): Array<{ key: string; pair: Pair }> {
    const out: Array<{ key: string; pair: Pair }> = [];
    for (const pair of map?.items ?? []) {
      const key = this.str(pair.key);
      if (key !== undefined) out.push({ key, pair });
    }
    return out;
  }

  get(map: YAMLMap | undefined, key: string): Pair | undefined {
    return this.pairs(map).find((p) => p.key === key)?.pair;
  }

  keyAt(pair: Pair): Location {
    return this.nodeAt(pair.key as YNode);
  }

  valueAt(pair: Pair): Location {
    return pair.value ? this.nodeAt(pair.value as YNode) : this.keyAt(pair);
  }

  named(map: YAMLMap | undefined): NamedValue[] {
    return this.pairs(map).map(({ key, pair }) => ({ name: key, value: this.str(pair.value) ?? '', at: this.keyAt(pair), valueAt: this.valueAt(pair) }));
  }
}

const SHA = /^[0-9a-f]{40}$/i;
const DIGEST = /^sha256:[0-9a-f]{64}$/i;

/** `uses:` as GitHub reads it (https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsuses). */
export function parseUses(raw: string, at: Location, valueAt: Location): UsesRef {
  const value = raw.trim();
  // `$/…` names a path in the repository itself too (zizmor reads it the same way; generated release workflows use it).
  if (value.startsWith('./') || value.startsWith('../') || value.startsWith('$/')) return { raw, kind: 'local', path: value, pinned: false, at, valueAt };
  if (value.startsWith('docker://')) {
    const image = value.slice('docker://'.length);
    const digest = image.indexOf('@');
    if (digest >= 0) {
      const ref = image.slice(digest + 1);
      return { raw, kind: 'docker', path: image.slice(0, digest), ref, pinned: DIGEST.test(ref), at, valueAt };
    }
    const colon = image.lastIndexOf(':');
    const tagged = colon > image.lastIndexOf('/');
    return { raw, kind: 'docker', path: tagged ? image.slice(0, colon) : image, ...(tagged ? { ref: image.slice(colon + 1) } : {}), pinned: false, at, valueAt };
  }
  const atSign = value.lastIndexOf('@');
  const name = atSign >= 0 ? value.slice(0, atSign) : value;
  const ref = atSign >= 0 ? value.slice(atSign + 1) : undefined;
  const [owner, repo, ...rest] = name.split('/');
  return {
    raw,
    kind: 'repository',
    ...(owner ? { owner } : {}),
    ...(repo ? { repo } : {}),
    ...(rest.length ? { path: rest.join('/') } : {}),
    ...(ref !== undefined ? { ref } : {}),
    pinned: ref !== undefined && SHA.test(ref),
    at,
    valueAt,
  };
}

function permissionsOf(r: Reader, pair: Pair | undefined): TokenPermissions | undefined {
  if (!pair) return undefined;
  const at = r.keyAt(pair);
  const map = r.map(pair.value);
  if (map) {
    const scopes = r.pairs(map).map(({ key, pair: p }) => {
      const level = r.str(p.value);
      return { scope: key, level: (level === 'read' || level === 'write' || level === 'none' ? level : 'none') as PermissionLevel, at: r.keyAt(p) };
    });
    return { kind: 'scopes', scopes, at };
  }
  const value = r.str(pair.value);
  if (value === 'write-all' || value === 'read-all') return { kind: value, scopes: [], at };
  // `permissions:` with nothing after it (null): no scope listed, read like `{}`.
  if (value === undefined && !isSeq(r.resolve(pair.value))) return { kind: 'scopes', scopes: [], at };
  return { kind: 'other', scopes: [], raw: value ?? '', at };
}

function triggersOf(r: Reader, pair: Pair | undefined): WorkflowTrigger[] {
  if (!pair) return [];
  const value = r.resolve(pair.value);
  if (isScalar(value)) {
    const event = r.str(value);
    return event ? [{ event, at: r.nodeAt(value) }] : [];
  }
  if (isSeq(value)) {
    const out: WorkflowTrigger[] = [];
    for (const item of value.items) {
      const event = r.str(item);
      if (event) out.push({ event, at: r.nodeAt(item as YNode) });
    }
    return out;
  }
  if (isMap(value)) return r.pairs(value).map(({ key, pair: p }) => ({ event: key, at: r.keyAt(p) }));
  return [];
}

function stepsOf(r: Reader, node: unknown): WorkflowStep[] {
  const seq = r.resolve(node);
  if (!isSeq(seq)) return [];
  const steps: WorkflowStep[] = [];
  seq.items.forEach((item, index) => {
    const map = r.map(item);
    if (!map) return;
    const step: WorkflowStep = { index, at: r.nodeAt(map), with: r.named(r.map(r.get(map, 'with')?.value)), env: r.named(r.map(r.get(map, 'env')?.value)) };
    const id = r.str(r.get(map, 'id')?.value);
    const name = r.str(r.get(map, 'name')?.value);
    if (id !== undefined) step.id = id;
    if (name !== undefined) step.name = name;
    const uses = r.get(map, 'uses');
    const usesValue = uses ? r.str(uses.value) : undefined;
    if (uses && usesValue) step.uses = parseUses(usesValue, r.keyAt(uses), r.valueAt(uses));
    const run = r.get(map, 'run');
    const runText = run ? r.str(run.value) : undefined;
    if (run && runText !== undefined) step.run = { text: runText, at: r.keyAt(run) };
    steps.push(step);
  });
  return steps;
}

function jobOf(r: Reader, id: string, pair: Pair): WorkflowJob {
  const map = r.map(pair.value);
  const job: WorkflowJob = { id, at: r.keyAt(pair), secrets: [], with: [], env: [], steps: [] };
  if (!map) return job;
  const name = r.str(r.get(map, 'name')?.value);
  if (name !== undefined) job.name = name;
  const permissions = permissionsOf(r, r.get(map, 'permissions'));
  if (permissions) job.permissions = permissions;
  const ifPair = r.get(map, 'if');
  const ifText = ifPair ? r.str(ifPair.value) : undefined;
  if (ifPair && ifText !== undefined && ifText.trim() !== '') job.if = { text: ifText, at: r.keyAt(ifPair) };
  const environment = r.get(map, 'environment');
  if (environment) {
    const envName = r.str(environment.value) ?? r.str(r.get(r.map(environment.value), 'name')?.value);
    if (envName !== undefined) job.environment = { name: envName, at: r.keyAt(environment) };
  }
  const uses = r.get(map, 'uses');
  const usesValue = uses ? r.str(uses.value) : undefined;
  if (uses && usesValue) job.uses = parseUses(usesValue, r.keyAt(uses), r.valueAt(uses));
  const secrets = r.get(map, 'secrets');
  if (secrets) {
    if (r.str(secrets.value) === 'inherit') job.secretsInherit = r.keyAt(secrets);
    else job.secrets = r.named(r.map(secrets.value));
  }
  job.with = r.named(r.map(r.get(map, 'with')?.value));
  job.env = r.named(r.map(r.get(map, 'env')?.value));
  job.steps = stepsOf(r, r.get(map, 'steps')?.value);
  return job;
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
const STRING_LITERAL = /'(?:[^']|'')*'/g;
/** `secrets` as a context name: not a property of something else (`inputs.secrets`), not part of a longer name. */
const SECRETS_WORD = /(?<![\w.-])secrets(?![\w-])/gi;
const GITHUB_TOKEN = /(?<![\w.-])github\s*\.\s*token(?![\w-])/gi;

/**
 * The secret references in the expressions of one scalar's source text (`start` = the
 * offset of `source` in the file). Contexts are case-insensitive in GitHub expressions.
 */
export function refsIn(source: string, start: number): Array<Omit<SecretRef, 'at' | 'section'> & { offset: number }> {
  const out: Array<Omit<SecretRef, 'at' | 'section'> & { offset: number }> = [];
  for (const m of source.matchAll(EXPRESSION)) {
    const body = m[1]!;
    const bodyStart = start + m.index! + 3;
    const literals = [...body.matchAll(STRING_LITERAL)].map((l) => [l.index!, l.index! + l[0].length] as const);
    const inLiteral = (i: number) => literals.some(([a, b]) => i >= a && i < b);
    const expression = m[0];
    for (const s of body.matchAll(SECRETS_WORD)) {
      const i = s.index!;
      if (inLiteral(i)) continue;
      const after = body.slice(i + s[0].length);
      const dot = /^\s*\.\s*([A-Za-z_][\w-]*)/.exec(after);
      const quoted = /^\s*\[\s*'((?:[^']|'')*)'\s*\]/.exec(after);
      const before = /toJSON\s*\(\s*$/i.exec(body.slice(0, i));
      if (dot) out.push({ kind: 'named', name: dot[1]!, expression, offset: bodyStart + i });
      else if (quoted) out.push({ kind: 'named', name: quoted[1]!.replace(/''/g, "'"), expression, offset: bodyStart + i });
      else if (/^\s*\[/.test(after)) out.push({ kind: 'dynamic', expression, offset: bodyStart + i });
      else out.push({ kind: 'whole-context', expression, offset: bodyStart + (before ? before.index : i) });
    }
    for (const t of body.matchAll(GITHUB_TOKEN)) {
      if (!inLiteral(t.index!)) out.push({ kind: 'github-token', expression, offset: bodyStart + t.index! });
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

const SECTIONS: ReadonlySet<string> = new Set(['with', 'env', 'run', 'secrets', 'if']);

/** Job, step, section and key of a value, from its path of keys in the file. */
function placeOf(kind: GithubActionsFileKind, path: Array<string | number>): Pick<SecretRef, 'job' | 'step' | 'section' | 'key'> {
  const section = (s: unknown): SecretRef['section'] => (typeof s === 'string' && SECTIONS.has(s) ? (s as SecretRef['section']) : 'other');
  const keyOf = (k: unknown) => (typeof k === 'string' ? { key: k } : {});
  let job: string | undefined;
  let rest: Array<string | number>;
  if (kind === 'workflow' && path[0] === 'jobs' && typeof path[1] === 'string') {
    job = path[1];
    rest = path.slice(2);
  } else if (kind === 'action' && path[0] === 'runs') {
    job = 'runs';
    rest = path.slice(1);
  } else {
    const s = section(path[0]);
    return { section: s, ...(s === 'env' ? keyOf(path[1]) : {}) };
  }
  if (rest[0] === 'steps' && typeof rest[1] === 'number') {
    const s = section(rest[2]);
    return { job, step: rest[1], section: s, ...(s === 'with' || s === 'env' ? keyOf(rest[3]) : {}) };
  }
  const s = section(rest[0]);
  return { job, section: s, ...(s === 'with' || s === 'env' || s === 'secrets' ? keyOf(rest[1]) : {}) };
}

function secretRefsOf(r: Reader, kind: GithubActionsFileKind): SecretRef[] {
  const out: SecretRef[] = [];
  let visited = 0;
  const visit = (node: unknown, path: Array<string | number>, depth: number): void => {
    if (++visited > MAX_NODES || depth > 64) return;
    const n = r.resolve(node);
    if (isScalar(n)) {
      if (typeof n.value !== 'string' || !n.range || !n.value.includes('{')) return;
      for (const ref of refsIn(r.text.slice(n.range[0], n.range[1]), n.range[0])) {
        const { offset, ...rest } = ref;
        out.push({ ...rest, at: r.at(offset), ...placeOf(kind, path) });
      }
    } else if (isMap(n)) {
      for (const pair of n.items) {
        const key = r.str(pair.key);
        if (key !== undefined) visit(pair.value, [...path, key], depth + 1);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => visit(item, [...path, i], depth + 1));
    }
  };
  visit(r.doc.contents, [], 0);
  return out;
}

/** Same markers as the content scanner (src/scan/content.ts). */
const ALLOW_MARKERS = /nhi:allow|gitleaks:allow/;

function allowedLines(text: string): number[] {
  if (!ALLOW_MARKERS.test(text)) return [];
  const out: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (ALLOW_MARKERS.test(line)) out.push(i + 1);
  });
  return out;
}

function firstError(r: Reader): string | undefined {
  const error = r.doc.errors[0];
  if (!error) return undefined;
  const pos = error.linePos?.[0];
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${message}`;
}

/**
 * Parses one file. `path` is relative to the scanned root (POSIX) and goes into every Location.
 * Never throws for bad input: broken YAML or the wrong shape gives `{ ok: false, error }`.
 */
export function parseGithubActionsFile(text: string, path: string, kind: GithubActionsFileKind): ParsedFile {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { ok: false, error: 'empty file' };
  const r = new Reader(source, path);
  const error = firstError(r);
  if (error) return { ok: false, error };
  const root = r.map(r.doc.contents);
  if (!root) return { ok: false, error: `not a GitHub Actions ${kind}: the file is not a YAML mapping` };
  const name = r.str(r.get(root, 'name')?.value);
  const definedAt = r.nodeAt(root.items[0]?.key as YNode);

  if (kind === 'action') {
    const runs = r.get(root, 'runs');
    const runsMap = r.map(runs?.value);
    if (!runs || !runsMap) return { ok: false, error: 'not a GitHub Action: no `runs:` mapping' };
    if ((r.str(r.get(runsMap, 'using')?.value) ?? '').toLowerCase() !== 'composite') return { ok: false, skip: true };
    const job: WorkflowJob = { id: 'runs', at: r.keyAt(runs), secrets: [], with: [], env: [], steps: stepsOf(r, r.get(runsMap, 'steps')?.value) };
    const attributes: WorkflowAttributes = { platform: 'github-actions', triggers: [], env: [], jobs: [job], secretRefs: secretRefsOf(r, kind) };
    const allowed = allowedLines(source);
    if (allowed.length) attributes.allowedLines = allowed;
    return { ok: true, ...(name !== undefined ? { name } : {}), definedAt, attributes };
  }

  const on = r.get(root, 'on');
  const jobs = r.map(r.get(root, 'jobs')?.value);
  if (!on || !jobs) return { ok: false, error: `not a GitHub Actions workflow: no ${!on ? '`on:`' : '`jobs:` mapping'}` };
  const attributes: WorkflowAttributes = {
    platform: 'github-actions',
    triggers: triggersOf(r, on),
    env: r.named(r.map(r.get(root, 'env')?.value)),
    jobs: r.pairs(jobs).map(({ key, pair }) => jobOf(r, key, pair)),
    secretRefs: secretRefsOf(r, kind),
  };
  const permissions = permissionsOf(r, r.get(root, 'permissions'));
  if (permissions) attributes.permissions = permissions;
  const allowed = allowedLines(source);
  if (allowed.length) attributes.allowedLines = allowed;
  return { ok: true, ...(name !== undefined ? { name } : {}), definedAt, attributes };
}
