import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { OSInfo, Package } from '../inventory/index.ts';
import type { AffectedRecord } from '../vulndb/index.ts';
import { matchInventory } from './index.ts';
import { literalDb } from './test-db.ts';
import type { Rows } from './test-db.ts';

const cleanups: (() => void)[] = [];
after(() => { for (const c of cleanups) c(); });

function run(rows: Rows, packages: Package[], os: OSInfo | undefined) {
  const { db, cleanup } = literalDb(rows);
  cleanups.push(cleanup);
  const warnings: string[] = [];
  const findings = matchInventory(packages, os, db, { onWarning: (w) => warnings.push(w) });
  return { findings, warnings };
}

const open = (fixed?: string) => [{ type: 'ECOSYSTEM' as const, events: fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }] }];

function deb(name: string, version: string, source?: { name: string; version?: string }, ecosystem = 'debian'): Package {
  return { name, version, ecosystem, purl: `pkg:deb/${ecosystem}/${name}@${version}`, manager: 'dpkg', ...(source ? { source } : {}), layer: 'sha256:layer1' };
}

function row(r: Partial<AffectedRecord> & Pick<AffectedRecord, 'ecosystem' | 'package' | 'vulnId' | 'source' | 'status'>): AffectedRecord {
  return r;
}

const BOOKWORM: OSInfo = { family: 'debian', version: '12.5' };

describe('dpkg matcher (Debian, Ubuntu)', () => {
  const libssl = deb('libssl3', '3.0.11-1~deb12u2', { name: 'openssl', version: '3.0.11-1~deb12u2' });

  it('joins through the source package and the release key, with the tracker speaking first', () => {
    const { findings } = run({
      affected: [
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2024-0727', source: 'debian-tracker', status: 'fixed', fixed: '3.0.13-1~deb12u1', ranges: open('3.0.13-1~deb12u1'), severity: 'LOW' }),
        // An older OSV record with another fix: the tracker decides the fixed version.
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2024-0727', source: 'osv', status: 'fixed', fixed: '3.0.12-1', ranges: open('3.0.12-1') }),
        // Another release, another package name: never looked at.
        row({ ecosystem: 'debian:11', package: 'openssl', vulnId: 'CVE-2099-0001', source: 'debian-tracker', status: 'fixed', ranges: open('9:9') }),
        row({ ecosystem: 'debian:12', package: 'libssl3', vulnId: 'CVE-2099-0002', source: 'debian-tracker', status: 'affected', ranges: open() }),
      ],
      vulns: [{ id: 'CVE-2024-0727', aliases: [], ratings: [{ source: 'nvd', severity: 'MEDIUM', cvss: { source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5 } }], sources: ['nvd'], title: 'PKCS12 NULL dereference' }],
    }, [libssl], BOOKWORM);
    assert.equal(findings.length, 1);
    const f = findings[0]!;
    assert.equal(f.id, 'CVE-2024-0727');
    assert.equal(f.package, 'libssl3');
    assert.equal(f.installedVersion, '3.0.11-1~deb12u2');
    assert.equal(f.status, 'fixed');
    assert.equal(f.fixedVersion, '3.0.13-1~deb12u1');
    assert.deepEqual(f.sources, ['debian-tracker']);
    // Debian's own urgency outranks NVD's MEDIUM; both are kept.
    assert.equal(f.severity, 'LOW');
    assert.deepEqual(f.severities, [{ source: 'debian', severity: 'LOW' }, { source: 'nvd', severity: 'MEDIUM' }]);
    assert.deepEqual(f.cvss.map((c) => [c.source, c.score]), [['nvd', 5.5]]);
    assert.equal(f.layer, 'sha256:layer1');
    assert.equal(f.title, 'PKCS12 NULL dereference');
  });

  it('gives no finding when the installed version is the fix or newer, or the tracker says not affected', () => {
    const { findings } = run({
      affected: [
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-0001', source: 'debian-tracker', status: 'fixed', fixed: '3.0.11-1~deb12u2', ranges: open('3.0.11-1~deb12u2') }),
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-0002', source: 'debian-tracker', status: 'fixed', fixed: '3.0.11-1~deb12u1', ranges: open('3.0.11-1~deb12u1') }),
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-0003', source: 'debian-tracker', status: 'not_affected' }),
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-0003', source: 'osv', status: 'affected', ranges: open() }),
      ],
    }, [libssl], BOOKWORM);
    assert.deepEqual(findings, []);
  });

  it('carries affected (no fix), will_not_fix and end_of_life statuses', () => {
    const { findings } = run({
      affected: [
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-1000', source: 'debian-tracker', status: 'affected', ranges: open() }),
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-1001', source: 'debian-tracker', status: 'will_not_fix', ranges: open(), severity: 'LOW' }),
        row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-1002', source: 'debian-tracker', status: 'end_of_life', ranges: open() }),
      ],
    }, [libssl], BOOKWORM);
    const byId = new Map(findings.map((f) => [f.id, f]));
    assert.equal(byId.get('CVE-2023-1000')?.status, 'affected');
    assert.equal(byId.get('CVE-2023-1000')?.fixedVersion, undefined);
    assert.equal(byId.get('CVE-2023-1000')?.severity, 'UNKNOWN');
    assert.equal(byId.get('CVE-2023-1001')?.status, 'will_not_fix');
    assert.equal(byId.get('CVE-2023-1002')?.status, 'end_of_life');
  });

  it('compares the source version, not a binary version of its own', () => {
    // gcc-defaults: binary cpp 4:12.2.0-3, source gcc-defaults 1.203.
    const cpp = deb('cpp', '4:12.2.0-3', { name: 'gcc-defaults', version: '1.203' });
    const { findings } = run({
      affected: [row({ ecosystem: 'debian:12', package: 'gcc-defaults', vulnId: 'CVE-2099-1', source: 'debian-tracker', status: 'fixed', fixed: '1.204', ranges: open('1.204') })],
    }, [cpp], BOOKWORM);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.installedVersion, '4:12.2.0-3');
    assert.equal(findings[0]!.fixedVersion, '1.204');
  });

  it('matches Ubuntu under its release and never under a Pro stream', () => {
    const libc = deb('libc6', '2.35-0ubuntu3.1', { name: 'glibc', version: '2.35-0ubuntu3.1' }, 'ubuntu');
    const { findings } = run({
      affected: [
        row({ ecosystem: 'ubuntu:22.04', package: 'glibc', vulnId: 'CVE-2016-20013', source: 'osv', status: 'affected', ranges: open(), severity: 'LOW' }),
        row({ ecosystem: 'ubuntu:22.04:pro', package: 'glibc', vulnId: 'CVE-2099-7', source: 'osv', status: 'fixed', ranges: open('2.35-0ubuntu3.1+esm1') }),
      ],
      vulns: [{ id: 'CVE-2016-20013', aliases: ['UBUNTU-CVE-2016-20013'], ratings: [{ source: 'ubuntu', severity: 'LOW' }], sources: ['osv'] }],
    }, [libc], { family: 'ubuntu', version: '22.04' });
    assert.deepEqual(findings.map((f) => [f.id, f.status, f.severity]), [['CVE-2016-20013', 'affected', 'LOW']]);
    assert.deepEqual(findings[0]!.aliases, ['UBUNTU-CVE-2016-20013']);
  });

  it('warns and matches nothing when the OS release is unknown', () => {
    const { findings, warnings } = run({
      affected: [row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-1000', source: 'debian-tracker', status: 'affected', ranges: open() })],
    }, [libssl], undefined);
    assert.deepEqual(findings, []);
    assert.match(warnings.join('\n'), /debian packages were not matched: the image's debian release is unknown/);
  });

  it('warns when the database knows nothing of a release an image has many packages of', () => {
    const many = Array.from({ length: 12 }, (_, i) => deb(`pkg${i}`, '1.0-1', { name: `src${i}`, version: '1.0-1' }));
    const rows = { affected: [row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-1000', source: 'debian-tracker', status: 'affected', ranges: open() })] };
    assert.match(run(rows, many, { family: 'debian', version: '13.1' }).warnings.join('\n'), /no advisories for any of the 12 debian:13 packages/);
    assert.deepEqual(run(rows, many.slice(0, 3), { family: 'debian', version: '13.1' }).warnings, [], 'a tiny image may well have none');
    assert.deepEqual(run(rows, [...many, libssl], BOOKWORM).warnings, []);
  });

  it('skips a package whose version is not a Debian version, with a warning', () => {
    const bad = deb('weird', 'not a version!', { name: 'openssl', version: 'not a version!' });
    const { findings, warnings } = run({
      affected: [row({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-1000', source: 'debian-tracker', status: 'affected', ranges: open() })],
    }, [bad], BOOKWORM);
    assert.deepEqual(findings, []);
    assert.match(warnings[0]!, /weird not a version!: not a valid deb version/);
  });
});

describe('apk matcher (Alpine, Wolfi)', () => {
  const musl: Package = { name: 'musl-utils', version: '1.1.22-r3', ecosystem: 'alpine', purl: 'pkg:apk/alpine/musl-utils@1.1.22-r3', manager: 'apk', source: { name: 'musl', version: '1.1.22-r3' } };

  it('joins through the origin and the branch, and names the next fix above the installed version', () => {
    const { findings } = run({
      affected: [
        row({ ecosystem: 'alpine:3.11', package: 'musl', vulnId: 'CVE-2017-15650', source: 'alpine-secdb', status: 'fixed', fixed: '1.1.16-r14', ranges: open('1.1.16-r14') }),
        row({ ecosystem: 'alpine:3.11', package: 'musl', vulnId: 'CVE-2019-14697', source: 'alpine-secdb', status: 'fixed', fixed: '1.1.23-r2', ranges: open('1.1.23-r2') }),
        row({ ecosystem: 'alpine:3.11', package: 'musl', vulnId: 'CVE-2099-3', source: 'osv', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.20-r5' }, { introduced: '1.1.21-r0' }, { fixed: '1.1.22-r4' }, { introduced: '1.1.23-r0' }, { fixed: '1.1.24-r0' }] }] }),
        row({ ecosystem: 'alpine:3.20', package: 'musl', vulnId: 'CVE-2025-26519', source: 'osv', status: 'fixed', ranges: open('1.2.5-r1') }),
      ],
    }, [musl], { family: 'alpine', version: '3.11.6' });
    assert.deepEqual(findings.map((f) => [f.id, f.status, f.fixedVersion]).sort(), [
      ['CVE-2019-14697', 'fixed', '1.1.23-r2'],
      ['CVE-2099-3', 'fixed', '1.1.22-r4'],
    ]);
  });

  it('looks Wolfi packages up by binary name and origin', () => {
    const pkg: Package = { name: 'libcrypto3', version: '3.3.0-r1', ecosystem: 'wolfi', purl: 'pkg:apk/wolfi/libcrypto3@3.3.0-r1', manager: 'apk', source: { name: 'openssl', version: '3.3.0-r1' } };
    const { findings } = run({
      affected: [
        row({ ecosystem: 'wolfi', package: 'libcrypto3', vulnId: 'CVE-2024-1', source: 'osv', status: 'fixed', ranges: open('3.3.0-r2') }),
        row({ ecosystem: 'wolfi', package: 'openssl', vulnId: 'CVE-2024-2', source: 'alpine-secdb', status: 'fixed', fixed: '3.3.0-r5', ranges: open('3.3.0-r5') }),
      ],
    }, [pkg], { family: 'wolfi', version: '20230201' });
    assert.deepEqual(findings.map((f) => f.id).sort(), ['CVE-2024-1', 'CVE-2024-2']);
  });
});

describe('rpm matcher', () => {
  it('matches binary names under the major release with epoch:version-release', () => {
    const pkgs: Package[] = [
      { name: 'openssl-libs', version: '1:1.1.1k-7.el8_6', epoch: 1, ecosystem: 'alma', purl: 'pkg:rpm/almalinux/openssl-libs@1.1.1k-7.el8_6?epoch=1', manager: 'rpm', source: { name: 'openssl' } },
      // The epoch beside the version rather than in it.
      { name: 'bind-libs', version: '9.11.36-3.el8', epoch: 32, ecosystem: 'alma', purl: 'pkg:rpm/almalinux/bind-libs@9.11.36-3.el8?epoch=32', manager: 'rpm' },
    ];
    const { findings } = run({
      affected: [
        row({ ecosystem: 'alma:8', package: 'openssl-libs', vulnId: 'CVE-2023-0286', source: 'osv', status: 'fixed', ranges: open('1:1.1.1k-9.el8_7'), severity: 'HIGH', advisory: 'ALSA-2023:1405' }),
        row({ ecosystem: 'alma:8', package: 'openssl', vulnId: 'CVE-2099-5', source: 'osv', status: 'fixed', ranges: open('1:9.9') }),
        // Without the epoch, 9.11.36-3.el8 would be below 9.11.36-8.el8 and look affected.
        row({ ecosystem: 'alma:8', package: 'bind-libs', vulnId: 'CVE-2023-2828', source: 'osv', status: 'fixed', ranges: open('32:9.11.36-8.el8') }),
        row({ ecosystem: 'alma:8', package: 'bind-libs', vulnId: 'CVE-2022-0001', source: 'osv', status: 'fixed', ranges: open('32:9.11.36-2.el8') }),
      ],
    }, pkgs, { family: 'alma', version: '8.7' });
    assert.deepEqual(findings.map((f) => [f.package, f.id, f.fixedVersion, f.severity]), [
      ['openssl-libs', 'CVE-2023-0286', '1:1.1.1k-9.el8_7', 'HIGH'],
      ['bind-libs', 'CVE-2023-2828', '32:9.11.36-8.el8', 'UNKNOWN'],
    ]);
  });
});

describe('rpm matcher: module streams', () => {
  it('matches module builds only with packages from a module, and plain builds only with plain packages', () => {
    const plain: Package = { name: 'libiscsi', version: '1.18.0-8.el8', ecosystem: 'alma', purl: 'pkg:rpm/almalinux/libiscsi@1.18.0-8.el8', manager: 'rpm' };
    const modular: Package = { name: 'libiscsi', version: '1.18.0-8.module_el8.3.0+2048+e7a0a3ea', modularityLabel: 'virt:rhel:8030020201207000000:0123abcd', ecosystem: 'alma', purl: 'pkg:rpm/almalinux/libiscsi@1.18.0-8.module_el8.3.0%2B2048%2Be7a0a3ea', manager: 'rpm' };
    const rows = { affected: [
      // ALSA-2020:1358: fixed in three module builds (virt:rhel).
      row({ ecosystem: 'alma:8', package: 'libiscsi', vulnId: 'CVE-2020-1711', source: 'osv', status: 'fixed', ranges: [
        ...open('1.18.0-8.module_el8.6.0+2880+7d9e3703'), ...open('1.18.0-8.module_el8.5.0+2608+72063365'), ...open('1.18.0-8.module_el8.3.0+2048+e7a0a3ea')] }),
      row({ ecosystem: 'alma:8', package: 'libiscsi', vulnId: 'CVE-2099-10', source: 'osv', status: 'fixed', ranges: open('1.18.0-9.el8') }),
    ] };
    // Plainly "1.18.0-8.el8" sorts below "1.18.0-8.module_el8…": without the rule it would look affected.
    assert.deepEqual(run(rows, [plain], { family: 'alma', version: '8.9' }).findings.map((f) => [f.id, f.fixedVersion]), [['CVE-2099-10', '1.18.0-9.el8']]);
    // The installed build is the el8.3 fix itself; an older build of the stream is not.
    assert.deepEqual(run(rows, [modular], { family: 'alma', version: '8.9' }).findings, []);
    const older = { ...modular, version: '1.18.0-7.module_el8.3.0+1900+0a1b2c3d' };
    assert.deepEqual(run(rows, [older], { family: 'alma', version: '8.9' }).findings.map((f) => [f.id, f.fixedVersion]), [['CVE-2020-1711', '1.18.0-8.module_el8.3.0+2048+e7a0a3ea']]);
  });
});

describe('rpm matcher: CentOS', () => {
  it("takes Red Hat's advisories for the same major release", () => {
    const pkg: Package = { name: 'openssl-libs', version: '1:1.0.2k-19.el7', epoch: 1, ecosystem: 'centos', purl: 'pkg:rpm/centos/openssl-libs@1.0.2k-19.el7?epoch=1', manager: 'rpm' };
    const { findings } = run({
      affected: [
        row({ ecosystem: 'redhat:7', package: 'openssl-libs', vulnId: 'CVE-2021-23840', source: 'osv', status: 'fixed', ranges: open('1:1.0.2k-22.el7_9'), severity: 'MEDIUM' }),
        row({ ecosystem: 'redhat:8', package: 'openssl-libs', vulnId: 'CVE-2099-8', source: 'osv', status: 'fixed', ranges: open('1:9') }),
      ],
    }, [pkg], { family: 'centos', version: '7.9.2009' });
    assert.deepEqual(findings.map((f) => [f.id, f.fixedVersion, f.severity]), [['CVE-2021-23840', '1:1.0.2k-22.el7_9', 'MEDIUM']]);
  });
});

describe('language matcher', () => {
  it('normalises names (PEP 503), folds GHSA into CVE and prefers GHSA severity over NVD', () => {
    const flask: Package = { name: 'Flask_Cors', version: '3.0.8', ecosystem: 'pypi', purl: 'pkg:pypi/flask-cors@3.0.8', manager: 'pypi' as Package['manager'] };
    const { findings } = run({
      affected: [
        row({ ecosystem: 'pypi', package: 'flask-cors', vulnId: 'CVE-2020-25032', source: 'osv', status: 'fixed', ranges: open('3.0.9'), advisory: 'PYSEC-2020-43' }),
        // The same vulnerability under its GHSA ID only (a record without the CVE alias).
        row({ ecosystem: 'pypi', package: 'flask-cors', vulnId: 'GHSA-xc3p-ff56-63j3', source: 'osv', status: 'fixed', ranges: open('3.0.9'), severity: 'HIGH' }),
      ],
      vulns: [
        { id: 'CVE-2020-25032', aliases: ['GHSA-xc3p-ff56-63j3', 'PYSEC-2020-43'], sources: ['osv', 'nvd'], ratings: [
          { source: 'nvd', severity: 'CRITICAL', cvss: { source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 } },
          { source: 'ghsa', severity: 'HIGH' }] },
      ],
      kev: [{ cve: 'CVE-2020-25032', dateAdded: '2024-01-01' }],
      epss: [{ cve: 'CVE-2020-25032', score: 0.01234, percentile: 0.85 }],
    }, [flask], undefined);
    assert.equal(findings.length, 1);
    const f = findings[0]!;
    assert.equal(f.id, 'CVE-2020-25032');
    assert.deepEqual(f.aliases, ['GHSA-xc3p-ff56-63j3', 'PYSEC-2020-43']);
    assert.equal(f.severity, 'HIGH');
    assert.deepEqual(f.severities?.map((s) => s.source).sort(), ['ghsa', 'nvd']);
    assert.equal(f.fixedVersion, '3.0.9');
    assert.equal(f.kev, true);
    assert.equal(f.epss, 0.01234);
    assert.equal(f.epssPercentile, 0.85);
  });

  it('matches npm SEMVER ranges and explicit versions lists', () => {
    const pkgs: Package[] = [
      { name: 'lodash', version: '4.17.20', ecosystem: 'npm', purl: 'pkg:npm/lodash@4.17.20', manager: 'npm' as Package['manager'] },
      { name: '@babel/traverse', version: '7.22.0', ecosystem: 'npm', purl: 'pkg:npm/%40babel/traverse@7.22.0', manager: 'npm' as Package['manager'] },
    ];
    const { findings } = run({
      affected: [
        row({ ecosystem: 'npm', package: 'lodash', vulnId: 'CVE-2021-23337', source: 'osv', status: 'fixed', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }),
        row({ ecosystem: 'npm', package: 'lodash', vulnId: 'CVE-2099-9', source: 'osv', status: 'affected', versions: ['4.17.19'] }),
        row({ ecosystem: 'npm', package: '@babel/traverse', vulnId: 'CVE-2023-45133', source: 'osv', status: 'fixed', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '7.23.2' }] }] }),
      ],
    }, pkgs, undefined);
    assert.deepEqual(findings.map((f) => [f.package, f.id, f.fixedVersion]).sort(), [
      ['@babel/traverse', 'CVE-2023-45133', '7.23.2'],
      ['lodash', 'CVE-2021-23337', '4.17.21'],
    ]);
  });
});
