import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AffectedPackage } from './advisory.ts';
import { alpineSecdbFeed, debianTrackerFeed, osvFeed, readAll } from './feeds/index.ts';
import { feedPath } from './feeds/test-data.ts';
import { decodeAffected, encodeAffected } from './payload.ts';
import type { AffectedRecord } from './types.ts';

/** The fields of an AffectedRecord the database keeps, as a feed yielded them. */
function stored(r: AffectedPackage): AffectedRecord {
  const out: AffectedRecord = { ecosystem: r.ecosystem, package: r.package, vulnId: r.vulnId, source: r.source, status: r.status };
  if (r.ranges?.length) out.ranges = r.ranges;
  if (r.versions?.length) out.versions = r.versions;
  if (r.fixed) out.fixed = r.fixed;
  if (r.severity) out.severity = r.severity;
  if (r.advisory) out.advisory = r.advisory;
  return out;
}

describe('affected row payload', () => {
  it('round-trips every affected record of the OSV, Debian tracker and Alpine samples exactly', async () => {
    let n = 0;
    let ranges = 0;
    for (const run of [osvFeed.read(feedPath('osv')), debianTrackerFeed.read(feedPath('debian-security-tracker')), alpineSecdbFeed.read(feedPath('alpine-secdb'))]) {
      for (const r of (await readAll(run)).records) {
        if (r.type !== 'affected') continue;
        const want = stored(r);
        assert.deepEqual(decodeAffected(r.ecosystem, r.package, r.vulnId, r.source, encodeAffected(r)), want);
        n++;
        ranges += r.ranges?.length ?? 0;
      }
    }
    assert.ok(n > 30_000 && ranges > n);
  });

  it('keeps every event kind, SEMVER ranges and versions with ":" in them', () => {
    const r: AffectedRecord = {
      ecosystem: 'go', package: 'example.com/m', vulnId: 'GO-1', source: 'osv', status: 'fixed',
      ranges: [
        { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.3' }, { introduced: '2.0.0' }, { last_affected: '2.1.0' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '1:2.0-1' }, { limit: '1:3.0-1' }] },
      ],
      versions: ['1:2.0-1'], fixed: '1.2.3',
    };
    assert.deepEqual(decodeAffected('go', 'example.com/m', 'GO-1', 'osv', encodeAffected(r)), r);
    // The fixed version is written once when the range already says it, twice when it differs.
    const one: AffectedRecord = { ecosystem: 'debian:12', package: 'p', vulnId: 'CVE-1', source: 'debian-tracker', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-1' }] }], fixed: '1.0-1' };
    assert.equal(encodeAffected(one).split('1.0-1').length - 1, 1);
    assert.deepEqual(decodeAffected('debian:12', 'p', 'CVE-1', 'debian-tracker', encodeAffected(one)), one);
    const other = { ...one, fixed: '1.0-2' };
    assert.deepEqual(decodeAffected('debian:12', 'p', 'CVE-1', 'debian-tracker', encodeAffected(other)), other);
  });
});
