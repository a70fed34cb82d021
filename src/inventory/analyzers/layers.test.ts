/**
 * The analyzers as the pipeline runs them: real layer tars (written by tar-stream) through the
 * layer walker, per-layer results merged with whiteouts, OS resolved from what survives. Checks
 * that per-file results make deletions and replacements in later layers come out right.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildLayer } from '../../../test/image-builder.ts';
import type { EntrySpec } from '../../../test/image-builder.ts';
import { toInventory } from '../build.ts';
import { analyzeLayer } from '../layer-analysis.ts';
import { mergeLayers } from '../merge.ts';
import type { Inventory } from '../types.ts';
import { ANALYZERS, resolveOS } from './index.ts';

const PKGDB = (p: string) => readFileSync(fileURLToPath(new URL(`../../../../shared/data/pkgdb/${p}`, import.meta.url)));

async function inventoryOf(layers: EntrySpec[][]): Promise<Inventory & { warnings: string[] }> {
  const built = await Promise.all(layers.map((l) => buildLayer(l, 'gzip', 'oci')));
  const refs = built.map((b) => ({ descriptor: b.descriptor, diffId: b.diffId }));
  const analyses = await Promise.all(built.map((b, i) => analyzeLayer(Readable.from([b.blob]), refs[i]!, ANALYZERS)));
  return toInventory(mergeLayers(analyses), { layers: refs }, resolveOS);
}

const DEBIAN_OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';

test('distroless: status.d packages and the distroless flag, gone with a whiteout of the directory', async () => {
  const base: EntrySpec[] = [
    { path: 'usr/lib/os-release', content: DEBIAN_OS },
    { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { path: 'etc/debian_version', content: '12.7\n' },
    { path: 'var/lib/dpkg/status.d/libsqlite3-0', content: PKGDB('dpkg/syft-distroless-status.d/input/var/lib/dpkg/status.d/libsqlite3-0') },
    { path: 'var/lib/dpkg/status.d/libsqlite3-0.md5sums', content: 'd41d8cd98f00b204e9800998ecf8427e  usr/lib/x\n' },
  ];
  const one = await inventoryOf([base]);
  assert.deepEqual(one.os, { family: 'debian', version: '12.7', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)', distroless: true });
  assert.deepEqual(one.packages.map((p) => [p.name, p.version, p.purl]), [['libsqlite3-0', '3.34.1-3', 'pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&distro=debian-12']]);

  const two = await inventoryOf([base, [{ path: 'var/lib/dpkg/status.d', type: 'whiteout' }]]);
  assert.equal(two.os?.distroless, undefined);
  assert.deepEqual(two.packages, []);
});

test('an rpm database replaced in a later layer, and a corrupt one reported as a warning', async () => {
  const rhel = PKGDB('os-release/trivy-release-rhel/input/etc/os-release');
  const dive = PKGDB('rpm/syft-dive-bdb/input/var/lib/rpm/Packages');
  const libuuid = PKGDB('rpm/go-rpmdb-libuuid-bdb/input/var/lib/rpm/Packages');
  const inv = await inventoryOf([
    [{ path: 'etc/os-release', content: rhel }, { path: 'var/lib/rpm/Packages', content: dive }],
    [{ path: 'var/lib/rpm/Packages', content: libuuid }],
  ]);
  assert.deepEqual(inv.os && [inv.os.family, inv.os.version], ['redhat', '9.4']);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version, p.source?.name, p.purl]),
    [['libuuid', '2.32.1-42.el8_8', 'util-linux', 'pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=redhat-9.4']]);

  const broken = Buffer.from(libuuid.subarray(0, 5000));
  const bad = await inventoryOf([[{ path: 'etc/os-release', content: rhel }, { path: 'usr/lib/sysimage/rpm/Packages', content: broken }]]);
  assert.deepEqual(bad.packages, []);
  assert.ok(bad.warnings.some((w) => /^rpm: usr\/lib\/sysimage\/rpm\/Packages: rpm Packages \(Berkeley DB\): truncated/.test(w)), bad.warnings.join('\n'));
});

test('an apk database replaced in a later layer; the OS from os-release and alpine-release', async () => {
  const inv = await inventoryOf([
    [{ path: 'etc/os-release', content: PKGDB('os-release/trivy-release-alpine/input/etc/os-release') }, { path: 'etc/alpine-release', content: '3.15.4\n' },
      { path: 'lib/apk/db/installed', content: PKGDB('apk/syft-single/input/lib/apk/db/installed') }],
    [{ path: 'lib/apk/db/installed', content: PKGDB('apk/syft-multiple-1/input/lib/apk/db/installed') }],
  ]);
  assert.deepEqual(inv.os && [inv.os.family, inv.os.version], ['alpine', '3.15.4']);
  assert.deepEqual(inv.packages.map((p) => p.purl), [
    'pkg:apk/alpine/bash@5.2.21-r0?arch=x86_64&distro=alpine-3.15.4',
    'pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=alpine-3.15.4',
    'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.15.4',
    'pkg:apk/alpine/readline@8.2.1-r2?arch=x86_64&distro=alpine-3.15.4',
  ]);
});
