/**
 * NuGet versions (NuGetVersion): SemVer 2.0 with up to four numbers (a legacy fourth "revision";
 * missing numbers are 0, so 1.0 = 1.0.0.0), leading zeros allowed, a release sorting after its
 * prereleases, prerelease labels compared as in SemVer but case-insensitively, and build
 * metadata ignored.
 */
import { compareDigits, compareLists, stripZeros } from './numbers.ts';
import { comparePrerelease } from './semver.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

export interface NuGetVersion {
  /** Exactly four digit strings without leading zeros. */
  readonly numbers: readonly string[];
  readonly pre: readonly string[];
}

const NUGET = /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseNuGet(v: string): NuGetVersion | undefined {
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH) return undefined;
  const m = NUGET.exec(s);
  if (!m) return undefined;
  const numbers = (m[1] as string).split('.').map(stripZeros);
  while (numbers.length < 4) numbers.push('');
  return { numbers, pre: m[2] === undefined ? [] : m[2].split('.') };
}

export function compareNuGet(a: NuGetVersion, b: NuGetVersion): Cmp {
  return compareLists(a.numbers, b.numbers, compareDigits) || comparePrerelease(a.pre, b.pre, true);
}

export const nuget: VersionScheme<NuGetVersion> = { name: 'nuget', parse: parseNuGet, compare: compareNuGet };
