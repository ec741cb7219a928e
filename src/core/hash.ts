import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Two keys, two purposes:
 * - the *store key* is secret, local, random: the hash kept in the database, used
 *   to join occurrences of one secret across scans and to live credentials;
 * - the *fingerprint key* is shared by everyone who needs the same fingerprints
 *   (a team's baselines and CI): `NHI_FINGERPRINT_KEY`, else a built-in default.
 *   With the default, a fingerprint of a guessable password can be confirmed by
 *   someone holding a guess; set the variable to prevent that (README, "Fingerprints").
 */
export interface HashKeys {
  store: Buffer;
  fingerprint: Buffer;
}

const DEFAULT_FINGERPRINT_KEY = 'nhi-fingerprint-v1';

export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** Fingerprint of a finding: a hash of its identifying parts, truncated to 32 hex chars. */
export function fingerprintOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0'), 'utf8').digest('hex').slice(0, 32);
}

export function fingerprintKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  return Buffer.from(env.NHI_FINGERPRINT_KEY || DEFAULT_FINGERPRINT_KEY, 'utf8');
}

/**
 * The store key: `NHI_HASH_KEY` if set, else a random key kept in `keyFile`
 * (created on first use, mode 0600).
 */
export function loadStoreKey(keyFile: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.NHI_HASH_KEY) return Buffer.from(env.NHI_HASH_KEY, 'utf8');
  if (existsSync(keyFile)) return Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString('hex') + '\n', { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return key;
}

export function loadKeys(keyFile: string, env: NodeJS.ProcessEnv = process.env): HashKeys {
  return { store: loadStoreKey(keyFile, env), fingerprint: fingerprintKey(env) };
}
