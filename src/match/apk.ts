/**
 * Alpine, Wolfi and Chainguard (apk). Alpine files advisories under the origin (source)
 * package and the branch (`alpine:3.20`), the Alpine secdb speaking before Alpine's OSV
 * records. Wolfi and Chainguard are rolling (`wolfi`, `chainguard`): their OSV records name
 * binary packages and their secdb names origins, so both names are looked up.
 */
import type { FamilyMatcher } from './family.ts';
import { releaseKey } from './os-release.ts';

const RANK: Record<string, number> = { 'alpine-secdb': 0, osv: 1 };

export const apkMatcher: FamilyMatcher = {
  name: 'apk',
  kind: 'os',
  handles: (ecosystem) => ecosystem === 'alpine' || ecosystem === 'wolfi' || ecosystem === 'chainguard',
  keys(pkg, os) {
    const key = releaseKey(pkg, os);
    return key ? [key] : [];
  },
  names(pkg) {
    const origin = pkg.source?.name ?? pkg.name;
    if (pkg.ecosystem === 'alpine' || origin === pkg.name) return [origin];
    return [pkg.name, origin];
  },
  version: (pkg) => pkg.version,
  sourceRank: (source) => RANK[source] ?? 2,
  vendor: (pkg) => pkg.ecosystem,
};
