import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { apkAnalyzer, parseApkInstalled } from './index.ts';

const parse = (s: string) => parseApkInstalled(Buffer.from(s));
const ALPINE_DB = fileURLToPath(new URL('../../../../shared/data/pkgdb/apk/trivy-alpine-3.4/input/lib/apk/db/installed', import.meta.url));

describe('apk installed database', () => {
  test('fields, origin as the source package at the same version, maintainer', () => {
    const pkgs = parse([
      'C:Q1abc=', 'P:libcrypto3', 'V:3.3.2-r0', 'A:aarch64', 'S:1', 'I:2', 'T:Crypto library from openssl', 'L:Apache-2.0',
      'o:openssl', 'm:Ariadne Conill <ariadne@dereferenced.org>', 'F:lib', 'R:libcrypto.so.3', 'Z:Q1xyz=', '',
    ].join('\n'));
    assert.deepEqual(pkgs, [{
      manager: 'apk', name: 'libcrypto3', version: '3.3.2-r0', arch: 'aarch64', sourceName: 'openssl', sourceVersion: '3.3.2-r0',
      licenses: ['Apache-2.0'], maintainer: 'Ariadne Conill <ariadne@dereferenced.org>',
    }]);
  });

  test('a package without origin is its own source; one without V or P is skipped', () => {
    const pkgs = parse('P:busybox\nV:1.36.1-r29\nA:x86_64\n\nP:broken\nA:x86_64\n\nV:1.0-r0\n\n');
    assert.deepEqual(pkgs.map((p) => [p.name, p.sourceName]), [['busybox', 'busybox']]);
  });

  test('licenses: an SPDX expression is one statement, an old space-separated list is several', () => {
    const lic = (l: string) => parse(`P:x\nV:1-r0\nL:${l}\n`)[0]!.licenses;
    assert.deepEqual(lic('MIT BSD GPL2+'), ['MIT', 'BSD', 'GPL2+']);
    assert.deepEqual(lic('( Apache-2.0 OR MIT ) AND MPL-2.0'), ['( Apache-2.0 OR MIT ) AND MPL-2.0']);
    assert.deepEqual(lic('GPL-2.0-or-later WITH Linux-syscall-note'), ['GPL-2.0-or-later WITH Linux-syscall-note']);
  });

  test('CRLF line ends and a last entry without a trailing blank line', () => {
    assert.deepEqual(parse('P:a\r\nV:1-r0\r\n\r\nP:b\r\nV:2-r1').map((p) => `${p.name}=${p.version}`), ['a=1-r0', 'b=2-r1']);
  });

  test('garbage and a large database: no crash, linear time', () => {
    assert.deepEqual(parse('\u0000\u0001:::\n\n:\nPP\n'), []);
    // The real Alpine 3.4 database repeated to ~3,000 packages with their file lists.
    const real = readFileSync(ALPINE_DB, 'utf8');
    const big = Buffer.from(Array.from({ length: 200 }, (_, i) => real.replace(/^P:(.*)$/gm, `P:$1-${i}`)).join('\n\n'));
    const t0 = performance.now();
    const n = parseApkInstalled(big).length;
    assert.equal(n, 200 * parseApkInstalled(Buffer.from(real)).length);
    // A hang guard, not a speed test (bench/analyzers.ts measures speed).
    assert.ok(performance.now() - t0 < 15_000);
  });

  test('wants the installed database only', () => {
    assert.equal(apkAnalyzer.wants('lib/apk/db/installed'), true);
    assert.equal(apkAnalyzer.wants('usr/lib/apk/db/installed'), true);
    for (const p of ['lib/apk/db/triggers', 'lib/apk/db/installed.old', 'etc/apk/world', 'x/lib/apk/db/installed']) assert.equal(apkAnalyzer.wants(p), false, p);
  });
});
