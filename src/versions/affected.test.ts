/**
 * isAffected: the OSV schema's evaluation rules on literal ranges, then on real OSV records
 * from ../shared/data/feeds/osv/: every version a record lists as affected must fall in its
 * ranges, and every fixed version must not.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import YAML from 'yaml';
import { VersionError } from '../errors.ts';
import { compareVersions, getScheme, isAffected, schemeForEcosystem, type VersionRange } from './index.ts';
import { versionsFromOrderings } from './orderings.fixture.ts';

const eco = (events: VersionRange['events']): VersionRange[] => [{ type: 'ECOSYSTEM', events }];

test('introduced 0 means from the beginning; fixed is exclusive', () => {
  const r = eco([{ introduced: '0' }, { fixed: '1.2.3-1' }]);
  assert.equal(isAffected('deb', '0.1-1', r), true);
  assert.equal(isAffected('deb', '1.2.3-1~deb12u1', r), true);
  assert.equal(isAffected('deb', '1.2.3-1', r), false);
  assert.equal(isAffected('deb', '1:0.1-1', r), false, 'a higher epoch is past the fix');
});

test('last_affected is inclusive; no end means every later version', () => {
  assert.equal(isAffected('apk', '2.0-r3', eco([{ introduced: '1.0-r0' }, { last_affected: '2.0-r3' }])), true);
  assert.equal(isAffected('apk', '2.0-r4', eco([{ introduced: '1.0-r0' }, { last_affected: '2.0-r3' }])), false);
  assert.equal(isAffected('apk', '0.9-r0', eco([{ introduced: '1.0-r0' }])), false);
  assert.equal(isAffected('apk', '99-r0', eco([{ introduced: '1.0-r0' }])), true);
});

test('several introduced/fixed pairs in one range, in any order, and several ranges OR-ed', () => {
  const r = eco([{ fixed: '4.0' }, { introduced: '3.0' }, { fixed: '2.0' }, { introduced: '1.0' }]);
  for (const [v, want] of [['0.9', false], ['1.0', true], ['1.9', true], ['2.0', false], ['2.5', false], ['3.0', true], ['4.0', false]] as const) {
    assert.equal(isAffected('rpm', v, r), want, v);
  }
  const two: VersionRange[] = [...eco([{ introduced: '1.0' }, { fixed: '2.0' }]), ...eco([{ introduced: '3.0' }, { fixed: '4.0' }])];
  assert.equal(isAffected('rpm', '3.5', two), true);
  assert.equal(isAffected('rpm', '2.5', two), false);
});

test('a range object changed between calls is evaluated afresh', () => {
  const range: VersionRange = { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] };
  assert.equal(isAffected('rpm', '1.5', [range]), true);
  (range.events[1] as { fixed?: string }).fixed = '1.0';
  assert.equal(isAffected('rpm', '1.5', [range]), false);
  range.events.push({ introduced: '1.2' });
  assert.equal(isAffected('rpm', '1.5', [range]), true);
});

test('limit caps a range', () => {
  assert.equal(isAffected('rpm', '5.0', eco([{ introduced: '1.0' }, { limit: '5.0' }])), false);
  assert.equal(isAffected('rpm', '4.9', eco([{ introduced: '1.0' }, { limit: '5.0' }])), true);
  assert.equal(isAffected('rpm', '9.0', eco([{ introduced: '1.0' }, { limit: '*' }])), true);
});

test('an explicit versions list matches on its own; no ranges and no list match nothing', () => {
  assert.equal(isAffected('deb', '1.0-2', [], ['1.0-1', '1.0-2']), true);
  assert.equal(isAffected('deb', '1.0-3', [], ['1.0-1', '1.0-2']), false);
  assert.equal(isAffected('deb', '0:1.0-2', [], ['1.0-2']), true, 'equal under the scheme, not only as strings');
  assert.equal(isAffected('deb', '1.0-2', []), false);
});

test('SEMVER ranges compare with semver whatever the scheme', () => {
  // Under apk 1.10 < 1.9 would be false too; under rpm `1.0.0-rc1` > `1.0.0` but not in semver.
  const r: VersionRange[] = [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }];
  assert.equal(isAffected('rpm', '1.0.0-rc1', r), true);
  assert.equal(compareVersions('rpm', '1.0.0-rc1', '1.0.0'), 1);
  assert.equal(isAffected('rpm', 'abc', r), false, 'not semver: outside a SEMVER range');
});

test('GIT ranges (commits, not versions) are ignored rather than read as unreadable bounds', () => {
  const git = { type: 'GIT', events: [{ introduced: 'a1b2c3d4e5f6' }, { fixed: 'f6e5d4c3b2a1' }] } as unknown as VersionRange;
  assert.equal(isAffected('pep440', '1.0', [git]), false);
  assert.equal(isAffected('pep440', '1.0', [git, ...eco([{ introduced: '0' }, { fixed: '1.1' }])]), true);
});

test('an unparsable installed version is not affected and throws nothing; an unknown scheme throws', () => {
  assert.equal(isAffected('deb', 'not a version', eco([{ introduced: '0' }])), false);
  assert.equal(isAffected('deb', '', eco([{ introduced: '0' }])), false);
  assert.equal(isAffected('deb', 'x'.repeat(10_000), eco([{ introduced: '0' }])), false);
  assert.throws(() => isAffected('cobol', '1', []), (e: unknown) => e instanceof VersionError && e.code === 'UNKNOWN_SCHEME');
});

test('"introduced 0, fixed X" (answered with one comparison) agrees with the same range evaluated by sorting its events', () => {
  const versions = versionsFromOrderings('debian').slice(0, 400);
  assert.ok(versions.length > 50);
  for (const fixed of [...versions.slice(0, 40), 'bad version!']) {
    const common = eco([{ introduced: '0' }, { fixed }]);
    // The same range with both bounds in one event: not the common shape, so it takes the general path.
    const general = eco([{ introduced: '0', fixed }]);
    for (const v of versions) {
      const want = isAffected('deb', v, general);
      assert.equal(isAffected('deb', v, common), want, `${v} in [0, ${fixed})`);
      if (fixed !== 'bad version!') assert.equal(want, compareVersions('deb', v, fixed) < 0, `${v} below ${fixed}`);
    }
  }
  assert.equal(isAffected('deb', '1.0-1', eco([{ introduced: '0' }])), true);
});

test('unreadable bounds in a feed fail closed: a bad start counts from the beginning, a bad end is dropped', () => {
  assert.equal(isAffected('deb', '1.0-1', eco([{ introduced: 'bad version!' }, { fixed: '2.0-1' }])), true);
  assert.equal(isAffected('deb', '3.0-1', eco([{ introduced: '1.0-1' }, { fixed: 'bad version!' }])), true);
});

test('compareVersions throws VersionError with stable codes', () => {
  assert.throws(() => compareVersions('deb', '1.0', 'bad version!'), (e: unknown) => e instanceof VersionError && e.code === 'BAD_VERSION');
  assert.throws(() => compareVersions('nope', '1', '1'), (e: unknown) => e instanceof VersionError && e.code === 'UNKNOWN_SCHEME');
  assert.throws(() => getScheme('toString' as never), (e: unknown) => e instanceof VersionError);
});

test('schemeForEcosystem knows our names and OSV spellings', () => {
  const cases: [string, string | undefined][] = [
    ['debian', 'deb'], ['debian:12', 'deb'], ['Debian:12', 'deb'], ['ubuntu:22.04', 'deb'], ['Ubuntu:Pro:20.04:LTS', 'deb'],
    ['alpine:3.20', 'apk'], ['Alpine:v3.20', 'apk'], ['wolfi', 'apk'], ['Chainguard', 'apk'],
    ['redhat:9', 'rpm'], ['Red Hat:enterprise_linux:9::appstream', 'rpm'], ['alma:8', 'rpm'], ['AlmaLinux:8', 'rpm'],
    ['rocky', 'rpm'], ['Rocky Linux:9', 'rpm'], ['oracle', 'rpm'], ['centos', 'rpm'], ['fedora', 'rpm'], ['amazon', 'rpm'],
    ['opensuse-leap', 'rpm'], ['openSUSE:Leap 15.5', 'rpm'], ['sles', 'rpm'], ['SUSE:Linux Enterprise Server 15', 'rpm'], ['photon', 'rpm'],
    ['npm', 'semver'], ['cargo', 'semver'], ['crates.io', 'semver'], ['pypi', 'pep440'], ['PyPI', 'pep440'],
    ['maven', 'maven'], ['Maven', 'maven'], ['go', 'go'], ['Go', 'go'], ['gem', 'gem'], ['RubyGems', 'gem'],
    ['nuget', 'nuget'], ['NuGet', 'nuget'], ['composer', 'composer'], ['Packagist', 'composer'],
    ['cobol', undefined], ['', undefined], ['constructor', undefined], ['__proto__', undefined],
  ];
  for (const [ecosystem, want] of cases) assert.equal(schemeForEcosystem(ecosystem), want, ecosystem);
});

/** Every OSV record in the shared feed samples (JSON files holding one record or a list; PyPA's YAML). */
function osvRecords(): { file: string; record: Record<string, unknown> }[] {
  const root = new URL('../../../shared/data/feeds/osv/', import.meta.url);
  const out: { file: string; record: Record<string, unknown> }[] = [];
  let yamlSeen = 0;
  const walk = (dir: URL) => {
    for (const name of readdirSync(dir).sort()) {
      const url = new URL(name, dir);
      if (statSync(url).isDirectory()) walk(new URL(`${name}/`, dir));
      else if (name.endsWith('.json') && name !== 'osv-schema.json') {
        const data: unknown = JSON.parse(readFileSync(url, 'utf8'));
        // A record, a list of records, or an osv.dev query answer ({ vulns: [...] }).
        const vulns = (data as { vulns?: unknown }).vulns;
        const records = Array.isArray(data) ? data : Array.isArray(vulns) ? vulns : [data];
        for (const record of records) out.push({ file: name, record: record as Record<string, unknown> });
      } else if (name.endsWith('.yaml') && yamlSeen++ % 4 === 0) {
        // The PyPA advisory database writes OSV as YAML; every scalar stays a string (1.10 is not 1.1).
        // YAML parsing is slow, so one file in four is enough.
        out.push({ file: name, record: YAML.parse(readFileSync(url, 'utf8'), { schema: 'failsafe' }) as Record<string, unknown> });
      }
    }
  };
  walk(root);
  return out;
}

interface OsvAffected { package?: { ecosystem?: string }; ranges?: VersionRange[]; versions?: string[] }

test('real OSV records: listed versions fall in the ranges, fixed versions do not', () => {
  const problems: string[] = [];
  const schemes = new Set<string>();
  let checked = 0;
  for (const { file, record } of osvRecords()) {
    for (const a of (record.affected ?? []) as OsvAffected[]) {
      const scheme = schemeForEcosystem(a.package?.ecosystem ?? '');
      const ranges = (a.ranges ?? []).filter((r) => r.type === 'ECOSYSTEM' || r.type === 'SEMVER');
      if (!scheme || ranges.length === 0) continue;
      schemes.add(scheme);
      for (const v of a.versions ?? []) {
        checked++;
        if (!isAffected(scheme, v, ranges)) problems.push(`${file}: listed ${v} not in ranges`);
      }
      for (const r of ranges) {
        for (const e of r.events) {
          if (e.fixed === undefined) continue;
          checked++;
          if (isAffected(scheme, e.fixed, ranges)) problems.push(`${file}: fixed ${e.fixed} still affected`);
        }
      }
    }
  }
  assert.ok(checked > 20_000, `${checked} checks`);
  assert.ok(schemes.size >= 9, `schemes covered: ${[...schemes].join(', ')}`);
  assert.deepEqual(problems, []);
});
