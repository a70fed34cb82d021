/**
 * Differential tests: our schemes against each ecosystem's reference implementation installed
 * on this machine, on thousands of real version strings (the shared orderings, this machine's
 * dpkg database, the pkgdb fixtures), paired with a fixed seed. Each tool runs once per test
 * over all its pairs; the tests run concurrently so the slowest tool bounds the wall time.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { needs, which } from '../../test/tools.ts';
import semverPackage from 'semver';
import { getScheme, type SchemeName, type VersionScheme } from './index.ts';
import { maven387 } from './maven.ts';
import { needsFile, pairsOf, seeded, versionsFromOrderings, versionsFromPkgdb } from './orderings.fixture.ts';
import { parsePep440Strict } from './pep440.ts';
import { parseSemver } from './semver.ts';

/** Runs a program once with the given stdin, resolving to its stdout lines. */
function run(program: string, args: readonly string[], input: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${program} exited ${code}: ${Buffer.concat(err).toString().slice(0, 2000)}`));
      else resolve(Buffer.concat(out).toString('utf8').split('\n').filter((l) => l !== ''));
    });
    child.stdin.end(input);
  });
}

/** Only pairs both of whose versions our scheme accepts (the tools' opinion on the rest is tested elsewhere). */
function parsablePairs(scheme: SchemeName, pairs: [string, string][]): [string, string][] {
  const s = getScheme(scheme);
  return pairs.filter(([a, b]) => s.parse(a) !== undefined && s.parse(b) !== undefined);
}

const SYMBOL = ['<', '=', '>'];

/**
 * Compares our verdicts with the tool's ('<', '=', '>' per pair; 'X' where the tool refuses a
 * version, which the caller has checked separately), listing every disagreement.
 */
function assertAgree(scheme: SchemeName | VersionScheme, pairs: [string, string][], theirs: string[], minimum = 1000): void {
  assert.equal(theirs.length, pairs.length, 'one answer per pair');
  const s = typeof scheme === 'string' ? getScheme(scheme) : scheme;
  const diff: string[] = [];
  let compared = 0;
  pairs.forEach(([a, b], i) => {
    if (theirs[i] === 'X') return;
    compared++;
    const ours = SYMBOL[s.compare(s.parse(a), s.parse(b)) + 1];
    if (ours !== theirs[i]) diff.push(`${a} ${theirs[i]} ${b} (we say ${ours})`);
  });
  assert.ok(compared >= Math.min(minimum, pairs.length), `only ${compared} pairs compared`);
  assert.deepEqual(diff, [], `${diff.length} of ${compared} pairs disagree`);
}

const lines = (pairs: [string, string][]) => pairs.map((p) => p.join(' ')).join('\n') + '\n';

function unique(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

/** The versions of every package installed on this machine, as dpkg records them. */
function installedDebVersions(): string[] {
  if (!which('dpkg-query')) return [];
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}\\n'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l !== '') : [];
}

const debVersions = unique(versionsFromOrderings('debian'), versionsFromPkgdb('dpkg'), installedDebVersions());

/** Debian's maven package links its maven-artifact jar here. */
const MAVEN_JAR = '/usr/share/maven/lib/maven-artifact-3.x.jar';

/** /usr/bin/python3 is the interpreter Debian's python3-rpm and python3-packaging install into. */
const PYTHON = '/usr/bin/python3';

describe('differential against the reference implementations', { concurrency: true }, () => {
  test('deb: dpkg --compare-versions', { skip: needs('dpkg') }, async () => {
    assert.ok(debVersions.length > 2000, `${debVersions.length} deb versions`);
    // Every version dpkg has installed here, or the pkgdb fixtures record, is one we can read.
    assert.deepEqual(debVersions.filter((v) => getScheme('deb').parse(v) === undefined), []);
    // dpkg compares one pair per process, so this is the one tool given a few hundred pairs.
    const pairs = parsablePairs('deb', pairsOf(debVersions, 250, 250));
    const script = `while IFS=' ' read -r a b; do
      if dpkg --compare-versions "$a" lt "$b"; then echo '<'
      elif dpkg --compare-versions "$a" eq "$b"; then echo '='
      else echo '>'; fi
    done`;
    const theirs = await run('sh', ['-c', script], lines(pairs));
    assertAgree('deb', pairs, theirs, 400);
  });

  test('deb: what parses is what dpkg --validate-version accepts or only warns about', { skip: needs('dpkg') }, async () => {
    // Real versions with one character inserted, replaced or dropped.
    const rnd = seeded(5);
    const chars = '0123456789.-+~:_!aZ ';
    const mangled = Array.from({ length: 150 }, () => {
      const v = debVersions[Math.floor(rnd() * debVersions.length)] as string;
      const at = Math.floor(rnd() * (v.length + 1));
      const c = chars[Math.floor(rnd() * chars.length)] as string;
      const kind = Math.floor(rnd() * 3);
      return kind === 0 ? v.slice(0, at) + c + v.slice(at) : kind === 1 ? v.slice(0, at) + c + v.slice(at + 1) : v.slice(0, at) + v.slice(at + 1);
    }).filter((v) => v.trim() === v && !v.includes('\n'));
    const script = `while IFS= read -r v; do
      if msg=$(dpkg --validate-version -- "$v" 2>&1); then echo ok; else echo "$msg" | head -n 1; fi
    done`;
    const theirs = await run('sh', ['-c', script], mangled.join('\n') + '\n');
    assert.equal(theirs.length, mangled.length);
    // dpkg --compare-versions compares what draws only a warning, and so do we.
    const diff = mangled.filter((v, i) => (getScheme('deb').parse(v) !== undefined) !== (theirs[i] === 'ok' || /^dpkg: warning:/.test(theirs[i] as string)));
    assert.ok(theirs.filter((t) => t !== 'ok').length > 20, 'enough invalid strings');
    assert.deepEqual(diff.map((v) => `${v}: ${theirs[mangled.indexOf(v)]}`), []);
  });

  test('rpm: rpm.ver (parse) and rpm.labelCompare (python3-rpm)', { skip: needs(PYTHON) }, async () => {
    const versions = unique(versionsFromOrderings('redhat'), versionsFromPkgdb('rpm'), debVersions);
    assert.ok(versions.length > 2000);
    assert.deepEqual(versionsFromPkgdb('rpm').filter((v) => getScheme('rpm').parse(v) === undefined), []);
    const pairs = parsablePairs('rpm', pairsOf(versions, 2500, 1500));
    const script = `import sys, rpm
def evr(s):
    v = rpm.ver(s)
    return (v.e or '0', v.v, v.r)
for line in sys.stdin:
    a, b = line.rstrip('\\n').split(' ')
    print('<=>'[rpm.labelCompare(evr(a), evr(b)) + 1])
`;
    const theirs = await run(PYTHON, ['-c', script], lines(pairs));
    assertAgree('rpm', pairs, theirs);
  });

  test('pep440: packaging.version (python3-packaging), validity and order', { skip: needs(PYTHON) }, async () => {
    const versions = unique(versionsFromOrderings('pypi'), versionsFromOrderings('semver'), versionsFromOrderings('rubygems'));
    // Validity: packaging accepts exactly the strings our strict PEP 440 reading accepts.
    const validity = await run(PYTHON, ['-c', `import sys
from packaging.version import Version, InvalidVersion
for line in sys.stdin:
    try:
        Version(line.rstrip('\\n')); print('ok')
    except InvalidVersion:
        print('invalid')
`], versions.join('\n') + '\n');
    const disagree = versions.filter((v, i) => (parsePep440Strict(v) !== undefined) !== (validity[i] === 'ok'));
    assert.deepEqual(disagree, [], 'validity differs');
    const pairs = parsablePairs('pep440', pairsOf(versions, 2500, 1500));
    const theirs = await run(PYTHON, ['-c', `import sys
from packaging.version import Version, InvalidVersion
for line in sys.stdin:
    a, b = line.rstrip('\\n').split(' ')
    try:
        x, y = Version(a), Version(b)
    except InvalidVersion:
        print('X'); continue
    print('<' if x < y else '=' if x == y else '>')
`], lines(pairs));
    assertAgree('pep440', pairs, theirs);
  });

  test('maven: ComparableVersion from Debian\'s maven-artifact jar (Maven 3.8.7 rules)', { skip: needs('java') || needsFile(MAVEN_JAR) }, async () => {
    const versions = versionsFromOrderings('maven');
    assert.ok(versions.length > 2000);
    const pairs = parsablePairs('maven', pairsOf(versions, 1800, 1200));
    // The jar's main compares each argument with the next: pass a1 b1 a2 b2 ... and keep every other line.
    const out = await run('java', ['-cp', MAVEN_JAR, 'org.apache.maven.artifact.versioning.ComparableVersion', ...pairs.flat()], '');
    const comparisons = out.filter((l) => l.startsWith('   '));
    const theirs = pairs.map(([a], i) => {
      const op = (comparisons[2 * i] ?? '').slice(3 + a.length + 1).split(' ')[0];
      return op === '==' ? '=' : (op ?? '?');
    });
    assertAgree(maven387, pairs, theirs);
  });

  test('gem: Gem::Version (ruby)', { skip: needs('ruby') }, async () => {
    const versions = unique(versionsFromOrderings('rubygems'), versionsFromOrderings('pypi'), versionsFromOrderings('semver'));
    const all = pairsOf(versions, 2500, 1500);
    const script = `STDIN.each_line do |l|
      a, b = l.chomp.split(' ')
      if Gem::Version.correct?(a) && Gem::Version.correct?(b)
        puts %w[< = >][(Gem::Version.new(a) <=> Gem::Version.new(b)) + 1]
      else
        puts 'X'
      end
    end`;
    const answers = await run('ruby', ['-e', script], lines(all));
    // Everything RubyGems accepts, we read (we also read a few strings it refuses, like `1beta`).
    const gem = getScheme('gem');
    assert.deepEqual(all.filter((p, i) => answers[i] !== 'X' && p.some((v) => gem.parse(v) === undefined)), []);
    const kept = all.map((p, i) => [p, answers[i] as string] as const).filter(([p]) => p.every((v) => gem.parse(v) !== undefined));
    assertAgree('gem', kept.map(([p]) => p), kept.map(([, a]) => a));
  });

  test('composer: PHP\'s version_compare (php-cli)', { skip: needs('php') }, async () => {
    const versions = unique(versionsFromOrderings('packagist'), versionsFromOrderings('semver'), versionsFromOrderings('pypi'))
      // PHP reads numbers with strtol, so beyond 18 digits it saturates; our digit strings do not.
      .filter((v) => !/\d{19}/.test(v));
    const pairs = parsablePairs('composer', pairsOf(versions, 2500, 1500));
    const script = `while (($l = fgets(STDIN)) !== false) {
      [$a, $b] = explode(' ', rtrim($l, "\\n"));
      echo ['<', '=', '>'][version_compare(ltrim($a, 'vV'), ltrim($b, 'vV')) + 1], "\\n";
    }`;
    const theirs = await run('php', ['-r', script], lines(pairs));
    assertAgree('composer', pairs, theirs);
  });

  test('semver: npm\'s semver package (parse and compare)', () => {
    const versions = unique(...['semver', 'pypi', 'rubygems', 'maven', 'packagist', 'nuget'].map(versionsFromOrderings)).filter((v) => semverPackage.valid(v) !== null);
    assert.ok(versions.length > 1000, `${versions.length} semver versions`);
    const wrong = versions.filter((v) => {
      const ours = parseSemver(v);
      const theirs = semverPackage.parse(v);
      return !ours || !theirs || ours.major !== String(theirs.major) || ours.minor !== String(theirs.minor) || ours.patch !== String(theirs.patch) || ours.pre.join('.') !== theirs.prerelease.join('.');
    });
    assert.deepEqual(wrong, [], 'parsed differently');
    const pairs = pairsOf(versions, 4000, 2000);
    assertAgree('semver', pairs, pairs.map(([a, b]) => SYMBOL[semverPackage.compare(a, b) + 1] as string));
  });
});
