/**
 * connectors/gitlab-ci: GitLab CI pipelines as workflow identities (src/core/workflow.ts, platform `gitlab-ci`),
 * for the workflow rules.
 *
 * Applies to a folder holding a `.gitlab-ci.yml` (or `.gitlab-ci.yaml`) at any depth (a folder of checkouts is
 * scanned repository by repository: the folder holding the file is its repository's root), or to such a file
 * named directly; walks folders like the filesystem connector (.gitignore, .nhiignore). Each pipeline is read
 * by ./parse.ts with its local includes (from the same checkout; nothing is fetched). A broken or misshapen
 * `.gitlab-ci.yml` gives one `parse-error` warning naming it; a missing include gives a `not-found` warning and
 * a broken one a `parse-error`, both naming the including file, and the pipeline is built from the rest. A
 * `.gitlab-ci.yml` that another pipeline includes is part of that pipeline, not one of its own. Owners come from
 * the repository's CODEOWNERS as GitLab reads it (sections; ../github-actions/codeowners.ts). The files' text is
 * not scanned for hard-coded secrets here: the filesystem connector already reads every file.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Connector, ConnectorContext, InventoryItem, ScanOptions } from '../../src/core/connector.js';
import type { Identity } from '../../src/core/model.js';
import { WORKFLOW } from '../../src/core/workflow.js';
import { definitionsConnector, FolderDiscovery, walk, walkShared } from '../filesystem/index.js';
import { GITLAB_CODEOWNERS_PLACES, ownersOf, parseCodeowners, type Codeowners } from '../github-actions/codeowners.js';
import { parseGitlabPipeline, type FileContent, type ParsedPipeline, type RepoFiles } from './parse.js';

export const SOURCE = 'gitlab-ci';

const PIPELINE_FILE = /(?:^|\/)\.gitlab-ci\.ya?ml$/;
const YAML_FILE = /\.ya?ml$/i;

export interface PipelineFile {
  absPath: string;
  /** Relative to the scanned root, POSIX. */
  path: string;
}

export interface GitlabDiscovered {
  /** The folder paths are relative to (for a file named directly: its folder). */
  base: string;
  /** A single file was named: there was no walk. */
  single: boolean;
  pipelines: PipelineFile[];
  /** Every YAML file walked, relative to `base` (for wildcard includes). */
  yaml: string[];
  /** CODEOWNERS files walked, relative to `base`. */
  codeowners: Set<string>;
}

export function isPipelineFile(path: string): boolean {
  return PIPELINE_FILE.test(path);
}

/** The `.gitlab-ci.yml` files under `root` (a folder, or one such file), with what includes and owners need. */
export async function discoverGitlabPipelines(root: string, ctx: Pick<ConnectorContext, 'warn'>, options?: ScanOptions): Promise<GitlabDiscovered> {
  const info = await stat(root);
  if (!info.isDirectory()) {
    const path = basename(root);
    return { base: dirname(root), single: true, pipelines: isPipelineFile(path) ? [{ absPath: root, path }] : [], yaml: [], codeowners: new Set() };
  }
  const out: GitlabDiscovered = { base: root, single: false, pipelines: [], yaml: [], codeowners: new Set() };
  for await (const entry of options ? walkShared(root, options, ctx) : walk(root, ctx)) {
    if (isPipelineFile(entry.path)) out.pipelines.push(entry);
    if (YAML_FILE.test(entry.path)) out.yaml.push(entry.path);
    else if (basename(entry.path) === 'CODEOWNERS') out.codeowners.add(entry.path);
  }
  return out;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

const within = (repo: string, path: string) => (repo === '' ? path : `${repo}/${path}`);

/** A repository's files on disk, for its pipeline's local includes. */
function repoFiles(found: GitlabDiscovered, repo: string, maxFileSize: number): RepoFiles {
  const repoAbs = join(found.base, repo);
  let listing: Promise<string[]> | undefined;
  return {
    async read(path: string): Promise<FileContent> {
      try {
        const abs = join(repoAbs, path);
        const info = await stat(abs);
        if (!info.isFile()) return { missing: true };
        if (info.size > maxFileSize) return { error: `${info.size} bytes is over the --max-file-size limit; not read` };
        return { text: await readFile(abs, 'utf8') };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return code === 'ENOENT' || code === 'ENOTDIR' ? { missing: true } : { error: `unreadable (${code ?? 'error'})` };
      }
    },
    list(): Promise<string[]> {
      listing ??= (async () => {
        if (!found.single) {
          const prefix = repo === '' ? '' : `${repo}/`;
          return found.yaml.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
        }
        // A file named directly: its folder is walked only when a wildcard include asks for it.
        const out: string[] = [];
        for await (const entry of walk(found.base, { warn: () => {} })) if (YAML_FILE.test(entry.path)) out.push(entry.path);
        return out;
      })();
      return listing;
    },
  };
}

/** A repository's CODEOWNERS as GitLab reads it: the first of its three places that exists. */
async function codeownersOf(found: GitlabDiscovered, repo: string): Promise<Codeowners | undefined> {
  for (const place of GITLAB_CODEOWNERS_PLACES) {
    const path = within(repo, place);
    if (!found.single && !found.codeowners.has(path)) continue;
    try {
      return parseCodeowners(await readFile(join(found.base, path), 'utf8'), path, { dialect: 'gitlab' });
    } catch {
      // Absent (for a file named directly) or unreadable: the next place.
    }
  }
  return undefined;
}

/** The folder whose CODEOWNERS owns a pipeline of `repo`: `repo` itself or the nearest folder above it with one. */
function codeownersRoot(found: GitlabDiscovered, repo: string): string {
  if (found.single) return repo;
  for (let dir = repo; ; dir = dirOf(dir)) {
    if (GITLAB_CODEOWNERS_PLACES.some((place) => found.codeowners.has(within(dir, place)))) return dir;
    if (dir === '') return repo;
  }
}

/** Discovery done by `applies`, reused by `collect`: once per folder and scan. */
const discovery = new FolderDiscovery(discoverGitlabPipelines, (found) => found.pipelines.length === 0);

interface Read {
  file: PipelineFile;
  repo: string;
  parsed: ParsedPipeline;
}

export async function* collectGitlabPipelines(found: GitlabDiscovered, ctx: Pick<ConnectorContext, 'warn' | 'options'>): AsyncIterable<InventoryItem> {
  const reads: Read[] = [];
  for (const file of found.pipelines) {
    let text: string;
    try {
      const info = await stat(file.absPath);
      // Too large or unreadable: the filesystem connector warns about it.
      if (info.size > ctx.options.maxFileSize) continue;
      text = await readFile(file.absPath, 'utf8');
    } catch {
      continue;
    }
    const repo = dirOf(file.path);
    const parsed = await parseGitlabPipeline({ mainPath: basename(file.path), text, repo, files: repoFiles(found, repo, ctx.options.maxFileSize) });
    reads.push({ file, repo, parsed });
  }

  // A `.gitlab-ci.yml` included by another pipeline (a monorepo's services) is part of it: the shallowest pipelines claim first.
  const claimed = new Set<string>();
  const kept = new Set<Read>();
  for (const read of [...reads].sort((a, b) => a.file.path.split('/').length - b.file.path.split('/').length)) {
    if (claimed.has(read.file.path)) continue;
    kept.add(read);
    if (read.parsed.ok) for (const f of read.parsed.attributes.files?.slice(1) ?? []) claimed.add(f);
  }

  const owners = new Map<string, Promise<Codeowners | undefined>>();
  for (const read of reads) {
    if (!kept.has(read)) continue;
    const { file, repo, parsed } = read;
    if (!parsed.ok) {
      ctx.warn({ kind: 'parse-error', path: file.path, source: SOURCE, message: parsed.error });
      continue;
    }
    for (const w of parsed.warnings) ctx.warn({ kind: w.kind, path: w.path, source: SOURCE, message: w.message });
    // A pipeline in a sub-folder (a monorepo's service, an example) is owned through the CODEOWNERS of the nearest
    // folder above it that has one, read relative to that folder: the repository's own, when the sub-folder has none.
    const root = codeownersRoot(found, repo);
    if (!owners.has(root)) owners.set(root, codeownersOf(found, root));
    const co = await owners.get(root);
    const owned = co ? ownersOf(co, root === '' ? file.path : file.path.slice(root.length + 1)) : undefined;
    const attributes = owned ? { ...parsed.attributes, ownersFrom: owned.at } : parsed.attributes;
    const identity: Identity = {
      id: file.path,
      provider: 'gitlab',
      scope: repo === '' ? '.' : repo,
      kind: WORKFLOW,
      name: parsed.name ?? file.path,
      tags: {},
      owners: owned?.owners ?? [],
      attributes: attributes as unknown as Record<string, unknown>,
      definedAt: parsed.definedAt,
    };
    yield { kind: 'identity', value: identity };
  }
}

export const gitlabCiConnector: Connector = definitionsConnector(
  SOURCE,
  'GitLab CI pipelines (.gitlab-ci.yml with its local includes): triggers, jobs, scripts, environments, ID tokens, CI/CD variables and secrets used; owners from CODEOWNERS',
  discovery,
  (found, _target, ctx) => collectGitlabPipelines(found, ctx),
);
