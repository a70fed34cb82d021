/**
 * The matcher's one door to the version schemes (src/versions/): which scheme an ecosystem
 * uses, whether an installed version can be read, and whether it falls in a source's ranges.
 * Matching never compares version strings itself.
 */
import { VersionError } from '../errors.ts';
import { compareVersions, isAffected, parseVersion, schemeForEcosystem } from '../versions/index.ts';
import type { AffectedRange } from '../vulndb/index.ts';

export const RPM_FAMILIES: ReadonlySet<string> = new Set([
  'redhat', 'centos', 'centos-stream', 'rocky', 'alma', 'oracle', 'fedora', 'amazon', 'opensuse-leap', 'opensuse-tumbleweed',
  'sles', 'slem', 'photon', 'cbl-mariner', 'azurelinux', 'coreos',
]);

/** The scheme of an ecosystem (OS family or language), or undefined when there is none. */
export function schemeOf(ecosystem: string): string | undefined {
  return schemeForEcosystem(ecosystem);
}

/** Why a version cannot be matched: the scheme is not implemented, or the version is not one of it. */
export function unreadable(scheme: string, version: string): 'scheme' | 'version' | undefined {
  try {
    parseVersion(scheme, version);
    return undefined;
  } catch (err) {
    if (err instanceof VersionError && err.code === 'UNKNOWN_SCHEME') return 'scheme';
    if (err instanceof VersionError) return 'version';
    throw err;
  }
}

/** OSV semantics: in one of the ranges, or listed in `versions`. */
export function affects(scheme: string, version: string, ranges: readonly AffectedRange[] | undefined, versions: readonly string[] | undefined): boolean {
  return isAffected(scheme, version, ranges ?? [], versions);
}

export function compare(scheme: string, a: string, b: string): -1 | 0 | 1 {
  return compareVersions(scheme, a, b);
}
