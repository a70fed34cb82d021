import type { OSInfo } from '../inventory/index.ts';

/**
 * Distribution releases: how an image's OS maps to the release key advisories are filed under,
 * and when each release stopped getting security fixes.
 *
 * End-of-life dates are the end of the vendor's standard security support (Debian: end of LTS;
 * Ubuntu: end of standard support, not ESM; Alpine: end of the branch's security fixes; RHEL and
 * rebuilds: end of maintenance support) as the vendors publish them.
 */

export const DEBIAN_CODENAMES: Record<string, string> = {
  '7': 'wheezy', '8': 'jessie', '9': 'stretch', '10': 'buster', '11': 'bullseye', '12': 'bookworm', '13': 'trixie', '14': 'forky',
};

export const UBUNTU_CODENAMES: Record<string, string> = {
  '14.04': 'trusty', '16.04': 'xenial', '18.04': 'bionic', '20.04': 'focal', '22.04': 'jammy', '23.04': 'lunar',
  '23.10': 'mantic', '24.04': 'noble', '24.10': 'oracular', '25.04': 'plucky', '25.10': 'questing', '26.04': 'resolute',
};

const EOL: Record<string, string> = {
  'debian:7': '2018-05-31', 'debian:8': '2020-06-30', 'debian:9': '2022-06-30', 'debian:10': '2024-06-30',
  'debian:11': '2026-08-31', 'debian:12': '2028-06-30', 'debian:13': '2030-06-30',
  'ubuntu:14.04': '2019-04-30', 'ubuntu:16.04': '2021-04-30', 'ubuntu:18.04': '2023-05-31', 'ubuntu:20.04': '2025-05-29',
  'ubuntu:22.04': '2027-06-01', 'ubuntu:23.04': '2024-01-25', 'ubuntu:23.10': '2024-07-11', 'ubuntu:24.04': '2029-05-31',
  'ubuntu:24.10': '2025-07-10', 'ubuntu:25.04': '2026-01-15', 'ubuntu:25.10': '2026-07-09',
  'alpine:3.10': '2021-05-01', 'alpine:3.11': '2021-11-01', 'alpine:3.12': '2022-05-01', 'alpine:3.13': '2022-11-01',
  'alpine:3.14': '2023-05-01', 'alpine:3.15': '2023-11-01', 'alpine:3.16': '2024-05-23', 'alpine:3.17': '2024-11-22',
  'alpine:3.18': '2025-05-09', 'alpine:3.19': '2025-11-01', 'alpine:3.20': '2026-04-01', 'alpine:3.21': '2026-11-01',
  'alpine:3.22': '2027-05-01',
  'redhat:6': '2020-11-30', 'redhat:7': '2024-06-30', 'redhat:8': '2029-05-31', 'redhat:9': '2032-05-31',
  'centos:6': '2020-11-30', 'centos:7': '2024-06-30', 'centos:8': '2021-12-31',
  'rocky:8': '2029-05-31', 'rocky:9': '2032-05-31', 'alma:8': '2029-05-31', 'alma:9': '2032-05-31',
  'oracle:7': '2024-12-31', 'oracle:8': '2029-07-31', 'oracle:9': '2032-06-30',
  'amazon:1': '2023-12-31', 'amazon:2': '2026-06-30', 'amazon:2023': '2029-06-30',
};

function byCodename(table: Record<string, string>, codename: string | undefined): string | undefined {
  const name = codename?.trim().toLowerCase();
  return name ? Object.keys(table).find((k) => table[k] === name) : undefined;
}

/**
 * "12.5" → "12", "3.20.3" → "3.20", "22.04" → "22.04": the part advisories are filed under.
 * Debian testing says only its codename (`trixie/sid` in debian_version): the codename names
 * the release then.
 */
export function releaseOf(os: Pick<OSInfo, 'family' | 'version'> & { codename?: string }): string | undefined {
  const v = os.version.trim();
  if (!/^\d/.test(v)) {
    if (os.family === 'debian') return byCodename(DEBIAN_CODENAMES, os.codename ?? v.split('/')[0]);
    if (os.family === 'ubuntu') return byCodename(UBUNTU_CODENAMES, os.codename);
  }
  if (!v) return undefined;
  switch (os.family) {
    case 'wolfi':
    case 'chainguard':
    case 'opensuse-tumbleweed':
      return undefined; // rolling: advisories are not per release
    case 'alpine':
    case 'ubuntu':
    case 'opensuse-leap':
    case 'sles':
    case 'slem':
    case 'photon':
    case 'cbl-mariner':
    case 'azurelinux': {
      const m = /^(\d+)\.(\d+)/.exec(v);
      return m ? `${m[1]}.${m[2]}` : /^\d+$/.test(v) ? v : undefined;
    }
    default: {
      const m = /^(\d+)/.exec(v);
      return m?.[1];
    }
  }
}

/** The ecosystem key OS advisories are stored under: `debian:12`, `alpine:3.20`, `wolfi`, ... */
export function osEcosystemKey(os: Pick<OSInfo, 'family' | 'version'> & { codename?: string }): string | undefined {
  if (os.family === 'wolfi' || os.family === 'chainguard' || os.family === 'opensuse-tumbleweed') return os.family;
  const release = releaseOf(os);
  return release ? `${os.family}:${release}` : undefined;
}

export function codenameOf(os: Pick<OSInfo, 'family' | 'version'>): string | undefined {
  const release = releaseOf(os);
  if (!release) return undefined;
  if (os.family === 'debian') return DEBIAN_CODENAMES[release];
  if (os.family === 'ubuntu') return UBUNTU_CODENAMES[release];
  return undefined;
}

/** End of security support for the image's release, if we know it. */
export function endOfLife(os: Pick<OSInfo, 'family' | 'version'>): string | undefined {
  const key = osEcosystemKey(os);
  return key ? EOL[key] : undefined;
}

export function isEndOfLife(os: Pick<OSInfo, 'family' | 'version'>, now: Date): boolean {
  const eol = endOfLife(os);
  return eol !== undefined && now.getTime() > Date.parse(`${eol}T23:59:59Z`);
}
