import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AffectedPackage, FeedRecord } from '../advisory.ts';
import { alpineSecdbFeed } from './alpine-secdb.ts';
import { readAll } from './feed.ts';
import { feedPath, scratch } from './test-data.ts';

function fact(records: FeedRecord[], ecosystem: string, pkg: string, cve: string): AffectedPackage | undefined {
  return records.find((r): r is AffectedPackage => r.type === 'affected' && r.ecosystem === ecosystem && r.package === pkg && r.vulnId === cve);
}

describe('Alpine secdb feed', () => {
  const { dir, cleanup } = scratch('secdb');
  after(cleanup);

  it('reads the v3.11 YAML: fixed versions per package and CVE', async () => {
    const { records, stats } = await readAll(alpineSecdbFeed.read(feedPath('alpine-secdb/v3.11/main.yaml')));
    const ansible = fact(records, 'alpine:3.11', 'ansible', 'CVE-2019-14904');
    assert.equal(ansible?.status, 'fixed');
    assert.equal(ansible?.fixed, '2.9.3-r0');
    assert.deepEqual(ansible?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.9.3-r0' }] }]);
    assert.equal(ansible?.release, '3.11');
    assert.equal(ansible?.feedEcosystem, 'v3.11');
    assert.equal(ansible?.nameKind, 'source');
    // Free-text entries: "CVE-2016-9932 XSA-200", "CVE-2017-17434-1"/"-2", "CVE-2017-16808 (AoE)".
    assert.equal(fact(records, 'alpine:3.11', 'xen', 'CVE-2016-9932')?.fixed, '4.7.1-r3');
    assert.equal(fact(records, 'alpine:3.11', 'rsync', 'CVE-2017-17434')?.fixed, '3.1.2-r7');
    assert.equal(records.filter((r) => r.type === 'affected' && r.vulnId === 'CVE-2017-17434').length, 1);
    assert.equal(fact(records, 'alpine:3.11', 'tcpdump', 'CVE-2017-16808')?.fixed, '4.9.3-r0');
    // 13 bare Xen advisories (XSA-207, ...) and "CVE-????-?????  XSA-295" name no CVE.
    assert.equal(stats.skipReasons['entry without CVE'], 14);
    assert.equal(stats.skipped, 14);
  });

  it('keeps every fixed version of a CVE fixed in several upstream series', async () => {
    const { records } = await readAll(alpineSecdbFeed.read(feedPath('alpine-secdb/v3.11/community.yaml')));
    const ws = fact(records, 'alpine:3.11', 'wireshark', 'CVE-2017-15191');
    assert.deepEqual(ws?.fixedVersions, ['2.4.2-r0', '2.2.10-r0']);
    assert.equal(ws?.fixed, undefined);
    assert.deepEqual(ws?.ranges, [
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.4.2-r0' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.2.10-r0' }] },
    ]);
    // "CVE-2019-19451.patch" and "CVE_2019-2426" are still CVEs.
    assert.equal(fact(records, 'alpine:3.11', 'dia', 'CVE-2019-19451')?.fixed, '0.97.3-r1');
    assert.equal(fact(records, 'alpine:3.11', 'openjdk7', 'CVE-2019-2426')?.fixed, '7.211.2.6.17-r0');
  });

  it('reads the served JSON layout, edge, "{}" where a list belongs and empty repositories', async () => {
    const { records, stats } = await readAll(alpineSecdbFeed.read(feedPath('alpine-secdb/served-json-excerpts')));
    assert.equal(stats.details.files, 5);
    assert.equal(fact(records, 'alpine:edge', 'apk-tools', 'CVE-2021-36159')?.fixed, '2.12.6-r0');
    assert.equal(fact(records, 'alpine:3.12', 'ansible', 'CVE-2018-16876')?.fixed, '2.7.9-r0');
    assert.equal(fact(records, 'alpine:3.11', 'apache2', 'CVE-2018-8011')?.fixed, '2.4.34-r0');
    // 312-main.json: "2.8.0-r0": {}; 311-community.json and edge-community.json: "packages": {}.
    assert.deepEqual(stats.skipReasons, { 'empty fix list': 1 });
    assert.equal(records.length, 5);
  });

  it('accepts a null packages list (as v3.3/community.yaml upstream has)', async () => {
    const path = join(dir, 'community.yaml');
    writeFileSync(path, '---\ndistroversion: v3.3\nreponame: community\narchs:\n  - x86_64\nurlprefix: http://dl-cdn.alpinelinux.org/alpine\napkurl: "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk"\npackages:\n');
    const { records, stats } = await readAll(alpineSecdbFeed.read(path));
    assert.equal(records.length, 0);
    assert.equal(stats.skipped, 0);
  });

  it('reads Wolfi and Chainguard secdbs as rolling distributions, "0" meaning never affected', async () => {
    const wolfi = await readAll(alpineSecdbFeed.read(feedPath('wolfi-secdb/wolfi-security.json.excerpt')));
    const coreutils = fact(wolfi.records, 'wolfi', 'coreutils', 'CVE-2016-2781');
    assert.equal(coreutils?.status, 'not_affected');
    assert.equal(coreutils?.ranges, undefined);
    assert.equal(coreutils?.release, undefined);
    assert.equal(fact(wolfi.records, 'wolfi', 'busybox', 'CVE-2022-30065')?.fixed, '1.35.0-r3');
    const cg = await readAll(alpineSecdbFeed.read(feedPath('wolfi-secdb/chainguard-security.json.excerpt')));
    assert.equal(fact(cg.records, 'chainguard', 'grafana', 'CVE-2022-31130')?.fixed, '7.5.19-r0');
    // The flavour option overrides detection.
    const forced = await readAll(alpineSecdbFeed.read(feedPath('wolfi-secdb/chainguard-security.json.excerpt'), { flavour: 'wolfi' }));
    assert.equal(fact(forced.records, 'wolfi', 'grafana', 'CVE-2022-31130')?.fixed, '7.5.19-r0');
  });

  it('counts malformed documents as skipped', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'a.json'), '{"distroversion": "v3.20", "packages": [');
    writeFileSync(join(bad, 'b.yaml'), 'distroversion: [unclosed\n');
    writeFileSync(join(bad, 'c.json'), '{"distroversion": "latest", "packages": []}');
    writeFileSync(join(bad, 'd.json'), '{"distroversion": "v3.20", "reponame": "main", "packages": [{"pkg": {}}, {"pkg": {"name": "zlib", "secfixes": {"1.3.1-r0": ["CVE-2023-45853"]}}}]}');
    const { records, stats } = await readAll(alpineSecdbFeed.read(bad));
    assert.equal(stats.skipReasons['malformed file'], 3);
    assert.equal(stats.skipReasons['malformed entry'], 1);
    assert.equal(fact(records, 'alpine:3.20', 'zlib', 'CVE-2023-45853')?.fixed, '1.3.1-r0');
  });
});
