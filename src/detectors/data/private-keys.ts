import { shannonEntropy } from '../checks.js';
import { ALPHABETS } from '../random.js';
import { defineDetectors, type Detector, type RandomSource } from '../types.js';

/**
 * Private keys: PEM blocks (PKCS#1, SEC1, PKCS#8, OpenSSH, PGP), PuTTY key files and age
 * identities.
 *
 * A PEM detector needs the BEGIN line, a body of realistic length (two or more base64 lines
 * of 40+ characters, or one line of 64+) and the matching END line, so documentation such as
 * `-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----` is not a finding.
 * The `secret` group is the whole block; the BEGIN line is its safe-to-show prefix.
 */

/** One full body line (lines may be indented, e.g. in a YAML block scalar). */
const LINE = String.raw`[ \t]*[A-Za-z0-9+/=]{40,80}[ \t]*\r?\n`;
/** The short last line(s): the tail of the body, and PGP's `=XXXX` checksum. */
const TAIL = String.raw`(?:[ \t]*[A-Za-z0-9+/=]{1,80}[ \t]*\r?\n){0,2}`;
/** RFC 1421 headers of legacy encrypted PEM (`Proc-Type`, `DEK-Info`) or PGP armor headers. */
const HEADERS = String.raw`(?:[ \t]*[A-Za-z][A-Za-z-]{0,40}:[^\n]{0,200}\n){0,6}(?:[ \t]*\r?\n)?`;
const BODY = String.raw`(?:(?:${LINE}){2,1000}${TAIL}|[ \t]*[A-Za-z0-9+/=]{64,80}[ \t]*\r?\n)`;

/** The body's base64 characters must look random (DER is dense); filler such as AAAA… is not a key. */
function pemBodyValid(block: string, minEntropy = 4.5): boolean {
  const body = block
    .split(/\r?\n/)
    .filter((l) => !l.includes('-----') && !l.includes(':'))
    .join('')
    .replace(/\s+/g, '');
  if (body.length < 64) return false;
  if (/EXAMPLE|xxxxxxxx|XXXXXXXX|AAAAAAAAAAAAAAAAAAAA/.test(body)) return false;
  return shannonEntropy(body) >= minEntropy;
}

function lines(text: string, width = 64): string {
  return text.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n');
}

function pemBlock(label: string, body: string, width = 64): string {
  return `-----BEGIN ${label}-----\n${lines(body, width)}\n-----END ${label}-----`;
}

function pem(
  id: string,
  label: string,
  title: string,
  severity: Detector['severity'],
  bodyPrefix: string,
  bodyLength: number,
  examples: Detector['examples'],
  extra: Partial<Detector> = {},
): Detector {
  const begin = `-----BEGIN ${label}-----`;
  return {
    id,
    title,
    category: 'private-key',
    // `-----BEGIN` for every PEM kind: a longer keyword elsewhere cannot swallow the hit.
    keywords: ['-----BEGIN'],
    pattern: String.raw`(?<secret>${begin}[ \t]*\r?\n${HEADERS}${BODY}[ \t]*-----END ${label}-----)`,
    multiline: true,
    prefixLength: begin.length,
    filterPlaceholders: false,
    validate: (s) => pemBodyValid(s),
    generate: (r: RandomSource) => pemBlock(label, bodyPrefix + r.chars(ALPHABETS.b64, bodyLength - bodyPrefix.length)),
    severity,
    examples,
    references: ['https://www.rfc-editor.org/rfc/rfc7468'],
    ...extra,
  };
}

/** Negatives shared by the PEM detectors. */
const PEM_NEGATIVES = [
  '-----BEGIN PUBLIC KEY-----\n{{b64:64}}\n{{b64:64}}\n{{b64:64}}\n{{b64:24}}\n-----END PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE-----\nMIIC{{b64:60}}\n{{b64:64}}\n{{b64:64}}\n{{b64:64}}\n{{b64:30}}==\n-----END CERTIFICATE-----',
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{{b64:300}} user@host',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{{b64:43}} user@laptop',
];

export default defineDetectors([
  pem(
    'rsa-private-key',
    'RSA PRIVATE KEY',
    'RSA private key (PKCS#1 PEM)',
    'critical',
    'MIIEowIBAAKCAQEA',
    1592,
    {
      positive: [
        '{{gen}}\n',
        'ssh_key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEpAIBAAKCAQEA{{b64:48}}\n  {{b64:64}}\n  {{b64:64}}\n  {{b64:64}}\n  {{b64:20}}==\n  -----END RSA PRIVATE KEY-----\n',
        'key = """-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{{HEX:32}}\n\n{{b64:64}}\n{{b64:64}}\n{{b64:64}}\n{{b64:10}}\n-----END RSA PRIVATE KEY-----"""',
      ],
      negative: [
        ...PEM_NEGATIVES,
        '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----',
        'private_key: "-----BEGIN RSA PRIVATE KEY-----<private key here>-----END RSA PRIVATE KEY-----"',
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA{{b64:48}}\n{{b64:64}}\n', // truncated: no END line
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA{{b64:20}}\n-----END RSA PRIVATE KEY-----', // too short
      ],
    },
  ),
  pem(
    'ec-private-key',
    'EC PRIVATE KEY',
    'EC private key (SEC1 PEM)',
    'critical',
    'MHcCAQEEI',
    164,
    {
      positive: [
        '{{gen}}\n',
        'TLS_KEY="-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI{{b64:55}}\n{{b64:64}}\n{{b64:34}}==\n-----END EC PRIVATE KEY-----"',
        'resource "tls_private_key" "x" {}\nlocals {\n  key = <<EOT\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI{{b64:55}}\n{{b64:64}}\n{{b64:36}}\n-----END EC PRIVATE KEY-----\nEOT\n}',
      ],
      negative: [
        ...PEM_NEGATIVES,
        '-----BEGIN EC PRIVATE KEY-----\n<your key>\n-----END EC PRIVATE KEY-----',
        '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----',
        '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI{{b64:30}}\n-----END EC PRIVATE KEY-----',
      ],
    },
  ),
  pem(
    'dsa-private-key',
    'DSA PRIVATE KEY',
    'DSA private key (PEM)',
    'critical',
    'MIIBuwIBAAKBgQ',
    590,
    {
      positive: [
        '{{gen}}\n',
        'const key = `-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQ{{b64:50}}\n{{b64:64}}\n{{b64:64}}\n{{b64:64}}\n{{b64:12}}\n-----END DSA PRIVATE KEY-----`;',
        '    -----BEGIN DSA PRIVATE KEY-----\n    {{b64:64}}\n    {{b64:64}}\n    {{b64:40}}\n    -----END DSA PRIVATE KEY-----',
      ],
      negative: [
        ...PEM_NEGATIVES,
        '-----BEGIN DSA PRIVATE KEY-----\n...\n-----END DSA PRIVATE KEY-----',
        'ssh-dss AAAAB3NzaC1kc3MAAACBA{{b64:400}} user@host',
      ],
    },
  ),
  pem(
    'pkcs8-private-key',
    'PRIVATE KEY',
    'Private key (PKCS#8 PEM)',
    'critical',
    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    1624,
    {
      positive: [
        '{{gen}}\n',
        'server.key: |\n    -----BEGIN PRIVATE KEY-----\n    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC{{b64:32}}\n    {{b64:64}}\n    {{b64:64}}\n    {{b64:8}}==\n    -----END PRIVATE KEY-----',
        // Ed25519 PKCS#8 keys fit on one 64-character line.
        'KEY = """\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI{{b64:43}}\n-----END PRIVATE KEY-----\n"""',
      ],
      negative: [
        ...PEM_NEGATIVES,
        '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
        '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI{{b64:10}}\n-----END PRIVATE KEY-----',
        'echo "-----BEGIN PRIVATE KEY-----" > key.pem',
      ],
    },
  ),
  pem(
    'encrypted-private-key',
    'ENCRYPTED PRIVATE KEY',
    'Encrypted private key (PKCS#8 PEM)',
    'medium',
    'MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI',
    1720,
    {
      positive: [
        '{{gen}}\n',
        'tls:\n  key: |\n    -----BEGIN ENCRYPTED PRIVATE KEY-----\n    MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQww{{b64:20}}\n    {{b64:64}}\n    {{b64:64}}\n    {{b64:30}}\n    -----END ENCRYPTED PRIVATE KEY-----',
        'cert_key = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n{{b64:64}}\n{{b64:64}}\n{{b64:64}}\n-----END ENCRYPTED PRIVATE KEY-----"',
      ],
      negative: [...PEM_NEGATIVES, '-----BEGIN ENCRYPTED PRIVATE KEY-----\n...\n-----END ENCRYPTED PRIVATE KEY-----'],
    },
  ),
  pem(
    'openssh-private-key',
    'OPENSSH PRIVATE KEY',
    'OpenSSH private key',
    'critical',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    400,
    {
      positive: [
        '{{gen}}\n',
        'deploy_key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n  {{b64:70}}\n  {{b64:70}}\n  {{b64:70}}\n  {{b64:20}}=\n  -----END OPENSSH PRIVATE KEY-----',
        "id_ed25519 = '''-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABD{{b64:7}}\n{{b64:70}}\n{{b64:70}}\n{{b64:16}}\n-----END OPENSSH PRIVATE KEY-----'''",
      ],
      negative: [
        ...PEM_NEGATIVES,
        '-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----',
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----',
      ],
    },
    {
      generate: (r: RandomSource) =>
        pemBlock('OPENSSH PRIVATE KEY', `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW${r.chars(ALPHABETS.b64, 330)}`, 70),
      references: ['https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key'],
    },
  ),
  pem(
    'pgp-private-key-block',
    'PGP PRIVATE KEY BLOCK',
    'PGP private key block',
    'critical',
    'lQOYBG',
    1200,
    {
      positive: [
        '{{gen}}\n',
        'GPG_PRIVATE_KEY: |\n  -----BEGIN PGP PRIVATE KEY BLOCK-----\n  Comment: signing key\n\n  lQOYBG{{b64:58}}\n  {{b64:64}}\n  {{b64:64}}\n  {{b64:64}}\n  {{b64:21}}\n  ={{b64:4}}\n  -----END PGP PRIVATE KEY BLOCK-----',
        'key = """-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlFgEZ{{b64:59}}\n{{b64:64}}\n{{b64:40}}\n={{b64:4}}\n-----END PGP PRIVATE KEY BLOCK-----"""',
      ],
      negative: [
        ...PEM_NEGATIVES,
        '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBG{{b64:58}}\n{{b64:64}}\n{{b64:64}}\n={{b64:4}}\n-----END PGP PUBLIC KEY BLOCK-----',
        '-----BEGIN PGP PRIVATE KEY BLOCK-----\n...\n-----END PGP PRIVATE KEY BLOCK-----',
        '-----BEGIN PGP SIGNATURE-----\n\niQEz{{b64:60}}\n{{b64:64}}\n={{b64:4}}\n-----END PGP SIGNATURE-----',
      ],
    },
    {
      generate: (r: RandomSource) =>
        `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${lines(`lQOYBG${r.chars(ALPHABETS.b64, 1200)}`)}\n=${r.chars(ALPHABETS.b64, 4)}\n-----END PGP PRIVATE KEY BLOCK-----`,
      references: ['https://www.rfc-editor.org/rfc/rfc4880#section-6.2'],
    },
  ),
  {
    id: 'private-key-escaped',
    title: 'Private key (PEM with escaped newlines)',
    category: 'private-key',
    // The JSON / .env form: one line, newlines written as the two characters `\n`.
    keywords: ['-----BEGIN'],
    pattern: String.raw`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----(?:\\r)?\\n(?<secret>(?:[A-Za-z0-9+/=]{40,80}(?:\\r)?\\n){1,1000}(?:[A-Za-z0-9+/=]{1,80}(?:\\r)?\\n)?)-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----`,
    // Single line, but a 4096-bit key is longer than the default window around the keyword.
    multiline: true,
    filterPlaceholders: false,
    validate: (s) => pemBodyValid(s.replace(/\\r|\\n/g, '\n')),
    severity: 'critical',
    examples: {
      positive: [
        'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA{{b64:48}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:20}}\\n-----END RSA PRIVATE KEY-----\\n"',
        '{"signingKey": "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEI{{b64:55}}\\n{{b64:64}}\\n{{b64:36}}\\n-----END EC PRIVATE KEY-----\\n"}',
        "const key = '-----BEGIN PRIVATE KEY-----\\r\\n{{b64:64}}\\r\\n{{b64:64}}\\r\\n{{b64:30}}==\\r\\n-----END PRIVATE KEY-----';",
      ],
      negative: [
        'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----\\n"',
        'PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\\n<your key>\\n-----END PRIVATE KEY-----\\n"',
        '{"key": "-----BEGIN PUBLIC KEY-----\\n{{b64:64}}\\n{{b64:64}}\\n-----END PUBLIC KEY-----\\n"}',
        'PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\\n{{b64:64}}\\n{{b64:64}}', // truncated
      ],
    },
    references: ['https://www.rfc-editor.org/rfc/rfc7468'],
  },
  {
    id: 'putty-private-key',
    title: 'PuTTY private key file (.ppk)',
    category: 'private-key',
    keywords: ['PuTTY-User-Key-File-'],
    pattern: String.raw`(?<secret>PuTTY-User-Key-File-[23]: [\w@.-]{3,64}\r?\nEncryption: [\w-]{1,32}\r?\n(?:[^\n]{0,200}\n){0,200}?Private-Lines: \d{1,3}\r?\n[A-Za-z0-9+/=]{40,80}\r?\n(?:[A-Za-z0-9+/=]{1,80}\r?\n){0,100}Private-MAC: [0-9a-fA-F]{40,64})`,
    multiline: true,
    prefixLength: 19,
    filterPlaceholders: false,
    validate: (s) => {
      const m = /Private-Lines: \d+\r?\n([\s\S]*?)Private-MAC/.exec(s);
      return !!m && shannonEntropy(m[1]!.replace(/\s+/g, '')) >= 4;
    },
    severity: 'critical',
    examples: {
      positive: [
        'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ed25519-key-20240101\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{{b64:39}}\n{{b64:4}}\nPrivate-Lines: 1\nAAAAI{{b64:43}}\nPrivate-MAC: {{hex:64}}\n',
        'PuTTY-User-Key-File-2: ssh-rsa\r\nEncryption: none\r\nComment: imported-openssh-key\r\nPublic-Lines: 6\r\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ{{b64:34}}\r\n{{b64:64}}\r\n{{b64:64}}\r\n{{b64:64}}\r\n{{b64:64}}\r\n{{b64:12}}\r\nPrivate-Lines: 4\r\n{{b64:64}}\r\n{{b64:64}}\r\n{{b64:64}}\r\n{{b64:30}}\r\nPrivate-MAC: {{hex:40}}\r\n',
        'PuTTY-User-Key-File-3: ecdsa-sha2-nistp256\nEncryption: aes256-cbc\nComment: work\nPublic-Lines: 3\n{{b64:64}}\n{{b64:64}}\n{{b64:8}}\nKey-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: 13\nArgon2-Parallelism: 1\nArgon2-Salt: {{hex:32}}\nPrivate-Lines: 1\n{{b64:64}}\nPrivate-MAC: {{hex:64}}\n',
      ],
      negative: [
        'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: key\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{{b64:39}}\n{{b64:4}}\nPrivate-Lines: 1\n...\nPrivate-MAC: {{hex:64}}\n',
        'Save the key as PuTTY-User-Key-File-2 (.ppk) with puttygen.',
        'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: key\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{{b64:39}}\n',
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{{b64:43}} user@laptop',
      ],
    },
    references: ['https://the.earth.li/~sgtatham/putty/0.78/htmldoc/AppendixC.html'],
  },
  {
    id: 'age-secret-key',
    title: 'age encryption identity (secret key)',
    category: 'private-key',
    keywords: ['AGE-SECRET-KEY-1'],
    pattern: String.raw`\b(?<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b`,
    prefixLength: 16,
    entropy: 3.5,
    generate: (r) => `AGE-SECRET-KEY-1${r.chars('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`,
    severity: 'critical',
    examples: {
      positive: [
        '# created: 2024-01-01T00:00:00Z\n# public key: age1{{lower:58}}\n{{gen}}\n',
        'SOPS_AGE_KEY={{gen}}',
        'age_key: "{{gen}}"',
      ],
      negative: [
        '# public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
        'SOPS_AGE_KEY=AGE-SECRET-KEY-1{{upper:20}}',
        'SOPS_AGE_KEY=AGE-SECRET-KEY-1XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
        'SOPS_AGE_KEY=${SOPS_AGE_KEY}',
      ],
    },
    references: ['https://github.com/C2SP/C2SP/blob/main/age.md'],
  },
]);
