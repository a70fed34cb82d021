import type { OSFacts, OSInfo } from '../types.ts';
import { DISTROLESS_MARKER_DIR } from './dpkg.ts';

/**
 * Which OS an image runs, from the facts of its release files (each with the path it came from).
 *
 * Precedence:
 * 1. os-release decides the family: /etc/os-release when the image has one (as systemd reads it),
 *    else /usr/lib/os-release. Its VERSION_ID is the version, except where the family's own file
 *    is more precise about the same release: Debian's debian_version (12 → 12.5) and Alpine's
 *    alpine-release. An os-release with a known ID but no VERSION_ID takes the version from a
 *    legacy file of the same family (Debian testing: debian_version "trixie/sid"), else there is
 *    no OS: a family without a version cannot be matched against any advisory.
 * 2. Without a usable os-release, the legacy files in LEGACY_ORDER, most specific first: Ubuntu
 *    and Oracle Linux also carry files of the distribution they derive from (debian_version,
 *    redhat-release), so theirs must win.
 * 3. Distroless: a Debian OS whose os-release calls itself Distroless, or whose dpkg database is
 *    one file per package in var/lib/dpkg/status.d/ (the dpkg analyzer leaves a marker fact for
 *    each such file, so a whiteout of the directory removes the flag too).
 */
export function resolveOS(facts: readonly { path: string; facts: OSFacts }[]): OSInfo | undefined {
  const byPath = new Map<string, OSFacts>();
  let statusD = false;
  for (const f of facts) {
    if (f.path.startsWith(DISTROLESS_MARKER_DIR)) statusD = true;
    else byPath.set(f.path, f.facts);
  }
  const info = fromOsRelease(byPath) ?? fromLegacy(byPath);
  if (!info) return undefined;
  if (info.family === 'debian' && (statusD || /^distroless\b/i.test(info.prettyName ?? ''))) info.distroless = true;
  return info;
}

const LEGACY_ORDER = [
  'etc/alpine-release',
  'etc/lsb-release',
  'etc/oracle-release',
  'etc/rocky-release',
  'etc/almalinux-release',
  'etc/centos-release',
  'etc/fedora-release',
  'etc/redhat-release',
  'etc/amazon-linux-release',
  'etc/system-release',
  'etc/photon-release',
  'etc/mariner-release',
  'etc/SuSE-release',
  'etc/debian_version',
];

function fromOsRelease(byPath: Map<string, OSFacts>): OSInfo | undefined {
  const osr = byPath.get('etc/os-release') ?? byPath.get('usr/lib/os-release');
  if (!osr?.family) return undefined;
  const family = osr.family;
  let version = osr.version;
  if (!version) {
    version = LEGACY_ORDER.map((p) => byPath.get(p)).find((f) => f?.family === family && f.version)?.version;
    if (!version) return undefined;
  }
  const info: OSInfo = { family, version };
  if (family === 'debian') {
    const precise = byPath.get('etc/debian_version')?.version;
    if (precise && sameRelease(precise, version, 1)) info.version = precise;
  } else if (family === 'alpine') {
    const precise = byPath.get('etc/alpine-release')?.version;
    if (precise && sameRelease(precise, version, 2)) info.version = precise;
  }
  const codename = osr.codename ?? (family === 'ubuntu' || family === 'debian' ? byPath.get('etc/lsb-release')?.codename : undefined);
  if (codename) info.codename = codename;
  if (osr.prettyName) info.prettyName = osr.prettyName;
  return info;
}

function fromLegacy(byPath: Map<string, OSFacts>): OSInfo | undefined {
  for (const path of LEGACY_ORDER) {
    const f = byPath.get(path);
    if (!f?.family || !f.version) continue;
    const info: OSInfo = { family: f.family, version: f.version };
    if (f.codename) info.codename = f.codename;
    if (f.prettyName) info.prettyName = f.prettyName;
    return info;
  }
  return undefined;
}

/**
 * Whether `precise` (12.5, 3.20.3) is a point release of `coarse` (12, 3.20.1): the same first
 * `parts` numeric components and more of them. A debian_version of "bookworm/sid" is not.
 */
function sameRelease(precise: string, coarse: string, parts: number): boolean {
  if (!/^\d+(\.\d+)+/.test(precise)) return false;
  const p = precise.split('.');
  const c = coarse.split('.');
  for (let i = 0; i < parts; i++) if (p[i] === undefined || p[i] !== c[i]) return false;
  return true;
}
