import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FeedRecord, KevEntry } from '../advisory.ts';
import { feedInfo, readAll } from './feed.ts';
import { kevFeed } from './kev.ts';
import { feedPath, scratch } from './test-data.ts';

function entry(records: FeedRecord[], cve: string): KevEntry | undefined {
  return records.find((r): r is KevEntry => r.type === 'kev' && r.cve === cve);
}

describe('CISA KEV feed', () => {
  const { dir, cleanup } = scratch('kev');
  after(cleanup);
  const JSON_FILE = feedPath('kev/known_exploited_vulnerabilities.json');
  const CSV_FILE = feedPath('kev/known_exploited_vulnerabilities.csv');

  it('reads the JSON catalogue with its version and release time', async () => {
    const { records, stats } = await readAll(kevFeed.read(JSON_FILE));
    assert.equal(stats.records, 1404);
    assert.equal(stats.yielded.kev, 1404);
    assert.deepEqual(stats.details, { catalogVersion: '2025.08.25', count: 1404 });
    assert.equal(stats.timestamp, '2025-08-25T17:04:19.979Z');
    assert.equal(stats.timestampSource, 'feed');
    const log4shell = entry(records, 'CVE-2021-44228');
    assert.deepEqual(log4shell && { ...log4shell, shortDescription: undefined, requiredAction: undefined }, {
      type: 'kev', source: 'cisa-kev', cve: 'CVE-2021-44228', dateAdded: '2021-12-10', dueDate: '2021-12-24', knownRansomwareCampaignUse: true,
      vendorProject: 'Apache', product: 'Log4j2', name: 'Apache Log4j2 Remote Code Execution Vulnerability',
      shortDescription: undefined, requiredAction: undefined, notes: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228', cwes: ['CWE-20', 'CWE-400', 'CWE-502'],
    });
    const git = entry(records, 'CVE-2025-48384');
    assert.equal(git?.dateAdded, '2025-08-25');
    assert.equal(git?.knownRansomwareCampaignUse, false); // "Unknown"
    assert.equal(entry(records, 'CVE-2025-8876')?.cwes, undefined); // "cwes": []
    assert.equal(records.filter((r) => r.type === 'kev' && r.knownRansomwareCampaignUse).length, 293);
    assert.deepEqual(feedInfo(stats), { kind: 'kev', location: JSON_FILE, records: 1404, skipped: 0, timestamp: '2025-08-25T17:04:19.979Z' });
  });

  it('reads the CSV to the same entries; its timestamp is the newest dateAdded', async () => {
    const json = await readAll(kevFeed.read(JSON_FILE));
    const csv = await readAll(kevFeed.read(CSV_FILE));
    assert.deepEqual(csv.records, json.records);
    assert.equal(csv.stats.timestamp, '2025-08-25T00:00:00.000Z');
    assert.equal(csv.stats.timestampSource, 'newest-record');
  });

  it('reads a mirror directory, leaving out the schema published beside the data', async () => {
    const { stats } = await readAll(kevFeed.read(feedPath('kev')));
    assert.equal(stats.records, 2 * 1404);
  });

  it('counts entries without CVE or date as skipped; refuses what is not a catalogue', async () => {
    const doc = JSON.parse(readFileSync(JSON_FILE, 'utf8')) as { vulnerabilities: Record<string, unknown>[] };
    doc.vulnerabilities = [{ ...doc.vulnerabilities[0], cveID: 'CVE-XXXX' }, { ...doc.vulnerabilities[1], dateAdded: 'yesterday' }, doc.vulnerabilities[2]!];
    const partial = join(dir, 'partial.json');
    writeFileSync(partial, JSON.stringify(doc));
    const { records, stats } = await readAll(kevFeed.read(partial));
    assert.equal(records.length, 1);
    assert.deepEqual(stats.skipReasons, { 'malformed entry': 2 });
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"title": "something else"}');
    await assert.rejects(readAll(kevFeed.read(other)), { code: 'FEED_FORMAT' });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, readFileSync(JSON_FILE).subarray(0, 5000));
    await assert.rejects(readAll(kevFeed.read(broken)), { code: 'FEED_PARSE' });
    const csv = join(dir, 'other.csv');
    writeFileSync(csv, 'a,b,c\n1,2,3\n');
    await assert.rejects(readAll(kevFeed.read(csv)), { code: 'FEED_FORMAT', message: /cveID/ });
  });
});
