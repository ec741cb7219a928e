import { looksLikePlaceholder, shannonEntropy } from '../checks.js';
import { ALPHABETS } from '../random.js';
import { defineDetectors, type RandomSource } from '../types.js';
import { looksLikeReferenceOrExpression } from './generic.js';

/**
 * Authentication material that is not tied to one provider: JWTs, HTTP Basic/Bearer
 * credentials, API key headers, curl `-u`, PASETO tokens, and identity providers
 * (Okta, Auth0, Keycloak).
 *
 * `http-bearer-token`, `http-api-key-header` and `curl-basic-auth` recognise a credential
 * only by where it sits (a header, `curl -u`), so they are in the 'generic' category: the
 * overlap resolver then lets a provider-specific detector on the same span win (a Twilio
 * SID:secret after `curl -u`, a Slack token after `Bearer`). As 'auth' they tied with
 * specific detectors and won whenever their keyword came first on the line.
 */

const ASSIGN = String.raw`["']?\s{0,32}(?:=>|:=|=|:)\s{0,32}["']?`;

/* ───────────────────────────── JWT ───────────────────────────── */

function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A signed JWT: header and payload are base64url JSON objects, the header names a real
 * algorithm (`alg: none` tokens grant nothing), and a signature is present.
 * Dropped on purpose: Supabase `anon` keys (public by design), jwt.io's sample token
 * (sub 1234567890 / John Doe) and the RFC 7519 example, which fill docs and tutorials.
 * A JWT in a test fixture is still reported: fixtures often hold real, long-lived tokens.
 */
export function jwtValid(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const header = decodeJsonSegment(parts[0]!);
  const payload = decodeJsonSegment(parts[1]!);
  if (!header || !payload || Object.keys(payload).length === 0) return false;
  const alg = header.alg;
  if (typeof alg !== 'string' || alg.trim() === '' || alg.toLowerCase() === 'none') return false;
  if (parts[2]!.length < 16) return false;
  if (payload.role === 'anon') return false;
  if (payload.sub === '1234567890' && payload.name === 'John Doe') return false;
  if (payload.iss === 'joe' && payload.exp === 1300819380) return false; // RFC 7515/7519 example
  return true;
}

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(r: RandomSource): string {
  const now = 1735689600 + r.int(31536000);
  const header = b64urlJson({ alg: 'RS256', typ: 'JWT', kid: r.chars(ALPHABETS.alnum, 16) });
  const payload = b64urlJson({
    iss: 'https://login.acme-corp.io/',
    sub: `auth0|${r.chars(ALPHABETS.hex, 24)}`,
    aud: 'https://api.acme-corp.io',
    iat: now,
    exp: now + 86400,
    scope: 'read:orders write:orders',
  });
  return `${header}.${payload}.${r.chars(ALPHABETS.b64url, 342)}`;
}

const JWT_BODY = String.raw`(?:eyJ|ewo)[A-Za-z0-9_-]{8,2000}={0,2}\.(?:eyJ|ewo)[A-Za-z0-9_-]{8,8000}={0,2}\.[A-Za-z0-9_-]{16,2000}={0,2}`;

/* ───────────────────────────── HTTP credentials ───────────────────────────── */

function decodeBasic(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 === 1) return undefined;
  const text = Buffer.from(value, 'base64').toString('utf8');
  if (!/^[\x20-\x7e]+$/.test(text)) return undefined;
  return text;
}

const DOC_PASSWORDS = /^(?:open sesame|password|passwd|pass|secret|pwd|changeme|test|admin|root|guest)$/i;

/** A password next to a (possibly empty) user: not a placeholder, reference or demo value. */
function credentialPasswordOk(password: string, user = ''): boolean {
  if (password.length < 6) return false;
  if (DOC_PASSWORDS.test(password) || password === user) return false;
  if (looksLikePlaceholder(password) || looksLikeReferenceOrExpression(password)) return false;
  if (/^(?:[a-z]+_)*(?:secret|password|passwd|pass|token|key)$/i.test(password)) return false; // client_secret, api_key
  return shannonEntropy(password) >= 2.5;
}

/** `Basic base64(user:password)`: decodes to printable `user:password` with a real-looking password. */
export function basicCredentialsValid(value: string): boolean {
  const text = decodeBasic(value);
  if (text === undefined) return false;
  const colon = text.indexOf(':');
  if (colon === -1) return false;
  const user = text.slice(0, colon);
  if (user !== '' && (looksLikePlaceholder(user) || /^(?:user(?:name)?|client_?id|your\w*)$/i.test(user))) return false;
  return credentialPasswordOk(text.slice(colon + 1), user);
}

/** An opaque bearer token: random-looking, not a JWT (own detector), not a placeholder. */
function opaqueTokenValid(value: string): boolean {
  if (value.startsWith('eyJ') || value.startsWith('ewo')) return false;
  if (value.length < 20) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (looksLikeReferenceOrExpression(value)) return false;
  return shannonEntropy(value) >= 3.5;
}

function basic(r: RandomSource): string {
  const password = `${r.chars(ALPHABETS.alnum, 14)}${r.chars(ALPHABETS.digits, 1)}Qz`;
  return Buffer.from(`svc-deploy:${password}`).toString('base64');
}

export default defineDetectors([
  {
    id: 'jwt',
    title: 'JSON Web Token in an authentication context',
    category: 'auth',
    keywords: ['jwt', 'eyJ', 'ewogI', 'ewoi'],
    // The JWT must follow an auth word on its line (Bearer, token, jwt, Authorization, cookie...).
    pattern: String.raw`(?:bearer|token|jwt|authorization|auth|session|cookie|credential|secret|password|key|assertion)[^\n]{0,80}?[^A-Za-z0-9_\n-](?<secret>${JWT_BODY})(?:[^A-Za-z0-9_.=-]|$)`,
    ignoreCase: true,
    validate: jwtValid,
    generate: jwt,
    severity: 'high',
    examples: {
      positive: [
        'curl -H "Authorization: Bearer {{gen}}" https://api.acme-corp.io/orders',
        '{"access_token": "{{gen}}", "token_type": "Bearer", "expires_in": 86400}',
        'ID_TOKEN={{gen}}',
        'SUPABASE_SERVICE_ROLE_KEY={{gen}}',
        "const jwt = '{{gen}}';",
        'test("rejects expired tokens", () => { const token = "{{gen}}"; })',
      ],
      negative: [
        // alg "none": an unsigned token
        'token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyLTEiLCJhZG1pbiI6dHJ1ZX0.{{b64url:43}}"',
        // header is not JSON
        'Authorization: Bearer eyJ{{b64url:30}}.eyJ{{b64url:60}}.{{b64url:43}}',
        // jwt.io's sample token
        'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
        // Supabase anon key: public by design
        'SUPABASE_ANON_KEY_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImFiY2RlZmdoaWprbG1ub3BxcnN0Iiwicm9sZSI6ImFub24iLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MjAwMDAwMDAwMH0.{{b64url:43}}',
        // no auth context on the line
        'fixtures.push("{{gen}}")',
        'Authorization: Bearer ${ACCESS_TOKEN}',
      ],
    },
    references: ['https://datatracker.ietf.org/doc/html/rfc7519', 'https://datatracker.ietf.org/doc/html/rfc6750'],
  },
  {
    id: 'http-basic-auth',
    title: 'HTTP Basic authentication credentials',
    category: 'auth',
    keywords: ['authorization'],
    pattern: String.raw`authorization["']?\s{0,32}[:=,]\s{0,32}["'\x60]?\s{0,32}basic\s{1,8}(?<secret>[A-Za-z0-9+/]{8,1000}={0,2})(?:[^A-Za-z0-9+/=]|$)`,
    ignoreCase: true,
    validate: basicCredentialsValid,
    // Generates the whole header value ("Basic …"): the pattern needs the scheme.
    generate: (r) => `Basic ${basic(r)}`,
    severity: 'high',
    examples: {
      positive: [
        'curl -H "Authorization: {{gen}}" https://jenkins.acme-corp.io/api/json',
        "headers = {'Authorization': '{{gen}}'}",
        'req.setRequestHeader("Authorization", "{{gen}}");',
        'Proxy-Authorization: {{gen}}',
      ],
      negative: [
        'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', // RFC 7617's Aladdin:open sesame
        'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=', // username:password
        'Authorization: Basic {{b64:24}}', // not user:password
        'headers: { Authorization: `Basic ${btoa(user + ":" + pass)}` }',
        'Authorization: Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ=', // client_id:client_secret
        'Authorization: Basic YWRtaW46YWRtaW4=', // admin:admin
      ],
    },
    references: ['https://datatracker.ietf.org/doc/html/rfc7617'],
  },
  {
    id: 'http-bearer-token',
    title: 'Opaque bearer token in an Authorization header',
    category: 'generic', // context-only heuristic: loses to any provider-specific match (see file header)
    keywords: ['bearer', 'authorization'],
    pattern: String.raw`(?:authorization["']?\s{0,32}[:=,]\s{0,32}["'\x60]?\s{0,32}(?:bearer|token)|\bbearer)\s{1,8}(?<secret>[A-Za-z0-9._~+/-]{20,1000}={0,2})(?:[^A-Za-z0-9._~+/=-]|$)`,
    ignoreCase: true,
    validate: opaqueTokenValid,
    severity: 'high',
    examples: {
      positive: [
        'curl -H "Authorization: Bearer {{alnum:38}}4q" https://api.acme-corp.io/v1/orders',
        'fetch(url, { headers: { Authorization: "Bearer {{alnum:38}}4q" } })',
        'Authorization: Token {{alnum:38}}4q',
        'http GET api.acme-corp.io/me "Authorization:Bearer {{alnum:38}}4q"',
      ],
      negative: [
        'Authorization: Bearer <token>',
        'Authorization: Bearer $ACCESS_TOKEN',
        'headers["Authorization"] = "Bearer " + token',
        'Authorization: Bearer YOUR_ACCESS_TOKEN_HERE',
        'The bearer authentication_scheme_is_documented in RFC 6750',
        'Authorization: Bearer xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      ],
    },
    references: ['https://datatracker.ietf.org/doc/html/rfc6750'],
  },
  {
    id: 'http-api-key-header',
    title: 'API key in an X-API-Key / X-Auth-Token style header',
    category: 'generic', // context-only heuristic: loses to any provider-specific match (see file header)
    keywords: ['x-api-key', 'x-auth-token', 'x-access-token', 'x-api-token', 'x-auth-key'],
    pattern: String.raw`x-(?:api|auth|access)-(?:key|token)["']?\s{0,32}[:=,]\s{0,32}["'\x60]?(?<secret>[A-Za-z0-9._~+/-]{16,512}={0,2})(?:[^A-Za-z0-9._~+/=-]|$)`,
    ignoreCase: true,
    validate: opaqueTokenValid,
    severity: 'high',
    examples: {
      positive: [
        'curl -H "X-API-Key: {{alnum:30}}7Kx" https://api.acme-corp.io/v2/items',
        "requests.get(url, headers={'x-api-key': '{{alnum:30}}7Kx'})",
        '.header("X-Auth-Token", "{{alnum:30}}7Kx")',
      ],
      negative: ['curl -H "X-API-Key: $API_KEY" https://api.example.com', "headers={'x-api-key': os.environ['API_KEY']}", 'X-Auth-Token: <token>'],
    },
  },
  {
    id: 'curl-basic-auth',
    title: 'Password in a curl -u / --user argument',
    category: 'generic', // context-only heuristic: loses to any provider-specific match (see file header)
    keywords: ['curl'],
    pattern: String.raw`\bcurl\b[^\n]{0,200}?\s(?:-u|--user)\s{0,32}["']?(?<handle>[^\s:"'$]{1,64}):(?<secret>[^\s"'\x60]{6,128})`,
    validate: (s) => credentialPasswordOk(s),
    severity: 'high',
    examples: {
      positive: [
        'curl -u deploy:{{alnum:14}}5Kq https://nexus.acme-corp.io/service/rest/v1/status',
        'curl -s --user "ci-bot:Zx{{alnum:12}}9!" -X POST https://jenkins.acme-corp.io/job/app/build',
        'RUN curl -fsSL -u admin:{{alnum:16}}7aB https://artifacts.acme-corp.io/tool.tgz | tar xz',
      ],
      negative: [
        'curl -u $USER:$PASS https://api.example.com',
        'curl -u "user:${API_TOKEN}" https://api.example.com',
        'curl -u elastic:changeme http://localhost:9200',
        'curl -u admin:admin http://localhost:8080',
        'curl -u username:password https://example.com',
        'curl -u api: https://api.example.com',
      ],
    },
    references: ['https://curl.se/docs/manpage.html#-u'],
  },
  {
    id: 'okta-api-token',
    title: 'Okta API token',
    category: 'auth',
    keywords: ['okta_api_token', 'okta', 'ssws'],
    pattern: String.raw`(?:okta[\w.-]{0,30}(?:token|api[_-]?key|key)${ASSIGN}|ssws\s{1,8})(?<secret>00[A-Za-z0-9_-]{40})(?:[^\w-]|$)`,
    ignoreCase: true,
    entropy: 3.5,
    generate: (r) => `00${r.chars(ALPHABETS.alnum, 37)}9aQ`,
    severity: 'critical',
    examples: {
      positive: ['OKTA_API_TOKEN={{gen}}', 'curl -H "Authorization: SSWS {{gen}}" https://acme.okta.com/api/v1/users', 'okta:\n  client:\n    token: {{gen}}\nokta_token: "{{gen}}"'],
      negative: ['OKTA_API_TOKEN=${OKTA_API_TOKEN}', 'Authorization: SSWS {$apiToken}', 'OKTA_CLIENT_ID=0oa{{alnum:17}}'],
    },
    references: ['https://developer.okta.com/docs/guides/create-an-api-token/main/'],
  },
  {
    id: 'auth0-client-secret',
    title: 'Auth0 client secret',
    category: 'auth',
    keywords: ['auth0_client_secret', 'auth0'],
    pattern: String.raw`auth0(?:[\w.-]{0,30}|[^\n]{0,120}?client[_-]?)secret${ASSIGN}(?<secret>[A-Za-z0-9_-]{32,128})(?:[^\w-]|$)`,
    ignoreCase: true,
    entropy: 3.5,
    validate: (s) => !looksLikeReferenceOrExpression(s),
    generate: (r) => `${r.chars(ALPHABETS.b64url, 60)}4kQz`,
    severity: 'critical',
    examples: {
      positive: [
        'AUTH0_CLIENT_SECRET={{gen}}',
        "new AuthenticationClient({ domain: 'acme.eu.auth0.com', clientId: 'x', clientSecret: '{{gen}}' })",
        'auth0:\n  domain: acme.auth0.com\nauth0_client_secret: "{{gen}}"',
      ],
      negative: ['AUTH0_CLIENT_SECRET=${AUTH0_CLIENT_SECRET}', 'AUTH0_CLIENT_SECRET=your-client-secret', 'AUTH0_SECRET=use [openssl rand -hex 32] to generate a 32 bytes value'],
    },
    references: ['https://auth0.com/docs/get-started/applications/application-settings'],
  },
  {
    id: 'keycloak-client-secret',
    title: 'Keycloak client secret',
    category: 'auth',
    keywords: ['keycloak_client_secret', 'keycloak', 'kc_client_secret'],
    pattern: String.raw`(?:keycloak|\bkc)(?:[\w.-]{0,30}|[^\n]{0,120}?client[_-]?)secret${ASSIGN}(?<secret>[A-Za-z0-9]{32})\b`,
    ignoreCase: true,
    entropy: 3.5,
    validate: (s) => /[0-9]/.test(s) && !looksLikeReferenceOrExpression(s),
    generate: (r) => `${r.chars(ALPHABETS.alnum, 30)}7q`,
    severity: 'high',
    examples: {
      positive: ['KEYCLOAK_CLIENT_SECRET={{gen}}', 'KC_CLIENT_SECRET: "{{gen}}"', 'keycloak.credentials.secret={{gen}}'],
      negative: ['KEYCLOAK_CLIENT_SECRET=${KEYCLOAK_CLIENT_SECRET}', 'keycloak.credentials.secret=**********', 'KEYCLOAK_CLIENT_SECRET={{alpha:32}}'],
    },
    references: ['https://www.keycloak.org/docs/latest/server_admin/#_client-credentials'],
  },
  {
    id: 'paseto-token',
    title: 'PASETO token',
    category: 'auth',
    keywords: ['v1.local.', 'v2.local.', 'v3.local.', 'v4.local.', 'v1.public.', 'v2.public.', 'v3.public.', 'v4.public.'],
    pattern: String.raw`\b(?<secret>v[1-4]\.(?:local|public)\.[A-Za-z0-9_-]{40,4000}(?:\.[A-Za-z0-9_-]{4,1000})?)(?:[^\w.-]|$)`,
    prefixLength: 9,
    entropy: 4,
    generate: (r) => `v4.local.${r.chars(ALPHABETS.b64url, 120)}`,
    severity: 'high',
    examples: {
      positive: ['SESSION_TOKEN={{gen}}', 'Authorization: Bearer v4.public.{{b64url:140}}', 'cookie = "session={{gen}}"'],
      negative: ['version = "v4.local.dev"', 'token = "v4.local.{{alnum:20}}"', 'token = "v4.local.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'],
    },
    references: ['https://github.com/paseto-standard/paseto-spec'],
  },
]);
