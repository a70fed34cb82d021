/**
 * Builders of realistic ScanResults for report, policy, store and CLI tests.
 *
 * The main one is what a scan of a slightly stale Debian 12 image with a Java and a Node.js app
 * on top finds: real CVE IDs with their real CVSS v3.1 vectors and scores, the KEV flags the CISA
 * catalogue gives them (see ../shared/data/feeds/kev), plausible EPSS values, a vulnerability
 * Debian will not fix, unfixed ones, and findings suppressed by VEX, an Exception and an ignore
 * file. Each call returns fresh objects, so a test may mutate what it gets.
 */
import { PackageURL } from 'packageurl-js';
import type { OSInfo, Package, RawPackage } from '../src/inventory/index.ts';
import { ecosystemOf, purlOf } from '../src/inventory/index.ts';
import type { Cvss, Finding, Severity } from '../src/match/types.ts';
import type { ScanResult, Suppression, Verdict } from '../src/report/types.ts';

export const CREATED_AT = '2026-11-21T08:00:00Z';
export const DB_BUILT_AT = '2026-11-20T06:00:00Z';
/** The clock reports are rendered with in tests: 26 hours after the DB was built. */
export const NOW = new Date(CREATED_AT);

const DEBIAN_12: OSInfo = { family: 'debian', version: '12.5', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' };
const BASE_LAYER = 'sha256:1468e7ff95fcb865fbc4dee7094f8b99c4dcddd6eb2180cf044c7396baf6fc2f';
const APP_LAYER = 'sha256:5bdf5e8e52cb5b5e5d1a0b6f3f0e52a2a1c8a1b4f3f7a1e6b0d9c2e4f6a8b0c1';

/** CVSS v3.1 as NVD scores it. */
export function nvd31(vector: string, score: number): Cvss {
  return { source: 'nvd', version: '3.1', vector: `CVSS:3.1/${vector}`, score };
}

/** A finding with the fields every finding has; everything else from `p`. */
export function makeFinding(p: Partial<Finding> & Pick<Finding, 'id' | 'package' | 'installedVersion' | 'severity'>): Finding {
  return { aliases: [], status: p.fixedVersion ? 'fixed' : 'affected', cvss: [], kev: false, sources: ['osv'], ...p };
}

interface DebPkg {
  name: string;
  version: string;
  source?: string;
  sourceVersion?: string;
  layer?: string;
}

const DEB_PACKAGES: DebPkg[] = [
  { name: 'apt', version: '2.6.1' },
  { name: 'bash', version: '5.2.15-2+b2', sourceVersion: '5.2.15-2' },
  { name: 'libc-bin', version: '2.36-9+deb12u1', source: 'glibc' },
  { name: 'libc6', version: '2.36-9+deb12u1', source: 'glibc' },
  { name: 'libexpat1', version: '2.5.0-1', source: 'expat' },
  { name: 'libnghttp2-14', version: '1.52.0-1', source: 'nghttp2' },
  { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' },
  { name: 'ncurses-base', version: '6.4-4', source: 'ncurses' },
  { name: 'openssh-client', version: '1:9.2p1-2+deb12u2', source: 'openssh' },
  { name: 'openssl', version: '3.0.11-1~deb12u2' },
  { name: 'perl-base', version: '5.36.0-7+deb12u1', source: 'perl' },
  { name: 'tzdata', version: '2024a-0+deb12u1' },
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' },
];

function debPackage(d: DebPkg, os: OSInfo): Package {
  const raw: RawPackage = { manager: 'dpkg', name: d.name, version: d.version, arch: 'amd64' };
  const ecosystem = ecosystemOf('dpkg', os);
  const p: Package = { name: d.name, version: d.version, ecosystem, purl: purlOf(raw, ecosystem, os), manager: 'dpkg', arch: 'amd64' };
  if (d.source || d.sourceVersion) p.source = { name: d.source ?? d.name, version: d.sourceVersion ?? d.version };
  const epoch = /^(\d+):/.exec(d.version)?.[1];
  if (epoch) p.epoch = Number(epoch);
  p.layer = d.layer ?? BASE_LAYER;
  p.foundIn = 'var/lib/dpkg/status';
  return p;
}

function debFinding(pkgs: Map<string, Package>, name: string, f: Omit<Finding, 'package' | 'installedVersion' | 'aliases' | 'purl' | 'ecosystem' | 'sources' | 'status' | 'kev' | 'cvss'> & Partial<Finding>): Finding {
  const p = pkgs.get(name);
  if (!p) throw new Error(`fixture: no package ${name}`);
  return makeFinding({
    package: p.name, installedVersion: p.version, purl: p.purl, ecosystem: p.ecosystem, layer: p.layer,
    sources: ['debian-tracker', 'nvd'], ...f,
  });
}

/** Findings of the Debian part, worst first by hand (tests check the reports sort them themselves). */
function debianFindings(pkgs: Map<string, Package>): Finding[] {
  const glibcLooney = {
    id: 'CVE-2023-4911', severity: 'HIGH' as Severity, fixedVersion: '2.36-9+deb12u3', kev: true, epss: 0.71843, epssPercentile: 0.98712,
    cvss: [nvd31('AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8)], cwes: ['CWE-122', 'CWE-787'],
    title: 'glibc: buffer overflow in ld.so leading to privilege escalation',
    description: 'A buffer overflow was discovered in the GNU C Library\'s dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable. This issue could allow a local attacker to use maliciously crafted GLIBC_TUNABLES environment variables when launching binaries with SUID permission to execute code with elevated privileges.',
    references: ['https://security-tracker.debian.org/tracker/CVE-2023-4911', 'https://www.qualys.com/2023/10/03/cve-2023-4911/looney-tunables-local-privilege-escalation-glibc-ld-so.txt'],
    publishedAt: '2023-10-03T18:15:10Z',
  };
  return [
    debFinding(pkgs, 'zlib1g', {
      id: 'CVE-2023-45853', severity: 'CRITICAL', status: 'will_not_fix', epss: 0.01194, epssPercentile: 0.78411,
      cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8)], cwes: ['CWE-190'],
      title: 'zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6',
      description: 'MiniZip in zlib through 1.3 has an integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_64 via a long filename, comment, or extra field. NOTE: MiniZip is not a supported part of the zlib product.',
      references: ['https://security-tracker.debian.org/tracker/CVE-2023-45853'],
    }),
    debFinding(pkgs, 'libc6', glibcLooney),
    debFinding(pkgs, 'libc-bin', { ...glibcLooney, cvss: [...glibcLooney.cvss] }),
    debFinding(pkgs, 'openssh-client', {
      id: 'CVE-2024-6387', severity: 'HIGH', fixedVersion: '1:9.2p1-2+deb12u3', epss: 0.39851, epssPercentile: 0.97321,
      cvss: [nvd31('AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.1)], cwes: ['CWE-364'],
      title: 'openssh: regreSSHion - race condition in SSH allows RCE/DoS',
      references: ['https://security-tracker.debian.org/tracker/CVE-2024-6387', 'https://www.openssh.com/txt/release-9.8'],
    }),
    debFinding(pkgs, 'perl-base', {
      id: 'CVE-2023-31484', severity: 'HIGH', epss: 0.00214,
      cvss: [nvd31('AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.1)], cwes: ['CWE-295'],
      title: 'perl: CPAN.pm does not verify TLS certificates when downloading distributions over HTTPS',
      references: ['https://security-tracker.debian.org/tracker/CVE-2023-31484'],
    }),
    debFinding(pkgs, 'libnghttp2-14', {
      id: 'CVE-2023-44487', severity: 'HIGH', fixedVersion: '1.52.0-1+deb12u1', kev: true, epss: 0.94419, epssPercentile: 0.99987,
      cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5)], cwes: ['CWE-400'],
      title: 'HTTP/2: Multiple HTTP/2 enabled web servers are vulnerable to a DDoS attack (Rapid Reset Attack)',
      references: ['https://security-tracker.debian.org/tracker/CVE-2023-44487', 'https://www.cisa.gov/known-exploited-vulnerabilities-catalog'],
    }),
    debFinding(pkgs, 'libc6', {
      id: 'CVE-2024-2961', severity: 'HIGH', fixedVersion: '2.36-9+deb12u7', epss: 0.9174,
      cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L', 7.3)], cwes: ['CWE-787'],
      title: 'glibc: Out of bounds write in iconv may lead to remote code execution',
      references: ['https://security-tracker.debian.org/tracker/CVE-2024-2961'],
    }),
    debFinding(pkgs, 'libc6', {
      id: 'CVE-2023-4806', severity: 'MEDIUM', fixedVersion: '2.36-9+deb12u3', epss: 0.00095,
      cvss: [nvd31('AV:L/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 5.9)], cwes: ['CWE-416'],
      title: 'glibc: potential use-after-free in getaddrinfo()',
      references: ['https://security-tracker.debian.org/tracker/CVE-2023-4806'],
    }),
    debFinding(pkgs, 'libssl3', {
      id: 'CVE-2024-0727', severity: 'MEDIUM', fixedVersion: '3.0.13-1~deb12u1', epss: 0.0012,
      cvss: [nvd31('AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', 5.5)], cwes: ['CWE-476'],
      title: 'openssl: denial of service via null dereference',
      description: 'Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash leading to a potential Denial of Service attack.',
      references: ['https://security-tracker.debian.org/tracker/CVE-2024-0727', 'https://www.openssl.org/news/secadv/20240125.txt'],
    }),
    debFinding(pkgs, 'apt', {
      id: 'CVE-2011-3374', severity: 'LOW', epss: 0.00383,
      cvss: [nvd31('AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N', 3.7)], cwes: ['CWE-347'],
      title: 'It was found that apt-key in apt, all versions, do not correctly validate ...',
      references: ['https://security-tracker.debian.org/tracker/CVE-2011-3374'],
    }),
    debFinding(pkgs, 'bash', {
      id: 'TEMP-0841856-B18BAF', severity: 'UNKNOWN', sources: ['debian-tracker'],
      title: '[Privilege escalation possible to other user than root]',
      references: ['https://security-tracker.debian.org/tracker/TEMP-0841856-B18BAF'],
    }),
  ];
}

/** Language packages the image's app layer brings. */
function appFindings(): Finding[] {
  const log4j = new PackageURL('maven', 'org.apache.logging.log4j', 'log4j-core', '2.14.1', undefined, undefined).toString();
  const qs = new PackageURL('npm', undefined, 'qs', '6.7.0', undefined, undefined).toString();
  return [
    makeFinding({
      id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'], package: 'org.apache.logging.log4j:log4j-core', purl: log4j, ecosystem: 'maven',
      installedVersion: '2.14.1', fixedVersion: '2.15.0', severity: 'CRITICAL', kev: true, epss: 0.94358, epssPercentile: 0.99966,
      cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10), { source: 'nvd', version: '2.0', vector: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', score: 9.3 }],
      cwes: ['CWE-20', 'CWE-400', 'CWE-502', 'CWE-917'], sources: ['osv', 'nvd'], layer: APP_LAYER,
      title: 'Remote code injection in Log4j',
      description: 'Apache Log4j2 2.0-beta9 through 2.15.0 (excluding security releases 2.12.2, 2.12.3, and 2.3.1) JNDI features used in configuration, log messages, and parameters do not protect against attacker controlled LDAP and other JNDI related endpoints.',
      references: ['https://github.com/advisories/GHSA-jfh8-c2jp-5v3q', 'https://logging.apache.org/log4j/2.x/security.html'],
    }),
    makeFinding({
      id: 'CVE-2022-24999', aliases: ['GHSA-hrpp-h998-j3pp'], package: 'qs', purl: qs, ecosystem: 'npm',
      installedVersion: '6.7.0', fixedVersion: '6.7.3', severity: 'HIGH', epss: 0.01053,
      cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5)], cwes: ['CWE-1321'], sources: ['osv'], layer: APP_LAYER,
      title: 'qs vulnerable to Prototype Pollution',
      references: ['https://github.com/advisories/GHSA-hrpp-h998-j3pp'],
    }),
  ];
}

function debianSuppressed(pkgs: Map<string, Package>): Suppression[] {
  return [
    {
      finding: debFinding(pkgs, 'libexpat1', {
        id: 'CVE-2023-52425', severity: 'HIGH', fixedVersion: '2.5.0-1+deb12u1', epss: 0.0031,
        cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5)],
        title: 'expat: parsing large tokens can trigger a denial of service',
      }),
      kind: 'vex', by: 'vex/app.openvex.json statement 1 (not_affected: vulnerable_code_not_in_execute_path)',
      reason: 'The application never parses XML from untrusted sources.',
    },
    {
      finding: debFinding(pkgs, 'libexpat1', {
        id: 'CVE-2024-28757', severity: 'HIGH', fixedVersion: '2.5.0-1+deb12u2', epss: 0.0008,
        cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5)],
        title: 'expat: XML Entity Expansion',
      }),
      kind: 'exception', by: 'Exception expat-entity-expansion', reason: 'Upgrade scheduled with the next base image bump.',
      owner: 'team-platform', expires: '2027-01-31T00:00:00Z',
    },
    {
      finding: debFinding(pkgs, 'ncurses-base', {
        id: 'CVE-2023-50495', severity: 'LOW', epss: 0.00045,
        cvss: [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 6.5)],
        title: 'ncurses: segmentation fault via _nc_wrap_entry()',
      }),
      kind: 'ignorefile', by: '.trivyignore:3',
    },
  ];
}

const FAIL_VERDICT: Verdict = {
  status: 'Fail',
  reasons: [
    'CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 is known exploited (CISA KEV), fixed in 2.15.0',
    'max CVSS 10.0 (CVE-2021-44228 in org.apache.logging.log4j:log4j-core) is at least the fail threshold 7.0',
    'CVE-2023-44487 in libnghttp2-14 1.52.0-1 is known exploited (CISA KEV), fixed in 1.52.0-1+deb12u1',
  ],
  checks: [
    { name: 'CVSS thresholds', status: 'Fail', message: 'max CVSS 10.0 (CVE-2021-44228) is at least the fail threshold 7.0' },
    { name: 'Known exploited (KEV)', status: 'Fail', message: '3 findings are in the CISA KEV catalogue' },
    { name: 'EPSS', status: 'Warn', message: '4 findings have EPSS of at least 0.1' },
    { name: 'DB age', status: 'Pass', message: 'the DB was built 26 hours ago (limit 72)' },
    { name: 'End of life', status: 'Pass', message: 'debian 12.5 is supported' },
  ],
  policy: 'policies/production.yaml',
};

export interface ResultOptions {
  /** Leave out the app layer's language-package findings. */
  osOnly?: boolean;
}

/** A Fail result of a Debian 12 image with a Java and a Node.js app: 13 findings, 3 suppressed. */
export function debianScanResult(opts: ResultOptions = {}): ScanResult {
  const os = { ...DEBIAN_12 };
  const packages = DEB_PACKAGES.map((d) => debPackage(d, os));
  const byName = new Map(packages.map((p) => [p.name, p]));
  const findings = [...debianFindings(byName), ...(opts.osOnly ? [] : appFindings())];
  const summary: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const f of findings) summary[f.severity]++;
  return {
    schemaVersion: 1,
    createdAt: CREATED_AT,
    artifact: {
      name: 'registry.example.com:5000/shop/checkout:1.4.2',
      digest: 'sha256:9b2a4c1d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
      platform: 'linux/amd64',
      layers: [
        { digest: BASE_LAYER, diffId: 'sha256:7c7e3e7a1c2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6', size: 29_126_484 },
        { digest: APP_LAYER, diffId: 'sha256:0d1e2f30415263748596a7b8c9d0e1f2031425364758697a8b9c0d1e2f304152', size: 48_211_337 },
      ],
    },
    os,
    db: { builtAt: DB_BUILT_AT, sources: ['osv', 'debian-tracker', 'nvd', 'kev', 'epss'], schema: 1 },
    packages,
    findings,
    summary,
    verdict: structuredClone(FAIL_VERDICT),
    suppressed: debianSuppressed(byName),
    warnings: ['layer sha256:5bdf5e8e52cb: /app/node_modules/.package-lock.json is not valid JSON; its packages were read from package.json files'],
  };
}

/** `portcullis sbom`: packages only, no DB, no findings, no verdict. */
export function sbomOnlyResult(): ScanResult {
  const r = debianScanResult();
  delete r.findings;
  delete r.summary;
  delete r.verdict;
  delete r.suppressed;
  delete r.db;
  delete r.warnings;
  return r;
}

/** A scan that found nothing: Pass, no reasons. */
export function cleanResult(): ScanResult {
  const r = debianScanResult();
  r.artifact = { name: 'docker.io/library/debian:12.8', digest: 'sha256:17122fe3d66916e55c0cbd5bbf54bb3f87b3582f4d86a755a0fd3498d360f91b', platform: 'linux/amd64' };
  r.findings = [];
  r.summary = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  r.verdict = { status: 'Pass', reasons: [] };
  r.suppressed = [];
  delete r.warnings;
  return r;
}

/** Warn: the worst score is between the thresholds and nothing is exploited. */
export function warnResult(): ScanResult {
  const r = debianScanResult({ osOnly: true });
  r.findings = (r.findings ?? []).filter((f) => f.severity === 'MEDIUM' || f.severity === 'LOW');
  r.verdict = {
    status: 'Warn',
    reasons: ['max CVSS 5.9 (CVE-2023-4806 in libc6) is at least the warn threshold 4.0'],
    checks: [
      { name: 'CVSS thresholds', status: 'Warn', message: 'max CVSS 5.9 (CVE-2023-4806) is at least the warn threshold 4.0' },
      { name: 'Known exploited (KEV)', status: 'Pass', message: 'no finding is in the CISA KEV catalogue' },
    ],
  };
  return r;
}

/**
 * Strings a hostile feed could put in a finding: markup, script, attribute breakers, terminal
 * escapes, XML-illegal control characters, a lone surrogate, right-to-left override.
 */
export const HOSTILE = {
  html: '<img src=x onerror=alert(1)>',
  script: '</script><script>window.__pwned=1</script>',
  attr: '" onmouseover="window.__pwned=1" x="',
  ansi: '\u001b[2J\u001b[31mcleared\u001b[0m',
  control: 'bell\u0007 nul\u0000 vt\u000b ff\u000c del\u007f c1\u0085 lone\ud800',
  url: 'javascript:window.__pwned=1',
};

/** The Debian result with hostile strings in titles, IDs' references and package names. */
export function hostileResult(): ScanResult {
  const r = debianScanResult();
  const findings = r.findings ?? [];
  const [a, b, c, d] = findings;
  if (!a || !b || !c || !d) throw new Error('fixture: too few findings');
  a.title = HOSTILE.html;
  a.description = `${HOSTILE.script} ${HOSTILE.control}`;
  b.title = HOSTILE.attr;
  b.references = [HOSTILE.url];
  c.title = HOSTILE.ansi;
  d.title = HOSTILE.control;
  d.fixedVersion = `1.0 ${HOSTILE.html}`;
  const s = r.suppressed?.[0];
  if (s) s.reason = HOSTILE.html;
  r.verdict?.reasons.push(`policy says ${HOSTILE.html}`);
  r.warnings = [HOSTILE.script];
  return r;
}

/**
 * A large result for performance tests: `n` findings over n/5 packages, severities and flags
 * spread the way a big, old image's are (few CRITICAL, many MEDIUM/LOW).
 */
export function manyFindingsResult(n: number): ScanResult {
  const r = debianScanResult({ osOnly: true });
  const severities: Severity[] = ['CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'LOW', 'LOW', 'LOW', 'UNKNOWN'];
  const packages: Package[] = [];
  const findings: Finding[] = [];
  const pkgCount = Math.max(1, Math.ceil(n / 5));
  for (let i = 0; i < pkgCount; i++) {
    packages.push(debPackage({ name: `lib-synthetic-${i}`, version: `1.${i % 17}.${i % 5}-${1 + (i % 3)}` }, r.os ?? DEBIAN_12));
  }
  for (let i = 0; i < n; i++) {
    const p = packages[i % pkgCount]!;
    const severity = severities[i % severities.length]!;
    const score = severity === 'UNKNOWN' ? undefined : Math.round((severity === 'CRITICAL' ? 9 : severity === 'HIGH' ? 7 : severity === 'MEDIUM' ? 4 : 0.1) * 10 + (i % 9)) / 10;
    findings.push(makeFinding({
      id: `CVE-${2015 + (i % 10)}-${String(10000 + i)}`, package: p.name, installedVersion: p.version, purl: p.purl, ecosystem: p.ecosystem,
      severity, fixedVersion: i % 3 === 0 ? undefined : `${p.version}+deb12u${1 + (i % 4)}`, kev: i % 97 === 0, epss: (i % 1000) / 1000,
      cvss: score === undefined ? [] : [nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score)],
      title: `Synthetic vulnerability number ${i} in ${p.name} with a moderately long title to exercise truncation`,
      references: [`https://security-tracker.debian.org/tracker/CVE-${2015 + (i % 10)}-${10000 + i}`],
    }));
  }
  r.packages = packages;
  r.findings = findings;
  r.suppressed = [];
  return r;
}
