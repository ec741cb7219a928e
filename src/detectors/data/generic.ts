import { looksLikePlaceholder, looksLikeNonSecretValue, shannonEntropy } from '../checks.js';
import { ALPHABETS, seededRandom } from '../random.js';
import { defineDetectors, type Detector, type RandomSource } from '../types.js';
// The provider-specific catalogue, for ownedPrefix(). Not ../index.js: that imports this file,
// and whichever of the two were loaded first would see the other's exports uninitialised.
// auth.ts is left out for the same reason (it imports this file); its only prefixed detector
// (PASETO) does not matter here.
import ai from './ai.js';
import cloud from './cloud.js';
import credentialFiles from './credential-files.js';
import database from './database.js';
import messaging from './messaging.js';
import observability from './observability.js';
import packageRegistry from './package-registry.js';
import payment from './payment.js';
import privateKeys from './private-keys.js';
import saas from './saas.js';
import scmCi from './scm-ci.js';

/**
 * Generic credential assignments (`password = "…"`, `api_key: …`, `<password>…</password>`,
 * `--token …`, `scheme://user:pass@host`).
 *
 * These have no fixed format, so precision comes from the value checks below, which
 * reject what look-alike files are full of: references to something else (env vars,
 * templates, vault/ARN/1Password references, member access, function calls), hashes,
 * paths, URLs, UUIDs, numbers, i18n strings and identifiers made of words, and
 * demo/test passwords.
 *
 * Design decision on weak test passwords: values made only of common words plus a few
 * digits/symbols (`password123`, `P@ssw0rd!`, `changeme`, `test1234`, `Admin@2024`,
 * `supersecret`, `postgres`) are NOT reported. They dominate fixtures, docs and
 * docker-compose files; reporting them would sink precision. A real production password
 * that weak is missed: an accepted trade-off, documented here.
 *
 * The overlap resolver prefers any non-generic detector on the same span, so a
 * provider-specific match (an `sk_live_…` in `api_key = "…"`) wins over these.
 *
 * Regex building blocks (no lookaround; the value is one `secret` group whose opening
 * quote is optional, and a consumed terminator keeps it from stopping mid-value):
 */

/** Value characters: printable ASCII except space, quotes, and the delimiters `,;&()[]{}<>`. */
const V = String.raw`[!#$%*+\-./0-9:=?@A-Z\\^_a-z|~]`;
/** What may follow a value. */
const TERM = String.raw`(?:["'\x60\s,;&)}\]<>]|$)`;
/** Assignment operator: `=`, `:`, `:=`, `=>`, `==`, `===`, or a typed declaration `: Type =`. */
const OP = String.raw`["']?\]?\s{0,32}(?:=>|:=|===?|=|:(?:\s{0,32}[A-Za-z_][\w.<>?|\[\]]{0,40}\s{0,32}=)?)\s{0,32}["'\x60]?`;
/**
 * Where a key name may have a prefix (`DB_`, `spring.datasource.`, `client-`). Empty: the
 * pattern starts at the keyword, and `validate` sees the text before it (see engine.ts),
 * which is much faster than a leading lazy `[\w.-]{0,40}?` tried at every position.
 */
const PFX = '';

const PASSWORD_WORD = String.raw`(?:password|passwd|passwort|passphrase|pwd|pass)`;
const SECRET_WORD = String.raw`secret(?:[_.-]?(?:key(?:[_.-]?base)?|token|value|access[_.-]?key))?`;
const API_KEY_WORD = String.raw`(?:api|access|app|auth|master)[_.-]?key`;
const TOKEN_WORD = String.raw`token`;
const ANY_WORD = String.raw`(?:${PASSWORD_WORD}|${SECRET_WORD}|client[_.-]?secret|${API_KEY_WORD}|(?:access|auth|api|bearer|refresh)?[_.-]?${TOKEN_WORD})`;

/* ───────────────────────────── value checks ───────────────────────────── */

/**
 * Common words of demo credentials and configuration vocabulary. A value made only of
 * these (plus a few digits/symbols) is a placeholder, a default or an identifier.
 */
const WORDS = new Set(
  `password passwd passwort passphrase pass pwd pw word phrase secret secrets secure insecure security
  admin administrator root toor sa sys system user users username login logon guest default defaults
  test tests testing tester demo example examples sample samples dummy fake mock stub fixture fixtures
  spec e2e unit qa dev develop development local localhost prod production staging stage temp tmp
  changeme change me my your our their this that the is it to not real valid invalid new old none null
  empty blank nil na todo tbd fixme replace insert enter put here value values string text some random
  key keys api token tokens access auth oauth bearer client app application service server db database
  mysql postgres postgresql pg redis mongo mongodb rabbit rabbitmq oracle sql mssql mariadb sqlite
  elastic kibana grafana minio minioadmin keycloak airflow jenkins docker kube kubernetes k8s vagrant
  ubuntu debian pi raspberry nopass nopassword qwerty qwertz azerty asdf asdfgh zxcv abc abcd abcdef
  xyz foo bar baz qux foobar hello world welcome letmein iloveyou monkey dragon master shadow sunshine
  princess football baseball superman batman trustno hunter summer winter spring autumn fall super
  very strong weak simple easy hard long short open sesame company acme corp org team mail email smtp
  ftp http https web site www portal account accounts member members customer customers shop store
  private public hidden mask masked redacted encrypted decrypted hash hashed salt pepper plain cipher
  name names first last full id ids number code pin otp one two three four five six seven eight nine ten
  top best good bad cool awesome magic love life god home office work job master main primary backup
  read write readonly rw ro reset forgot confirm confirmation verify current previous next hook webhook
  jwt jws signing sign signature cookie session csrf crypto encryption decryption header headers bot
  host hostname path url uri port address domain`.split(/\s+/),
);

/** Undoes the usual letter substitutions (P@ssw0rd, S3cr3t, $ecret). */
function unleet(value: string): string {
  return value
    .replace(/[@4]/g, 'a')
    .replace(/0/g, 'o')
    .replace(/[1|]/g, 'i')
    .replace(/3/g, 'e')
    .replace(/[5$]/g, 's')
    .replace(/7/g, 't')
    .replace(/!/g, '');
}

/** Can a run of lowercase letters be split into WORDS (each of length ≥ 2)? */
function segmentable(letters: string): boolean {
  if (letters.length > 40) return false;
  const ok: boolean[] = [true];
  for (let end = 1; end <= letters.length; end++) {
    ok[end] = false;
    for (let start = Math.max(0, end - 14); start <= end - 2; start++) {
      if (ok[start] && WORDS.has(letters.slice(start, end))) {
        ok[end] = true;
        break;
      }
    }
  }
  return ok[letters.length] === true;
}

function wordsOnly(value: string): boolean {
  // camelCase and digit boundaries become separators; then every letter run must be words.
  const spaced = value.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Za-z])([0-9])|([0-9])([A-Za-z])/g, '$1$3 $2$4');
  const runs = spaced.toLowerCase().split(/[^a-z]+/).filter(Boolean);
  const digits = value.replace(/[^0-9]/g, '').length;
  if (runs.length === 0 || digits > 8) return false;
  let hasWord = false;
  for (const run of runs) {
    if (run.length === 1) continue; // a lone letter next to words (the "P" of "P@ss")
    if (!segmentable(run)) return false;
    if (run.length >= 3) hasWord = true;
  }
  return hasWord;
}

/**
 * A demo/default/test credential or an identifier made of common words:
 * `password123`, `P@ssw0rd!`, `Admin@2024`, `changeme`, `supersecret`, `test_api_key_1`.
 */
export function isWeakOrDemoSecret(value: string): boolean {
  if (wordsOnly(value)) return true;
  const l = unleet(value);
  return l !== value && wordsOnly(l);
}

const HASH =
  /^(?:\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{20,}|\$argon2(?:id|i|d)\$|\$[156y]\$|\$pbkdf2|\$scrypt\$|\$sha\d|pbkdf2_sha\d+\$|pbkdf2:sha\d+|scrypt:|bcrypt\$|argon2\$|sha\d+\$|md5\$|md5[a-f0-9]{32}$|SCRAM-SHA-256\$|\{(?:SSHA|SHA|SMD5|MD5|CRYPT|SSHA256|SSHA512|PBKDF2|bcrypt|scrypt|argon2|sha256|MD4)[^}]*\})/i;

/**
 * True for values that are references to a secret kept elsewhere, expressions, or
 * structured non-secret strings, rather than a literal credential.
 */
export function looksLikeReferenceOrExpression(value: string, depth = 0): boolean {
  const v = value.trim();
  // Kubernetes Secret `data:` and similar: judge base64 of printable text by what it encodes.
  if (depth === 0 && /^[A-Za-z0-9+/]{8,}={0,2}$/.test(v) && v.length % 4 === 0) {
    const decoded = Buffer.from(v, 'base64').toString('latin1');
    if (/^[\x20-\x7e]{4,}$/.test(decoded)) {
      if (decoded.length < 6 || looksLikeReferenceOrExpression(decoded, 1)) return true;
    }
  }
  if (looksLikePlaceholder(v) || looksLikeNonSecretValue(v)) return true;
  // `id=value` inside the value (Proxmox's `PVEAPIToken=root@pam!n8n=1234` in a how-to): the part after the
  // last `=` is the secret, and a placeholder there makes the whole a documentation example.
  const nested = /^[^=\s]+=([^=\s]+)$/.exec(v);
  if (depth === 0 && nested && looksLikePlaceholder(nested[1]!)) return true;
  if (/\$\{|\$\(|\{\{|\}\}|<%|%>|#\{|%\(|%[sdv]\b|\$\d|^%\w+%$|^@[\w.-]+@$|^__\w+__$|->|::/.test(v)) return true;
  if (/^\$[A-Za-z_]/.test(v)) return true; // $var, $this->x, $config.db
  if (/^[!*&]/.test(v)) return true; // YAML tags, aliases, anchors
  if (/^-/.test(v)) return true; // another CLI flag
  if (/^(?:ENC|DEC|ENV|env|secret|vault|file)\(/i.test(v)) return true; // jasypt ENC(...), env(...)
  if (/^(?:vault|op|arn|ssm|sm|secret|secrets|secretsmanager|env|ref|sops|awssm|azkv|keyvault|gcpsm|gsm|file|cmd|exec|k8s|kms|doppler|infisical)[:+]/i.test(v)) return true;
  if (HASH.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return true; // a URL (credentials in URLs have their own detector)
  if (/^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:\\)/.test(v)) return true; // a path
  if (/\.(?:pem|key|crt|cer|der|p8|p12|pfx|jks|keystore|pub|json|ya?ml|txt|env|conf|cfg|ini|properties|xml|toml|sh|py|js|ts|rb|php|gpg|asc)$/i.test(v)) return true;
  if (/^[^@\s]+@[\w-]+(?:\.[\w-]+)+$/.test(v)) return true; // an email address
  if (/^v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?$/.test(v) || /^\d{4}-\d{2}-\d{2}/.test(v)) return true; // version, date
  if (memberAccess(v)) return true; // config.db.password, process.env.X, self.settings.DB_PASSWORD
  if (identifierLike(v)) return true; // SensitiveString2048, Buffer|Uint8Array|string: a type, not a value
  // Code, not a value (minified bundles): comparisons, logic, optional chaining, ternaries,
  // concatenation with member access, chained assignments. Base64 padding `==` only ends a value.
  if (/==(?!=*$)|!=|\|\||&&|\?\.|\?[\w$.]+:[\w$]|\+[A-Za-z_$][\w$]*\.[A-Za-z_$]|^[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*=/.test(v)) return true;
  if (/^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+\/?$/i.test(v) && /\.(?:com|org|net|io|dev|app|cloud|co|uk|de|test|local|internal|example)\/?$/i.test(v)) return true; // a host name
  if (/^[A-Z]{2}[0-9a-f]{32}$/.test(v)) return true; // a Twilio SID (AC…, SK…): a public identifier
  if (/^[A-Za-z_][\w.]*\(/.test(v)) return true; // a function call
  if (/^[A-Za-z]+(?:[\s_.:/|-]+[A-Za-z]+)*[.:!?]*$/.test(v)) return true; // words: "Password:", auth.password.label
  if (/^[a-z_]+(?::[\w,]+)?(?:\|[a-z_]+(?::[\w,]+)?)+$/.test(v)) return true; // validation rules: required|min:8
  if (/^eyJ/.test(v)) return true; // JWTs and base64 JSON cursors: the auth detectors decide
  if (ownedPrefix(v)) return true;
  if (/^(?:pk[._-]|sb_publishable_|phc_|pub[_-]|public[_-])/i.test(v)) return true; // publishable (public) keys
  if (/(.)\1{4,}/.test(v)) return true; // aaaaa, 00000: filler
  if (new Set(v).size < 5) return true;
  return isWeakOrDemoSecret(v);
}

/**
 * Prefixes that a provider-specific detector owns (its keywords, when it declares a fixed
 * `prefixLength`). A generic match on such a value (`token = "ghp_…"` whose checksum is
 * wrong, `API_KEY=sk-ant-…` that is too short) is a look-alike that the specific detector
 * already rejected, so the generic detectors leave it alone. Built on first use.
 */
let ownedPrefixes: string[] | undefined;
function ownedPrefix(value: string): boolean {
  if (ownedPrefixes === undefined) {
    const catalogue: Detector[] = [ai, cloud, credentialFiles, database, messaging, observability, packageRegistry, payment, privateKeys, saas, scmCi].flat();
    const list = new Set<string>();
    for (const d of catalogue) {
      if (d.category === 'generic' || !d.prefixLength || d.prefixLength < 3) continue;
      // The fixed prefix as the detector generates it; else the keywords no longer than it.
      const sample = d.generate?.(seededRandom(1)).toLowerCase();
      if (sample) list.add(sample.slice(0, d.prefixLength));
      for (const k of d.keywords) {
        const key = k.toLowerCase();
        if (key.length >= 3 && (sample ? sample.startsWith(key) : key.length <= d.prefixLength)) list.add(key);
      }
    }
    ownedPrefixes = [...list];
  }
  const lower = value.toLowerCase();
  return ownedPrefixes.some((p) => lower.startsWith(p));
}

/**
 * `a.b.c` made of identifier-shaped segments (camelCase, snake_case, CONSTANT, PascalCase).
 * A random value that merely contains a dot (`b0Y.DoPKCGH1hQzW`) has mixed case, digits
 * and high entropy, and is not taken for one.
 */
function memberAccess(v: string): boolean {
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v)) return false;
  const segments = v.split('.');
  const segmentsLookLikeNames = segments.every((s) => /^[a-z_$][a-zA-Z0-9_$]*$|^[A-Z][A-Z0-9_]*$|^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$/.test(s));
  // Randomness is judged per segment: `type2.declaration.readonlyToken` is names, `b0Y.DoPKCGH1hQzW` is not.
  const random = segments.some((s) => s.length >= 8 && /[0-9]/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s) && !identifierLike(s) && shannonEntropy(s) >= 3.3);
  return segmentsLookLikeNames && !random;
}

/**
 * A type or variable name made of words and numbers (`SensitiveString2048`, `NonEmptyMaxLength64String`,
 * `maxLen256`, `Buffer|Uint8Array|Blob|string`): what follows a key in a type annotation, not a value.
 */
export function identifierLike(v: string): boolean {
  const parts = v.split('|');
  return parts.every((part) => {
    const pieces = part.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g);
    if (!pieces || pieces.join('') !== part) return false;
    // Every lettered piece is a word-like chunk: a capital and lower-case letters, or a short acronym.
    return pieces.every((p) => /^[0-9]{1,5}$/.test(p) || /^[A-Z]?[a-z]{2,}$/.test(p) || /^[A-Z]{2,4}$/.test(p)) && pieces.some((p) => /[a-z]{3,}/.test(p));
  });
}

/** Key names whose values are not credentials: pagination cursors, request ids, CSRF tokens, token-type fields. */
const NOT_A_CREDENTIAL_KEY =
  /(?:next|continuation|page|pagination|cursor|resume|sync|marker|csrf|xsrf|request|idempotency|client[_-]?request|subject|token[_-]?type|max|num|count)[_-]?tokens?\b/i;

export function credentialKey(match: string): boolean {
  return !NOT_A_CREDENTIAL_KEY.test(match);
}

function charClasses(value: string): number {
  return (
    Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(/[0-9]/.test(value)) + Number(/[^A-Za-z0-9]/.test(value))
  );
}

/** A literal password: ≥ 8 characters, two character classes, some entropy, not a reference or demo value. */
export function passwordValueOk(value: string): boolean {
  if (value.length < 8 || value.length > 200) return false;
  if (looksLikeReferenceOrExpression(value)) return false;
  if (/^(?:[a-f0-9]{32}|[a-f0-9]{40}|[a-f0-9]{64}|[a-f0-9]{128})$/i.test(value)) return false; // a digest
  if (charClasses(value) < 2) return false;
  return shannonEntropy(value) >= 2.5;
}

/** A literal key or token: ≥ `min` characters, random-looking (entropy, a digit), not a reference. */
export function keyValueOk(value: string, min = 16): boolean {
  // Longer values are encrypted blobs (SealedSecrets, SOPS) or certificates, not keys typed into config.
  if (value.length < min || value.length > (min >= 32 ? 4096 : 300)) return false;
  if (looksLikeReferenceOrExpression(value)) return false;
  const entropy = shannonEntropy(value);
  if (entropy < 3.3) return false;
  if (!/[0-9]/.test(value) && !(value.length >= 32 && /[a-z]/.test(value) && /[A-Z]/.test(value) && entropy >= 4.2)) return false;
  return new Set(value).size >= 8;
}

/* ───────────────────────────── generators ───────────────────────────── */

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A strong random password (letters of each case, digits, a symbol). */
function password(r: RandomSource): string {
  return `${r.chars(UPPER, 2)}${r.chars(LOWER, 3)}${r.chars(ALPHABETS.digits, 2)}${r.chars('#%+=!*', 1)}${r.chars(ALPHABETS.alnum, 4)}${r.chars(ALPHABETS.digits, 1)}`;
}

function apiKey(r: RandomSource): string {
  return `${r.chars(ALPHABETS.alnum, 29)}${r.chars(ALPHABETS.digits, 1)}${r.chars(LOWER, 1)}${r.chars(UPPER, 1)}`;
}

/* ───────────────────────────── URL credentials ───────────────────────────── */

function urlPasswordOk(raw: string): boolean {
  let value = raw;
  try {
    value = decodeURIComponent(raw);
  } catch {
    // keep the raw value
  }
  if (value.length < 6) return false;
  if (/^x-oauth-(?:basic|token)$/i.test(value)) return false; // GitHub's placeholder password: the token is the user
  if (/^[*x.•#?-]+$/i.test(value)) return false;
  if (looksLikePlaceholder(value) || looksLikePlaceholder(raw)) return false;
  if (/\$\{|\$\(|\{\{|\}\}|<%|%\(|%[sdv]$|^\$[A-Za-z_]|^\{[^}]*\}$/.test(raw)) return false;
  if (isWeakOrDemoSecret(value)) return false;
  if (/^\d+$/.test(value) && value.length < 10) return false; // a port or a PIN-like demo
  return shannonEntropy(value) >= 2.3 && new Set(value).size >= 4;
}

export default defineDetectors([
  {
    id: 'url-credentials',
    title: 'Password in a URL (scheme://user:password@host)',
    category: 'generic',
    // Keywords that other detectors use for URLs must be listed too: a longer keyword hides a shorter one.
    keywords: ['://', 'https://', 'http://'],
    pattern: String.raw`\b[A-Za-z][A-Za-z0-9+.-]{1,30}://(?<handle>[^\s:/@?#"'\x60<>]{0,64}):(?<secret>[^\s:/@?#"'\x60<>]{3,128})@[A-Za-z0-9\[][A-Za-z0-9._\-\]]{0,252}`,
    validate: urlPasswordOk,
    generate: (r) => `https://deploy:${r.chars(ALPHABETS.alnum, 12)}7Qa@git.internal.acme.io/app.git`,
    severity: 'high',
    examples: {
      positive: [
        'git remote set-url origin {{gen}}',
        'FTP_URL=ftp://backup:{{alnum:14}}7Xq@ftp.acme-corp.io/nightly',
        "smtp_url = 'smtp://mailer:Zk{{alnum:10}}3%2F@smtp.acme-corp.io:587'",
        'ldap_uri: "ldaps://cn=admin:{{alnum:16}}9a@ldap.acme-corp.io:636"',
        'proxy = "http://proxyuser:{{alnum:12}}4bQ@proxy.corp.example.net:3128"',
      ],
      negative: [
        'DATABASE_URL=postgres://user:password@localhost:5432/app',
        'AMQP_URL=amqp://guest:guest@rabbitmq:5672/',
        'REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379/0',
        'url = "https://user:****@example.com"',
        'mongodb://root:example@mongo:27017/',
        'https://<user>:<password>@host/path',
        'git clone https://{{alnum:40}}:x-oauth-basic@github.com/acme/app.git',
        'see https://github.com:443/acme/app@main for details',
        'postgres://{user}:{password}@{host}:{port}/{db}',
        'http://admin:admin123@localhost:8080/manager',
        'https://$(USER):$(PASS)@registry.example.com',
      ],
    },
    references: ['https://datatracker.ietf.org/doc/html/rfc3986#section-3.2.1'],
  },
  {
    id: 'generic-cli-credential-flag',
    title: 'Credential passed as a command-line flag',
    category: 'generic',
    keywords: ['password', 'passwd', 'pass', 'pwd', 'secret', 'token', 'api-key', 'apikey'],
    pattern: String.raw`(?:(?:^|[\s"'])--?[\w-]{0,30}?(?:password|passwd|pass|pwd|secret|token|api-?key)(?:=|\s{1,8})|\bsshpass\s{1,8}-p\s{0,32})["']?(?<secret>${V}{8,200})${TERM}`,
    ignoreCase: true,
    validate: passwordValueOk,
    severity: 'high',
    examples: {
      positive: [
        'mysqldump --user=backup --password=Zq{{alnum:9}}%4w shop > dump.sql',
        'keytool -importkeystore -srcstorepass "Hv{{alnum:10}}=2p" -deststorepass "Rt{{alnum:8}}!9x"',
        'vault write auth/userpass/users/ci password=Mk{{alnum:11}}+5d policies=ci && cli --api-key Zq{{alnum:9}}%4w',
        'sshpass -p "Hv{{alnum:10}}=2p" ssh deploy@10.0.0.12',
        'RUN ./configure --admin-token {{alnum:20}}9Tq',
      ],
      negative: [
        'docker login -u ci --password-stdin < token.txt',
        'mysql --password="$DB_PASSWORD" shop',
        'app --token ${{ secrets.TOKEN }}',
        'psql --password --host db',
        'keytool -storepass changeit -list',
        'cli --api-key <your-api-key>',
        'helm install app --set db.password=password123',
        'deploy --token "$(cat /run/secrets/token)"',
        'vault login -method=userpass username=ci password=-',
      ],
    },
  },
  {
    id: 'generic-setter-credential',
    title: 'Credential passed to a setter, builder or map',
    category: 'generic',
    keywords: ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'api_key', 'basicauth', 'basic_auth', 'digestauth', 'networkcredential'],
    pattern: String.raw`(?:\b(?:set|with|put)?_?${ANY_WORD}\s{0,32}\(\s{0,32}|\b(?:put|setProperty|set|add|append|setdefault|setenv|putenv|Setenv)\s{0,32}\(\s{0,32}["'][\w.-]{0,40}?${ANY_WORD}["']\s{0,32},\s{0,32}|\b(?:HTTPBasicAuth|HTTPDigestAuth|BasicAuth|basic_auth|NetworkCredential|UsernamePasswordCredentials|PasswordAuthentication)\s{0,32}[(=]\s{0,32}\(?\s{0,32}["'][^"'\s]{1,64}["']\s{0,32},\s{0,32}(?:new\s{1,8}String\()?)["'\x60](?:\{noop\})?(?<secret>${V}{8,200})["'\x60]\s{0,32}[,)]`,
    ignoreCase: true,
    validate: passwordValueOk,
    severity: 'medium',
    examples: {
      positive: [
        'dataSource.setPassword("Rt{{alnum:8}}!9x");',
        'props.put("mail.smtp.password", "Mk{{alnum:11}}+5d");',
        'client = Client.builder().apiKey("{{alnum:24}}7Kp").build()',
        'os.Setenv("DB_PASSWORD", "Zq{{alnum:9}}%4w")',
        'requests.get(url, auth=HTTPBasicAuth("svc-report", "Kd{{alnum:10}}!3x"))',
        'var cred = new NetworkCredential("svc", "Wp{{alnum:9}}#8r");',
        'User.withUsername("ops").password("{noop}Hv{{alnum:10}}=2p").roles("ADMIN").build();',
      ],
      negative: [
        'user.setPassword(passwordEncoder.encode(raw));',
        'dataSource.setPassword("password123");',
        'props.put("mail.smtp.password", System.getenv("SMTP_PASSWORD"));',
        'user.set_password("changeme")',
        'config.setToken("${TOKEN}")',
        'lexer.token("IDENTIFIER_TOKEN")',
        'form.password("Enter your password")',
        'hash_password("Zx8kq2Lm!9v")',
        'User.withUsername("ops").password("{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG")',
      ],
    },
  },
  {
    id: 'generic-xml-credential',
    title: 'Credential in an XML element or key/value attribute',
    category: 'generic',
    keywords: ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'api_key', 'api-key'],
    pattern: String.raw`(?:<(?:[\w-]{1,20}:)?[\w.-]{0,40}?${ANY_WORD}\d?(?:\s[^<>]{0,200})?>|\b(?:key|name)\s{0,32}=\s{0,32}["'][\w.:-]{0,40}?${ANY_WORD}\d?["'](?:\s{1,8}value\s{0,32}=\s{0,32}["']|\s{0,32}>))(?<secret>${V}{8,200})(?:<\/|["'](?:\s|\/?>|$))`,
    ignoreCase: true,
    validate: passwordValueOk,
    severity: 'high',
    examples: {
      positive: [
        '<add key="SmtpPassword" value="Rt{{alnum:8}}!9x" />',
        '<property name="hibernate.connection.password">Mk{{alnum:11}}+5d</property>',
        '<bean id="ds"><property name="password" value="Zq{{alnum:9}}%4w"/></bean>',
        '<ApiKey>{{alnum:24}}3Fz</ApiKey>',
        '<entry key="service.auth.token">{{alnum:30}}8Lm</entry>',
      ],
      negative: [
        '<password>${env.DB_PASSWORD}</password>',
        '<add key="SmtpPassword" value="" />',
        '<passwordEncoder>bcrypt</passwordEncoder>',
        '<property name="password" value="#{systemProperties[\'db.password\']}"/>',
        '<string name="password">Password</string>',
        '<string name="password_hint">Enter your password</string>',
        '<secretName>db-credentials</secretName>',
        '<add key="ApiToken" value="%API_TOKEN%" />',
        '<password>changeme</password>',
      ],
    },
  },
  {
    id: 'powershell-plaintext-securestring',
    title: 'Plain-text password converted to a PowerShell SecureString',
    category: 'generic',
    keywords: ['asplaintext'],
    pattern: String.raw`ConvertTo-SecureString\s{1,8}(?:-String\s{1,8})?["'](?<secret>[^"'\s]{8,200})["']\s{1,8}-AsPlainText`,
    ignoreCase: true,
    validate: passwordValueOk,
    severity: 'high',
    examples: {
      positive: [
        '$pw = ConvertTo-SecureString "Hv{{alnum:10}}=2p" -AsPlainText -Force',
        '$cred = New-Object PSCredential("svc", (ConvertTo-SecureString -String \'Rt{{alnum:8}}!9x\' -AsPlainText -Force))',
        'ConvertTo-SecureString "Mk{{alnum:11}}+5d" -AsPlainText -Force | Set-Content pw.txt',
      ],
      negative: [
        '$pw = ConvertTo-SecureString $env:SVC_PASSWORD -AsPlainText -Force',
        '$pw = ConvertTo-SecureString "P@ssw0rd!" -AsPlainText -Force',
        '$pw = ConvertTo-SecureString "$Password" -AsPlainText -Force',
      ],
    },
  },
  {
    id: 'sql-user-password',
    title: 'Password in a SQL user/role statement',
    category: 'generic',
    keywords: ['identified', 'password'],
    // CREATE USER … IDENTIFIED BY '…', CREATE ROLE … PASSWORD '…', ALTER USER … WITH PASSWORD '…'.
    pattern: String.raw`(?:\bIDENTIFIED(?:\s{1,8}WITH\s{1,8}\w{1,40})?\s{1,8}BY(?:\s{1,8}PASSWORD)?|\b(?:WITH|LOGIN|ROLE|USER)\s{1,8}(?:ENCRYPTED\s{1,8})?PASSWORD)\s{1,8}'(?<secret>[^'\s]{8,200})'`,
    ignoreCase: true,
    validate: passwordValueOk,
    severity: 'high',
    examples: {
      positive: [
        "CREATE USER 'app'@'%' IDENTIFIED BY 'Vq{{alnum:10}}#4k';",
        "ALTER USER reporting WITH PASSWORD 'Nz{{alnum:12}}9!';",
        "CREATE ROLE etl LOGIN PASSWORD 'Hb{{alnum:9}}=7q' VALID UNTIL 'infinity';",
        "ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password BY 'Kt{{alnum:10}}+2m';",
      ],
      negative: [
        "CREATE USER 'app'@'%' IDENTIFIED BY 'password123';",
        "GRANT ALL ON *.* TO 'app'@'%' IDENTIFIED BY PASSWORD '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';",
        "ALTER USER app WITH PASSWORD :'new_password';",
        "CREATE ROLE app LOGIN PASSWORD 'md5a3556571e93b0d20722ba62be61e8c2d';",
        "ALTER ROLE app WITH PASSWORD NULL;",
      ],
    },
    references: ['https://www.postgresql.org/docs/current/sql-createrole.html', 'https://dev.mysql.com/doc/refman/8.0/en/create-user.html'],
  },
  {
    id: 'generic-password',
    title: 'Hard-coded password',
    category: 'generic',
    keywords: ['password', 'passwd', 'passwort', 'passphrase', 'pwd', 'pass'],
    pattern: String.raw`${PFX}${PASSWORD_WORD}\d?${OP}(?<secret>${V}{8,200})${TERM}`,
    ignoreCase: true,
    validate: passwordValueOk,
    generate: password,
    severity: 'high',
    examples: {
      positive: [
        'DB_PASSWORD={{gen}}',
        'spring.datasource.password: {{gen}}',
        '{"username": "svc-report", "password": "{{gen}}"}',
        "conn = psycopg2.connect(host=host, user='etl', password='{{gen}}')",
        'dbPassword := "{{gen}}"',
        '$smtpPass = \'{{gen}}\';',
        "'password' => '{{gen}}',",
        'private static final String ADMIN_PWD = "{{gen}}";',
        'val password: String = "{{gen}}"',
        'if (password === "{{gen}}") grantAccess();',
        '  - MYSQL_ROOT_PASSWORD={{gen}}',
        'spring.datasource.password=b0Y.{{alnum:9}}4kQ',
        'db_password         = "{{gen}}"',
      ],
      negative: [
        // A commented-out Helm values example (seen in a real chart): the value says what to put there.
        "      #   password: '_the_password_of_the_bind_user'",
        '    KdcAdminPassword: XmlStringMaxLen256;',
        '  export type MqttPassword = Buffer|Uint8Array|Blob|string;',
        
        'password: "Password"',
        'passwordLabel = "Enter your password"',
        'password_min_length = 12',
        'password = getpass()',
        'password: ${DB_PASSWORD}',
        'password = os.environ["DB_PASSWORD"]',
        'PASSWORD_FIELD = "password"',
        '"password": "<%= ENV[\'DB_PASSWORD\'] %>"',
        'password = "password123"',
        'password_hash = "$2b$12$KIXQJ1aQm4Fz3uZk7cF6Uu5r1sNwWm0QH1y0Yb8K9cJm2tq7Yk3e."',
        'hashed_password: "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"',
        'password: changeme',
        'POSTGRES_PASSWORD=postgres',
        'password = "P@ssw0rd!"',
        'password: "{{ vault_db_password }}"',
        'password = config.database.password',
        '"password": "Mot de passe"',
        '"password": "Contraseña"',
        'password: required|min:8|confirmed',
        'password: yup.string().min(8).required()',
        'password = "********"',
        'password: "Test@1234"',
        'password = "%(db_password)s"',
        'password: "#{ENV[\'DB_PASS\']}"',
        'password: !vault |',
        'password = "not-a-real-password"',
        'password = self.settings.DB_PASSWORD',
        'password: "auth.password.placeholder"',
        'password: "5f4dcc3b5aa765d61d8327deb882cf99"',
        'password = generate_password(length=24)',
        'password: "op://Engineering/db/password"',
        'password = ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)',
        'bypass = true',
        'password: "/run/secrets/db_password"',
        '"passwordResetUrl": "https://app.example.com/reset"',
        'password: "Summer2024!"',
      ],
    },
  },
  {
    id: 'generic-secret',
    title: 'Hard-coded secret',
    category: 'generic',
    keywords: ['secret'],
    // 12 rather than 16 characters: shared secrets (JWT_SECRET, webhook and session secrets) are
    // often shorter than API keys; the value must still be random-looking (keyValueOk).
    pattern: String.raw`${PFX}${SECRET_WORD}\d?${OP}(?<secret>${V}{12,500})${TERM}`,
    ignoreCase: true,
    validate: (s) => keyValueOk(s, 12),
    generate: apiKey,
    severity: 'high',
    examples: {
      positive: [
        "SECRET_KEY = 'django-insecure-{{lower:20}}8k'",
        'JWT_SECRET={{gen}}',
        'client_secret: "{{gen}}"',
        'secret_key_base: {{hex:64}}',
        '"webhookSecret": "{{gen}}"',
        'const appSecret = `{{gen}}`;',
      ],
      negative: [
        // Seen in real code: a key name inside an ARN, type annotations.
        '"SecretsManagerSecretId": "arn:aws:secretsmanager:us-east-1:012345678901:secret:myuser/ALL.SOURCE.ORACLE_12-0123456"',
        '    clientSecret: SensitiveString2048;',
        
        'secret: true',
        'secretName: db-credentials',
        'SECRET_KEY = os.environ["SECRET_KEY"]',
        'client_secret: ${{ secrets.CLIENT_SECRET }}',
        'secret: "my-k8s-secret-name"',
        'secret_key: "your-secret-key-here"',
        'JWT_SECRET=supersecretjwtkey',
        'secret: "{{ .Values.secret }}"',
        'secretKeyRef: {name: app, key: token}',
        'client_secret = "client_secret"',
        'secret = "{{hex:8}}-{{hex:4}}-4{{hex:3}}-9{{hex:3}}-{{hex:12}}"',
        'SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf',
        'secret: "0123456789abcdef"',
        'webhook_secret: "test_webhook_secret_123"',
        // Helm values naming Kubernetes Secrets (seen in a real chart): resource names, not values.
        '      # - secret: gitlab-google-oauth2',
        "          secret: my-s3cmd-config # You config for 's3cmd'.",
        '              secret: gitlab-registry-authorization-header-v1',
      ],
    },
  },
  {
    id: 'generic-api-key',
    title: 'Hard-coded API key',
    category: 'generic',
    keywords: ['api_key', 'apikey', 'api-key', 'api.key', 'access_key', 'accesskey', 'access-key', 'app_key', 'appkey', 'auth_key', 'authkey', 'master_key', 'masterkey'],
    pattern: String.raw`${PFX}${API_KEY_WORD}\d?${OP}(?<secret>${V}{16,500})${TERM}`,
    ignoreCase: true,
    validate: (s) => keyValueOk(s, 16),
    generate: apiKey,
    severity: 'high',
    examples: {
      positive: [
        'API_KEY={{gen}}',
        'weather_api_key: "{{gen}}"',
        '{"apiKey": "{{gen}}"}',
        'settings.API_KEY = "{{gen}}"',
        'const MAPS_API_KEY = "{{hex:32}}";',
        '$config[\'api_key\'] = \'{{gen}}\';',
      ],
      negative: [
        '    apiKey: SensitiveString2048;',
        
        'API_KEY=your_api_key_here',
        'apiKey: process.env.API_KEY',
        'api_key = os.getenv("API_KEY")',
        'api_key: "<API_KEY>"',
        'API_KEY=${API_KEY}',
        'api_key = "1234567890abcdef"',
        'api_key: "test_api_key_123"',
        '"api_key_header": "X-API-Key"',
        'api_key = settings.API_KEY',
        'apiKey: "{{ api_key }}"',
        'API_KEY="{{hex:8}}-{{hex:4}}-4{{hex:3}}-8{{hex:3}}-{{hex:12}}"',
        'api_key: "sha256:{{hex:64}}"',
        'accessKey: "AKIAIOSFODNN7EXAMPLE"',
        'TWILIO_API_KEY = "SK{{hex:32}}"', // a Twilio API key SID: public identifier
      ],
    },
  },
  {
    id: 'generic-token',
    title: 'Hard-coded token',
    category: 'generic',
    keywords: ['token'],
    pattern: String.raw`${PFX}${TOKEN_WORD}\d?${OP}(?<secret>${V}{16,1000})${TERM}`,
    ignoreCase: true,
    validate: (s, { match }) => credentialKey(match) && keyValueOk(s, 16),
    generate: apiKey,
    severity: 'medium',
    examples: {
      positive: [
        'AUTH_TOKEN={{gen}}',
        'access_token: "{{gen}}"',
        '{"token": "{{gen}}", "expires_in": 3600}',
        'client.authToken = "{{gen}}";',
        'BOT_TOKEN = "{{alnum:40}}1xY"',
      ],
      negative: [
        'this._usedEndToken=C.length===1?p:null);for(const f of C)t',
        'e.languages=e.editor=e.Token=e.Uri=e.MarkerTag=e.MarkerSeverity=e.SelectionDirection=void 0',
        'return t?.token===119||t?.parent.kind===264}function sre(e){ret',
        'let u=n.attributes.token===118?f.Import_attribute_values_must_be_string_literal_expressions:f.Other,_=!1;',
        
        'token: ${{ secrets.GITHUB_TOKEN }}',
        'csrf_token = "{{ csrf_token() }}"',
        'token_type: "Bearer"',
        'max_tokens = 4096',
        'tokenizer = "bert-base-uncased"',
        'next_token: "eyJsYXN0S2V5Ijp7ImlkIjoiMTIzIn19"',
        'token = request.headers.get("Authorization")',
        'token: "<token>"',
        'token = "REPLACE_WITH_YOUR_TOKEN"',
        '"jsonwebtoken": "^9.0.2",',
        'token: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"',
        'token = "abcdefghijklmnopqrstuvwxyz"',
        'refresh_token = null',
        // Seen in real code: expressions, type annotations, pagination cursors.
        '        const readonlyToken = type2.declaration.readonlyToken ? factory.createToken(type2.declaration.readonlyToken.kind) : void 0;',
        'if (contextToken === parent2.moduleSpecifier && tokenLine === currentLine) {',
        'async function f(registry, token = cancellation_1.CancellationToken.None) {',
        '    ClientRequestToken: NonEmptyMaxLength64String;',
        '    DeviceToken: NonEmptySensitiveString1600;',
        '          "NextContinuationToken": "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==",',
        '          "NextToken": "U2FsdGVkX1+eNkPoZHVl11ip5HUYQPWSWZGmftcmJiHL8JoKEsCDuaKayiPDyLK+LiTkShveoOdvfxXC",',
        '        [/\'/, { token: "string.$S2.delim", next: "@pop" }]',
        // A how-to in an n8n sticky note: the part after the last `=` is the secret, and it is a placeholder.
        'Suppose my token id is n8n and key is 1234 so value will be as below: PVEAPIToken=root@pam!n8n=1234',
      ],
    },
  },
  {
    id: 'generic-private-key-value',
    title: 'Hard-coded private key value (hex, base64)',
    category: 'generic',
    keywords: ['private_key', 'privatekey', 'private-key', 'private.key'],
    pattern: String.raw`${PFX}private[_.-]?key\d?${OP}(?<secret>${V}{32,4096})${TERM}`,
    ignoreCase: true,
    validate: (s) => keyValueOk(s, 32),
    generate: (r) => `0x${r.chars(ALPHABETS.hex, 64)}`,
    severity: 'high',
    examples: {
      positive: ['PRIVATE_KEY={{gen}}', 'wallet_private_key: "{{gen}}"', 'const privateKey = "{{b64:43}}=";'],
      negative: [
        'private_key_path = "/etc/ssl/private/server.key"',
        'PRIVATE_KEY=${PRIVATE_KEY}',
        'privateKey: fs.readFileSync("key.pem")',
        'private_key: "./keys/deploy_ed25519"',
        'private_key_id: "{{hex:40}}"',
        'private_key: "0x0000000000000000000000000000000000000000000000000000000000000000"',
      ],
    },
  },
]);
