/**
 * `satisfies`: a version against a range written in its scheme's own range language. One
 * dispatcher; each language lives in ranges/.
 */
import { VersionError } from '../errors.ts';
import { comparatorsSatisfy, parseComparators } from './ranges/comparators.ts';
import { composerSatisfies, parseComposerConstraint } from './ranges/composer.ts';
import { gemSatisfies, parseGemRequirement } from './ranges/gem.ts';
import { mavenSatisfies, parseMavenRange } from './ranges/maven.ts';
import { npmSatisfies, parseNpmRange } from './ranges/npm.ts';
import { nugetSatisfies, parseNuGetRange } from './ranges/nuget.ts';
import { parsePep440Specifiers, pep440Satisfies } from './ranges/pep440.ts';
import type { GemVersion } from './gem.ts';
import type { MavenVersion } from './maven.ts';
import type { NuGetVersion } from './nuget.ts';
import type { Pep440Version, PythonVersion } from './pep440.ts';
import type { SemVer } from './semver.ts';
import type { VersionScheme } from './types.ts';

export interface SatisfiesOptions {
  /**
   * npm and PEP 440 keep pre-releases out of ranges that do not name one (`^1.2.3` does not
   * admit 1.5.0-beta); set this to let them in, as `semver`'s includePrerelease and
   * `packaging`'s prereleases=True do.
   */
  includePrerelease?: boolean;
}

function badRange(scheme: string, range: string): VersionError {
  const shown = range.length > 80 ? `${range.slice(0, 80)}…` : range;
  return new VersionError('BAD_RANGE', `${JSON.stringify(shown)} is not a valid ${scheme} range`);
}

/** Tests one version (as written and as parsed by its scheme) against a compiled range. */
export type RangeTest = (version: string, parsed: unknown) => boolean;

/** Parses a range once, throwing VersionError (BAD_RANGE) when it is not valid in the scheme's language. */
export function compileRange(scheme: VersionScheme, range: string, options: SatisfiesOptions = {}): RangeTest {
  const inc = options.includePrerelease ?? false;
  const need = <R>(r: R | undefined): R => {
    if (r === undefined) throw badRange(scheme.name, range);
    return r;
  };
  switch (scheme.name) {
    case 'semver': {
      const r = need(parseNpmRange(range, inc));
      return (_v, p) => npmSatisfies(p as SemVer, r, inc);
    }
    case 'pep440': {
      const r = need(parsePep440Specifiers(range));
      // packaging refuses non-PEP 440 (legacy) versions outright.
      return (_v, p) => !(p as PythonVersion).legacy && pep440Satisfies(p as Pep440Version, r, inc);
    }
    case 'maven': {
      const r = need(parseMavenRange(range));
      return (_v, p) => mavenSatisfies(p as MavenVersion, r);
    }
    case 'gem': {
      const r = need(parseGemRequirement(range));
      return (_v, p) => gemSatisfies(p as GemVersion, r);
    }
    case 'nuget': {
      const r = need(parseNuGetRange(range));
      return (_v, p) => nugetSatisfies(p as NuGetVersion, r);
    }
    case 'composer': {
      const r = need(parseComposerConstraint(range));
      return (v) => composerSatisfies(v, r);
    }
    default: {
      const r = need(parseComparators(scheme, range));
      return (v, p) => comparatorsSatisfy(scheme, p, v.trim(), r);
    }
  }
}
