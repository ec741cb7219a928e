/** Inventories of GitHub Actions workflows for rule tests: from the fixture repository, or from YAML written in the test. */
import { fileURLToPath } from 'node:url';
import { collectActionsFiles, discoverActionsFiles, fileKind } from '../../connectors/github-actions/index.js';
import { parseGithubActionsFile } from '../../connectors/github-actions/parse.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import type { Identity, Inventory, ScanWarning } from '../../src/core/model.js';
import { emptyInventory } from '../../src/core/model.js';
import { COMPOSITE_ACTION, WORKFLOW } from '../../src/core/workflow.js';
import type { RuleContext } from '../../src/engine/rule.js';

/** test/fixtures/github-actions/repo: a repository whose workflows fire each workflow rule and stay silent where they should. */
export const ACTIONS_FIXTURE = fileURLToPath(new URL('../fixtures/github-actions/repo', import.meta.url));

export async function fixtureInventory(root = ACTIONS_FIXTURE): Promise<{ inventory: Inventory; warnings: ScanWarning[] }> {
  const warnings: ScanWarning[] = [];
  const ctx = { warn: (w: ScanWarning) => warnings.push(w), options: { history: false, staged: false, maxFileSize: Infinity } };
  const inventory = emptyInventory();
  for await (const item of collectActionsFiles(await discoverActionsFiles(root, ctx), ctx)) if (item.kind === 'identity') inventory.identities.push(item.value);
  return { inventory, warnings };
}

/** One identity per `path: yaml` entry (paths decide workflow or composite action, as in a scan); throws on a file that does not parse. */
export function workflowInventory(files: Record<string, string>): Inventory {
  const inventory = emptyInventory();
  for (const [path, text] of Object.entries(files)) {
    const kind = fileKind(path) ?? 'workflow';
    const parsed = parseGithubActionsFile(text, path, kind);
    if (!parsed.ok) throw new Error(`${path}: ${parsed.skip ? 'skipped' : parsed.error}`);
    const identity: Identity = {
      id: path,
      provider: 'github',
      scope: '.',
      kind: kind === 'workflow' ? WORKFLOW : COMPOSITE_ACTION,
      name: parsed.name ?? path,
      tags: {},
      owners: [],
      attributes: parsed.attributes as unknown as Record<string, unknown>,
      definedAt: parsed.definedAt,
    };
    inventory.identities.push(identity);
  }
  return inventory;
}

export function ruleCtx(): RuleContext {
  return { now: new Date('2026-06-01T00:00:00Z'), config: DEFAULT_CONFIG };
}

/** One GitLab pipeline identity from in-memory files (the `.gitlab-ci.yml` and what it includes); throws when the main file does not parse. */
export async function gitlabInventory(files: Record<string, string>, mainPath = '.gitlab-ci.yml'): Promise<Inventory> {
  const { parseGitlabFiles } = await import('../../connectors/gitlab-ci/parse.js');
  const parsed = await parseGitlabFiles(files, mainPath);
  if (!parsed.ok) throw new Error(`${mainPath}: ${parsed.error}`);
  const inventory = emptyInventory();
  inventory.identities.push({
    id: mainPath,
    provider: 'gitlab',
    scope: '.',
    kind: WORKFLOW,
    name: parsed.name ?? mainPath,
    tags: {},
    owners: [],
    attributes: parsed.attributes as unknown as Record<string, unknown>,
    definedAt: parsed.definedAt,
  });
  return inventory;
}
