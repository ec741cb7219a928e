import { looksLikePlaceholder, shannonEntropy } from '../checks.js';
import { ALPHABETS } from '../random.js';
import { defineDetectors, type RandomSource } from '../types.js';

/**
 * Credentials in well-known configuration files (~/.aws/credentials, service-account JSON,
 * ~/.docker/config.json, .npmrc (_authToken of non-npm registries), .pypirc, .netrc, .git-credentials, Maven settings.xml,
 * gradle.properties, kubeconfig, .s3cfg, rclone.conf, .boto, composer auth.json).
 *
 * These detectors do not use `path`: files are often copied or embedded under other names
 * (CI variables, Dockerfiles, Helm values), so each pattern is anchored on the file's own
 * structure instead (INI sections, XML elements, JSON keys) to stay precise.
 */

const B64END = String.raw`(?:[^A-Za-z0-9+/=]|$)`;
/** A line inside an INI section (not a new `[section]` header). */
const INI_LINE = String.raw`[ \t]*(?:[^\[\s][^\n]{0,300})?\r?\n`;

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Decodes base64 to printable ASCII, or undefined. */
function decodeBase64Text(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 === 1) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (!/^[\x20-\x7e]+$/.test(decoded)) return undefined;
  return decoded;
}

/** `base64(user:password)` with a real-looking, non-empty password. */
function basicAuthValid(value: string): boolean {
  const decoded = decodeBase64Text(value);
  if (!decoded) return false;
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const password = decoded.slice(colon + 1);
  if (password.length < 4) return false;
  return !looksLikePlaceholder(password) && !looksLikePlaceholder(decoded.slice(0, colon) || 'x');
}

/** A password-like value: not a placeholder or reference, and not a single repeated word. */
function passwordValid(value: string): boolean {
  if (looksLikePlaceholder(value)) return false;
  if (/^\{[A-Za-z0-9+/=]+\}$/.test(value)) return false; // Maven-encrypted {…}
  return shannonEntropy(value) >= 2.5;
}

function randomBasicAuth(r: RandomSource): string {
  return base64(`${r.chars('abcdefghijklmnopqrstuvwxyz', 6)}:${r.chars(ALPHABETS.alnum, 20)}`);
}

function pem(r: RandomSource): string {
  const body = `MIIEowIBAAKCAQEA${r.chars(ALPHABETS.b64, 1576)}`;
  return `-----BEGIN RSA PRIVATE KEY-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END RSA PRIVATE KEY-----\n`;
}

export default defineDetectors([
  // ─── Cloud provider credential files ─────────────────────────────────────
  {
    id: 'aws-credentials-file',
    title: 'AWS shared credentials file (key pair)',
    category: 'cloud',
    keywords: ['aws_access_key_id'],
    // ~/.aws/credentials (and .boto): `aws_access_key_id = …` followed within the same
    // section by `aws_secret_access_key = …`. The key ID is the handle.
    pattern: String.raw`aws_access_key_id[ \t]*=[ \t]*(?<handle>[A-Z0-9]{20})[ \t]*\r?\n(?:${INI_LINE}){0,8}?[ \t]*aws_secret_access_key[ \t]*=[ \t]*(?<secret>[A-Za-z0-9/+]{40})${B64END}`,
    multiline: true,
    entropy: 3.5,
    validate: (s) => /[a-z]/.test(s) && /[A-Z]/.test(s),
    severity: 'critical',
    examples: {
      positive: [
        '[default]\naws_access_key_id = AKIA{{upper:16}}\naws_secret_access_key = {{b64:40}}\n',
        '[profile-ci]\naws_access_key_id=ASIA{{upper:16}}\nregion=us-east-1\naws_secret_access_key={{b64:40}}\naws_session_token={{b64:300}}\n',
        '[Credentials]\naws_access_key_id = AKIA{{upper:16}}\r\naws_secret_access_key = {{b64:40}}\r\n',
      ],
      negative: [
        '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
        '[default]\naws_access_key_id = AKIA{{upper:16}}\n',
        '[default]\naws_access_key_id = AKIA{{upper:16}}\n[other]\naws_secret_access_key = {{b64:40}}\n',
        '[default]\naws_access_key_id = AKIA{{upper:16}}\naws_secret_access_key = {{hex:40}}\n',
      ],
    },
    references: ['https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html'],
  },
  {
    id: 'gcp-service-account-key',
    title: 'Google Cloud service account private key (JSON key file)',
    category: 'cloud',
    keywords: ['private_key'],
    // One JSON line, the PEM newlines written as `\n`. `multiline` only widens the window:
    // a 2048-bit key is longer than the default window around the keyword.
    pattern: String.raw`["']private_key["']\s*:\s*["'](?<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----\\n(?:[A-Za-z0-9+/=]{40,80}\\n){2,1000}(?:[A-Za-z0-9+/=]{1,80}\\n)?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)["']`,
    multiline: true,
    prefixLength: 27,
    filterPlaceholders: false,
    validate: (s) => {
      const body = s.replace(/-----[A-Z ]+-----/g, '').replace(/\\n/g, '');
      return body.length >= 64 && !/EXAMPLE|xxxxxxxx/.test(body) && shannonEntropy(body) >= 4.5;
    },
    severity: 'critical',
    examples: {
      positive: [
        '{\n  "type": "service_account",\n  "project_id": "acme-prod",\n  "private_key_id": "{{hex:40}}",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC{{b64:32}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:28}}\\n-----END PRIVATE KEY-----\\n",\n  "client_email": "deployer@acme-prod.iam.gserviceaccount.com"\n}',
        "creds = {'type': 'service_account', 'private_key': '-----BEGIN PRIVATE KEY-----\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:40}}==\\n-----END PRIVATE KEY-----\\n'}",
        'GOOGLE_CREDENTIALS={"type":"service_account","private_key":"-----BEGIN RSA PRIVATE KEY-----\\n{{b64:64}}\\n{{b64:64}}\\n{{b64:64}}\\n-----END RSA PRIVATE KEY-----\\n","client_email":"x@y.iam.gserviceaccount.com"}',
      ],
      negative: [
        '"private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"',
        '"private_key": "<your private key>"',
        '"private_key_id": "{{hex:40}}"',
        '"private_key": "${GCP_PRIVATE_KEY}"',
      ],
    },
    references: ['https://cloud.google.com/iam/docs/keys-create-delete'],
  },
  {
    id: 's3cfg-secret-key',
    title: 's3cmd configuration secret key (.s3cfg)',
    category: 'cloud',
    keywords: ['access_key'],
    // s3cmd writes its options sorted: `access_key` near the top, `secret_key` further down.
    pattern: String.raw`(?:^|\n)[ \t]*access_key[ \t]*=[ \t]*(?<handle>[A-Za-z0-9_-]{16,40})[ \t]*\r?\n(?:${INI_LINE}){0,120}?[ \t]*secret_key[ \t]*=[ \t]*(?<secret>[A-Za-z0-9/+_-]{30,64})(?:[^A-Za-z0-9/+=_-]|$)`,
    multiline: true,
    entropy: 3.5,
    severity: 'critical',
    examples: {
      positive: [
        '[default]\naccess_key = AKIA{{upper:16}}\naccess_token = \nadd_encoding_exts = \nbucket_location = US\nhost_base = s3.amazonaws.com\nsecret_key = {{b64:40}}\nsignature_v2 = False\n',
        '[default]\naccess_key = {{alnum:20}}\nhost_base = nyc3.digitaloceanspaces.com\nsecret_key = {{b64:43}}\n',
        '[default]\naccess_key={{upper:20}}\r\nsecret_key={{b64url:40}}\r\n',
      ],
      negative: [
        '[default]\naccess_key = AKIAIOSFODNN7EXAMPLE\nsecret_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
        '[default]\naccess_key = {{upper:20}}\nsecret_key = \n',
        '[default]\naccess_key = {{upper:20}}\n[other]\nsecret_key = {{b64:40}}\n',
      ],
    },
    references: ['https://s3tools.org/kb/item14.htm'],
  },
  {
    id: 'boto-gcs-hmac-secret',
    title: 'Google Cloud Storage HMAC secret (.boto)',
    category: 'cloud',
    keywords: ['gs_secret_access_key'],
    pattern: String.raw`gs_secret_access_key[ \t]*=[ \t]*(?<secret>[A-Za-z0-9/+]{40})${B64END}`,
    entropy: 3.5,
    validate: (s) => /[a-z]/.test(s) && /[A-Z]/.test(s),
    severity: 'critical',
    examples: {
      positive: [
        '[Credentials]\ngs_access_key_id = GOOG1E{{upper:55}}\ngs_secret_access_key = {{b64:40}}\n',
        'gs_secret_access_key={{b64:40}}',
        '  gs_secret_access_key = {{b64:40}}\n',
      ],
      negative: ['gs_secret_access_key = <secret>', 'gs_secret_access_key = {{hex:40}}', 'gs_secret_access_key = ${GS_SECRET}'],
    },
    references: ['https://cloud.google.com/storage/docs/boto-gsutil'],
  },
  {
    id: 'rclone-config-password',
    title: 'rclone remote password (obscured, reversible)',
    category: 'cloud',
    keywords: ['type = '],
    // rclone.conf: `[remote]` / `type = sftp` / … / `pass = <obscured>`. "Obscured" is
    // base64url(IV + AES-CTR ciphertext) under a fixed, public key: it is the password.
    pattern: String.raw`(?:^|\n)[ \t]*type = [\w-]{2,32}[ \t]*\r?\n(?:${INI_LINE}){0,30}?[ \t]*(?:pass|password|password2|sse_customer_key)[ \t]*=[ \t]*(?<secret>[A-Za-z0-9_-]{22,400})[ \t]*(?:\r?\n|$)`,
    multiline: true,
    entropy: 3.5,
    severity: 'high',
    examples: {
      positive: [
        '[backup]\ntype = sftp\nhost = backup.acme.internal\nuser = deploy\npass = {{b64url:43}}\n',
        '[nas]\ntype = smb\nhost = 10.0.0.5\nuser = admin\npass = {{b64url:30}}\n',
        '[secret]\ntype = crypt\nremote = s3:bucket/enc\npassword = {{b64url:64}}\npassword2 = {{b64url:64}}\n',
      ],
      negative: [
        '[backup]\ntype = sftp\nhost = backup.acme.internal\nkey_file = ~/.ssh/id_ed25519\n',
        '[backup]\ntype = sftp\nuser = deploy\npass = \n',
        '[a]\ntype = sftp\n[b]\npass = {{b64url:43}}\n',
      ],
    },
    references: ['https://rclone.org/commands/rclone_obscure/'],
  },
  {
    id: 'kubeconfig-client-key-data',
    title: 'Kubernetes kubeconfig client private key (client-key-data)',
    category: 'cloud',
    keywords: ['client-key-data'],
    // base64 of a PEM private key ("-----BEGIN" is "LS0tLS1CRUdJTi" in base64).
    pattern: String.raw`client-key-data[ \t]*[:=][ \t]*["']?(?<secret>LS0tLS1CRUdJTi[A-Za-z0-9+/]{100,20000}={0,2})${B64END}`,
    // A single line, longer than the default window around the keyword.
    multiline: true,
    prefixLength: 14,
    validate: (s) => {
      const decoded = Buffer.from(s, 'base64').toString('latin1');
      return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(decoded) && shannonEntropy(s) >= 4.5;
    },
    generate: (r) => base64(pem(r)),
    severity: 'critical',
    examples: {
      positive: [
        'users:\n- name: admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{{b64:200}}\n    client-key-data: {{gen}}\n',
        '    client-key-data: "{{gen}}"',
        'client-key-data: {{gen}}',
      ],
      negative: [
        'client-key-data: LS0tLS1CRUdJTi{{b64:20}}',
        'client-key-data: <base64-encoded-key>',
        'client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{{b64:200}}',
        'client-key-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{{b64:200}}', // a certificate, not a key
      ],
    },
    references: ['https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/'],
  },
  {
    id: 'kubeconfig-user-token',
    title: 'Kubernetes kubeconfig user bearer token',
    category: 'cloud',
    keywords: ['user:'],
    pattern: String.raw`(?:^|\n)[ \t]*(?:-[ \t]+)?user:[ \t]*\r?\n(?:[ \t]+[\w-]+:[^\n]{0,300}\r?\n){0,6}?[ \t]+token:[ \t]*["']?(?<secret>[A-Za-z0-9._~+/=-]{20,4096})["']?[ \t]*(?:\r?\n|$)`,
    multiline: true,
    entropy: 3.5,
    severity: 'high',
    examples: {
      positive: [
        'users:\n- name: ci\n  user:\n    token: {{b64url:64}}\n',
        'users:\n- name: bootstrap\n  user:\n    token: "{{lower:6}}.{{lower:16}}"\n',
        '- name: admin\n  user:\n    client-certificate: /etc/k8s/admin.crt\n    token: {{alnum:48}}\n',
      ],
      negative: [
        'users:\n- name: ci\n  user:\n    token: ${K8S_TOKEN}\n',
        'users:\n- name: ci\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n',
        'users:\n- name: ci\n  user:\n    exec:\n      command: aws\n',
        'users:\n- name: ci\n  user:\n    token: <token>\n',
      ],
    },
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/authentication/'],
  },

  // ─── Container and package registries ────────────────────────────────────
  {
    id: 'docker-config-auth',
    title: 'Docker registry credentials (config.json auth)',
    category: 'package-registry',
    keywords: ['"auth"'],
    pattern: String.raw`"auth"\s*[:=]\s*"(?<secret>[A-Za-z0-9+/]{8,1000}={0,2})"`,
    filterPlaceholders: false,
    validate: basicAuthValid,
    generate: randomBasicAuth,
    severity: 'high',
    examples: {
      positive: [
        '{\n  "auths": {\n    "https://index.docker.io/v1/": {\n      "auth": "{{gen}}"\n    }\n  }\n}',
        '{"auths":{"registry.acme.io":{"auth":"{{gen}}","email":"ci@acme.io"}}}',
        '        "auth": "{{gen}}"',
      ],
      negative: [
        '{"auths": {"ghcr.io": {"auth": "dXNlcm5hbWU6cGFzc3dvcmQ="}}}', // username:password
        '{"auths": {"ghcr.io": {"auth": "{{b64:32}}"}}}', // not user:password
        '{"auths": {"ghcr.io": {}}, "credsStore": "desktop"}',
        '{"auths": {"ghcr.io": {"auth": "dXNlcjo="}}}', // user: (empty password)
      ],
    },
    references: ['https://docs.docker.com/reference/cli/docker/login/#credential-stores'],
  },
  {
    id: 'docker-config-identity-token',
    title: 'Docker registry identity token (config.json)',
    category: 'package-registry',
    keywords: ['"identitytoken"'],
    pattern: String.raw`"identitytoken"\s*:\s*"(?<secret>[A-Za-z0-9._~+/=-]{20,4096})"`,
    ignoreCase: true,
    entropy: 3.5,
    severity: 'high',
    examples: {
      positive: [
        '{"auths": {"acme.azurecr.io": {"auth": "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==", "identitytoken": "{{b64url:120}}"}}}',
        '"identitytoken": "{{alnum:64}}"',
        '      "identityToken": "{{b64:88}}"',
      ],
      negative: ['"identitytoken": ""', '"identitytoken": "<token>"', '"identitytoken": "${TOKEN}"'],
    },
    references: ['https://docs.docker.com/reference/cli/docker/login/'],
  },
  {
    id: 'npmrc-auth-token',
    title: 'npm registry auth token (.npmrc _authToken)',
    category: 'package-registry',
    keywords: ['_authtoken'],
    pattern: String.raw`_authToken[ \t]*=[ \t]*["']?(?<secret>[A-Za-z0-9._~+/=:-]{16,2048})(?:[^A-Za-z0-9._~+/=:-]|$)`,
    ignoreCase: true,
    // Any token in an .npmrc is a credential (GitHub Packages, Artifactory, Nexus…). A valid
    // npm_ token is reported by the package-registry detector (its prefix wins the overlap);
    // legacy UUID tokens are left to npm-legacy-token.
    validate: (s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) && shannonEntropy(s) >= 3,
    severity: 'high',
    examples: {
      positive: [
        '//npm.pkg.github.com/:_authToken={{alnum:40}}',
        '//acme.jfrog.io/artifactory/api/npm/npm/:_authToken={{b64:64}}',
        '@acme:registry=https://nexus.acme.io/repository/npm/\n//nexus.acme.io/repository/npm/:_authToken=NpmToken.{{hex:8}}-{{hex:4}}-4{{hex:3}}-a{{hex:3}}-{{hex:12}}',
      ],
      negative: [
        '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
        '//registry.npmjs.org/:_authToken=<token>',
        '//registry.npmjs.org/:_authToken=npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        '//registry.npmjs.org/:_authToken={{hex:8}}-{{hex:4}}-4{{hex:3}}-a{{hex:3}}-{{hex:12}}', // legacy npm UUID: npm-legacy-token
        '//npm.pkg.github.com/:_authToken=$NODE_AUTH_TOKEN',
      ],
    },
    references: ['https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration'],
  },
  {
    id: 'pypirc-password',
    title: 'Python package index password (.pypirc)',
    category: 'package-registry',
    keywords: ['repository'],
    // A .pypirc section: `repository = <url>`, then `username`, then `password`.
    pattern: String.raw`(?:^|\n)[ \t]*repository[ \t]*[:=][ \t]*https?://[^\s]{1,200}[ \t]*\r?\n(?:${INI_LINE}){0,4}?[ \t]*password[ \t]*[:=][ \t]*(?<secret>[^\s]{6,300})[ \t]*(?:\r?\n|$)`,
    multiline: true,
    validate: passwordValid,
    severity: 'high',
    examples: {
      positive: [
        '[distutils]\nindex-servers =\n    internal\n\n[internal]\nrepository = https://nexus.acme.io/repository/pypi-internal/\nusername = deploy\npassword = {{alnum:24}}\n',
        '[testpypi]\nrepository: https://test.pypi.org/legacy/\nusername: jdoe\npassword: {{b64:32}}\n',
        '[gitlab]\nrepository = https://gitlab.com/api/v4/projects/42/packages/pypi\nusername = __token__\npassword = {{b64url:20}}\n',
      ],
      negative: [
        '[pypi]\nrepository = https://upload.pypi.org/legacy/\nusername = __token__\npassword = <your token>\n',
        '[pypi]\nrepository = https://upload.pypi.org/legacy/\nusername = jdoe\npassword = ${PYPI_PASSWORD}\n',
        '[pypi]\nrepository = https://upload.pypi.org/legacy/\nusername = jdoe\n',
      ],
    },
    references: ['https://packaging.python.org/en/latest/specifications/pypirc/'],
  },
  {
    id: 'maven-settings-password',
    title: 'Maven settings.xml server password',
    category: 'package-registry',
    keywords: ['<username>'],
    // `<server>` entries: `<username>…</username>` then `<password>…</password>`. Values
    // from `${env.X}` and Maven-encrypted `{…}` passwords are not findings.
    pattern: String.raw`<username>[^<\n]{1,200}</username>\s{0,200}<password>[ \t]*(?<secret>[^<{$\s][^<\s]{3,300})[ \t]*</password>`,
    multiline: true,
    validate: passwordValid,
    severity: 'high',
    examples: {
      positive: [
        '<servers>\n  <server>\n    <id>nexus-releases</id>\n    <username>deployment</username>\n    <password>{{alnum:20}}</password>\n  </server>\n</servers>',
        '<server><id>ossrh</id><username>jdoe</username><password>{{b64:24}}</password></server>',
        '<server>\n  <id>github</id>\n  <username>ci-bot</username>\n  <password>{{b64url:40}}</password>\n</server>',
      ],
      negative: [
        '<server>\n  <id>ossrh</id>\n  <username>${env.OSSRH_USER}</username>\n  <password>${env.OSSRH_PASSWORD}</password>\n</server>',
        '<server>\n  <id>ossrh</id>\n  <username>jdoe</username>\n  <password>{COQLCE6DU6GtcS5P=}</password>\n</server>',
        '<server>\n  <id>ossrh</id>\n  <username>jdoe</username>\n  <password>changeme</password>\n</server>',
      ],
    },
    references: ['https://maven.apache.org/settings.html#servers', 'https://maven.apache.org/guides/mini/guide-encryption.html'],
  },
  {
    id: 'gradle-properties-credential',
    title: 'Gradle properties repository or signing credential',
    category: 'package-registry',
    keywords: ['ossrh', 'sonatype', 'mavencentral', 'nexus', 'artifactory', 'bintray', 'signing.password', 'gpr.', 'proxypassword', 'repopassword'],
    // gradle.properties lines (`name=value`, no quotes) such as `ossrhPassword=…`,
    // `mavenCentralPassword=…`, `signing.password=…`, `systemProp.http.proxyPassword=…`.
    pattern: String.raw`^[ \t]*(?:systemProp\.)?[\w.-]{0,40}(?:ossrh|sonatype|mavenCentral|nexus|artifactory|bintray|signing\.|gpr\.|proxy|repo)[\w.-]{0,20}(?:password|key|token)[ \t]*[=:][ \t]*(?<secret>[^\s"'\x60]{6,300})[ \t]*$`,
    ignoreCase: true,
    validate: passwordValid,
    severity: 'high',
    examples: {
      positive: ['ossrhPassword={{alnum:20}}', 'mavenCentralPassword={{b64:32}}', 'signing.password={{alnum:16}}', 'systemProp.https.proxyPassword={{alnum:14}}'],
      negative: ['ossrhPassword=${OSSRH_PASSWORD}', 'signing.keyId={{HEX:8}}', 'ossrhUsername=jdoe', 'nexusPassword=changeme'],
    },
    references: ['https://docs.gradle.org/current/userguide/build_environment.html#sec:gradle_configuration_properties'],
  },
  {
    id: 'composer-auth-http-basic',
    title: 'Composer auth.json http-basic password',
    category: 'package-registry',
    keywords: ['http-basic'],
    pattern: String.raw`"http-basic"\s*:\s*\{\s{0,100}"[^"\n]{1,200}"\s*:\s*\{\s{0,100}"username"\s*:\s*"[^"\n]{1,200}"\s*,\s{0,100}"password"\s*:\s*"(?<secret>[^"\n]{4,500})"`,
    multiline: true,
    validate: passwordValid,
    severity: 'high',
    examples: {
      positive: [
        '{\n  "http-basic": {\n    "repo.packagist.com": {\n      "username": "token",\n      "password": "{{hex:40}}"\n    }\n  }\n}',
        '{"http-basic": {"satis.acme.io": {"username": "ci", "password": "{{alnum:24}}"}}}',
        'COMPOSER_AUTH=\'{"http-basic": {"repo.acme.io": {"username": "deploy", "password": "{{b64:30}}"}}}\'',
      ],
      negative: [
        '{"http-basic": {"repo.acme.io": {"username": "ci", "password": "${COMPOSER_PASSWORD}"}}}',
        '{"http-basic": {"repo.acme.io": {"username": "ci", "password": "<password>"}}}',
        '{"http-basic": {}}',
      ],
    },
    references: ['https://getcomposer.org/doc/articles/authentication-for-private-packages.md#http-basic'],
  },

  // ─── Generic login files ─────────────────────────────────────────────────
  {
    id: 'netrc-password',
    title: '.netrc machine password',
    category: 'auth',
    keywords: ['machine'],
    // `machine <host> login <user> password <secret>`, on one line or several.
    pattern: String.raw`\bmachine\s{1,20}(?<handle>[\w.:-]{1,253})\s{1,20}login\s{1,20}[^\s]{1,200}\s{1,20}password\s{1,20}(?<secret>[^\s]{4,500})`,
    multiline: true,
    // Heroku and other CLIs store UUID tokens here: keep UUIDs, drop placeholders.
    filterPlaceholders: false,
    validate: (s) => passwordValid(s) && !looksLikePlaceholder(s),
    severity: 'high',
    examples: {
      positive: [
        'machine api.heroku.com\n  login jdoe@acme.io\n  password {{hex:8}}-{{hex:4}}-4{{hex:3}}-b{{hex:3}}-{{hex:12}}\n',
        'machine ftp.acme.io login deploy password {{alnum:16}}',
        'machine github.com\nlogin ci-bot\npassword {{b64url:40}}\n',
      ],
      negative: [
        'machine api.heroku.com login jdoe@acme.io password ${HEROKU_API_KEY}',
        'machine example.com login user password <password>', // nhi:allow (a negative example)
        'default login anonymous password user@example.com',
        'admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/', // .htpasswd entries are hashes
      ],
    },
    references: ['https://everything.curl.dev/usingcurl/netrc.html'],
  },
  {
    id: 'git-credentials-url',
    title: 'Git credential store entry (.git-credentials)',
    category: 'scm',
    keywords: ['https://', 'http://'],
    // A line that is only `https://user:token@host` (the `store` helper's file format).
    pattern: String.raw`^[ \t]*https?://[^\s:/@]{1,200}:(?<secret>[^\s:/@]{8,500})@[\w.-]{1,253}(?::\d{1,5})?/?[ \t]*\r?$`,
    validate: passwordValid,
    severity: 'high',
    examples: {
      positive: [
        'https://jdoe:{{alnum:40}}@github.example.com',
        'https://oauth2:{{b64url:26}}@gitlab.acme.io\n',
        'http://ci-bot:{{alnum:32}}@git.internal.acme.io:8080/',
      ],
      negative: [
        'https://jdoe:${GIT_TOKEN}@github.com',
        'git clone https://github.com/acme/app.git',
        'https://user:password@example.com',
        'jdoe:$2y$05$Fx4bU1sXJ1ZyYtoIfhV8DOyuyHoTnn4xJm5B2P6dQnZ8fF8sY4vKm', // .htpasswd bcrypt entry
      ],
    },
    references: ['https://git-scm.com/docs/git-credential-store#_storage_format'],
  },
]);
