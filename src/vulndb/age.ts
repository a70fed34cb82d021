/**
 * How old a database is, and the warning scans print when it is older than `--db-max-age`.
 *
 * `--db-max-age DURATION` (scan, gate, webhook): a duration such as `36h`, `5d`, `90m` or a plain
 * number of hours; `0` turns the warning off. Default DEFAULT_DB_MAX_AGE (120 hours, the same
 * default Grype uses for its `max-allowed-built-age`). The age is measured from the database's
 * build time (`db info` "built"), not from its feeds' timestamps. Older than that, a scan prints
 * dbAgeWarning()'s line on stderr and still reaches a verdict; a policy that must fail on it
 * uses `maxDbAgeHours` (src/policy/status/).
 */
import type { DbInfo } from './types.ts';

export const DEFAULT_DB_MAX_AGE = '120h';

export interface DbAge {
  /** The build time, or undefined when the database does not record a readable one. */
  builtAt?: Date;
  /** Milliseconds since the build (negative when built "in the future", by a skewed clock). */
  ms?: number;
  /** `3.2 hours`, `12.0 days`, `unknown`. */
  text: string;
}

export function dbAge(info: Pick<DbInfo, 'builtAt'>, now: Date = new Date()): DbAge {
  const builtAt = new Date(info.builtAt);
  if (!info.builtAt || Number.isNaN(builtAt.getTime())) return { text: 'unknown' };
  const ms = now.getTime() - builtAt.getTime();
  return { builtAt, ms, text: formatAge(ms) };
}

export function formatAge(ms: number): string {
  const hours = Math.abs(ms) / 3_600_000;
  const text = hours < 1 ? `${Math.round(hours * 60)} minutes` : hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
  return ms < 0 ? `${text} in the future` : text;
}

/** The warning line for a database older than `maxAgeMs` (0: never), or undefined. */
export function dbAgeWarning(info: Pick<DbInfo, 'builtAt'>, maxAgeMs: number, now: Date = new Date()): string | undefined {
  if (maxAgeMs <= 0) return undefined;
  const age = dbAge(info, now);
  if (age.ms === undefined) return 'vulnerability database has no readable build time; update it with "portcullis db update"';
  if (age.ms <= maxAgeMs) return undefined;
  return `vulnerability database built ${age.builtAt!.toISOString()} is ${age.text} old (older than --db-max-age ${formatAge(maxAgeMs)}); update it with "portcullis db update"`;
}
