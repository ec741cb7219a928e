/**
 * How AWS IAM lands in the inventory: the contract between connectors/aws-iam (which
 * collects it, live or from exports) and the AWS rules (which evaluate it).
 *
 * Identities (`Identity.provider === 'aws'`, `scope` = 12-digit account id):
 * - `kind: 'aws-iam-user'`, id = user ARN; `attributes: AwsUserAttributes`.
 * - `kind: 'aws-iam-role'`, id = role ARN; `attributes: AwsRoleAttributes`; `trustedBy` lists
 *   the principals of the trust policy's Allow statements (`*`, account ARNs, service names,
 *   federated provider ARNs).
 * - `kind: 'aws-root'`, id = `arn:aws:iam::<account>:root`, from the credential report's
 *   `<root_account>` row.
 * `tags` holds the identity's tags; `owners` the claims from owner tags (source `tag:<key>`).
 * `lastUsed`: roles from `RoleLastUsed.LastUsedDate` (null when AWS reports none);
 * users from the latest of password and key use.
 *
 * Credentials (`provider === 'aws'`):
 * - `kind: 'aws-access-key'`, id = `handle` = access key id; `identityId` = user (or root) ARN;
 *   `created`, `lastRotated` (= created for access keys), `lastUsed` (null = never used,
 *   undefined = unknown), `status` active/inactive; `attributes: AwsAccessKeyAttributes`.
 * - `kind: 'aws-console-password'`, id = `<user arn>#password`, for users with a password.
 *
 * Grants: one per effective statement of every policy that applies to an identity (inline,
 * attached managed, and those of its groups), with `Action`/`NotAction` and `Resource`
 * normalised to arrays; `source` names the policy (`arn:…:policy/X`, `inline:<name>`,
 * `group:<name>/inline:<name>`). Deny statements are kept (effect 'Deny'): rules subtract them.
 * Policy documents arrive URL-encoded from the API and are decoded by the connector.
 */
export interface AwsUserAttributes {
  arn: string;
  path: string;
  userId?: string;
  passwordEnabled?: boolean;
  passwordLastUsed?: string | null;
  mfaActive?: boolean;
  groups: string[];
  /** Permissions boundary ARN, when set. */
  permissionsBoundary?: string;
  /** ARNs of the managed policies attached directly or through groups (connector extension). */
  managedPolicies?: string[];
  /** Attached managed policies whose document the export lacks (no grants were made for them). */
  unresolvedPolicies?: string[];
}

export interface AwsRoleAttributes {
  arn: string;
  path: string;
  roleId?: string;
  /** The decoded trust policy. */
  trustPolicy: PolicyDocument;
  roleLastUsedRegion?: string;
  /** Service-linked roles (path `/aws-service-role/`) are managed by AWS. */
  serviceLinked: boolean;
  instanceProfiles: string[];
  maxSessionDuration?: number;
  permissionsBoundary?: string;
  /** ARNs of the managed policies attached (connector extension). */
  managedPolicies?: string[];
  /** Attached managed policies whose document the export lacks (no grants were made for them). */
  unresolvedPolicies?: string[];
}

export interface AwsAccessKeyAttributes {
  /** 1 or 2: the credential report's column pair. */
  slot?: number;
  lastUsedRegion?: string;
  lastUsedService?: string;
  /** Export files (paths relative to the scanned folder) that list this key id. */
  listedIn?: string[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: '*' | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** Grant.conditions for AWS: the statement's Condition block, plus NotAction/NotResource when used. */
export interface AwsGrantConditions {
  Condition?: PolicyStatement['Condition'];
  NotAction?: string[];
  NotResource?: string[];
}
