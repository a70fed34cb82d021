import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { needs } from '../../../test/tools.ts';
import { dpkgAnalyzer, parseDebVersion, parseDpkgStatus } from './index.ts';

const MACHINE_STATUS = '/var/lib/dpkg/status';

function line(p: { name: string; version: string; arch?: string; sourceName?: string; sourceVersion?: string }): string {
  return `${p.name} ${p.version} ${p.arch ?? ''} ${p.sourceName ?? ''} ${p.sourceVersion ?? ''}`;
}

describe('dpkg status of this machine', () => {
  const skip = needs('dpkg-query') || (existsSync(MACHINE_STATUS) ? false : `no ${MACHINE_STATUS}`);
  test('equals what dpkg-query reports for installed packages', { skip }, () => {
    const q = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Version} ${Architecture} ${source:Package} ${source:Version} ${db:Status-Status}\n'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(q.status, 0, q.stderr);
    // Packages whose files are on disk; not-installed and config-files ones are not.
    const present = new Set(['installed', 'unpacked', 'half-installed', 'half-configured', 'triggers-awaited', 'triggers-pending']);
    const expected = q.stdout.split('\n').filter(Boolean)
      .map((l) => l.split(' '))
      .filter((f) => present.has(f[5]!))
      .map((f) => f.slice(0, 5).join(' '))
      .sort();
    const ours = dpkgAnalyzer.analyze('var/lib/dpkg/status', readFileSync(MACHINE_STATUS)).packages!.map(line).sort();
    assert.ok(expected.length > 50, `only ${expected.length} packages on this machine`);
    assert.deepEqual(ours, expected);
  });

  // Its speed is measured by bench/analyzers.ts; this checks the same input parses completely.
  test('a 2,000-package status file (this machine\'s stanzas, repeated) parses completely', { skip }, () => {
    // This machine's stanzas, renamed and repeated up to 2,000 packages (~1.8 MB).
    const stanzas = readFileSync(MACHINE_STATUS, 'utf8').split(/\n\n+/).filter((s) => s.includes('Package:'));
    const out: string[] = [];
    for (let i = 0; out.length < 2000; i++) out.push(stanzas[i % stanzas.length]!.replace(/^Package: (.*)$/m, `Package: $1-${i}`));
    const big = Buffer.from(`${out.join('\n\n')}\n`);
    const pkgs = parseDpkgStatus(big);
    assert.equal(pkgs.length, 2000);
    assert.equal(new Set(pkgs.map((p) => p.name)).size, 2000);
  });
});

describe('dpkg stanzas', () => {
  const parse = (s: string) => parseDpkgStatus(Buffer.from(s));

  test('Source with and without a version; a missing Source is the binary itself', () => {
    const pkgs = parse([
      'Package: libgcc-s1', 'Status: install ok installed', 'Architecture: amd64', 'Source: gcc-12 (12.2.0-14)', 'Version: 12.2.0-14', '',
      'Package: bsdutils', 'Status: install ok installed', 'Architecture: amd64', 'Source: util-linux', 'Version: 1:2.38.1-5+b1', '',
      'Package: tzdata', 'Status: install ok installed', 'Architecture: all', 'Version: 2024a-0+deb12u1', '',
    ].join('\n'));
    assert.deepEqual(pkgs.map((p) => [p.name, p.version, p.epoch, p.sourceName, p.sourceVersion]), [
      ['libgcc-s1', '12.2.0-14', undefined, 'gcc-12', '12.2.0-14'],
      ['bsdutils', '1:2.38.1-5+b1', 1, 'util-linux', '1:2.38.1-5+b1'],
      ['tzdata', '2024a-0+deb12u1', undefined, 'tzdata', '2024a-0+deb12u1'],
    ]);
  });

  test('only packages whose files are on disk count', () => {
    const states = ['install ok installed', 'hold ok installed', 'deinstall ok installed', 'install ok half-configured', 'install ok unpacked',
      'deinstall ok config-files', 'purge ok not-installed', 'install ok'];
    const text = states.map((s, i) => `Package: p${i}\nStatus: ${s}\nVersion: 1.0\n`).join('\n');
    assert.deepEqual(parse(text).map((p) => p.name), ['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  test('field names are case-insensitive, CRLF and whitespace-only separators are tolerated', () => {
    const pkgs = parse('package: a\r\nSTATUS: install ok installed\r\nversion: 1.0-1\r\narchitecture: arm64\r\n \t\r\nPackage: b\r\nVersion: 2\r\n');
    assert.deepEqual(pkgs.map((p) => [p.name, p.version, p.arch]), [['a', '1.0-1', 'arm64'], ['b', '2', undefined]]);
  });

  test('multi-line fields do not leak into the fields we read', () => {
    const pkgs = parse('Package: a\nDescription: x\n Version: 9.9\n .\n Package: evil\nVersion: 1.0\n');
    assert.deepEqual(pkgs.map((p) => [p.name, p.version]), [['a', '1.0']]);
  });

  test('versions dpkg would reject are skipped with their stanza', () => {
    assert.deepEqual(parse('Package: a\nVersion: 1:5.#\n\nPackage: b\nVersion: x:1.0\n\nPackage: c\nVersion: 1.0-\n\nPackage: d\nVersion: 1.0 2\n').map((p) => p.name), []);
  });

  test('parseDebVersion follows deb-version(7)', () => {
    assert.deepEqual(parseDebVersion('1:2.38.1-5+b1'), { epoch: 1, upstream: '2.38.1', revision: '5+b1' });
    assert.deepEqual(parseDebVersion('20.10.7~3-0~debian-buster'), { upstream: '20.10.7~3-0~debian', revision: 'buster' });
    assert.deepEqual(parseDebVersion('1:2:3'), { epoch: 1, upstream: '2:3' });
    assert.equal(parseDebVersion('1.2:3'), undefined);
    assert.equal(parseDebVersion(''), undefined);
    assert.equal(parseDebVersion('1.0-a_b'), undefined);
  });

  test('hostile input: garbage, no colons, huge lines — no crash, linear time', () => {
    assert.deepEqual(parse('\u0000\u0001garbage\n\n\n:::\n'), []);
    const colonless = Buffer.from('x\n'.repeat(2_000_000));
    const t0 = performance.now();
    assert.deepEqual(parseDpkgStatus(colonless), []);
    // A hang guard, not a speed test: quadratic scanning of 2M lines would take minutes.
    assert.ok(performance.now() - t0 < 15_000);
    assert.deepEqual(parseDpkgStatus(Buffer.alloc(5_000_000, 0x41)), []);
  });
});

describe('dpkg paths', () => {
  test('wants the status file and the files of status.d, not their checksums or scripts', () => {
    const wanted = ['var/lib/dpkg/status', 'var/lib/dpkg/status.d/libssl3', 'var/lib/dpkg/status.d/python3.11'];
    const unwanted = ['var/lib/dpkg/status-old', 'var/lib/dpkg/available', 'var/lib/dpkg/status.d/libssl3.md5sums',
      'var/lib/dpkg/status.d/libssl3.preinst', 'var/lib/dpkg/status.d/', 'var/lib/dpkg/status.d/a/b', 'usr/var/lib/dpkg/status'];
    for (const p of wanted) assert.equal(dpkgAnalyzer.wants(p), true, p);
    for (const p of unwanted) assert.equal(dpkgAnalyzer.wants(p), false, p);
  });

  test('a status.d file also marks the image as distroless for resolveOS', () => {
    const r = dpkgAnalyzer.analyze('var/lib/dpkg/status.d/base', Buffer.from('Package: base-files\nVersion: 12.4+deb12u5\n'));
    assert.deepEqual(r.os, { source: 'other' });
    assert.equal(dpkgAnalyzer.analyze('var/lib/dpkg/status', Buffer.from('')).os, undefined);
  });
});
