/**
 * formatPurl against packageurl-js, the purl spec's reference implementation for JavaScript:
 * the same parts must give the same string. Inputs are the packages of the real package
 * databases in ../shared/data/pkgdb/ (every manager under every purl type and the OS families of
 * the real os-release samples) and strings chosen for the encoding rules (case, spaces,
 * reserved and non-ASCII characters, empty and duplicate parts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { PackageURL } from 'packageurl-js';
import { formatPurl, purlOf } from './purl.ts';
import type { PurlParts } from './purl.ts';
import type { OSInfo, PackageManager, RawPackage } from './types.ts';

const PKGDB = fileURLToPath(new URL('../../../shared/data/pkgdb/', import.meta.url));

interface Expected { name: string; version?: string; release?: string; epoch?: number; arch?: string; fullVersion?: string }
const real: { manager: PackageManager; pkg: Expected }[] = (['dpkg', 'apk', 'rpm'] as const).flatMap((manager) =>
  readdirSync(join(PKGDB, manager)).flatMap((fixture) => {
    try {
      return (JSON.parse(readFileSync(join(PKGDB, manager, fixture, 'expected.json'), 'utf8')) as Expected[]).map((pkg) => ({ manager, pkg }));
    } catch {
      return [];
    }
  }));
const families = readdirSync(join(PKGDB, 'os-release')).flatMap((fixture) => {
  try {
    const os = JSON.parse(readFileSync(join(PKGDB, 'os-release', fixture, 'expected.json'), 'utf8')) as { family: string; name: string } | null;
    return os ? [{ family: os.family, version: os.name }] : [];
  } catch {
    return [];
  }
});

function reference(p: PurlParts): string {
  return new PackageURL(p.type, p.namespace, p.name, p.version, p.qualifiers, undefined).toString();
}

test('the real packages give the purl packageurl-js gives, under every type and OS family', () => {
  assert.ok(real.length > 100, `only ${real.length} packages read from ${PKGDB}`);
  assert.ok(families.length > 10);
  let n = 0;
  for (const { pkg } of real) {
    for (const type of ['deb', 'rpm', 'apk', 'oci'] as const) {
      for (const { family, version } of families.slice(0, 4)) {
        const parts: PurlParts = {
          type,
          ...(type === 'oci' ? {} : { namespace: family }),
          name: pkg.name,
          version: pkg.fullVersion ?? pkg.version ?? '',
          qualifiers: { arch: pkg.arch ?? '', distro: `${family}-${version}`, ...(pkg.epoch ? { epoch: String(pkg.epoch) } : {}) },
        };
        assert.equal(formatPurl(parts), reference(parts));
        n++;
      }
    }
  }
  assert.ok(n > 400);
});

test('purlOf: every real package under every real OS family equals packageurl-js on the same parts', () => {
  for (const { manager, pkg } of real) {
    for (const os of families) {
      const raw = { manager, name: pkg.name, version: pkg.fullVersion ?? pkg.version ?? '', ...(pkg.arch ? { arch: pkg.arch } : {}) } as RawPackage;
      const purl = purlOf(raw, os.family, os as OSInfo);
      const parsed = PackageURL.fromString(purl);
      assert.equal(purl, reference({
        type: parsed.type as PurlParts['type'],
        ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
        name: parsed.name,
        ...(parsed.version ? { version: parsed.version } : {}),
        ...(parsed.qualifiers ? { qualifiers: { ...parsed.qualifiers } } : {}),
      }));
    }
  }
});

test('encoding rules: case, spaces, reserved and non-ASCII characters, empty and duplicate parts', () => {
  const names = ['LibFoo', ' padded ', 'a b', 'a+b', 'c++', 'x:y', 'p/q', 'pct%20', 'ünïcödé', 'a?b#c&d=e', "it's~(ok)*!", 'tab\there'];
  const versions = [undefined, '', '  ', '1:2.3-4ubuntu5+deb12u1~bpo', '1.0 beta', 'v/1', '2.0#x?y', '1%2B', 'Ä1'];
  const namespaces = [undefined, '', 'Debian', '/lead//ing/', 'a b', 'ns:x', 'Ünï'];
  const qualifierSets: (Record<string, string> | undefined)[] = [
    undefined,
    {},
    { arch: '' },
    { distro: 'debian-12', arch: 'x86_64', epoch: '1' },
    { Arch: 'AMD64', distro: '  spaced value  ' },
    { repository_url: 'registry.example:5000/team/app', tag: 'v1 + rc/2' },
    { z: 'a&b=c', a: 'ü', m: "'~*()!" },
    { arch: 'x', ARCH: '' },
  ];
  for (const type of ['deb', 'rpm', 'apk', 'oci'] as const) {
    for (const name of names) {
      for (const version of versions) {
        for (const namespace of type === 'oci' ? [undefined] : namespaces) {
          for (const qualifiers of qualifierSets) {
            const parts: PurlParts = { type, name, ...(namespace === undefined ? {} : { namespace }), ...(version === undefined ? {} : { version }), ...(qualifiers ? { qualifiers } : {}) };
            assert.equal(formatPurl(parts), reference(parts), JSON.stringify(parts));
          }
        }
      }
    }
  }
});

test('a blank name is refused, as packageurl-js refuses it', () => {
  for (const name of ['', '   ']) {
    assert.throws(() => reference({ type: 'deb', name }), /"name" is a required component/);
    assert.throws(() => formatPurl({ type: 'deb', name }), /"name" is a required component/);
  }
});
