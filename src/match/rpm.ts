/**
 * The RPM distributions (Red Hat and its rebuilds, Oracle, Fedora, Amazon, SUSE, Photon, Azure
 * Linux, ...): advisories name binary packages, filed under the major release (`redhat:9`,
 * `alma:8`) or the service pack (`sles:15.5`). Versions compare as `epoch:version-release`.
 */
import type { Package } from '../inventory/index.ts';
import type { FamilyMatcher } from './family.ts';
import { releaseKey } from './os-release.ts';
import { RPM_FAMILIES } from './versions.ts';

/** How `ratings[].source` names each family's vendor (the OSV publisher of its advisories). */
const VENDOR: Record<string, string> = {
  redhat: 'redhat', centos: 'redhat', 'centos-stream': 'redhat', alma: 'almalinux', rocky: 'rocky', oracle: 'oracle',
  'opensuse-leap': 'suse', 'opensuse-tumbleweed': 'suse', sles: 'suse', slem: 'suse',
};

/** The full rpm version: the inventory keeps the epoch beside the version when the version omits it. */
export function rpmVersion(pkg: Package): string {
  if (pkg.epoch && !/^\d+:/.test(pkg.version)) return `${pkg.epoch}:${pkg.version}`;
  return pkg.version;
}

export const rpmMatcher: FamilyMatcher = {
  name: 'rpm',
  kind: 'os',
  handles: (ecosystem) => RPM_FAMILIES.has(ecosystem),
  keys(pkg, os) {
    const key = releaseKey(pkg, os);
    if (!key) return [];
    // CentOS has no advisories of its own: it is rebuilt from RHEL sources and fixed when RHEL
    // is, so Red Hat's are its advisories (as in Trivy and Grype).
    if (pkg.ecosystem === 'centos') return [key, key.replace(/^centos:/, 'redhat:')];
    return [key];
  },
  names: (pkg) => [pkg.name],
  version: rpmVersion,
  sourceRank: () => 0,
  vendor: (pkg) => VENDOR[pkg.ecosystem] ?? pkg.ecosystem,
};
