/**
 * Test helper: a database built from the shared feed samples (../shared/data/feeds) and images
 * whose package databases are composed of real stanzas of ../shared/data/pkgdb fixtures, with
 * versions chosen so that they meet real records of the samples:
 *
 * - Debian 10 (buster): zlib, libzstd, glibc, dpkg and chromium against the tracker's DSA/DLA
 *   lists (fixed), chromium against the tracker JSON excerpt (end-of-life), and e2fsprogs
 *   against one tracker entry this helper writes (will-not-fix: the samples hold no
 *   `postponed`/`ignored` entry, so that one is written here in the tracker's JSON format);
 * - Ubuntu 22.04 (jammy): glibc against Canonical's UBUNTU-CVE-2016-20013 (affected, no fix)
 *   and wayland against UBUNTU-CVE-2021-3782 / USN-5614-1 (fixed);
 * - Alpine 3.11: the real Alpine installed database of the `trivy-alpine-3.4` fixture against
 *   the v3.11 secdb.
 *
 * The expected findings are derived from the feed files by the test's own reading of them
 * (and dpkg's own version comparison), not from our adapters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { buildImage } from '../../test/image-builder.ts';
import type { BuiltImage } from '../../test/image-builder.ts';
import { buildDb } from '../vulndb/index.ts';

export const FEEDS = fileURLToPath(new URL('../../../shared/data/feeds/', import.meta.url));
export const PKGDB = fileURLToPath(new URL('../../../shared/data/pkgdb/', import.meta.url));

/** The will-not-fix entry this helper writes (see above), in the tracker's /tracker/data/json form. */
export const WILL_NOT_FIX = { source: 'e2fsprogs', cve: 'CVE-2022-1304', release: 'buster', urgency: 'low' };

export async function buildSampleDb(dir: string, output = join(dir, 'samples.db')): Promise<string> {
  const extra = join(dir, 'tracker-extra.json');
  await writeFile(extra, JSON.stringify({
    [WILL_NOT_FIX.source]: {
      [WILL_NOT_FIX.cve]: {
        scope: 'local', description: 'An out-of-bounds read/write vulnerability was found in e2fsprogs 1.46.5.',
        releases: { [WILL_NOT_FIX.release]: { status: 'open', repositories: { buster: '1.44.5-1+deb10u3' }, urgency: WILL_NOT_FIX.urgency, nodsa: 'Minor issue', nodsa_reason: 'postponed' } },
      },
    },
  }));
  await buildDb({
    output,
    now: new Date(),
    feeds: [
      { kind: 'osv', path: join(FEEDS, 'osv') },
      { kind: 'debian-tracker', path: join(FEEDS, 'debian-security-tracker') },
      { kind: 'debian-tracker', path: extra },
      { kind: 'alpine-secdb', path: join(FEEDS, 'alpine-secdb') },
      { kind: 'cve5', path: join(FEEDS, 'cve-json5') },
      { kind: 'kev', path: join(FEEDS, 'kev/known_exploited_vulnerabilities.json') },
      { kind: 'epss', path: join(FEEDS, 'epss') },
    ],
  });
  return output;
}

const BIONIC_STATUS = (): string => readFileSync(join(PKGDB, 'dpkg/trivy-ubuntu-bionic-status/input/var/lib/dpkg/status'), 'utf8');

/** A real stanza of the bionic status file, at another version (and optionally as another package of another source). */
function stanza(name: string, version: string, as?: { package: string; source: string }): string {
  const found = BIONIC_STATUS().split(/\n\n+/).find((s) => new RegExp(`^Package: ${name}$`, 'm').test(s));
  if (!found) throw new Error(`no stanza for ${name}`);
  let s = found.replace(/^Version: .*$/m, `Version: ${version}`);
  if (as) {
    s = s.replace(/^Package: .*$/m, `Package: ${as.package}`).replace(/^Source: .*\n/m, '');
    s = s.replace(/^(Version: .*)$/m, as.source === as.package ? '$1' : `Source: ${as.source}\n$1`);
  }
  return s;
}

export interface DebPackage { name: string; version: string; source: string }

export const BUSTER_PACKAGES: DebPackage[] = [
  { name: 'zlib1g', version: '1:1.2.11.dfsg-1', source: 'zlib' },
  { name: 'libzstd1', version: '1.3.8+dfsg-3', source: 'libzstd' },
  { name: 'libc6', version: '2.28-10', source: 'glibc' },
  { name: 'dpkg', version: '1.19.8', source: 'dpkg' },
  { name: 'e2fsprogs', version: '1.44.5-1+deb10u3', source: 'e2fsprogs' },
  { name: 'chromium', version: '89.0.4389.114-1~deb10u1', source: 'chromium' },
];

export const JAMMY_PACKAGES: DebPackage[] = [
  { name: 'libc6', version: '2.35-0ubuntu3.1', source: 'glibc' },
  { name: 'libwayland-client0', version: '1.20.0-1', source: 'wayland' },
];

function statusFile(packages: DebPackage[]): string {
  return `${packages.map((p) => {
    const own = /^(zlib1g|libzstd1|libc6|dpkg|e2fsprogs)$/.test(p.name);
    return own ? stanza(p.name, p.version) : stanza('gzip', p.version, { package: p.name, source: p.source });
  }).join('\n\n')}\n`;
}

export const BUSTER_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nNAME="Debian GNU/Linux"\nVERSION_ID="10"\nVERSION="10 (buster)"\nVERSION_CODENAME=buster\nID=debian\nHOME_URL="https://www.debian.org/"\n';
export const JAMMY_OS_RELEASE = 'PRETTY_NAME="Ubuntu 22.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n';

export function busterImage(): Promise<BuiltImage> {
  return buildImage({ layers: [
    [{ path: 'etc/os-release', content: BUSTER_OS_RELEASE }, { path: 'etc/debian_version', content: '10.13\n' }],
    [{ path: 'var/lib/dpkg/status', content: statusFile(BUSTER_PACKAGES) }],
  ] });
}

export function jammyImage(): Promise<BuiltImage> {
  return buildImage({ layers: [[{ path: 'etc/os-release', content: JAMMY_OS_RELEASE }, { path: 'var/lib/dpkg/status', content: statusFile(JAMMY_PACKAGES) }]] });
}

/** The real Alpine os-release of the fixture, as the 3.11 release it would say it is. */
export function alpineImage(): Promise<BuiltImage> {
  const osRelease = readFileSync(join(PKGDB, 'os-release/trivy-release-alpine/input/etc/os-release'), 'utf8')
    .replace(/^VERSION_ID=.*$/m, 'VERSION_ID=3.11.6').replace(/v3\.15/, 'v3.11');
  return buildImage({ layers: [
    [{ path: 'etc/os-release', content: osRelease }],
    [{ path: 'lib/apk/db/installed', content: readFileSync(join(PKGDB, 'apk/trivy-alpine-3.4/input/lib/apk/db/installed')) }],
  ] });
}

/** Installed apk packages of the fixture: name, version, origin. */
export function alpinePackages(): { name: string; version: string; origin: string }[] {
  const text = readFileSync(join(PKGDB, 'apk/trivy-alpine-3.4/input/lib/apk/db/installed'), 'utf8');
  return text.split(/\n\n+/).map((block) => {
    const field = (k: string) => new RegExp(`^${k}:(.*)$`, 'm').exec(block)?.[1];
    const name = field('P');
    const version = field('V');
    return name && version ? { name, version, origin: field('o') ?? name } : undefined;
  }).filter((p): p is { name: string; version: string; origin: string } => p !== undefined);
}

/** `[release] - source version` entries of the tracker's DSA/DLA/DTSA lists: CVE → fixed versions. */
export function trackerListFixes(release: string, source: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const list of ['DSA', 'DLA', 'DTSA']) {
    let cves: string[] = [];
    for (const line of readFileSync(join(FEEDS, `debian-security-tracker/data/${list}/list`), 'latin1').split('\n')) {
      if (line.startsWith('[')) cves = [];
      else if (/^\s+\{/.test(line)) cves = line.match(/CVE-\d+-\d+/g) ?? [];
      else {
        const m = /^\s+\[(\w+)\]\s+-\s+(\S+)\s+(\S+)/.exec(line);
        if (m && m[1] === release && m[2] === source && !m[3]!.startsWith('<')) {
          for (const c of cves) out.set(c, [...(out.get(c) ?? []), m[3]!]);
        }
      }
    }
  }
  return out;
}

/** CVEs in the CISA KEV catalogue sample. */
export function kevCves(): Set<string> {
  const doc = JSON.parse(readFileSync(join(FEEDS, 'kev/known_exploited_vulnerabilities.json'), 'utf8')) as { vulnerabilities: { cveID: string }[] };
  return new Set(doc.vulnerabilities.map((v) => v.cveID));
}
