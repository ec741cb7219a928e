/**
 * Published AWS IAM privilege-escalation methods, as data.
 *
 * Sources (each entry names the one it follows in `reference`):
 * - Spencer Gietzen, Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
 *   (2018): the original 21 methods, https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
 *   and part 2 (2019: CodeStar, SageMaker, Lambda layers),
 *   https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation-part-2/ ; the method
 *   names and action sets follow Pacu's `iam__privesc_scan` module, which implements both posts.
 * - Bishop Fox, IAM Vulnerable (2021 and later): SSM, EC2 Instance Connect, CodeBuild, SageMaker jobs,
 *   CloudFormation UpdateStack, https://github.com/BishopFox/iam-vulnerable
 * - Datadog, pathfinding.cloud (2025): the community catalogue of paths, with one page per path
 *   (ECS, Glue jobs, App Runner, launch templates, instance user data, change sets...).
 *
 * `requires` lists alternatives: the method is open when every action of one alternative is
 * allowed. `requiresForRoles` replaces it when the principal is a role (a role can change its own
 * policy and use the result at once, a user must also assume the role it changed); `usersOnly`
 * methods do not apply to roles (as in Pacu, which checks users and roles separately).
 *
 * Deliberately left out: `sts:AssumeRole` into a more privileged role (a trust question, not a
 * permission one: see trust-any-principal), `iam:CreateServiceLinkedRole` (no published escalation:
 * service-linked roles carry AWS-defined policies the caller cannot change), and the variant
 * "PassExistingRoleToNewLambdaThenTriggerWithNewDynamo" (its actions include those of the
 * existing-table variant below, so it adds nothing to a finding).
 */

import type { Grant } from '../core/model.js';
import { allowedServices, evaluateAccess, IAM_GROUPS, IAM_POLICIES, IAM_ROLES, IAM_USERS, type Access, type Principal } from './policy.js';

/** Which IAM resource type an action's Resource names; other actions are checked against `*`. */
export const ACTION_RESOURCE: Record<string, string> = {
  'iam:createaccesskey': IAM_USERS,
  'iam:createloginprofile': IAM_USERS,
  'iam:updateloginprofile': IAM_USERS,
  'iam:attachuserpolicy': IAM_USERS,
  'iam:putuserpolicy': IAM_USERS,
  'iam:addusertogroup': IAM_GROUPS,
  'iam:attachgrouppolicy': IAM_GROUPS,
  'iam:putgrouppolicy': IAM_GROUPS,
  'iam:attachrolepolicy': IAM_ROLES,
  'iam:putrolepolicy': IAM_ROLES,
  'iam:updateassumerolepolicy': IAM_ROLES,
  'iam:passrole': IAM_ROLES,
  'sts:assumerole': IAM_ROLES,
  'iam:createpolicyversion': IAM_POLICIES,
  'iam:setdefaultpolicyversion': IAM_POLICIES,
};

export type EscalationCategory = 'other-users' | 'policies' | 'trust' | 'pass-role' | 'existing-resource';

export interface EscalationMethod {
  /** The published name (Rhino/Pacu naming where one exists). */
  id: string;
  title: string;
  category: EscalationCategory;
  /** Alternatives: each is a set of actions that together open the method. */
  requires: string[][];
  /** Replaces `requires` for roles. */
  requiresForRoles?: string[][];
  /** The user-level actions must reach a user other than the principal itself. */
  otherUsersOnly?: boolean;
  /** Only an IAM user profits (a role is in no group and has no user to attach a policy to). */
  usersOnly?: boolean;
  description: string;
  /** Where the method is published. */
  reference: string;
}

const RHINO = 'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/';
const RHINO2 = 'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation-part-2/';
const IAM_VULNERABLE = 'https://github.com/BishopFox/iam-vulnerable';
const path = (id: string) => `https://pathfinding.cloud/paths/${id}`;

export const ESCALATION_METHODS: readonly EscalationMethod[] = [
  // --- Rhino Security Labs, part 1 (Pacu iam__privesc_scan) ---
  {
    id: 'CreateNewPolicyVersion',
    title: 'Create a new version of a managed policy',
    category: 'policies',
    requires: [['iam:CreatePolicyVersion']],
    description: 'Writes a new default version of a customer managed policy (the --set-as-default flag needs no iam:SetDefaultPolicyVersion), so any policy attached to the principal can be rewritten to allow everything.',
    reference: path('iam-001'),
  },
  {
    id: 'SetExistingDefaultPolicyVersion',
    title: 'Switch a managed policy to another existing version',
    category: 'policies',
    requires: [['iam:SetDefaultPolicyVersion']],
    description: 'Makes an older or unused version of a managed policy the default; when a stored version is broader than the current one, the principal gains it.',
    reference: RHINO,
  },
  {
    id: 'CreateEC2WithExistingIP',
    title: 'Launch an EC2 instance with an existing instance profile',
    category: 'pass-role',
    requires: [['iam:PassRole', 'ec2:RunInstances']],
    description: 'Starts an instance under an existing, more privileged instance profile and reads the role credentials from the metadata service (or acts through user data).',
    reference: path('ec2-001'),
  },
  {
    id: 'CreateAccessKey',
    title: 'Create an access key for another user',
    category: 'other-users',
    requires: [['iam:CreateAccessKey']],
    otherUsersOnly: true,
    description: 'Creates a new access key for another IAM user (one with fewer than two keys) and acts as that user.',
    reference: path('iam-002'),
  },
  {
    id: 'CreateLoginProfile',
    title: 'Create a console password for another user',
    category: 'other-users',
    requires: [['iam:CreateLoginProfile']],
    otherUsersOnly: true,
    description: 'Sets a console password on another IAM user that has none and signs in to the console as that user.',
    reference: path('iam-004'),
  },
  {
    id: 'UpdateLoginProfile',
    title: "Change another user's console password",
    category: 'other-users',
    requires: [['iam:UpdateLoginProfile']],
    otherUsersOnly: true,
    description: 'Resets the console password of another IAM user and signs in as that user.',
    reference: path('iam-006'),
  },
  {
    id: 'AttachUserPolicy',
    title: 'Attach a managed policy to a user',
    category: 'policies',
    requires: [['iam:AttachUserPolicy']],
    usersOnly: true,
    description: 'Attaches any managed policy, such as AdministratorAccess, to itself or to a user it controls.',
    reference: path('iam-008'),
  },
  {
    id: 'AttachGroupPolicy',
    title: 'Attach a managed policy to a group',
    category: 'policies',
    requires: [['iam:AttachGroupPolicy']],
    usersOnly: true,
    description: 'Attaches any managed policy to a group the principal (or a user it controls) belongs to.',
    reference: path('iam-010'),
  },
  {
    id: 'AttachRolePolicy',
    title: 'Attach a managed policy to a role',
    category: 'policies',
    requires: [['iam:AttachRolePolicy', 'sts:AssumeRole']],
    requiresForRoles: [['iam:AttachRolePolicy']],
    description: 'Attaches any managed policy to a role the principal is or can assume.',
    reference: path('iam-009'),
  },
  {
    id: 'PutUserPolicy',
    title: 'Write an inline policy on a user',
    category: 'policies',
    requires: [['iam:PutUserPolicy']],
    usersOnly: true,
    description: 'Adds or replaces an inline policy on itself (or a user it controls) with one that allows everything.',
    reference: path('iam-007'),
  },
  {
    id: 'PutGroupPolicy',
    title: 'Write an inline policy on a group',
    category: 'policies',
    requires: [['iam:PutGroupPolicy']],
    usersOnly: true,
    description: 'Adds or replaces an inline policy on a group the principal belongs to.',
    reference: path('iam-011'),
  },
  {
    id: 'PutRolePolicy',
    title: 'Write an inline policy on a role',
    category: 'policies',
    requires: [['iam:PutRolePolicy', 'sts:AssumeRole']],
    requiresForRoles: [['iam:PutRolePolicy']],
    description: 'Adds or replaces an inline policy on a role the principal is or can assume.',
    reference: path('iam-005'),
  },
  {
    id: 'AddUserToGroup',
    title: 'Add a user to a group',
    category: 'policies',
    requires: [['iam:AddUserToGroup']],
    usersOnly: true,
    description: 'Adds itself (or a user it controls) to a more privileged group, such as an administrators group.',
    reference: path('iam-013'),
  },
  {
    id: 'UpdateRolePolicyToAssumeIt',
    title: "Rewrite a role's trust policy",
    category: 'trust',
    requires: [['iam:UpdateAssumeRolePolicy']],
    description: 'Changes the trust policy of a more privileged role so that the principal may assume it.',
    reference: path('iam-012'),
  },
  {
    id: 'PassExistingRoleToNewLambdaThenInvoke',
    title: 'Create a Lambda function with an existing role and invoke it',
    category: 'pass-role',
    requires: [['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']],
    description: 'Creates a function that runs as a more privileged role and invokes it to act with that role.',
    reference: path('lambda-001'),
  },
  {
    id: 'PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo',
    title: 'Create a Lambda function with an existing role and trigger it from an event source',
    category: 'pass-role',
    requires: [['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping']],
    description: 'Creates a function under a more privileged role and maps an event source (such as a DynamoDB stream) to it, so it runs without lambda:InvokeFunction.',
    reference: path('lambda-002'),
  },
  {
    id: 'PassExistingRoleToNewGlueDevEndpoint',
    title: 'Create a Glue development endpoint with an existing role',
    category: 'pass-role',
    requires: [['iam:PassRole', 'glue:CreateDevEndpoint']],
    description: 'Creates a Glue development endpoint under a more privileged role, connects over SSH and uses the role credentials.',
    reference: path('glue-001'),
  },
  {
    id: 'UpdateExistingGlueDevEndpoint',
    title: 'Add an SSH key to an existing Glue development endpoint',
    category: 'existing-resource',
    requires: [['glue:UpdateDevEndpoint']],
    description: 'Adds its own SSH public key to an existing development endpoint and uses the role attached to it.',
    reference: path('glue-002'),
  },
  {
    id: 'PassExistingRoleToNewCloudFormation',
    title: 'Create a CloudFormation stack with an existing role',
    category: 'pass-role',
    requires: [['iam:PassRole', 'cloudformation:CreateStack']],
    description: 'Creates a stack whose service role is more privileged; the template then creates whatever that role may create (users, keys, policies).',
    reference: path('cloudformation-001'),
  },
  {
    id: 'PassExistingRoleToNewDataPipeline',
    title: 'Create a Data Pipeline with an existing role',
    category: 'pass-role',
    requires: [['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition']],
    description: 'Creates a pipeline whose activities run AWS CLI commands as a more privileged role.',
    reference: path('datapipeline-001'),
  },
  {
    id: 'EditExistingLambdaFunctionWithRole',
    title: "Replace an existing Lambda function's code",
    category: 'existing-resource',
    requires: [['lambda:UpdateFunctionCode']],
    description: 'Replaces the code of an existing function and acts with its execution role the next time it runs.',
    reference: path('lambda-003'),
  },
  // --- Rhino Security Labs, part 2, and Pacu additions ---
  {
    id: 'PassExistingRoleToNewLambdaThenInvokeCrossAccount',
    title: 'Create a Lambda function with an existing role and allow another account to invoke it',
    category: 'pass-role',
    requires: [['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission']],
    description: 'Creates a function under a more privileged role and adds a resource policy so it can be invoked from an account the attacker controls.',
    reference: path('lambda-006'),
  },
  {
    id: 'AddExistingLambdaLayerToLambdaFunctionWithRole',
    title: "Change an existing Lambda function's configuration (layers)",
    category: 'existing-resource',
    requires: [['lambda:UpdateFunctionConfiguration']],
    description: 'Attaches a layer that overrides a library the function imports, so code of the attacker runs with the function role.',
    reference: RHINO2,
  },
  {
    id: 'PassExistingRoleToNewCodeStarProject',
    title: 'Create a CodeStar project with an existing role',
    category: 'pass-role',
    requires: [['iam:PassRole', 'codestar:CreateProject']],
    description: 'Creates a CodeStar project with a more privileged service role, whose CloudFormation template then acts as that role.',
    reference: RHINO2,
  },
  {
    id: 'CodeStarCreateProjectFromTemplate',
    title: 'Create a CodeStar project from a template',
    category: 'existing-resource',
    requires: [['codestar:CreateProjectFromTemplate']],
    usersOnly: true,
    description: 'The undocumented CreateProjectFromTemplate call runs project templates with the CodeStar service role and grants the caller project-owner policies.',
    reference: RHINO2,
  },
  {
    id: 'CodeStarCreateProjectThenAssociateTeamMember',
    title: 'Create a CodeStar project and join it as owner',
    category: 'existing-resource',
    requires: [['codestar:CreateProject', 'codestar:AssociateTeamMember']],
    usersOnly: true,
    description: 'Creates a project and associates itself as owner, which attaches the project-owner IAM policy to the principal.',
    reference: RHINO2,
  },
  {
    id: 'AccessExistingSageMakerJupyterNotebook',
    title: 'Open an existing SageMaker notebook',
    category: 'existing-resource',
    requires: [['sagemaker:CreatePresignedNotebookInstanceUrl']],
    description: 'Creates a sign-in URL for an existing notebook instance and runs code in it with the notebook role.',
    reference: path('sagemaker-004'),
  },
  {
    id: 'PassRoleToNewSageMakerJupyterNotebook',
    title: 'Create a SageMaker notebook with an existing role',
    category: 'pass-role',
    requires: [['iam:PassRole', 'sagemaker:CreateNotebookInstance', 'sagemaker:CreatePresignedNotebookInstanceUrl']],
    description: 'Creates a notebook instance under a more privileged role, opens it and uses the role from its terminal.',
    reference: path('sagemaker-001'),
  },
  // --- Bishop Fox IAM Vulnerable and pathfinding.cloud ---
  {
    id: 'PassExistingRoleToNewCodeBuildProject',
    title: 'Create a CodeBuild project with an existing role and start a build',
    category: 'pass-role',
    requires: [
      ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
      ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'],
    ],
    description: 'Creates a build project whose service role is more privileged and runs a build whose commands act as that role.',
    reference: path('codebuild-001'),
  },
  {
    id: 'PassExistingRoleToNewECSTask',
    title: 'Register an ECS task definition with an existing role and run it',
    category: 'pass-role',
    requires: [
      ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
      ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask'],
      ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    ],
    description: 'Registers a task definition whose task role is more privileged and runs it (as a task or a service) to act with that role.',
    reference: path('ecs-004'),
  },
  {
    id: 'ECSExecuteCommand',
    title: 'Open a shell in a running ECS task',
    category: 'existing-resource',
    requires: [['ecs:ExecuteCommand']],
    description: 'Runs commands inside a running container (ECS Exec) and reads the task role credentials.',
    reference: path('ecs-006'),
  },
  {
    id: 'SSMSendCommand',
    title: 'Run commands on instances through Systems Manager',
    category: 'existing-resource',
    requires: [['ssm:SendCommand']],
    description: 'Runs shell commands on managed EC2 instances and reads the credentials of their instance profile roles.',
    reference: path('ssm-002'),
  },
  {
    id: 'SSMStartSession',
    title: 'Open a Systems Manager session on instances',
    category: 'existing-resource',
    requires: [['ssm:StartSession']],
    description: 'Opens an interactive shell on managed EC2 instances and reads the credentials of their instance profile roles.',
    reference: path('ssm-001'),
  },
  {
    id: 'EC2InstanceConnectSendSSHPublicKey',
    title: 'Push an SSH key through EC2 Instance Connect',
    category: 'existing-resource',
    requires: [['ec2-instance-connect:SendSSHPublicKey']],
    description: 'Pushes a short-lived SSH key to an instance, logs in and reads the instance profile credentials.',
    reference: IAM_VULNERABLE,
  },
  {
    id: 'PassExistingRoleToNewSageMakerJob',
    title: 'Create a SageMaker training or processing job with an existing role',
    category: 'pass-role',
    requires: [
      ['iam:PassRole', 'sagemaker:CreateTrainingJob'],
      ['iam:PassRole', 'sagemaker:CreateProcessingJob'],
    ],
    description: 'Starts a training or processing job whose container, chosen by the attacker, runs with a more privileged role.',
    reference: path('sagemaker-002'),
  },
  {
    id: 'CloudFormationUpdateStack',
    title: 'Update an existing CloudFormation stack',
    category: 'existing-resource',
    requires: [['cloudformation:UpdateStack']],
    description: 'Changes the template of a stack that has a privileged service role, which then creates the resources the attacker asks for.',
    reference: IAM_VULNERABLE,
  },
  {
    id: 'PassExistingRoleToNewGlueJob',
    title: 'Create a Glue job with an existing role and run it',
    category: 'pass-role',
    requires: [
      ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun'],
      ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger'],
    ],
    description: 'Creates a Glue job whose script runs as a more privileged role, started directly or by a trigger.',
    reference: path('glue-003'),
  },
  {
    id: 'PassExistingRoleToNewEC2SpotInstance',
    title: 'Request a spot instance with an existing instance profile',
    category: 'pass-role',
    requires: [['iam:PassRole', 'ec2:RequestSpotInstances']],
    description: 'Like CreateEC2WithExistingIP, through a spot request instead of RunInstances.',
    reference: path('ec2-003'),
  },
  {
    id: 'ModifyEC2InstanceUserDataThenRestart',
    title: "Change an instance's user data and restart it",
    category: 'existing-resource',
    requires: [['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances']],
    description: 'Replaces the user data of a stopped instance with a script that runs at boot with the instance profile role.',
    reference: path('ec2-002'),
  },
  {
    id: 'ModifyExistingEC2LaunchTemplate',
    title: 'Add a launch template version and make it the default',
    category: 'existing-resource',
    requires: [['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate']],
    description: 'Adds user data to a launch template that already carries a privileged instance profile; the next instance launched from it runs the script as that role.',
    reference: path('ec2-005'),
  },
  {
    id: 'PassExistingRoleToNewAppRunnerService',
    title: 'Create an App Runner service with an existing role',
    category: 'pass-role',
    requires: [['iam:PassRole', 'apprunner:CreateService']],
    description: 'Creates an App Runner service whose instance role is more privileged and whose code acts as that role.',
    reference: path('apprunner-001'),
  },
  {
    id: 'ExecuteCloudFormationChangeSet',
    title: 'Create and execute a change set on an existing stack',
    category: 'existing-resource',
    requires: [['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet']],
    description: 'Changes an existing stack that has a privileged service role through a change set instead of UpdateStack.',
    reference: path('cloudformation-005'),
  },
];


export interface OpenMethod {
  method: EscalationMethod;
  /** The alternative that is open, with how each action is allowed. */
  accesses: Access[];
  /**
   * Every action is allowed by an unconditioned statement, untouched by conditional denies, and on
   * a wildcard resource or on the principal itself (not only on other named resources, whose
   * privileges we do not weigh).
   */
  certain: boolean;
}

interface Query {
  action: string;
  service: string;
  resource: string;
  excludeSelf: boolean;
  /** Index into a per-principal cache. */
  slot: number;
}

/** Each method alternative as prepared queries, built once per catalogue. */
type Prepared = Array<{ method: EscalationMethod; requires: Query[][]; requiresForRoles?: Query[][] }>;

const preparedCache = new WeakMap<readonly EscalationMethod[], Prepared>();

function prepare(methods: readonly EscalationMethod[]): Prepared {
  let prepared = preparedCache.get(methods);
  if (prepared) return prepared;
  const slots = new Map<string, number>();
  const query = (action: string, otherUsers: boolean): Query => {
    const resource = ACTION_RESOURCE[action.toLowerCase()] ?? '*';
    const excludeSelf = otherUsers && resource === IAM_USERS;
    const key = `${action.toLowerCase()}|${excludeSelf}`;
    if (!slots.has(key)) slots.set(key, slots.size);
    return { action, service: action.slice(0, action.indexOf(':')).toLowerCase(), resource, excludeSelf, slot: slots.get(key)! };
  };
  prepared = methods.map((method) => {
    const alts = (list: string[][]) => list.map((actions) => actions.map((a) => query(a, method.otherUsersOnly ?? false)));
    return { method, requires: alts(method.requires), ...(method.requiresForRoles ? { requiresForRoles: alts(method.requiresForRoles) } : {}) };
  });
  preparedCache.set(methods, prepared);
  return prepared;
}

const NOT_ALLOWED = (action: string): Access => ({ action, allowed: false, via: [], deniedBy: [], conditionalDenies: [], certain: false, broad: false });

/**
 * The catalogue methods the principal's grants open. An administrator opens them all: callers
 * usually test isAdmin first.
 */
export function openEscalationMethods(grants: readonly Grant[], principal: Principal, methods: readonly EscalationMethod[] = ESCALATION_METHODS): OpenMethod[] {
  const prepared = prepare(methods);
  const services = allowedServices(grants);
  const cache: Array<Access | undefined> = [];
  const access = (q: Query): Access => {
    let a = cache[q.slot];
    if (!a) {
      // Most catalogue actions name services the principal has no statement about.
      a = services && !services.has(q.service) ? NOT_ALLOWED(q.action) : evaluateAccess(grants, { action: q.action, resource: q.resource, excludeSelf: q.excludeSelf }, principal);
      cache[q.slot] = a;
    }
    return a;
  };
  const isRole = principal.kind === 'aws-iam-role' || principal.arn.includes(':role/');
  const open: OpenMethod[] = [];
  for (const entry of prepared) {
    if (isRole && entry.method.usersOnly) continue;
    const alternatives = isRole && entry.requiresForRoles ? entry.requiresForRoles : entry.requires;
    let best: OpenMethod | undefined;
    for (const queries of alternatives) {
      const accesses: Access[] = [];
      for (const q of queries) {
        const a = access(q);
        if (!a.allowed) break;
        accesses.push(a);
      }
      if (accesses.length < queries.length) continue;
      const certain = accesses.every((a) => a.certain && (a.broad || a.via.some((v) => v.resources.includes(principal.arn))));
      if (!best || (certain && !best.certain)) best = { method: entry.method, accesses, certain };
      if (certain) break;
    }
    if (best) open.push(best);
  }
  return open;
}
