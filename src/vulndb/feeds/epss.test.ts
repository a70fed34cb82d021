import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EpssScore, FeedRecord } from '../advisory.ts';
import { epssFeed } from './epss.ts';
import { readAll } from './feed.ts';
import { feedPath, scratch } from './test-data.ts';

function score(records: FeedRecord[], cve: string): EpssScore | undefined {
  return records.find((r): r is EpssScore => r.type === 'epss' && r.cve === cve);
}

describe('FIRST EPSS feed', () => {
  const { dir, cleanup } = scratch('epss');
  after(cleanup);
  const EXCERPT = feedPath('epss/epss_scores-2026-09-29.excerpt.csv');

  it('reads scores, the model version and the score date', async () => {
    const { records, stats } = await readAll(epssFeed.read(EXCERPT));
    assert.equal(stats.records, 237);
    assert.equal(stats.yielded.epss, 237);
    assert.equal(stats.details.modelVersion, 'v2026.06.15');
    assert.equal(stats.timestamp, '2026-09-29T12:00:22.000Z');
    assert.equal(stats.timestampSource, 'feed');
    assert.deepEqual(score(records, 'CVE-1999-0001'), { type: 'epss', cve: 'CVE-1999-0001', score: 0.03351, percentile: 0.88255 });
    assert.deepEqual(score(records, 'CVE-1999-0002'), { type: 'epss', cve: 'CVE-1999-0002', score: 0.27858, percentile: 0.98037 });
    const old = await readAll(epssFeed.read(feedPath('epss/vunnel-fixture-example-1.csv')));
    assert.equal(old.stats.details.modelVersion, 'v2023.03.01');
    assert.equal(old.stats.timestamp, '2025-02-20T00:00:00.000Z'); // "+0000"
    assert.deepEqual(score(old.records, 'CVE-1999-0003'), { type: 'epss', cve: 'CVE-1999-0003', score: 0.04409, percentile: 0.9244 });
  });

  it('reads the gzip file as published (recognised by its magic bytes) to the same scores', async () => {
    const gz = join(dir, 'epss_scores-current.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(EXCERPT)));
    assert.deepEqual((await readAll(epssFeed.read(gz))).records, (await readAll(epssFeed.read(EXCERPT))).records);
  });

  it('streams a full-size file (300,000 rows)', async () => {
    // The real file has about 300k rows; this one has the same layout, made row by row.
    const big = join(dir, 'big.csv.gz');
    const lines = ['#model_version:v2025.03.14,score_date:2025-03-20T12:55:00Z', 'cve,epss,percentile'];
    for (let i = 0; i < 300_000; i++) lines.push(`CVE-${2000 + (i % 26)}-${String(i).padStart(5, '0')},0.0${i % 10}123,0.${String(i % 1000).padStart(3, '0')}`);
    writeFileSync(big, gzipSync(`${lines.join('\n')}\n`));
    let n = 0;
    let last: EpssScore | undefined;
    const run = epssFeed.read(big);
    for await (const r of run) {
      n++;
      last = r as EpssScore;
    }
    assert.equal(n, 300_000);
    assert.deepEqual(last, { type: 'epss', cve: 'CVE-2011-299999', score: 0.09123, percentile: 0.999 }); // 299999 % 26 = 11
    assert.equal(run.stats.timestamp, '2025-03-20T12:55:00.000Z');
  });

  it('refuses a truncated gzip and a file without the header; counts bad rows', async () => {
    const whole = gzipSync(readFileSync(EXCERPT));
    const cut = join(dir, 'cut.csv.gz');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    await assert.rejects(readAll(epssFeed.read(cut)), { code: 'FEED_GZIP', message: /unexpected end of file/ });
    const noHeader = join(dir, 'noheader.csv');
    writeFileSync(noHeader, 'CVE-1999-0001,0.1,0.2\n');
    await assert.rejects(readAll(epssFeed.read(noHeader)), { code: 'FEED_FORMAT' });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '#model_version:v1,score_date:2025-01-01T00:00:00Z\ncve,epss,percentile\nCVE-1999-0001,0.1,0.2\nCVE-1999-0002,1.5,0.2\nnot-a-cve,0.1,0.2\nCVE-1999-0003,,0.2\n');
    const { records, stats } = await readAll(epssFeed.read(bad));
    assert.equal(records.length, 1);
    assert.deepEqual(stats.skipReasons, { 'malformed row': 3 });
  });
});
