/**
 * One GitLab CI pipeline (a `.gitlab-ci.yml` and the local files it includes) into WorkflowAttributes
 * (src/core/workflow.ts), every part with the file, line and column it was read from.
 *
 * How the configuration is put together, in GitLab's order (https://docs.gitlab.com/ci/yaml/):
 * 1. includes: each file's `include:` entries are read first, in order, each local file with its own includes
 *    (at most MAX_INCLUDES in all, a file already being read is not read again: cycles stop); then the file
 *    itself. Files are merged as GitLab does, by a deep merge of mappings where the later file wins (a job
 *    defined again is merged key by key into the earlier one; lists and scalars are replaced, never joined);
 *    keys keep the order of their first appearance. Only `local` includes are read (from the same checkout);
 *    remote, project, template and component includes are recorded, never fetched, and conditional includes
 *    (`rules:`) are read as if their rules held.
 * 2. `extends:` (a name or a list, from hidden or visible jobs in any file, up to MAX_EXTENDS_DEPTH deep):
 *    parents merged in order, then the job's own keys, with the same deep merge.
 * 3. `!reference [job, key, …]` (after extends, as GitLab resolves them), up to MAX_REFERENCE_DEPTH nested;
 *    a reference to nothing is dropped (from a list) or leaves the key out (in a mapping).
 * 4. `default:` (and the legacy top-level `image`, `services`, `cache`, `before_script`, `after_script`)
 *    gives a job each of DEFAULT_KEYS it does not set itself, unless `inherit: default:` says otherwise.
 *
 * Every value keeps the Location it was written at (its own file, even after merging); variable references
 * are found in each scalar's source text, so their line and column are exact inside block scalars too.
 * YAML aliases and `<<:` merge keys are followed. Nothing is evaluated: rules, only/except and
 * `$[[ inputs ]]` are read as written.
 */
import { posix } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair } from 'yaml';
import type { Location } from '../../src/core/model.js';
import { quoteLine, reduceUrl } from '../../src/detectors/sanitize.js';
import type { NamedValue, SecretRef, WorkflowAttributes, WorkflowInclude, WorkflowJob, WorkflowStep, WorkflowTrigger } from '../../src/core/workflow.js';

/** GitLab's default limit on the includes of one pipeline, nested ones counted. */
export const MAX_INCLUDES = 150;
/** GitLab: up to 11 levels of `extends`. */
const MAX_EXTENDS_DEPTH = 11;
/** GitLab: up to 10 levels of nested `!reference`. */
const MAX_REFERENCE_DEPTH = 10;
/** Node visits per pipeline at most (aliases, extends and references can multiply a small file into a huge tree). */
const MAX_NODES = 1_000_000;

/** Top-level keys that are not jobs. */
const RESERVED = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'types', 'spec']);

/** What `default:` can give a job (https://docs.gitlab.com/ci/yaml/#default). */
const DEFAULT_KEYS = ['after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout'];
/** Top-level keywords that still act as defaults when `default:` does not set them (deprecated by GitLab, still honoured). */
const LEGACY_GLOBAL_DEFAULTS = ['image', 'services', 'cache', 'before_script', 'after_script'];

/** A job's steps: `before_script` (index 0), `script` (1), `after_script` (2). */
const STEP_KEYS = ['before_script', 'script', 'after_script'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Values with their positions

interface SourceFile {
  /** Relative to the scanned root (POSIX): what goes into Locations. */
  path: string;
  text: string;
  lines: LineCounter;
}

interface Pos {
  file: SourceFile;
  offset: number;
}

type V = VScalar | VMap | VSeq | VRef;

interface VScalar {
  t: 'scalar';
  value: unknown;
  at: Pos;
  /** End offset of the scalar's source. */
  end: number;
}

interface VEntry {
  key: Pos;
  value: V;
}

interface VMap {
  t: 'map';
  at: Pos;
  entries: Map<string, VEntry>;
}

interface VSeq {
  t: 'seq';
  at: Pos;
  items: V[];
}

/** `!reference [job, key, …]`, before it is resolved. */
interface VRef {
  t: 'ref';
  at: Pos;
  path: string[];
}

function loc(pos: Pos): Location {
  const { line, col } = pos.file.lines.linePos(pos.offset);
  return { path: pos.file.path, line, column: col };
}

/** A scalar's text (numbers and booleans as String() writes them); undefined for null, maps, lists, references. */
function text(v: V | undefined): string | undefined {
  if (!v || v.t !== 'scalar' || v.value === null || v.value === undefined) return undefined;
  return typeof v.value === 'string' ? v.value : String(v.value);
}

function asMap(v: V | undefined): VMap | undefined {
  return v?.t === 'map' ? v : undefined;
}

/** A list's items, lists inside it flattened (as GitLab flattens `rules:` and scripts built with `!reference`); [] for a non-list. */
function flat(v: V | undefined, depth = 0): V[] {
  if (v?.t !== 'seq' || depth > 10) return [];
  return v.items.flatMap((item) => (item.t === 'seq' ? flat(item, depth + 1) : [item]));
}

class Budget {
  private left = MAX_NODES;
  /** False once exhausted: callers stop walking. */
  tick(): boolean {
    return --this.left >= 0;
  }
  /** Whether some walk was cut short: the pipeline as read may miss jobs, steps or references. */
  get exhausted(): boolean {
    return this.left < 0;
  }
}

/** Deep merge, `b` winning: maps merged key by key (recursively), anything else replaced by `b`. */
function deepMerge(a: V, b: V, budget: Budget): V {
  if (a.t !== 'map' || b.t !== 'map' || !budget.tick()) return b;
  const entries = new Map(a.entries);
  for (const [key, entry] of b.entries) {
    const before = entries.get(key);
    entries.set(key, before ? { key: entry.key, value: deepMerge(before.value, entry.value, budget) } : entry);
  }
  return { t: 'map', at: b.at, entries };
}

function without(map: VMap, ...keys: string[]): VMap {
  if (!keys.some((k) => map.entries.has(k))) return map;
  const entries = new Map(map.entries);
  for (const k of keys) entries.delete(k);
  return { ...map, entries };
}

// ---------------------------------------------------------------------------------------------------------------
// One file

/** `!reference` as a known tag: the list stays a list node carrying the tag, and the library does not warn about it. */
const REFERENCE_TAG = { tag: '!reference', collection: 'seq' as const, default: false as const };

type YNode = Node | null | undefined;

interface LoadedFile {
  file: SourceFile;
  top: VMap;
  /** The pipeline document's first key. */
  firstKey: Pos;
}

type Loaded = { ok: true; value: LoadedFile } | { ok: false; error: string };

function firstError(docs: Document.Parsed[]): string | undefined {
  for (const doc of docs) {
    const error = doc.errors[0];
    if (!error) continue;
    const pos = error.linePos?.[0];
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${message}`;
  }
  return undefined;
}

/** Parses one file into a mapping of values with positions; `path` (relative to the scanned root) goes into its Locations. */
function loadFile(raw: string, path: string, budget: Budget): Loaded {
  const source = raw.replace(/^\uFEFF/, '');
  if (source.includes('\0')) return { ok: false, error: 'binary file, not YAML' };
  if (source.trim() === '') return { ok: false, error: 'empty file' };
  const lines = new LineCounter();
  const parsed = parseAllDocuments(source, { lineCounter: lines, merge: true, uniqueKeys: false, customTags: [REFERENCE_TAG], prettyErrors: true });
  const docs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  const error = firstError(docs);
  if (error) return { ok: false, error };
  // A file with a `spec:` header is two documents: the header, then the pipeline.
  const doc = docs[docs.length - 1];
  if (!doc || doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === undefined))) {
    return { ok: false, error: docs.length > 1 ? 'no configuration after the `spec:` header' : 'empty file' };
  }
  if (!isMap(doc.contents)) return { ok: false, error: 'not a GitLab CI configuration: the file is not a YAML mapping' };
  const file: SourceFile = { path, text: source, lines };
  const top = new Converter(file, doc, budget).convert(doc.contents, 0);
  if (top.t !== 'map') return { ok: false, error: 'not a GitLab CI configuration: the file is not a YAML mapping' };
  const first = doc.contents.items[0]?.key as YNode;
  return { ok: true, value: { file, top, firstKey: { file, offset: first?.range?.[0] ?? doc.contents.range?.[0] ?? 0 } } };
}

class Converter {
  /** Each node converted once: aliases share the result, and a billion-laughs file stays linear here. */
  private readonly done = new Map<unknown, V>();

  constructor(
    private readonly file: SourceFile,
    private readonly doc: Document.Parsed,
    private readonly budget: Budget,
  ) {}

  private pos(offset: number | undefined): Pos {
    return { file: this.file, offset: offset ?? 0 };
  }

  private nothing(offset: number | undefined): VScalar {
    return { t: 'scalar', value: null, at: this.pos(offset), end: offset ?? 0 };
  }

  convert(node: unknown, depth: number, near?: number): V {
    if (node === null || node === undefined) return this.nothing(near);
    const known = this.done.get(node);
    if (known) return known;
    let out: V;
    if (!this.budget.tick() || depth > 64) {
      out = this.nothing(near);
    } else if (isAlias(node)) {
      out = this.convert(node.resolve(this.doc), depth + 1, node.range?.[0] ?? near);
    } else if (isScalar(node)) {
      out = { t: 'scalar', value: node.value, at: this.pos(node.range?.[0] ?? near), end: node.range?.[1] ?? near ?? 0 };
    } else if (isSeq(node)) {
      const at = this.pos(node.range?.[0] ?? near);
      if (node.tag === '!reference') {
        const path = node.items.map((item) => {
          const target = isAlias(item) ? item.resolve(this.doc) : item;
          return isScalar(target) && target.value !== null ? String(target.value) : '';
        });
        out = { t: 'ref', at, path };
      } else {
        out = { t: 'seq', at, items: node.items.map((item) => this.convert(item, depth + 1, at.offset)) };
      }
    } else if (isMap(node)) {
      out = this.map(node.items, this.pos(node.range?.[0] ?? near), depth);
    } else {
      out = this.nothing(near);
    }
    this.done.set(node, out);
    return out;
  }

  private keyOf(pair: Pair): string | undefined {
    const key = isAlias(pair.key) ? pair.key.resolve(this.doc) : pair.key;
    if (!isScalar(key) || key.value === null || key.value === undefined || typeof key.value === 'symbol') return undefined;
    return String(key.value);
  }

  private isMergeKey(pair: Pair): boolean {
    return isScalar(pair.key) && (typeof pair.key.value === 'symbol' || (pair.key.value === '<<' && pair.key.type === 'PLAIN'));
  }

  /** A mapping, with `<<:` merge keys: explicit keys win over merged ones, and earlier merged maps over later ones. */
  private map(pairs: Pair[], at: Pos, depth: number): VMap {
    const explicit = new Set<string>();
    for (const pair of pairs) {
      const key = this.isMergeKey(pair) ? undefined : this.keyOf(pair);
      if (key !== undefined) explicit.add(key);
    }
    const entries = new Map<string, VEntry>();
    const merged = new Set<string>();
    for (const pair of pairs) {
      const keyNode = pair.key as YNode;
      if (this.isMergeKey(pair)) {
        const value = this.convert(pair.value, depth + 1, keyNode?.range?.[0]);
        const sources = value.t === 'seq' ? value.items : [value];
        for (const source of sources) {
          if (source.t !== 'map') continue;
          for (const [key, entry] of source.entries) {
            if (explicit.has(key) || merged.has(key)) continue;
            merged.add(key);
            entries.set(key, entry);
          }
        }
        continue;
      }
      const key = this.keyOf(pair);
      if (key === undefined) continue;
      const keyAt = this.pos(keyNode?.range?.[0] ?? at.offset);
      // A key written twice: the last one wins (as GitLab's YAML loader reads it).
      entries.delete(key);
      entries.set(key, { key: keyAt, value: this.convert(pair.value, depth + 1, keyNode?.range?.[1]) });
    }
    return { t: 'map', at, entries };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Includes

/** What reading a file of the repository gave. */
export type FileContent = { text: string } | { missing: true } | { error: string };

/** The repository a pipeline is read from: its files by path relative to the repository root. */
export interface RepoFiles {
  read(path: string): Promise<FileContent>;
  /** Every file of the repository (relative to its root, POSIX), for wildcard includes. */
  list(): Promise<string[]>;
}

/** A problem with one file of a pipeline; `path` (relative to the scanned root) is the file it concerns. */
export interface PipelineWarning {
  kind: 'parse-error' | 'not-found';
  path: string;
  message: string;
}

const SHA = /^[0-9a-f]{40}$/i;

/**
 * A local include path relative to the repository root: leading `/` or `./` dropped, normalised;
 * undefined when it leaves the repository or uses variables (GitLab expands some; nhi does not).
 */
export function localIncludePath(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.includes('$')) return undefined;
  const normal = posix.normalize(trimmed.replace(/^\/+/, ''));
  if (normal === '.' || normal === '..' || normal.startsWith('../') || normal.startsWith('/')) return undefined;
  return normal.replace(/^\.\//, '');
}

/**
 * GitLab's wildcard for `include: local:` (Repository#search_files_by_wildcard_path): `**` is anything, `/` too;
 * `*` is anything but `/`. So `ci/*.yml` is the files directly in `ci/`, `ci/**.yml` those at any depth below it,
 * and `ci/**\/*.yml` those in its sub-folders only.
 */
const MAX_WILDCARDS = 8;

export function wildcardMatcher(pattern: string): RegExp {
  // Runs of stars are one wildcard; more than MAX_WILDCARDS of them match nothing (a pattern of many `**a` would make
  // the regex backtrack for minutes against each path); GitLab's own patterns use one or two.
  const collapsed = pattern.replace(/\*{3,}/g, '**');
  if ((collapsed.match(/\*+/g) ?? []).length > MAX_WILDCARDS) return /(?!)/;
  const body = collapsed
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*?'),
    )
    .join('.*?');
  return new RegExp(`^${body}$`);
}

interface IncludeSpec {
  include: WorkflowInclude;
  /** For local: the path as written. */
  local?: string;
  /** `inputs:` given to the included file or component (values are interpolated into its configuration). */
  inputs?: VMap;
}

function includeSpecs(value: V | undefined, at: (p: Pos) => Location): IncludeSpec[] {
  if (!value) return [];
  const items = value.t === 'seq' ? value.items : [value];
  const out: IncludeSpec[] = [];
  for (const item of items) {
    const where = at(item.at);
    const s = text(item);
    if (s !== undefined) {
      if (/^https?:\/\//i.test(s.trim())) out.push({ include: { kind: 'remote', raw: reduceUrl(s), pinned: false, at: where } });
      else out.push({ include: { kind: 'local', raw: s, pinned: false, resolved: false, at: where }, local: s });
      continue;
    }
    const map = asMap(item);
    if (!map) continue;
    const get = (k: string) => text(map.entries.get(k)?.value);
    const inputs = asMap(map.entries.get('inputs')?.value);
    const before = out.length;
    const local = get('local');
    const remote = get('remote');
    const project = get('project');
    const template = get('template');
    const component = get('component');
    if (local !== undefined) {
      out.push({ include: { kind: 'local', raw: local, pinned: false, resolved: false, at: where }, local });
    } else if (remote !== undefined) {
      const integrity = get('integrity');
      // Kept without user info, query or fragment: a private token in `?private_token=` is not the include's name.
      out.push({ include: { kind: 'remote', raw: reduceUrl(remote), pinned: !!integrity && integrity.trim() !== '', at: where } });
    } else if (project !== undefined) {
      const fileValue = map.entries.get('file')?.value;
      const files = fileValue?.t === 'seq' ? fileValue.items.map(text).filter((f): f is string => f !== undefined) : [text(fileValue)].filter((f): f is string => f !== undefined);
      const ref = get('ref');
      out.push({
        include: { kind: 'project', raw: files.length ? `${project}:${files.join(',')}` : project, ...(ref !== undefined ? { ref } : {}), pinned: ref !== undefined && SHA.test(ref.trim()), at: where },
      });
    } else if (template !== undefined) {
      out.push({ include: { kind: 'template', raw: template, pinned: false, at: where } });
    } else if (component !== undefined) {
      const atSign = component.lastIndexOf('@');
      const ref = atSign >= 0 ? component.slice(atSign + 1) : undefined;
      out.push({ include: { kind: 'component', raw: component, ...(ref !== undefined ? { ref } : {}), pinned: ref !== undefined && SHA.test(ref.trim()), at: where } });
    }
    if (inputs && out.length > before) out[out.length - 1]!.inputs = inputs;
  }
  return out;
}

class Composer {
  readonly includes: WorkflowInclude[] = [];
  /** The `inputs:` of the includes, for the references they hold (a secret handed to a component as an input). */
  readonly inputs: VMap[] = [];
  /** Includes already recorded, by where they are written: a file included twice (with other inputs) lists its own includes once. */
  private readonly recorded = new Set<string>();
  /** Files read, relative to the scanned root, in reading order. */
  readonly files: string[] = [];
  readonly warnings: PipelineWarning[] = [];
  private count = 0;
  private capWarned = false;
  private readonly loaded = new Map<string, Loaded>();
  private listing: Promise<string[]> | undefined;

  constructor(
    private readonly repo: string,
    private readonly source: RepoFiles,
    private readonly budget: Budget,
  ) {}

  scanned(path: string): string {
    return this.repo === '' ? path : `${this.repo}/${path}`;
  }

  private async load(path: string): Promise<Loaded> {
    const known = this.loaded.get(path);
    if (known) return known;
    let result: Loaded;
    const content = await this.source.read(path);
    if ('missing' in content) result = { ok: false, error: 'not found' };
    else if ('error' in content) result = { ok: false, error: content.error };
    else result = loadFile(content.text, this.scanned(path), this.budget);
    if (result.ok && !this.files.includes(result.value.file.path)) this.files.push(result.value.file.path);
    this.loaded.set(path, result);
    return result;
  }

  private async expand(pattern: string): Promise<string[]> {
    if (!pattern.includes('*')) return [pattern];
    this.listing ??= this.source.list();
    const re = wildcardMatcher(pattern);
    return (await this.listing).filter((p) => re.test(p)).sort();
  }

  /** The file's configuration with its includes merged in before it. `stack`: the files being read (repository paths). */
  async compose(file: LoadedFile, stack: string[]): Promise<VMap> {
    let acc: V | undefined;
    const warn = (kind: PipelineWarning['kind'], spec: IncludeSpec, message: string) => {
      const at = spec.include.at;
      this.warnings.push({ kind, path: file.file.path, message: `include at line ${at.line}, column ${at.column}: ${message}` });
    };
    for (const spec of includeSpecs(file.top.entries.get('include')?.value, loc)) {
      if (this.count >= MAX_INCLUDES) {
        if (!this.capWarned) warn('parse-error', spec, `more than ${MAX_INCLUDES} includes; the rest are not read`);
        this.capWarned = true;
        break;
      }
      this.count++;
      const where = `${spec.include.at.path}:${spec.include.at.line}:${spec.include.at.column}`;
      if (!this.recorded.has(where)) {
        this.recorded.add(where);
        this.includes.push(spec.include);
      }
      if (spec.inputs) this.inputs.push(spec.inputs);
      if (spec.local === undefined) continue;
      const path = localIncludePath(spec.local);
      if (path === undefined) continue;
      const paths = await this.expand(path);
      if (paths.length === 0) {
        warn('not-found', spec, `no file matches local include "${spec.local}"`);
        continue;
      }
      let resolved = true;
      for (const p of paths) {
        if (stack.includes(p)) {
          warn('parse-error', spec, `"${spec.local}" is already being read (an include cycle); not read again`);
          continue;
        }
        const sub = await this.load(p);
        if (!sub.ok) {
          resolved = false;
          warn(sub.error === 'not found' ? 'not-found' : 'parse-error', spec, sub.error === 'not found' ? `local include "${spec.local}" not found` : `${this.scanned(p)}: ${sub.error}`);
          continue;
        }
        const composed = await this.compose(sub.value, [...stack, p]);
        acc = acc ? deepMerge(acc, composed, this.budget) : composed;
      }
      spec.include.resolved = resolved;
    }
    const own = without(file.top, 'include');
    const out = acc ? deepMerge(acc, own, this.budget) : own;
    return out.t === 'map' ? out : own;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Extends, references, defaults

class Resolver {
  private readonly extended = new Map<string, VMap | null>();

  constructor(
    private readonly top: VMap,
    private readonly budget: Budget,
  ) {}

  /** A top-level entry with its `extends:` applied (and the `extends` key dropped); undefined for no such mapping. */
  extendedOf(name: string): VMap | undefined {
    return this.extendedIn(name, [])[0];
  }

  /**
   * [the result, whether it is complete]. A result reached through a cut cycle or the depth limit is not kept (another
   * path may see more of it); a complete one is, so each template is merged once however many jobs and templates
   * extend it (without that, templates extending a shared parent several times over grow exponentially). Parents
   * listed twice count once.
   */
  private extendedIn(name: string, chain: string[]): [VMap | undefined, boolean] {
    const known = this.extended.get(name);
    if (known !== undefined) return [known ?? undefined, true];
    const own = asMap(this.top.entries.get(name)?.value);
    if (!own) return [undefined, true];
    const ext = own.entries.get('extends')?.value;
    const listed = ext?.t === 'seq' ? ext.items.map(text).filter((p): p is string => p !== undefined) : [text(ext)].filter((p): p is string => p !== undefined);
    const parents = [...new Set(listed)].filter((p) => p !== name);
    let base: V | undefined;
    let complete = true;
    if (chain.length < MAX_EXTENDS_DEPTH && !chain.includes(name)) {
      for (const parent of parents) {
        if (chain.includes(parent)) {
          complete = false;
          continue;
        }
        const [resolved, whole] = this.extendedIn(parent, [...chain, name]);
        complete &&= whole;
        if (resolved) base = base ? deepMerge(base, resolved, this.budget) : resolved;
      }
    } else if (parents.length) complete = false;
    const self = without(own, 'extends');
    const merged = base ? deepMerge(base, self, this.budget) : self;
    const out = merged.t === 'map' ? merged : self;
    if (complete || chain.length === 0) this.extended.set(name, out);
    return [out, complete];
  }

  /** `v` with every `!reference` replaced by what it names; undefined when `v` is itself a reference to nothing. */
  resolve(v: V | undefined, depth = 0): V | undefined {
    if (!v || !this.budget.tick()) return undefined;
    switch (v.t) {
      case 'scalar':
        return v;
      case 'ref':
        return depth >= MAX_REFERENCE_DEPTH ? undefined : this.resolve(this.target(v.path), depth + 1);
      case 'seq': {
        const items: V[] = [];
        for (const item of v.items) {
          const r = this.resolve(item, depth);
          if (r) items.push(r);
        }
        return { ...v, items };
      }
      case 'map': {
        const entries = new Map<string, VEntry>();
        for (const [key, entry] of v.entries) {
          const r = this.resolve(entry.value, depth);
          if (r) entries.set(key, { key: entry.key, value: r });
        }
        return { ...v, entries };
      }
    }
  }

  private target(path: string[]): V | undefined {
    const [first, ...keys] = path;
    if (first === undefined) return undefined;
    let cur: V | undefined = this.extendedOf(first) ?? this.top.entries.get(first)?.value;
    for (const key of keys) {
      const map = asMap(cur);
      cur = map?.entries.get(key)?.value;
      if (!cur) return undefined;
    }
    return cur;
  }
}

/** The keys `default:` gives this job: all, none (`inherit: default: false`), or those listed. */
function inheritedDefaults(job: VMap): Set<string> {
  const inherit = asMap(job.entries.get('inherit')?.value)?.entries.get('default')?.value;
  if (!inherit) return new Set(DEFAULT_KEYS);
  if (inherit.t === 'seq') return new Set(inherit.items.map(text).filter((k): k is string => k !== undefined));
  return text(inherit) === 'false' ? new Set() : new Set(DEFAULT_KEYS);
}

// ---------------------------------------------------------------------------------------------------------------
// Variable references

/**
 * `_`-separated parts of a variable name that make it read like a credential (compared upper-cased, trailing
 * digits dropped: `TOKEN2` is `TOKEN`). Whole parts only: `MONKEY`, `KEYBOARD`, `AUTHOR` and `PASSAGE` are not.
 */
export const CREDENTIAL_NAME_PARTS: readonly string[] = [
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASS',
  'PASSPHRASE',
  'PWD',
  'KEY',
  'APIKEY',
  'PRIVATEKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'PAT',
  'AUTH',
  'CERT',
  'KUBECONFIG',
  'SAS',
  'DSN',
  'WEBHOOK',
];

/** Runs of parts that read like a credential together. */
export const CREDENTIAL_NAME_SEQUENCES: readonly string[] = ['CONN_STR', 'CONNECTION_STRING'];

const CREDENTIAL_PARTS = new Set(CREDENTIAL_NAME_PARTS);

/** Whether a variable's name reads like it holds a credential (`API_KEY`, `DEPLOY_TOKEN`, `DB_PASS`, `KUBECONFIG`…). */
export function isCredentialName(name: string): boolean {
  const parts = name
    .toUpperCase()
    .split('_')
    .map((p) => p.replace(/\d+$/, ''))
    .filter((p) => p !== '');
  if (parts.some((p) => CREDENTIAL_PARTS.has(p))) return true;
  const joined = `_${parts.join('_')}_`;
  return CREDENTIAL_NAME_SEQUENCES.some((s) => joined.includes(`_${s}_`));
}

/**
 * Prefixes of the variables GitLab (and its runner) define in every job. `GITLAB_` is not one of them as a
 * prefix: GitLab predefines only the names in PREDEFINED_VARIABLES, and `GITLAB_TOKEN` is a user's own secret.
 */
export const PREDEFINED_PREFIXES: readonly string[] = ['CI_', 'RUNNER_', 'CHAT_', 'TRIGGER_PAYLOAD', 'FF_'];

/** Predefined GitLab variables outside those prefixes, and the shell's own. */
export const PREDEFINED_VARIABLES: ReadonlySet<string> = new Set([
  'GITLAB_CI',
  'GITLAB_FEATURES',
  'GITLAB_USER_EMAIL',
  'GITLAB_USER_ID',
  'GITLAB_USER_LOGIN',
  'GITLAB_USER_NAME',
  'GITLAB_ENV',
  'CI',
  'HOME',
  'PATH',
  'PWD',
  'OLDPWD',
  'USER',
  'SHELL',
  'HOSTNAME',
  'TMPDIR',
  'LANG',
  'TERM',
  'UID',
]);

export function isPredefinedVariable(name: string): boolean {
  return PREDEFINED_VARIABLES.has(name) || PREDEFINED_PREFIXES.some((p) => name.startsWith(p));
}

/** GitLab's automatic job token. */
export const JOB_TOKEN = 'CI_JOB_TOKEN';

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)[^}\n]*\}?|\$[Ee][Nn][Vv]:([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/g;

/**
 * The variable references in a scalar's source text (`start` = its offset in the file): `$NAME`, `${NAME}`,
 * `$env:NAME` (PowerShell) and `%NAME%` (cmd, not between `/`s or glued to a word). `$$` is an escaped `$`, so
 * `$$NAME` is no reference.
 */
export function variableRefsIn(source: string, start: number): Array<{ name: string; expression: string; offset: number }> {
  const out: Array<{ name: string; expression: string; offset: number }> = [];
  for (const m of source.matchAll(VARIABLE)) {
    const name = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (name === undefined) continue;
    // `%NAME%` reads as cmd's only between word boundaries: not a placeholder inside a sed expression or a URL
    // (`s/%TOKEN%/…/`, `…/%VERSION%/…`), which a bash script on a Linux runner writes for its own substitution.
    if (m[4] !== undefined && (/[/\w%]/.test(source[m.index! - 1] ?? ' ') || /[/\w%]/.test(source[m.index! + m[0].length] ?? ' '))) continue;
    // `${NAME:-default}` keeps only `${NAME}`: the default is a literal the file holds, maybe a credential.
    const expression = m[1] !== undefined ? `\${${name}}` : m[0];
    out.push({ name, expression, offset: start + m.index! });
  }
  return out;
}

type Place = Pick<SecretRef, 'job' | 'step' | 'section' | 'key'>;

/** Job, step, section and key of a value, from its path of keys inside a job (or at the top, without `job`). */
function placeOf(job: string | undefined, path: Array<string | number>): Place {
  const base = job === undefined ? {} : { job };
  const key = (k: unknown) => (typeof k === 'string' ? { key: k } : {});
  const [first, second] = path;
  // Inside `rules:`, list positions (nested ones too, from `!reference`) are skipped: `rules[0][1].if`.
  const [third, fourth] = first === 'rules' ? path.slice(1).filter((p) => typeof p === 'string') : [];
  const step = STEP_KEYS.indexOf(first as (typeof STEP_KEYS)[number]);
  if (job !== undefined && step >= 0) return { ...base, step, section: 'run' };
  // An include's `inputs:` are what the included file or component is given, like an action's `with:`.
  if (job === undefined && first === 'include' && second === 'inputs') return { section: 'with', ...key(path[2]) };
  if (first === 'variables') return { ...base, section: 'env', ...key(second) };
  if (first === 'secrets') return { ...base, section: 'secrets', ...key(second) };
  if (third === 'if') return { ...base, section: 'if' };
  if (third === 'variables') return { ...base, section: 'env', ...key(fourth) };
  if ((first === 'only' || first === 'except') && second === 'variables') return { ...base, section: 'if' };
  return { ...base, section: 'other' };
}

class RefCollector {
  readonly refs: SecretRef[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly budget: Budget) {}

  /**
   * Every reference in the string scalars under `v`; `defined` names the variables the configuration sets itself.
   * With `assigned` (a job's scripts, scanned in the order they run), a variable an earlier line, or an earlier place
   * of the same line, sets in the shell is not a CI/CD variable either; each line's own assignments are added after it.
   */
  scan(v: V | undefined, path: Array<string | number>, job: string | undefined, defined: ReadonlySet<string>, depth = 0, assigned?: Set<string>): void {
    if (!v || depth > 64 || !this.budget.tick()) return;
    if (v.t === 'map') {
      for (const [key, entry] of v.entries) this.scan(entry.value, [...path, key], job, defined, depth + 1, assigned);
    } else if (v.t === 'seq') {
      v.items.forEach((item, i) => this.scan(item, [...path, i], job, defined, depth + 1, assigned));
    } else if (v.t === 'scalar' && typeof v.value === 'string') {
      const source = v.at.file.text.slice(v.at.offset, v.end);
      const here = assigned ? scriptAssigned(source) : [];
      // Set earlier in the same line: a command separator between the assignment and the reference (`TOKEN=$TOKEN cmd`
      // and `export KEY="$KEY"` read the CI/CD variable).
      const setBefore = (name: string, offset: number) =>
        (assigned?.has(name) ?? false) || here.some((a) => a.name === name && v.at.offset + a.offset <= offset && /[;\n|&]/.test(source.slice(a.offset, offset - v.at.offset)));
      if (v.value.includes('$') || v.value.includes('%')) this.refsOf(source, v, path, job, defined, setBefore);
      for (const a of here) assigned!.add(a.name);
    }
  }

  private refsOf(source: string, v: VScalar, path: Array<string | number>, job: string | undefined, defined: ReadonlySet<string>, setBefore: (name: string, offset: number) => boolean): void {
    {
      for (const ref of variableRefsIn(source, v.at.offset)) {
        const kind =
          ref.name === JOB_TOKEN ? 'job-token' : isCredentialName(ref.name) && !defined.has(ref.name) && !isPredefinedVariable(ref.name) && !setBefore(ref.name, ref.offset) ? 'named' : undefined;
        if (!kind) continue;
        this.add({
          kind,
          ...(kind === 'named' ? { name: ref.name } : {}),
          expression: ref.expression,
          at: loc({ file: v.at.file, offset: ref.offset }),
          ...placeOf(job, path),
        });
      }
    }
  }

  add(ref: SecretRef): void {
    const id = JSON.stringify([ref.kind, ref.name, ref.at, ref.job, ref.step, ref.section, ref.key]);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.refs.push(ref);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Triggers

/** `$CI_PIPELINE_SOURCE` compared to a string or matched against a regular expression. */
const PIPELINE_SOURCE_TEST = /\$\{?CI_PIPELINE_SOURCE\}?\s*(==|!=|=~|!~)\s*(?:"([^"]*)"|'([^']*)'|\/((?:\\.|[^/\\])*)\/[a-z]*)/g;

function alternatives(regex: string): string[] {
  return regex
    .replace(/\(\?:/g, '(')
    .replace(/[\^$()]/g, '')
    .split('|')
    .map((s) => s.trim())
    .filter((s) => /^[a-z_]+$/.test(s));
}

/** Whether the expression tests `$NAME` for being set (not `== null` / `== ""`). */
function testsSet(expression: string, names: string[]): boolean {
  for (const name of names) {
    const re = new RegExp(`\\$\\{?${name}\\}?(?![A-Za-z0-9_])(\\s*==\\s*(null|""|''))?`, 'g');
    for (const m of expression.matchAll(re)) if (!m[1]) return true;
  }
  return false;
}

/**
 * The pipeline sources an `if:` of `workflow: rules` lets in, read from each `||` alternative: the sources
 * `$CI_PIPELINE_SOURCE` is compared to (`==`, `=~ /a|b/`); else `merge_request_event` for a test of
 * `$CI_MERGE_REQUEST_IID` or `_ID`; else `push` for a test of `$CI_COMMIT_BRANCH`, `$CI_COMMIT_TAG` or
 * `$CI_COMMIT_REF_NAME`/`_SLUG` (set in branch and tag pipelines alike: `if: $CI_COMMIT_REF_NAME` lets every push in).
 */
export function pipelineSourcesOf(expression: string): string[] {
  const out: string[] = [];
  for (const part of expression.split('||')) {
    const named: string[] = [];
    for (const m of part.matchAll(PIPELINE_SOURCE_TEST)) {
      if (m[1] === '==') named.push(m[2] ?? m[3] ?? '');
      else if (m[1] === '=~') named.push(...(m[4] !== undefined ? alternatives(m[4]) : [m[2] ?? m[3] ?? '']));
    }
    if (named.some((n) => n !== '')) out.push(...named.filter((n) => n !== ''));
    else if (testsSet(part, ['CI_MERGE_REQUEST_IID', 'CI_MERGE_REQUEST_ID'])) out.push('merge_request_event');
    else if (testsSet(part, ['CI_COMMIT_BRANCH', 'CI_COMMIT_TAG', 'CI_COMMIT_REF_NAME', 'CI_COMMIT_REF_SLUG'])) out.push('push');
  }
  return [...new Set(out)];
}

/**
 * Triggers from `workflow: rules`: each rule that does not say `when: never` adds the sources its `if:` names
 * (pipelineSourcesOf), at the `if` value; a rule with no `if:` lets every push in (`push`, at the rule).
 * Without `workflow: rules`, GitLab runs the pipeline on every push: one implicit `push`.
 */
function triggersOf(workflow: VMap | undefined, firstKey: Pos): WorkflowTrigger[] {
  const rules = flat(workflow?.entries.get('rules')?.value);
  if (rules.length === 0) return [{ event: 'push', implicit: true, at: loc(firstKey) }];
  const out: WorkflowTrigger[] = [];
  const add = (event: string, at: Pos) => {
    if (!out.some((t) => t.event === event)) out.push({ event, at: loc(at) });
  };
  for (const rule of rules) {
    const map = asMap(rule);
    if (!map || text(map.entries.get('when')?.value) === 'never') continue;
    const ifValue = map.entries.get('if')?.value;
    const expression = text(ifValue);
    if (expression === undefined) {
      add('push', map.at);
      continue;
    }
    for (const event of pipelineSourcesOf(expression)) add(event, ifValue!.at);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs

function namedValues(map: VMap | undefined): NamedValue[] {
  if (!map) return [];
  const out: NamedValue[] = [];
  for (const [name, entry] of map.entries) {
    let value = entry.value;
    // `NAME: { value, description, options, expand }`
    const inner = asMap(value)?.entries.get('value');
    if (inner) value = inner.value;
    out.push({ name, value: text(value) ?? '', at: loc(entry.key), valueAt: loc(value.at) });
  }
  return out;
}

/** Where the source of `v` ends: the furthest end of the scalars under it (its start for an empty one). */
function endOf(v: V, depth = 0): number {
  if (v.t === 'scalar') return v.end;
  if (depth > 64) return v.at.offset;
  const parts = v.t === 'map' ? [...v.entries.values()].map((e) => e.value) : v.t === 'seq' ? v.items : [];
  return parts.reduce((end, part) => Math.max(end, endOf(part, depth + 1)), v.at.offset);
}

/** The source text of a value, as written (one line at most: a script line that YAML read as a mapping). */
function sourceOf(v: V): string {
  const raw = v.at.file.text.slice(v.at.offset, Math.max(endOf(v), v.at.offset));
  return raw.split('\n')[0]!.trim();
}

/**
 * A script's lines (`script`, `before_script`, `after_script`: a string or nested lists of strings). An item YAML
 * reads as a mapping (`- git commit -am "fix: typo"`, where the unquoted `: ` makes a key) is kept as the line it was
 * written as, and given to `misshapen`: GitLab rejects such a configuration.
 */
function scriptLines(v: V | undefined, misshapen?: (item: VMap) => void, depth = 0): string[] {
  if (!v || depth > 10) return [];
  if (v.t === 'seq') return v.items.flatMap((item) => scriptLines(item, misshapen, depth + 1));
  if (v.t === 'map') {
    misshapen?.(v);
    const line = sourceOf(v);
    return line === '' ? [] : [line];
  }
  const s = text(v);
  return s === undefined ? [] : [s];
}

/**
 * `when: manual` at job level, or in every rule of the job that can run it (a rule without `when:` takes the
 * job's `when`, else on_success; `when: never` rules are skipped): the `when` key that says so.
 */
function manualOf(job: VMap): Location | undefined {
  const jobWhen = job.entries.get('when');
  const jobWhenText = text(jobWhen?.value);
  const rules = flat(job.entries.get('rules')?.value);
  if (rules.some((r) => r.t === 'map')) {
    let at: Pos | undefined;
    for (const rule of rules) {
      const map = asMap(rule);
      if (!map) continue;
      const when = map.entries.get('when');
      const value = text(when?.value) ?? jobWhenText ?? 'on_success';
      if (value === 'never') continue;
      if (value !== 'manual') return undefined;
      at ??= when?.key ?? jobWhen?.key;
    }
    return at ? loc(at) : undefined;
  }
  return jobWhenText === 'manual' && jobWhen ? loc(jobWhen.key) : undefined;
}

/**
 * The condition a job runs under, from its `rules:`: the `if:`s of the rules that can run it (not `when: never`), joined
 * with ` || `; undefined when it has no rules, or a rule that can run it has no `if:` (it then always can).
 */
function ifOf(job: VMap): { text: string; at: Location } | undefined {
  const rules = flat(job.entries.get('rules')?.value).map(asMap).filter((r): r is VMap => r !== undefined);
  if (rules.length === 0) return undefined;
  const conditions: string[] = [];
  let at: Pos | undefined;
  for (const rule of rules) {
    if (text(rule.entries.get('when')?.value) === 'never') continue;
    const cond = rule.entries.get('if');
    const condText = text(cond?.value);
    if (!cond || condText === undefined || condText.trim() === '') return undefined;
    conditions.push(condText.trim());
    at ??= cond.key;
  }
  if (!at || conditions.length === 0) return undefined;
  return { text: conditions.length === 1 ? conditions[0]! : conditions.map((c) => `(${c})`).join(' || '), at: loc(at) };
}

function idTokensOf(map: VMap | undefined): NamedValue[] {
  if (!map) return [];
  const out: NamedValue[] = [];
  for (const [name, entry] of map.entries) {
    const aud = asMap(entry.value)?.entries.get('aud');
    const value = aud?.value.t === 'seq' ? aud.value.items.map(text).filter((a): a is string => a !== undefined).join(', ') : text(aud?.value);
    out.push({ name, value: value ?? '', at: loc(entry.key), valueAt: loc((aud?.value ?? entry.value).at) });
  }
  return out;
}

function keysOf(v: V | undefined): string[] {
  return v?.t === 'map' ? [...v.entries.keys()] : [];
}

/** Variables a job sets for itself: `variables:`, rule variables, `secrets:`, `id_tokens:`, `parallel: matrix:`. */
function jobDefined(job: VMap): string[] {
  const names = [...keysOf(job.entries.get('variables')?.value), ...keysOf(job.entries.get('secrets')?.value), ...keysOf(job.entries.get('id_tokens')?.value)];
  for (const rule of flat(job.entries.get('rules')?.value)) names.push(...keysOf(asMap(rule)?.entries.get('variables')?.value));
  const matrix = asMap(job.entries.get('parallel')?.value)?.entries.get('matrix')?.value;
  if (matrix?.t === 'seq') for (const row of matrix.items) names.push(...keysOf(row));
  return names;
}

/**
 * Shell (and PowerShell) variables a script sets itself (`export TOKEN=$(vault read …)`, `read -r TOKEN`,
 * `for KEY in …`, `$env:TOKEN = …`): references to them are not CI/CD variables of the project.
 */
export function scriptAssigned(script: string): Array<{ name: string; offset: number }> {
  const out: Array<{ name: string; offset: number }> = [];
  const patterns = [
    /(?:^|[\s;&|(`])(?:(?:export|local|readonly|declare(?:\s+-\w+)*|typeset(?:\s+-\w+)*)\s+)?([A-Za-z_]\w*)\+?=/g,

    /\bfor\s+([A-Za-z_]\w*)\s+in\b/g,
    /(?:^|[\s;{(])\$(?:[Ee][Nn][Vv]:)?([A-Za-z_]\w*)\s*=(?!=)/g,
  ];
  for (const re of patterns) for (const m of script.matchAll(re)) out.push({ name: m[1]!, offset: m.index! + m[0].length });
  // `read [-r] [-p prompt] [-a] NAME…`: words read one by one (a regex over options with optional arguments backtracks
  // exponentially on a line of many options).
  for (const m of script.matchAll(/\bread\s+/g)) {
    const words = /\S+/g;
    words.lastIndex = m.index! + m[0].length;
    let skipNext = false;
    for (let w = words.exec(script), n = 0; w && n < 32; w = words.exec(script), n++) {
      if (skipNext) {
        // The option's argument, a quoted one through its closing quote (`-p "Token: "`).
        const quote = /^["']/.exec(w[0])?.[0];
        if (quote && (w[0].length === 1 || !w[0].endsWith(quote))) {
          const close = script.indexOf(quote, w.index + 1);
          if (close < 0) break;
          words.lastIndex = close + 1;
        }
        skipNext = false;
        continue;
      }
      if (w[0].startsWith('-')) {
        skipNext = /^-[^-]*[pdntuN]$/.test(w[0]);
        continue;
      }
      if (/^[A-Za-z_]\w*$/.test(w[0])) out.push({ name: w[0], offset: w.index + w[0].length });
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The pipeline

export interface PipelineInput {
  /** The main file's path relative to the repository root (`.gitlab-ci.yml`). */
  mainPath: string;
  text: string;
  /** The repository folder relative to the scanned root (POSIX), `''` for the root itself. */
  repo: string;
  files: RepoFiles;
}

export type ParsedPipeline =
  | { ok: true; name?: string; definedAt: Location; attributes: WorkflowAttributes; warnings: PipelineWarning[] }
  /** The main file is broken or of the wrong shape: the reason, for a per-file warning. */
  | { ok: false; error: string };

/** Same markers as the content scanner (src/scan/content.ts). */
const ALLOW_MARKERS = /nhi:allow|gitleaks:allow/;

function allowedLines(source: string): number[] {
  if (!ALLOW_MARKERS.test(source)) return [];
  const out: number[] = [];
  source.split('\n').forEach((line, i) => {
    if (ALLOW_MARKERS.test(line)) out.push(i + 1);
  });
  return out;
}

/**
 * Reads a pipeline: the main file, its local includes (through `files`), extends, references and defaults,
 * into WorkflowAttributes (platform `gitlab-ci`). Never throws for bad input: a broken main file gives
 * `{ ok: false, error }`; a missing or broken include gives a warning and the pipeline is built from the rest.
 *
 * `allowedLines` are the main file's only: Locations in included files are not matched against them
 * (WorkflowAttributes.allowedLines has no path; a finding in an included file on the same line number as a
 * marked line of the main file would be suppressed too).
 */
export async function parseGitlabPipeline(input: PipelineInput): Promise<ParsedPipeline> {
  const budget = new Budget();
  const composer = new Composer(input.repo, input.files, budget);
  const mainPath = composer.scanned(input.mainPath);
  const main = loadFile(input.text, mainPath, budget);
  if (!main.ok) return { ok: false, error: main.error };
  composer.files.push(mainPath);
  const top = await composer.compose(main.value, [input.mainPath]);
  const resolver = new Resolver(top, budget);
  const refs = new RefCollector(budget);

  const globalVariables = asMap(resolver.resolve(top.entries.get('variables')?.value));
  const workflow = asMap(resolver.resolve(top.entries.get('workflow')?.value));
  const workflowDefined: string[] = [];
  for (const rule of flat(workflow?.entries.get('rules')?.value)) workflowDefined.push(...keysOf(asMap(rule)?.entries.get('variables')?.value));
  const globalDefined = new Set([...keysOf(globalVariables), ...workflowDefined]);
  refs.scan(globalVariables, ['variables'], undefined, globalDefined);
  refs.scan(workflow, [], undefined, globalDefined);
  for (const inputs of composer.inputs) refs.scan(inputs, ['include', 'inputs'], undefined, globalDefined);

  // Defaults: `default:`, then the legacy top-level keywords for what it does not set.
  const defaults = new Map<string, VEntry>(asMap(resolver.resolve(top.entries.get('default')?.value))?.entries ?? []);
  for (const key of LEGACY_GLOBAL_DEFAULTS) {
    const entry = top.entries.get(key);
    if (!defaults.has(key) && entry) {
      const value = resolver.resolve(entry.value);
      if (value) defaults.set(key, { key: entry.key, value });
    }
  }

  const jobs: WorkflowJob[] = [];
  /** Script items YAML read as mappings, by where they are written, with the jobs that run them. */
  const misshapen = new Map<string, { item: VMap; key: string; jobs: string[] }>();
  for (const [name, entry] of top.entries) {
    if (RESERVED.has(name) || name.startsWith('.') || entry.value.t !== 'map') continue;
    const extended = resolver.extendedOf(name);
    let job: VMap = asMap(resolver.resolve(extended)) ?? { t: 'map', at: entry.value.at, entries: new Map() };
    const inherit = inheritedDefaults(job);
    const missing = [...defaults].filter(([key]) => inherit.has(key) && !job.entries.has(key));
    if (missing.length) job = { ...job, entries: new Map([...job.entries, ...missing]) };
    jobs.push(
      jobOf(name, entry, job, (item, key) => {
        const where = `${item.at.file.path}\u0000${item.at.offset}`;
        const known = misshapen.get(where);
        if (known) known.jobs.includes(name) || known.jobs.push(name);
        else misshapen.set(where, { item, key, jobs: [name] });
      }),
    );
    const defined = new Set([...globalDefined, ...jobDefined(job)]);
    // Everything but the scripts, then the scripts in the order they run (see RefCollector.scan's `assigned`).
    refs.scan({ ...job, entries: new Map([...job.entries].filter(([k]) => !(STEP_KEYS as readonly string[]).includes(k))) }, [], name, defined);
    const assigned = new Set<string>();
    for (const key of STEP_KEYS) refs.scan(job.entries.get(key)?.value, [key], name, defined, 0, assigned);
    const secrets = asMap(job.entries.get('secrets')?.value);
    for (const [secret, s] of secrets?.entries ?? []) {
      refs.add({ kind: 'named', name: secret, expression: secret, at: loc(s.key), job: name, section: 'secrets', key: secret });
    }
  }

  const warnings = [...composer.warnings];
  if (budget.exhausted) {
    warnings.push({
      kind: 'parse-error',
      path: mainPath,
      message: `the pipeline is too large to read whole (over ${MAX_NODES.toLocaleString('en')} YAML nodes once includes, extends and references are expanded): some jobs may be read without their scripts or variables, and the rules may miss what is in them`,
    });
  }
  for (const { item, key, jobs: users } of misshapen.values()) {
    const at = loc(item.at);
    const who = users.length === 1 ? `job ${users[0]}` : `jobs ${users.slice(0, 3).join(', ')}${users.length > 3 ? ` and ${users.length - 3} more` : ''}`;
    warnings.push({
      kind: 'parse-error',
      path: at.path,
      message:
        `line ${at.line}, column ${at.column}: a ${key} item of ${who} is a YAML mapping, not a string (an unquoted ": " after \`${quoteLine(sourceOf(item).split(': ')[0]!, 40)}\`); ` +
        'GitLab rejects the pipeline ("script config should be a string or a nested array of strings"); quote the line. Read as written.',
    });
  }

  const firstKey = main.value.firstKey;
  const attributes: WorkflowAttributes = {
    platform: 'gitlab-ci',
    triggers: triggersOf(workflow, firstKey),
    env: namedValues(globalVariables),
    jobs,
    secretRefs: refs.refs,
    includes: composer.includes,
    files: composer.files,
  };
  const allowed = allowedLines(main.value.file.text);
  if (allowed.length) attributes.allowedLines = allowed;
  const name = text(workflow?.entries.get('name')?.value);
  const literalName = name !== undefined && name.trim() !== '' && !name.includes('$') ? name : undefined;
  return { ok: true, ...(literalName !== undefined ? { name: literalName } : {}), definedAt: loc(firstKey), attributes, warnings };
}

function jobOf(id: string, entry: VEntry, job: VMap, misshapen?: (item: VMap, key: string) => void): WorkflowJob {
  const out: WorkflowJob = { id, at: loc(entry.key), secrets: [], with: [], env: namedValues(asMap(job.entries.get('variables')?.value)), steps: [] };
  const environment = job.entries.get('environment');
  if (environment) {
    const envName = text(environment.value) ?? text(asMap(environment.value)?.entries.get('name')?.value);
    if (envName !== undefined) out.environment = { name: envName, at: loc(environment.key) };
  }
  const manual = manualOf(job);
  if (manual) out.manual = manual;
  const condition = ifOf(job);
  if (condition) out.if = condition;
  const idTokens = idTokensOf(asMap(job.entries.get('id_tokens')?.value));
  if (idTokens.length) out.idTokens = idTokens;
  STEP_KEYS.forEach((key, index) => {
    const step = job.entries.get(key);
    if (!step) return;
    const at = loc(step.key);
    const s: WorkflowStep = { index, name: key, at, run: { text: scriptLines(step.value, misshapen && ((item) => misshapen(item, key))).join('\n'), at }, with: [], env: [] };
    out.steps.push(s);
  });
  return out;
}

/** An in-memory repository (tests, and rule tests that write their pipelines inline). */
export function memoryFiles(files: Record<string, string>): RepoFiles {
  return {
    async read(path) {
      const text = files[path];
      return text === undefined ? { missing: true } : { text };
    },
    async list() {
      return Object.keys(files);
    },
  };
}

/** Parses `files['.gitlab-ci.yml']` (or `mainPath`) with the other entries as the repository's files. */
export async function parseGitlabFiles(files: Record<string, string>, mainPath = '.gitlab-ci.yml', repo = ''): Promise<ParsedPipeline> {
  const text = files[mainPath];
  if (text === undefined) return { ok: false, error: `${mainPath}: not found` };
  return parseGitlabPipeline({ mainPath, text, repo, files: memoryFiles(files) });
}
