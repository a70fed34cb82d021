/**
 * The RPM distributions (Red Hat and its rebuilds, Oracle, Fedora, Amazon, SUSE, Photon, Azure
 * Linux, ...): advisories name binary packages, filed under the major release (`redhat:9`,
 * `alma:8`) or the service pack (`sles:15.5`). Versions compare as `epoch:version-release`.
 */
import type { Package } from '../inventory/index.ts';
import type { AffectedRecord } from '../vulndb/index.ts';
import { fixedVersionsOf } from './evaluate.ts';
import type { FamilyMatcher } from './family.ts';
import { releaseKey } from './os-release.ts';
import { RPM_FAMILIES } from './versions.ts';

/** How `ratings[].source` names each family's vendor (the OSV publisher of its advisories). */
const VENDOR: Record<string, string> = {
  redhat: 'redhat', centos: 'redhat', 'centos-stream': 'redhat', alma: 'almalinux', rocky: 'rocky', oracle: 'oracle',
  'opensuse-leap': 'suse', 'opensuse-tumbleweed': 'suse', sles: 'suse', slem: 'suse',
};

/** `…module_el8.6.0+2867+72759d2f` (AlmaLinux, Rocky), `…module+el8.6.0+14713+f7f5a3b3` (Red Hat). */
const MODULE_BUILD = /\bmodule[_+]el\d/;

/**
 * A module stream's build and the plain package of the same name are different packages: the
 * release of one (`3.module_el8…`) compared with the other's (`3.el8`) says nothing about a
 * fix. So a row whose fixes are all module builds speaks only about packages installed from a
 * module (modularity label, or a module release), and a row of plain builds only about plain
 * packages; rows without a fix, or with both kinds, speak about both.
 */
export function moduleKindMatches(pkg: Package, row: AffectedRecord): boolean {
  const fixes = fixedVersionsOf(row);
  if (fixes.length === 0) return true;
  const modular = fixes.filter((f) => MODULE_BUILD.test(f)).length;
  if (modular !== 0 && modular !== fixes.length) return true;
  const installedModular = Boolean(pkg.modularityLabel) || MODULE_BUILD.test(pkg.version);
  return (modular > 0) === installedModular;
}

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
  applies: moduleKindMatches,
  vendor: (pkg) => VENDOR[pkg.ecosystem] ?? pkg.ecosystem,
};
