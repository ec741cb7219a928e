/**
 * IAM actions whose response carries a credential or a secret value, for credentials-exposure.
 * Allowed on an unrestricted resource (`*`, or every secret / parameter / key of the account) they
 * let the principal read every secret the account stores, whoever it belongs to.
 *
 * Started from Cloudsplaining's list of actions that return credentials
 * (https://github.com/salesforce/cloudsplaining, `ACTIONS_THAT_RETURN_CREDENTIALS`, after
 * https://gist.github.com/kmcquade/33860a617e651104d243c324ddf7992a) and its data-exfiltration
 * list (Secrets Manager, SSM Parameter Store), and kept to actions that reveal *someone else's*
 * secret. Left out on purpose:
 * - `sts:AssumeRole*`, `sts:GetSessionToken`, `sts:GetFederationToken`, `sso:GetRoleCredentials`:
 *   the credentials they return are bounded by the caller's own permissions or by the target's
 *   trust policy (trust-any-principal and privilege-escalation look at those);
 * - `ecr:GetAuthorizationToken`, `codeartifact:GetAuthorizationToken`: the token only carries the
 *   caller's own repository permissions, and ECR does not support resource-level permissions for
 *   it, so every principal that pulls an image holds it on `*`;
 * - `iam:UpdateAccessKey` (reactivates a key but returns no secret), `s3:GetObject` (data, not
 *   credentials: too broad a net for this rule).
 */
export type CredentialActionKind = 'secret' | 'credential' | 'may-contain';

export interface CredentialAction {
  action: string;
  /** What the response reveals. */
  returns: string;
  /** `secret`: stored secret values; `credential`: a new credential for another principal; `may-contain`: configuration that often holds secrets. */
  kind: CredentialActionKind;
  /** The resource must be a user other than the principal itself (creating one's own key is not exposure). */
  otherUsersOnly?: boolean;
}

export const CREDENTIAL_ACTIONS: readonly CredentialAction[] = [
  { action: 'secretsmanager:GetSecretValue', returns: 'the value of every Secrets Manager secret', kind: 'secret' },
  { action: 'secretsmanager:BatchGetSecretValue', returns: 'the values of Secrets Manager secrets, many per call', kind: 'secret' },
  { action: 'ssm:GetParameter', returns: 'SSM parameters, SecureString values decrypted with WithDecryption', kind: 'secret' },
  { action: 'ssm:GetParameters', returns: 'SSM parameters, SecureString values decrypted with WithDecryption', kind: 'secret' },
  { action: 'ssm:GetParametersByPath', returns: 'whole SSM parameter trees, SecureString values decrypted', kind: 'secret' },
  { action: 'ssm:GetParameterHistory', returns: 'past values of SSM parameters, decrypted', kind: 'secret' },
  { action: 'kms:Decrypt', returns: 'the plaintext of anything encrypted under any KMS key whose key policy lets IAM decide', kind: 'secret' },
  { action: 'iam:CreateAccessKey', returns: 'a new access key for any other IAM user', kind: 'credential', otherUsersOnly: true },
  { action: 'iam:CreateServiceSpecificCredential', returns: 'CodeCommit / Keyspaces passwords for any user', kind: 'credential' },
  { action: 'iam:ResetServiceSpecificCredential', returns: 'a new service-specific password for any user', kind: 'credential' },
  { action: 'ec2:GetPasswordData', returns: 'the encrypted Windows Administrator password of any instance', kind: 'credential' },
  { action: 'redshift:GetClusterCredentials', returns: 'temporary database passwords for any Redshift cluster user', kind: 'credential' },
  { action: 'redshift:GetClusterCredentialsWithIAM', returns: 'temporary Redshift database credentials', kind: 'credential' },
  { action: 'redshift-serverless:GetCredentials', returns: 'temporary Redshift Serverless database credentials', kind: 'credential' },
  { action: 'rds-db:connect', returns: 'IAM authentication tokens for any database user of any RDS instance', kind: 'credential' },
  { action: 'lightsail:GetInstanceAccessDetails', returns: 'temporary SSH keys or RDP passwords for Lightsail instances', kind: 'credential' },
  { action: 'lightsail:DownloadDefaultKeyPair', returns: 'the private key of the Lightsail default key pair', kind: 'credential' },
  { action: 'lightsail:GetRelationalDatabaseMasterUserPassword', returns: 'the master password of Lightsail databases', kind: 'credential' },
  { action: 'glue:GetConnection', returns: 'Glue connection properties, including JDBC passwords unless hidden', kind: 'secret' },
  { action: 'glue:GetConnections', returns: 'Glue connection properties, including JDBC passwords unless hidden', kind: 'secret' },
  { action: 'lambda:GetFunctionConfiguration', returns: 'Lambda environment variables, where secrets are often kept', kind: 'may-contain' },
  { action: 'lambda:GetFunction', returns: 'Lambda environment variables and a code download link', kind: 'may-contain' },
  { action: 'codebuild:BatchGetProjects', returns: 'CodeBuild project environment variables in plain text', kind: 'may-contain' },
];
