/**
 * How CI workflow definitions land in the inventory: the contract between the workflow
 * connectors (connectors/github-actions today; GitLab CI and n8n next) and the workflow rules.
 *
 * Identities (`kind: 'workflow'` or `'composite-action'`; `provider` names the platform:
 * `'github'` for GitHub Actions):
 * - id = the file's path relative to the scanned root (POSIX), which for a checkout is the
 *   repository-relative path (`.github/workflows/release.yml`); name = the file's `name:`, else its path;
 * - scope = the repository folder relative to the scanned root (`.` for the root itself);
 * - owners = the CODEOWNERS entries that own the file (source `codeowners`);
 * - definedAt = the file's first key; `attributes: WorkflowAttributes`.
 * A composite action (`runs.using: composite`) is modelled as a workflow with no triggers, no token
 * permissions and one job, id `runs`, holding its steps: it runs with its caller's token and secrets.
 *
 * Everything here is plain JSON (reports and the store keep it as it is). Every Location is the
 * file path relative to the scanned root and the 1-based line and column of the key (or the value,
 * where said) a finding about it should point at.
 */
import type { Location } from './model.js';
import type { N8nWorkflowDetails } from './n8n.js';

/** `Identity.kind` of a workflow definition, whatever its platform. */
export const WORKFLOW = 'workflow';
/** `Identity.kind` of a reusable step sequence (a GitHub composite action). */
export const COMPOSITE_ACTION = 'composite-action';

/**
 * - `github-actions`: connectors/github-actions;
 * - `gitlab-ci`: a `.gitlab-ci.yml` with its local includes merged in (connectors/gitlab-ci): each job's
 *   `before_script`, `script` and `after_script` are its steps (`run`), its `variables:` its `env`; there is
 *   no token `permissions:` (GitLab's CI_JOB_TOKEN has fixed powers); Locations name the file each part
 *   was read from, which for an included part is the included file;
 * - `n8n`: an n8n workflow export (connectors/n8n): no jobs, env or secrets context; its nodes are in `n8n`.
 */
export type WorkflowPlatform = 'github-actions' | 'gitlab-ci' | 'n8n';

export interface WorkflowAttributes {
  platform: WorkflowPlatform;
  /** The events that start it (`on:`), in file order; empty for a composite action. */
  triggers: WorkflowTrigger[];
  /** The workflow-level token permissions; absent when the file has no `permissions:` key. */
  permissions?: TokenPermissions;
  /** Workflow-level `env:` (every step of every job sees it). */
  env: NamedValue[];
  jobs: WorkflowJob[];
  /** Every reference to the secrets context (and to the automatic token), anywhere in the file. */
  secretRefs: SecretRef[];
  /** The CODEOWNERS line that gave `Identity.owners`, when one did. */
  ownersFrom?: Location;
  /** Lines (1-based) carrying an inline `nhi:allow` (or `gitleaks:allow`) comment: findings located there are suppressed like secrets are. */
  allowedLines?: number[];
  /** n8n workflows only: nodes, credentials referenced, active flag (src/core/n8n.ts). */
  n8n?: N8nWorkflowDetails;
  /** GitLab CI only: every `include:` entry, of the file and of the local files it includes, in reading order. */
  includes?: WorkflowInclude[];
  /** GitLab CI only: the files read to build it (the `.gitlab-ci.yml` first, then local includes), relative to the scanned root. */
  files?: string[];
}

/**
 * One GitLab CI `include:` entry (https://docs.gitlab.com/ci/yaml/#include). Only `local` ones are read
 * (from the same checkout); the others are recorded, never fetched.
 */
export interface WorkflowInclude {
  kind: 'local' | 'remote' | 'project' | 'template' | 'component';
  /** The path, URL, `group/project` (with its `file`s after a colon), template name or component address, as written. */
  raw: string;
  /** `project:` `ref:`, or the version after `@` of a component. */
  ref?: string;
  /**
   * Pinned to immutable content: a 40-hex commit SHA ref (project, component), or a remote URL with an
   * `integrity:` hash. Local includes and GitLab's own templates are not "pinned" (they need not be).
   */
  pinned: boolean;
  /** For `local`: whether the file(s) were found and read. */
  resolved?: boolean;
  /** The entry (its key, or the list item). */
  at: Location;
}

export interface WorkflowTrigger {
  /**
   * Event name as written: `push`, `pull_request_target`, `workflow_call`… For GitLab CI, the pipeline
   * source (`push`, `merge_request_event`, `schedule`, `web`, `api`, `trigger`, `pipeline`, `parent_pipeline`…).
   */
  event: string;
  /** Not written in the file: the platform's default (a GitLab pipeline with no `workflow: rules` runs on every push). */
  implicit?: boolean;
  /** The event's key (or its item in `on: [a, b]`, or the `on:` value when it is a single name). */
  at: Location;
}

export type PermissionLevel = 'read' | 'write' | 'none';

export interface PermissionScope {
  /** `contents`, `id-token`, `pull-requests`… as written. */
  scope: string;
  level: PermissionLevel;
  at: Location;
}

/**
 * A `permissions:` block. `write-all` and `read-all` grant every scope; `scopes` is the
 * per-scope map (`{}` is `scopes` with none: the token can do nothing); `other` is a value
 * the platform would reject (kept with its `raw` text, judged by no rule).
 */
export interface TokenPermissions {
  kind: 'write-all' | 'read-all' | 'scopes' | 'other';
  /** For `scopes`, the map in file order. */
  scopes: PermissionScope[];
  raw?: string;
  /** The `permissions` key. */
  at: Location;
}

/** A key/value pair of `env:`, `with:` or `secrets:`; `value` is the scalar's text (`''` for maps and lists). */
export interface NamedValue {
  name: string;
  value: string;
  /** The key. */
  at: Location;
  /** The value. */
  valueAt: Location;
}

/** What a `uses:` names. */
export interface UsesRef {
  /** As written: `actions/checkout@v4`, `./.github/actions/setup`, `docker://alpine:3.20`. */
  raw: string;
  /**
   * `repository`: `owner/repo[/path]@ref` (an action, or a reusable workflow when path ends in .yml);
   * `local`: `./path` in the same repository; `docker`: `docker://image[:tag|@digest]`.
   */
  kind: 'repository' | 'local' | 'docker';
  owner?: string;
  repo?: string;
  /** Sub-path inside the repository, when there is one. */
  path?: string;
  /** The part after `@` (repositories, docker digests) or `:` (docker tags). */
  ref?: string;
  /** Pinned to an immutable version: a 40-hex commit SHA, or a docker `sha256:` digest. Local refs are not "pinned". */
  pinned: boolean;
  /** The `uses` key. */
  at: Location;
  /** The value. */
  valueAt: Location;
}

export interface WorkflowJob {
  /** The job's key under `jobs:` (`runs` for a composite action). */
  id: string;
  name?: string;
  /** The job's key. */
  at: Location;
  /**
   * GitHub: the job-level `if:` as written (with or without `${{ }}`), and its key. GitLab CI: the `if:`s of the job's
   * `rules:` that can run it, joined with ` || ` (absent when a rule without `if:` can run it), at the first `if` key.
   */
  if?: { text: string; at: Location };
  /** Job-level `permissions:`; absent when the job has none (it then gets the workflow's, else the default). */
  permissions?: TokenPermissions;
  /**
   * `environment:` name (`environment: prod` or `environment: { name: prod }`). Where a platform puts its
   * deployment protection (GitHub required reviewers, GitLab protected environments and approvals);
   * whether the named environment is protected is not in the file.
   */
  environment?: { name: string; at: Location };
  /** GitLab CI: `when: manual` (a person starts the job), with its Location; other `when:` values are not kept. */
  manual?: Location;
  /** GitLab CI: `id_tokens:` (OIDC ID tokens the job requests), name → `aud` value. */
  idTokens?: NamedValue[];
  /** A job that calls a reusable workflow (`jobs.<id>.uses`). */
  uses?: UsesRef;
  /** `secrets: inherit` on a reusable-workflow call: the key's Location. */
  secretsInherit?: Location;
  /** `secrets:` passed explicitly to a reusable workflow. */
  secrets: NamedValue[];
  /** `with:` inputs of a reusable-workflow call. */
  with: NamedValue[];
  env: NamedValue[];
  steps: WorkflowStep[];
}

export interface WorkflowStep {
  /** 0-based position in the job. */
  index: number;
  id?: string;
  name?: string;
  /** The step's first key. */
  at: Location;
  uses?: UsesRef;
  run?: { text: string; at: Location };
  with: NamedValue[];
  env: NamedValue[];
}

/**
 * One reference to secrets inside a `${{ … }}` expression.
 * - `named`: `secrets.X` or `secrets['X']`;
 * - `whole-context`: the context itself as a value (`toJSON(secrets)`, `secrets` passed to a function);
 * - `dynamic`: `secrets[<expression>]`, which needs every secret at hand to be evaluated;
 * - `github-token`: the automatic token through `github.token` (`secrets.GITHUB_TOKEN` is `named`);
 * - `job-token`: GitLab's automatic `CI_JOB_TOKEN`.
 *
 * GitLab CI has no secrets context: a `named` reference there is `$NAME` / `${NAME}` of a variable that
 * the file does not define, that GitLab does not predefine, and whose name reads like a credential
 * (`…TOKEN`, `…SECRET…`, `…PASSWORD`, `…KEY`…): a project or group CI/CD variable holding a secret.
 * `expression` is the reference as written; a job's `secrets:` entries (Vault, cloud secret managers)
 * are `named` with section `secrets`.
 */
export interface SecretRef {
  kind: 'named' | 'whole-context' | 'dynamic' | 'github-token' | 'job-token';
  /** The secret's name for `named` (as written), else absent. */
  name?: string;
  /** The whole `${{ … }}` expression as written. */
  expression: string;
  /** Where the reference itself (`secrets…`, `toJSON(secrets)`, `github.token`) starts. */
  at: Location;
  /** The job it is in (absent at workflow level). */
  job?: string;
  /** The step it is in (index in the job). */
  step?: number;
  /** Which part of the job or step holds it: `with`, `env`, `run`, `secrets` (reusable call), `if`, or `other`. */
  section: 'with' | 'env' | 'run' | 'secrets' | 'if' | 'other';
  /** The key under `with:`, `env:` or `secrets:` whose value holds it. */
  key?: string;
}

/** The name GitHub gives the automatic token when it is read through the secrets context. */
export const GITHUB_TOKEN_SECRET = 'GITHUB_TOKEN';

/** A workflow (or composite action) identity's attributes, when it is one. */
export function workflowAttributes(attributes: Record<string, unknown> | undefined): WorkflowAttributes | undefined {
  const a = attributes as Partial<WorkflowAttributes> | undefined;
  return a && typeof a.platform === 'string' && Array.isArray(a.jobs) && Array.isArray(a.secretRefs) ? (a as WorkflowAttributes) : undefined;
}
