/**
 * connectors/github-actions: GitHub Actions workflows and composite actions as identities
 * (src/core/workflow.ts), for the workflow rules.
 *
 * Applies to a folder holding `.github/workflows/*.yml|yaml` (at any depth: a folder of
 * checkouts is scanned repository by repository) or an `action.yml|yaml`; walks it like the
 * filesystem connector (.gitignore, .nhiignore). Each file is parsed by ./parse.ts; broken YAML
 * or a file of the wrong shape gives one `parse-error` warning naming it and the scan goes on.
 * Owners come from the repository's CODEOWNERS (./codeowners.ts). The files' text is not scanned
 * for hard-coded secrets here: the filesystem connector already reads every file.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Connector, ConnectorContext, InventoryItem, ScanOptions } from '../../src/core/connector.js';
import type { Identity } from '../../src/core/model.js';
import { COMPOSITE_ACTION, WORKFLOW } from '../../src/core/workflow.js';
import { definitionsConnector, FolderDiscovery, walk, walkShared } from '../filesystem/index.js';
import { CODEOWNERS_PLACES, ownersOf, parseCodeowners, type Codeowners } from './codeowners.js';
import { parseGithubActionsFile, type GithubActionsFileKind } from './parse.js';

export const SOURCE = 'github-actions';

/** GitHub runs only the files directly in `.github/workflows/`. */
const WORKFLOW_FILE = /(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$/;
const ACTION_FILE = /(?:^|\/)action\.ya?ml$/;

export interface ActionsFile {
  absPath: string;
  /** Relative to the scanned root, POSIX. */
  path: string;
  kind: GithubActionsFileKind;
}

export interface Discovered {
  files: ActionsFile[];
  /** CODEOWNERS files found, relative to the scanned root. */
  codeowners: Array<{ absPath: string; path: string }>;
}

export function fileKind(path: string): GithubActionsFileKind | undefined {
  if (WORKFLOW_FILE.test(path)) return 'workflow';
  if (ACTION_FILE.test(path)) return 'action';
  return undefined;
}

/** The workflow and action files under `root` (a folder, or one such file), and the CODEOWNERS files beside them. */
export async function discoverActionsFiles(root: string, ctx: Pick<ConnectorContext, 'warn'>, options?: ScanOptions): Promise<Discovered> {
  const info = await stat(root);
  const out: Discovered = { files: [], codeowners: [] };
  if (!info.isDirectory()) {
    const kind = fileKind(root.split('\\').join('/'));
    if (kind) out.files.push({ absPath: root, path: basename(root), kind });
    return out;
  }
  for await (const entry of options ? walkShared(root, options, ctx) : walk(root, ctx)) {
    const kind = fileKind(entry.path);
    if (kind) out.files.push({ ...entry, kind });
    else if (basename(entry.path) === 'CODEOWNERS') out.codeowners.push(entry);
  }
  return out;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/**
 * The repository a file belongs to, relative to the scanned root ('' for the root): the folder
 * holding its `.github`, else the deepest folder above it with a CODEOWNERS file, else the root.
 */
export function repositoryOf(path: string, roots: Iterable<string>): string {
  const segments = path.split('/');
  const github = segments.lastIndexOf('.github');
  if (github >= 0) return segments.slice(0, github).join('/');
  let best = '';
  for (const root of roots) if (root !== '' && path.startsWith(`${root}/`) && root.length > best.length) best = root;
  return best;
}

/** Each repository's CODEOWNERS (the first of GitHub's three places that exists), keyed by the repository folder. */
async function loadCodeowners(found: Discovered['codeowners']): Promise<Map<string, Codeowners>> {
  const byRepo = new Map<string, { rank: number; absPath: string; path: string }>();
  // `x/docs/CODEOWNERS` is read as repository x's docs/CODEOWNERS, not as the root file of a repository `x/docs`.
  const specificFirst = [...CODEOWNERS_PLACES].sort((a, b) => b.length - a.length);
  for (const file of found) {
    for (const place of specificFirst) {
      const rank = CODEOWNERS_PLACES.indexOf(place);
      if (file.path !== place && !file.path.endsWith(`/${place}`)) continue;
      const repo = file.path === place ? '' : file.path.slice(0, -place.length - 1);
      const current = byRepo.get(repo);
      if (!current || rank < current.rank) byRepo.set(repo, { rank, ...file });
      break;
    }
  }
  const out = new Map<string, Codeowners>();
  for (const [repo, file] of byRepo) {
    try {
      out.set(repo, parseCodeowners(await readFile(file.absPath, 'utf8'), file.path));
    } catch {
      // Unreadable: the filesystem connector reports it; the files it would own have no owner claim.
    }
  }
  return out;
}

/** Discovery done by `applies`, reused by `collect`: once per folder and scan. */
const discovery = new FolderDiscovery(discoverActionsFiles, (found) => found.files.length === 0);

export async function* collectActionsFiles(found: Discovered, ctx: Pick<ConnectorContext, 'warn' | 'options'>): AsyncIterable<InventoryItem> {
  const codeowners = await loadCodeowners(found.codeowners);
  for (const file of found.files) {
    let text: string;
    try {
      const info = await stat(file.absPath);
      // Too large or unreadable: the filesystem connector warns about it.
      if (info.size > ctx.options.maxFileSize) continue;
      text = await readFile(file.absPath, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseGithubActionsFile(text, file.path, file.kind);
    if (!parsed.ok) {
      if (!parsed.skip) ctx.warn({ kind: 'parse-error', path: file.path, source: SOURCE, message: parsed.error });
      continue;
    }
    const repo = repositoryOf(file.path, codeowners.keys());
    const co = codeowners.get(repo);
    const owned = co ? ownersOf(co, repo === '' ? file.path : file.path.slice(repo.length + 1)) : undefined;
    const attributes = owned ? { ...parsed.attributes, ownersFrom: owned.at } : parsed.attributes;
    const identity: Identity = {
      id: file.path,
      provider: 'github',
      scope: repo === '' ? '.' : repo,
      kind: file.kind === 'workflow' ? WORKFLOW : COMPOSITE_ACTION,
      name: parsed.name ?? (file.kind === 'workflow' ? file.path : dirOf(file.path) || file.path),
      tags: {},
      owners: owned?.owners ?? [],
      attributes: attributes as unknown as Record<string, unknown>,
      definedAt: parsed.definedAt,
    };
    yield { kind: 'identity', value: identity };
  }
}

export const githubActionsConnector: Connector = definitionsConnector(
  SOURCE,
  'GitHub Actions workflows (.github/workflows/*.yml) and composite actions (action.yml): triggers, token permissions, jobs, steps, secrets used; owners from CODEOWNERS',
  discovery,
  (found, _target, ctx) => collectActionsFiles(found, ctx),
);
