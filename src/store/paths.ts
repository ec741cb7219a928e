import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** `--db`, else `NHI_DB`, else `$XDG_DATA_HOME/nhi/nhi.db`, else `~/.local/share/nhi/nhi.db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NHI_DB) return env.NHI_DB;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'nhi', 'nhi.db');
}

/** The store key lives beside the database it protects. */
export function keyFileFor(dbPath: string): string {
  return join(dirname(dbPath), 'hash.key');
}
