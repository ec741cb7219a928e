/**
 * The normalised inventory that connectors collect and rules evaluate, and the
 * findings rules produce. See ../shared/MODEL.md for what each provider supplies.
 *
 * Dates are ISO-8601 UTC strings. `null` means "known not to have happened"
 * (a key never used); `undefined` means "unknown". Rules treat them differently.
 */
import type { Severity } from './severity.js';

export type Provider = 'aws' | 'azure' | 'gcp' | 'github' | 'gitlab' | 'n8n' | 'vault' | 'code';

export interface OwnerClaim {
  /** Person or team handle as the source names it. */
  owner: string;
  /** Where the claim comes from: `tag:owner`, `codeowners`, `app-owner`, `creator`, `directory`. */
  source: string;
}

export interface Identity {
  /** Stable id: ARN, e-mail, object id, or an `nhi:` URN of our own. */
  id: string;
  provider: Provider;
  /** Account, tenant, project or org the identity lives in. */
  scope: string;
  kind: string;
  name: string;
  created?: string;
  lastUsed?: string | null;
  status?: 'active' | 'inactive' | 'disabled' | 'deleted';
  tags: Record<string, string>;
  owners: OwnerClaim[];
  /** True when the identity looks like a person (console password, MFA...). */
  looksHuman?: boolean;
  /** Principals that can assume or use this identity. */
  trustedBy?: string[];
  /** Free-form provider attributes that rules need (kept small). */
  attributes?: Record<string, unknown>;
  /**
   * Where a scanned file defines the identity (an export's `UserName` entry, a credential report
   * row), relative to the scanned root; absent when it comes from an API. Reports use it to give
   * findings about the identity a place in a file (SARIF needs one); fingerprints never do.
   */
  definedAt?: Location;
}

export interface Credential {
  id: string;
  /** Public handle: access key id, `token_last_eight`, key id, fingerprint. */
  handle?: string;
  identityId?: string;
  provider: Provider;
  kind: string;
  created?: string;
  lastRotated?: string | null;
  lastUsed?: string | null;
  expires?: string | null;
  status?: 'active' | 'inactive' | 'expired' | 'revoked';
  scopes?: string[];
  attributes?: Record<string, unknown>;
  /** Where a scanned file defines the credential (see Identity.definedAt). */
  definedAt?: Location;
}

export interface Grant {
  identityId: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  conditions?: Record<string, unknown>;
  /** Where the grant comes from: policy ARN, role binding, workflow permissions block. */
  source: string;
}

export interface CommitInfo {
  sha: string;
  author?: string;
  email?: string;
  date?: string;
  summary?: string;
}

export interface Location {
  /** Relative to the scanned root, POSIX separators. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Present when the location is in git history rather than the working tree. */
  commit?: CommitInfo;
}

/** A credential found where it should not be. Holds no raw secret: only a keyed hash and a preview. */
export interface SecretOccurrence {
  detectorId: string;
  detectorTitle: string;
  severity: Severity;
  /** HMAC of the secret under the store key: joins occurrences to each other and to live credentials. */
  secretHash: string;
  /** HMAC of the secret under the fingerprint key: feeds public fingerprints and baselines. */
  fingerprintHash: string;
  /** e.g. `ghp_…x9Qa`. */
  redacted: string;
  /** Public identifier captured beside the secret (an AWS access key id), when there is one. */
  handle?: string;
  location: Location;
  /** Which scan of the target produced it. */
  origin: 'worktree' | 'history' | 'staged';
  /** The line carries an inline `nhi:allow` comment. */
  allowedInline?: boolean;
  /** Scanned root the path is relative to. */
  root: string;
}

export interface Inventory {
  identities: Identity[];
  credentials: Credential[];
  grants: Grant[];
  occurrences: SecretOccurrence[];
  /** What earlier scans recorded that this one may join with (from the store; absent without one). */
  recalled?: Recalled;
}

/** When and by which scan a recalled item was recorded. */
export interface Recording {
  scanId: string;
  recordedAt: string;
}

/**
 * Items recorded by earlier scans and recalled for joins across scans: a key id leaked in code
 * scanned last week and the key listed by today's IAM export, or the reverse. Only joins read
 * this: a recalled key is evidence about a leak, not an identity of this scan, so the other
 * rules (unrotated, unowned…) never report it again.
 */
export interface Recalled {
  /** Occurrences that carry a key id (`handle`), matching keys of this scan. */
  occurrences: Array<SecretOccurrence & { recorded: Recording }>;
  /** Keys of earlier scans whose ids occur in this scan, each with its identity and that identity's grants, as they were then. */
  keys: Array<{ credential: Credential; identity?: Identity; grants: Grant[]; recorded: Recording }>;
}

export function emptyInventory(): Inventory {
  return { identities: [], credentials: [], grants: [], occurrences: [] };
}

export type Confidence = 'high' | 'medium' | 'low';

export interface Finding {
  ruleId: string;
  severity: Severity;
  confidence: Confidence;
  title: string;
  message: string;
  /** Derived from what was found (secret hash, resource id), never from line numbers. */
  fingerprint: string;
  location?: Location;
  secret?: { type: string; redacted: string; handle?: string };
  resource?: { id: string; kind: string; provider: Provider; name?: string };
  evidence?: Record<string, string | number | boolean>;
  /** Suppressed by an inline `nhi:allow` comment (reported only when asked for). */
  allowedInline?: boolean;
  /** Store-keyed hash of the secret, when the finding is about one: kept in the store, never reported. */
  secretHash?: string;
}

export type WarningKind =
  | 'binary'
  | 'unreadable'
  | 'too-large'
  | 'symlink-loop'
  | 'invalid-utf8'
  | 'long-line'
  | 'parse-error'
  | 'git-error'
  | 'not-found';

/** A per-source problem. The scan goes on; the report lists it. */
export interface ScanWarning {
  kind: WarningKind;
  path?: string;
  source: string;
  message: string;
}
