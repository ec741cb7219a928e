/**
 * The catalogue of calls that change who can do what: identity and permission APIs (AWS IAM and Identity Center,
 * GitHub organization/team/collaborator administration, Microsoft Entra ID, Azure RBAC, Google Cloud IAM, Google
 * Workspace, Kubernetes RBAC, Okta), and where workflows make them:
 * - shell text (`run:` steps, GitLab `script`, `inlineScript` of azure/cli and azure/powershell): the CLIs
 *   (`aws`, `az`, `gcloud`, `gsutil`, `kubectl`, `oc`, `gh api`), HTTP clients (`curl`, `wget`, `Invoke-RestMethod`,
 *   `az rest`) aimed at the REST APIs, and PowerShell cmdlets (Microsoft Graph, Az, AzureAD modules);
 * - `actions/github-script` scripts calling Octokit's administration methods (or `request('PUT /orgs/…')`);
 * - a few GitHub Actions that do nothing else;
 * - n8n nodes: the identity-admin nodes with a changing operation, and HTTP Request nodes aimed at an endpoint that
 *   only exists to change access.
 *
 * Only changes count: reads (`aws iam list-users`, `gh api /orgs/x/members`, `az ad sp list`) are not in it.
 * Shell text is read as commands (line continuations joined; `&&`, `;`, `|`, `$( )` split; comments, quoted text
 * and heredoc bodies skipped), so `echo "aws iam create-user"` or `# aws iam create-user` is not a call.
 */
import type { N8nNode } from '../core/n8n.js';
import type { UsesRef } from '../core/workflow.js';

export type AccessFamily =
  | 'AWS IAM'
  | 'AWS Organizations'
  | 'AWS IAM Identity Center'
  | 'GitHub organization and teams'
  | 'GitHub repository access'
  | 'Microsoft Entra ID'
  | 'Azure RBAC'
  | 'Google Cloud IAM'
  | 'Google Workspace'
  | 'Kubernetes RBAC'
  | 'Okta';

export type ChangingMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Which REST API a URL is aimed at. */
export type RestApi = 'github' | 'graph' | 'arm' | 'google' | 'okta';

export interface RestRoute {
  /** Matched against the URL's path (no query), API version prefix removed for Microsoft Graph; anchored. */
  path: RegExp;
  methods: readonly ChangingMethod[];
  /** How the route reads in a message; `$1`… are the path's groups. */
  template: string;
  /** The path exists only to change access (an action such as `addPassword`): a call to it changes, whatever its method. */
  changingOnly?: boolean;
}

export type AccessMatcher =
  /** `program <path…> <verb>` among the command's positional words (global flags may come first). */
  | { kind: 'cli'; program: string; commands: ReadonlyArray<readonly [path: readonly string[], verb: RegExp]> }
  /** `program … <verb>` with the verb anywhere among the first positional words (`gcloud run services add-iam-policy-binding`). */
  | { kind: 'cli-verb'; program: string; verb: RegExp }
  /** A PowerShell cmdlet, wherever it sits in the command (`$sp = New-MgServicePrincipal …`). */
  | { kind: 'cmdlet'; name: RegExp }
  | { kind: 'rest'; api: RestApi; routes: readonly RestRoute[] }
  /** Octokit REST methods (`github.rest.orgs.setMembershipForUser`). */
  | { kind: 'octokit'; namespace: 'orgs' | 'teams' | 'repos'; methods: readonly string[] }
  /** Actions (`owner/repo`, lower case) that change access and do nothing else. */
  | { kind: 'action'; actions: ReadonlyArray<readonly [string, string]> }
  /**
   * An n8n node (`n8n-nodes-base.<nodeType>`, or its AI-tool variant `<nodeType>Tool`) on one of `resources` with a
   * changing operation. `defaults` are n8n's own, used when the export leaves the parameter out (n8n does, for a
   * parameter at its default); they are listed only where the node's source confirms them.
   */
  | { kind: 'n8n'; nodeType: string; label: string; resources: readonly string[]; operations: RegExp; defaults?: { resource?: string; operation?: Readonly<Record<string, string>> } };

export interface AccessApi {
  id: string;
  family: AccessFamily;
  description: string;
  match: AccessMatcher;
}

/** One changing call found in a workflow. */
export interface AccessCall {
  api: AccessApi;
  /** How the call reads in a message: `aws iam attach-role-policy`, `gh api PUT /orgs/{org}/memberships/{username}`. */
  call: string;
}

const S = '[^/]+';
/** `{owner}/{repo}`, or one expression standing for both (`${{ github.repository }}`). */
const REPO = `${S}(?:/${S})?`;
const route = (path: string, methods: readonly ChangingMethod[], template: string, changingOnly = false): RestRoute => ({
  path: new RegExp(`^${path}$`, 'i'),
  methods,
  template,
  ...(changingOnly ? { changingOnly } : {}),
});
const PUT_DELETE: readonly ChangingMethod[] = ['PUT', 'DELETE'];
const ALL: readonly ChangingMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Every entry, in the order findings list them. */
export const ACCESS_APIS: readonly AccessApi[] = [
  // AWS
  {
    id: 'aws-iam',
    family: 'AWS IAM',
    description: 'Creates, deletes or changes IAM users, roles, groups, policies, access keys, login profiles, MFA devices or identity providers',
    // Server certificates are TLS certificates for load balancers, not access.
    match: { kind: 'cli', program: 'aws', commands: [[['iam'], /^(?!(?:upload|update|delete)-server-certificate$)(?:create|delete|attach|detach|put|update|add|remove|set|reset|upload|change|enable|deactivate)-/]] },
  },
  {
    id: 'aws-organizations',
    family: 'AWS Organizations',
    description: 'Changes the organization: accounts, organizational units, service control policies, delegated administrators',
    match: { kind: 'cli', program: 'aws', commands: [[['organizations'], /^(?:create|delete|attach|detach|update|enable|disable|invite|remove|move|register|deregister|leave|close|accept|put)-/]] },
  },
  {
    id: 'aws-identity-center',
    family: 'AWS IAM Identity Center',
    description: 'Assigns permission sets to accounts, changes permission sets, or creates and changes Identity Center users, groups and memberships',
    match: {
      kind: 'cli',
      program: 'aws',
      commands: [
        [['sso-admin'], /^(?:create|delete|update|put|attach|detach|provision)-/],
        [['identitystore'], /^(?:create|delete|update)-/],
      ],
    },
  },
  // GitHub
  {
    id: 'github-org-membership',
    family: 'GitHub organization and teams',
    description: 'Adds, invites, removes or converts organization members and outside collaborators, assigns organization roles, approves fine-grained tokens',
    match: {
      kind: 'rest',
      api: 'github',
      routes: [
        route(`/orgs/${S}/memberships/${S}`, PUT_DELETE, '/orgs/{org}/memberships/{username}'),
        route(`/orgs/${S}/members/${S}`, ['DELETE'], '/orgs/{org}/members/{username}'),
        route(`/orgs/${S}/invitations`, ['POST'], '/orgs/{org}/invitations'),
        route(`/orgs/${S}/invitations/${S}`, ['DELETE'], '/orgs/{org}/invitations/{invitation_id}'),
        route(`/orgs/${S}/outside_collaborators/${S}`, PUT_DELETE, '/orgs/{org}/outside_collaborators/{username}'),
        route(`/orgs/${S}/organization-roles/(teams|users)/${S}(?:/${S})?`, PUT_DELETE, '/orgs/{org}/organization-roles/$1/…'),
        route(`/orgs/${S}/(personal-access-tokens|personal-access-token-requests)(?:/${S})?`, ['POST'], '/orgs/{org}/$1'),
      ],
    },
  },
  {
    id: 'github-teams',
    family: 'GitHub organization and teams',
    description: 'Creates, changes or deletes teams, their members, and the repositories they can reach',
    match: {
      kind: 'rest',
      api: 'github',
      routes: [
        route(`/orgs/${S}/teams`, ['POST'], '/orgs/{org}/teams'),
        route(`/orgs/${S}/teams/${S}`, ['PATCH', 'DELETE'], '/orgs/{org}/teams/{team_slug}'),
        route(`/orgs/${S}/teams/${S}/memberships/${S}`, PUT_DELETE, '/orgs/{org}/teams/{team_slug}/memberships/{username}'),
        route(`/orgs/${S}/teams/${S}/repos/${REPO}`, PUT_DELETE, '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}'),
        route(`/teams/${S}/(memberships|members)/${S}`, PUT_DELETE, '/teams/{team_id}/$1/{username}'),
        route(`/teams/${S}/repos/${REPO}`, PUT_DELETE, '/teams/{team_id}/repos/{owner}/{repo}'),
      ],
    },
  },
  {
    id: 'github-repo-access',
    family: 'GitHub repository access',
    description: 'Adds or removes repository collaborators, changes their invitations, adds or deletes deploy keys',
    match: {
      kind: 'rest',
      api: 'github',
      routes: [
        route(`/repos/${REPO}/collaborators/${S}`, PUT_DELETE, '/repos/{owner}/{repo}/collaborators/{username}'),
        route(`/repos/${REPO}/invitations/${S}`, ['PATCH', 'DELETE'], '/repos/{owner}/{repo}/invitations/{invitation_id}'),
        route(`/repos/${REPO}/keys`, ['POST'], '/repos/{owner}/{repo}/keys'),
        route(`/repos/${REPO}/keys/${S}`, ['DELETE'], '/repos/{owner}/{repo}/keys/{key_id}'),
      ],
    },
  },
  {
    id: 'octokit-orgs',
    family: 'GitHub organization and teams',
    description: 'Octokit organization administration (members, invitations, outside collaborators, organization roles, fine-grained tokens)',
    match: {
      kind: 'octokit',
      namespace: 'orgs',
      methods: [
        'setMembershipForUser',
        'removeMember',
        'removeMembershipForUser',
        'createInvitation',
        'cancelInvitation',
        'convertMemberToOutsideCollaborator',
        'removeOutsideCollaborator',
        'assignTeamToOrgRole',
        'assignUserToOrgRole',
        'revokeAllOrgRolesTeam',
        'revokeAllOrgRolesUser',
        'revokeOrgRoleTeam',
        'revokeOrgRoleUser',
        'updatePatAccess',
        'updatePatAccesses',
        'reviewPatGrantRequest',
        'reviewPatGrantRequestsInBulk',
      ],
    },
  },
  {
    id: 'octokit-teams',
    family: 'GitHub organization and teams',
    description: 'Octokit team administration (teams, team members, team repository permissions)',
    match: {
      kind: 'octokit',
      namespace: 'teams',
      methods: [
        'create',
        'updateInOrg',
        'deleteInOrg',
        'addOrUpdateMembershipForUserInOrg',
        'removeMembershipForUserInOrg',
        'addOrUpdateRepoPermissionsInOrg',
        'removeRepoInOrg',
        'addOrUpdateMembershipForUserLegacy',
        'removeMembershipForUserLegacy',
        'addMemberLegacy',
        'removeMemberLegacy',
        'addOrUpdateRepoPermissionsLegacy',
        'removeRepoLegacy',
      ],
    },
  },
  {
    id: 'octokit-repos',
    family: 'GitHub repository access',
    description: 'Octokit repository access (collaborators, their invitations, deploy keys)',
    match: { kind: 'octokit', namespace: 'repos', methods: ['addCollaborator', 'removeCollaborator', 'updateInvitation', 'deleteInvitation', 'createDeployKey', 'deleteDeployKey'] },
  },
  {
    id: 'github-team-actions',
    family: 'GitHub organization and teams',
    description: 'Actions that add or remove team members or a team’s repositories',
    match: {
      kind: 'action',
      actions: [
        ['lindluni', 'team-add'],
        ['lee-lott-actions', 'add-member-to-team'],
        ['lee-lott-actions', 'update-member-in-team'],
        ['lee-lott-actions', 'remove-member-from-team'],
        ['lee-lott-actions', 'add-team-to-repo'],
      ],
    },
  },
  // Microsoft Entra ID and Azure
  {
    id: 'entra-cli',
    family: 'Microsoft Entra ID',
    description: 'Creates, changes or deletes service principals, app registrations and their secrets, certificates, federated credentials and API permissions, users, groups and memberships, managed identities',
    match: {
      kind: 'cli',
      program: 'az',
      commands: [
        [['ad', 'sp'], /^(?:create|create-for-rbac|delete|update)$/],
        [['ad', 'sp', 'credential'], /^(?:reset|delete)$/],
        [['ad', 'app'], /^(?:create|delete|update)$/],
        [['ad', 'app', 'credential'], /^(?:reset|delete)$/],
        [['ad', 'app', 'federated-credential'], /^(?:create|update|delete)$/],
        [['ad', 'app', 'permission'], /^(?:add|delete|grant|admin-consent)$/],
        [['ad', 'app', 'owner'], /^(?:add|remove)$/],
        [['ad', 'group'], /^(?:create|delete)$/],
        [['ad', 'group', 'member'], /^(?:add|remove)$/],
        [['ad', 'group', 'owner'], /^(?:add|remove)$/],
        [['ad', 'user'], /^(?:create|delete|update)$/],
        [['identity'], /^(?:create|delete)$/],
        [['identity', 'federated-credential'], /^(?:create|update|delete)$/],
      ],
    },
  },
  {
    id: 'azure-rbac-cli',
    family: 'Azure RBAC',
    description: 'Creates or deletes Azure role assignments and role definitions, or Key Vault access policies',
    match: {
      kind: 'cli',
      program: 'az',
      commands: [
        [['role', 'assignment'], /^(?:create|delete|update)$/],
        [['role', 'definition'], /^(?:create|update|delete)$/],
        [['keyvault'], /^(?:set-policy|delete-policy)$/],
      ],
    },
  },
  {
    id: 'entra-powershell',
    family: 'Microsoft Entra ID',
    description: 'Microsoft Graph, AzureAD and Az PowerShell cmdlets that create or change service principals, applications and their credentials, directory roles, app role assignments, consent grants, users, groups and memberships, managed identities',
    match: {
      kind: 'cmdlet',
      name: new RegExp(
        [
          '^(?:New|Remove|Update|Add|Set|Reset)-Mg(?:Beta)?(?:ServicePrincipal(?:Password|Key|AppRoleAssignment|AppRoleAssignedTo|OwnerByRef)?|Application(?:Password|Key|FederatedIdentityCredential|OwnerByRef)?|RoleManagementDirectory(?:RoleAssignment|RoleDefinition|RoleEligibilityScheduleRequest|RoleAssignmentScheduleRequest)|DirectoryRoleMember(?:ByRef)?|User|UserAppRoleAssignment|Group|GroupMember(?:ByRef)?|GroupOwner(?:ByRef)?|Invitation|Oauth2PermissionGrant)$',
          '^(?:New|Remove|Set|Add)-AzureAD(?:ServicePrincipal(?:PasswordCredential|KeyCredential)?|Application(?:PasswordCredential|KeyCredential|Owner)?|User|Group|GroupMember|GroupOwner|DirectoryRoleMember|ServiceAppRoleAssignment|UserAppRoleAssignment|GroupAppRoleAssignment)$',
          '^(?:New|Remove|Update|Add)-AzAD(?:ServicePrincipal|SpCredential|Application|AppCredential|AppFederatedCredential|Group|GroupMember|User)$',
          '^(?:New|Remove)-Az(?:UserAssignedIdentity|FederatedIdentityCredential)$',
        ].join('|'),
        'i',
      ),
    },
  },
  {
    id: 'azure-rbac-powershell',
    family: 'Azure RBAC',
    description: 'Az PowerShell cmdlets that create or remove role assignments, role definitions or Key Vault access policies',
    match: { kind: 'cmdlet', name: /^(?:New|Remove|Set)-Az(?:RoleAssignment|RoleDefinition|KeyVaultAccessPolicy)$/i },
  },
  {
    id: 'entra-graph-api',
    family: 'Microsoft Entra ID',
    description: 'Microsoft Graph calls that add or remove app secrets and certificates, federated credentials, directory role and app role assignments, consent grants, users, guests, groups and memberships',
    match: {
      kind: 'rest',
      api: 'graph',
      routes: [
        route(`/(servicePrincipals|applications)(?:/${S}|\\([^)/]*\\))/(addPassword|addKey|removePassword|removeKey)`, ['POST'], '/$1/{id}/$2', true),
        route(`/applications(?:/${S}|\\([^)/]*\\))/federatedIdentityCredentials(?:/${S})?`, ['POST', 'PATCH', 'DELETE'], '/applications/{id}/federatedIdentityCredentials'),
        route(`/(servicePrincipals|applications)`, ['POST'], '/$1'),
        route(`/(servicePrincipals|applications)(?:/${S}|\\([^)/]*\\))`, ['PATCH', 'DELETE'], '/$1/{id}'),
        route(`/(servicePrincipals|applications)/${S}/owners/\\$ref`, ['POST'], '/$1/{id}/owners/$ref'),
        route(`/(servicePrincipals|applications)/${S}/owners/${S}/\\$ref`, ['DELETE'], '/$1/{id}/owners/{id}/$ref'),
        route(`/roleManagement/directory/(roleAssignments|roleDefinitions|roleAssignmentScheduleRequests|roleEligibilityScheduleRequests)(?:/${S})?`, ALL, '/roleManagement/directory/$1'),
        route(`/directoryRoles/${S}/members/\\$ref`, ['POST'], '/directoryRoles/{id}/members/$ref'),
        route(`/directoryRoles/${S}/members/${S}/\\$ref`, ['DELETE'], '/directoryRoles/{id}/members/{id}/$ref'),
        route(`/(servicePrincipals|users|groups)/${S}/(appRoleAssignments|appRoleAssignedTo)(?:/${S})?`, ['POST', 'DELETE'], '/$1/{id}/$2'),
        route(`/oauth2PermissionGrants(?:/${S})?`, ['POST', 'PATCH', 'DELETE'], '/oauth2PermissionGrants'),
        route(`/groups/${S}/(members|owners)/\\$ref`, ['POST'], '/groups/{id}/$1/$ref'),
        route(`/groups/${S}/(members|owners)/${S}/\\$ref`, ['DELETE'], '/groups/{id}/$1/{id}/$ref'),
        route(`/groups`, ['POST'], '/groups'),
        route(`/groups/${S}`, ['PATCH', 'DELETE'], '/groups/{id}'),
        route(`/users`, ['POST'], '/users'),
        route(`/users/${S}`, ['PATCH', 'DELETE'], '/users/{id}'),
        route(`/invitations`, ['POST'], '/invitations', true),
      ],
    },
  },
  {
    id: 'azure-rbac-api',
    family: 'Azure RBAC',
    description: 'Azure Resource Manager calls that create or delete role assignments and role definitions, or user-assigned identities and their federated credentials',
    match: {
      kind: 'rest',
      api: 'arm',
      routes: [
        route(`(?:/.*)?/providers/Microsoft\\.Authorization/(roleAssignments|roleDefinitions|roleAssignmentScheduleRequests|roleEligibilityScheduleRequests)/${S}`, PUT_DELETE, '…/providers/Microsoft.Authorization/$1/{id}'),
        route(`(?:/.*)?/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/${S}`, PUT_DELETE, '…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}'),
        route(`(?:/.*)?/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/${S}/federatedIdentityCredentials/${S}`, PUT_DELETE, '…/userAssignedIdentities/{name}/federatedIdentityCredentials/{name}'),
      ],
    },
  },
  // Google
  {
    id: 'gcp-iam-policy',
    family: 'Google Cloud IAM',
    description: 'Grants or revokes roles on an organization, folder, project or resource (IAM policy bindings)',
    match: { kind: 'cli-verb', program: 'gcloud', verb: /^(?:add-iam-policy-binding|remove-iam-policy-binding|set-iam-policy)$/ },
  },
  {
    id: 'gcp-iam',
    family: 'Google Cloud IAM',
    description: 'Creates, changes or deletes service accounts and their keys, custom roles, workload identity pools and providers',
    match: {
      kind: 'cli',
      program: 'gcloud',
      commands: [
        [['iam', 'service-accounts'], /^(?:create|delete|update|enable|disable|undelete)$/],
        [['iam', 'service-accounts', 'keys'], /^(?:create|delete|upload|enable|disable)$/],
        [['iam', 'roles'], /^(?:create|update|delete|undelete)$/],
        [['iam', 'workload-identity-pools'], /^(?:create|update|delete|undelete)$/],
        [['iam', 'workload-identity-pools', 'providers'], /^(?:create|update|delete|undelete)(?:-|$)/],
      ],
    },
  },
  {
    id: 'gcs-iam',
    family: 'Google Cloud IAM',
    description: 'Changes a Cloud Storage bucket’s IAM policy',
    match: { kind: 'cli', program: 'gsutil', commands: [[['iam'], /^(?:ch|set)$/]] },
  },
  {
    id: 'gcp-iam-api',
    family: 'Google Cloud IAM',
    description: 'Google Cloud API calls that set IAM policies or create and delete service accounts, their keys and custom roles',
    match: {
      kind: 'rest',
      api: 'google',
      routes: [
        route(`/.*:setIamPolicy`, ['POST'], '…:setIamPolicy', true),
        route(`/v1/projects/${S}/serviceAccounts`, ['POST'], '/v1/projects/{project}/serviceAccounts'),
        route(`/v1/projects/${S}/serviceAccounts/${S}`, ['PATCH', 'DELETE'], '/v1/projects/{project}/serviceAccounts/{account}'),
        route(`/v1/projects/${S}/serviceAccounts/${S}/keys`, ['POST'], '/v1/projects/{project}/serviceAccounts/{account}/keys'),
        route(`/v1/projects/${S}/serviceAccounts/${S}/keys:upload`, ['POST'], '/v1/projects/{project}/serviceAccounts/{account}/keys:upload', true),
        route(`/v1/projects/${S}/serviceAccounts/${S}/keys/${S}`, ['DELETE'], '/v1/projects/{project}/serviceAccounts/{account}/keys/{key}'),
        route(`/v1/(projects|organizations)/${S}/roles(?:/${S})?`, ['POST', 'PATCH', 'DELETE'], '/v1/$1/{id}/roles'),
      ],
    },
  },
  {
    id: 'workspace-admin-api',
    family: 'Google Workspace',
    description: 'Admin SDK Directory calls that create, change or delete users, make administrators, change group memberships or assign admin roles',
    match: {
      kind: 'rest',
      api: 'google',
      routes: [
        route(`/admin/directory/v1/users`, ['POST'], '/admin/directory/v1/users'),
        route(`/admin/directory/v1/users/${S}`, ['PUT', 'PATCH', 'DELETE'], '/admin/directory/v1/users/{user}'),
        route(`/admin/directory/v1/users/${S}/makeAdmin`, ['POST'], '/admin/directory/v1/users/{user}/makeAdmin', true),
        route(`/admin/directory/v1/groups`, ['POST'], '/admin/directory/v1/groups'),
        route(`/admin/directory/v1/groups/${S}/members(?:/${S})?`, ALL, '/admin/directory/v1/groups/{group}/members'),
        route(`/admin/directory/v1/customer/${S}/roleassignments(?:/${S})?`, ['POST', 'DELETE'], '/admin/directory/v1/customer/{customer}/roleassignments'),
      ],
    },
  },
  // Kubernetes
  {
    id: 'kubernetes-rbac',
    family: 'Kubernetes RBAC',
    description: 'Creates or deletes roles, cluster roles, their bindings or service accounts, or reconciles RBAC objects (kubectl, oc adm policy)',
    match: {
      kind: 'cli',
      program: 'kubectl',
      commands: [
        [['create'], /^(?:rolebinding|clusterrolebinding|role|clusterrole|serviceaccount|sa)$/],
        [['delete'], /^(?:rolebindings?|clusterrolebindings?|roles?|clusterroles?|serviceaccounts?|sa)(?:\/|$)/],
        [['set', 'subject'], /./],
        [['auth'], /^reconcile$/],
      ],
    },
  },
  {
    id: 'openshift-rbac',
    family: 'Kubernetes RBAC',
    description: 'Adds or removes roles and security context constraints for users and groups (oc adm policy)',
    match: { kind: 'cli', program: 'oc', commands: [[['adm', 'policy'], /^(?:add|remove)-/]] },
  },
  // Okta
  {
    id: 'okta-api',
    family: 'Okta',
    description: 'Okta API calls that create, change, deactivate or delete users, change group memberships, assign admin roles or app assignments',
    match: {
      kind: 'rest',
      api: 'okta',
      routes: [
        route(`/api/v1/users`, ['POST'], '/api/v1/users'),
        route(`/api/v1/users/${S}`, ['POST', 'PUT', 'DELETE'], '/api/v1/users/{id}'),
        route(`/api/v1/users/${S}/lifecycle/(${S})`, ['POST'], '/api/v1/users/{id}/lifecycle/$1', true),
        route(`/api/v1/users/${S}/roles(?:/${S})?`, ['POST', 'DELETE'], '/api/v1/users/{id}/roles'),
        route(`/api/v1/groups`, ['POST'], '/api/v1/groups'),
        route(`/api/v1/groups/${S}/users/${S}`, PUT_DELETE, '/api/v1/groups/{group}/users/{user}'),
        route(`/api/v1/apps/${S}/users(?:/${S})?`, ['POST', 'DELETE'], '/api/v1/apps/{app}/users'),
      ],
    },
  },
  // n8n nodes
  {
    id: 'n8n-aws-iam',
    family: 'AWS IAM',
    description: 'n8n AWS IAM node: creates, updates or deletes users and groups, adds users to or removes them from groups',
    match: {
      kind: 'n8n',
      nodeType: 'awsIam',
      label: 'AWS IAM',
      resources: ['user', 'group'],
      operations: /^(?:create|update|delete|addToGroup|removeFromGroup)$/,
      defaults: { resource: 'user', operation: { user: 'getAll', group: 'getAll' } },
    },
  },
  {
    id: 'n8n-microsoft-entra',
    family: 'Microsoft Entra ID',
    description: 'n8n Microsoft Entra ID node: creates, updates or deletes users and groups, adds users to or removes them from groups',
    match: {
      kind: 'n8n',
      nodeType: 'microsoftEntra',
      label: 'Microsoft Entra ID',
      resources: ['user', 'group'],
      operations: /^(?:create|update|delete|addGroup|removeGroup)$/,
      defaults: { resource: 'user', operation: { user: 'getAll', group: 'getAll' } },
    },
  },
  {
    id: 'n8n-google-workspace-admin',
    family: 'Google Workspace',
    description: 'n8n Google Workspace Admin node: creates, updates, deletes or unsuspends users, creates, updates or deletes groups, changes group memberships',
    match: {
      kind: 'n8n',
      nodeType: 'gSuiteAdmin',
      label: 'Google Workspace Admin',
      resources: ['user', 'group'],
      operations: /^(?:create|update|delete|addToGroup|removeFromGroup|unsuspend)$/,
      defaults: { resource: 'user', operation: { user: 'create' } },
    },
  },
  {
    id: 'n8n-okta',
    family: 'Okta',
    description: 'n8n Okta node: creates, updates or deletes users',
    match: { kind: 'n8n', nodeType: 'okta', label: 'Okta', resources: ['user'], operations: /^(?:create|update|delete)$/, defaults: { resource: 'user', operation: { user: 'getAll' } } },
  },
  {
    id: 'n8n-github-invite',
    family: 'GitHub organization and teams',
    description: 'n8n GitHub node: invites a user to an organization',
    match: { kind: 'n8n', nodeType: 'github', label: 'GitHub', resources: ['user'], operations: /^invite$/ },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Shell text as commands.

interface Word {
  text: string;
  /** Some of it was written in quotes. */
  quoted: boolean;
}

/** Shell programs that take a script after `-c` (PowerShell: `-Command`/`-c`). */
const SHELLS: ReadonlySet<string> = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'pwsh', 'powershell']);
/** Words before the command itself: shell keywords and wrappers that run the rest of the line. */
const PREFIX_WORDS: ReadonlySet<string> = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'time', 'nohup', 'exec', 'command', 'builtin', 'sudo', 'env']);

/** Heredoc bodies (`cat <<EOF … EOF`) are data, unless a shell reads them; their lines are blanked. */
function withoutHeredocBodies(text: string): string {
  const lines = text.split('\n');
  // A shell named before the `<<` on its line reads the body. Searched only in the text before the `<<`, with no
  // unbounded run to backtrack over (a long line of shell words would make `shell\b[^<]*<<` quadratic).
  const shellWord = new RegExp(`(?:^|[\\s;&|(])(?:${[...SHELLS].join('|')})\\b`);
  for (let i = 0; i < lines.length; i++) {
    const m = /(?:^|[^<])<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(lines[i]!);
    if (!m) continue;
    const keep = shellWord.test(lines[i]!.slice(0, m.index + m[0].indexOf('<<')));
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() !== m[2]; j++) if (!keep) lines[j] = '';
    if (j < lines.length) lines[j] = '';
    i = j;
  }
  return lines.join('\n');
}

/**
 * The commands of a shell (or PowerShell) script, each as its words: line continuations (`\` or PowerShell's `` ` ``
 * before a newline) joined; newlines, `;`, `&&`, `||`, `|`, `&`, parentheses, `$(` and backticks end a command;
 * quotes removed (their text kept in the word); `#` comments and `${{ … }}` expressions kept out of the splitting.
 */
export function shellCommands(script: string): string[][] {
  return parseCommands(withoutHeredocBodies(script)).map((c) => c.map((w) => w.text));
}

function parseCommands(text: string): Word[][] {
  const commands: Word[][] = [];
  let words: Word[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  const endWord = () => {
    if (inWord) words.push({ text: word, quoted });
    word = '';
    inWord = false;
    quoted = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\\') {
      if (next === '\n') i++;
      else if (next === '\r' && text[i + 2] === '\n') i += 2;
      else if (next !== undefined) {
        word += next;
        inWord = true;
        i++;
      }
      continue;
    }
    if (c === '`') {
      if (next === '\n' || (next === '\r' && text[i + 2] === '\n')) i += next === '\n' ? 1 : 2;
      else endCommand();
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      word += text.slice(i + 1, stop);
      inWord = true;
      quoted = true;
      i = stop;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1]!)) {
          if (text[j + 1] !== '\n') word += text[j + 1];
          j++;
        } else word += text[j];
      }
      inWord = true;
      quoted = true;
      i = j;
      continue;
    }
    if (c === '$' && next === '{' && text[i + 2] === '{') {
      const end = text.indexOf('}}', i + 3);
      const stop = end < 0 ? text.length : end + 2;
      word += text.slice(i, stop);
      inWord = true;
      i = stop - 1;
      continue;
    }
    if (c === '$' && next === '(') {
      endCommand();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      endCommand();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      continue;
    }
    word += c;
    inWord = true;
  }
  endCommand();
  return commands;
}

/** The command without the shell keywords, wrappers and `VAR=value` assignments in front of it. */
function commandWords(words: Word[]): Word[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!.text;
    if (PREFIX_WORDS.has(w)) {
      i++;
      if (w === 'sudo' || w === 'env') while (i < words.length && words[i]!.text.startsWith('-')) i++;
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
      i++;
      continue;
    }
    break;
  }
  return words.slice(i);
}

/** `/usr/local/bin/aws` → `aws`; `az.cmd` → `az`; lower case. */
function programName(word: string): string {
  return (word.split(/[\\/]/).pop() ?? word).replace(/\.(?:exe|cmd|bat|ps1)$/i, '').toLowerCase();
}

/** Arguments that are not options: values of options come along (global flags may come before a command). */
function positionals(args: string[]): string[] {
  return args.filter((a) => !a.startsWith('-'));
}

function addUnique(out: AccessCall[], call: AccessCall): void {
  if (!out.some((c) => c.call === call.call)) out.push(call);
}

/** The changing identity and permission calls in a shell (or PowerShell) script, in order, each once. */
export function shellAccessCalls(script: string): AccessCall[] {
  const out: AccessCall[] = [];
  for (const command of parseCommands(withoutHeredocBodies(script))) for (const call of commandCalls(command, 0)) addUnique(out, call);
  return out;
}

function commandCalls(all: Word[], depth: number): AccessCall[] {
  const out: AccessCall[] = [];
  // PowerShell cmdlets may sit anywhere in a command (`$x = New-MgUser …`, `… | ForEach-Object { Add-AzADGroupMember … }`).
  for (const w of all) {
    if (w.quoted) continue;
    for (const api of ACCESS_APIS) if (api.match.kind === 'cmdlet' && api.match.name.test(w.text)) addUnique(out, { api, call: w.text });
  }
  const words = commandWords(all);
  if (words.length === 0) return out;
  const program = programName(words[0]!.text);
  const args = words.slice(1).map((w) => w.text);
  if (program === 'eval' && depth < 3) {
    for (const command of parseCommands(args.join(' '))) for (const call of commandCalls(command, depth + 1)) addUnique(out, call);
    return out;
  }
  if (SHELLS.has(program) && depth < 3) {
    const c = args.findIndex((a) => /^-(?:c|command)$/i.test(a));
    if (c >= 0 && args[c + 1] !== undefined) for (const command of parseCommands(args[c + 1]!)) for (const call of commandCalls(command, depth + 1)) addUnique(out, call);
    return out;
  }
  if (program === 'gh') {
    for (const call of ghApiCalls(args)) addUnique(out, call);
    return out;
  }
  if (program === 'az' && args[0] === 'rest') {
    for (const call of azRestCalls(args.slice(1))) addUnique(out, call);
    return out;
  }
  if (HTTP_CLIENTS.has(program)) {
    for (const call of httpClientCalls(program, args)) addUnique(out, call);
    return out;
  }
  const pos = positionals(args);
  for (const api of ACCESS_APIS) {
    const m = api.match;
    if (m.kind === 'cli' && m.program === program) {
      for (const [path, verb] of m.commands) {
        const call = findCommand(pos, path, verb);
        if (call) addUnique(out, { api, call: `${program} ${call}` });
      }
    } else if (m.kind === 'cli-verb' && m.program === program) {
      const j = pos.slice(0, 8).findIndex((p) => m.verb.test(p));
      if (j >= 0) addUnique(out, { api, call: [program, ...pos.slice(Math.max(0, j - 3), j + 1)].join(' ') });
    }
  }
  return out;
}

/** `path… verb` among the first positional words, as `path verb`; when the path is found but followed by another known subgroup, the longer entry decides. */
function findCommand(pos: string[], path: readonly string[], verb: RegExp): string | undefined {
  for (let i = 0; i <= Math.min(3, pos.length - path.length - 1); i++) {
    if (!path.every((p, k) => pos[i + k]?.toLowerCase() === p)) continue;
    const v = pos[i + path.length]!;
    if (verb.test(v)) return [...path, v].join(' ');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// REST calls: gh api, curl and friends, az rest, Octokit's request(), n8n's HTTP Request node.

const HTTP_CLIENTS: ReadonlySet<string> = new Set(['curl', 'wget', 'invoke-restmethod', 'invoke-webrequest', 'irm', 'iwr']);
const CHANGING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Where a URL (or a `gh api` endpoint) points: which API, its host, and the path to match routes against. */
export function restTarget(url: string): { api: RestApi; host: string; path: string } | undefined {
  const text = url.replace(/\$\{\{[^}]*\}\}/g, (expr) => (/^\$\{\{\s*github\.api_url\s*\}\}$/.test(expr) ? expr : 'X'));
  const gh = /^(?:\$\{\{\s*github\.api_url\s*\}\}|\$\{?GITHUB_API_URL\}?)(\/[^?#]*)?/.exec(text);
  if (gh) return { api: 'github', host: 'api.github.com', path: cleanPath(gh[1] ?? '/') };
  const m = /^https?:\/\/(?:[^/?#@]*@)?([^/?#:]+)(?::\d+)?(\/[^?#]*)?/i.exec(text);
  if (!m) return undefined;
  const host = m[1]!.toLowerCase();
  let path = cleanPath(m[2] ?? '/');
  if (host === 'api.github.com') return { api: 'github', host, path };
  if (/(?:^|\.)graph\.microsoft\.(?:com|us)$/.test(host)) return { api: 'graph', host, path: path.replace(/^\/(?:v1\.0|beta)(?=\/|$)/i, '') || '/' };
  if (host === 'management.azure.com') return { api: 'arm', host, path };
  if (host.endsWith('.googleapis.com')) return { api: 'google', host, path };
  if (/\.(?:okta|oktapreview|okta-emea|okta-gov)\.com$/.test(host)) return { api: 'okta', host, path };
  if (/^\/api\/v3(?:\/|$)/.test(path)) {
    path = path.slice('/api/v3'.length) || '/';
    return { api: 'github', host, path };
  }
  return undefined;
}

function cleanPath(path: string): string {
  const p = path.replace(/\/+$/, '');
  return p === '' ? '/' : p.startsWith('/') ? p : `/${p}`;
}

/**
 * The catalogue's REST routes that `method` on `url` hits. With no method known (an n8n HTTP Request node, whose method
 * the model does not carry), only routes that exist solely to change access count.
 */
export function restAccessCalls(url: string, method: string | undefined, client: string): AccessCall[] {
  const target = restTarget(url);
  if (!target) return [];
  const verb = method?.toUpperCase();
  if (verb !== undefined && !CHANGING.has(verb)) return [];
  const out: AccessCall[] = [];
  for (const api of ACCESS_APIS) {
    const m = api.match;
    if (m.kind !== 'rest' || m.api !== target.api) continue;
    for (const r of m.routes) {
      if (!r.path.test(target.path)) continue;
      if (verb === undefined ? !r.changingOnly : !(r.methods as readonly string[]).includes(verb)) continue;
      const where = target.api === 'github' && (client === 'gh api' || client === 'request') ? '' : target.host;
      addUnique(out, { api, call: `${client} ${verb ?? ''}${verb ? ' ' : ''}${where}${target.path.replace(r.path, r.template)}` });
      break;
    }
  }
  return out;
}

/** Options of `gh api` that take a value (the endpoint is the first other argument). */
const GH_VALUE_FLAGS: ReadonlySet<string> = new Set(['-H', '--header', '-q', '--jq', '-t', '--template', '--hostname', '-p', '--preview', '--cache']);

function ghApiCalls(args: string[]): AccessCall[] {
  if (args[0] !== 'api') return [];
  let method: string | undefined;
  let fields = false;
  let endpoint: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-X' || a === '--method') {
      method = args[++i];
      continue;
    }
    const attached = /^(?:-X|--method=)(.+)$/.exec(a);
    if (attached) {
      method = attached[1];
      continue;
    }
    if (/^(?:-f|-F|--field|--raw-field|--input)$/.test(a)) {
      fields = true;
      i++;
      continue;
    }
    if (/^(?:-[fF].|--(?:raw-)?field=|--input=)/.test(a)) {
      fields = true;
      continue;
    }
    if (GH_VALUE_FLAGS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    endpoint ??= a;
  }
  if (!endpoint || endpoint === 'graphql') return [];
  const verb = (method ?? (fields ? 'POST' : 'GET')).toUpperCase();
  const url = /^https?:\/\//i.test(endpoint) ? endpoint : `\${GITHUB_API_URL}/${endpoint.replace(/^\/+/, '')}`;
  return restAccessCalls(url, verb, 'gh api');
}

function looksLikeUrl(a: string): boolean {
  return /^https?:\/\//i.test(a) || /^(?:\$\{\{\s*github\.api_url\s*\}\}|\$\{?GITHUB_API_URL\}?)/.test(a);
}

function httpClientCalls(program: string, args: string[]): AccessCall[] {
  let method: string | undefined;
  let implied: string | undefined;
  const urls: string[] = [];
  const powershell = program.startsWith('invoke-') || program === 'irm' || program === 'iwr';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (powershell) {
      const m = /^-Method(?::(.+))?$/i.exec(a);
      if (m) {
        method = m[1] ?? args[++i];
        continue;
      }
      if (/^-Uri$/i.test(a) && args[i + 1] !== undefined) {
        urls.push(args[++i]!);
        continue;
      }
    } else if (program === 'curl') {
      if (a === '-X' || a === '--request') {
        method = args[++i];
        continue;
      }
      const m = /^(?:-X|--request=)(.+)$/.exec(a);
      if (m) {
        method = m[1];
        continue;
      }
      if (/^(?:-d|--data|--data-raw|--data-binary|--data-urlencode|--data-ascii|-F|--form|--form-string|--json)$/.test(a)) {
        implied ??= 'POST';
        i++;
        continue;
      }
      if (/^(?:-d.|--data(?:-raw|-binary|-urlencode|-ascii)?=|--json=|-F.)/.test(a)) {
        implied ??= 'POST';
        continue;
      }
      if (a === '-T' || a === '--upload-file') {
        implied = 'PUT';
        i++;
        continue;
      }
      if (a === '-G' || a === '--get') {
        implied = 'GET';
        continue;
      }
      if (a === '--url' && args[i + 1] !== undefined) {
        urls.push(args[++i]!);
        continue;
      }
    } else if (program === 'wget') {
      const m = /^--method(?:=(.+))?$/.exec(a);
      if (m) {
        method = m[1] ?? args[++i];
        continue;
      }
      if (/^--(?:post-data|post-file)(?:=|$)/.test(a)) implied ??= 'POST';
    }
    if (looksLikeUrl(a)) urls.push(a);
  }
  const verb = (method ?? implied ?? 'GET').toUpperCase();
  const client = powershell ? 'Invoke-RestMethod' : program;
  const out: AccessCall[] = [];
  for (const url of urls) for (const call of restAccessCalls(url, verb, client)) addUnique(out, call);
  return out;
}

function azRestCalls(args: string[]): AccessCall[] {
  let method = 'GET';
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^(?:--method|-m)(?:=(.+))?$/.exec(a);
    if (m) {
      method = m[1] ?? args[++i] ?? method;
      continue;
    }
    const u = /^(?:--url|--uri|-u)(?:=(.+))?$/.exec(a);
    if (u) url = u[1] ?? args[++i];
  }
  return url ? restAccessCalls(url, method, 'az rest') : [];
}

// ---------------------------------------------------------------------------------------------------------------
// actions/github-script, actions, n8n nodes.

/** JavaScript without its comments (a `//` after `:` is a URL, not a comment). */
function withoutJsComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

/** The changing calls in an `actions/github-script` script: Octokit administration methods and `request('PUT /orgs/…')`. */
export function githubScriptAccessCalls(script: string): AccessCall[] {
  const code = withoutJsComments(script);
  const out: AccessCall[] = [];
  const found: Array<{ index: number; call: AccessCall }> = [];
  for (const m of code.matchAll(/\b(orgs|teams|repos)\s*\.\s*([A-Za-z]+)\b/g)) {
    const api = ACCESS_APIS.find((a) => a.match.kind === 'octokit' && a.match.namespace === m[1] && a.match.methods.includes(m[2]!));
    if (api) found.push({ index: m.index, call: { api, call: `${m[1]}.${m[2]}` } });
  }
  for (const m of code.matchAll(/\.request\s*\(\s*(['"`])([A-Za-z]+)\s+([^'"`\s]+)\1/g)) {
    const path = m[3]!.replace(/^https:\/\/api\.github\.com/i, '');
    for (const call of restAccessCalls(`\${GITHUB_API_URL}/${path.replace(/^\/+/, '')}`, m[2]!, 'request')) found.push({ index: m.index, call });
  }
  for (const f of found.sort((a, b) => a.index - b.index)) addUnique(out, f.call);
  return out;
}

/** The catalogue's entry for an action that changes access, when `uses` runs one. */
export function actionAccessCall(uses: UsesRef | undefined): AccessCall | undefined {
  if (uses?.kind !== 'repository') return undefined;
  const owner = uses.owner?.toLowerCase();
  const repo = uses.repo?.toLowerCase();
  for (const api of ACCESS_APIS) if (api.match.kind === 'action' && api.match.actions.some(([o, r]) => o === owner && r === repo)) return { api, call: `${uses.owner}/${uses.repo}` };
  return undefined;
}

/** `n8n-nodes-base.awsIam` and `n8n-nodes-base.awsIamTool` → `awsIam`; undefined for other packages. */
function n8nBaseType(type: string): string | undefined {
  const m = /^n8n-nodes-base\.([A-Za-z0-9]+)$/.exec(type);
  return m ? m[1]!.replace(/Tool$/, '') : undefined;
}

/** Whether an n8n node type is an AI agent's tool (`…Tool`): it runs when the agent calls it. */
export function isN8nTool(type: string): boolean {
  return /Tool$/.test(type);
}

/**
 * The changing calls an n8n node makes: an identity-admin node with a changing operation (an operation left at the
 * node's default counts only where the default is known), or an HTTP Request node calling a changing route with a
 * changing method (its method left to n8n's default is GET; a method given by an expression counts only on routes that
 * exist to change access).
 */
export function n8nNodeAccessCalls(node: N8nNode): AccessCall[] {
  const base = n8nBaseType(node.type);
  if (!base) return [];
  if (base === 'httpRequest') {
    if (!node.url) return [];
    // Not written: n8n's default, GET. An expression: unknown, so only endpoints that exist to change access count.
    const method = node.requestMethod === undefined ? 'GET' : node.requestMethod.startsWith('=') ? undefined : node.requestMethod.toUpperCase();
    return restAccessCalls(node.url.value, method, 'HTTP Request');
  }
  for (const api of ACCESS_APIS) {
    const m = api.match;
    if (m.kind !== 'n8n' || m.nodeType !== base) continue;
    const resource = node.resource ?? m.defaults?.resource;
    if (!resource || !m.resources.includes(resource)) return [];
    const operation = node.operation ?? m.defaults?.operation?.[resource];
    if (!operation || !m.operations.test(operation)) return [];
    return [{ api, call: `${m.label} ${resource} ${operation}${node.operation === undefined ? ' (default)' : ''}` }];
  }
  return [];
}
