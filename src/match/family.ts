import type { OSInfo, Package } from '../inventory/index.ts';
import type { AffectedRecord } from '../vulndb/index.ts';

/**
 * What differs between ecosystem families when joining an inventory with the database: under
 * which ecosystem keys and package names a package's advisories are filed, which version to
 * compare, and which sources speak for the distribution. Everything else (range evaluation,
 * folding aliases, severity, enrichment) is shared (match.ts).
 */
export interface FamilyMatcher {
  name: string;
  /** OS matchers take their packages' release from the image's OS; language ones do not. */
  kind: 'os' | 'language';
  /** Whether this matcher takes packages of this `Package.ecosystem`. */
  handles(ecosystem: string): boolean;
  /** Database ecosystem keys the package's advisories are filed under (none: cannot be matched). */
  keys(pkg: Package, os: OSInfo | undefined): string[];
  /** Package names to look up, in the database's normalised form. */
  names(pkg: Package): string[];
  /** The version to compare against the advisories' ranges, in the ecosystem's full form. */
  version(pkg: Package): string;
  /**
   * Rank of a source for this package: lower speaks with more authority. For OS packages the
   * best-ranked source that has anything to say about a (vulnerability, package) decides it.
   */
  sourceRank(source: string): number;
  /** Who the distribution is, as `ratings[].source` names it (debian, ubuntu, almalinux, ...). */
  vendor?(pkg: Package): string;
  /** Whether a row can speak about this package at all (rpm: module builds vs plain builds). Default: yes. */
  applies?(pkg: Package, row: AffectedRecord): boolean;
}
