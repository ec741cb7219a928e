/** Checks shared by detectors: entropy, checksums, and look-alike filters. */

export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub's token format (ghp_, gho_, ghu_, ghs_, ghr_): prefix, 30 random base62
 * characters, then the CRC32 of those 30 characters in base62, left-padded to 6.
 */
export function githubTokenChecksumValid(token: string): boolean {
  const m = /^gh[pousr]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/.exec(token);
  if (!m) return false;
  return base62(crc32(m[1]!), 6) === m[2];
}

export function githubTokenWithChecksum(prefix: string, random30: string): string {
  return `${prefix}${random30}${base62(crc32(random30), 6)}`;
}

/** True when the value looks like a placeholder, a reference or a documentation example. */
export function looksLikePlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  const lower = v.toLowerCase();
  // References to something else, not a value.
  if (/^\$\{\{.*\}\}$|^\$\{[^}]*\}$|^\$\(.+\)$|^\$[A-Za-z_][A-Za-z0-9_]*$|^%[A-Za-z_][A-Za-z0-9_]*%$/.test(v)) return true;
  if (/\{\{.*\}\}|\$\{[^}]*\}|<%.*%>|\$\(\w+\)/.test(v)) return true; // templated
  if (/^(process\.env|os\.environ|os\.getenv|env\.|secrets\.|vars\.|getenv\(|System\.getenv|ENV\[)/i.test(v)) return true;
  if (/^<[^<>]+>$|^\[[^\]]+\]$|^\{[^{}]+\}$/.test(v)) return true; // <your-token>, [TOKEN], {token}
  // Repeated filler: xxxx, ****, 0000, aaaa, ....
  if (/^(.)\1{5,}$/.test(v)) return true;
  if (/(x{6,}|X{6,}|\*{4,}|#{6,}|\.{4,}|0{10,}|_{6,}|-{6,})/.test(v)) return true;
  if (/^(?:abc|123|1234|12345|123456|qwerty|abcdef|abcd1234|changeme|password|passwd|secret|token|none|null|nil|undefined|true|false|empty|test|testing|example|sample|dummy|fake|foo|bar|baz|todo|tbd|redacted|hidden|masked|replace_?me)$/i.test(v)) return true;
  // your_api_key, my-secret-token, insert_token_here, ENTER_PASSWORD: instructions, not values.
  if (/^(?:your|my|insert|enter|put|add|paste)[_-]?[a-z_-]{0,30}(?:key|token|secret|password|pass|pwd|here|value|id)$/i.test(v)) return true;
  if (/example|placeholder|your[_-]?(api|secret|token|key|password|access)|replace[_-]?(me|with|this)|insert[_-]?your|dummy|redacted|changeme|change[_-]me|not[_-]?a[_-]?real|notreal|fakekey|fake[_-]?(token|key|secret|password)|sample[_-]?(key|token)|xxxx/i.test(lower)) return true;
  if (/^(AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY)$/.test(v)) return true;
  // Sequential characters used in docs: abcdefgh..., 0123456789...
  if (/abcdefghij|0123456789|1234567890|ABCDEFGHIJ/.test(v) && shannonEntropy(v) < 4.5) return true;
  return false;
}

/**
 * Lower-case words and numbers joined by `_` or `-` (`1086_manual_contentful_automation_triggered`,
 * `_the_password_of_the_bind_user`, `gitlab-google-oauth2`, `my-s3cmd-config`): a file, key, slug or Kubernetes
 * resource name that a context pattern (`contentful` or `secret:` followed by a value) caught: three parts or more,
 * three of them with a word in them (two plain words); or a word Kubernetes and Helm names are made with (`-config`,
 * `-secret`, `-token`, `-tls`…) and another word. A part may carry a digit or two (`oauth2`, `s3cmd`, `v1`, `k8s`); a random token of such an
 * alphabet has digits scattered through its parts, or upper-case letters.
 */
export function looksLikeIdentifierWords(value: string): boolean {
  const parts = value.trim().replace(/^[_-]+|[_-]+$/g, '').split(/[_-]/);
  if (parts.length < 2) return false;
  if (!parts.every((p) => /^[a-z]+[0-9]{0,2}[a-z]*$|^[a-z]?[0-9]{1,2}[a-z]+$|^[0-9]{1,8}$/.test(p))) return false;
  const words = parts.filter((p) => /^[a-z]{3,}$/.test(p)).length;
  const wordy = parts.filter((p) => /[a-z]{3,}/.test(p)).length;
  const named = parts.some((p) => NAME_SUFFIX_WORDS.has(p));
  if (parts.length >= 3) return (words >= 2 && wordy >= 3) || (named && wordy >= 2);
  return named && parts.every((p) => /[a-z]{2,}/.test(p));
}

/** Words a two-part resource name ends or starts with (`s3cmd-config`, `db-credentials`, `api-token`). */
const NAME_SUFFIX_WORDS: ReadonlySet<string> = new Set([
  'config', 'configs', 'secret', 'secrets', 'key', 'keys', 'token', 'tokens', 'cert', 'certs', 'tls', 'auth', 'credentials',
  'creds', 'password', 'passwords', 'header', 'name', 'env', 'oauth', 'oauth2', 'account', 'registry', 'settings', 'keyfile',
]);

/** Values that have the shape of a hash, UUID, or integrity string rather than a credential. */
export function looksLikeNonSecretValue(value: string): boolean {
  const v = value.trim();
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return true; // UUID
  if (/^(sha1|sha256|sha384|sha512|md5)[-:]/i.test(v)) return true; // integrity / digest strings
  if (/^[0-9]+$/.test(v)) return true;
  if (/^[A-Za-z]+$/.test(v) && v.length < 24) return true; // plain words
  if (/^(https?|file):\/\/[^:@\s]+$/.test(v)) return true; // a URL with no credentials in it
  if (/^[./~]?[\w.-]*\/[\w./-]+$/.test(v) && !/[+=]/.test(v) && shannonEntropy(v) < 4.2) return true; // a path
  return false;
}
