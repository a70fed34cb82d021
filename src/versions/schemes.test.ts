/**
 * The edge cases each scheme's own documentation names, beyond the reference orderings:
 * what parses and what does not, and orderings the orderings files do not reach.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VersionError } from '../errors.ts';
import { compareVersions, getScheme, MAX_VERSION_LENGTH, type SchemeName, SCHEME_NAMES } from './index.ts';
import { maven387 } from './maven.ts';

/** Asserts a strictly increasing chain (and each element equal to itself). */
function ascending(scheme: SchemeName, chain: string[]): void {
  for (let i = 1; i < chain.length; i++) {
    assert.equal(compareVersions(scheme, chain[i - 1] as string, chain[i] as string), -1, `${chain[i - 1]} < ${chain[i]}`);
    assert.equal(compareVersions(scheme, chain[i] as string, chain[i - 1] as string), 1, `${chain[i]} > ${chain[i - 1]}`);
  }
}

function equal(scheme: SchemeName, pairs: [string, string][]): void {
  for (const [a, b] of pairs) assert.equal(compareVersions(scheme, a, b), 0, `${a} = ${b}`);
}

function invalid(scheme: SchemeName, versions: string[]): void {
  for (const v of versions) {
    assert.equal(getScheme(scheme).parse(v), undefined, JSON.stringify(v));
    assert.throws(() => compareVersions(scheme, v, v), (e: unknown) => e instanceof VersionError && e.code === 'BAD_VERSION');
  }
}

test('deb: deb-version(7) — epochs, ~ before everything, letters before other characters', () => {
  ascending('deb', ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a', '1.0+', '1.0.1', '1:0.1']);
  ascending('deb', ['1.0-1~bpo1', '1.0-1', '1.0-1ubuntu1', '1.0-1+deb12u1', '1.0+dfsg-1']);
  equal('deb', [['1.0', '0:1.0'], ['1.0-0', '1.0'], ['1.01', '1.1']]);
  invalid('deb', ['', ' ', '1.0 1', ':1.0', 'a:1.0', '1:', '1.0-', '-1', '-1:1.0', '1.0:1', '99999999999:1.0', '1.2.3-not-a-debian:version!@#$']);
  // What dpkg only warns about it still compares, and so do we.
  ascending('deb', ['1.0', '1.0-a_b', '1.0!', 'abc']);
});

test('rpm: rpmvercmp — ~ sorts before the end, ^ after it but before anything else', () => {
  ascending('rpm', ['1.0~rc1', '1.0', '1.0^git1', '1.0a', '1.0.1', '2:0.1']);
  ascending('rpm', ['1.0', '1.0-1', '1.0-2.el9', '1.0-10']);
  equal('rpm', [['1.0', '0:1.0'], ['1_0', '1.0'], ['1.001', '1.1']]);
  invalid('rpm', ['', '1.0 1']);
});

test('apk: apk-package(5) — suffix order, letters, -rN', () => {
  ascending('apk', ['1.2_alpha', '1.2_alpha1', '1.2_beta', '1.2_pre', '1.2_rc', '1.2', '1.2-r1', '1.2_cvs', '1.2_svn', '1.2_git', '1.2_hg', '1.2_p1', '1.2a', '1.2.0', '1.10']);
  equal('apk', [['1.2', '1.2-r0'], ['1.2-r01', '1.2-r1']]);
  invalid('apk', ['', '1 2']);
});

test('semver: semver.org §11 precedence, build metadata ignored', () => {
  ascending('semver', ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1']);
  equal('semver', [['1.0.0+build.1', '1.0.0+other'], ['v1.2.3', '1.2.3'], ['1.2', '1.2.0']]);
  invalid('semver', ['', 'a.b.c', '1.2.3-', '1.2.3-a..b', '1-beta']);
});

test('go: module versions — v prefix, pseudo-versions, +incompatible', () => {
  ascending('go', [
    'v0.0.0-20191109021931-daa7c04131f5', 'v0.0.0-20200101000000-0123456789ab', 'v0.1.0',
    'v1.2.3', 'v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4-pre', 'v1.2.4-pre.0.20191109021931-daa7c04131f5', 'v1.2.4', 'v2.0.0+incompatible', 'v2.1.0',
  ]);
  equal('go', [['v2.0.0+incompatible', 'v2.0.0'], ['1.2.3', 'v1.2.3'], ['v1', 'v1.0.0'], ['v1.2', 'v1.2.0']]);
  invalid('go', ['', 'v1.02.3', 'v1.2.3-', 'v1.2.3-01', 'v1.2-pre', '1.2.3.4', 'latest']);
});

test('pep440: PEP 440 normalisation and ordering', () => {
  ascending('pep440', ['1.0.dev0', '1.0a1.dev1', '1.0a1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0+local', '1.0.post1.dev1', '1.0.post1', '1.1', '1!0.1']);
  equal('pep440', [['1.0', '1.0.0'], ['1.0-1', '1.0.post1'], ['1.0.r1', '1.0.post1'], ['v1.0', '1.0'], ['1.0A1', '1.0a1'], ['1.0alpha1', '1.0a1'], ['1.0c1', '1.0rc1'], ['1.0-dev', '1.0.dev0'], ['1.0+Ubuntu-1', '1.0+ubuntu.1']]);
  ascending('pep440', ['1.0+abc', '1.0+abc.1', '1.0+1', '1.0+2']);
  // Non-PEP 440 strings sort before every PEP 440 version, by setuptools' legacy rules.
  ascending('pep440', ['0.9-doduo', '1.0-eevee', '0.0.1']);
  invalid('pep440', ['', ' ', 'a b']);
});

test('maven: ComparableVersion qualifiers and padding; the 3.8.7 variant reads .RC1 as -RC1', () => {
  ascending('maven', ['1-alpha', '1-beta', '1-milestone', '1-rc', '1-snapshot', '1', '1-sp', '1-abc', '1-1', '1.0.1']);
  equal('maven', [['1', '1.0.0'], ['1-ga', '1'], ['1-final', '1'], ['1-release', '1'], ['1cr', '1rc'], ['1a1', '1-alpha-1'], ['1.0.0-RC1', '1.0.0-rc-1'], ['1-ga-1', '1-1']]);
  assert.equal(compareVersions('maven', '2.9.0-1', '2.9.0.RC1'), -1);
  assert.equal(maven387.compare(maven387.parse('2.9.0-1')!, maven387.parse('2.9.0.RC1')!), 1);
  invalid('maven', ['', '1 0']);
});

test('gem: Gem::Version segments, prereleases by letters', () => {
  ascending('gem', ['1.0.a', '1.0.a.1', '1.0.b', '1.0.rc1', '1.0', '1.0.1', '1.1', '2']);
  equal('gem', [['1.0', '1'], ['1.0.0.0', '1'], ['1.0-1', '1.0.pre.1'], ['1.0.a2', '1.0.a.2']]);
  invalid('gem', ['', 'abc', '.1', '1_0']);
});

test('nuget: four-part SemVer, case-insensitive prerelease labels', () => {
  ascending('nuget', ['1.0.0-alpha', '1.0.0-Beta', '1.0.0-beta.2', '1.0.0-RC.1', '1.0.0', '1.0.0.1', '1.0.1']);
  equal('nuget', [['1.0', '1.0.0.0'], ['1.0.0-BETA', '1.0.0-beta'], ['01.02.03', '1.2.3'], ['1.0.0+meta', '1.0.0']]);
  invalid('nuget', ['', 'v1.0', '1.0.0.0.0', '1.0.0-', 'a']);
});

test('composer: stability order and dev branches', () => {
  ascending('composer', ['dev-main', '1.0-dev', '1.0-alpha1', '1.0-beta1', '1.0-RC1', '1.0', '1.0-patch1']);
  // Without Composer's normalisation, version_compare counts parts: 1.0 < 1.0.0, and 1.0-patch1 > 1.0.1.
  ascending('composer', ['1.0', '1.0.0', '1.0.1', '1.0-patch1']);
  equal('composer', [['v1.0', '1.0'], ['1.0rc1', '1.0-RC1'], ['1.0.0-b2', '1.0.0-beta2']]);
  ascending('composer', ['dev-a', 'dev-b']);
  invalid('composer', ['', 'v']);
});

test('every scheme refuses over-long strings instead of working on them', () => {
  for (const name of SCHEME_NAMES) {
    assert.equal(getScheme(name).parse(`1.${'1'.repeat(MAX_VERSION_LENGTH)}`), undefined, name);
    assert.notEqual(getScheme(name).parse('1.2.3'), undefined, name);
  }
});
