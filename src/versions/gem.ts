/**
 * RubyGems versions, ordered as Gem::Version orders them: the version (with `-` read as
 * `.pre.`) is cut into runs of digits and runs of letters; trailing zeros of the numeric part and
 * of the prerelease part are dropped (1.0 = 1, 1.0.a = 1.a); then segment by segment, numbers
 * numerically, letters as strings, and letters before numbers, so any version with a letter is a
 * prerelease of the numbers before it (1.2.4.beta < 1.2.4). Missing segments count as 0.
 *
 * Gem::Version refuses strings such as `1beta` (no dot before the letters); they still appear in
 * feeds, so a string of digits, letters, dots and hyphens that starts with a digit is read by the
 * same rules.
 */
import { compareDigits, compareStrings, stripZeros } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

/** A segment: a digit string without leading zeros, or a run of letters. */
export type Segment = { num: string } | string;

export interface GemVersion {
  /** Gem::Version#canonical_segments. */
  readonly segments: readonly Segment[];
  /** Gem::Version#segments: every segment as written, for #bump and #release. */
  readonly raw: readonly Segment[];
}

const LENIENT = /^[0-9][0-9A-Za-z.-]*$/;

export function parseGem(v: string): GemVersion | undefined {
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH || !LENIENT.test(s)) return undefined;
  const segments: Segment[] = (s.replaceAll('-', '.pre.').match(/[0-9]+|[a-z]+/gi) ?? []).map((x) => (/^\d/.test(x) ? { num: stripZeros(x) } : x));
  // Trailing zeros go from the release part (before the first letters) and from the rest.
  const firstString = segments.findIndex((x) => typeof x === 'string');
  const release = firstString === -1 ? segments : segments.slice(0, firstString);
  const pre = firstString === -1 ? [] : segments.slice(firstString);
  return { segments: [...dropTrailingZeros(release), ...dropTrailingZeros(pre)], raw: segments };
}

function dropTrailingZeros(list: Segment[]): Segment[] {
  let n = list.length;
  while (n > 0 && isZero(list[n - 1] as Segment)) n--;
  return list.slice(0, n);
}

function isZero(x: Segment): boolean {
  return typeof x !== 'string' && x.num === '';
}

const ZERO: Segment = { num: '' };

export function compareGem(a: GemVersion, b: GemVersion): Cmp {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i] ?? ZERO;
    const y = b.segments[i] ?? ZERO;
    if (typeof x === 'string' || typeof y === 'string') {
      if (typeof x !== 'string') return 1;
      if (typeof y !== 'string') return -1;
      const r = compareStrings(x, y);
      if (r !== 0) return r;
    } else {
      const r = compareDigits(x.num, y.num);
      if (r !== 0) return r;
    }
  }
  return 0;
}

export const gem: VersionScheme<GemVersion> = { name: 'gem', parse: parseGem, compare: compareGem };
