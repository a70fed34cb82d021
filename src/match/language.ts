/**
 * Language packages: filed under the ecosystem alone (`npm`, `pypi`, ...) and the package name
 * in the form the registry treats as identical: PEP 503 for PyPI (`Flask_Cors` → `flask-cors`),
 * `group:artifact` for Maven, lower case for NuGet and Composer (case-insensitive registries),
 * as published for npm, Go, crates.io and RubyGems.
 */
import { packageKey } from '../vulndb/index.ts';
import type { FamilyMatcher } from './family.ts';

export const LANGUAGE_ECOSYSTEMS: ReadonlySet<string> = new Set(['npm', 'pypi', 'maven', 'go', 'cargo', 'gem', 'nuget', 'composer']);

export const languageMatcher: FamilyMatcher = {
  name: 'language',
  kind: 'language',
  handles: (ecosystem) => LANGUAGE_ECOSYSTEMS.has(ecosystem),
  keys: (pkg) => [pkg.ecosystem],
  // The key the database files the package under: the DB build uses the same function.
  names: (pkg) => [packageKey(pkg.ecosystem, pkg.name)],
  version: (pkg) => pkg.version,
  // All language advisories come through OSV (GHSA, PyPA, Go, RustSec, ...); none outranks another.
  sourceRank: () => 0,
};
