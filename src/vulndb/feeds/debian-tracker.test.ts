import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AffectedPackage, FeedRecord, VulnerabilityInfo } from '../advisory.ts';
import { debianTrackerFeed } from './debian-tracker.ts';
import { listDate } from './debian-lists.ts';
import { readAll } from './feed.ts';
import { feedPath, scratch } from './test-data.ts';
import { writeZip } from './test-zip.ts';

const JSON_EXCERPT = feedPath('debian-security-tracker/excerpts/tracker-data-json.excerpt.json');

function fact(records: FeedRecord[], pkg: string, id: string, ecosystem: string): AffectedPackage | undefined {
  return records.find((r): r is AffectedPackage => r.type === 'affected' && r.package === pkg && r.vulnId === id && r.ecosystem === ecosystem);
}

describe('Debian security tracker feed', () => {
  const { dir, cleanup } = scratch('debian');
  after(cleanup);

  it('reads the tracker JSON per source package, CVE and release', async () => {
    const { records, stats } = await readAll(debianTrackerFeed.read(JSON_EXCERPT));
    // 6 packages: chromium-browser's "releases": [] has none; the others 4 or 5 releases per CVE.
    assert.equal(stats.records, 25);
    assert.equal(stats.skipped, 0);
    assert.equal(stats.timestampSource, 'file-mtime');

    const bookworm = fact(records, 'chromium', 'CVE-2022-0456', 'debian:12');
    assert.equal(bookworm?.status, 'fixed');
    assert.equal(bookworm?.fixed, '98.0.4758.80-1');
    assert.deepEqual(bookworm?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '98.0.4758.80-1' }] }]);
    assert.equal(bookworm?.severity, undefined); // "not yet assigned"
    assert.equal(bookworm?.urgency, 'not yet assigned');
    assert.equal(bookworm?.feedEcosystem, 'bookworm');
    assert.equal(fact(records, 'chromium', 'CVE-2022-0456', 'debian:11')?.fixed, '98.0.4758.80-1~deb11u1');
    // buster and stretch: open with urgency end-of-life.
    const buster = fact(records, 'chromium', 'CVE-2022-0456', 'debian:10');
    assert.equal(buster?.status, 'end_of_life');
    assert.deepEqual(buster?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]);
    assert.equal(fact(records, 'chromium', 'CVE-2022-0456', 'debian:9')?.status, 'end_of_life');
    assert.equal(fact(records, 'chromium', 'CVE-2022-0456', 'debian:unstable')?.fixed, '98.0.4758.80-1');

    // fixed_version "0": never affected; "unimportant" rates LOW.
    const proto = fact(records, 'prototypejs', 'CVE-2007-2383', 'debian:9');
    assert.equal(proto?.status, 'not_affected');
    assert.equal(proto?.fixed, undefined);
    assert.equal(proto?.severity, 'LOW');
    // "high**": an urgency taken from NVD, still HIGH.
    const high = fact(records, 'prototypejs', 'CVE-2008-7220', 'debian:10');
    assert.equal(high?.severity, 'HIGH');
    assert.equal(high?.urgency, 'high**');
    assert.equal(fact(records, 'sope', 'CVE-2025-53603', 'debian:13')?.fixed, '5.12.1-2');
    assert.equal(fact(records, 'sope', 'CVE-2025-53603', 'debian:12')?.fixed, '5.8.0-1+deb12u1');
    assert.equal(records.filter((r) => r.type === 'affected' && r.package === 'chromium-browser').length, 0);

    // Each CVE described once.
    const vulns = records.filter((r): r is VulnerabilityInfo => r.type === 'vuln');
    assert.deepEqual(vulns.map((v) => v.id), ['CVE-2008-7220', 'CVE-2007-2383', 'CVE-2013-1444', 'CVE-2005-3111', 'CVE-2025-53603']);
    assert.match(vulns[4]!.description!, /^In Alinto SOPE SOGo 2\.0\.2 through 5\.12\.2/);
  });

  it('maps no-dsa decisions, undetermined status and unknown releases', async () => {
    // The excerpt has no no-dsa entries; this is the tracker's shape for them (fields nodsa, nodsa_reason).
    const path = join(dir, 'nodsa.json');
    writeFileSync(path, JSON.stringify({
      putty: {
        'CVE-2021-36367': {
          scope: 'remote',
          releases: {
            bullseye: { status: 'open', repositories: { bullseye: '0.74-1' }, nodsa: 'Minor issue', nodsa_reason: 'ignored', urgency: 'low' },
            buster: { status: 'open', repositories: { buster: '0.70-6' }, nodsa: 'Minor issue', nodsa_reason: 'postponed', urgency: 'low' },
            bookworm: { status: 'open', repositories: { bookworm: '0.78-2' }, nodsa: 'Minor issue', nodsa_reason: '', urgency: 'low' },
            trixie: { status: 'undetermined', repositories: { trixie: '0.81-1' }, urgency: 'not yet assigned' },
            hamm: { status: 'resolved', fixed_version: '0.1-1', urgency: 'low' },
            etch2: { status: 'resolved', fixed_version: '1.0', urgency: 'low' },
            sid: { status: 'weird', urgency: 'low' },
          },
        },
      },
    }));
    const { records, stats } = await readAll(debianTrackerFeed.read(path));
    assert.equal(fact(records, 'putty', 'CVE-2021-36367', 'debian:11')?.status, 'will_not_fix');
    assert.equal(fact(records, 'putty', 'CVE-2021-36367', 'debian:11')?.statusReason, 'ignored: Minor issue');
    assert.equal(fact(records, 'putty', 'CVE-2021-36367', 'debian:10')?.status, 'will_not_fix');
    assert.equal(fact(records, 'putty', 'CVE-2021-36367', 'debian:12')?.status, 'affected');
    assert.equal(fact(records, 'putty', 'CVE-2021-36367', 'debian:12')?.statusReason, 'no-dsa: Minor issue');
    assert.equal(fact(records, 'putty', 'CVE-2021-36367', 'debian:13')?.statusReason, 'undetermined');
    assert.equal(fact(records, 'putty', 'CVE-2021-36367', 'debian:2.0')?.fixed, '0.1-1');
    assert.deepEqual(stats.skipReasons, { 'unknown release': 1, 'unknown status': 1 });
  });

  it('reads DSA, DLA and DTSA lists: CVEs fixed per release by each advisory', async () => {
    const dsa = await readAll(debianTrackerFeed.read(feedPath('debian-security-tracker/data/DSA/list')));
    assert.equal(dsa.stats.records, 5406);
    // 149 advisories list no CVE; three lines name no version (<unfixed>, <end-of-life> in advisories with CVEs).
    assert.deepEqual(dsa.stats.skipReasons, { 'advisory without CVE': 149, 'advisory line without fixed version': 3 });
    assert.equal(dsa.stats.timestamp, '2023-03-29T00:00:00.000Z'); // DSA-5380-1, the newest
    const xorg = fact(dsa.records, 'xorg-server', 'CVE-2023-1393', 'debian:11');
    assert.equal(xorg?.fixed, '2:1.20.11-1+deb11u6');
    assert.equal(xorg?.advisory, 'DSA-5380-1');
    assert.equal(xorg?.modified, '2023-03-29T00:00:00.000Z');
    // DSA-140: two binary packages of one advisory, two CVEs.
    assert.equal(fact(dsa.records, 'libpng3', 'CVE-2002-0728', 'debian:3.0')?.fixed, '1.2.1-1.1.woody.2');
    // <not-affected> in an advisory line.
    const mantis = dsa.records.find((r): r is AffectedPackage => r.type === 'affected' && r.package === 'mantis' && r.status === 'not_affected');
    assert.equal(mantis?.ecosystem, 'debian:3.0');

    const dla = await readAll(debianTrackerFeed.read(feedPath('debian-security-tracker/data/DLA/list')));
    assert.equal(dla.stats.records, 3534);
    assert.equal(dla.stats.skipReasons['advisory without CVE'], 308);
    for (const cve of ['CVE-2020-12362', 'CVE-2022-21181']) {
      assert.equal(fact(dla.records, 'firmware-nonfree', cve, 'debian:10')?.fixed, '20190114+really20220913-0+deb10u1');
    }
    const dtsa = await readAll(debianTrackerFeed.read(feedPath('debian-security-tracker/data/DTSA/list')));
    assert.equal(dtsa.stats.skipReasons['advisory without CVE'], 7);
    const kismet = fact(dtsa.records, 'kismet', 'CVE-2005-2626', 'debian:4');
    assert.equal(kismet?.fixed, '2005.08.R1-0.1etch1');
    assert.equal(kismet?.severity, 'HIGH'); // "(high)"
    assert.equal(kismet?.modified, '2005-08-26T00:00:00.000Z'); // "[August 26th, 2005]"
  });

  it('reads a checkout (or an archive of one): lists first, the JSON last', async () => {
    const { records, stats } = await readAll(debianTrackerFeed.read(feedPath('debian-security-tracker')));
    assert.equal(stats.records, 5406 + 3534 + 208 + 25);
    const sope = records.filter((r): r is AffectedPackage => r.type === 'affected' && r.package === 'sope' && r.vulnId === 'CVE-2025-53603');
    assert.equal(sope.length, 4);
    // The DLA list's facts come before the JSON's, so a database keeping the last row keeps the tracker's current state.
    const firstJson = records.findIndex((r) => r.type === 'affected' && r.advisory === undefined);
    const lastList = records.findLastIndex((r) => r.type === 'affected' && r.advisory !== undefined);
    assert.ok(lastList < firstJson);
    const zip = join(dir, 'tracker.zip');
    writeZip(zip, [
      { name: 'security-tracker-master/data/json', data: 'not wanted: no .json name' },
      { name: 'security-tracker-master/tracker.json', data: readFileSync(JSON_EXCERPT) },
      { name: 'security-tracker-master/data/DSA/list', data: readFileSync(feedPath('debian-security-tracker/data/DSA/list')) },
    ]);
    const fromZip = await readAll(debianTrackerFeed.read(zip));
    assert.equal(fromZip.stats.records, 5406 + 25);
  });

  it('refuses a truncated tracker JSON and a file that is neither format', async () => {
    const cut = join(dir, 'cut.json');
    const text = readFileSync(JSON_EXCERPT);
    writeFileSync(cut, text.subarray(0, text.length - 200));
    await assert.rejects(readAll(debianTrackerFeed.read(cut)), { code: 'FEED_PARSE', message: /truncated/ });
    const other = join(dir, 'other.txt');
    writeFileSync(other, 'CVE-2023-XXXX [something]\n\t- foo <unfixed>\n');
    await assert.rejects(readAll(debianTrackerFeed.read(other)), { code: 'FEED_PARSE', message: /neither/ });
  });

  it('parses both date styles of the lists', () => {
    assert.equal(listDate('29 Mar 2023'), '2023-03-29T00:00:00.000Z');
    assert.equal(listDate('September 1st, 2005'), '2005-09-01T00:00:00.000Z');
    assert.equal(listDate('sometime'), undefined);
  });
});
