/**
 * Debian and Ubuntu: advisories are filed under the source package (`openssl` for `libssl3`)
 * and the release (`debian:12`, `ubuntu:22.04`); the Debian security tracker speaks for Debian
 * before Debian's OSV records, Canonical's OSV records for Ubuntu. Ubuntu Pro streams
 * (`ubuntu:22.04:pro`) are not looked up: their fixes are not in the public archive.
 */
import type { Package } from '../inventory/index.ts';
import type { FamilyMatcher } from './family.ts';
import { releaseKey } from './os-release.ts';

const RANK: Record<string, number> = { 'debian-tracker': 0, osv: 1 };

export const dpkgMatcher: FamilyMatcher = {
  name: 'dpkg',
  kind: 'os',
  handles: (ecosystem) => ecosystem === 'debian' || ecosystem === 'ubuntu',
  keys(pkg, os) {
    const key = releaseKey(pkg, os);
    return key ? [key] : [];
  },
  names: (pkg) => [pkg.source?.name ?? pkg.name],
  // Fixed versions are source versions; a binNMU (+b1) or a binary with its own version
  // (gcc-defaults) would compare wrongly against them.
  version: (pkg: Package) => pkg.source?.version ?? pkg.version,
  sourceRank: (source) => RANK[source] ?? 2,
  vendor: (pkg) => pkg.ecosystem,
};
