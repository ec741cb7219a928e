/**
 * Whether an HTTP Request node's header, query parameter or URL query value is a credential
 * written into the workflow instead of an n8n credential: the secret detectors (src/detectors) over
 * `name: value`, else a literal-credential heuristic for parameters whose name says they carry one.
 *
 * Not literals: n8n expressions (a value starting with `=`), anything templated (`{{ $env.X }}`,
 * `{{ $credentials… }}`), placeholders (`<token>`, `YOUR_API_KEY`, `xxxxxx`, a constant's name such as
 * `SUPADATA_API_KEY` or `Bearer OPENAI_TOKEN`) and plain words.
 */
import type { N8nLiteralCredential } from '../../src/core/n8n.js';
import { redact } from '../../src/core/redact.js';
import { looksLikeNonSecretValue, looksLikePlaceholder, shannonEntropy } from '../../src/detectors/checks.js';
import { SecretScanner } from '../../src/detectors/engine.js';
import { DETECTORS } from '../../src/detectors/index.js';

let scanner: SecretScanner | undefined;

/** Header names that carry a credential. */
const CREDENTIAL_HEADER = /^(?:proxy-)?authorization$|^cookie$|(?:^|[-_])(?:api[-_]?key|apikey|token|secret|access[-_]?key|password|passwd|auth)$/i;
/** Query parameter names that carry a credential. */
const CREDENTIAL_QUERY = /^(?:key|token|secret|password|passwd|pwd|auth|sig)$|(?:^|[-_])(?:api[-_]?key|apikey|token|secret|access[-_]?key|client[-_]?secret|password|signature)$/i;
/** Authorization schemes written before the credential. */
const SCHEME = /^(?:bearer|basic|token|bot|apikey|api-key|key|digest|sso-key|splunk|ghp)\s+/i;
const PLACEHOLDER_WORDS = /your[-_ ]?(?:api[-_ ]?)?(?:key|token|secret|password)|api[-_]?key[-_]?here|token[-_]?here|insert|replace|placeholder|changeme|redacted/i;

/**
 * An upper-case constant naming a credential (`SUPADATA_API_KEY`, `OPENAI_TOKEN`): the template's author wrote the name
 * of what to paste there (seen in a real template export), not a value.
 */
const CONSTANT_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASS|PAT|CREDENTIALS?)(?:_[A-Z0-9]+)*$/;

function isLiteral(value: string): boolean {
  const v = value.trim().replace(SCHEME, '').trim();
  if (v === '' || value.trim().startsWith('=')) return false;
  return !looksLikePlaceholder(v) && !PLACEHOLDER_WORDS.test(v) && !CONSTANT_NAME.test(v);
}

/** Looks like a credential by itself: long enough, mixed, not a word, a number, a URL or a path. */
function credentialLike(value: string): boolean {
  const v = value.trim().replace(SCHEME, '').trim();
  if (v.length < 12 || /\s/.test(v)) return false;
  if (!isLiteral(v) || looksLikeNonSecretValue(v)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(v)).length;
  return classes >= 2 && shannonEntropy(v) >= 3;
}

export function judgeParameter(section: N8nLiteralCredential['section'], name: string, value: string): Pick<N8nLiteralCredential, 'redacted' | 'detector'> | undefined {
  if (!isLiteral(value)) return undefined;
  scanner ??= new SecretScanner(DETECTORS);
  const text = `${name}: ${value}`;
  const offset = name.length + 2;
  const match = scanner.scan(text).find((m) => m.start >= offset && !m.detector.identifier && !looksLikePlaceholder(m.secret));
  if (match) {
    const d = match.detector;
    return { redacted: redact(match.secret, d.prefixLength), detector: { id: d.id, title: d.title, severity: d.severity ?? 'high' } };
  }
  const named = section === 'header' ? CREDENTIAL_HEADER.test(name.trim()) : CREDENTIAL_QUERY.test(name.trim());
  if (named && credentialLike(value)) return { redacted: redact(value.trim().replace(SCHEME, '').trim()) };
  return undefined;
}

