/**
 * Properties every scheme must have whatever it is fed: parsing never throws, comparison is
 * reflexive, antisymmetric and transitive (a sort must be able to rely on it), on real version
 * strings and on mangled ones; range parsing either succeeds or throws VersionError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VersionError } from '../errors.ts';
import type { ApkVersion } from './apk.ts';
import { getScheme, satisfies, SCHEME_NAMES, type SchemeName } from './index.ts';
import { maven387 } from './maven.ts';
import { seeded, versionsFromOrderings } from './orderings.fixture.ts';

const PREFIX: Record<SchemeName, string> = {
  deb: 'debian', apk: 'alpine', rpm: 'redhat', semver: 'semver', go: 'semver', pep440: 'pypi', maven: 'maven', gem: 'rubygems', nuget: 'nuget', composer: 'packagist',
};

/** Real versions plus copies with a character inserted, replaced or dropped. */
function sample(scheme: SchemeName, n: number, rnd: () => number): string[] {
  const real = versionsFromOrderings(PREFIX[scheme]);
  const chars = '0123456789.-_+~^:abcrvxAZ* ';
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = real[Math.floor(rnd() * real.length)] as string;
    if (rnd() < 0.4) {
      const at = Math.floor(rnd() * (v.length + 1));
      const c = chars[Math.floor(rnd() * chars.length)] as string;
      const kind = Math.floor(rnd() * 3);
      v = kind === 0 ? v.slice(0, at) + c + v.slice(at) : kind === 1 ? v.slice(0, at) + c + v.slice(at + 1) : v.slice(0, at) + v.slice(at + 1);
    }
    out.push(v);
  }
  return out;
}

/**
 * Maven's ComparableVersion is itself not transitive (Debian's jar orders 3.0.0.Final < 3.0-pre2
 * < 3.0.0.alpha.4.0 < 3.0.0.Final, a cycle tested below), and apk's fallback to string order is
 * not either on strings outside its grammar: for those, transitivity is checked only where the
 * reference has it.
 */
const TRANSITIVE: Record<SchemeName, boolean> = {
  deb: true, apk: true, rpm: true, semver: true, go: true, pep440: true, maven: false, gem: true, nuget: true, composer: true,
};

for (const scheme of SCHEME_NAMES) {
  test(`${scheme}: parse never throws; compare is reflexive, antisymmetric${TRANSITIVE[scheme] ? ' and transitive' : ''}`, () => {
    const s = getScheme(scheme);
    const rnd = seeded(scheme.length * 31 + scheme.charCodeAt(0));
    const parsed = sample(scheme, 260, rnd)
      .map((v) => s.parse(v))
      .filter((p) => p !== undefined)
      // apk: only versions in apk's grammar (no unreadable text).
      .filter((p) => scheme !== 'apk' || (!(p as ApkVersion).invalid && !(p as ApkVersion).trailing));
    assert.ok(parsed.length > 100, `${parsed.length} parsed`);
    const problems: string[] = [];
    for (const a of parsed) if (s.compare(a, a) !== 0) problems.push('not reflexive');
    for (let i = 0; i < parsed.length; i++) {
      for (let j = i + 1; j < parsed.length; j++) {
        if (s.compare(parsed[i], parsed[j]) !== -s.compare(parsed[j], parsed[i])) problems.push('not antisymmetric');
      }
    }
    // Transitive: after sorting, every earlier element is at most every later one.
    if (TRANSITIVE[scheme]) {
      const sorted = [...parsed].sort((a, b) => s.compare(a, b));
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length; j++) if (s.compare(sorted[i], sorted[j]) > 0) problems.push(`not transitive at ${i},${j}`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} violations`);
  });
}

test('maven: the cycle Debian\'s ComparableVersion jar has, reproduced', () => {
  const cycle = ['3.0.0.Final', '3.0-pre2', '3.0.0.alpha.4.0', '3.0.0.Final'];
  for (const scheme of [maven387, getScheme('maven')]) {
    for (let i = 1; i < cycle.length; i++) assert.equal(scheme.compare(scheme.parse(cycle[i - 1] as string), scheme.parse(cycle[i] as string)), -1, `${cycle[i - 1]} < ${cycle[i]}`);
  }
});

test('range parsers accept or throw VersionError on mangled ranges, nothing else', () => {
  const rnd = seeded(99);
  const pieces = ['1', '2.0', '^', '~', '~>', '>=', '<', '||', ',', ' ', '[', ']', '(', ')', '*', 'x', '-', '.*', '!=', '===', 'dev-', '@dev', 'v', 'a'];
  for (const scheme of SCHEME_NAMES) {
    for (let i = 0; i < 300; i++) {
      const range = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => pieces[Math.floor(rnd() * pieces.length)]).join('');
      try {
        assert.equal(typeof satisfies(scheme, '1.5', range), 'boolean');
      } catch (e) {
        assert.ok(e instanceof VersionError && e.code === 'BAD_RANGE', `${scheme} ${JSON.stringify(range)}: ${String(e)}`);
      }
    }
  }
});
