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

/** The parts of a purl of a type below; qualifiers with empty values are left out. */
export interface PurlParts {
  type: 'deb' | 'rpm' | 'apk' | 'oci';
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string>;
}

/** Per type, what the purl spec's type definitions fold to lower case. */
const LOWER: Record<PurlParts['type'], { namespace: boolean; name: boolean }> = {
  deb: { namespace: true, name: true },
  apk: { namespace: true, name: true },
  rpm: { namespace: true, name: false },
  oci: { namespace: false, name: true },
};

/**
 * The canonical purl string, exactly as packageurl-js writes it for these types (components
 * trimmed, the type's case folding, empty namespace segments and qualifier values dropped,
 * qualifiers sorted by key, each component percent-encoded with ':' kept in the namespace and
 * version and '+' in the version, qualifiers form-encoded with spaces as %20); purl.test.ts
 * checks it against packageurl-js. Written here because loading packageurl-js costs every `sbom`
 * run about 20 ms of start-up, more than making all of its purls.
 */
export function formatPurl(p: PurlParts): string {
  const lower = LOWER[p.type];
  let name = p.name.trim();
  if (lower.name) name = name.toLowerCase();
  if (name === '') throw new Error('Invalid purl: "name" is a required component');
  let out = `pkg:${p.type}/`;
  let namespace = p.namespace?.split('/').filter((s) => s !== '').join('/');
  if (namespace && lower.namespace) namespace = namespace.toLowerCase();
  if (namespace) out += `${encodeURIComponent(namespace).replace(/%3A/g, ':').replace(/%2F/g, '/')}/`;
  out += encodeURIComponent(name);
  const version = p.version?.trim();
  if (version) out += `@${encodeURIComponent(version).replace(/%3A/g, ':').replace(/%2B/g, '+')}`;
  const kept = new Map<string, string>();
  for (const [key, value] of Object.entries(p.qualifiers ?? {})) if (value.trim() !== '') kept.set(key.toLowerCase(), value.trim());
  if (kept.size > 0) out += `?${new URLSearchParams([...kept].sort(([a], [b]) => (a < b ? -1 : 1))).toString().replace(/\+/g, '%20')}`;
  return out;
}

/** Split "[epoch:]rest" as dpkg and rpm write it. */
export function splitEpoch(version: string): { epoch?: number; rest: string } {
  const m = /^(\d+):(.*)$/.exec(version);
  return m ? { epoch: Number(m[1]), rest: m[2]! } : { rest: version };
}

export function purlOf(pkg: RawPackage, ecosystem: string, os: OSInfo | undefined): string {
  const qualifiers: Record<string, string> = {};
  if (pkg.arch) qualifiers.arch = pkg.arch;
  let type: PurlParts['type'];
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
  return formatPurl({ type, namespace, name: pkg.name, version, qualifiers });
}
