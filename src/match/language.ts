/**
 * Language packages: filed under the ecosystem alone (`npm`, `pypi`, ...) and the package name
 * in the form the registry treats as identical: PEP 503 for PyPI (`Flask_Cors` → `flask-cors`),
 * `group:artifact` for Maven, lower case for NuGet and Composer (case-insensitive registries),
 * as published for npm, Go, crates.io and RubyGems.
 */
import type { FamilyMatcher } from './family.ts';

export const LANGUAGE_ECOSYSTEMS: ReadonlySet<string> = new Set(['npm', 'pypi', 'maven', 'go', 'cargo', 'gem', 'nuget', 'composer']);

export function normaliseName(ecosystem: string, name: string): string {
  const n = name.trim();
  switch (ecosystem) {
    case 'pypi':
      return n.toLowerCase().replace(/[-_.]+/g, '-');
    case 'nuget':
    case 'composer':
      return n.toLowerCase();
    case 'maven':
      // A purl-style "group/artifact" is the same package as "group:artifact".
      return n.includes(':') ? n : n.replace('/', ':');
    default:
      return n;
  }
}

export const languageMatcher: FamilyMatcher = {
  name: 'language',
  kind: 'language',
  handles: (ecosystem) => LANGUAGE_ECOSYSTEMS.has(ecosystem),
  keys: (pkg) => [pkg.ecosystem],
  names: (pkg) => [normaliseName(pkg.ecosystem, pkg.name)],
  version: (pkg) => pkg.version,
  // All language advisories come through OSV (GHSA, PyPA, Go, RustSec, ...); none outranks another.
  sourceRank: () => 0,
};
