import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { feedPath, scratch } from './feeds/test-data.ts';
import { buildDb, SCHEMA_VERSION, VulnDb } from './index.ts';
import type { BuildResult, FeedInput } from './index.ts';

/** Every shared sample feed (no NVD sample exists in ../shared/data/feeds; the NVD adapter has its own test). */
export const SAMPLE_FEEDS: FeedInput[] = [
  { kind: 'osv', path: feedPath('osv') },
  { kind: 'debian-tracker', path: feedPath('debian-security-tracker') },
  { kind: 'alpine-secdb', path: feedPath('alpine-secdb') },
  { kind: 'cve5', path: feedPath('cve-json5') },
  { kind: 'kev', path: feedPath('kev/known_exploited_vulnerabilities.json') },
  { kind: 'epss', path: feedPath('epss/epss_scores-2026-09-29.excerpt.csv') },
];

describe('database build from the shared sample feeds', () => {
  const { dir, cleanup } = scratch('build');
  after(cleanup);
  const output = join(dir, 'sub', 'portcullis.db');
  let result: BuildResult;
  let db: VulnDb;
  const progress: string[] = [];

  before(async () => {
    result = await buildDb({
      feeds: SAMPLE_FEEDS, output, now: new Date('2026-11-20T06:00:00Z'),
      onProgress: (p) => { if (p.done) progress.push(p.kind); },
    });
    db = VulnDb.open(output);
  });
  after(() => db?.close());

  it('keeps a Debian release\'s fixed version from the tracker (DSA list and tracker JSON)', () => {
    // data/DSA/list: "[29 Mar 2023] DSA-5380-1 xorg-server", "{CVE-2023-1393}", "[bullseye] - xorg-server 2:1.20.11-1+deb11u6"
    const xorg = db.affected('debian:11', ['xorg-server']).get('xorg-server')!.find((r) => r.vulnId === 'CVE-2023-1393');
    assert.equal(xorg?.fixed, '2:1.20.11-1+deb11u6');
    assert.equal(xorg?.status, 'fixed');
    assert.equal(xorg?.advisory, 'DSA-5380-1');
    // tracker JSON excerpt: sope CVE-2025-53603 bookworm fixed_version "5.8.0-1+deb12u1".
    const sope = db.affected('debian:12', ['sope']).get('sope')!.find((r) => r.vulnId === 'CVE-2025-53603');
    assert.equal(sope?.fixed, '5.8.0-1+deb12u1');
  });

  it('keeps an Alpine secfix', () => {
    // v3.11/main.yaml: ansible secfixes "2.9.3-r0: [CVE-2019-14904]".
    const rows = db.affected('alpine:3.11', ['ansible']).get('ansible')!;
    assert.equal(rows.find((r) => r.vulnId === 'CVE-2019-14904')?.fixed, '2.9.3-r0');
  });

  it('flags KEV entries and carries EPSS scores', () => {
    const kev = db.kev(['CVE-2021-44228', 'CVE-1999-0001']);
    // known_exploited_vulnerabilities.json: Log4Shell added 2021-12-10, due 2021-12-24, ransomware "Known".
    assert.deepEqual(kev.get('CVE-2021-44228'), { cve: 'CVE-2021-44228', dateAdded: '2021-12-10', dueDate: '2021-12-24', knownRansomwareCampaignUse: true });
    assert.equal(kev.has('CVE-1999-0001'), false);
    // epss excerpt: "CVE-1999-0006,0.12124,0.96022".
    assert.deepEqual(db.epss(['CVE-1999-0006']).get('CVE-1999-0006'), { cve: 'CVE-1999-0006', score: 0.12124, percentile: 0.96022 });
  });

  it('leaves out rejected CVEs and keeps only database fields of vulnerabilities', () => {
    const rejectedIds = readdirSync(feedPath('cve-json5'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /CVE-[\d-]+\.json$/.test(f))
      .map((f) => JSON.parse(readFileSync(feedPath(`cve-json5/${f}`), 'utf8')) as { cveMetadata: { cveId: string; state: string } })
      .filter((r) => r.cveMetadata.state === 'REJECTED').map((r) => r.cveMetadata.cveId);
    assert.ok(rejectedIds.length > 0);
    assert.equal(result.rejected, rejectedIds.length);
    assert.equal(db.vulns(rejectedIds).size, 0);
    // A published CVE 5 record is kept.
    assert.ok(db.vulns(['CVE-1999-0006']).has('CVE-1999-0006'));
    const v = db.vulns(['CVE-2021-44228', 'CVE-1999-0006']);
    for (const rec of v.values()) assert.equal((rec as unknown as Record<string, unknown>).type, undefined);
  });

  it('records each feed and the build in info()', () => {
    const info = db.info();
    assert.equal(info.builtAt, '2026-11-20T06:00:00.000Z');
    assert.equal(info.schema, SCHEMA_VERSION);
    assert.deepEqual(info.feeds.map((f) => f.kind), SAMPLE_FEEDS.map((f) => f.kind));
    assert.deepEqual(progress, SAMPLE_FEEDS.map((f) => f.kind));
    // KEV: the catalogue's own "count"; EPSS: its data rows (minus the comment and header lines).
    const kevDoc = JSON.parse(readFileSync(feedPath('kev/known_exploited_vulnerabilities.json'), 'utf8')) as { count: number; catalogVersion: string };
    const epssRows = readFileSync(feedPath('epss/epss_scores-2026-09-29.excerpt.csv'), 'utf8').trim().split('\n').length - 2;
    const kev = info.feeds.find((f) => f.kind === 'kev')!;
    assert.equal(kev.records, kevDoc.count);
    assert.equal(info.counts.kev, kevDoc.count);
    assert.equal(info.feeds.find((f) => f.kind === 'epss')!.records, epssRows);
    assert.equal(info.counts.epss, epssRows);
    assert.equal(info.feeds.find((f) => f.kind === 'epss')!.timestamp, '2026-09-29T12:00:22.000Z');
    for (const [i, f] of info.feeds.entries()) {
      assert.equal(f.records, result.feeds[i]!.records);
      assert.equal(f.skipped, result.feeds[i]!.skipped);
      assert.equal(f.location, SAMPLE_FEEDS[i]!.path);
    }
  });
});

describe('atomic replacement', () => {
  const { dir, cleanup } = scratch('build-atomic');
  after(cleanup);

  it('a failing feed leaves the old database intact and no temporary file behind', async () => {
    const output = join(dir, 'db.sqlite');
    await buildDb({ feeds: [{ kind: 'kev', path: feedPath('kev/known_exploited_vulnerabilities.json') }], output, now: new Date('2026-01-01T00:00:00Z') });
    const before = readFileSync(output);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"title": "CISA Catalog of Known Exploited Vulnerabilities", "vulnerabilities": [{"cveID": "CVE-2021-4');
    await assert.rejects(buildDb({
      feeds: [{ kind: 'epss', path: feedPath('epss/epss_scores-2026-09-29.excerpt.csv') }, { kind: 'kev', path: broken }], output,
    }), { code: 'FEED_PARSE' });
    assert.deepEqual(readFileSync(output), before);
    assert.deepEqual(readdirSync(dir).sort(), ['broken.json', 'db.sqlite']);
    const db = VulnDb.open(output);
    assert.equal(db.info().builtAt, '2026-01-01T00:00:00.000Z');
    assert.equal(db.info().counts.epss, 0);
    db.close();
  });

  it('removes temporary files that killed builds left behind, not those of running ones', async () => {
    const output = join(dir, 'stale.db');
    const exited = spawnSync('true').pid!; // a process that has certainly ended
    const stale = join(dir, `.stale.db.${exited}.0badf00d.tmp`);
    const live = join(dir, `.stale.db.${process.ppid}.0badf00d.tmp`);
    writeFileSync(stale, 'half a database');
    writeFileSync(live, 'another build in progress');
    await buildDb({ feeds: [{ kind: 'epss', path: feedPath('epss/vunnel-fixture-example-1.csv') }], output });
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(live), true);
  });

  it('an unknown feed kind or a missing path fails before anything is written', async () => {
    const output = join(dir, 'never.db');
    await assert.rejects(buildDb({ feeds: [{ kind: 'nvd2', path: dir }], output }), { code: 'FEED_KIND', message: /unknown feed kind "nvd2"/ });
    await assert.rejects(buildDb({ feeds: [{ kind: 'kev', path: join(dir, 'nope.json') }], output }), { code: 'FEED_NOT_FOUND' });
    await assert.rejects(buildDb({ feeds: [], output }), { code: 'DB_NO_FEEDS' });
    assert.equal(existsSync(output), false);
  });
});
