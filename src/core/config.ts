import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * Settings read from `nhi.config.yml` (or `--config FILE`). Every field is optional;
 * the defaults below are documented in the README and shown by `nhi rules <id>`.
 */
export interface NhiConfig {
  thresholds: {
    /** unrotated-credential: an active key older than this. */
    unrotatedDays: number;
    /** unused-credential: an active key not used for this long. */
    unusedDays: number;
    /** unused-credential: a key never used and older than this. */
    neverUsedGraceDays: number;
    /** unused-role: a role not assumed for this long. */
    unusedRoleDays: number;
  };
  /** Tag keys that name an owner (unowned-identity), compared case-insensitively. */
  ownerTagKeys: string[];
  aws: {
    /** Live mode: roles to assume, one per account (`arn:aws:iam::<account>:role/<name>`). */
    assumeRoles: string[];
    /** Live mode: concurrent API calls per account. */
    concurrency: number;
  };
}

export const DEFAULT_CONFIG: NhiConfig = {
  thresholds: { unrotatedDays: 90, unusedDays: 90, neverUsedGraceDays: 7, unusedRoleDays: 90 },
  ownerTagKeys: ['owner', 'team', 'owner-email', 'contact'],
  aws: { assumeRoles: [], concurrency: 4 },
};

function merge<T extends object>(base: T, over: unknown): T {
  if (!over || typeof over !== 'object' || Array.isArray(over)) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over as Record<string, unknown>)) {
    if (!(key in base)) throw new Error(`unknown setting "${key}"`);
    const current = (base as Record<string, unknown>)[key];
    if (current && typeof current === 'object' && !Array.isArray(current)) out[key] = merge(current as object, value);
    else if (typeof value !== typeof current || Array.isArray(value) !== Array.isArray(current)) throw new Error(`setting "${key}" must be ${Array.isArray(current) ? 'a list' : `a ${typeof current}`}`);
    else out[key] = value;
  }
  return out as T;
}

/** The defaults, overlaid with `path` (YAML or JSON) when it exists. `required`: a missing file is an error. */
export function loadConfig(path = 'nhi.config.yml', required = false): NhiConfig {
  if (!existsSync(path)) {
    if (required) throw new Error(`no config file ${path}`);
    return DEFAULT_CONFIG;
  }
  try {
    return merge(DEFAULT_CONFIG, parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new Error(`config ${path}: ${(error as Error).message}`);
  }
}
