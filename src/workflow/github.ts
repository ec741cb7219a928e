/** GitHub Actions specifics the workflow rules share: which action a step runs, what its token can write, which secrets a job can reach. */
import type { Inventory, Location } from '../core/model.js';
import { GITHUB_TOKEN_SECRET, type NamedValue, type SecretRef, type UsesRef, type WorkflowAttributes, type WorkflowJob, type WorkflowStep } from '../core/workflow.js';
import { refsIn } from '../../connectors/github-actions/parse.js';
import { isAutomaticToken, workflowsOf, type WorkflowItem } from './findings.js';

/** Whether `uses` runs the action `owner/repo` (any ref, any sub-path), compared case-insensitively. */
export function isAction(uses: UsesRef | undefined, owner: string, repo: string): boolean {
  return uses?.kind === 'repository' && uses.owner?.toLowerCase() === owner && uses.repo?.toLowerCase() === repo;
}

/** The `with:` input of a step named `name` (case-insensitively, as GitHub reads inputs). */
export function input(step: WorkflowStep, name: string): NamedValue | undefined {
  const wanted = name.toLowerCase();
  return step.with.find((w) => w.name.toLowerCase() === wanted);
}

/**
 * A value that reads a stored secret other than the automatic token (`secrets.X`, `secrets['X']`, `toJSON(secrets)`,
 * `secrets[…]`), in its `${{ }}` expressions: the connector's own reading of secret references.
 */
export function readsStoredSecret(value: string): boolean {
  return refsIn(value, 0).some((r) => r.kind !== 'github-token' && !(r.kind === 'named' && r.name?.toUpperCase() === GITHUB_TOKEN_SECRET));
}

/** What the automatic token of a job can write: its own `permissions:`, else the workflow's, else the repository default (unknown offline). */
export interface JobTokenPower {
  /** Scopes granted `write` (`*` for write-all). */
  writes: string[];
  /** No `permissions:` anywhere: the repository's default applies, which may be write on every scope. */
  defaulted: boolean;
  /** The `permissions` key that decides, when there is one. */
  at?: Location;
}

export function jobTokenPower(workflow: WorkflowAttributes, job: WorkflowJob): JobTokenPower {
  const perms = job.permissions ?? workflow.permissions;
  if (!perms) return { writes: [], defaulted: true };
  if (perms.kind === 'write-all') return { writes: ['*'], defaulted: false, at: perms.at };
  if (perms.kind === 'scopes') return { writes: perms.scopes.filter((s) => s.level === 'write').map((s) => s.scope), defaulted: false, at: perms.at };
  return { writes: [], defaulted: false, at: perms.at };
}

/** References to stored secrets (not the automatic token) a job can read: its own, and the workflow-level `env:`. */
export function jobSecretRefs(workflow: WorkflowAttributes, job: WorkflowJob): SecretRef[] {
  return workflow.secretRefs.filter((r) => !isAutomaticToken(r) && (r.job === job.id || (r.job === undefined && r.section === 'env')));
}

/** The GitHub Actions workflows (and, with `actions`, composite actions) of an inventory: other platforms' workflows have no jobs or steps to read. */
export function githubWorkflowsOf(inventory: Inventory, options: { actions?: boolean } = {}): WorkflowItem[] {
  return workflowsOf(inventory, options).filter((w) => w.workflow.platform === 'github-actions');
}
