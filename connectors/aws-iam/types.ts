/**
 * What connectors/aws-iam reads from one account, before normalisation into the inventory
 * (src/core/aws.ts). Offline mode fills it from files written by the AWS CLI; live mode
 * fills it from the same API calls through the SDK. Field names are AWS's own, as the CLI's
 * JSON prints them (PascalCase); dates are ISO-8601 strings as in that JSON (the SDK's Date
 * objects are converted with toISOString()).
 */
import type { Location } from '../../src/core/model.js';

/** `aws iam get-account-authorization-details` (all pages merged). */
export interface AuthorizationDetails {
  UserDetailList?: UserDetail[];
  GroupDetailList?: GroupDetail[];
  RoleDetailList?: RoleDetail[];
  Policies?: ManagedPolicyDetail[];
}

export interface PolicyAttachment {
  PolicyName?: string;
  PolicyArn?: string;
}

export interface InlinePolicy {
  PolicyName: string;
  /** A JSON document; the API returns it URL-encoded, the CLI decoded or as an object. */
  PolicyDocument: string | object;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface UserDetail {
  Path?: string;
  UserName: string;
  UserId?: string;
  Arn: string;
  CreateDate?: string;
  UserPolicyList?: InlinePolicy[];
  GroupList?: string[];
  AttachedManagedPolicies?: PolicyAttachment[];
  PermissionsBoundary?: { PermissionsBoundaryType?: string; PermissionsBoundaryArn?: string };
  Tags?: Tag[];
}

export interface GroupDetail {
  Path?: string;
  GroupName: string;
  GroupId?: string;
  Arn: string;
  CreateDate?: string;
  GroupPolicyList?: InlinePolicy[];
  AttachedManagedPolicies?: PolicyAttachment[];
}

export interface RoleDetail {
  Path?: string;
  RoleName: string;
  RoleId?: string;
  Arn: string;
  CreateDate?: string;
  AssumeRolePolicyDocument?: string | object;
  InstanceProfileList?: Array<{ InstanceProfileName?: string; Arn?: string }>;
  RolePolicyList?: InlinePolicy[];
  AttachedManagedPolicies?: PolicyAttachment[];
  PermissionsBoundary?: { PermissionsBoundaryType?: string; PermissionsBoundaryArn?: string };
  Tags?: Tag[];
  RoleLastUsed?: { LastUsedDate?: string; Region?: string };
  MaxSessionDuration?: number;
}

export interface ManagedPolicyDetail {
  PolicyName?: string;
  PolicyId?: string;
  Arn: string;
  Path?: string;
  DefaultVersionId?: string;
  AttachmentCount?: number;
  IsAttachable?: boolean;
  PolicyVersionList?: Array<{ Document: string | object; VersionId?: string; IsDefaultVersion?: boolean; CreateDate?: string }>;
}

/** `aws iam list-access-keys` output, optionally joined with `get-access-key-last-used`. */
export interface AccessKeyMetadata {
  UserName: string;
  AccessKeyId: string;
  Status: 'Active' | 'Inactive';
  CreateDate?: string;
  /** From GetAccessKeyLastUsed: absent = not asked; `null` LastUsedDate = never used. */
  LastUsed?: { LastUsedDate?: string | null; ServiceName?: string; Region?: string };
}

/** Everything known about one account. Each part may be missing (a partial export). */
export interface AwsAccountExport {
  /** 12-digit account id: from STS GetCallerIdentity, or from ARNs in the export. */
  accountId: string;
  authorizationDetails?: AuthorizationDetails;
  /** The decoded `Content` of GetCredentialReport: CSV text with the 22 documented columns. */
  credentialReportCsv?: string;
  accessKeys?: AccessKeyMetadata[];
  /** Where each part came from (file paths or API calls), for messages and finding locations. */
  sources: { authorizationDetails?: string; credentialReport?: string; accessKeys?: string };
  /** Offline mode: the line of each entry in the export files (Identity/Credential `definedAt`). */
  locations?: ExportLocations;
}

/**
 * Where entries were read, paths relative to the scanned folder (as in `sources`), 1-based lines
 * and columns. Found cheaply, once per file: the first `"UserName": "<name>"` / `"RoleName"` /
 * `"AccessKeyId"` pair in the text, and the credential report's row numbers.
 */
export interface ExportLocations {
  /** Users and roles by ARN: their `UserName` / `RoleName` entry in the authorization details. */
  identities: Map<string, Location>;
  /** Access keys by id: their `AccessKeyId` entry in a list-access-keys export. */
  accessKeys: Map<string, Location>;
  /** Credential report rows by ARN (for the base64 JSON form, which has no rows: its `Content` line). */
  reportRows: Map<string, Location>;
}
