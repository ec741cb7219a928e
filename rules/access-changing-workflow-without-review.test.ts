import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Finding, Identity, Inventory, Location } from '../src/core/model.js';
import { emptyInventory } from '../src/core/model.js';
import type { N8nNode } from '../src/core/n8n.js';
import { WORKFLOW, type WorkflowAttributes, type WorkflowJob } from '../src/core/workflow.js';
import { ACCESS_APIS, githubScriptAccessCalls, n8nNodeAccessCalls, restAccessCalls, shellAccessCalls, shellCommands } from '../src/workflow/access.js';
import { CLI, runCli } from '../test/helpers/cli.js';
import { ruleCtx, workflowInventory } from '../test/helpers/workflow-inventory.js';
import rule from './access-changing-workflow-without-review.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const W = '.github/workflows/admin.yml';
const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.severity, f.evidence?.calls];
const run = (text: string) => rule.evaluate(workflowInventory({ [W]: text }), ruleCtx());
const calls = (script: string) => shellAccessCalls(script).map((c) => c.call);
const loc = (line: number, column = 1, path = 'x'): Location => ({ path, line, column });

describe('access catalogue: shell text', () => {
  it('finds changing calls of each CLI, and not their reads', () => {
    expect(calls('aws iam create-user --user-name bob')).toEqual(['aws iam create-user']);
    expect(calls('aws --profile admin iam attach-role-policy --role-name r --policy-arn arn:aws:iam::aws:policy/AdministratorAccess')).toEqual(['aws iam attach-role-policy']);
    expect(calls('aws iam update-assume-role-policy --role-name r --policy-document file://trust.json')).toEqual(['aws iam update-assume-role-policy']);
    expect(calls('aws organizations attach-policy --policy-id p --target-id t')).toEqual(['aws organizations attach-policy']);
    expect(calls('aws sso-admin create-account-assignment --instance-arn x')).toEqual(['aws sso-admin create-account-assignment']);
    expect(calls('aws identitystore create-group-membership --identity-store-id d')).toEqual(['aws identitystore create-group-membership']);
    expect(calls('az ad sp create-for-rbac --name ci --role Contributor')).toEqual(['az ad sp create-for-rbac']);
    expect(calls('az ad app credential reset --id $APP')).toEqual(['az ad app credential reset']);
    expect(calls('az ad group member add --group admins --member-id $ID')).toEqual(['az ad group member add']);
    expect(calls('az role assignment create --assignee $SP --role Owner --scope /subscriptions/x')).toEqual(['az role assignment create']);
    expect(calls('gcloud projects add-iam-policy-binding my-proj --member=serviceAccount:x --role=roles/owner')).toEqual(['gcloud projects add-iam-policy-binding']);
    expect(calls('gcloud run services add-iam-policy-binding api --member=allUsers --role=roles/run.invoker')).toEqual(['gcloud run services add-iam-policy-binding']);
    expect(calls('gcloud iam service-accounts keys create key.json --iam-account sa@p.iam.gserviceaccount.com')).toEqual(['gcloud iam service-accounts keys create']);
    expect(calls('gcloud iam roles update custom --project p --add-permissions iam.roles.update')).toEqual(['gcloud iam roles update']);
    expect(calls('kubectl -n prod create rolebinding ci-admin --clusterrole=admin --serviceaccount=prod:ci')).toEqual(['kubectl create rolebinding']);
    expect(calls('kubectl delete clusterrolebinding/ci-admin')).toEqual(['kubectl delete clusterrolebinding/ci-admin']);
    expect(calls('gsutil iam ch allUsers:objectViewer gs://bucket')).toEqual(['gsutil iam ch']);
    // Reads.
    for (const read of [
      'aws iam list-users',
      'aws iam get-role --role-name r',
      'aws iam tag-role --role-name r --tags Key=team,Value=x',
      'aws iam upload-server-certificate --server-certificate-name web --certificate-body file://c.pem',
      'aws sts get-caller-identity',
      'az ad sp list --all',
      'az role assignment list --assignee $SP',
      'gcloud projects get-iam-policy my-proj',
      'gcloud iam service-accounts list',
      'kubectl get rolebindings -A',
      'kubectl create secret generic x --from-literal=a=b',
      'kubectl apply -f rbac.yaml',
      'awslocal iam create-user --user-name test',
    ])
      expect(calls(read), read).toEqual([]);
  });

  it('reads gh api and curl with their method, and only changing methods count', () => {
    expect(calls('gh api --method PUT orgs/acme/memberships/bob -f role=admin')).toEqual(['gh api PUT /orgs/{org}/memberships/{username}']);
    expect(calls('gh api -X DELETE /repos/acme/site/collaborators/bob')).toEqual(['gh api DELETE /repos/{owner}/{repo}/collaborators/{username}']);
    // Fields make it a POST.
    expect(calls('gh api orgs/acme/invitations -f email=a@b.c')).toEqual(['gh api POST /orgs/{org}/invitations']);
    expect(calls('gh api "repos/${{ github.repository }}/keys" -f title=deploy -f key="$PUB"')).toEqual(['gh api POST /repos/{owner}/{repo}/keys']);
    expect(calls('gh api -XPUT orgs/acme/teams/devs/repos/acme/site -f permission=push')).toEqual(['gh api PUT /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}']);
    expect(calls('gh api orgs/acme/members --paginate')).toEqual([]);
    expect(calls('gh api orgs/acme/invitations')).toEqual([]);
    expect(calls('gh api repos/acme/site/collaborators/bob/permission --jq .permission')).toEqual([]);
    expect(calls('gh api --method POST repos/acme/site/issues/1/comments -f body=hi')).toEqual([]);
    expect(calls('curl -sS -X PUT -H "Authorization: Bearer $T" https://api.github.com/orgs/acme/memberships/bob -d \'{"role":"member"}\'')).toEqual([
      'curl PUT api.github.com/orgs/{org}/memberships/{username}',
    ]);
    expect(calls('curl -X DELETE "${GITHUB_API_URL}/orgs/${ORG}/members/${LEAVER}"')).toEqual(['curl DELETE api.github.com/orgs/{org}/members/{username}']);
    expect(calls('curl -s https://api.github.com/orgs/acme/members')).toEqual([]);
  });

  it('reads Microsoft Graph, ARM, Google and Okta calls', () => {
    expect(calls('curl -X POST https://graph.microsoft.com/v1.0/applications/$APP/addPassword -d @body.json')).toEqual(['curl POST graph.microsoft.com/applications/{id}/addPassword']);
    expect(calls('curl --request POST "https://graph.microsoft.com/v1.0/groups/$GROUP/members/\\$ref" --json "$BODY"')).toEqual(['curl POST graph.microsoft.com/groups/{id}/members/$ref']);
    expect(calls("curl -d @a.json 'https://graph.microsoft.com/beta/roleManagement/directory/roleAssignments'")).toEqual(['curl POST graph.microsoft.com/roleManagement/directory/roleAssignments']);
    expect(calls('curl https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments')).toEqual([]);
    expect(calls('Invoke-RestMethod -Method Post -Uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp/appRoleAssignedTo" -Body $b')).toEqual([
      'Invoke-RestMethod POST graph.microsoft.com/servicePrincipals/{id}/appRoleAssignedTo',
    ]);
    expect(calls('az rest --method put --url "https://management.azure.com/subscriptions/$S/providers/Microsoft.Authorization/roleAssignments/$(uuidgen)?api-version=2022-04-01" --body @ra.json')).toEqual([
      'az rest PUT management.azure.com…/providers/Microsoft.Authorization/roleAssignments/{id}',
    ]);
    expect(calls('az rest --url https://graph.microsoft.com/v1.0/users')).toEqual([]);
    expect(calls('curl -X POST "https://cloudresourcemanager.googleapis.com/v1/projects/p:setIamPolicy" -d @policy.json')).toEqual(['curl POST cloudresourcemanager.googleapis.com…:setIamPolicy']);
    expect(calls('curl -X POST https://acme.okta.com/api/v1/users/$ID/lifecycle/deactivate')).toEqual(['curl POST acme.okta.com/api/v1/users/{id}/lifecycle/deactivate']);
  });

  it('finds PowerShell cmdlets wherever they sit, and the Azure CLI in pwsh -Command', () => {
    expect(calls('$sp = New-MgServicePrincipal -AppId $appId')).toEqual(['New-MgServicePrincipal']);
    expect(calls('Add-MgApplicationPassword -ApplicationId $id -PasswordCredential @{ displayName = "ci" }')).toEqual(['Add-MgApplicationPassword']);
    expect(calls('New-MgRoleManagementDirectoryRoleAssignment -PrincipalId $p -RoleDefinitionId $r -DirectoryScopeId "/"')).toEqual(['New-MgRoleManagementDirectoryRoleAssignment']);
    expect(calls('$users | ForEach-Object { Add-AzADGroupMember -TargetGroupObjectId $g -MemberUserPrincipalName $_ }')).toEqual(['Add-AzADGroupMember']);
    expect(calls('New-AzRoleAssignment -ObjectId $id -RoleDefinitionName Reader `\n  -Scope $scope')).toEqual(['New-AzRoleAssignment']);
    expect(calls('pwsh -Command "az ad user create --display-name x --user-principal-name x@y.z --password $p"')).toEqual(['az ad user create']);
    expect(calls('Get-MgServicePrincipal -All; Get-AzRoleAssignment')).toEqual([]);
    expect(calls('New-MgUserMessage -UserId $u -Subject hi')).toEqual([]);
    expect(calls('Write-Host "New-AzRoleAssignment is next"')).toEqual([]);
  });

  it('reads commands across continuations, separators and substitutions; not in comments, strings or heredocs', () => {
    expect(calls('aws iam \\\n  create-role \\\n  --role-name x --assume-role-policy-document file://t.json')).toEqual(['aws iam create-role']);
    expect(calls('aws iam get-user --user-name x || aws iam create-user --user-name x')).toEqual(['aws iam create-user']);
    expect(calls('set -e; test -n "$U" && aws iam delete-login-profile --user-name "$U"')).toEqual(['aws iam delete-login-profile']);
    expect(calls('KEY=$(aws iam create-access-key --user-name ci --query AccessKey.AccessKeyId --output text)')).toEqual(['aws iam create-access-key']);
    expect(calls('jq -r .[] users.json | xargs -n1 echo | sudo aws iam attach-user-policy --user-name x --policy-arn y')).toEqual(['aws iam attach-user-policy']);
    expect(calls('if ! aws iam get-role --role-name x; then\n  aws iam create-role --role-name x --assume-role-policy-document file://t.json\nfi')).toEqual(['aws iam create-role']);
    expect(calls('AWS_PAGER="" aws iam put-role-policy --role-name r --policy-name p --policy-document file://p.json')).toEqual(['aws iam put-role-policy']);
    expect(calls('bash -c "aws iam detach-role-policy --role-name r --policy-arn a"')).toEqual(['aws iam detach-role-policy']);
    expect(calls('eval "aws iam delete-role --role-name $R"')).toEqual(['aws iam delete-role']);
    for (const silent of [
      '# aws iam create-user --user-name x',
      'aws iam list-users # aws iam create-user',
      'echo "aws iam create-user --user-name x"',
      "echo 'run: az role assignment create --role Owner'",
      'echo aws iam create-user',
      'printf "%s\\n" "gh api -X PUT orgs/acme/memberships/bob"',
      'cat > README.md <<EOF\nTo onboard, run:\n  aws iam create-user --user-name NAME\nEOF\nls',
      'git commit -m "aws iam attach-role-policy added to docs"',
    ])
      expect(calls(silent), silent).toEqual([]);
    // A heredoc fed to a shell is a script.
    expect(calls('bash <<EOF\naws iam create-user --user-name x\nEOF')).toEqual(['aws iam create-user']);
  });

  it('splits shell text into commands', () => {
    expect(shellCommands('a b \\\n c; d "e f" | g $(h i) # j\n${{ x || y }} k')).toEqual([['a', 'b', 'c'], ['d', 'e f'], ['g'], ['h', 'i'], ['${{ x || y }}', 'k']]);
  });
});

describe('access catalogue: scripts, actions, n8n nodes, URLs', () => {
  it('finds Octokit administration methods and request() calls in github-script, not reads or comments', () => {
    const script = lines(
      '// github.rest.orgs.removeMember({ org, username }) is done by hand',
      "const { data } = await github.rest.teams.getByName({ org: 'acme', team_slug: 'devs' });",
      "await github.rest.teams.addOrUpdateMembershipForUserInOrg({ org: 'acme', team_slug: 'devs', username });",
      "await github.request('PUT /orgs/{org}/memberships/{username}', { org: 'acme', username, role: 'admin' });",
      "await github.request('GET /orgs/{org}/members', { org: 'acme' });",
      "await github.rest.repos.addCollaborator({ owner: 'acme', repo: 'site', username }); // https://docs.github.com",
    );
    expect(githubScriptAccessCalls(script).map((c) => c.call)).toEqual([
      'teams.addOrUpdateMembershipForUserInOrg',
      'request PUT /orgs/{org}/memberships/{username}',
      'repos.addCollaborator',
    ]);
  });

  it('reads n8n identity nodes by operation, with n8n’s defaults only where known', () => {
    const node = (type: string, extra: Partial<N8nNode> = {}): N8nNode => ({ name: 'n', type, at: loc(1), typeAt: loc(2), disabled: false, trigger: false, credentials: [], ...extra });
    const call = (n: N8nNode) => n8nNodeAccessCalls(n).map((c) => c.call);
    expect(call(node('n8n-nodes-base.awsIam', { resource: 'user', operation: 'addToGroup' }))).toEqual(['AWS IAM user addToGroup']);
    expect(call(node('n8n-nodes-base.awsIam', { operation: 'create' }))).toEqual(['AWS IAM user create']);
    expect(call(node('n8n-nodes-base.microsoftEntraTool', { resource: 'group', operation: 'delete' }))).toEqual(['Microsoft Entra ID group delete']);
    expect(call(node('n8n-nodes-base.gSuiteAdmin'))).toEqual(['Google Workspace Admin user create (default)']);
    expect(call(node('n8n-nodes-base.okta', { operation: 'update' }))).toEqual(['Okta user update']);
    expect(call(node('n8n-nodes-base.github', { resource: 'user', operation: 'invite' }))).toEqual(['GitHub user invite']);
    // Reads, defaults that read, unknown defaults, other resources.
    expect(call(node('n8n-nodes-base.awsIam', { resource: 'user', operation: 'getAll' }))).toEqual([]);
    expect(call(node('n8n-nodes-base.awsIam'))).toEqual([]);
    expect(call(node('n8n-nodes-base.microsoftEntra', { operation: 'get' }))).toEqual([]);
    expect(call(node('n8n-nodes-base.gSuiteAdmin', { resource: 'group' }))).toEqual([]);
    expect(call(node('n8n-nodes-base.github'))).toEqual([]);
    expect(call(node('n8n-nodes-base.github', { resource: 'issue', operation: 'create' }))).toEqual([]);
    // HTTP Request: a method given by an expression is unknown, so only endpoints that exist to change access count.
    const http = (url: string, requestMethod = '={{ $json.method }}') => call(node('n8n-nodes-base.httpRequest', { url: { value: url, at: loc(3) }, requestMethod }));
    expect(http('https://graph.microsoft.com/v1.0/applications/{{ $json.id }}/addPassword')).toEqual(['HTTP Request graph.microsoft.com/applications/{id}/addPassword']);
    expect(http('https://graph.microsoft.com/v1.0/invitations')).toEqual(['HTTP Request graph.microsoft.com/invitations']);
    expect(http('https://graph.microsoft.com/v1.0/users')).toEqual([]);
    expect(http('https://api.github.com/orgs/acme/memberships/bob')).toEqual([]);
    // A written method decides; none written is n8n's default, GET.
    expect(http('https://graph.microsoft.com/v1.0/users', 'POST')).toEqual(['HTTP Request POST graph.microsoft.com/users']);
    expect(http('https://api.github.com/orgs/acme/memberships/bob', 'PUT')).toEqual(['HTTP Request PUT api.github.com/orgs/{org}/memberships/{username}']);
    expect(call(node('n8n-nodes-base.httpRequest', { url: { value: 'https://graph.microsoft.com/v1.0/applications/x/addPassword', at: loc(3) } }))).toEqual([]);
  });

  it('takes a method into account when one is known', () => {
    expect(restAccessCalls('https://graph.microsoft.com/v1.0/users', 'POST', 'HTTP Request').map((c) => c.call)).toEqual(['HTTP Request POST graph.microsoft.com/users']);
    expect(restAccessCalls('https://graph.microsoft.com/v1.0/users', 'GET', 'HTTP Request')).toEqual([]);
    expect(restAccessCalls('https://github.example.com/api/v3/orgs/acme/memberships/bob', 'PUT', 'curl').map((c) => c.call)).toEqual(['curl PUT github.example.com/orgs/{org}/memberships/{username}']);
  });

  it('has unique ids, a family and a description for every entry', () => {
    expect(new Set(ACCESS_APIS.map((a) => a.id)).size).toBe(ACCESS_APIS.length);
    for (const a of ACCESS_APIS) expect(a.description.length, a.id).toBeGreaterThan(20);
  });
});

describe('access-changing-workflow-without-review: GitHub Actions', () => {
  it('fires on a job that changes IAM and GitHub teams with no environment, at the first call’s run key, listing every call', () => {
    const findings = run(
      lines(
        'name: Onboard',
        'on: workflow_dispatch',
        'jobs:',
        '  grant:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: aws iam list-users',
        '      - name: grant',
        '        run: |',
        '          aws iam attach-role-policy --role-name dev --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess',
        '          gh api -X PUT orgs/acme/memberships/bob',
        '      - run: aws iam attach-role-policy --role-name ops --policy-arn x',
      ),
    );
    expect(findings.map(brief)).toEqual([[W, 9, 9, 'high', 'aws iam attach-role-policy, gh api PUT /orgs/{org}/memberships/{username}']]);
    expect(findings[0]).toMatchObject({
      ruleId: 'access-changing-workflow-without-review',
      confidence: 'high',
      resource: { id: W, kind: 'workflow', provider: 'github', name: 'Onboard' },
      evidence: { job: 'grant', step: 2, triggers: 'workflow_dispatch', review: 'none (no environment)', families: 'AWS IAM, GitHub organization and teams' },
    });
    expect(findings[0]!.message).toContain('Job grant of workflow "Onboard" (.github/workflows/admin.yml), started by workflow_dispatch, changes identities or permissions');
    expect(findings[0]!.message).toContain('nhi cannot see an environment’s protection rules');
  });

  it('is critical when outsiders can start the workflow, and points at github-script’s script input or the action’s uses', () => {
    const findings = run(
      lines(
        'on:',
        '  issue_comment:',
        '    types: [created]',
        'jobs:',
        '  add:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/github-script@v7',
        '        with:',
        '          github-token: ${{ secrets.ADMIN_PAT }}',
        '          script: |',
        "            await github.rest.repos.addCollaborator({ owner: 'acme', repo: 'site', username: context.payload.comment.user.login });",
        '  team:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: lindluni/team-add@1.0.0',
        '        with: {teams: devs, token: "${{ secrets.ADMIN_PAT }}"}',
        '  azure:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: azure/cli@v2',
        '        with:',
        '          inlineScript: az ad group member add --group admins --member-id "$ID"',
      ),
    );
    expect(findings.map(brief)).toEqual([
      [W, 11, 11, 'critical', 'repos.addCollaborator'],
      [W, 16, 9, 'critical', 'lindluni/team-add'],
      [W, 23, 11, 'critical', 'az ad group member add'],
    ]);
    expect(findings[0]!.evidence).toMatchObject({ outsiderTriggers: 'issue_comment' });
  });

  it('is high, not critical, when the job’s if: lets only known people run it on an outsider trigger', () => {
    const job = (cond: string) =>
      lines(
        'on: pull_request_target',
        'jobs:',
        '  rotate:',
        ...(cond ? [`    if: ${cond}`] : []),
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: aws iam create-access-key --user-name integ-test',
      );
    const sev = (cond: string) => run(job(cond)).map((f) => [f.severity, f.evidence?.guard]);
    expect(sev('')).toEqual([['critical', undefined]]);
    const author = "${{ github.event_name == 'workflow_dispatch' || github.event.pull_request.user.login == 'release-bot' }}";
    expect(sev(author)).toEqual([['high', 'github.event.pull_request.user.login ==']]);
    expect(sev('github.event.pull_request.head.repo.full_name == github.repository')).toEqual([['high', 'pull_request.head.repo.full_name == github.repository']]);
    expect(sev("contains(fromJSON('[\"OWNER\",\"MEMBER\"]'), github.event.comment.author_association)")[0]![0]).toBe('high');
    // A label or a branch name is not a person: anyone who can open the pull request controls them.
    expect(sev("contains(github.event.pull_request.labels.*.name, 'safe to test')")[0]![0]).toBe('critical');
  });

  it('stays silent on jobs with an environment, on reads, comments and echoes, and on composite actions', () => {
    const reviewed = lines(
      'on: workflow_dispatch',
      'jobs:',
      '  grant:',
      '    runs-on: ubuntu-latest',
      '    environment: identity-admin',
      '    steps:',
      '      - run: aws iam create-user --user-name x',
      '  grant2:',
      '    runs-on: ubuntu-latest',
      '    environment:',
      '      name: ${{ inputs.target }}',
      '    steps:',
      '      - run: az role assignment create --assignee x --role Owner',
    );
    expect(run(reviewed)).toEqual([]);
    const reads = lines(
      'on: push',
      'jobs:',
      '  audit:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          # aws iam create-user --user-name someone',
      '          aws iam list-users',
      '          gh api /orgs/acme/members',
      '          az ad sp list --all',
      '          echo "aws iam create-user --user-name x"',
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      '            // github.rest.orgs.removeMember(...)',
      "            await github.rest.orgs.listMembers({ org: 'acme' });",
    );
    expect(run(reads)).toEqual([]);
    const composite = workflowInventory({
      '.github/actions/grant/action.yml': lines('name: grant', 'runs:', '  using: composite', '  steps:', '    - run: aws iam create-user --user-name x', '      shell: bash'),
    });
    expect(rule.evaluate(composite, ruleCtx())).toEqual([]);
  });

  it('honours nhi:allow on the reported line, and keeps its fingerprint when steps move', () => {
    const allowed = run(lines('on: workflow_dispatch', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: aws iam create-user --user-name x # nhi:allow'));
    expect(allowed.map((f) => f.allowedInline)).toEqual([true]);
    const a = run(lines('on: workflow_dispatch', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: aws iam create-user --user-name x'));
    const b = run(lines('on: workflow_dispatch', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: make', '      - run: aws iam create-user --user-name x'));
    expect(b.map((f) => f.fingerprint)).toEqual(a.map((f) => f.fingerprint));
  });
});

function identityOf(id: string, provider: Identity['provider'], attributes: WorkflowAttributes): Identity {
  return { id, provider, scope: '.', kind: WORKFLOW, name: id, tags: {}, owners: [], attributes: attributes as unknown as Record<string, unknown> };
}

/** A GitLab CI pipeline as the connector would model it: each job's script lines are its steps. */
function gitlabInventory(jobs: Array<{ id: string; script: string; environment?: string; manual?: boolean }>): Inventory {
  const path = '.gitlab-ci.yml';
  let line = 1;
  const modelled: WorkflowJob[] = jobs.map((j) => {
    const at = loc(line++, 1, path);
    const job: WorkflowJob = { id: j.id, at, secrets: [], with: [], env: [], steps: [] };
    if (j.environment) job.environment = { name: j.environment, at: loc(line++, 3, path) };
    if (j.manual) job.manual = loc(line++, 3, path);
    const runAt = loc(line, 3, path);
    line += 1 + j.script.split('\n').length;
    job.steps.push({ index: 0, at: runAt, run: { text: j.script, at: runAt }, with: [], env: [] });
    return job;
  });
  const inventory = emptyInventory();
  inventory.identities.push(identityOf(path, 'gitlab', { platform: 'gitlab-ci', triggers: [{ event: 'push', implicit: true, at: loc(1, 1, path) }], env: [], jobs: modelled, secretRefs: [], files: [path] }));
  return inventory;
}

describe('access-changing-workflow-without-review: GitLab CI', () => {
  it('fires on a script job with no environment, also when it is manual, and not with one', () => {
    const findings = rule.evaluate(
      gitlabInventory([
        { id: 'rotate-ci-key', script: 'aws iam create-access-key --user-name ci\naws iam delete-access-key --user-name ci --access-key-id "$OLD"' },
        { id: 'grant', script: 'gcloud projects add-iam-policy-binding "$PROJECT" --member="user:$WHO" --role=roles/editor', manual: true },
        { id: 'grant-prod', script: 'kubectl create clusterrolebinding ci --clusterrole=cluster-admin --user=ci', environment: 'production', manual: true },
        { id: '.template', script: 'aws iam create-user --user-name x' },
        { id: 'lint', script: 'kubectl auth can-i --list' },
      ]),
      ruleCtx(),
    );
    expect(findings.map(brief)).toEqual([
      ['.gitlab-ci.yml', 2, 3, 'high', 'aws iam create-access-key, aws iam delete-access-key'],
      ['.gitlab-ci.yml', 7, 3, 'high', 'gcloud projects add-iam-policy-binding'],
    ]);
    expect(findings[0]!.resource).toMatchObject({ provider: 'gitlab', kind: 'workflow' });
    expect(findings[1]!.evidence).toMatchObject({ job: 'grant', review: 'none (when: manual, no environment)' });
    expect(findings[1]!.message).toContain('Its `when: manual` lets anyone who may run pipelines start it: that is not a review.');
    expect(findings[1]!.message).toContain('protected environment with required approvals');
  });
});

/** An n8n workflow as the connector models it: nodes numbered in order, each 10 lines long. */
function n8nInventory(nodes: Array<Partial<N8nNode> & { name: string; type: string }>, connections: Array<[string, string]>, active = true): Inventory {
  const path = 'workflows/access.json';
  const modelled: N8nNode[] = nodes.map((n, i) => ({
    at: loc(10 * i + 3, 5, path),
    typeAt: loc(10 * i + 5, 7, path),
    disabled: false,
    trigger: /Trigger$|\.webhook$/.test(n.type),
    credentials: [],
    ...n,
  }));
  const inventory = emptyInventory();
  inventory.identities.push(
    identityOf(`${path}`, 'n8n', {
      platform: 'n8n',
      triggers: [],
      env: [],
      jobs: [],
      secretRefs: [],
      n8n: { active, described: true, stickyNotes: 0, tags: [], nodes: modelled, connections: connections.map(([from, to]) => ({ from, to })), literalCredentials: [] },
    }),
  );
  return inventory;
}

describe('access-changing-workflow-without-review: n8n', () => {
  const hook = { name: 'Request', type: 'n8n-nodes-base.webhook', authentication: { value: 'headerAuth', at: loc(1) } };
  const iam = { name: 'Add to admins', type: 'n8n-nodes-base.awsIam', resource: 'user', operation: 'addToGroup' };
  const approval = { name: 'Ask security', type: 'n8n-nodes-base.slack', operation: 'sendAndWait' };
  const n8nRun = (...args: Parameters<typeof n8nInventory>) => rule.evaluate(n8nInventory(...args), ruleCtx());

  it('fires on an identity node with no approval upstream, at its type key', () => {
    const findings = n8nRun([hook, iam], [['Request', 'Add to admins']]);
    expect(findings.map(brief)).toEqual([['workflows/access.json', 15, 7, 'high', 'AWS IAM user addToGroup']]);
    expect(findings[0]!.message).toBe(
      'Node "Add to admins" of active workflow workflows/access.json changes identities or permissions (AWS IAM user addToGroup) with no approval step before it: nobody has to approve a run before it does. Put a "Send and Wait for Response" approval (Slack, Gmail, Microsoft Teams…) before the node, answered by someone other than the requester.',
    );
    expect(findings[0]!.evidence).toMatchObject({ node: 'Add to admins', nodeType: 'n8n-nodes-base.awsIam', triggers: 'webhook', active: 'yes' });
  });

  it('is critical behind an open webhook, medium when only a manual trigger or nobody starts it, and points at an HTTP node’s url', () => {
    const open = n8nRun([{ ...hook, authentication: undefined }, iam], [['Request', 'Add to admins']]);
    expect(open.map((f) => f.severity)).toEqual(['critical']);
    expect(open[0]!.message).toContain('Anyone who can reach its "Request" trigger without authentication can make it run.');
    const manual = n8nRun([{ name: 'Run', type: 'n8n-nodes-base.manualTrigger' }, iam], [['Run', 'Add to admins']]);
    expect(manual.map((f) => f.severity)).toEqual(['medium']);
    expect(n8nRun([hook, iam], [['Request', 'Add to admins']], false).map((f) => f.severity)).toEqual(['medium']);
    const http = n8nRun(
      [hook, { name: 'New secret', type: 'n8n-nodes-base.httpRequest', requestMethod: 'POST', url: { value: 'https://graph.microsoft.com/v1.0/applications/{{ $json.id }}/addPassword', at: loc(17, 16, 'workflows/access.json') } }],
      [['Request', 'New secret']],
    );
    expect(http.map(brief)).toEqual([['workflows/access.json', 17, 16, 'high', 'HTTP Request POST graph.microsoft.com/applications/{id}/addPassword']]);
  });

  it('stays silent with an approval upstream (also through other nodes, and for an agent’s tool), on reads and on disabled nodes', () => {
    const set = { name: 'Prepare', type: 'n8n-nodes-base.set' };
    expect(n8nRun([hook, approval, set, iam], [['Request', 'Ask security'], ['Ask security', 'Prepare'], ['Prepare', 'Add to admins']])).toEqual([]);
    const agent = { name: 'Agent', type: '@n8n/n8n-nodes-langchain.agent' };
    const tool = { name: 'Entra', type: 'n8n-nodes-base.microsoftEntraTool', operation: 'create' };
    expect(n8nRun([hook, approval, agent, tool], [['Request', 'Ask security'], ['Ask security', 'Agent'], ['Entra', 'Agent']])).toEqual([]);
    expect(n8nRun([hook, agent, tool], [['Request', 'Agent'], ['Entra', 'Agent']]).map((f) => f.evidence?.calls)).toEqual(['Microsoft Entra ID user create']);
    expect(n8nRun([hook, { ...iam, operation: 'getAll' }], [['Request', 'Add to admins']])).toEqual([]);
    expect(n8nRun([hook, { ...iam, disabled: true }], [['Request', 'Add to admins']])).toEqual([]);
    // A disabled approval is no approval; an approval on another branch is none either.
    expect(n8nRun([hook, { ...approval, disabled: true }, iam], [['Request', 'Ask security'], ['Ask security', 'Add to admins']])).toHaveLength(1);
    expect(n8nRun([hook, approval, iam], [['Request', 'Ask security'], ['Request', 'Add to admins']])).toHaveLength(1);
  });
});

describe('access-changing-workflow-without-review through the built CLI', () => {
  const fixture = fileURLToPath(new URL('../test/fixtures/github-actions/access-changing', import.meta.url));
  it.skipIf(!existsSync(CLI))('reports the unreviewed jobs of the fixture repository, at the key of their first call', () => {
    const out = runCli(['scan', fixture, '--no-store', '--format', 'json']);
    const findings = (JSON.parse(out.stdout).findings as Finding[]).filter((f) => f.ruleId === rule.id);
    expect(findings.map((f) => [f.location?.path, f.location?.line, f.location?.column, f.severity, f.evidence?.job, f.evidence?.calls]).sort()).toEqual([
      ['.github/workflows/audit.yml', 27, 11, 'high', 'triage', 'repos.addCollaborator'],
      ['.github/workflows/onboard.yml', 20, 9, 'high', 'grant', 'aws iam add-user-to-group, gh api PUT /orgs/{org}/teams/{team_slug}/memberships/{username}'],
    ]);
  });
});

describe('access catalogue: adversarial scripts end', () => {
  it('reads a very long line of shell words before a heredoc without backtracking over it', () => {
    expect(calls(`${'sh '.repeat(40_000)}< x <<EOF\naws iam create-user --user-name x\nEOF\n`)).toEqual(['aws iam create-user']);
    expect(calls('cat > notes.txt <<EOF\naws iam create-user --user-name x\nEOF\n')).toEqual([]);
  });
});
