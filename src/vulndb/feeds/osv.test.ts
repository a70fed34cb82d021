import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AffectedPackage, FeedRecord, FeedStats, VulnerabilityInfo } from '../advisory.ts';
import { readAll } from './feed.ts';
import { osvFeed } from './osv.ts';
import { feedPath, scratch } from './test-data.ts';
import { writeZip } from './test-zip.ts';

function affected(records: FeedRecord[], vulnId: string, ecosystem?: string, pkg?: string): AffectedPackage[] {
  return records.filter((r): r is AffectedPackage => r.type === 'affected' && r.vulnId === vulnId && (ecosystem === undefined || r.ecosystem === ecosystem) && (pkg === undefined || r.package === pkg));
}

function vuln(records: FeedRecord[], id: string): VulnerabilityInfo | undefined {
  return records.find((r): r is VulnerabilityInfo => r.type === 'vuln' && r.id === id);
}

describe('OSV feed', () => {
  let all: { records: FeedRecord[]; stats: FeedStats };
  before(async () => {
    all = await readAll(osvFeed.read(feedPath('osv')));
  });
  const { dir, cleanup } = scratch('osv');
  after(cleanup);

  it('reads every record of the samples, skipping withdrawn ones and bug-fix errata with counts', () => {
    const { stats } = all;
    // 494 files: 492 hold one document each (osv-schema.json among them, which is no record) and
    // the two api.osv.dev answers hold 170 and 356 records.
    assert.equal(stats.details.files, 494);
    assert.equal(stats.records, 492 + 170 + 356);
    // Withdrawn: GO-2026-6169 and five UBUNTU-CVE records; ALBA (11) and ALEA (2) errata fix no vulnerability.
    assert.deepEqual(stats.skipReasons, { withdrawn: 6, 'not a security advisory': 13, 'malformed record': 1 });
    assert.equal(stats.timestampSource, 'newest-record');
    for (const id of ['CVE-2026-56870', 'CVE-2001-1593', 'CVE-2008-7320']) {
      assert.equal(affected(all.records, id).length, 0, `withdrawn ${id} is not yielded`);
    }
  });

  it('Go: SEMVER ranges with several introduced/fixed pairs, the CVE as ID, the GO and GHSA IDs as aliases', () => {
    const [argo] = affected(all.records, 'CVE-2024-32476', 'go', 'github.com/argoproj/argo-cd/v2');
    assert.deepEqual(argo?.ranges, [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.8.17' }, { introduced: '2.9.0' }, { fixed: '2.9.13' }, { introduced: '2.10.0' }, { fixed: '2.10.8' }] }]);
    assert.equal(argo?.status, 'fixed');
    assert.deepEqual(argo?.fixedVersions, ['2.8.17', '2.9.13', '2.10.8']);
    assert.equal(argo?.fixed, undefined); // three branches: the matcher picks the one that applies
    assert.equal(argo?.advisory, 'GO-2024-2792');
    assert.deepEqual(argo?.aliases, ['GO-2024-2792', 'GHSA-9m6p-x4h2-6frq']);
    assert.equal(argo?.modified, undefined); // Go vulndb's 0001-01-01 means no date
    // The v1 module path is affected in every version: no fix.
    assert.equal(affected(all.records, 'CVE-2024-32476', 'go', 'github.com/argoproj/argo-cd')[0]?.status, 'affected');
    const v = vuln(all.records, 'CVE-2024-32476');
    assert.equal(v?.title, 'Argo CD vulnerable to a Denial of Service via malicious jqPathExpressions in ignoreDifferences in github.com/argoproj/argo-cd');
    assert.equal(v?.published, undefined);
  });

  it('PyPI in YAML: ECOSYSTEM range kept, GIT range dropped, versions kept, CVSS scored from the vector', () => {
    const [aiohttp] = affected(all.records, 'CVE-2023-49082', 'pypi', 'aiohttp');
    assert.deepEqual(aiohttp?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.9.0' }] }]);
    assert.equal(aiohttp?.fixed, '3.9.0');
    assert.equal(aiohttp?.versions?.length, 224); // counted in the YAML file
    // YAML scalars stay strings: "0.1" and unquoted 0.10.0 are versions, not numbers.
    assert.deepEqual(aiohttp?.versions?.slice(0, 3), ['0.1', '0.10.0', '0.10.1']);
    assert.equal(aiohttp?.advisory, 'PYSEC-2023-251');
    const v = vuln(all.records, 'CVE-2023-49082');
    assert.deepEqual(v?.aliases, ['PYSEC-2023-251', 'GHSA-qvrw-v9rv-5rjx']);
    assert.equal(v?.modified, '2024-01-29T16:22:26.513Z');
    assert.deepEqual(v?.ratings, [{ source: 'pypa', severity: 'MEDIUM', cvss: { source: 'pypa', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N', score: 5.3 } }]);
  });

  it('npm (GHSA): entries for one package merged, GHSA severity kept beside the computed CVSS score', () => {
    const [helpers] = affected(all.records, 'CVE-2025-27789', 'npm', '@babel/helpers');
    assert.deepEqual(helpers?.ranges, [
      { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '7.26.10' }] },
      { type: 'SEMVER', events: [{ introduced: '8.0.0-alpha.0' }, { fixed: '8.0.0-alpha.17' }] },
    ]);
    assert.deepEqual(helpers?.fixedVersions, ['7.26.10', '8.0.0-alpha.17']);
    assert.equal(helpers?.severity, 'MEDIUM');
    assert.equal(helpers?.urgency, 'MODERATE');
    assert.equal(affected(all.records, 'CVE-2025-27789').length, 4); // helpers, runtime, runtime-corejs2, runtime-corejs3
    const v = vuln(all.records, 'CVE-2025-27789');
    // AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H: impact 6.42×0.56 = 3.595, exploitability 8.22×0.55×0.77×0.85×0.85 = 2.515 → 6.2.
    assert.deepEqual(v?.ratings, [{ source: 'ghsa', severity: 'MEDIUM', cvss: { source: 'ghsa', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 6.2 } }]);
    assert.deepEqual(v?.cwes, ['CWE-1333']);
    // A malicious-package record: an explicit versions list and no ranges.
    const [mal] = affected(all.records, 'GHSA-jvhh-2m83-6w29', 'npm', 'ansi-regex');
    assert.equal(mal?.status, 'affected');
    assert.deepEqual(mal?.versions, ['6.2.1']);
    assert.equal(mal?.ranges, undefined);
    assert.equal(mal?.advisory, 'MAL-2025-46966');
  });

  it('Maven, NuGet, Packagist, RubyGems and PyPI names from one GHSA answer', () => {
    const byEco = new Map(affected(all.records, 'CVE-2021-22570').map((a) => [a.ecosystem, a]));
    assert.equal(byEco.get('nuget')?.package, 'google.protobuf');
    assert.equal(byEco.get('nuget')?.feedPackage, 'Google.Protobuf');
    assert.equal(byEco.get('composer')?.package, 'google/protobuf');
    assert.equal(byEco.get('pypi')?.package, 'protobuf');
    assert.equal(byEco.get('go')?.package, 'github.com/protocolbuffers/protobuf');
    assert.equal(byEco.get('nuget')?.fixed, '3.15.0');
    assert.equal(byEco.get('nuget')?.severity, 'HIGH');
    const gems = affected(all.records, 'CVE-2022-3171', 'gem', 'google-protobuf');
    assert.equal(gems.length, 1);
    assert.deepEqual(gems[0]?.fixedVersions, ['3.21.7', '3.20.3', '3.19.6', '3.16.3']);
    const [logback] = affected(all.records, 'CVE-2017-5929', 'maven', 'ch.qos.logback:logback-classic');
    assert.equal(logback?.fixed, '1.2.0');
    // last_affected and no fix: every version up to 1.2.17 is affected and none fixes it.
    const [log4j] = affected(all.records, 'CVE-2019-17571', 'maven', 'log4j:log4j');
    assert.deepEqual(log4j?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '1.2' }, { last_affected: '1.2.17' }] }]);
    assert.equal(log4j?.status, 'affected');
    assert.equal(log4j?.fixedVersions, undefined);
  });

  it('Debian: DLA and DSA records under debian:<release>, the CVE from upstream or aliases', () => {
    const [libxml2] = affected(all.records, 'CVE-2022-29824', 'debian:9', 'libxml2');
    assert.equal(libxml2?.fixed, '2.9.4+dfsg1-2.2+deb9u7');
    assert.equal(libxml2?.nameKind, 'source');
    assert.equal(libxml2?.advisory, 'DLA-3012-1');
    assert.deepEqual(libxml2?.aliases, ['DLA-3012-1', 'DEBIAN-CVE-2022-29824']);
    assert.equal(libxml2?.versions?.length, 7);
    const [nginx] = affected(all.records, 'CVE-2014-3616', 'debian:7', 'nginx');
    assert.equal(nginx?.fixed, '1.2.1-2.2+wheezy3');
    assert.equal(nginx?.feedEcosystem, 'Debian:7');
  });

  it('Ubuntu: LTS suffix dropped, Pro (ESM) streams under their own key, priority as severity', () => {
    const netty = affected(all.records, 'CVE-2022-24823', undefined, 'netty');
    assert.deepEqual(netty.map((a) => a.ecosystem), ['ubuntu:14.04:pro', 'ubuntu:16.04:pro', 'ubuntu:18.04:pro', 'ubuntu:20.04:pro', 'ubuntu:22.04:pro', 'ubuntu:24.04:pro', 'ubuntu:25.10', 'ubuntu:26.04:pro']);
    const pro16 = netty[1]!;
    assert.equal(pro16.release, '16.04');
    assert.equal(pro16.channel, 'pro');
    assert.equal(pro16.fixed, '1:4.0.34-1ubuntu0.1~esm2');
    assert.equal(pro16.severity, 'LOW');
    assert.equal(pro16.urgency, 'low');
    assert.equal(netty[6]!.status, 'affected'); // 25.10: no fix yet
    assert.equal(netty[6]!.fixed, undefined);
    // A USN names its CVE only through the derived UBUNTU-CVE ID.
    const [wayland] = affected(all.records, 'CVE-2021-3782', 'ubuntu:22.04', 'wayland');
    assert.equal(wayland?.fixed, '1.20.0-1ubuntu0.1');
    assert.ok(affected(all.records, 'CVE-2021-3782').some((a) => a.advisory === 'USN-5614-1'));
  });

  it('Alpine, AlmaLinux, Rocky, Chainguard and Wolfi: release keys, binary names, errata fanned out per CVE', () => {
    const musl = affected(all.records, 'CVE-2025-26519', undefined, 'musl');
    assert.deepEqual(musl.map((a) => a.ecosystem), ['alpine:3.16', 'alpine:3.17', 'alpine:3.18', 'alpine:3.19', 'alpine:3.20', 'alpine:3.21', 'alpine:3.22', 'alpine:3.23', 'alpine:3.24']);
    assert.deepEqual(musl[0]?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0.9.13' }, { fixed: '1.2.3-r4' }] }]);
    // ALSA-2025:10073 fixes four CVEs in firefox on AlmaLinux 10; an erratum describes the update, not each CVE.
    for (const cve of ['CVE-2025-6430', 'CVE-2025-6424', 'CVE-2025-6429', 'CVE-2025-6425']) {
      const [ff] = affected(all.records, cve, 'alma:10', 'firefox');
      assert.equal(ff?.fixed, '128.12.0-1.el10_0', cve);
      assert.equal(ff?.advisory, 'ALSA-2025:10073');
      assert.equal(ff?.severity, 'HIGH'); // "Important: firefox security update"
      assert.equal(ff?.nameKind, 'binary');
    }
    assert.equal(vuln(all.records, 'CVE-2025-6430'), undefined);
    const [rocky] = affected(all.records, 'CVE-2023-32205', 'rocky:8', 'firefox');
    assert.equal(rocky?.fixed, '0:102.11.0-2.el8_7');
    // Chainguard's "introduced 0, fixed 0": not affected; one CGA covers Chainguard and Wolfi packages.
    const [compat] = affected(all.records, 'CVE-2025-68121', 'chainguard', 'syncthing-compat');
    assert.equal(compat?.status, 'not_affected');
    assert.equal(compat?.ranges, undefined);
    assert.equal(affected(all.records, 'CVE-2025-68121', 'chainguard', 'syncthing')[0]?.fixed, '2.0.14-r1');
    assert.equal(affected(all.records, 'CVE-2025-32464', 'wolfi', 'haproxy-3.1')[0]?.fixed, '3.1.7-r0');
  });

  it('reads the same records from an all.zip as from the directory', async () => {
    const goDir = feedPath('osv/go');
    const names = readdirSync(goDir).sort();
    const zip = join(dir, 'all.zip');
    writeZip(zip, names.map((n) => ({ name: n, data: readFileSync(join(goDir, n)) })));
    const fromZip = await readAll(osvFeed.read(zip));
    const fromDir = await readAll(osvFeed.read(goDir));
    assert.equal(fromZip.stats.records, 200);
    assert.deepEqual(fromZip.records, fromDir.records);
    assert.deepEqual(fromZip.stats.skipReasons, { withdrawn: 1 });
  });

  it('counts a malformed JSON or YAML file as skipped and reads the rest', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    copyFileSync(feedPath('osv/npm/GHSA-whgm-jr23-g3j9.json'), join(mixed, 'GHSA-whgm-jr23-g3j9.json'));
    writeFileSync(join(mixed, 'broken.json'), '{"id": "GHSA-xxxx", "affected": [');
    writeFileSync(join(mixed, 'broken.yaml'), 'id: PYSEC-1\naffected: [\n  - {');
    writeFileSync(join(mixed, 'alias.yaml'), 'id: X-1\naffected: *nowhere\n');
    const { records, stats } = await readAll(osvFeed.read(mixed));
    assert.equal(stats.skipReasons['malformed file'], 3);
    assert.equal(stats.errors.length, 3);
    assert.match(stats.errors.find((e) => e.includes('broken.json'))!, /not valid JSON/);
    assert.match(stats.errors.find((e) => e.includes('broken.yaml'))!, /not valid YAML/);
    const [ansi] = affected(records, 'CVE-2021-23424', 'npm', 'ansi-html');
    assert.equal(ansi?.fixed, '0.0.8');
    assert.equal(ansi?.severity, 'HIGH');
  });

  it('refuses an archive with a path-traversal entry', async () => {
    const zip = join(dir, 'evil.zip');
    writeZip(zip, [{ name: '../GHSA-whgm-jr23-g3j9.json', data: readFileSync(feedPath('osv/npm/GHSA-whgm-jr23-g3j9.json')) }]);
    await assert.rejects(readAll(osvFeed.read(zip)), { code: 'FEED_ZIP_PATH' });
  });

  it('can be read only once per run', async () => {
    const run = osvFeed.read(feedPath('osv/npm/GHSA-whgm-jr23-g3j9.json'));
    await readAll(run);
    assert.throws(() => run[Symbol.asyncIterator](), { code: 'FEED_REREAD' });
  });
});
