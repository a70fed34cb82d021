/**
 * Version schemes: the public face of src/versions (one file per scheme). A leaf of the
 * pipeline: the DB and the matcher use it, it uses nothing of theirs. Matching never compares
 * version strings itself; it asks here.
 */
import { VersionError } from '../errors.ts';
import { affectedBy, type VersionRange } from './affected.ts';
import { apk } from './apk.ts';
import { composer } from './composer.ts';
import { deb } from './deb.ts';
import { gem } from './gem.ts';
import { go } from './go.ts';
import { maven } from './maven.ts';
import { nuget } from './nuget.ts';
import { pep440 } from './pep440.ts';
import { rpm } from './rpm.ts';
import { semver, type SemVer } from './semver.ts';
import { compileRange, type SatisfiesOptions } from './satisfies.ts';
import { MAX_VERSION_LENGTH, type Cmp, type SchemeName, type VersionScheme } from './types.ts';

export type { Cmp, SchemeName, VersionScheme } from './types.ts';
export type { RangeEvent, VersionRange } from './affected.ts';
export { schemeForEcosystem } from './ecosystems.ts';
export { MAX_VERSION_LENGTH } from './types.ts';
export type { RangeTest, SatisfiesOptions } from './satisfies.ts';

/**
 * Parsing dominates matching (the same fixed versions recur across advisories and packages), so
 * each scheme's parse is memoised. Parsed versions are never mutated, so sharing them is safe;
 * the memo is bounded and simply starts over when full.
 */
const MEMO_SIZE = 50_000;

function memoised<P>(scheme: VersionScheme<P>): VersionScheme<P> {
  let memo = new Map<string, P | undefined>();
  return {
    name: scheme.name,
    compare: scheme.compare,
    parse(v: string): P | undefined {
      // Over-long strings are refused at once; keeping them would let input grow the memo.
      if (v.length > MAX_VERSION_LENGTH) return undefined;
      const known = memo.get(v);
      if (known !== undefined || memo.has(v)) return known;
      const p = scheme.parse(v);
      if (memo.size >= MEMO_SIZE) memo = new Map();
      memo.set(v, p);
      return p;
    },
  };
}

const ALL: readonly VersionScheme[] = [deb, apk, rpm, semver, pep440, maven, go, gem, nuget, composer] as VersionScheme[];

const SCHEMES = Object.fromEntries(ALL.map((s) => [s.name, memoised(s)])) as Record<SchemeName, VersionScheme>;

/** Every scheme name, in a stable order. */
export const SCHEME_NAMES: readonly SchemeName[] = ALL.map((s) => s.name);

export function isSchemeName(name: string): name is SchemeName {
  return (SCHEME_NAMES as readonly string[]).includes(name);
}

/** The scheme of that name; throws VersionError (UNKNOWN_SCHEME) for any other name. */
export function getScheme(name: SchemeName): VersionScheme;
export function getScheme(name: string): VersionScheme;
export function getScheme(name: string): VersionScheme {
  const scheme = isSchemeName(name) ? SCHEMES[name] : undefined;
  if (!scheme) throw new VersionError('UNKNOWN_SCHEME', `unknown version scheme ${JSON.stringify(name.slice(0, 40))}`);
  return scheme;
}

/** Shortens what goes into an error message: versions come from outside. */
function quote(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

function parseOrThrow(s: VersionScheme, v: string): unknown {
  const p = s.parse(v);
  if (p === undefined) throw new VersionError('BAD_VERSION', `${quote(v)} is not a valid ${s.name} version`);
  return p;
}

/** Parses or throws VersionError (BAD_VERSION, or UNKNOWN_SCHEME). */
export function parseVersion(scheme: string, v: string): unknown {
  return parseOrThrow(getScheme(scheme), v);
}

/** -1, 0 or 1; throws VersionError for an unparsable version (BAD_VERSION) or an unknown scheme (UNKNOWN_SCHEME). */
export function compareVersions(scheme: string, a: string, b: string): Cmp {
  const s = getScheme(scheme);
  return s.compare(parseOrThrow(s, a), parseOrThrow(s, b));
}

/**
 * OSV semantics (osv.dev schema "Evaluation"): introduced '0' = from the beginning, fixed
 * exclusive, last_affected inclusive, limit; several ranges OR'ed; an explicit `versions` list
 * matches too. SEMVER ranges compare with semver whatever the scheme. An unparsable installed
 * version gives false and throws nothing; an unknown scheme throws VersionError.
 */
export function isAffected(scheme: SchemeName | (string & {}), version: string, ranges: readonly VersionRange[], versions?: readonly string[]): boolean {
  return affectedBy(getScheme(scheme), SCHEMES.semver as VersionScheme<SemVer>, version, ranges, versions);
}

/**
 * The scheme's own range syntax: npm ranges for semver (`^1.2`, `~1.2.3`, `>=1 <2 || 3.x`,
 * hyphen ranges, x-ranges, npm's prerelease rule), PEP 440 specifiers (`>=1.0,!=1.3.*`), Maven
 * ranges (`[1.0,2.0)`, unions), gem requirements (`~> 1.2`), Composer constraints
 * (`^1.2 || ~2.0`), NuGet ranges (`[1.0, 2.0)`), and comparator lists (`>= 1.0, << 2.0`) for
 * deb, apk, rpm and go. An unparsable version gives false; an invalid range throws VersionError
 * (BAD_RANGE), as does an unknown scheme (UNKNOWN_SCHEME).
 */
export function satisfies(scheme: SchemeName | (string & {}), version: string, range: string, options?: SatisfiesOptions): boolean {
  const s = getScheme(scheme);
  const test = compileRange(s, range, options);
  const parsed = s.parse(version);
  return parsed !== undefined && test(version, parsed);
}

/** A range parsed once, for testing many versions: `rangeTest('semver', '^1.2')('1.4.0')`. */
export function rangeTest(scheme: SchemeName | (string & {}), range: string, options?: SatisfiesOptions): (version: string) => boolean {
  const s = getScheme(scheme);
  const test = compileRange(s, range, options);
  return (version) => {
    const parsed = s.parse(version);
    return parsed !== undefined && test(version, parsed);
  };
}
