import type { Rule } from '../src/engine/rule.js';
import accessChangingWorkflowWithoutReview from './access-changing-workflow-without-review.js';
import adminPrivileges from './admin-privileges.js';
import credentialsExposure from './credentials-exposure.js';
import hardcodedSecret from './hardcoded-secret.js';
import leakedLiveCredential from './leaked-live-credential.js';
import longLivedCloudKeyInCi from './long-lived-cloud-key-in-ci.js';
import multipleActiveKeys from './multiple-active-keys.js';
import n8nCredentialInParameters from './n8n-credential-in-parameters.js';
import n8nMissingCredential from './n8n-missing-credential.js';
import n8nUnauthenticatedWebhook from './n8n-unauthenticated-webhook.js';
import undocumentedWorkflow from './undocumented-workflow.js';
import oidcTrustWithoutSubject from './oidc-trust-without-subject.js';
import privilegeEscalation from './privilege-escalation.js';
import rootAccessKey from './root-access-key.js';
import secretsInherit from './secrets-inherit.js';
import secretsToUntrustedCode from './secrets-to-untrusted-code.js';
import selfTriggeringWorkflow from './self-triggering-workflow.js';
import unrotatedCredential from './unrotated-credential.js';
import trustAnyPrincipal from './trust-any-principal.js';
import unownedIdentity from './unowned-identity.js';
import unownedWorkflow from './unowned-workflow.js';
import unusedCredential from './unused-credential.js';
import unpinnedActionWithSecrets from './unpinned-action-with-secrets.js';
import unusedRole from './unused-role.js';
import workflowExcessivePermissions from './workflow-excessive-permissions.js';

/** Every rule nhi runs. A test checks this list against the files in this folder. */
export const RULES: readonly Rule[] = [hardcodedSecret, leakedLiveCredential, unrotatedCredential, unusedCredential, multipleActiveKeys, rootAccessKey, unownedIdentity, unusedRole, adminPrivileges, privilegeEscalation, credentialsExposure, trustAnyPrincipal, oidcTrustWithoutSubject, workflowExcessivePermissions, secretsInherit, unpinnedActionWithSecrets, secretsToUntrustedCode, longLivedCloudKeyInCi, selfTriggeringWorkflow, accessChangingWorkflowWithoutReview, n8nCredentialInParameters, n8nUnauthenticatedWebhook, n8nMissingCredential, undocumentedWorkflow, unownedWorkflow];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
