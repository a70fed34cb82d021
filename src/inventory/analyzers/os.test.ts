/**
 * resolveOS over the release files real images carry (contents as the distributions ship them),
 * beyond the one-file fixtures of ../shared/data/pkgdb/os-release.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OSInfo } from '../types.ts';
import { ANALYZERS, osAnalyzer, resolveOS } from './index.ts';

/** Run the registered analyzers over an image's files (path → content), then resolveOS. */
function osOf(files: Record<string, string>): OSInfo | undefined {
  const facts = [];
  for (const [path, text] of Object.entries(files)) {
    for (const a of ANALYZERS) {
      if (!a.wants(path)) continue;
      const r = a.analyze(path, Buffer.from(text));
      if (r.os) facts.push({ path, facts: r.os });
    }
  }
  return resolveOS(facts);
}

const DEBIAN_12_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

const UBUNTU_2204_OS_RELEASE = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
`;

describe('resolveOS', () => {
  test('Debian: os-release for the family, debian_version for the point release', () => {
    assert.deepEqual(osOf({ 'etc/os-release': DEBIAN_12_OS_RELEASE, 'etc/debian_version': '12.5\n' }),
      { family: 'debian', version: '12.5', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    // A debian_version of another release (a broken image) does not override os-release.
    assert.equal(osOf({ 'etc/os-release': DEBIAN_12_OS_RELEASE, 'etc/debian_version': '11.9\n' })?.version, '12');
  });

  test('Debian testing/unstable: no VERSION_ID, the version is what debian_version says', () => {
    const osr = 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\nID=debian\n';
    assert.deepEqual(osOf({ 'etc/os-release': osr, 'etc/debian_version': 'trixie/sid\n' }),
      { family: 'debian', version: 'trixie/sid', codename: 'trixie', prettyName: 'Debian GNU/Linux trixie/sid' });
  });

  test('Ubuntu: its debian_version ("bookworm/sid") and lsb-release do not make it Debian', () => {
    const files = {
      'etc/os-release': UBUNTU_2204_OS_RELEASE,
      'etc/debian_version': 'bookworm/sid\n',
      'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"\n',
    };
    assert.deepEqual(osOf(files), { family: 'ubuntu', version: '22.04', codename: 'jammy', prettyName: 'Ubuntu 22.04.4 LTS' });
    // Old Ubuntu images without os-release: lsb-release still wins over debian_version.
    const { 'etc/os-release': _, ...legacy } = files;
    assert.deepEqual(osOf(legacy), { family: 'ubuntu', version: '22.04', codename: 'jammy', prettyName: 'Ubuntu 22.04.4 LTS' });
  });

  test('Alpine: the full version from alpine-release', () => {
    const osr = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n';
    assert.equal(osOf({ 'etc/os-release': osr, 'etc/alpine-release': '3.20.3\n' })?.version, '3.20.3');
    assert.equal(osOf({ 'etc/alpine-release': '3.4.6\n' })?.version, '3.4.6');
    assert.equal(osOf({ 'etc/os-release': osr, 'etc/alpine-release': '3.19.1\n' })?.version, '3.20.0');
  });

  test('/etc/os-release wins over /usr/lib/os-release, which stands in when /etc has none', () => {
    const wolfi = 'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\nHOME_URL="https://wolfi.dev"\n';
    const chainguard = 'ID=chainguard\nNAME="Chainguard"\nPRETTY_NAME="Chainguard"\nVERSION_ID="20230214"\n';
    assert.equal(osOf({ 'etc/os-release': chainguard, 'usr/lib/os-release': wolfi })?.family, 'chainguard');
    assert.deepEqual(osOf({ 'usr/lib/os-release': wolfi }), { family: 'wolfi', version: '20230201', prettyName: 'Wolfi' });
    // An /etc/os-release of an unknown OS hides /usr/lib/os-release (systemd reads only /etc's).
    assert.equal(osOf({ 'etc/os-release': 'ID=gentoo\nVERSION_ID=2.15\n', 'usr/lib/os-release': wolfi }), undefined);
  });

  test('the Red Hat family without os-release: the most specific release file wins', () => {
    assert.deepEqual(osOf({ 'etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n', 'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n' }),
      { family: 'centos', version: '7.9.2009', codename: 'Core', prettyName: 'CentOS Linux release 7.9.2009 (Core)' });
    // Oracle Linux ships a redhat-release naming RHEL.
    assert.equal(osOf({ 'etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n', 'etc/oracle-release': 'Oracle Linux Server release 7.9\n' })?.family, 'oracle');
    assert.deepEqual(osOf({ 'etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.10 (Santiago)\n' }),
      { family: 'redhat', version: '6.10', codename: 'Santiago', prettyName: 'Red Hat Enterprise Linux Server release 6.10 (Santiago)' });
    assert.equal(osOf({ 'etc/centos-release': 'CentOS Stream release 8\n' })?.family, 'centos-stream');
    assert.equal(osOf({ 'etc/fedora-release': 'Fedora release 39 (Thirty Nine)\n', 'etc/redhat-release': 'Fedora release 39 (Thirty Nine)\n' })?.version, '39');
    assert.deepEqual(osOf({ 'etc/system-release': 'Amazon Linux AMI release 2018.03\n' })?.version, '2018.03');
    assert.deepEqual(osOf({ 'etc/system-release': 'Amazon Linux release 2 (Karoo)\n' })?.family, 'amazon');
    assert.equal(osOf({ 'etc/rocky-release': 'Rocky Linux release 8.9 (Green Obsidian)\n' })?.family, 'rocky');
    assert.equal(osOf({ 'etc/almalinux-release': 'AlmaLinux release 9.4 (Seafoam Ocelot)\n' })?.family, 'alma');
  });

  test('os-release keeps its own version for the Red Hat family (advisories go by it)', () => {
    const osr = 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\nPRETTY_NAME="Amazon Linux 2023.5.20240708"\n';
    assert.equal(osOf({ 'etc/os-release': osr, 'etc/system-release': 'Amazon Linux release 2023.5.20240708 (Amazon Linux)\n' })?.version, '2023');
  });

  test('SUSE, Photon and Mariner legacy files', () => {
    assert.deepEqual(osOf({ 'etc/SuSE-release': 'SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 3\n' })?.version, '12.3');
    assert.deepEqual(osOf({ 'etc/SuSE-release': 'openSUSE 42.3 (x86_64)\nVERSION = 42.3\nCODENAME = Malachite\n' })?.family, 'opensuse-leap');
    assert.equal(osOf({ 'etc/SuSE-release': 'openSUSE 13.2 (x86_64)\nVERSION = 13.2\n' }), undefined);
    assert.deepEqual(osOf({ 'etc/photon-release': 'VMware Photon OS 4.0\nPHOTON_BUILD_NUMBER=ca7c9e933\n' }), { family: 'photon', version: '4.0' });
    assert.deepEqual(osOf({ 'etc/mariner-release': 'CBL-Mariner 2.0.20240123\nBUILD_NUMBER=1\n' }), { family: 'cbl-mariner', version: '2.0' });
  });

  test('distroless: a Debian whose dpkg database is status.d, or whose os-release says so', () => {
    const distrolessOsRelease = `PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nVERSION="Debian GNU/Linux 12 (bookworm)"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\n`;
    assert.equal(osOf({ 'etc/os-release': distrolessOsRelease, 'etc/debian_version': '12.7\n' })?.distroless, true);
    const statusD = { 'etc/os-release': DEBIAN_12_OS_RELEASE, 'var/lib/dpkg/status.d/base-files': 'Package: base-files\nVersion: 12.4+deb12u7\n' };
    assert.equal(osOf(statusD)?.distroless, true);
    assert.equal(osOf({ 'etc/os-release': DEBIAN_12_OS_RELEASE, 'var/lib/dpkg/status': 'Package: base-files\nVersion: 12.4\n' })?.distroless, undefined);
    // status.d alone says nothing about which OS it is.
    assert.equal(osOf({ 'var/lib/dpkg/status.d/base-files': 'Package: base-files\nVersion: 12.4\n' }), undefined);
  });

  test('unusable files: garbage, binary, empty, unknown IDs — no OS, no crash', () => {
    for (const text of ['', '\u0000\u0001\u0002\u00ff', '=\n==\nID\n"', 'ID="unterminated\nVERSION_ID=1\n', 'ID=unknown\nVERSION_ID=4.3.2\n']) {
      assert.equal(osOf({ 'etc/os-release': text }), undefined, JSON.stringify(text));
    }
    for (const path of ['etc/debian_version', 'etc/alpine-release', 'etc/redhat-release', 'etc/lsb-release', 'etc/SuSE-release']) {
      assert.equal(osOf({ [path]: '\u0000garbage \u00ff\n' }), undefined, path);
    }
  });

  test('quoting per os-release(5)', () => {
    const facts = osAnalyzer.analyze('etc/os-release', Buffer.from(`ID='rhel'\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat \\"Enterprise\\" Linux \\$9"\n# ID=fedora\n`)).os;
    assert.deepEqual(facts, { source: 'os-release', family: 'redhat', version: '9.4', prettyName: 'Red Hat "Enterprise" Linux $9' });
  });
});

// How cheap wants() is, is measured by bench/analyzers.ts; here: none of these paths is wanted.
test('wants() turns down ordinary paths, for every analyzer', () => {
  const paths = Array.from({ length: 1000 }, (_, i) => [`usr/lib/python3/dist-packages/pkg${i}/module${i}.py`, `var/lib/dpkg/info/pkg${i}.list`,
    `usr/share/doc/pkg${i}/copyright`, `etc/conf${i}.d/x`]).flat();
  let n = 0;
  for (const p of paths) for (const a of ANALYZERS) if (a.wants(p)) n++;
  assert.equal(n, 0);
});
