/**
 * satisfies: each scheme's range language. npm ranges against the `semver` package, PEP 440
 * specifiers against python3-packaging and gem requirements against RubyGems, on ranges built
 * from real version strings with a fixed seed; the other languages on the examples their
 * documentation gives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import semverPackage from 'semver';
import { needs } from '../../test/tools.ts';
import { VersionError } from '../errors.ts';
import { rangeTest, satisfies } from './index.ts';
import { seeded, versionsFromOrderings } from './orderings.fixture.ts';
import { parsePep440Strict } from './pep440.ts';

const PYTHON = '/usr/bin/python3';

/** Random ranges in npm's syntax, built from real versions. */
function npmRanges(versions: string[], count: number, rnd: () => number): string[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const partial = () => {
    const v = semverPackage.parse(pick(versions)) as semverPackage.SemVer;
    const x = () => pick(['x', 'X', '*']);
    switch (Math.floor(rnd() * 6)) {
      case 0: return `${v.major}`;
      case 1: return `${v.major}.${v.minor}`;
      case 2: return `${v.major}.${x()}`;
      case 3: return `${v.major}.${v.minor}.${x()}`;
      default: return v.version;
    }
  };
  const comparator = () => `${pick(['', '=', '<', '<=', '>', '>=', '~', '^', '~>', 'v', '>= ', '^ '])}${partial()}`;
  const set = () => {
    if (rnd() < 0.15) return `${partial()} - ${partial()}`;
    return Array.from({ length: 1 + Math.floor(rnd() * 2) }, comparator).join(' ');
  };
  const out = ['*', '', 'x', '>*', '<*', '>=*', 'not a range', '1.2.3 - ', '^1.2.3 || ~0.1', '>=1.0.0-0 <2.0.0-0'];
  while (out.length < count) out.push(Array.from({ length: rnd() < 0.2 ? 2 : 1 }, set).join(' || '));
  return out;
}

describe('satisfies: semver against npm\'s semver package', () => {
  const all = unique(['semver', 'pypi', 'rubygems', 'maven', 'nuget', 'packagist'].flatMap(versionsFromOrderings)).filter((v) => semverPackage.valid(v) !== null);
  const rnd = seeded(7);
  const versions = Array.from({ length: 200 }, () => all[Math.floor(rnd() * all.length)] as string);
  const ranges = npmRanges(all.filter((v) => semverPackage.prerelease(v) === null || rnd() < 0.3), 300, rnd);
  for (const includePrerelease of [false, true]) {
    test(`${ranges.length} ranges × ${versions.length} versions, includePrerelease=${includePrerelease}`, () => {
      const diff: string[] = [];
      let checked = 0;
      for (const range of ranges) {
        const valid = semverPackage.validRange(range, { includePrerelease }) !== null;
        let ours: ((v: string) => boolean) | undefined;
        try {
          ours = rangeTest('semver', range, { includePrerelease });
        } catch (e) {
          assert.ok(e instanceof VersionError && e.code === 'BAD_RANGE');
        }
        if (valid !== (ours !== undefined)) {
          diff.push(`${JSON.stringify(range)}: valid for npm ${valid}, for us ${ours !== undefined}`);
          continue;
        }
        if (!ours) continue;
        const npmRange = new semverPackage.Range(range, { includePrerelease });
        for (const v of versions) {
          checked++;
          const theirs = npmRange.test(v);
          if (ours(v) !== theirs) diff.push(`${v} in ${JSON.stringify(range)}: npm ${theirs}, we ${!theirs}`);
        }
      }
      assert.ok(checked > 50_000, `${checked} checks`);
      assert.deepEqual(diff.slice(0, 50), [], `${diff.length} disagreements`);
    });
  }

  test('the prerelease rules of the semver README', () => {
    assert.equal(satisfies('semver', '1.2.3-alpha.7', '>1.2.3-alpha.3'), true);
    assert.equal(satisfies('semver', '3.4.5-alpha.9', '>1.2.3-alpha.3'), false);
    assert.equal(satisfies('semver', '3.4.5', '>1.2.3-alpha.3'), true);
    assert.equal(satisfies('semver', '1.5.0-beta', '^1.2.3'), false);
    assert.equal(satisfies('semver', '1.5.0-beta', '^1.2.3', { includePrerelease: true }), true);
    assert.equal(satisfies('semver', '0.0.4', '^0.0.3'), false);
    assert.equal(satisfies('semver', '2.0.0', '1.2.3 - 2'), true);
  });
});

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Runs a script once with lines on stdin. */
function runLines(program: string, args: string[], input: string[]): string[] {
  const r = spawnSync(program, args, { input: input.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '');
}

test('satisfies: PEP 440 specifiers against packaging.specifiers', { skip: needs(PYTHON) }, () => {
  const all = versionsFromOrderings('pypi').filter((v) => parsePep440Strict(v) !== undefined);
  const rnd = seeded(11);
  const pick = () => all[Math.floor(rnd() * all.length)] as string;
  const versions = unique([...Array.from({ length: 90 }, pick), '1.0', '1.0.0', '1.0+local', '1.0.post1', '1.0rc1', '1.0.dev0', '1!1.0', '2.0', '1.5a1', '1.4.5', '1.4.5a4', '1.1.0']);
  const clause = () => {
    const v = pick();
    const op = ['==', '!=', '<', '<=', '>', '>=', '~=', '==='][Math.floor(rnd() * 8)] as string;
    if ((op === '==' || op === '!=') && rnd() < 0.4) return `${op}${v.split(/[^0-9.]/)[0]?.replace(/\.$/, '')}.*`;
    return `${op}${rnd() < 0.2 ? ' ' : ''}${v}`;
  };
  const specs = unique(['', '>=1.0,!=1.3.*', '~=2.2', '~=1.4.5a4', '==1.0.*', '<1.0', '>1.0', '==1.0+local', '===1.0', '>=1.0.dev0', 'garbage', '~=1', '>=1.0.*']);
  while (specs.length < 130) specs.push(Array.from({ length: 1 + Math.floor(rnd() * 2) }, clause).join(', '));
  const script = `import sys
from packaging.specifiers import SpecifierSet, InvalidSpecifier
specs = []
for line in sys.stdin:
    kind, text = line.rstrip('\\n').split('\\t', 1)
    if kind == 'S':
        try: specs.append(SpecifierSet(text))
        except InvalidSpecifier: specs.append(None)
        print('valid' if specs[-1] is not None else 'invalid')
    else:
        for pre in (None, True):
            print(''.join('-' if s is None else str(int(s.contains(text, prereleases=pre))) for s in specs))
`;
  const out = runLines(PYTHON, ['-c', script], [...specs.map((s) => `S\t${s}`), ...versions.map((v) => `V\t${v}`)]);
  const diff: string[] = [];
  specs.forEach((spec, i) => {
    const ours = (() => {
      try {
        rangeTest('pep440', spec);
        return 'valid';
      } catch {
        return 'invalid';
      }
    })();
    if (ours !== out[i]) diff.push(`${JSON.stringify(spec)}: packaging says ${out[i]}, we say ${ours}`);
  });
  let checked = 0;
  const tests = ([false, true] as const).map((includePrerelease) => specs.map((spec) => {
    try {
      return rangeTest('pep440', spec, { includePrerelease });
    } catch {
      return undefined;
    }
  }));
  versions.forEach((v, j) => {
    ([undefined, true] as const).forEach((pre, k) => {
      const row = out[specs.length + 2 * j + k] as string;
      specs.forEach((spec, i) => {
        if (row[i] === '-') return;
        checked++;
        const ours = tests[k]?.[i]?.(v);
        if (String(Number(ours)) !== row[i]) diff.push(`${v} in ${JSON.stringify(spec)}${pre ? ' (prereleases)' : ''}: packaging ${row[i]}`);
      });
    });
  });
  assert.ok(checked > 15_000, `${checked} checks`);
  assert.deepEqual(diff.slice(0, 50), [], `${diff.length} disagreements`);
});
