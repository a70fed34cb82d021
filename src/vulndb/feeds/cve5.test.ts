import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FeedRecord, FeedStats, KevEntry, VulnerabilityInfo } from '../advisory.ts';
import { cve5Feed } from './cve5.ts';
import { readAll } from './feed.ts';
import { feedPath, scratch } from './test-data.ts';
import { writeZip } from './test-zip.ts';

function vuln(records: FeedRecord[], id: string): VulnerabilityInfo | undefined {
  return records.find((r): r is VulnerabilityInfo => r.type === 'vuln' && r.id === id);
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('CVE JSON 5 feed', () => {
  let all: { records: FeedRecord[]; stats: FeedStats };
  before(async () => {
    all = await readAll(cve5Feed.read(feedPath('cve-json5')));
  });
  const { dir, cleanup } = scratch('cve5');
  after(cleanup);

  it('reads the year tree: every CVE-*.json, nothing else', () => {
    assert.equal(all.stats.records, 200); // kev_metrics_schema-1.0.json is not a record
    assert.equal(all.stats.yielded.vuln, 200);
    assert.equal(all.stats.skipped, 0);
    assert.equal(all.stats.details.rejected, 5);
    assert.equal(all.stats.timestampSource, 'newest-record');
  });

  it('takes the CNA metric, CWE, dates, and the ADP KEV and SSVC entries of CVE-2024-27198', () => {
    const v = vuln(all.records, 'CVE-2024-27198')!;
    assert.deepEqual(v.ratings, [{ source: 'jetbrains', severity: 'CRITICAL', cvss: { source: 'jetbrains', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 } }]);
    assert.deepEqual(v.cwes, ['CWE-288']);
    assert.equal(v.published, '2024-03-04T17:21:39.422Z');
    assert.equal(v.modified, '2024-08-02T00:27:59.636Z');
    assert.equal(v.description, 'In JetBrains TeamCity before 2023.11.4 authentication bypass allowing to perform admin actions was possible');
    assert.deepEqual(v.ssvc, { source: 'cisa-adp', exploitation: 'active', automatable: 'Yes', technicalImpact: 'Total' });
    const kev = all.records.filter((r): r is KevEntry => r.type === 'kev');
    assert.deepEqual(kev, [{ type: 'kev', cve: 'CVE-2024-27198', dateAdded: '2024-03-07', source: 'cisa-adp' }]);
  });

  it('keeps CVSS only CISA ADP gave, v2-only CNAs, and v4 with the published score', () => {
    const adpOnly = vuln(all.records, 'CVE-2022-28070')!;
    assert.deepEqual(adpOnly.ratings, [{ source: 'cisa-adp', severity: 'HIGH', cvss: { source: 'cisa-adp', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5 } }]);
    assert.deepEqual(adpOnly.cwes, ['CWE-476']); // from the ADP container; the CNA said "n/a"
    assert.equal(adpOnly.published, '2023-08-22T00:00:00.000Z'); // "2023-08-22T00:00:00", no zone
    const v2 = vuln(all.records, 'CVE-2024-7824')!;
    assert.equal(v2.title, 'Type-confusion vulnerability that can cause the WRSA.exe service to crash and generate a crash dump');
    // cvssV2_0 has no baseSeverity in CVE 5: v2's bands rate 6.3 MEDIUM.
    assert.deepEqual(v2.ratings, [{ source: 'opentext', severity: 'MEDIUM', cvss: { source: 'opentext', version: '2.0', vector: 'AV:L/AC:M/Au:N/C:C/I:N/A:C', score: 6.3 } }]);
    const v4 = vuln(all.records, 'CVE-2023-40704')!;
    assert.deepEqual(v4.ratings.map((r) => [r.source, r.cvss?.version, r.cvss?.score, r.severity]), [['icscert', '3.1', 7.1, 'HIGH'], ['icscert', '4.0', 8.4, 'HIGH']]);
    assert.deepEqual(v4.cwes, ['CWE-1392']);
  });

  it('marks REJECTED records (5.0 and 5.1) and can skip them instead', async () => {
    for (const id of ['CVE-2019-25161', 'CVE-2023-36268', 'CVE-2024-25703', 'CVE-2024-30727', 'CVE-2024-43898']) {
      const v = vuln(all.records, id);
      assert.equal(v?.rejected, true, id);
      assert.deepEqual(v?.ratings, []);
    }
    assert.equal(vuln(all.records, 'CVE-2023-36268')?.description, 'DoS issues, or unexploitable crashes, are out of scope for vulnerabilities.');
    const skipped = await readAll(cve5Feed.read(feedPath('cve-json5'), { rejected: 'skip' }));
    assert.equal(skipped.stats.yielded.vuln, 195);
    assert.deepEqual(skipped.stats.skipReasons, { rejected: 5 });
  });

  it('reads a zip of the tree and a single record file the same way', async () => {
    const root = feedPath('cve-json5');
    const zip = join(dir, 'cves.zip');
    writeZip(zip, files(root).map((f) => ({ name: `cves/${relative(root, f)}`, data: readFileSync(f) })));
    const fromZip = await readAll(cve5Feed.read(zip));
    assert.deepEqual(fromZip.records, all.records);
    const one = await readAll(cve5Feed.read(feedPath('cve-json5/2024/27xxx/CVE-2024-27198.json')));
    assert.deepEqual(one.records, all.records.filter((r) => (r.type === 'vuln' ? r.id : r.type === 'kev' ? r.cve : '') === 'CVE-2024-27198'));
  });

  it('counts malformed and foreign files as skipped', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, '2024'), { recursive: true });
    writeFileSync(join(tree, '2024', 'CVE-2024-0001.json'), '{"dataType": "CVE_RECORD", ');
    writeFileSync(join(tree, '2024', 'CVE-2024-0002.json'), JSON.stringify({ dataType: 'CVE_RECORD', cveMetadata: { state: 'PUBLISHED' } }));
    writeFileSync(join(tree, '2024', 'CVE-2024-0003.json'), JSON.stringify({ vulns: [] }));
    writeFileSync(join(tree, 'deltaLog.json'), '[]');
    const { records, stats } = await readAll(cve5Feed.read(tree));
    assert.equal(records.length, 0);
    assert.equal(stats.records, 3);
    assert.deepEqual(stats.skipReasons, { 'malformed file': 1, 'not a CVE record': 2 });
  });
});
