/** Durations and sizes as users write them on the command line. */
import { UsageError } from '../errors.ts';

const TIME: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `36h`, `5d`, `90m`, `2w`, `30s`, or a plain number in `unit`, as milliseconds. */
export function parseDuration(text: string, unit: 's' | 'm' | 'h' | 'd' = 'h'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(text);
  if (!m) throw new UsageError('BAD_DURATION', `"${text}" is not a duration (use e.g. 36h, 5d, 90m, 30s)`);
  return Number(m[1]) * TIME[(m[2] || unit).toLowerCase()]!;
}

const SIZE: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `500M`, `4G`, `4GiB`, `1024` (bytes), as bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m || Number(m[1]) <= 0) throw new UsageError('BAD_SIZE', `"${text}" is not a size (use e.g. 500M, 4G)`);
  return Math.floor(Number(m[1]) * SIZE[m[2]!.toLowerCase()]!);
}
