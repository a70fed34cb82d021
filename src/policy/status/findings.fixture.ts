/**
 * Test fixtures: findings as the matcher reports them for real vulnerabilities in real packages.
 * IDs, aliases, packages, vectors and fixed versions are the advisories' own; fixtures.test.ts
 * checks each vector against its score (FIRST's formulas), each KEV flag against CISA's
 * catalogue, and the records that are in ../shared/data/feeds against those records.
 * EPSS values are of the order FIRST published for these CVEs (EPSS moves daily).
 */
import type { Finding } from '../../match/types.ts';
import type { Package } from '../../inventory/types.ts';

const deb = (name: string, version: string): string =>
  `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12`;

/** curl SOCKS5 heap overflow; Debian 12 fixed it in DSA-5523-1. NVD: 9.8. */
export const CURL_38545: Finding = {
  id: 'CVE-2023-38545', aliases: [], package: 'libcurl4', purl: deb('libcurl4', '7.88.1-10+deb12u1'), ecosystem: 'debian',
  installedVersion: '7.88.1-10+deb12u1', fixedVersion: '7.88.1-10+deb12u4', status: 'fixed', severity: 'CRITICAL',
  cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }],
  kev: false, epss: 0.00341, sources: ['debian-tracker', 'nvd'],
};

/** glibc "Looney Tunables" (GLIBC_TUNABLES), in CISA KEV; Debian 12 fixed it in DSA-5514-1. */
export const GLIBC_4911: Finding = {
  id: 'CVE-2023-4911', aliases: [], package: 'libc6', purl: deb('libc6', '2.36-9+deb12u1'), ecosystem: 'debian',
  installedVersion: '2.36-9+deb12u1', fixedVersion: '2.36-9+deb12u3', status: 'fixed', severity: 'HIGH',
  cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', score: 7.8 }],
  kev: true, epss: 0.8151, sources: ['debian-tracker', 'nvd', 'kev'],
};

/** HTTP/2 Rapid Reset in nghttp2, in CISA KEV; Debian 12 fixed it in DSA-5540-1. */
export const NGHTTP2_44487: Finding = {
  id: 'CVE-2023-44487', aliases: [], package: 'libnghttp2-14', purl: deb('libnghttp2-14', '1.52.0-1'), ecosystem: 'debian',
  installedVersion: '1.52.0-1', fixedVersion: '1.52.0-1+deb12u1', status: 'fixed', severity: 'HIGH',
  cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5 }],
  kev: true, epss: 0.94433, sources: ['debian-tracker', 'nvd', 'kev'],
};

/** OpenSSL PKCS12 NULL dereference (DESIGN.md's example finding). NVD: 5.5. */
export const OPENSSL_0727: Finding = {
  id: 'CVE-2024-0727', aliases: [], package: 'libssl3', purl: deb('libssl3', '3.0.11-1~deb12u2'), ecosystem: 'debian',
  installedVersion: '3.0.11-1~deb12u2', fixedVersion: '3.0.13-1~deb12u1', status: 'fixed', severity: 'MEDIUM',
  cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5 }],
  kev: false, epss: 0.0012, sources: ['debian-tracker'],
};

/** tar's 2005 setuid-archive issue: NVD scored it in CVSS v2 only (10.0); Debian: unimportant. */
export const TAR_2541: Finding = {
  id: 'CVE-2005-2541', aliases: [], package: 'tar', purl: deb('tar', '1.34+dfsg-1.2+deb12u1'), ecosystem: 'debian',
  installedVersion: '1.34+dfsg-1.2+deb12u1', status: 'affected', severity: 'LOW',
  cvss: [{ source: 'nvd', version: '2.0', vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', score: 10.0 }],
  kev: false, sources: ['debian-tracker'],
};

/** MiniZip integer overflow in zlib: NVD 9.8, but Debian ships no minizip fix for 12 (ignored). */
export const ZLIB_45853: Finding = {
  id: 'CVE-2023-45853', aliases: [], package: 'zlib1g', purl: deb('zlib1g', '1:1.2.13.dfsg-1'), ecosystem: 'debian',
  installedVersion: '1:1.2.13.dfsg-1', status: 'will_not_fix', severity: 'CRITICAL',
  cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }],
  kev: false, epss: 0.01843, sources: ['debian-tracker', 'nvd'],
};

/** Log4Shell, in CISA KEV. */
export const LOG4SHELL: Finding = {
  id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'], package: 'org.apache.logging.log4j:log4j-core',
  purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', ecosystem: 'maven',
  installedVersion: '2.14.1', fixedVersion: '2.15.0', status: 'fixed', severity: 'CRITICAL',
  cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 10.0 }],
  kev: true, epss: 0.94358, sources: ['osv', 'nvd', 'kev'],
};

/** jQuery XSS via <option>, in CISA KEV; GHSA-jpcq-cgw6-v4j6 (osv/npm). Base 6.9. */
export const JQUERY_11023: Finding = {
  id: 'CVE-2020-11023', aliases: ['GHSA-jpcq-cgw6-v4j6'], package: 'jquery', purl: 'pkg:npm/jquery@3.4.1', ecosystem: 'npm',
  installedVersion: '3.4.1', fixedVersion: '3.5.0', status: 'fixed', severity: 'MEDIUM',
  cvss: [{ source: 'ghsa', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:L/A:N/E:H', score: 6.9 }],
  kev: true, epss: 0.2575, sources: ['osv', 'kev'],
};

/** jQuery XSS in htmlPrefilter; GHSA-gxr4-xjj5-5px2 (osv/npm). 6.9: just below the fail threshold. */
export const JQUERY_11022: Finding = {
  id: 'CVE-2020-11022', aliases: ['GHSA-gxr4-xjj5-5px2'], package: 'jquery', purl: 'pkg:npm/jquery@3.4.1', ecosystem: 'npm',
  installedVersion: '3.4.1', fixedVersion: '3.5.0', status: 'fixed', severity: 'MEDIUM',
  cvss: [{ source: 'ghsa', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:L/A:N', score: 6.9 }],
  kev: false, epss: 0.0202, sources: ['osv'],
};

/** undici Proxy-Authorization kept on cross-origin redirect; GHSA-3787-6prv-h9w3. 3.9: just below warn. */
export const UNDICI_24758: Finding = {
  id: 'CVE-2024-24758', aliases: ['GHSA-3787-6prv-h9w3'], package: 'undici', purl: 'pkg:npm/undici@5.28.2', ecosystem: 'npm',
  installedVersion: '5.28.2', fixedVersion: '5.28.3', status: 'fixed', severity: 'LOW',
  cvss: [{ source: 'ghsa', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:L', score: 3.9 }],
  kev: false, epss: 0.00071, sources: ['osv'],
};

/** musl iconv EUC-KR out-of-bounds write; ALPINE-CVE-2025-26519 (osv/alpine). 7.0: exactly the fail threshold. */
export const MUSL_26519: Finding = {
  id: 'CVE-2025-26519', aliases: ['ALPINE-CVE-2025-26519'], package: 'musl',
  purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3', ecosystem: 'alpine',
  installedVersion: '1.2.5-r0', fixedVersion: '1.2.5-r1', status: 'fixed', severity: 'HIGH',
  cvss: [{ source: 'osv', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H', score: 7.0 }],
  kev: false, epss: 0.00045, sources: ['osv'],
};

/** multer crash on an empty field name: GitHub scored it in CVSS v4 only (8.7). */
export const MULTER_48997: Finding = {
  id: 'CVE-2025-48997', aliases: [], package: 'multer', purl: 'pkg:npm/multer@1.4.5-lts.2', ecosystem: 'npm',
  installedVersion: '1.4.5-lts.2', fixedVersion: '2.0.1', status: 'fixed', severity: 'HIGH',
  cvss: [{ source: 'ghsa', version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', score: 8.7 }],
  kev: false, epss: 0.0004, sources: ['osv'],
};

/** All of the above, for tests over a whole image's worth. */
export const ALL_FINDINGS: readonly Finding[] = [
  CURL_38545, GLIBC_4911, NGHTTP2_44487, OPENSSL_0727, TAR_2541, ZLIB_45853, LOG4SHELL, JQUERY_11023, JQUERY_11022, UNDICI_24758,
  MUSL_26519, MULTER_48997,
];

/** The Debian 12 packages behind the Debian findings, as the inventory reports them. */
export const DEBIAN_PACKAGES: readonly Package[] = [
  { name: 'libcurl4', version: '7.88.1-10+deb12u1', source: { name: 'curl', version: '7.88.1-10+deb12u1' } },
  { name: 'libc6', version: '2.36-9+deb12u1', source: { name: 'glibc', version: '2.36-9+deb12u1' } },
  { name: 'libnghttp2-14', version: '1.52.0-1', source: { name: 'nghttp2', version: '1.52.0-1' } },
  { name: 'libssl3', version: '3.0.11-1~deb12u2', source: { name: 'openssl', version: '3.0.11-1~deb12u2' } },
  { name: 'openssl', version: '3.0.11-1~deb12u2', source: { name: 'openssl', version: '3.0.11-1~deb12u2' } },
  { name: 'tar', version: '1.34+dfsg-1.2+deb12u1', source: { name: 'tar', version: '1.34+dfsg-1.2+deb12u1' } },
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } },
].map((p) => ({ ...p, ecosystem: 'debian', manager: 'dpkg' as const, arch: 'amd64', purl: deb(p.name, p.version) }));
