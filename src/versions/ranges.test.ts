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
import { needsFile, seeded, versionsFromOrderings } from './orderings.fixture.ts';
import { parsePep440Strict } from './pep440.ts';

const PYTHON = '/usr/bin/python3';
const MAVEN_JAR = '/usr/share/maven/lib/maven-artifact-3.x.jar';
/** Debian's php-composer-semver: Composer's own VersionParser and constraints. */
const COMPOSER_SEMVER = '/usr/share/php/Composer/Semver/autoload.php';
/** DefaultArtifactVersion needs commons-lang3, which Debian's maven ships beside it. */
const LANG3 = '/usr/share/maven/lib/commons-lang3.jar';

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

test('satisfies: gem requirements against Gem::Requirement', { skip: needs('ruby') }, () => {
  const all = versionsFromOrderings('rubygems').filter((v) => /^[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/.test(v));
  const rnd = seeded(13);
  const pick = () => all[Math.floor(rnd() * all.length)] as string;
  const versions = unique([...Array.from({ length: 150 }, pick), '1.2.3', '1.3', '1.3.0.a', '2.0', '2.0.0.rc1', '1.2', '1.2.4.beta']);
  const clause = () => `${['', '= ', '!= ', '> ', '< ', '>= ', '<= ', '~> ', '~>'][Math.floor(rnd() * 9)]}${pick()}`;
  const reqs = unique(['~> 1.2', '~> 1.2.3', '>= 1.0, < 2', '~> 2.0.0.rc1', '!= 1.3', '~> 1', '= 1.2.4.beta']);
  while (reqs.length < 150) reqs.push(Array.from({ length: 1 + Math.floor(rnd() * 2) }, clause).join(', '));
  const script = `reqs = []
STDIN.each_line do |l|
  kind, text = l.chomp.split("\\t", 2)
  if kind == 'R'
    reqs << Gem::Requirement.new(*text.split(',').map(&:strip))
  else
    v = Gem::Version.new(text)
    puts reqs.map { |r| r.satisfied_by?(v) ? '1' : '0' }.join
  end
end`;
  const out = runLines('ruby', ['-e', script], [...reqs.map((r) => `R\t${r}`), ...versions.map((v) => `V\t${v}`)]);
  const tests = reqs.map((r) => rangeTest('gem', r));
  const diff: string[] = [];
  versions.forEach((v, j) => {
    reqs.forEach((r, i) => {
      if (String(Number(tests[i]?.(v))) !== out[j]?.[i]) diff.push(`${v} in ${JSON.stringify(r)}: RubyGems ${out[j]?.[i]}`);
    });
  });
  assert.ok(versions.length * reqs.length > 20_000);
  assert.deepEqual(diff.slice(0, 50), [], `${diff.length} disagreements`);
});

test('satisfies: Maven ranges against VersionRange in Debian\'s maven-artifact jar', { skip: needs('java') || needsFile(MAVEN_JAR) || needsFile(LANG3) }, async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { maven, maven387, parseMaven } = await import('./maven.ts');
  const jar = MAVEN_JAR;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-maven-'));
  try {
    // A few lines of Java: for each "range<TAB>version" line, 1/0 for containsVersion, X for an invalid range.
    writeFileSync(join(dir, 'Ranges.java'), `import org.apache.maven.artifact.versioning.*;
import java.io.*;
public class Ranges {
  public static void main(String[] a) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    StringBuilder out = new StringBuilder();
    for (String l; (l = in.readLine()) != null;) {
      String[] p = l.split("\\t", 2);
      try { out.append(VersionRange.createFromVersionSpec(p[0]).containsVersion(new DefaultArtifactVersion(p[1])) ? '1' : '0'); }
      catch (InvalidVersionSpecificationException e) { out.append('X'); }
      out.append('\\n');
    }
    System.out.print(out);
  }
}
`);
    const all = versionsFromOrderings('maven');
    const rnd = seeded(17);
    const pick = () => all[Math.floor(rnd() * all.length)] as string;
    const bound = () => (rnd() < 0.15 ? '' : pick());
    const restriction = () => (rnd() < 0.2 ? `[${pick()}]` : `${rnd() < 0.5 ? '[' : '('}${bound()},${bound()}${rnd() < 0.5 ? ']' : ')'}`);
    const ranges = unique(['[1.0,2.0)', '(,1.0]', '[1.2]', '1.0', '[1.5,)', '(,1.0],[1.2,)', '(,1.1),(1.1,)', '[1.0,1.0]', '(1.0)', '[2.0,1.0]', '[1.0,2.0],[1.5,3.0]', '[,1.0]']);
    while (ranges.length < 400) ranges.push(Array.from({ length: rnd() < 0.2 ? 2 : 1 }, restriction).join(','));
    const versions = unique([...Array.from({ length: 60 }, pick), '1.0', '1.1', '1.2', '1.5', '2.0', '0.9', '3.0']);
    const pairs = ranges.flatMap((r) => versions.map((v) => [r, v] as const));
    // Java's single-file source mode compiles and runs it in one JVM.
    const out = runLines('java', ['-cp', `${jar}:${LANG3}`, join(dir, 'Ranges.java')], pairs.map(([r, v]) => `${r}\t${v}`));
    assert.equal(out.length, pairs.length);
    const diff: string[] = [];
    let compared = 0;
    pairs.forEach(([r, v], i) => {
      // The jar orders versions by Maven 3.8.7's rules; skip the few checks where those and ours differ.
      const bounds = r.split(/[[\](),]/).filter((b) => b !== '');
      if (bounds.some((b) => maven.compare(parseMaven(v)!, parseMaven(b)!) !== maven387.compare(maven387.parse(v)!, maven387.parse(b)!))) return;
      let ours: string;
      try {
        ours = satisfies('maven', v, r) ? '1' : '0';
      } catch {
        ours = 'X';
      }
      compared++;
      if (ours !== out[i]) diff.push(`${v} in ${r}: Maven ${out[i]}, we ${ours}`);
    });
    assert.ok(compared > 20_000, `${compared} checks`);
    assert.deepEqual(diff.slice(0, 50), [], `${diff.length} disagreements`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Each row: range, versions inside, versions outside. */
type Examples = [string, string[], string[]][];

function checkExamples(scheme: string, examples: Examples): void {
  for (const [range, inside, outside] of examples) {
    for (const v of inside) assert.equal(satisfies(scheme, v, range), true, `${v} should satisfy ${range}`);
    for (const v of outside) assert.equal(satisfies(scheme, v, range), false, `${v} should not satisfy ${range}`);
  }
}

function checkInvalid(scheme: string, ranges: string[]): void {
  for (const r of ranges) assert.throws(() => satisfies(scheme, '1.0', r), (e: unknown) => e instanceof VersionError && e.code === 'BAD_RANGE', r);
}

test('satisfies: NuGet version ranges (the table in NuGet\'s "Package versioning")', () => {
  checkExamples('nuget', [
    ['1.0', ['1.0', '1.0.0.0', '2.0', '1.0.1-beta'], ['0.9', '1.0.0-beta']],
    ['[1.0,)', ['1.0', '3.0'], ['0.9.9']],
    ['(1.0,)', ['1.0.1', '1.0.0.1'], ['1.0', '1.0.0']],
    ['[1.0]', ['1.0', '1.0.0.0', '1.0.0+build'], ['1.0.1', '1.0.0-rc']],
    ['(,1.0]', ['0.1', '1.0'], ['1.0.1']],
    ['(,1.0)', ['0.9', '1.0.0-beta'], ['1.0']],
    ['[1.0,2.0]', ['1.0', '2.0', '1.5'], ['2.0.1', '0.9']],
    ['(1.0,2.0)', ['1.5'], ['1.0', '2.0']],
    ['[1.0, 2.0)', ['1.0', '1.9.9', '2.0.0-beta'], ['2.0']],
    ['1.*', ['1.0', '1.9.3'], ['2.0', '0.9']],
  ]);
  checkInvalid('nuget', ['(1.0)', '[2.0,1.0]', '(,)', '[1.0', 'abc']);
});

test('satisfies: Maven ranges (the POM reference\'s version requirement table)', () => {
  checkExamples('maven', [
    ['1.0', ['1.0', '0.1', '9.9'], []],
    ['[1.0]', ['1.0', '1'], ['1.0.1', '1.0-SNAPSHOT']],
    ['(,1.0]', ['0.9', '1.0', '1.0-alpha-1'], ['1.0.1', '1.1']],
    ['[1.2,1.3]', ['1.2', '1.2.9', '1.3'], ['1.1', '1.3.1']],
    ['[1.0,2.0)', ['1.0', '1.9.99', '2.0-SNAPSHOT'], ['2.0', '0.9']],
    ['[1.5,)', ['1.5', '100'], ['1.4']],
    ['(,1.0],[1.2,)', ['0.5', '1.0', '1.2', '3.0'], ['1.1', '1.1.5']],
    ['(,1.1),(1.1,)', ['1.0', '1.2'], ['1.1']],
  ]);
  checkInvalid('maven', ['(1.0)', '[2.0,1.0]', '[1.0,2.0],[1.5,3.0]', '[1.0,2.0', '[1.0],1.5']);
});

test('satisfies: Composer constraints (getcomposer.org "Writing constraints")', () => {
  checkExamples('composer', [
    ['>=1.0', ['1.0', '1.0.0', '2.0', '1.0.0-beta'], ['0.9']],
    ['>=1.0 <2.0', ['1.0', '1.9.9'], ['2.0', '2.0.0-beta']],
    ['>=1.0,<2.0', ['1.5'], ['2.0']],
    ['>=1.0 <1.1 || >=1.2', ['1.0.5', '1.2', '5.0'], ['1.1', '1.1.5']],
    ['1.0 - 2.0', ['1.0.0', '2.0.9'], ['2.1', '0.9']],
    ['1.0.0 - 2.1.0', ['1.0.0', '2.1.0'], ['2.1.1']],
    ['1.0.*', ['1.0', '1.0.9'], ['1.1', '0.9']],
    ['~1.2', ['1.2', '1.9'], ['2.0', '1.1']],
    ['~1.2.3', ['1.2.3', '1.2.9'], ['1.3', '1.2.2']],
    ['^1.2.3', ['1.2.3', '1.9.0'], ['2.0.0', '1.2.2']],
    ['^0.3', ['0.3.0', '0.3.9'], ['0.4.0', '0.2']],
    ['^0.0.3', ['0.0.3'], ['0.0.4']],
    ['1.2.3', ['1.2.3', 'v1.2.3', '1.2.3.0'], ['1.2.4']],
    ['!=1.2.3', ['1.2.4'], ['1.2.3']],
    ['*', ['0.1', '99'], []],
    ['dev-master', ['dev-master'], ['1.0', 'dev-main']],
    ['^1.0@dev', ['1.0.0', '1.5-dev'], ['2.0']],
  ]);
  assert.equal(satisfies('composer', 'dev-main', '>=1.0'), false, 'a branch is not a release');
  checkInvalid('composer', ['~>1.2', '>=abc', '']);
});

test('satisfies: comparator lists for deb, apk, rpm and go', () => {
  checkExamples('deb', [
    ['>= 1.2-1, << 2.0', ['1.2-1', '1.9', '2.0~rc1'], ['1.2-0', '2.0', '1:0.1']],
    ['>> 1.0', ['1.0-1', '1.1'], ['1.0']],
    ['= 1.0-1', ['1.0-1', '0:1.0-1'], ['1.0-2']],
    ['<< 1.0 || >= 3', ['0.9', '3.0'], ['1.0', '2.0']],
  ]);
  checkExamples('apk', [
    ['~1.2', ['1.2', '1.2.3', '1.2_rc1', '1.2-r4'], ['1.20', '1.3']],
    ['>=1.2.3-r0 <1.3', ['1.2.3-r0', '1.2.9'], ['1.3', '1.2.2']],
  ]);
  checkExamples('rpm', [['>= 1:1.0-1', ['1:1.0-1', '1:2.0-1'], ['1.5-1', '0:9.9']], ['< 2.0', ['1.9', '2.0~rc1'], ['2.0', '2.0^post']]]);
  checkExamples('go', [['>=v1.2.0 <v2', ['v1.2.0', 'v1.9.9', '1.5.0'], ['v2.0.0', 'v1.1.9', 'v2.0.0+incompatible']]]);
  checkInvalid('deb', ['>= ', '=> 1.0', '>= 1.0-', '>= 1:']);
  checkInvalid('rpm', ['~1.0']);
});

test('satisfies: an unparsable version is false, a bad range or scheme throws', () => {
  assert.equal(satisfies('semver', 'not-a-version', '*'), false);
  assert.equal(satisfies('pep440', '2013-01-21T20:33:09+0100', '>=0'), false, 'packaging refuses legacy versions');
  assert.throws(() => satisfies('semver', '1.0.0', '>=1 <'), (e: unknown) => e instanceof VersionError && e.code === 'BAD_RANGE');
  assert.throws(() => satisfies('cobol', '1', '*'), (e: unknown) => e instanceof VersionError && e.code === 'UNKNOWN_SCHEME');
});

test('satisfies: Composer constraints and normalisation against composer/semver (php-composer-semver)', { skip: needs('php') || needsFile(COMPOSER_SEMVER) }, async () => {
  const { normalizeComposer } = await import('./ranges/composer.ts');
  const all = unique([...versionsFromOrderings('packagist'), ...versionsFromOrderings('semver')]).filter((v) => !/\d{19}|#/.test(v));
  const rnd = seeded(23);
  const pick = () => all[Math.floor(rnd() * all.length)] as string;
  const versions = unique([...Array.from({ length: 120 }, pick), '1.0', '1.0.0', '1.2.0-beta', '1.0-patch1', 'dev-master', '1.0.x-dev', 'v2.0.0', '2.0.0-RC1']);
  const short = (v: string) => v.split(/[-+]/)[0]!.split('.').slice(0, 1 + Math.floor(rnd() * 3)).join('.');
  const clause = () => {
    const v = pick();
    switch (Math.floor(rnd() * 6)) {
      case 0: return `${['~', '^'][Math.floor(rnd() * 2)]}${short(v)}`;
      case 1: return `${short(v)}.*`;
      case 2: return `${short(v)} - ${short(pick())}`;
      default: return `${['', '=', '==', '!=', '<', '<=', '>', '>=', '<>'][Math.floor(rnd() * 9)]}${v}`;
    }
  };
  const constraints = unique(['^1.2 || ~2.0', '>=1.0 <2.0', '>=1.0,<2.0', '1.0 - 2.0', '1.0.0 - 2.1.0', '~1.2', '~1.2.3', '^0.3', '^0.0.3', '*', 'dev-master', '^1.0@dev', '~>1.2', '>=abc']);
  while (constraints.length < 160) {
    const n = 1 + Math.floor(rnd() * 2);
    constraints.push(Array.from({ length: rnd() < 0.2 ? 2 : 1 }, () => Array.from({ length: n }, clause).join(rnd() < 0.5 ? ' ' : ', ')).join(' || '));
  }
  const script = `require '${COMPOSER_SEMVER}';
$p = new Composer\\Semver\\VersionParser();
$cs = [];
while (($l = fgets(STDIN)) !== false) {
  [$kind, $text] = explode("\\t", rtrim($l, "\\n"), 2);
  if ($kind === 'C') {
    try { $cs[] = $p->parseConstraints($text); echo "valid\\n"; } catch (Exception $e) { $cs[] = null; echo "invalid\\n"; }
    continue;
  }
  try { $n = $p->normalize($text); } catch (Exception $e) { echo "X\\tX\\n"; continue; }
  $provider = new Composer\\Semver\\Constraint\\Constraint('==', $n);
  echo $n, "\\t", implode('', array_map(fn($c) => $c === null ? '-' : ($c->matches($provider) ? '1' : '0'), $cs)), "\\n";
}`;
  const out = runLines('php', ['-r', script], [...constraints.map((c) => `C\t${c}`), ...versions.map((v) => `V\t${v}`)]);
  const diff: string[] = [];
  const tests = constraints.map((c, i) => {
    let t: ((v: string) => boolean) | undefined;
    try {
      t = rangeTest('composer', c);
    } catch {
      t = undefined;
    }
    if ((t !== undefined) !== (out[i] === 'valid')) diff.push(`${JSON.stringify(c)}: composer says ${out[i]}`);
    return t;
  });
  let checked = 0;
  versions.forEach((v, j) => {
    const [normalized, row] = (out[constraints.length + j] as string).split('\t') as [string, string];
    if ((normalizeComposer(v) ?? 'X') !== normalized) diff.push(`normalize ${v}: composer ${normalized}, we ${normalizeComposer(v)}`);
    if (normalized === 'X') return;
    constraints.forEach((c, i) => {
      if (row[i] === '-' || !tests[i]) return;
      checked++;
      if (String(Number(tests[i](v))) !== row[i]) diff.push(`${v} in ${JSON.stringify(c)}: composer ${row[i]}`);
    });
  });
  assert.ok(checked > 10_000, `${checked} checks`);
  assert.deepEqual(diff.slice(0, 60), [], `${diff.length} disagreements`);
});
