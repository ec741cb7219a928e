/**
 * Generated recall/precision corpus for the secret scanner.
 *
 * Nothing in this file is a credential: every fake credential is produced at generation
 * time from a seeded PRNG, so the corpus is the same on every run for a given seed and the
 * repository never holds a literal secret. `generateCorpus` writes a small "monorepo" of
 * realistic files (many languages and config formats) with credentials planted in them,
 * plus decoy files full of look-alikes that a good scanner must stay silent on.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { githubTokenWithChecksum } from '../../src/detectors/checks.js';
import { ALPHABETS, seededRandom } from '../../src/detectors/random.js';
import type { RandomSource } from '../../src/detectors/types.js';

export interface PlantedSecret {
  /** Relative to the corpus root, POSIX separators. */
  path: string;
  /** 1-based line on which `value` starts. */
  line: number;
  /** Credential format id (corpus vocabulary, not necessarily a detector id). */
  format: string;
  /** The credential exactly as written in the file (may span lines for PEM keys). */
  value: string;
}

export interface CorpusManifest {
  planted: PlantedSecret[];
  /** Files that hold no planted credential at all, only look-alikes. */
  decoyFiles: string[];
}

export const DEFAULT_SEED = 0x6e6869; // "nhi"

// ---------------------------------------------------------------------------------------------
// Documents with tracked secrets
// ---------------------------------------------------------------------------------------------

class Secret {
  constructor(
    readonly format: string,
    readonly value: string,
  ) {}
}

interface Mark {
  format: string;
  value: string;
  offset: number;
}

class Doc {
  constructor(
    readonly text: string,
    readonly marks: readonly Mark[],
  ) {}
}

type Part = string | number | Secret | Doc | readonly Part[];

/** Tagged template: interpolated `Secret`s are recorded with their offsets. */
function t(strings: TemplateStringsArray, ...parts: Part[]): Doc {
  let text = '';
  const marks: Mark[] = [];
  const add = (p: Part): void => {
    if (p instanceof Secret) {
      marks.push({ format: p.format, value: p.value, offset: text.length });
      text += p.value;
    } else if (p instanceof Doc) {
      for (const m of p.marks) marks.push({ ...m, offset: m.offset + text.length });
      text += p.text;
    } else if (Array.isArray(p)) {
      for (const q of p as readonly Part[]) add(q);
    } else {
      text += String(p);
    }
  };
  strings.forEach((s, i) => {
    text += s;
    if (i < parts.length) add(parts[i]!);
  });
  return new Doc(text, marks);
}

class CorpusWriter {
  readonly planted: PlantedSecret[] = [];
  readonly decoyFiles: string[] = [];
  private readonly paths = new Set<string>();

  constructor(private readonly dir: string) {}

  private write(path: string, text: string): void {
    if (this.paths.has(path)) throw new Error(`corpus: ${path} written twice`);
    this.paths.add(path);
    const full = join(this.dir, ...path.split('/'));
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }

  /** A file that holds planted credentials (and usually some decoy lines too). */
  plant(path: string, doc: Doc): void {
    if (doc.marks.length === 0) throw new Error(`corpus: ${path} has nothing planted`);
    this.write(path, doc.text);
    const lines = new Set<number>();
    for (const m of doc.marks) {
      if (doc.text.slice(m.offset, m.offset + m.value.length) !== m.value) throw new Error(`corpus: bad offset in ${path}`);
      let line = 1;
      for (let i = doc.text.indexOf('\n'); i !== -1 && i < m.offset; i = doc.text.indexOf('\n', i + 1)) line++;
      if (lines.has(line)) throw new Error(`corpus: two planted values on ${path}:${line}`);
      lines.add(line);
      this.planted.push({ path, line, format: m.format, value: m.value });
    }
  }

  /** A file with no planted credential: only look-alikes. */
  decoy(path: string, content: string | Doc): void {
    const text = typeof content === 'string' ? content : content.text;
    if (typeof content !== 'string' && content.marks.length > 0) throw new Error(`corpus: decoy ${path} holds a planted value`);
    this.write(path, text);
    this.decoyFiles.push(path);
  }
}

// ---------------------------------------------------------------------------------------------
// Random values
// ---------------------------------------------------------------------------------------------

const AWS_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BECH32_UPPER = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PASSWORD_ALPHABET = `${ALPHABETS.alnum}!*-_.@`;
const OKTA_SECRET_ALPHABET = `${ALPHABETS.alnum}-_`;
const AZURE_SECRET_ALPHABET = `${ALPHABETS.alnum}_~.-`;

/** Rejects draws that a scanner would (rightly) take for a placeholder or that read as words. */
const STRICT_REJECT = /x{3}|example|test|fake|dummy|sample|secret|token|passw|abcd|1234|(.)\1\1/i;
/** For long encoded bodies (keys, blobs): structured binary legitimately has runs like `AAAA`. */
const LOOSE_REJECT = /x{4}|example|test|fake|dummy|sample|0{10}|_{6}|-{6}|\*{4}|\.{4}/i;

class Gen {
  constructor(private readonly r: RandomSource) {}

  int(n: number): number {
    return this.r.int(n);
  }

  range(lo: number, hi: number): number {
    return lo + this.r.int(hi - lo + 1);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.r.int(xs.length)]!;
  }

  /** Unfiltered draw (short values that need no cleaning, e.g. colours). */
  raw(alphabet: string, n: number): string {
    return this.r.chars(alphabet, n);
  }

  chars(alphabet: string, n: number): string {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('corpus: random draw rejected 10000 times (filter too strict)');
      const s = this.r.chars(alphabet, n);
      if (!STRICT_REJECT.test(s)) return s;
    }
  }

  hex = (n: number): string => this.chars(ALPHABETS.hex, n);
  alnum = (n: number): string => this.chars(ALPHABETS.alnum, n);
  upper = (n: number): string => this.chars(ALPHABETS.upper, n);
  lower = (n: number): string => this.chars(ALPHABETS.lower, n);
  alpha = (n: number): string => this.chars(ALPHABETS.alpha, n);
  b64url = (n: number): string => this.chars(ALPHABETS.b64url, n);
  b64 = (n: number): string => this.chars(ALPHABETS.b64, n);

  /** Digits, first one non-zero (ids, ports of account numbers). */
  digits(n: number): string {
    return String(1 + this.r.int(9)) + this.chars(ALPHABETS.digits, n - 1);
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.r.int(256);
    return b;
  }

  /** Random bytes whose base64 reads as noise (redrawn if it spells a placeholder word). */
  noiseBytes(n: number, encoding: 'base64' | 'base64url' = 'base64'): Buffer {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('corpus: random draw rejected 10000 times (filter too strict)');
      const b = this.bytes(n);
      if (!LOOSE_REJECT.test(b.toString(encoding))) return b;
    }
  }

  /** Base64 of `prefix` followed by random bytes, redrawn until the encoding reads as noise. */
  der(prefix: number[], total: number): Buffer {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('corpus: random draw rejected 10000 times (filter too strict)');
      const b = Buffer.concat([Buffer.from(prefix), this.bytes(total - prefix.length)]);
      if (!LOOSE_REJECT.test(b.toString('base64'))) return b;
    }
  }

  /** A password of distinct characters (maximal entropy for its length), starting alphanumeric. */
  password(n: number, alphabet = PASSWORD_ALPHABET): string {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('corpus: random draw rejected 10000 times (filter too strict)');
      const pool = [...alphabet];
      let out = '';
      for (let i = 0; i < n; i++) {
        const from = i === 0 ? pool.filter((c) => /[A-Za-z0-9]/.test(c)) : pool;
        const c = from[this.r.int(from.length)]!;
        out += c;
        pool.splice(pool.indexOf(c), 1);
      }
      if (/[a-z]/.test(out) && /[A-Z]/.test(out) && /[0-9]/.test(out) && !STRICT_REJECT.test(out)) return out;
    }
  }

  uuid(): string {
    const h = this.r.chars(ALPHABETS.hex, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.r.int(4)]}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

function b64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

function pemBlock(label: string, der: Buffer, width = 64): string {
  return [`-----BEGIN ${label}-----`, ...wrap(der.toString('base64'), width), `-----END ${label}-----`].join('\n');
}

function sshString(data: string | Buffer): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Fake credentials, one fresh value per call, each tagged with its corpus format id. */
function makeFakes(g: Gen) {
  const S = (format: string, value: string): Secret => new Secret(format, value);
  const pw = (n: number) => g.password(n, ALPHABETS.alnum);
  const jwt = (sub: string, aud: string): string => {
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const iat = 1714000000 + g.int(20_000_000);
    const payload = b64url(
      JSON.stringify({ sub, iss: 'https://auth.acme-corp.io', aud, iat, exp: iat + 31_536_000, jti: g.hex(16), scope: 'deploy:write releases:read' }),
    );
    const signature = createHmac('sha256', g.bytes(32)).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  };
  const rsaDer = () => g.der([0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00], 0x4a4 + 4);
  const pkcs8Der = () =>
    g.der(
      [0x30, 0x82, 0x04, 0xbe, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        0x04, 0x82, 0x04, 0xa8, 0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00],
      0x4be + 4,
    );
  const ecDer = (): Buffer => {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('corpus: random draw rejected 10000 times (filter too strict)');
      const b = Buffer.concat([
        Buffer.from([0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20]),
        g.bytes(32),
        Buffer.from([0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42, 0x00, 0x04]),
        g.bytes(64),
      ]);
      if (!LOOSE_REJECT.test(b.toString('base64'))) return b;
    }
  };
  const opensshEd25519 = (comment: string): Buffer => {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('corpus: random draw rejected 10000 times (filter too strict)');
      const pub = g.bytes(32);
      const check = g.bytes(4);
      const pubBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
      let priv = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([g.bytes(32), pub])), sshString(comment)]);
      const pad: number[] = [];
      for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
      priv = Buffer.concat([priv, Buffer.from(pad)]);
      const blob = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), u32(1), sshString(pubBlob), sshString(priv)]);
      if (!LOOSE_REJECT.test(blob.toString('base64'))) return blob;
    }
  };
  const sentryPayload = (): string => {
    const iat = 1712000000 + g.int(30_000_000);
    const json = JSON.stringify({ iat: Number(`${iat}.${g.range(100000, 999999)}`), url: 'https://sentry.io', region_url: 'https://us.sentry.io', org: 'acme-corp' });
    return Buffer.from(json).toString('base64');
  };
  const sasSig = () => encodeURIComponent(g.noiseBytes(32).toString('base64'));

  return {
    awsKeyId: () => S('aws-access-key-id', `AKIA${g.chars(AWS_ID_ALPHABET, 16)}`),
    awsSecret: () => S('aws-secret-access-key', g.b64(40)),
    gcpApiKey: () => S('gcp-api-key', `AIzaSy${g.b64url(33)}`),
    /** JSON-escaped PEM, exactly as it sits in a service-account file's `private_key`. */
    gcpServiceAccountKey: () => S('gcp-service-account-key', `${pemBlock('PRIVATE KEY', pkcs8Der()).split('\n').join('\\n')}\\n`),
    azureStorageKey: () => S('azure-storage-account-key', g.noiseBytes(64).toString('base64')),
    azureSasSig: () => S('azure-sas-token', sasSig()),
    azureAdClientSecret: () => S('azure-ad-client-secret', `${g.chars(`${ALPHABETS.alnum}_~.`, 3)}${g.pick(['7', '8'])}Q~${g.chars(AZURE_SECRET_ALPHABET, 34)}`),
    ghp: () => S('github-pat-classic', githubTokenWithChecksum('ghp_', g.alnum(30))),
    gho: () => S('github-oauth-token', githubTokenWithChecksum('gho_', g.alnum(30))),
    ghs: () => S('github-app-token', githubTokenWithChecksum('ghs_', g.alnum(30))),
    githubFineGrained: () => S('github-fine-grained-pat', `github_pat_11${g.upper(20)}_${g.alnum(59)}`),
    glpat: () => S('gitlab-pat', `glpat-${g.chars(`${ALPHABETS.alnum}_-`, 20)}`),
    npm: () => S('npm-token', githubTokenWithChecksum('npm_', g.alnum(30))),
    pypi: () => S('pypi-token', `pypi-AgEIcHlwaS5vcmcCJ${g.b64url(150)}`),
    openai: () => S('openai-api-key', `sk-proj-${g.b64url(74)}T3BlbkFJ${g.b64url(74)}`),
    anthropic: () => S('anthropic-api-key', `sk-ant-api03-${g.b64url(93)}AA`),
    huggingface: () => S('huggingface-token', `hf_${g.alpha(34)}`),
    sendgrid: () => S('sendgrid-api-key', `SG.${g.b64url(22)}.${g.b64url(43)}`),
    /** The secret half of a Twilio API key (the `SK…` key SID beside it is a public identifier). */
    twilioApiKeySecret: () => S('twilio-api-key-secret', g.alnum(32)),
    twilioAuthToken: () => S('twilio-auth-token', g.hex(32)),
    datadog: () => S('datadog-api-key', g.hex(32)),
    newrelic: () => S('newrelic-user-api-key', `NRAK-${g.upper(27)}`),
    sentry: () => S('sentry-org-token', `sntrys_${sentryPayload()}_${g.alnum(43)}`),
    shopify: () => S('shopify-access-token', `shpat_${g.hex(32)}`),
    digitalocean: () => S('digitalocean-token', `dop_v1_${g.hex(64)}`),
    vault: () => S('vault-token', `hvs.CAESI${g.b64url(86)}`),
    doppler: () => S('doppler-token', `dp.pt.${g.alnum(43)}`),
    databricks: () => S('databricks-token', `dapi${g.hex(32)}`),
    linear: () => S('linear-api-key', `lin_api_${g.alnum(40)}`),
    notion: () => S('notion-token', `ntn_${g.digits(11)}${g.alnum(35)}`),
    telegram: () => S('telegram-bot-token', `${g.range(5, 7)}${g.chars(ALPHABETS.digits, 9)}:AA${g.b64url(33)}`),
    discordWebhook: () => S('discord-webhook', `https://discord.com/api/webhooks/${g.digits(19)}/${g.b64url(68)}`),
    slackBot: () => S('slack-bot-token', `xoxb-${g.digits(12)}-${g.digits(13)}-${g.alnum(24)}`),
    slackUser: () => S('slack-user-token', `xoxp-${g.digits(12)}-${g.digits(12)}-${g.digits(13)}-${g.hex(32)}`),
    slackWebhook: () => S('slack-webhook', `https://hooks.slack.com/services/T${g.upper(8)}/B${g.upper(10)}/${g.alnum(24)}`),
    stripeSecret: () => S('stripe-secret-key', `sk_live_51${g.alnum(97)}`),
    stripeRestricted: () => S('stripe-restricted-key', `rk_live_51${g.alnum(97)}`),
    mailchimp: () => S('mailchimp-api-key', `${g.hex(32)}-us${g.range(2, 21)}`),
    jwt: (sub = 'svc-deployer', aud = 'deploy-api') => S('jwt', jwt(sub, aud)),
    rsaKey: () => S('private-key-rsa', pemBlock('RSA PRIVATE KEY', rsaDer())),
    pkcs8Key: () => S('private-key-pkcs8', pemBlock('PRIVATE KEY', pkcs8Der())),
    ecKey: () => S('private-key-ec', pemBlock('EC PRIVATE KEY', ecDer())),
    opensshKey: (comment: string) => S('private-key-openssh', pemBlock('OPENSSH PRIVATE KEY', opensshEd25519(comment), 70)),
    postgresPassword: () => S('postgres-url-password', pw(20)),
    mysqlPassword: () => S('mysql-url-password', pw(20)),
    mongoPassword: () => S('mongodb-url-password', pw(20)),
    redisPassword: () => S('redis-url-password', pw(24)),
    sqlserverPassword: () => S('sqlserver-connection-string', g.password(18)),
    password: () => S('generic-password', g.password(16)),
    apiKey: () => S('generic-api-key', g.alnum(32)),
    clientSecret: () => S('generic-client-secret', g.chars(OKTA_SECRET_ALPHABET, 40)),
    dockerAuth: (user: string) => S('docker-registry-auth', Buffer.from(`${user}:${pw(22)}`).toString('base64')),
    urlPassword: () => S('basic-auth-url', pw(20)),
    netrcPassword: () => S('netrc-password', g.password(24, OKTA_SECRET_ALPHABET)),
    grafana: () => S('grafana-service-account-token', `glsa_${g.alnum(32)}_${g.hex(8)}`),
    postman: () => S('postman-api-key', `PMAK-${g.hex(24)}-${g.hex(34)}`),
    terraformCloud: () => S('terraform-cloud-token', `${g.lower(14)}.atlasv1.${g.alnum(67)}`),
    dockerhub: () => S('dockerhub-pat', `dckr_pat_${g.b64url(27)}`),
    age: () => S('age-secret-key', `AGE-SECRET-KEY-1${g.chars(BECH32_UPPER, 58)}`),
    basicAuthHeader: (user: string) => S('http-basic-auth-header', Buffer.from(`${user}:${pw(20)}`).toString('base64')),
  };
}

type Fakes = ReturnType<typeof makeFakes>;

/** Look-alikes: values with the shape of credentials that are not credentials. */
function makeLookalikes(g: Gen) {
  return {
    sha1: () => g.hex(40),
    sha256: () => g.hex(64),
    shortSha: () => g.hex(7),
    uuid: () => g.uuid(),
    bcrypt: () => `$2b$12$${g.chars(BCRYPT_ALPHABET, 53)}`,
    webpackHash: () => g.hex(8),
    integrity: () => `sha512-${g.noiseBytes(64).toString('base64')}`,
    sri: () => `sha384-${g.noiseBytes(48).toString('base64')}`,
    goSum: () => `h1:${g.noiseBytes(32).toString('base64')}`,
    stripePublishable: () => `pk_live_51${g.alnum(97)}`,
    mapboxPublic: () => `pk.${b64url(JSON.stringify({ u: 'acme-maps', a: g.lower(25) }))}.${g.b64url(22)}`,
    pngDataUri: (n = 180) =>
      `data:image/png;base64,${Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), g.bytes(n)]).toString('base64')}`,
    sshRsaPublic: (comment: string) =>
      `ssh-rsa ${Buffer.concat([sshString('ssh-rsa'), sshString(Buffer.from([1, 0, 1])), sshString(Buffer.concat([Buffer.from([0]), g.bytes(256)]))]).toString('base64')} ${comment}`,
    sshEd25519Public: (comment: string) => `ssh-ed25519 ${Buffer.concat([sshString('ssh-ed25519'), sshString(g.bytes(32))]).toString('base64')} ${comment}`,
    certificate: () => pemBlock('CERTIFICATE', g.der([0x30, 0x82, 0x03, 0x8d, 0x30, 0x82, 0x02, 0x75, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x14], 0x38d + 4)),
    publicKey: () =>
      pemBlock(
        'PUBLIC KEY',
        Buffer.concat([
          g.der([0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00], 33 + 256),
          Buffer.from([0x02, 0x03, 0x01, 0x00, 0x01]),
        ]),
      ),
    sealed: () => Buffer.concat([Buffer.from([0x02, 0x00]), g.bytes(g.range(280, 340))]).toString('base64'),
    colour: () => `#${g.raw(ALPHABETS.hex, 6)}`,
  };
}

type Look = ReturnType<typeof makeLookalikes>;

// ---------------------------------------------------------------------------------------------
// Planted files: application code
// ---------------------------------------------------------------------------------------------

function plantServices(w: CorpusWriter, f: Fakes, l: Look, g: Gen): void {
  // --- Python -------------------------------------------------------------------------------
  w.plant(
    'services/billing/app/settings.py',
    t`"""Django settings for the billing service."""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = os.environ.get("DEBUG", "false").lower() == "true"
ALLOWED_HOSTS = ["billing.acme-corp.io", "localhost"]

# TODO(ops): move to the secret store before the SOC2 audit
DATABASE_URL = "postgres://billing:${f.postgresPassword()}@billing-db.prod.acme-corp.internal:5432/billing"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}

STRIPE_SECRET_KEY = "${f.stripeSecret()}"
STRIPE_PUBLISHABLE_KEY = "${l.stripePublishable()}"
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")

SENDGRID_API_KEY = "${f.sendgrid()}"
DEFAULT_FROM_EMAIL = "billing@acme-corp.io"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
]
BUILD_COMMIT = "${l.sha1()}"
`,
  );

  w.plant(
    'services/billing/app/payments.py',
    t`import os

import stripe
from twilio.rest import Client

# Restricted key: charges:write and refunds:write only.
stripe.api_key = "${f.stripeRestricted()}"

TWILIO_ACCOUNT_SID = os.environ["TWILIO_ACCOUNT_SID"]
TWILIO_API_KEY = "SK${g.hex(32)}"
TWILIO_API_SECRET = "${f.twilioApiKeySecret()}"


def charge(customer_id: str, amount_cents: int, idempotency_key: str) -> stripe.PaymentIntent:
    return stripe.PaymentIntent.create(
        customer=customer_id,
        amount=amount_cents,
        currency="eur",
        idempotency_key=idempotency_key,
    )


def sms_receipt(to: str, body: str) -> None:
    client = Client(TWILIO_API_KEY, TWILIO_API_SECRET, TWILIO_ACCOUNT_SID)
    client.messages.create(to=to, from_=os.environ.get("TWILIO_FROM"), body=body)
`,
  );

  const rsa = f.rsaKey();
  w.plant(
    'services/billing/app/signing.py',
    t`"""Signs invoice PDFs. The key below was pasted here "temporarily" in 2021."""
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

SIGNING_KEY_PEM = b"""${rsa}
"""

VERIFY_CERT_FINGERPRINT = "${l.sha256()}"


def sign(document: bytes) -> bytes:
    key = serialization.load_pem_private_key(SIGNING_KEY_PEM, password=None)
    return key.sign(document, padding.PKCS1v15(), hashes.SHA256())
`,
  );

  w.plant(
    'services/ml/agents/summarize.py',
    t`import os

import anthropic
from notion_client import Client as Notion

ANTHROPIC_API_KEY = "${f.anthropic()}"
NOTION_TOKEN = "${f.notion()}"
NOTION_DATABASE_ID = os.environ.get("NOTION_DATABASE_ID", "")

client = anthropic.Anthropic(api_key=ANTHROPIC_API_KEY)
notion = Notion(auth=NOTION_TOKEN)


def summarize(page_id: str) -> str:
    page = notion.pages.retrieve(page_id=page_id)
    message = client.messages.create(
        model="claude-3-5-sonnet-latest",
        max_tokens=512,
        messages=[{"role": "user", "content": f"Summarize: {page}"}],
    )
    return message.content[0].text
`,
  );

  w.plant(
    'services/search/geo.py',
    t`import requests

GOOGLE_MAPS_API_KEY = "${f.gcpApiKey()}"
GEOCODE_URL = "https://maps.googleapis.com/maps/api/geocode/json"
CACHE_NAMESPACE = "${l.uuid()}"


def geocode(address: str) -> dict:
    response = requests.get(GEOCODE_URL, params={"address": address, "key": GOOGLE_MAPS_API_KEY}, timeout=5)
    response.raise_for_status()
    return response.json()["results"][0]["geometry"]["location"]
`,
  );

  w.plant(
    'scripts/sync-repos.py',
    t`#!/usr/bin/env python3
"""Mirrors every repository of the org into the backup GitLab."""
import os
import subprocess

import requests

GH_TOKEN = os.environ.get("GH_TOKEN") or "${f.gho()}"
ORG = "acme-corp"

for page in range(1, 20):
    repos = requests.get(
        f"https://api.github.com/orgs/{ORG}/repos",
        params={"per_page": 100, "page": page},
        headers={"Authorization": f"token {GH_TOKEN}", "Accept": "application/vnd.github+json"},
        timeout=30,
    ).json()
    if not repos:
        break
    for repo in repos:
        subprocess.run(["git", "clone", "--mirror", repo["clone_url"]], check=True)
`,
  );

  w.plant(
    'scripts/export-slack.py',
    t`#!/usr/bin/env python3
from slack_sdk import WebClient

client = WebClient(token="${f.slackUser()}")
CHANNEL_ID = "C0${g.upper(9)}"

cursor = None
while True:
    result = client.conversations_history(channel=CHANNEL_ID, cursor=cursor, limit=200)
    for message in result["messages"]:
        print(message.get("ts"), message.get("user"), message.get("text", "").replace("\\n", " "))
    cursor = result.get("response_metadata", {}).get("next_cursor")
    if not cursor:
        break
`,
  );

  w.plant(
    'scripts/dashboards.py',
    t`"""Exports Grafana dashboards to JSON so they can be reviewed in pull requests."""
import json
import pathlib

import requests

GRAFANA_URL = "https://grafana.acme-corp.internal"
GRAFANA_TOKEN = "${f.grafana()}"

session = requests.Session()
session.headers["Authorization"] = f"Bearer {GRAFANA_TOKEN}"
for item in session.get(f"{GRAFANA_URL}/api/search", params={"type": "dash-db"}, timeout=30).json():
    dashboard = session.get(f"{GRAFANA_URL}/api/dashboards/uid/{item['uid']}", timeout=30).json()
    pathlib.Path("dashboards", f"{item['uid']}.json").write_text(json.dumps(dashboard, indent=2))
`,
  );

  // --- JavaScript / TypeScript --------------------------------------------------------------
  w.plant(
    'services/api/src/config.ts',
    t`import { z } from 'zod';

const Env = z.object({ PORT: z.coerce.number().default(8080), LOG_LEVEL: z.string().default('info') });
const env = Env.parse(process.env);

export const config = {
  port: env.PORT,
  logLevel: env.LOG_LEVEL,
  mongoUrl: 'mongodb+srv://api-svc:${f.mongoPassword()}@cluster0.${g.lower(5)}.mongodb.net/api?retryWrites=true&w=majority',
  openai: {
    apiKey: '${f.openai()}',
    model: 'gpt-4o-mini',
  },
  anthropic: {
    apiKey: process.env.ANTHROPIC_API_KEY ?? '${f.anthropic()}',
  },
  sessionSecret: process.env.SESSION_SECRET!,
  jwtAudience: 'api.acme-corp.io',
  requestIdHeader: 'x-request-id',
  buildId: '${l.sha1()}',
};
`,
  );

  w.plant(
    'services/api/src/clients/slack.ts',
    t`import { WebClient } from '@slack/web-api';

const SLACK_BOT_TOKEN = '${f.slackBot()}';
const ALERTS_WEBHOOK_URL = '${f.slackWebhook()}';

// Channel ids are not secrets.
export const CHANNELS = { alerts: 'C04${g.upper(7)}', deploys: 'C05${g.upper(7)}' } as const;

export const slack = new WebClient(SLACK_BOT_TOKEN);

export async function postAlert(text: string): Promise<void> {
  await fetch(ALERTS_WEBHOOK_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
}
`,
  );

  w.plant(
    'services/api/src/clients/internal.ts',
    t`import { config } from '../config.js';

export interface Invoice {
  id: string;
  amountCents: number;
}

export async function fetchInvoices(accountId: string): Promise<Invoice[]> {
  const res = await fetch(\`https://billing.acme-corp.internal/v1/accounts/\${accountId}/invoices\`, {
    headers: {
      Authorization: 'Bearer ${f.jwt('svc-api', 'billing-api')}',
      'x-request-id': crypto.randomUUID(),
      'x-build': config.buildId,
    },
  });
  if (!res.ok) throw new Error(\`billing returned \${res.status}\`);
  return (await res.json()) as Invoice[];
}
`,
  );

  w.plant(
    'services/api/src/github.ts',
    t`import { Octokit } from '@octokit/rest';

// Installation token copied from the app settings page while debugging (it expires after an hour, right?)
const octokit = new Octokit({ auth: '${f.ghs()}' });

export async function openIssue(title: string, body: string): Promise<number> {
  const { data } = await octokit.issues.create({ owner: 'acme-corp', repo: 'platform', title, body });
  return data.number;
}
`,
  );

  w.plant(
    'services/api/src/auth/oauth.ts',
    t`import { Issuer } from 'openid-client';

export const oktaClient = {
  issuer: 'https://acme-corp.okta.com/oauth2/default',
  clientId: '0oa${g.alnum(17)}',
  clientSecret: '${f.clientSecret()}',
  redirectUris: ['https://app.acme-corp.io/auth/callback'],
};

export async function client() {
  const issuer = await Issuer.discover(oktaClient.issuer);
  return new issuer.Client({
    client_id: oktaClient.clientId,
    client_secret: oktaClient.clientSecret,
    redirect_uris: oktaClient.redirectUris,
    response_types: ['code'],
  });
}
`,
  );

  w.plant(
    'services/api/src/db.js',
    t`'use strict';

const mysql = require('mysql2/promise');
const Redis = require('ioredis');

const pool = mysql.createPool(
  process.env.MYSQL_URL || 'mysql://reporting:${f.mysqlPassword()}@mysql-reporting.acme-corp.internal:3306/reporting',
);
const redis = new Redis('rediss://default:${f.redisPassword()}@cache-prod.acme-corp.internal:6380/0');

module.exports = { pool, redis };
`,
  );

  // --- Go -----------------------------------------------------------------------------------
  w.plant(
    'services/gateway/internal/config/config.go',
    t`package config

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Fallbacks used when the environment does not provide credentials.
var defaultAWS = aws.Credentials{
	AccessKeyID:     "${f.awsKeyId()}",
	SecretAccessKey: "${f.awsSecret()}",
	Source:          "gateway-defaults",
}

const mapsAPIKey = "${f.gcpApiKey()}"

type Config struct {
	Region     string
	MapsAPIKey string
	Creds      aws.Credentials
}

func Load() Config {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "eu-west-1"
	}
	return Config{Region: region, MapsAPIKey: mapsAPIKey, Creds: defaultAWS}
}
`,
  );

  w.plant(
    'services/gateway/cmd/notify/main.go',
    t`package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

const telegramBotToken = "${f.telegram()}"
const discordWebhook = "${f.discordWebhook()}"

func main() {
	text := os.Args[1]
	chatID := os.Getenv("TELEGRAM_CHAT_ID")
	url := fmt.Sprintf("https://api.telegram.org/bot%s/sendMessage", telegramBotToken)
	body, _ := json.Marshal(map[string]string{"chat_id": chatID, "text": text})
	http.Post(url, "application/json", bytes.NewReader(body))
	payload, _ := json.Marshal(map[string]string{"content": text})
	http.Post(discordWebhook, "application/json", bytes.NewReader(payload))
}
`,
  );

  w.plant(
    'services/gateway/cmd/mirror/main.go',
    t`package main

import (
	"log"
	"os/exec"
)

// Push mirror to the self-managed GitLab.
var remote = "https://oauth2:${f.glpat()}@gitlab.acme-corp.internal/platform/gateway.git"

func main() {
	if out, err := exec.Command("git", "push", "--mirror", remote).CombinedOutput(); err != nil {
		log.Fatalf("mirror failed: %v: %s", err, out)
	}
}
`,
  );

  const ec = f.ecKey();
  w.plant(
    'services/gateway/internal/tls/keys.go',
    t`package tls

// Self-signed fallback used when cert-manager has not issued a certificate yet.
var caCertPEM = []byte(\`${l.certificate()}\`)

var fallbackKeyPEM = []byte(\`${ec}\`)

// Pinned upstream certificate, SHA-256 of the SPKI.
const upstreamPin = "${l.sha256()}"
`,
  );

  // --- Java ---------------------------------------------------------------------------------
  w.plant(
    'services/legacy/src/main/java/com/acme/legacy/Config.java',
    t`package com.acme.legacy;

public final class Config {
    private Config() {}

    public static final String SQLSERVER_URL =
        "jdbc:sqlserver://legacy-sql.acme-corp.internal:1433;databaseName=Orders;user=orders_app;password=${f.sqlserverPassword()};encrypt=true;trustServerCertificate=false";

    public static final String STORAGE_CONNECTION =
        "DefaultEndpointsProtocol=https;AccountName=acmelegacyexports;AccountKey=${f.azureStorageKey()};EndpointSuffix=core.windows.net";

    /** Name of the form field, not a value. */
    public static final String PASSWORD_FIELD = "password";
    public static final String SMTP_PASSWORD = System.getenv("SMTP_PASSWORD");
    public static final String REPORT_TEMPLATE_ID = "${l.uuid()}";
}
`,
  );

  w.plant(
    'services/legacy/src/main/java/com/acme/legacy/ReportClient.java',
    t`package com.acme.legacy;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;

public final class ReportClient {
    public InputStream download(String reportId) throws Exception {
        URL url = new URL("https://reports.acme-corp.internal/api/reports/" + reportId);
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        conn.setRequestProperty("Authorization", "Basic ${f.basicAuthHeader('svc-reports')}");
        conn.setRequestProperty("Accept", "application/pdf");
        return conn.getInputStream();
    }
}
`,
  );

  w.plant(
    'services/legacy/src/main/resources/application.properties',
    t`spring.application.name=legacy-orders
server.port=8080
spring.datasource.url=jdbc:postgresql://orders-db.acme-corp.internal:5432/orders
spring.datasource.username=orders_app
spring.datasource.password=${f.password()}
spring.jpa.hibernate.ddl-auto=validate
sendgrid.api-key=${f.sendgrid()}
management.endpoints.web.exposure.include=health,info
app.security.password-reset.token-ttl=PT30M
app.security.password.min-length=12
`,
  );

  w.plant(
    'services/legacy/settings.xml',
    t`<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <servers>
    <server>
      <id>acme-nexus</id>
      <username>deploy</username>
      <password>${f.password()}</password>
    </server>
    <server>
      <id>github</id>
      <username>acme-ci</username>
      <password>${f.ghp()}</password>
    </server>
    <server>
      <id>central-mirror</id>
      <username>\${env.MAVEN_USER}</username>
      <password>\${env.MAVEN_PASSWORD}</password>
    </server>
  </servers>
  <mirrors>
    <mirror>
      <id>central-mirror</id>
      <mirrorOf>central</mirrorOf>
      <url>https://nexus.acme-corp.internal/repository/maven-public/</url>
    </mirror>
  </mirrors>
</settings>
`,
  );

  // --- Ruby ---------------------------------------------------------------------------------
  w.plant(
    'services/storefront/config/initializers/stripe.rb',
    t`# frozen_string_literal: true

Rails.configuration.stripe = {
  publishable_key: ENV.fetch("STRIPE_PUBLISHABLE_KEY", "${l.stripePublishable()}"),
  secret_key: "${f.stripeSecret()}"
}

Stripe.api_key = Rails.configuration.stripe[:secret_key]
Stripe.max_network_retries = 2
`,
  );

  w.plant(
    'services/storefront/config/initializers/shopify.rb',
    t`# frozen_string_literal: true

ShopifyAPI::Context.setup(
  api_key: ENV["SHOPIFY_API_KEY"],
  api_secret_key: ENV["SHOPIFY_API_SECRET"],
  host: "https://storefront.acme-corp.io",
  scope: "read_orders,read_products",
  is_embedded: false,
  api_version: "2024-07",
  is_private: true,
)

SHOPIFY_ADMIN_TOKEN = "${f.shopify()}"
SHOPIFY_SHOP = "acme-corp.myshopify.com"
`,
  );

  w.plant(
    'services/storefront/config/database.yml',
    t`default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: storefront_development
  password: <%= ENV["DB_PASSWORD"] %>

test:
  <<: *default
  database: storefront_test
  password: password

production:
  <<: *default
  database: storefront_production
  username: storefront
  password: ${f.password()}
  host: storefront-db.acme-corp.internal
`,
  );

  // --- PHP ----------------------------------------------------------------------------------
  w.plant(
    'services/cms/config.php',
    t`<?php

return [
    'db' => [
        'host' => 'cms-mysql.acme-corp.internal',
        'name' => 'cms',
        'user' => 'cms_app',
        'password' => '${f.password()}',
    ],
    'mailchimp' => [
        'api_key' => '${f.mailchimp()}',
        'list_id' => '${g.hex(10)}',
    ],
    'session' => ['cookie' => 'cms_session', 'secure' => true],
    'labels' => ['password' => 'Password', 'password_confirm' => 'Confirm password'],
    'smtp_password' => getenv('SMTP_PASSWORD'),
];
`,
  );

  // --- C# -----------------------------------------------------------------------------------
  w.plant(
    'services/payments-dotnet/appsettings.Production.json',
    t`{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "ConnectionStrings": {
    "Payments": "Server=tcp:acme-payments.database.windows.net,1433;Initial Catalog=payments;Persist Security Info=False;User ID=payments_app;Password=${f.sqlserverPassword()};MultipleActiveResultSets=False;Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;",
    "Storage": "DefaultEndpointsProtocol=https;AccountName=acmepayments;AccountKey=${f.azureStorageKey()};EndpointSuffix=core.windows.net"
  },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "TenantId": "${l.uuid()}",
    "ClientId": "${l.uuid()}",
    "ClientSecret": "${f.azureAdClientSecret()}"
  },
  "AllowedHosts": "*"
}
`,
  );

  w.plant(
    'services/payments-dotnet/Services/NotificationService.cs',
    t`using SendGrid;
using SendGrid.Helpers.Mail;
using Twilio;
using Twilio.Rest.Api.V2010.Account;

namespace Acme.Payments.Services;

public sealed class NotificationService
{
    private const string SendGridApiKey = "${f.sendgrid()}";
    private const string TwilioApiKey = "SK${g.hex(32)}";
    private const string TwilioApiSecret = "${f.twilioApiKeySecret()}";
    private const string TwilioAuthToken = "${f.twilioAuthToken()}";
    private readonly string _fromNumber = Environment.GetEnvironmentVariable("TWILIO_FROM") ?? "+15005550006";

    public async Task SendReceiptAsync(string email, string phone, decimal amount)
    {
        var mail = new SendGridClient(SendGridApiKey);
        await mail.SendEmailAsync(MailHelper.CreateSingleEmail(
            new EmailAddress("billing@acme-corp.io"), new EmailAddress(email), "Your receipt", $"Paid {amount:C}", null));
        TwilioClient.Init(TwilioApiKey, TwilioApiSecret, accountSid: null);
        await MessageResource.CreateAsync(body: $"Paid {amount:C}", from: _fromNumber, to: phone);
    }
}
`,
  );

  w.plant(
    'services/payments-dotnet/Services/ExportService.cs',
    t`using Azure.Storage.Blobs;

namespace Acme.Payments.Services;

public sealed class ExportService
{
    private static readonly Uri ExportContainer = new("https://acmepaymentsexports.blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=co&sp=rwlac&se=2026-12-31T23:59:59Z&st=2024-01-01T00:00:00Z&spr=https&sig=${f.azureSasSig()}");

    public async Task UploadAsync(string name, Stream content)
    {
        var container = new BlobContainerClient(ExportContainer);
        await container.GetBlobClient(name).UploadAsync(content, overwrite: true);
    }
}
`,
  );

  // --- Rust ---------------------------------------------------------------------------------
  w.plant(
    'tools/indexer/src/main.rs',
    t`use std::env;

const HF_TOKEN: &str = "${f.huggingface()}";
const DATABRICKS_HOST: &str = "https://adb-${g.digits(16)}.${g.range(1, 19)}.azuredatabricks.net";
const DATABRICKS_TOKEN: &str = "${f.databricks()}";
const EMBEDDING_CACHE_KEY: &str = "${l.sha256()}";

fn main() {
    let index = env::var("INDEX_NAME").unwrap_or_else(|_| "docs".to_string());
    let client = reqwest::blocking::Client::new();
    let model = client
        .get("https://huggingface.co/api/models/sentence-transformers/all-MiniLM-L6-v2")
        .bearer_auth(HF_TOKEN)
        .send()
        .expect("model metadata");
    println!("{} {} {}", index, model.status(), EMBEDDING_CACHE_KEY);
    let _ = client
        .post(format!("{}/api/2.0/jobs/run-now", DATABRICKS_HOST))
        .bearer_auth(DATABRICKS_TOKEN)
        .send();
}
`,
  );

  w.plant(
    'tools/indexer/config.toml',
    t`[index]
name = "docs"
embedding_model = "sentence-transformers/all-MiniLM-L6-v2"
chunk_size = 800

[linear]
api_key = "${f.linear()}"
team_key = "ENG"

[search]
api_key = "${f.apiKey()}"
endpoint = "https://search.acme-corp.internal"
`,
  );
}

// ---------------------------------------------------------------------------------------------
// Planted files: scripts, containers, deployment, infrastructure, CI
// ---------------------------------------------------------------------------------------------

function plantOps(w: CorpusWriter, f: Fakes, l: Look, g: Gen): void {
  // --- shell --------------------------------------------------------------------------------
  w.plant(
    'scripts/deploy.sh',
    t`#!/usr/bin/env bash
set -euo pipefail

export DIGITALOCEAN_TOKEN="${f.digitalocean()}"
export VAULT_ADDR="https://vault.acme-corp.internal:8200"
export VAULT_TOKEN="${f.vault()}"

IMAGE_TAG="$(git rev-parse --short HEAD)"
echo "Deploying api:$IMAGE_TAG"

doctl kubernetes cluster kubeconfig save acme-prod
curl -fsS -X POST "https://deploy.acme-corp.internal/api/v1/releases" \\
  -H "Authorization: Bearer ${f.jwt()}" \\
  -H "Content-Type: application/json" \\
  -d "{\\"service\\": \\"api\\", \\"tag\\": \\"$IMAGE_TAG\\"}"
`,
  );

  w.plant(
    'scripts/backup.sh',
    t`#!/bin/sh
# Nightly database backup (cron on bastion-01).
set -eu

export AWS_ACCESS_KEY_ID=${f.awsKeyId()}
export AWS_SECRET_ACCESS_KEY=${f.awsSecret()}
export AWS_DEFAULT_REGION=eu-west-1
export DOPPLER_TOKEN=${f.doppler()}

PGURL="postgresql://backup:${f.postgresPassword()}@billing-db.prod.acme-corp.internal:5432/billing"
pg_dump "$PGURL" | gzip | aws s3 cp - "s3://acme-backups/billing/$(date +%F).sql.gz"
echo "backup done, checksum: $(sha256sum /tmp/last.sql.gz | cut -c1-64)"
`,
  );

  w.plant(
    'scripts/alert.sh',
    t`#!/usr/bin/env bash
# Usage: alert.sh "message"
TELEGRAM_BOT_TOKEN="${f.telegram()}"
CHAT_ID="-100${g.digits(10)}"

curl -s "https://api.telegram.org/bot\${TELEGRAM_BOT_TOKEN}/sendMessage" \\
  -d chat_id="$CHAT_ID" \\
  -d text="$1" > /dev/null
`,
  );

  w.plant(
    'scripts/upload-artifacts.sh',
    t`#!/usr/bin/env bash
set -euo pipefail
VERSION="\${1:?version}"
azcopy copy "./dist/\${VERSION}" "https://acmeartifacts.blob.core.windows.net/releases?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2027-01-01T00:00:00Z&st=2024-06-01T00:00:00Z&spr=https&sig=${f.azureSasSig()}" --recursive
`,
  );

  w.plant(
    'scripts/ci/clone.sh',
    t`#!/usr/bin/env bash
set -euo pipefail
rm -rf /tmp/platform
git clone --depth 1 "https://x-access-token:${f.ghs()}@github.com/acme-corp/platform.git" /tmp/platform
git -C /tmp/platform log -1 --format=%H
`,
  );

  w.plant(
    'scripts/run-collections.sh',
    t`#!/usr/bin/env bash
# Runs the API contract tests from the shared Postman workspace.
set -euo pipefail
POSTMAN_API_KEY="${f.postman()}"
for collection in ${g.digits(8)}-${l.uuid()} ${g.digits(8)}-${l.uuid()}; do
  newman run "https://api.getpostman.com/collections/$collection?apikey=$POSTMAN_API_KEY" --reporters cli,junit
done
`,
  );

  w.plant(
    'scripts/build-images.sh',
    t`#!/usr/bin/env bash
set -euo pipefail
echo "${f.dockerhub()}" | docker login -u acmeci --password-stdin
for svc in api billing gateway; do
  docker build -t "acmecorp/$svc:$(git rev-parse --short HEAD)" "services/$svc"
  docker push "acmecorp/$svc:$(git rev-parse --short HEAD)"
done
`,
  );

  w.plant(
    'scripts/decrypt.sh',
    t`#!/usr/bin/env bash
# Decrypts the SOPS files for local debugging.
export SOPS_AGE_KEY=${f.age()}
sops --decrypt deploy/secrets/prod.enc.yaml > /tmp/prod.yaml
`,
  );

  w.plant(
    'services/ml/scripts/publish.sh',
    t`#!/usr/bin/env bash
set -euo pipefail
python -m build
twine upload --username __token__ --password ${f.pypi()} dist/*
`,
  );

  // --- containers ---------------------------------------------------------------------------
  w.plant(
    'Dockerfile',
    t`FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV HF_TOKEN=${f.huggingface()}
COPY package.json package-lock.json ./
RUN echo "//registry.npmjs.org/:_authToken=${f.npm()}" > .npmrc && npm ci && rm -f .npmrc
COPY . .
RUN npm run build

FROM node:20-bookworm-slim@sha256:${l.sha256()}
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
USER node
CMD ["node", "dist/server.js"]
`,
  );

  w.plant(
    'docker-compose.yml',
    t`services:
  api:
    build: .
    ports:
      - "8080:8080"
    environment:
      NODE_ENV: production
      REDIS_URL: redis://:${f.redisPassword()}@redis:6379/0
      DD_API_KEY: ${f.datadog()}
      DATABASE_URL: \${DATABASE_URL}
    depends_on: [db, redis]
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: ${f.password()}
      POSTGRES_DB: app
  redis:
    image: redis:7-alpine
  datadog:
    image: gcr.io/datadoghq/agent:7
    environment:
      - DD_SITE=datadoghq.eu
      - DD_API_KEY=\${DD_API_KEY}
`,
  );

  // --- Kubernetes / Helm --------------------------------------------------------------------
  w.plant(
    'deploy/k8s/secret.yaml',
    t`apiVersion: v1
kind: Secret
metadata:
  name: api-secrets
  namespace: prod
  labels:
    app.kubernetes.io/name: api
type: Opaque
stringData:
  DATABASE_URL: postgres://api:${f.postgresPassword()}@api-db.prod.svc.cluster.local:5432/api
  STRIPE_SECRET_KEY: ${f.stripeSecret()}
  OPENAI_API_KEY: ${f.openai()}
  SLACK_BOT_TOKEN: ${f.slackBot()}
  LOG_LEVEL: info
`,
  );

  w.plant(
    'deploy/k8s/deployment.yaml',
    t`apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  annotations:
    checksum/config: ${l.sha256()}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: ghcr.io/acme-corp/api@sha256:${l.sha256()}
          envFrom:
            - secretRef:
                name: api-secrets
          env:
            - name: NEW_RELIC_API_KEY
              value: ${f.newrelic()}
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: api-db
                  key: password
            - name: RELEASE_ID
              value: "${l.uuid()}"
`,
  );

  const regcredUser = 'acme-deployer';
  w.plant(
    'deploy/k8s/regcred.yaml',
    t`apiVersion: v1
kind: Secret
metadata:
  name: ghcr-pull
  namespace: prod
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"ghcr.io":{"username":"${regcredUser}","auth":"${f.dockerAuth(regcredUser)}"}}}'
`,
  );

  w.plant(
    'deploy/helm/values.yaml',
    t`replicaCount: 2
image:
  repository: ghcr.io/acme-corp/reporting
  tag: "1.14.2"
postgresql:
  auth:
    username: reporting
    password: ${f.password()}
    database: reporting
reporting:
  mysqlUrl: mysql://reporting:${f.mysqlPassword()}@mysql-reporting.acme-corp.internal:3306/reporting
  existingSecret: ""
podAnnotations:
  checksum/values: ${l.sha256()}
`,
  );

  w.plant(
    'deploy/monitoring/alertmanager.yml',
    t`global:
  resolve_timeout: 5m
  slack_api_url: ${f.slackWebhook()}
route:
  receiver: ops
  group_by: [alertname, cluster]
receivers:
  - name: ops
    slack_configs:
      - channel: '#ops-alerts'
        send_resolved: true
        title: '{{ .CommonAnnotations.summary }}'
`,
  );

  w.plant(
    'deploy/monitoring/grafana-provisioning.yaml',
    t`apiVersion: 1
datasources:
  - name: Loki
    type: loki
    url: http://loki.monitoring.svc:3100
    jsonData:
      httpHeaderName1: Authorization
    secureJsonData:
      httpHeaderValue1: Bearer ${f.grafana()}
  - name: Prometheus
    type: prometheus
    url: http://prometheus.monitoring.svc:9090
    uid: ${l.uuid()}
`,
  );

  w.plant(
    'deploy/sops/age.key',
    t`# created: 2024-03-11T09:14:52+01:00
# public key: age1${g.chars('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}
${f.age()}
`,
  );

  w.plant('deploy/keys/deploy_id_ed25519', t`${f.opensshKey('deploy@acme-ci')}
`);
  w.plant('infra/ansible/files/id_ed25519', t`${f.opensshKey('ansible@bastion-01')}
`);
  w.plant('services/gateway/certs/server.key', t`${f.rsaKey()}
`);
  w.plant('services/api/certs/jwt-signing.pem', t`${f.pkcs8Key()}
`);
  w.plant('config/tls/private.pem', t`${f.pkcs8Key()}
`);
  w.plant('config/tls/ec-p256.key', t`${f.ecKey()}
`);

  // --- Terraform ----------------------------------------------------------------------------
  w.plant(
    'infra/terraform/main.tf',
    t`terraform {
  required_version = ">= 1.6"
  required_providers {
    aws          = { source = "hashicorp/aws", version = "~> 5.0" }
    digitalocean = { source = "digitalocean/digitalocean", version = "~> 2.34" }
  }
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "${f.awsKeyId()}"
  secret_key = "${f.awsSecret()}"
}

provider "digitalocean" {
  token = "${f.digitalocean()}"
}

resource "aws_db_instance" "billing" {
  identifier        = "billing-prod"
  engine            = "postgres"
  instance_class    = "db.t4g.medium"
  username          = "billing"
  password          = var.db_password
  allocated_storage = 50
}
`,
  );

  w.plant(
    'infra/terraform/prod.tfvars',
    t`environment         = "prod"
region              = "eu-west-1"
datadog_api_key     = "${f.datadog()}"
databricks_token    = "${f.databricks()}"
vault_token         = "${f.vault()}"
github_token        = "${f.githubFineGrained()}"
azure_client_secret = "${f.azureAdClientSecret()}"
db_password         = "${f.password()}"
kms_key_arn         = "arn:aws:kms:eu-west-1:${g.digits(12)}:key/${l.uuid()}"
`,
  );

  // --- CI -----------------------------------------------------------------------------------
  w.plant(
    '.github/workflows/release.yml',
    t`name: release
on:
  push:
    tags: ['v*']
permissions:
  contents: write
jobs:
  release:
    runs-on: ubuntu-latest
    env:
      GH_TOKEN: ${f.ghp()}
      SENTRY_AUTH_TOKEN: ${f.sentry()}
      SENTRY_ORG: acme-corp
    steps:
      - uses: actions/checkout@${l.sha1()} # v4.2.2
      - uses: actions/setup-node@${l.sha1()} # v4.1.0
        with:
          node-version: 20
      - run: npm ci && npm run build
      - run: npx @sentry/cli releases new "$GITHUB_SHA"
      - run: gh release create "$GITHUB_REF_NAME" dist/*.tgz --generate-notes
`,
  );

  w.plant(
    '.github/workflows/publish.yml',
    t`name: publish
on:
  release:
    types: [published]
jobs:
  npm:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          registry-url: https://registry.npmjs.org
      - run: npm publish --provenance
        env:
          NODE_AUTH_TOKEN: ${f.npm()}
  docker:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
        with:
          username: acmeci
          password: ${f.dockerhub()}
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: acmecorp/api:\${{ github.ref_name }}
`,
  );

  w.plant(
    '.github/workflows/deploy.yml',
    t`name: deploy
on:
  workflow_dispatch:
jobs:
  terraform:
    runs-on: ubuntu-latest
    env:
      DOPPLER_TOKEN: ${f.doppler()}
      TF_TOKEN_app_terraform_io: ${f.terraformCloud()}
      AWS_ACCESS_KEY_ID: \${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
      - run: doppler run -- terraform -chdir=infra/terraform apply -auto-approve
`,
  );

  w.plant(
    'ci/.gitlab-ci.yml',
    t`stages: [mirror]

mirror:
  stage: mirror
  image: alpine/git:2.45.2
  variables:
    GITLAB_TOKEN: ${f.glpat()}
    GIT_DEPTH: "0"
  script:
    - git push --mirror "https://oauth2:$GITLAB_TOKEN@gitlab.com/acme-corp/platform.git"
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`,
  );

  w.plant(
    'ci/.netrc',
    t`machine artifacts.acme-corp.internal
  login ci-reader
  password ${f.netrcPassword()}
`,
  );
}

// ---------------------------------------------------------------------------------------------
// Planted files: configuration, dotfiles, credential files, notebooks, bundles, docs
// ---------------------------------------------------------------------------------------------

function plantConfig(w: CorpusWriter, f: Fakes, l: Look, g: Gen): void {
  w.plant(
    '.env',
    t`# Local overrides for production debugging. DO NOT COMMIT (oops)
NODE_ENV=production
OPENAI_API_KEY=${f.openai()}
ANTHROPIC_API_KEY=${f.anthropic()}
GITHUB_TOKEN=${f.githubFineGrained()}
SLACK_BOT_TOKEN=${f.slackBot()}
STRIPE_RESTRICTED_KEY=${f.stripeRestricted()}
SHOPIFY_ACCESS_TOKEN=${f.shopify()}
MONGODB_URI=mongodb+srv://app:${f.mongoPassword()}@cluster0.${g.lower(5)}.mongodb.net/app
DATABASE_URL=postgres://app:${f.postgresPassword()}@db.acme-corp.internal:5432/app
AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=acmeuploads;AccountKey=${f.azureStorageKey()};EndpointSuffix=core.windows.net
TWILIO_ACCOUNT_SID=AC${g.hex(32)}
TWILIO_AUTH_TOKEN=${f.twilioAuthToken()}
DD_API_KEY=${f.datadog()}
FEATURE_FLAGS=new-checkout,fast-search
SENTRY_ENVIRONMENT=production
GIT_SHA=${l.sha1()}
SESSION_SECRET=\${SESSION_SECRET}
`,
  );

  w.plant(
    'config/app.yaml',
    t`app:
  name: acme-platform
  region: eu-west-1
  build: ${l.shortSha()}
observability:
  newrelic:
    api_key: ${f.newrelic()}
  sentry:
    environment: production
integrations:
  discord:
    webhook_url: ${f.discordWebhook()}
  search:
    api_key: ${f.apiKey()}
  okta:
    client_id: 0oa${g.alnum(17)}
    client_secret: ${f.clientSecret()}
database:
  host: db.acme-corp.internal
  password: \${DB_PASSWORD}
`,
  );

  w.plant(
    'config/integrations.json',
    t`{
  "notion": {
    "token": "${f.notion()}",
    "workspace": "acme-corp"
  },
  "linear": {
    "apiKey": "${f.linear()}",
    "teamKey": "ENG"
  },
  "postman": {
    "apiKey": "${f.postman()}",
    "workspaceId": "${l.uuid()}"
  },
  "labels": {
    "password": "Password",
    "enter_token": "Enter your token"
  }
}
`,
  );

  w.plant(
    'config/services.ini',
    t`; Reporting worker configuration
[database]
host = reports-db.acme-corp.internal
port = 5432
user = reports
password = ${f.password()}

[mailchimp]
api_key = ${f.mailchimp()}
list = weekly-digest

[slack]
user_token = ${f.slackUser()}
channel = #ops
`,
  );

  w.plant(
    'config/worker.toml',
    t`[worker]
concurrency = 8
queue = "reports"

[broker]
url = "amqps://worker:${f.urlPassword()}@rabbitmq.acme-corp.internal:5671/reports"

[database]
user = "worker"
password = "${f.password()}"
`,
  );

  w.plant(
    'services/ml/pip.conf',
    t`[global]
index-url = https://pypi.org/simple
extra-index-url = https://deploy:${f.urlPassword()}@pypi.acme-corp.internal/simple
timeout = 60
`,
  );

  w.plant(
    'web/.npmrc',
    t`@acme-corp:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=${f.ghp()}
engine-strict=true
`,
  );

  w.plant(
    'web/.sentryclirc',
    t`[defaults]
org = acme-corp
project = web

[auth]
token = ${f.sentry()}
`,
  );

  // --- home directory of the deploy user (dotfiles) -----------------------------------------
  w.plant(
    'home/deploy/.npmrc',
    t`registry=https://registry.npmjs.org/
//registry.npmjs.org/:_authToken=${f.npm()}
@acme-corp:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=\${GITHUB_PACKAGES_TOKEN}
fund=false
`,
  );

  w.plant(
    'home/deploy/.pypirc',
    t`[distutils]
index-servers =
    pypi
    acme

[pypi]
username = __token__
password = ${f.pypi()}

[acme]
repository = https://pypi.acme-corp.internal/
username = deploy
password = ${f.password()}
`,
  );

  w.plant(
    'home/deploy/.netrc',
    t`machine git.acme-corp.internal
  login deploy
  password ${f.netrcPassword()}

machine ftp.acme-corp.internal login anonymous password guest
`,
  );

  w.plant(
    'home/deploy/.git-credentials',
    t`https://deploy-bot:${f.urlPassword()}@git.acme-corp.internal
https://oauth2:${f.glpat()}@gitlab.com
https://acme-ci:${f.ghp()}@github.com
`,
  );

  w.plant(
    'home/deploy/.aws/credentials',
    t`[default]
aws_access_key_id = ${f.awsKeyId()}
aws_secret_access_key = ${f.awsSecret()}

[billing-prod]
aws_access_key_id = ${f.awsKeyId()}
aws_secret_access_key = ${f.awsSecret()}
region = eu-west-1

[sandbox]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`,
  );

  w.plant(
    'home/deploy/.docker/config.json',
    t`{
  "auths": {
    "https://index.docker.io/v1/": {
      "auth": "${f.dockerAuth('acmeci')}"
    },
    "ghcr.io": {
      "auth": "${f.dockerAuth('acme-deployer')}"
    },
    "public.ecr.aws": {}
  },
  "credHelpers": {
    "${g.digits(12)}.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"
  },
  "currentContext": "default"
}
`,
  );

  w.plant(
    'home/deploy/.config/gh/hosts.yml',
    t`github.com:
    user: acme-ci
    oauth_token: ${f.gho()}
    git_protocol: https
`,
  );

  w.plant(
    'home/deploy/.terraformrc',
    t`plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"

credentials "app.terraform.io" {
  token = "${f.terraformCloud()}"
}
`,
  );

  // --- GCP service-account keys -------------------------------------------------------------
  for (const [path, project, account] of [
    ['infra/gcp/deployer-sa.json', `acme-prod-${g.range(1000, 9999)}`, 'deployer'],
    ['services/ml/credentials/bq-reader.json', `acme-analytics-${g.range(1000, 9999)}`, 'bq-reader'],
  ] as const) {
    w.plant(
      path,
      t`{
  "type": "service_account",
  "project_id": "${project}",
  "private_key_id": "${g.hex(40)}",
  "private_key": "${f.gcpServiceAccountKey()}",
  "client_email": "${account}@${project}.iam.gserviceaccount.com",
  "client_id": "${g.digits(21)}",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/${account}%40${project}.iam.gserviceaccount.com",
  "universe_domain": "googleapis.com"
}
`,
    );
  }

  // --- Jupyter notebook ---------------------------------------------------------------------
  w.plant(
    'services/ml/notebooks/train.ipynb',
    t`{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "id": "${g.hex(8)}",
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\\n",
    "from huggingface_hub import login\\n",
    "login(token=\\"${f.huggingface()}\\")\\n",
    "DATABRICKS_TOKEN = \\"${f.databricks()}\\"\\n",
    "os.environ[\\"WANDB_API_KEY\\"] = os.environ.get(\\"WANDB_API_KEY\\", \\"\\")"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "id": "${g.hex(8)}",
   "metadata": {},
   "outputs": [
    {
     "data": {
      "image/png": "${l.pngDataUri(900).slice('data:image/png;base64,'.length)}",
      "text/plain": [
       "<Figure size 640x480 with 1 Axes>"
      ]
     },
     "metadata": {},
     "output_type": "display_data"
    }
   ],
   "source": [
    "import matplotlib.pyplot as plt\\n",
    "plt.plot(history[\\"loss\\"])"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3",
   "language": "python",
   "name": "python3"
  },
  "language_info": {
   "name": "python",
   "version": "3.11.9"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
`,
  );

  // --- minified bundles (one very long line each) --------------------------------------------
  const mainHash = l.webpackHash();
  w.plant(
    `web/dist/assets/main.${mainHash}.js`,
    t`${minifiedBundle(g, l, t`const Cfg={apiBase:"https://api.acme-corp.io",stripeKey:"${l.stripePublishable()}",mapboxToken:"${l.mapboxPublic()}",slackWebhook:"${f.slackWebhook()}",release:"${l.sha1()}"};`)}
${SOURCE_MAP_COMMENT}main.${mainHash}.js.map
`,
  );
  const adminHash = l.webpackHash();
  w.plant(
    `web/dist/assets/admin.${adminHash}.js`,
    t`${minifiedBundle(g, l, t`var Ae={billing:{secretKey:"${f.stripeSecret()}",currency:"eur"},build:"${l.shortSha()}"};`)}
${SOURCE_MAP_COMMENT}admin.${adminHash}.js.map
`,
  );

  // --- Markdown -----------------------------------------------------------------------------
  w.plant(
    'README.md',
    t`# acme-platform

Monorepo for the Acme platform services: \`services/api\` (TypeScript), \`services/billing\` (Django),
\`services/gateway\` (Go) and the web app.

## Getting started

\`\`\`bash
cp .env.example .env
export OPENAI_API_KEY=<your-token>
npm ci && npm run dev
\`\`\`

Configure AWS with the documented example key pair while you wait for your own:

\`\`\`ini
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
\`\`\`

## Troubleshooting

**401 from the summarizer.** Re-export the key; this one works for now (ask Dana before rotating):

\`\`\`bash
export OPENAI_API_KEY=${f.openai()}
\`\`\`

**Build badge.** The last green build was \`${l.sha1()}\`.
`,
  );

  w.plant(
    'docs/api-examples.md',
    t`# API examples

All requests need a token. Get one with \`acme auth token\` and pass it as \`$API_TOKEN\`:

\`\`\`bash
curl -H "Authorization: Bearer $API_TOKEN" https://api.acme-corp.io/v1/me
\`\`\`

Example captured from staging while debugging the release API:

\`\`\`bash
curl -X POST https://deploy.acme-corp.internal/api/v1/releases \\
  -H 'Authorization: Bearer ${f.jwt('svc-release', 'deploy-api')}' \\
  -d '{"service":"web","tag":"${l.shortSha()}"}'
\`\`\`

The reports service still uses basic auth:

\`\`\`bash
curl -H "Authorization: Basic ${f.basicAuthHeader('reports-admin')}" https://reports.acme-corp.internal/api/reports
\`\`\`

Tokens look like \`Bearer <token>\`; never paste real ones here.
`,
  );
}

/** Split so that tools reading this file (vite) do not take it for this file's own source-map comment. */
const SOURCE_MAP_COMMENT = `//# source${'MappingURL'}=`;

/** A plausible webpack production bundle on a single line, ~40 KB, with `inject` in the middle. */
function minifiedBundle(g: Gen, l: Look, inject: Doc): Doc {
  const names = ['Button', 'Modal', 'Checkout', 'Cart', 'Invoice', 'Header', 'Footer', 'Sidebar', 'Table', 'Chart', 'Avatar', 'Tooltip', 'Dropdown', 'Toast', 'Spinner', 'Layout', 'Router', 'Store', 'Pager', 'Badge'];
  const props = ['title', 'label', 'items', 'value', 'children', 'onClick', 'disabled', 'variant', 'size', 'open'];
  const chunks: string[] = [];
  let size = 0;
  let id = 100;
  const module = (): string => {
    id += g.range(1, 97);
    const name = g.pick(names);
    const prop = g.pick(props);
    const dep = g.range(100, 9999);
    const cls = `${name.toLowerCase()}_${g.raw(ALPHABETS.lower, 5)}`;
    switch (g.int(4)) {
      case 0:
        return `${id}:(e,t,n)=>{n.d(t,{Z:()=>${name}});var r=n(${dep}),o=n.n(r);function ${name}(e){return(0,o.jsx)("div",{className:"${cls}",style:{color:"${l.colour()}"},children:e.${prop}})}}`;
      case 1:
        return `${id}:(e,t,n)=>{"use strict";n.r(t),n.d(t,{default:()=>a});var r=n(${dep});const a=(0,r.memo)(function(e){const[t,n]=(0,r.useState)(!1);return(0,r.useEffect)(()=>{e.${prop}&&n(!0)},[e.${prop}]),t?r.createElement("span",{className:"${cls}"},e.${prop}):null})}`;
      case 2:
        return `${id}:e=>{e.exports={container:"${cls}",icon:"${cls}-icon",bg:"${l.colour()}",border:"1px solid ${l.colour()}"}}`;
      default:
        return `${id}:(e,t,n)=>{var r=n(${dep});e.exports=function(e,t){return r.get("/api/v1/${name.toLowerCase()}s/"+e,{params:{page:t,limit:${g.range(10, 100)}},headers:{"x-request-id":"${l.uuid()}"}})}}`;
    }
  };
  while (size < 20_000) {
    const m = module();
    chunks.push(m);
    size += m.length;
  }
  const head = chunks.join(',');
  chunks.length = 0;
  size = 0;
  while (size < 20_000) {
    const m = module();
    chunks.push(m);
    size += m.length;
  }
  const tail = chunks.join(',');
  const chunkHashes = Array.from({ length: 6 }, (_, i) => `${100 + i * 37}:"${l.webpackHash()}"`).join(',');
  return t`(()=>{var e,t,n={${head}},r={};function o(e){var t=r[e];if(void 0!==t)return t.exports;var a=r[e]={exports:{}};return n[e](a,a.exports,o),a.exports}o.u=e=>"static/js/"+e+"."+{${chunkHashes}}[e]+".chunk.js",o.p="/";${inject}var logo="${l.pngDataUri(120)}";n={${tail}};o(${id})})();`;
}

// ---------------------------------------------------------------------------------------------
// Decoy files: look-alikes only
// ---------------------------------------------------------------------------------------------

function writeDecoys(w: CorpusWriter, l: Look, g: Gen): void {
  // --- lockfiles ----------------------------------------------------------------------------
  const npmPackages = ['react', 'react-dom', 'scheduler', 'loose-envify', 'js-tokens', 'zod', 'undici', 'ms', 'debug', 'semver'];
  w.decoy(
    'package-lock.json',
    `{
  "name": "acme-platform",
  "version": "3.12.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "acme-platform",
      "version": "3.12.0"
    },
${npmPackages
  .map((name) => {
    const version = `${g.range(1, 18)}.${g.range(0, 20)}.${g.range(0, 9)}`;
    return `    "node_modules/${name}": {
      "version": "${version}",
      "resolved": "https://registry.npmjs.org/${name}/-/${name}-${version}.tgz",
      "integrity": "${l.integrity()}",
      "license": "MIT"
    }`;
  })
  .join(',\n')}
  }
}
`,
  );

  w.decoy(
    'web/yarn.lock',
    `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1

${npmPackages
  .map((name) => {
    const version = `${g.range(1, 18)}.${g.range(0, 20)}.${g.range(0, 9)}`;
    return `${name}@^${version}:
  version "${version}"
  resolved "https://registry.yarnpkg.com/${name}/-/${name}-${version}.tgz#${l.sha1()}"
  integrity ${l.integrity()}
`;
  })
  .join('\n')}`,
  );

  w.decoy(
    'tools/indexer/Cargo.lock',
    `# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 3

${['anyhow', 'base64', 'bytes', 'reqwest', 'serde', 'serde_json', 'tokio', 'url']
  .map(
    (name) => `[[package]]
name = "${name}"
version = "${g.range(0, 2)}.${g.range(0, 40)}.${g.range(0, 30)}"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "${l.sha256()}"
`,
  )
  .join('\n')}`,
  );

  w.decoy(
    'services/gateway/go.sum',
    ['github.com/aws/aws-sdk-go-v2', 'github.com/aws/smithy-go', 'github.com/google/uuid', 'golang.org/x/net', 'golang.org/x/sys', 'gopkg.in/yaml.v3']
      .map((mod) => {
        const v = `v${g.range(0, 1)}.${g.range(0, 30)}.${g.range(0, 9)}`;
        return `${mod} ${v} ${l.goSum()}\n${mod} ${v}/go.mod ${l.goSum()}\n`;
      })
      .join(''),
  );

  w.decoy(
    'infra/terraform/.terraform.lock.hcl',
    `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.54.1"
  constraints = "~> 5.0"
  hashes = [
    "${l.goSum()}",
${Array.from({ length: 6 }, () => `    "zh:${l.sha256()}",`).join('\n')}
  ]
}
`,
  );

  // --- i18n ---------------------------------------------------------------------------------
  w.decoy(
    'web/src/i18n/en.json',
    `{
  "login": {
    "username": "Username",
    "password": "Password",
    "password_hint": "At least 12 characters",
    "enter_token": "Enter your token",
    "api_key": "API key",
    "secret": "Secret",
    "forgot_password": "Forgot your password?",
    "token_expired": "Your session token has expired. Please sign in again."
  },
  "settings": {
    "api_keys_title": "API keys",
    "create_api_key": "Create a new API key",
    "revoke_token": "Revoke token"
  }
}
`,
  );
  w.decoy(
    'web/src/i18n/de.json',
    `{
  "login": {
    "username": "Benutzername",
    "password": "Passwort",
    "password_hint": "Mindestens 12 Zeichen",
    "enter_token": "Token eingeben",
    "api_key": "API-Schlüssel",
    "secret": "Geheimnis",
    "forgot_password": "Passwort vergessen?"
  }
}
`,
  );

  // --- documentation with placeholders ------------------------------------------------------
  w.decoy(
    'docs/setup.md',
    `# Setting up credentials

1. Create an access key in the AWS console and configure the CLI:

\`\`\`bash
aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE
aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
\`\`\`

2. Put your own tokens into \`.env\`:

\`\`\`bash
OPENAI_API_KEY=<your-token>
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/xxxxxxxxxxxxxxxxxxxxxxxx
DATADOG_API_KEY=YOUR_API_KEY
\`\`\`

3. The signing key is a PEM file that looks like this:

\`\`\`
-----BEGIN RSA PRIVATE KEY-----
...
-----END RSA PRIVATE KEY-----
\`\`\`

Default admin password for the local stack is \`changeme\`.
`,
  );

  w.decoy(
    'docs/configuration.md',
    `# Configuration reference

| Variable | Description |
| --- | --- |
| \`DB_PASSWORD\` | Database password, read from Vault. Example: \`DB_PASSWORD=$DB_PASSWORD\` |
| \`API_KEY\` | Key for the search API, e.g. \`api_key: \${SEARCH_API_KEY}\` |
| \`JWT_SECRET\` | Secret used to sign sessions. Set it with \`export JWT_SECRET=$(openssl rand -hex 32)\` |

\`\`\`yaml
database:
  password: \${DB_PASSWORD}
search:
  api_key: "{{ .Values.search.apiKey }}"
\`\`\`

Python services read \`os.environ["DB_PASSWORD"]\`; Node services read \`process.env.DB_PASSWORD\`.
`,
  );

  w.decoy(
    'docs/adr/0007-token-formats.md',
    `# ADR 0007: Recognising our tokens

Status: accepted

GitHub classic tokens look like \`ghp_\` followed by 36 characters, e.g. \`ghp_************************************\`.
Stripe secret keys start with \`sk_live_\`; publishable keys (\`pk_live_...\`) are safe to ship to browsers.
Slack bot tokens start with \`xoxb-\`. Never paste a real one into an issue; write \`xoxb-REDACTED\` instead.

Decision: we rotate every token listed in \`docs/inventory.md\` every 90 days.
Commit that introduced this ADR: ${l.sha1()}.
`,
  );

  w.decoy(
    'docs/api.md',
    `# Internal API

Authenticate with a bearer token:

\`\`\`http
GET /v1/accounts HTTP/1.1
Host: api.acme-corp.io
Authorization: Bearer <token>
\`\`\`

A JWT has three parts, \`eyJhbGciOi...\` (header), the payload and a signature.
Request ids are UUIDs such as \`${l.uuid()}\`.

\`\`\`bash
curl -H "Authorization: Bearer \${API_TOKEN}" https://api.acme-corp.io/v1/accounts
curl -u "$REPORTS_USER:$REPORTS_PASSWORD" https://reports.acme-corp.internal/api/reports
\`\`\`
`,
  );

  w.decoy(
    'docs/CHANGELOG.md',
    `# Changelog

## 3.12.0
- Rotate billing credentials (${l.shortSha()})
- Upgrade to Node 20 (${l.shortSha()}, ${l.shortSha()})
- Fix password reset emails ([#${g.range(1000, 4000)}](https://github.com/acme-corp/platform/pull/${g.range(1000, 4000)}), ${l.sha1()})

## 3.11.0
- Add API key management page (${l.sha1()})
- Store token hashes instead of tokens (${l.sha1()})
`,
  );

  // --- env examples and test env ------------------------------------------------------------
  w.decoy(
    '.env.example',
    `NODE_ENV=development
OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
ANTHROPIC_API_KEY=<your-anthropic-key>
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
DATABASE_URL=postgres://user:password@localhost:5432/app
DD_API_KEY=YOUR_API_KEY
ADMIN_PASSWORD=changeme
SLACK_BOT_TOKEN=xoxb-your-token
`,
  );

  w.decoy(
    'services/api/.env.test',
    `NODE_ENV=test
JWT_SECRET=test-secret
DB_PASSWORD=test1234
DATABASE_URL=postgres://postgres:postgres@localhost:5432/api_test
REDIS_URL=redis://localhost:6379/1
STRIPE_SECRET_KEY=sk_test_dummy
`,
  );

  w.decoy(
    'deploy/docker-compose.dev.yml',
    `services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-changeme}
  api:
    build: ..
    environment:
      DATABASE_URL: postgres://app:\${POSTGRES_PASSWORD}@db:5432/app
      OPENAI_API_KEY: \${OPENAI_API_KEY}
      DD_API_KEY: \${DD_API_KEY}
`,
  );

  // --- env / template references ------------------------------------------------------------
  w.decoy(
    '.github/workflows/ci.yml',
    `name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
      GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
      DB_PASSWORD: \${{ secrets.DB_PASSWORD }}
      OPENAI_API_KEY: \${{ secrets.OPENAI_API_KEY }}
    steps:
      - uses: actions/checkout@${l.sha1()} # v4.2.2
      - uses: actions/setup-node@${l.sha1()} # v4.1.0
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm test
        env:
          STRIPE_SECRET_KEY: \${{ secrets.STRIPE_TEST_KEY }}
`,
  );

  w.decoy(
    'deploy/helm/templates/secret.yaml',
    `apiVersion: v1
kind: Secret
metadata:
  name: {{ include "reporting.fullname" . }}
type: Opaque
stringData:
  password: {{ .Values.password | quote }}
  DATABASE_URL: postgres://{{ .Values.postgresql.auth.username }}:{{ .Values.postgresql.auth.password }}@{{ .Release.Name }}-postgresql:5432/reporting
  STRIPE_SECRET_KEY: {{ required "stripe key" .Values.stripe.secretKey | quote }}
`,
  );

  w.decoy(
    'deploy/k8s/configmap.yaml',
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
  namespace: prod
  annotations:
    checksum/config: ${l.sha256()}
data:
  LOG_LEVEL: info
  TENANT_ID: ${l.uuid()}
  FEATURE_SET_ID: ${l.uuid()}
  PASSWORD_MIN_LENGTH: "12"
  TOKEN_TTL_SECONDS: "3600"
  API_KEY_HEADER: x-api-key
`,
  );

  w.decoy(
    'deploy/k8s/sealed-secret.yaml',
    `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: api-db
  namespace: prod
spec:
  encryptedData:
    password: ${l.sealed()}
    username: ${l.sealed()}
  template:
    metadata:
      name: api-db
`,
  );

  w.decoy(
    'config/alembic.ini',
    `[alembic]
script_location = migrations
sqlalchemy.url = postgresql://%(DB_USER)s:%(DB_PASSWORD)s@%(DB_HOST)s/billing

[replica]
user = reporting
password = %(password)s

[loggers]
keys = root

[logger_root]
level = WARN
handlers =
`,
  );

  w.decoy(
    'services/legacy/src/main/resources/application-dev.properties',
    `spring.datasource.url=jdbc:postgresql://localhost:5432/orders
spring.datasource.username=orders
spring.datasource.password=\${DB_PASSWORD}
sendgrid.api-key=\${SENDGRID_API_KEY:}
app.jwt.secret=\${vault.jwt-secret}
`,
  );

  w.decoy(
    'services/storefront/config/secrets.yml',
    `production:
  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>
  stripe_secret_key: <%= ENV.fetch("STRIPE_SECRET_KEY") %>
development:
  secret_key_base: <%= ENV["SECRET_KEY_BASE"] || "dev" %>
`,
  );

  w.decoy(
    'services/cms/wp-config-sample.php',
    `<?php
define( 'DB_NAME', 'database_name_here' );
define( 'DB_USER', 'username_here' );
define( 'DB_PASSWORD', 'password_here' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY',         'put your unique phrase here' );
define( 'SECURE_AUTH_KEY',  'put your unique phrase here' );
define( 'LOGGED_IN_KEY',    'put your unique phrase here' );
$table_prefix = 'wp_';
`,
  );

  w.decoy(
    'services/payments-dotnet/appsettings.Development.json',
    `{
  "ConnectionStrings": {
    "Payments": "Server=(localdb)\\\\mssqllocaldb;Database=payments;Trusted_Connection=True;MultipleActiveResultSets=true",
    "Storage": "UseDevelopmentStorage=true"
  },
  "AzureAd": {
    "TenantId": "${l.uuid()}",
    "ClientId": "${l.uuid()}",
    "ClientSecret": "<from-key-vault>"
  }
}
`,
  );

  w.decoy(
    'infra/terraform/variables.tf',
    `variable "db_password" {
  description = "Master password for the billing database"
  type        = string
  sensitive   = true
}

variable "datadog_api_key" {
  type      = string
  sensitive = true
}

locals {
  db_url = "postgres://billing:\${var.db_password}@\${aws_db_instance.billing.address}:5432/billing"
}
`,
  );

  w.decoy(
    'scripts/rotate-keys.sh',
    `#!/usr/bin/env bash
set -euo pipefail
read -r -s -p "New database password: " DB_PASSWORD
aws secretsmanager put-secret-value --secret-id prod/billing/db --secret-string "$DB_PASSWORD"
OLD_KEY_ID="$(aws iam list-access-keys --user-name deployer --query 'AccessKeyMetadata[0].AccessKeyId' --output text)"
aws iam delete-access-key --user-name deployer --access-key-id "$OLD_KEY_ID"
export AWS_SECRET_ACCESS_KEY="$(vault kv get -field=secret_key secret/aws/deployer)"
`,
  );

  w.decoy(
    'Makefile',
    `.PHONY: login push
login:
\tdocker login -u $(DOCKER_USER) -p $(DOCKER_PASSWORD)
push: login
\tdocker push acmecorp/api:$(shell git rev-parse --short HEAD)
publish:
\ttwine upload -u __token__ -p $(PYPI_TOKEN) dist/*
`,
  );

  // --- tests with throwaway passwords and hashes --------------------------------------------
  const badGithub = (() => {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('corpus: random draw rejected 10000 times (filter too strict)');
      const candidate = `ghp_${g.alnum(36)}`;
      if (!githubTokenChecksumValidLocal(candidate)) return candidate;
    }
  })();
  w.decoy(
    'services/api/test/auth.test.ts',
    `import { describe, expect, it } from 'vitest';
import { login, validateToken } from '../src/auth.js';

describe('login', () => {
  it('rejects a wrong password', async () => {
    await expect(login('alice', 'password')).rejects.toThrow();
  });
  it('accepts the fixture user', async () => {
    const user = { username: 'bob', password: 'test1234' };
    expect(await login(user.username, user.password)).toBeTruthy();
  });
  it('rejects tokens with a bad checksum', () => {
    expect(validateToken('${badGithub}')).toBe(false);
  });
});
`,
  );

  w.decoy(
    'services/billing/tests/test_users.py',
    `import pytest

from app.models import User

TEST_PASSWORD = "password"
ADMIN_HASH = "${l.bcrypt()}"


@pytest.fixture
def user(db):
    return User.objects.create_user(username="carol", password="test1234")


def test_check_password(user):
    assert user.check_password("test1234")
    assert not user.check_password(TEST_PASSWORD)


def test_hash_format():
    assert ADMIN_HASH.startswith("$2b$12$")
`,
  );

  w.decoy(
    'services/gateway/internal/auth/jwt_test.go',
    `package auth

import "testing"

const testSigningSecret = "secret"

func TestVerify(t *testing.T) {
	token := Sign(map[string]any{"sub": "test"}, []byte(testSigningSecret))
	if _, err := Verify(token, []byte(testSigningSecret)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := Verify(token, []byte("wrong")); err == nil {
		t.Fatal("expected failure with the wrong secret")
	}
}
`,
  );

  w.decoy(
    'services/billing/migrations/0001_initial.sql',
    `CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  api_key_hash char(64),
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users (id, email, password_hash, api_key_hash) VALUES
  ('${l.uuid()}', 'admin@acme-corp.io', '${l.bcrypt()}', '${l.sha256()}'),
  ('${l.uuid()}', 'ops@acme-corp.io', '${l.bcrypt()}', '${l.sha256()}');
`,
  );

  w.decoy(
    'services/api/src/crypto/vectors.ts',
    `// Known-answer test vectors (public, from the NIST examples).
export const SHA256_VECTORS = [
  { input: '', digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { input: 'random', digest: '${l.sha256()}' },
];
export const SHA1_OF_RELEASE = '${l.sha1()}';
export const HMAC_KEY_ID = '${l.uuid()}';
`,
  );

  w.decoy(
    'tools/indexer/src/hash.rs',
    `pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
pub const MODEL_SHA256: &str = "${l.sha256()}";
pub const SCHEMA_ID: &str = "${l.uuid()}";

pub fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}
`,
  );

  w.decoy(
    'services/api/src/models/user.ts',
    `export interface User {
  id: string;
  email: string;
  passwordHash: string;
  apiKeyId: string | null;
}

export const SYSTEM_USER_ID = '${l.uuid()}';
export const ANONYMOUS_USER_ID = '${l.uuid()}';
export const PASSWORD_FIELD = 'password';
export const TOKEN_HEADER = 'authorization';
`,
  );

  w.decoy(
    'services/billing/app/schemas.py',
    `from pydantic import BaseModel, Field, SecretStr


class LoginRequest(BaseModel):
    username: str
    password: SecretStr = Field(..., min_length=12)


class ApiKeyOut(BaseModel):
    id: str = Field(examples=["${l.uuid()}"])
    prefix: str = Field(examples=["ak_live_"])
    api_key: SecretStr | None = None
`,
  );

  w.decoy(
    'services/api/src/__fixtures__/github-push.json',
    `{
  "ref": "refs/heads/main",
  "before": "${l.sha1()}",
  "after": "${l.sha1()}",
  "repository": {
    "id": ${g.digits(9)},
    "node_id": "R_kgDO${g.alnum(6)}",
    "full_name": "acme-corp/platform"
  },
  "head_commit": {
    "id": "${l.sha1()}",
    "tree_id": "${l.sha1()}",
    "message": "Rotate the billing password (again)"
  },
  "hook_id": ${g.digits(9)},
  "installation": { "id": ${g.digits(8)}, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${g.digits(8)}" }
}
`,
  );

  // --- frontend: colours, images, content hashes, public keys -------------------------------
  w.decoy(
    'web/src/styles/theme.css',
    `:root {
  --primary: ${l.colour()};
  --primary-dark: ${l.colour()};
  --danger: ${l.colour()};
  --radius: 6px;
}
.logo {
  background-image: url("${l.pngDataUri(240)}");
}
.password-field input[type="password"] { letter-spacing: 0.2em; border-color: ${l.colour()}; }
`,
  );

  const hashes = Array.from({ length: 4 }, () => l.webpackHash());
  w.decoy(
    'web/public/index.html',
    `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="${l.pngDataUri(60)}" />
    <link rel="stylesheet" href="/assets/main.${hashes[0]}.css" integrity="${l.sri()}" crossorigin="anonymous" />
    <title>Acme</title>
  </head>
  <body>
    <div id="root"></div>
    <script src="/assets/runtime.${hashes[1]}.js"></script>
    <script src="/assets/vendor.${hashes[2]}.js" integrity="${l.sri()}" crossorigin="anonymous"></script>
    <script src="/assets/main.${hashes[3]}.js"></script>
  </body>
</html>
`,
  );

  w.decoy(
    'web/dist/asset-manifest.json',
    `{
  "files": {
    "main.css": "/static/css/main.${l.webpackHash()}.css",
    "main.js": "/static/js/main.${l.webpackHash()}${l.webpackHash()}.js",
    "vendor.js": "/static/js/vendor.${l.webpackHash()}${l.webpackHash()}.js",
    "static/media/logo.svg": "/static/media/logo.${l.sha256().slice(0, 20)}.svg",
    "index.html": "/index.html"
  },
  "entrypoints": ["static/js/runtime.${l.webpackHash()}.js", "static/css/main.${l.webpackHash()}.css"]
}
`,
  );

  w.decoy(
    'web/webpack.config.js',
    `const path = require('path');
const webpack = require('webpack');

module.exports = {
  mode: 'production',
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: 'assets/[name].[contenthash:8].js',
  },
  plugins: [
    new webpack.DefinePlugin({
      'process.env.API_BASE': JSON.stringify(process.env.API_BASE),
      'process.env.STRIPE_PUBLISHABLE_KEY': JSON.stringify(process.env.STRIPE_PUBLISHABLE_KEY),
    }),
  ],
};
`,
  );

  w.decoy(
    'web/src/config/public.ts',
    `// Public, browser-safe identifiers. These are meant to ship in the bundle.
export const STRIPE_PUBLISHABLE_KEY = '${l.stripePublishable()}';
export const MAPBOX_TOKEN = '${l.mapboxPublic()}';
export const BRAND_COLOUR = '${l.colour()}';
export const APP_ID = '${l.uuid()}';
export const RELEASE = '${l.sha1()}';
`,
  );

  w.decoy(
    'web/src/components/LoginForm.tsx',
    `import { useState } from 'react';

export function LoginForm({ onSubmit }: { onSubmit: (u: string, p: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  return (
    <form onSubmit={() => onSubmit(username, password)}>
      <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      <input type="password" name="password" placeholder="Password" value={password} onChange={(e) => setPassword(e.target.value)} />
      <input name="token" placeholder="Enter your token" value={token} onChange={(e) => setToken(e.target.value)} />
    </form>
  );
}
`,
  );

  // --- public keys and certificates ---------------------------------------------------------
  w.decoy(
    'deploy/ssh/authorized_keys',
    `${l.sshRsaPublic('deploy@acme-ci')}
${l.sshEd25519Public('dana@laptop')}
${l.sshEd25519Public('ansible@bastion-01')}
`,
  );

  w.decoy(
    'deploy/ssh/known_hosts',
    `github.com ${l.sshEd25519Public('').trim()}
gitlab.acme-corp.internal ${l.sshRsaPublic('').trim()}
`,
  );

  w.decoy('services/gateway/certs/ca.crt', `${l.certificate()}\n`);
  w.decoy('services/gateway/certs/server.crt', `${l.certificate()}\n${l.certificate()}\n`);
  w.decoy('services/api/certs/jwt-signing.pub', `${l.publicKey()}\n`);

  w.decoy(
    '.sops.yaml',
    `creation_rules:
  - path_regex: deploy/secrets/.*\\.enc\\.yaml$
    age: age1${g.chars('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}
  - path_regex: infra/.*\\.enc\\.json$
    kms: arn:aws:kms:eu-west-1:${g.digits(12)}:key/${l.uuid()}
`,
  );

  // --- notebook with image output only ------------------------------------------------------
  w.decoy(
    'services/ml/notebooks/analysis.ipynb',
    `{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 3,
   "id": "${g.hex(8)}",
   "metadata": {},
   "outputs": [
    {
     "data": {
      "image/png": "${l.pngDataUri(1200).slice('data:image/png;base64,'.length)}",
      "text/plain": ["<Figure size 640x480 with 1 Axes>"]
     },
     "metadata": {},
     "output_type": "display_data"
    }
   ],
   "source": [
    "api_key = os.environ[\\"OPENAI_API_KEY\\"]\\n",
    "df.groupby(\\"plan\\").revenue.sum().plot(kind=\\"bar\\")"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
`,
  );

  // --- Kubernetes and source files that only reference secrets ------------------------------
  w.decoy(
    'deploy/k8s/external-secret.yaml',
    `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: api-secrets
spec:
  secretStoreRef:
    name: vault
    kind: ClusterSecretStore
  data:
    - secretKey: STRIPE_SECRET_KEY
      remoteRef:
        key: prod/api
        property: stripe_secret_key
    - secretKey: DB_PASSWORD
      remoteRef:
        key: prod/api
        property: db_password
`,
  );

  w.decoy(
    'services/gateway/internal/config/env.go',
    `package config

import "os"

func githubToken() string { return os.Getenv("GITHUB_TOKEN") }
func slackWebhook() string { return os.Getenv("SLACK_WEBHOOK_URL") }

// Example only: the AWS documentation key id AKIAIOSFODNN7EXAMPLE.
const exampleKeyID = "AKIAIOSFODNN7EXAMPLE"
`,
  );

  w.decoy(
    'services/billing/app/clients.py',
    `import os

import stripe

stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
SENDGRID_API_KEY = os.getenv("SENDGRID_API_KEY")
DATABASE_PASSWORD = os.environ.get("DB_PASSWORD", "")
OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
`,
  );

  w.decoy(
    'services/legacy/src/main/java/com/acme/legacy/Secrets.java',
    `package com.acme.legacy;

public final class Secrets {
    public static final String DB_PASSWORD = System.getenv("DB_PASSWORD");
    public static final String API_KEY = System.getProperty("acme.api.key", "YOUR_API_KEY");
    public static final String PLACEHOLDER_TOKEN = "xxxxxxxxxxxxxxxxxxxxxxxx";
}
`,
  );

  w.decoy(
    'services/storefront/app/models/api_credential.rb',
    `class ApiCredential < ApplicationRecord
  has_secure_password :secret
  validates :name, presence: true
  DEFAULT_SCOPES = %w[read_orders read_products].freeze
  def self.token_prefix = "sf_"
  def masked = "sf_************"
end
`,
  );

  w.decoy(
    'services/cms/src/Auth.php',
    `<?php
final class Auth
{
    public function __construct(private string $password = '') {}

    public static function fromEnv(): self
    {
        return new self(getenv('CMS_ADMIN_PASSWORD') ?: '');
    }

    public function check(string $candidate): bool
    {
        return password_verify($candidate, '${l.bcrypt()}');
    }
}
`,
  );

  w.decoy(
    'services/payments-dotnet/Services/KeyVaultSecrets.cs',
    `namespace Acme.Payments.Services;

public sealed class KeyVaultSecrets(IConfiguration config)
{
    public string StripeKey => config["Stripe:SecretKey"] ?? throw new InvalidOperationException("Stripe:SecretKey");
    public string SqlPassword => Environment.GetEnvironmentVariable("SQL_PASSWORD") ?? "";
    public const string CorrelationHeader = "x-correlation-id";
    public static readonly Guid AppId = Guid.Parse("${l.uuid()}");
}
`,
  );

  w.decoy(
    'renovate.json',
    `{
  "$schema": "https://docs.renovatebot.com/renovate-schema.json",
  "extends": ["config:recommended", "helpers:pinGitHubActionDigests"],
  "packageRules": [{ "matchDatasources": ["docker"], "pinDigests": true }],
  "hostRules": [{ "matchHost": "npm.pkg.github.com", "token": "{{ secrets.GITHUB_PACKAGES_TOKEN }}" }],
  "constraints": { "node": "20.15.1" },
  "lockFileMaintenance": { "enabled": true, "commitMessageExtra": "${l.shortSha()}" }
}
`,
  );
}

/** Same check as src/detectors/checks.ts, kept local so decoys never depend on detector code paths. */
function githubTokenChecksumValidLocal(token: string): boolean {
  const body = token.slice(4, 34);
  return githubTokenWithChecksum(token.slice(0, 4), body) === token;
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/**
 * Writes the corpus into `dir` (which should be empty) and returns where every credential was
 * planted. Deterministic: the same seed always produces byte-identical files.
 */
export function generateCorpus(dir: string, options: { seed?: number } = {}): CorpusManifest {
  const g = new Gen(seededRandom(options.seed ?? DEFAULT_SEED));
  const fakes = makeFakes(g);
  const look = makeLookalikes(g);
  const w = new CorpusWriter(dir);
  mkdirSync(dir, { recursive: true });
  plantServices(w, fakes, look, g);
  plantOps(w, fakes, look, g);
  plantConfig(w, fakes, look, g);
  writeDecoys(w, look, g);
  return { planted: w.planted, decoyFiles: w.decoyFiles };
}
