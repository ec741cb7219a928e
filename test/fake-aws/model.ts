/**
 * The fake IAM/STS server's object model: what one fake AWS account holds. The server renders
 * it into the Query protocol's XML (authorization details, credential report, key listings).
 */

export type FakeTag = {
  Key: string;
  Value: string;
};

export interface FakeInlinePolicy {
  name: string;
  document: object;
}

export interface FakeAccessKey {
  id: string;
  status: 'Active' | 'Inactive';
  created: string;
  /** `null`: never used (GetAccessKeyLastUsed returns N/A and no date). */
  lastUsed: { date: string; service: string; region: string } | null;
}

export interface FakeUser {
  name: string;
  id: string;
  path?: string;
  created: string;
  tags?: FakeTag[];
  groups?: string[];
  inlinePolicies?: FakeInlinePolicy[];
  attachedPolicies?: string[];
  permissionsBoundary?: string;
  /** Console password: when it was last used (null = never), or absent for no password. */
  password?: { lastUsed: string | null; lastChanged: string };
  mfa?: boolean;
  keys: FakeAccessKey[];
}

export interface FakeGroup {
  name: string;
  id: string;
  path?: string;
  created: string;
  inlinePolicies?: FakeInlinePolicy[];
  attachedPolicies?: string[];
}

export interface FakeRole {
  name: string;
  id: string;
  path?: string;
  created: string;
  trustPolicy: object;
  tags?: FakeTag[];
  inlinePolicies?: FakeInlinePolicy[];
  attachedPolicies?: string[];
  /** RoleLastUsed: absent = never assumed (AWS then returns an empty RoleLastUsed). */
  lastUsed?: { date: string; region: string };
  instanceProfiles?: string[];
}

export interface FakeManagedPolicy {
  name: string;
  id: string;
  arn: string;
  path?: string;
  created: string;
  updated?: string;
  document: object;
  attachmentCount: number;
}

export interface FakeAccount {
  accountId: string;
  /** When the root user was created (credential report's `<root_account>` row). */
  rootCreated: string;
  users: FakeUser[];
  groups: FakeGroup[];
  roles: FakeRole[];
  policies: FakeManagedPolicy[];
}

/** Who a request's access key id belongs to. */
export interface FakePrincipal {
  accountId: string;
  arn: string;
  userId: string;
}
