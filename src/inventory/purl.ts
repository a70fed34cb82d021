import { PackageURL } from 'packageurl-js';
import type { OSInfo, PackageManager, RawPackage } from './types.ts';

/**
 * purl namespaces per OS family, as the purl spec's type definitions and the major SBOM tools
 * write them (e.g. pkg:rpm/almalinux/..., pkg:rpm/opensuse/...).
 */
const RPM_NAMESPACE: Record<string, string> = {
  redhat: 'redhat', centos: 'centos', 'centos-stream': 'centos', rocky: 'rocky', alma: 'almalinux', oracle: 'oracle',
  fedora: 'fedora', amazon: 'amazon', 'opensuse-leap': 'opensuse', 'opensuse-tumbleweed': 'opensuse', sles: 'suse',
  slem: 'suse', photon: 'photon', 'cbl-mariner': 'mariner', azurelinux: 'azurelinux', coreos: 'fedora',
};

const DEFAULT_FAMILY: Record<PackageManager, string> = { dpkg: 'debian', apk: 'alpine', rpm: 'redhat' };

/** The OS family a manager's packages belong to: the detected OS, else the manager's usual one. */
export function ecosystemOf(manager: PackageManager, os: OSInfo | undefined): string {
  if (os) {
    if (manager === 'dpkg' && (os.family === 'debian' || os.family === 'ubuntu')) return os.family;
    if (manager === 'apk' && (os.family === 'alpine' || os.family === 'wolfi' || os.family === 'chainguard')) return os.family;
    if (manager === 'rpm' && os.family in RPM_NAMESPACE) return os.family;
  }
  return DEFAULT_FAMILY[manager];
}

/** `distro` qualifier: Debian by major release (debian-12), others by the version they report. */
function distroQualifier(family: string, os: OSInfo | undefined): string | undefined {
  if (!os || os.family !== family || !os.version) return undefined;
  const version = family === 'debian' ? os.version.split('.')[0] : os.version;
  return `${family}-${version}`;
}

/** Split "[epoch:]rest" as dpkg and rpm write it. */
export function splitEpoch(version: string): { epoch?: number; rest: string } {
  const m = /^(\d+):(.*)$/.exec(version);
  return m ? { epoch: Number(m[1]), rest: m[2]! } : { rest: version };
}

export function purlOf(pkg: RawPackage, ecosystem: string, os: OSInfo | undefined): string {
  const qualifiers: Record<string, string> = {};
  if (pkg.arch) qualifiers.arch = pkg.arch;
  let type: string;
  let namespace: string;
  let version = pkg.version;
  if (pkg.manager === 'rpm') {
    type = 'rpm';
    namespace = RPM_NAMESPACE[ecosystem] ?? ecosystem;
    const { epoch, rest } = splitEpoch(pkg.version);
    version = rest;
    const e = pkg.epoch ?? epoch;
    if (e) qualifiers.epoch = String(e);
  } else if (pkg.manager === 'dpkg') {
    type = 'deb';
    namespace = ecosystem;
  } else {
    type = 'apk';
    namespace = ecosystem;
  }
  const distro = distroQualifier(ecosystem, os);
  if (distro) qualifiers.distro = distro;
  return new PackageURL(type, namespace, pkg.name, version, qualifiers, undefined).toString();
}
