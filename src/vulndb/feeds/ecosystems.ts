/**
 * From the ecosystem and package names feeds publish to the keys the matcher joins on
 * (see ../advisory.ts): OSV ecosystem strings, Debian codenames, Alpine branch names.
 */

export interface EcosystemRef {
  /** The join key: `debian:12`, `ubuntu:22.04:pro`, `wolfi`, `npm`. */
  ecosystem: string;
  family: string;
  release?: string;
  channel?: string;
  nameKind?: 'source' | 'binary';
}

/** OSV language ecosystems and our names for them. */
const LANGUAGES: Record<string, string> = {
  npm: 'npm', PyPI: 'pypi', Go: 'go', Maven: 'maven', 'crates.io': 'cargo', RubyGems: 'gem', NuGet: 'nuget',
  Packagist: 'composer', Pub: 'pub', Hex: 'hex', SwiftURL: 'swift', ConanCenter: 'conan', CRAN: 'cran',
  Hackage: 'hackage', GHC: 'ghc', Bioconductor: 'bioconductor', Julia: 'julia', opam: 'opam',
  'GitHub Actions': 'github-actions', VSCode: 'vscode', Bitnami: 'bitnami',
};

/** OSV OS ecosystems whose suffix is the release, and how they name packages. */
const DISTROS: Record<string, { family: string; nameKind: 'source' | 'binary'; rolling?: boolean }> = {
  Debian: { family: 'debian', nameKind: 'source' },
  Alpine: { family: 'alpine', nameKind: 'source' },
  AlmaLinux: { family: 'alma', nameKind: 'binary' },
  'Rocky Linux': { family: 'rocky', nameKind: 'binary' },
  'Photon OS': { family: 'photon', nameKind: 'binary' },
  'Azure Linux': { family: 'azurelinux', nameKind: 'binary' },
  Mageia: { family: 'mageia', nameKind: 'binary' },
  openEuler: { family: 'openeuler', nameKind: 'binary' },
  Alpaquita: { family: 'alpaquita', nameKind: 'source' },
  Wolfi: { family: 'wolfi', nameKind: 'binary', rolling: true },
  Chainguard: { family: 'chainguard', nameKind: 'binary', rolling: true },
  MinimOS: { family: 'minimos', nameKind: 'binary', rolling: true },
  Echo: { family: 'echo', nameKind: 'source', rolling: true },
};

function slug(text: string): string {
  return text.trim().toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');
}

function ref(family: string, release: string | undefined, channel: string | undefined, nameKind?: 'source' | 'binary'): EcosystemRef {
  const ecosystem = [family, release, channel].filter((p) => p !== undefined && p !== '').join(':');
  const out: EcosystemRef = { ecosystem, family };
  if (release) out.release = release;
  if (channel) out.channel = channel;
  if (nameKind) out.nameKind = nameKind;
  return out;
}

/** `22.04:LTS`, `Pro:22.04:LTS`, `Pro:FIPS-updates:22.04:LTS`, `25.10`. */
function ubuntu(suffix: string): EcosystemRef | undefined {
  const parts = suffix.split(':');
  const release = parts.find((p) => /^\d+\.\d+$/.test(p));
  if (!release) return undefined;
  const channel = parts.filter((p) => p !== release && p !== 'LTS' && p !== '').map(slug).join('-');
  return ref('ubuntu', release, channel || undefined, 'source');
}

/** `enterprise_linux:9::appstream` (CPE-style product, version, repository) or plain `9`. */
function redHat(suffix: string): EcosystemRef | undefined {
  const parts = suffix.split(':');
  if (parts.length === 1) {
    const major = /^(\d+)/.exec(parts[0]!)?.[1];
    return major ? ref('redhat', major, undefined, 'binary') : undefined;
  }
  const [product = '', version = ''] = parts;
  const major = /^(\d+)/.exec(version)?.[1];
  if (!major) return undefined;
  // Only the main product applies to a UBI or RHEL image as published; EUS, AUS, E4S, SAP and
  // layered products ship other builds, whose fixed versions must not be matched by default.
  const main = (product === 'enterprise_linux' || product === 'rhel') && version === major;
  return ref('redhat', major, main ? undefined : `${slug(product)}-${version}`, 'binary');
}

/** `Linux Enterprise Server 15 SP5`, `Linux Enterprise Module for Basesystem 15 SP5`, `Linux Enterprise Micro 5.5`. */
function suse(suffix: string): EcosystemRef | undefined {
  const micro = /^Linux Enterprise Micro (\d+(?:\.\d+)?)$/.exec(suffix);
  if (micro) return ref('slem', micro[1], undefined, 'binary');
  const m = /^(.*?)\s*(\d+)(?: SP(\d+))?$/.exec(suffix);
  if (!m) return undefined;
  const release = m[3] ? `${m[2]}.${m[3]}` : m[2];
  const product = m[1]!.trim();
  // SLES and the modules a container image (BCI) draws its packages from are one package stream.
  const main = product === 'Linux Enterprise Server' || product.startsWith('Linux Enterprise Module for ');
  return ref('sles', release, main ? undefined : slug(product.replace(/^Linux Enterprise /, '')), 'binary');
}

/** `Leap 15.5`, `Leap Micro 5.5`, `Tumbleweed`. */
function openSuse(suffix: string): EcosystemRef | undefined {
  if (suffix === 'Tumbleweed') return ref('opensuse-tumbleweed', undefined, undefined, 'binary');
  const leap = /^Leap (\d+\.\d+)$/.exec(suffix);
  if (leap) return ref('opensuse-leap', leap[1], undefined, 'binary');
  const m = /^(.*?)\s*(\d+(?:\.\d+)?)$/.exec(suffix);
  return m ? ref(`opensuse-${slug(m[1]!)}`, m[2], undefined, 'binary') : undefined;
}

/**
 * Our key for an OSV `affected[].package.ecosystem`; undefined when it names an OS without the
 * release its advisories are filed under (`Debian`, `Ubuntu`), which nothing could match.
 */
export function osvEcosystem(value: string): EcosystemRef | undefined {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const suffix = colon < 0 ? '' : value.slice(colon + 1);
  const language = LANGUAGES[name];
  if (language) return ref(language, undefined, undefined); // suffixes name a registry (Maven:https://…)
  const distro = Object.hasOwn(DISTROS, name) ? DISTROS[name] : undefined;
  if (distro) {
    if (distro.rolling) return ref(distro.family, undefined, undefined, distro.nameKind);
    const release = distro.family === 'alpine' ? suffix.replace(/^v(?=\d)/, '') : suffix;
    return release ? ref(distro.family, release, undefined, distro.nameKind) : undefined;
  }
  switch (name) {
    case 'Ubuntu':
      return ubuntu(suffix);
    case 'Red Hat':
      return redHat(suffix);
    case 'SUSE':
      return suse(suffix);
    case 'openSUSE':
      return openSuse(suffix);
    default: {
      // Ecosystems we have no matcher for yet (Android, Linux, OSS-Fuzz, ...) keep their name.
      const family = slug(name);
      return family ? ref(family, suffix || undefined, undefined) : undefined;
    }
  }
}

/**
 * The name the matcher joins on, for the database and the matcher alike (one function, so the
 * two can never key a package differently): PEP 503 for PyPI (`Flask_Cors` → `flask-cors`),
 * lower case for NuGet and Composer (both case-insensitive registries), `group:artifact` for
 * Maven (a purl-style `group/artifact` is the same package), as published elsewhere.
 */
export function packageKey(family: string, name: string): string {
  const trimmed = name.trim();
  switch (family) {
    case 'pypi':
      return trimmed.toLowerCase().replace(/[-_.]+/g, '-');
    case 'nuget':
    case 'composer':
      return trimmed.toLowerCase();
    case 'maven':
      return trimmed.includes(':') ? trimmed : trimmed.replace('/', ':');
    default:
      return trimmed;
  }
}

/**
 * Debian releases by codename, as the tracker names them (the archive's release numbers; sid is
 * `unstable`, which is what a sid image's release resolves to).
 */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1',
  etch: '4', lenny: '5', squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10', bullseye: '11',
  bookworm: '12', trixie: '13', forky: '14', duke: '15', sid: 'unstable',
};

/** `debian:12` for `bookworm` (also `bookworm-security`, `wheezy-lts`); undefined for codenames we do not know. */
export function debianRelease(codename: string): EcosystemRef | undefined {
  const base = codename.trim().toLowerCase().replace(/-(security|lts|updates|backports)$/, '');
  const release = Object.hasOwn(DEBIAN_RELEASES, base) ? DEBIAN_RELEASES[base] : undefined;
  return release ? ref('debian', release, undefined, 'source') : undefined;
}

/** `alpine:3.20` for secdb's `v3.20`, `alpine:edge` for `edge`. */
export function alpineRelease(distroversion: string): EcosystemRef | undefined {
  const v = distroversion.trim();
  const m = /^v?(\d+\.\d+)$/.exec(v);
  if (m) return ref('alpine', m[1], undefined, 'source');
  return v === 'edge' ? ref('alpine', 'edge', undefined, 'source') : undefined;
}
