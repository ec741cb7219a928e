/**
 * What connectors/n8n puts in the inventory about n8n exports: the n8n part of a workflow's
 * attributes (`WorkflowAttributes.n8n`, platform `'n8n'`), and the attributes of a credential
 * listed by `n8n export:credentials`.
 *
 * An n8n workflow identity: provider `'n8n'`, kind `'workflow'`; id = the export file's path relative
 * to the scanned root, followed by `#<workflow id>` (else `#<position>`) when the file holds an array of
 * workflows (`n8n export:workflow --all`); scope = the scanned folder as named on the command line
 * (workflows and credentials exported from one instance are scanned together); owners = tags naming
 * an owner (`owner:dana@example.com`, keys from the `ownerTagKeys` setting).
 *
 * No value of a node parameter is kept: the connector judges header and query values when it reads
 * them and keeps only where a literal credential is and what kind it is (`literalCredentials`), so the
 * inventory and the store never hold one. Credential `data` (encrypted or decrypted) is never read in.
 */
import type { Location } from './model.js';
import type { Severity } from './severity.js';

/** `Credential.kind` of a credential listed by `n8n export:credentials`. */
export const N8N_CREDENTIAL = 'n8n-credential';

export interface N8nWorkflowDetails {
  /** The workflow's `id` in its instance, when the export has one. */
  workflowId?: string;
  /** `active`: the workflow's triggers and webhooks are live. */
  active: boolean;
  /** The `active` key, when there is one. */
  activeAt?: Location;
  /** The `name` key's value, when there is one. */
  nameAt?: Location;
  /** A non-empty top-level `description` (n8n 1.x keeps a workflow's description there). */
  described: boolean;
  /** Sticky notes on the canvas with some text (the other place n8n users document a workflow). */
  stickyNotes: number;
  /** Tag names as written (`tags: [{ name }]` or `tags: ["name"]`). */
  tags: string[];
  nodes: N8nNode[];
  /** `connections`: each `main` edge, from the source node's name to the target's (other connection types, such as AI tools, too). */
  connections: Array<{ from: string; to: string }>;
  /** Header, query and URL parameters of HTTP Request nodes whose value is a literal credential. */
  literalCredentials: N8nLiteralCredential[];
}

export interface N8nNode {
  name: string;
  /** `n8n-nodes-base.webhook`, `n8n-nodes-base.httpRequest`… */
  type: string;
  /** The node's first key. */
  at: Location;
  /** The `type` key. */
  typeAt: Location;
  disabled: boolean;
  /** A node that starts the workflow (a `…Trigger` type, a webhook, a schedule). */
  trigger: boolean;
  /** `parameters.authentication` as written (webhooks: `none`, `basicAuth`, `headerAuth`, `jwtAuth`); absent means n8n's default. */
  authentication?: { value: string; at: Location };
  /** Webhooks: `parameters.path` and `parameters.httpMethod`, when written. */
  webhookPath?: string;
  httpMethod?: string;
  /** `parameters.resource` and `parameters.operation` when written as literals (`user` / `invite` on the GitHub node). */
  resource?: string;
  operation?: string;
  /**
   * HTTP Request nodes: `parameters.url` reduced to scheme, host and path: no user info, query or fragment
   * (where literal credentials hide). An expression (`=https://{{ $json.host }}/x`) is kept as written after
   * the `=`, reduced the same way. `at` is the value.
   */
  url?: { value: string; at: Location };
  /**
   * HTTP Request nodes: `parameters.method` (`requestMethod` in version 1) as written, `=…` for an expression;
   * absent when not written, which n8n runs as GET.
   */
  requestMethod?: string;
  /** `credentials: { "<credentialType>": { id, name } }` (old exports: `{ "<credentialType>": "<name>" }`). */
  credentials: N8nCredentialRef[];
}

export interface N8nCredentialRef {
  /** The credential type, as the key is written (`httpHeaderAuth`, `slackApi`…). */
  type: string;
  id?: string;
  name?: string;
  /** The credential type's key under the node's `credentials`. */
  at: Location;
}

export interface N8nLiteralCredential {
  node: string;
  nodeType: string;
  /** Which parameter: a header, a query parameter, or a query string written in the URL. */
  section: 'header' | 'query' | 'url';
  /** The header or query parameter name. */
  name: string;
  /** The parameter's `name` key (for `url`, the URL's value). */
  at: Location;
  /** Where the value starts. */
  valueAt: Location;
  /** A short preview (`ghp_…x9Qa`), never the value. */
  redacted: string;
  /** The secret detector that recognised the value; absent when the literal-credential heuristic did. */
  detector?: { id: string; title: string; severity: Severity };
}

/** A credential listed by `n8n export:credentials`: metadata only. */
export interface N8nCredentialAttributes {
  /** The credential's id in its instance. */
  n8nId: string;
  name: string;
  /** The credential type (`slackApi`). */
  type: string;
  /** The scanned folder, as for workflows (see above). */
  scope: string;
  /** The export's path relative to the scanned root. */
  file: string;
}
