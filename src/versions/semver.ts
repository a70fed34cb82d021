/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), as npm's `semver` and Cargo apply it:
 * major.minor.patch numerically, then a version with a prerelease sorts before the same version
 * without; prerelease identifiers compare pairwise (numeric ones numerically and below
 * alphanumeric ones, which compare in ASCII order), more identifiers win. Build metadata is
 * ignored.
 *
 * The parse is lenient in the ways feeds and lock files need: a leading `v` or `=`, missing
 * minor/patch (`1.2` is 1.2.0), leading zeros, and a fourth or later dotted part, which (as in
 * the reference orderings) counts as build metadata. Numbers are kept as digit strings, so
 * 30-digit components still compare exactly.
 */
import { compareDigits, compareStrings, sign, stripZeros } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

export interface SemVer {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** Prerelease identifiers; empty for a release. */
  readonly pre: readonly string[];
  /** Build metadata (without `+`), '' when none; never compared. */
  readonly build: string;
}

const LENIENT = /^[v=]?\s*(\d+)(?:\.(\d+)(?:\.(\d+)(?:\.([0-9A-Za-z.-]+))?)?)?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/i;
const NUMERIC = /^\d+$/;

export function parseSemver(v: string): SemVer | undefined {
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH) return undefined;
  const m = LENIENT.exec(s);
  if (!m) return undefined;
  const [, major, minor, patch, extra, pre, build] = m;
  // Parts after major.minor.patch (`1.2.3.4-x`) count as build metadata, as in the reference orderings.
  const buildParts = [extra, build].filter((x): x is string => x !== undefined);
  // `1-alpha` and `1.2-alpha` are not semver (npm refuses them); keep them out.
  if (pre !== undefined && patch === undefined) return undefined;
  if (pre?.split('.').some((id) => id === '')) return undefined;
  return {
    major: stripZeros(major as string) || '0',
    minor: stripZeros(minor ?? '0') || '0',
    patch: stripZeros(patch ?? '0') || '0',
    pre: pre === undefined ? [] : pre.split('.'),
    build: buildParts.join('+'),
  };
}

/** Order of two prerelease identifiers; NuGet compares the alphanumeric ones case-insensitively. */
export function compareIdentifier(a: string, b: string, ignoreCase = false): Cmp {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) return compareDigits(a, b);
  if (an !== bn) return an ? -1 : 1;
  return ignoreCase ? compareStrings(a.toLowerCase(), b.toLowerCase()) : compareStrings(a, b);
}

/** A release beats its prereleases; otherwise identifier by identifier, more identifiers win. */
export function comparePrerelease(a: readonly string[], b: readonly string[], ignoreCase = false): Cmp {
  if (a.length === 0 || b.length === 0) return sign(b.length - a.length);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareIdentifier(a[i] as string, b[i] as string, ignoreCase);
    if (r !== 0) return r;
  }
  return sign(a.length - b.length);
}

export function compareSemver(a: SemVer, b: SemVer): Cmp {
  return compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch) || comparePrerelease(a.pre, b.pre);
}

export const semver: VersionScheme<SemVer> = { name: 'semver', parse: parseSemver, compare: compareSemver };
