import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { download } from './download.ts';
import { feedPath, scratch } from './feeds/test-data.ts';
import { defaultFeedUrls, KIND_ORDER, plannedDownloads, updateDb } from './index.ts';

const KEV = readFileSync(feedPath('kev/known_exploited_vulnerabilities.json'));

describe('feed download', () => {
  const { dir, cleanup } = scratch('download');
  const seen: { path: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const server = createServer((req, res) => {
    const path = req.url!;
    seen.push({ path, headers: req.headers });
    switch (path) {
      case '/kev.json':
        res.writeHead(200, { 'content-length': KEV.length, etag: '"v1"', 'last-modified': 'Mon, 25 Aug 2025 17:04:19 GMT' }).end(KEV);
        return;
      case '/moved':
        res.writeHead(302, { location: '/kev.json' }).end();
        return;
      case '/chunked': // no Content-Length: the limit must hold while streaming
        res.writeHead(200);
        res.write(KEV.subarray(0, 100_000));
        res.end(KEV.subarray(100_000));
        return;
      case '/short': // announces more than it sends, then closes
        res.writeHead(200, { 'content-length': 1000 });
        res.write(KEV.subarray(0, 10), () => res.socket?.destroy());
        return;
      case '/not-modified':
        res.writeHead(304).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  let base = '';
  const opts = { timeoutMs: 5_000, maxBytes: 10 * 1024 * 1024 };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    cleanup();
  });

  it('keeps ETag and Last-Modified and sends them back only for the same URL with the file present', async () => {
    const dest = join(dir, 'kev.json');
    const first = await download(`${base}/kev.json`, dest, undefined, opts);
    assert.equal(first.status, 'downloaded');
    assert.deepEqual(readFileSync(dest), KEV);
    assert.equal(first.validators.etag, '"v1"');
    assert.equal(first.validators.lastModified, 'Mon, 25 Aug 2025 17:04:19 GMT');
    assert.equal(first.validators.bytes, KEV.length);

    await download(`${base}/kev.json`, dest, first.validators, opts);
    assert.equal(seen.at(-1)!.headers['if-none-match'], '"v1"');
    assert.equal(seen.at(-1)!.headers['if-modified-since'], 'Mon, 25 Aug 2025 17:04:19 GMT');
    // Another URL for the same file, or the file gone: an unconditional request.
    await download(`${base}/moved`, dest, first.validators, opts);
    assert.equal(seen.at(-2)!.path, '/moved');
    assert.equal(seen.at(-2)!.headers['if-none-match'], undefined);
    assert.equal(seen.at(-1)!.path, '/kev.json'); // the redirect was followed
    await download(`${base}/kev.json`, join(dir, 'other.json'), first.validators, opts);
    assert.equal(seen.at(-1)!.headers['if-none-match'], undefined);
  });

  it('a 304 keeps the cached file; a 304 to an unconditional request is an error', async () => {
    const dest = join(dir, 'cached.json');
    writeFileSync(dest, 'cached');
    const r = await download(`${base}/not-modified`, dest, { url: `${base}/not-modified`, etag: '"x"', fetchedAt: '', bytes: 6 }, opts);
    assert.equal(r.status, 'not-modified');
    assert.equal(readFileSync(dest, 'utf8'), 'cached');
    await assert.rejects(download(`${base}/not-modified`, join(dir, 'none.json'), undefined, opts), { code: 'FEED_DOWNLOAD', message: /HTTP 304/ });
  });

  it('an optional URL that is not published yet is skipped; the update builds from the rest', async () => {
    assert.deepEqual(await download(`${base}/missing`, join(dir, 'm.json'), undefined, { ...opts, optional: true }), { status: 'missing' });
    const db = join(dir, 'opt', 'portcullis.db');
    const r = await updateDb({
      db, plan: [
        { kind: 'kev', name: 'kev.json', url: `${base}/kev.json` },
        { kind: 'alpine-secdb', name: 'v3.99-main.json', url: `${base}/missing`, optional: true },
      ],
    });
    assert.deepEqual(r.downloads.map((d) => d.status), ['downloaded', 'missing']);
    assert.deepEqual(r.build.feeds.map((f) => f.kind), ['kev']);
    assert.deepEqual(readdirSync(join(`${db}.feeds`)).sort(), ['alpine-secdb', 'kev']);
    assert.deepEqual(readdirSync(join(`${db}.feeds`, 'alpine-secdb')), []);
    // Not optional: the same 404 fails the update.
    await assert.rejects(updateDb({ db, plan: [{ kind: 'alpine-secdb', name: 'x.json', url: `${base}/missing` }] }), { code: 'FEED_DOWNLOAD', message: /HTTP 404/ });
  });

  it('refuses files over the size limit, announced or streamed, and truncated bodies, leaving nothing behind', async () => {
    const small = { ...opts, maxBytes: 50_000 };
    await assert.rejects(download(`${base}/kev.json`, join(dir, 'big1.json'), undefined, small), { code: 'FEED_LIMIT', message: new RegExp(`${KEV.length} bytes is more than the download limit of 50000`) });
    await assert.rejects(download(`${base}/chunked`, join(dir, 'big2.json'), undefined, small), { code: 'FEED_LIMIT', message: /more than the download limit of 50000 bytes/ });
    await assert.rejects(download(`${base}/short`, join(dir, 'short.json'), undefined, opts), { code: 'FEED_DOWNLOAD', message: /\/short: other side closed \(UND_ERR_SOCKET\)$/ });
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(download(`http://127.0.0.1:${closed}/x`, join(dir, 'refused.json'), undefined, opts),
      { code: 'FEED_DOWNLOAD', message: `http://127.0.0.1:${closed}/x: connect ECONNREFUSED 127.0.0.1:${closed}` });
    await assert.rejects(download(`${base}/missing`, join(dir, 'missing.json'), undefined, opts), { code: 'FEED_DOWNLOAD', message: /HTTP 404 Not Found$/ });
    await assert.rejects(download('file:///etc/passwd', join(dir, 'f'), undefined, opts), { code: 'FEED_URL' });
    await assert.rejects(download('not a url', join(dir, 'f'), undefined, opts), { code: 'FEED_URL' });
    for (const f of ['big1.json', 'big2.json', 'short.json', 'missing.json', 'f']) assert.equal(existsSync(join(dir, f)), false);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.')), []);
  });
});

describe('default feed URLs', () => {
  it('cover every default kind with unique cache names, NVD to the current year, no CVE 5 unless asked', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const urls = defaultFeedUrls(now);
    const planned = plannedDownloads({ db: '/x.db', now });
    assert.deepEqual([...new Set(planned.map((u) => u.kind))], ['osv', 'debian-tracker', 'alpine-secdb', 'nvd', 'kev', 'epss']);
    assert.deepEqual(planned, urls);
    const names = urls.map((u) => `${u.kind}/${u.name}`);
    assert.equal(new Set(names).size, names.length);
    const nvd = urls.filter((u) => u.kind === 'nvd').map((u) => u.name);
    assert.equal(nvd[0], 'nvdcve-2.0-2002.json.gz');
    assert.equal(nvd.at(-1), 'nvdcve-2.0-2026.json.gz');
    assert.ok(urls.every((u) => u.url.startsWith('https://')));
    assert.ok(urls.some((u) => u.url.endsWith('/Rocky%20Linux/all.zip')));
    assert.ok(!urls.some((u) => /wolfi|chainguard/i.test(u.url)));
    // Only the releases not published yet may be missing.
    assert.deepEqual(urls.filter((u) => u.optional).map((u) => u.name).slice(0, 2), ['v3.24-main.json', 'v3.24-community.json']);
    assert.ok(urls.filter((u) => u.optional).every((u) => u.kind === 'alpine-secdb'));
  });

  it('--feed-url replaces one kind\'s defaults; names come from the URL and stay unique', () => {
    const planned = plannedDownloads({
      db: '/x.db', kinds: ['osv', 'kev'],
      urls: [{ kind: 'osv', url: 'http://mirror/npm/all.zip' }, { kind: 'osv', url: 'http://mirror/PyPI/all.zip' }, { kind: 'osv', url: 'http://other/npm/all.zip' }],
    });
    assert.deepEqual(planned.map((u) => `${u.kind}/${u.name}`), ['osv/npm_all.zip', 'osv/PyPI_all.zip', 'osv/2-npm_all.zip', 'kev/known_exploited_vulnerabilities.json']);
    assert.throws(() => plannedDownloads({ db: '/x.db', kinds: ['nvd', 'ghsa'] }), { code: 'FEED_KIND' });
    assert.throws(() => plannedDownloads({ db: '/x.db', kinds: ['nvd'], urls: [{ kind: 'kev', url: 'http://m/kev.json' }] }),
      { code: 'USAGE', message: '--feed-url kev=http://m/kev.json: "kev" is not among the kinds to fetch (nvd)' });
    assert.deepEqual(plannedDownloads({ db: '/x.db', kinds: [...KIND_ORDER].reverse(), urls: [{ kind: 'cve5', url: 'http://m/cves.zip' }] }).filter((u) => u.kind === 'cve5').map((u) => u.name), ['cves.zip']);
  });
});
