/** What the workflow rules share: finding the workflows in an inventory, and naming them in findings. */
import type { FindingInput } from '../engine/rule.js';
import type { Identity, Inventory, Location } from '../core/model.js';
import { COMPOSITE_ACTION, GITHUB_TOKEN_SECRET, WORKFLOW, workflowAttributes, type SecretRef, type WorkflowAttributes } from '../core/workflow.js';

export interface WorkflowItem {
  identity: Identity;
  workflow: WorkflowAttributes;
}

/** Workflows (and, with `actions`, composite actions) of every platform, in inventory order. */
export function workflowsOf(inventory: Inventory, options: { actions?: boolean } = {}): WorkflowItem[] {
  const out: WorkflowItem[] = [];
  for (const identity of inventory.identities) {
    if (identity.kind !== WORKFLOW && !(options.actions && identity.kind === COMPOSITE_ACTION)) continue;
    const workflow = workflowAttributes(identity.attributes);
    if (workflow) out.push({ identity, workflow });
  }
  return out;
}

export function resourceOf(identity: Identity): NonNullable<FindingInput['resource']> {
  return { id: identity.id, kind: identity.kind, provider: identity.provider, name: identity.name };
}

/** `workflow "Release" (.github/workflows/release.yml)`. */
export function describeWorkflow(identity: Identity): string {
  const what = identity.kind === COMPOSITE_ACTION ? 'composite action' : 'workflow';
  return identity.name === identity.id ? `${what} ${identity.id}` : `${what} "${identity.name}" (${identity.id})`;
}

export function ownerEvidence(identity: Identity): Record<string, string> {
  return identity.owners.length ? { owner: identity.owners.map((o) => o.owner).join(', ') } : {};
}

/** Whether a finding at `at` sits on a line marked `nhi:allow` (reported only with --no-inline-allow). */
export function inlineAllowed(workflow: WorkflowAttributes, at: Location): boolean {
  // `allowedLines` are the definition file's (for GitLab, the .gitlab-ci.yml, the first of `files`), not an included file's.
  if (workflow.files && workflow.files.length > 0 && at.path !== workflow.files[0]) return false;
  return workflow.allowedLines?.includes(at.line) ?? false;
}

/** `file:line:col`, for messages. */
export function where(at: Location): string {
  return `${at.path}:${at.line}:${at.column}`;
}

/** The automatic job token (GITHUB_TOKEN however it is read, GitLab's CI_JOB_TOKEN): its power is the platform's, not a stored secret. */
export function isAutomaticToken(ref: SecretRef): boolean {
  return ref.kind === 'github-token' || ref.kind === 'job-token' || (ref.kind === 'named' && ref.name?.toUpperCase() === GITHUB_TOKEN_SECRET);
}

/** `secrets.X`, `toJSON(secrets)`, `secrets[…]`, `github.token`: how a reference reads in a message. */
export function describeRef(ref: SecretRef): string {
  switch (ref.kind) {
    case 'named':
      // GitLab: the variable as written (`$TOKEN`, `${TOKEN}`, `%TOKEN%`, `$env:TOKEN`); GitHub: the secrets context.
      return /^[$%]/.test(ref.expression) && !ref.expression.startsWith('${{') ? ref.expression : `secrets.${ref.name}`;
    case 'whole-context':
      return 'the whole secrets context';
    case 'dynamic':
      return 'secrets[…]';
    case 'github-token':
      return 'github.token';
    case 'job-token':
      return 'CI_JOB_TOKEN';
  }
}
