import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the database lives when no `--db PATH` is given: `$PORTCULLIS_DB`, else
 * `$XDG_CACHE_HOME/portcullis/db/portcullis.db`, else `~/.cache/portcullis/db/portcullis.db`.
 * `scan`, `gate`, the webhook and every `db` command resolve it the same way.
 */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTCULLIS_DB) return env.PORTCULLIS_DB;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const cache = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache');
  return join(cache, 'portcullis', 'db', 'portcullis.db');
}

/** `--db PATH` if given, else the default location. */
export function dbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag && flag.length > 0 ? flag : defaultDbPath(env);
}
