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
import { getScheme, type SchemeName } from './index.ts';
import { pairsOf, versionsFromOrderings, versionsFromPkgdb } from './orderings.fixture.ts';

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

/** Compares our verdicts with the tool's ('<', '=', '>' per pair), listing every disagreement. */
function assertAgree(scheme: SchemeName, pairs: [string, string][], theirs: string[]): void {
  assert.equal(theirs.length, pairs.length, 'one answer per pair');
  const s = getScheme(scheme);
  const sym = ['<', '=', '>'];
  const diff: string[] = [];
  pairs.forEach(([a, b], i) => {
    const ours = sym[s.compare(s.parse(a), s.parse(b)) + 1];
    if (ours !== theirs[i]) diff.push(`${a} ${theirs[i]} ${b} (we say ${ours})`);
  });
  assert.deepEqual(diff, [], `${diff.length} of ${pairs.length} pairs disagree`);
}

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

/** /usr/bin/python3 is the interpreter Debian's python3-rpm and python3-packaging install into. */
const PYTHON = '/usr/bin/python3';

describe('differential against the reference implementations', { concurrency: true }, () => {
  test('deb: dpkg --compare-versions', { skip: needs('dpkg') }, async () => {
    assert.ok(debVersions.length > 2000, `${debVersions.length} deb versions`);
    // dpkg compares one pair per process, so this is the one tool given a few hundred pairs.
    const pairs = parsablePairs('deb', pairsOf(debVersions, 250, 250));
    const script = `while IFS=' ' read -r a b; do
      if dpkg --compare-versions "$a" lt "$b"; then echo '<'
      elif dpkg --compare-versions "$a" eq "$b"; then echo '='
      else echo '>'; fi
    done`;
    const theirs = await run('sh', ['-c', script], pairs.map((p) => p.join(' ')).join('\n') + '\n');
    assertAgree('deb', pairs, theirs);
  });

  test('rpm: rpm.ver (parse) and rpm.labelCompare (python3-rpm)', { skip: needs(PYTHON) }, async () => {
    const versions = unique(versionsFromOrderings('redhat'), versionsFromPkgdb('rpm'), debVersions);
    assert.ok(versions.length > 2000);
    const pairs = parsablePairs('rpm', pairsOf(versions, 4000, 2000));
    const script = `import sys, rpm
def evr(s):
    v = rpm.ver(s)
    return (v.e or '0', v.v, v.r)
for line in sys.stdin:
    a, b = line.rstrip('\\n').split(' ')
    print('<=>'[rpm.labelCompare(evr(a), evr(b)) + 1])
`;
    const theirs = await run(PYTHON, ['-c', script], pairs.map((p) => p.join(' ')).join('\n') + '\n');
    assertAgree('rpm', pairs, theirs);
  });
});
