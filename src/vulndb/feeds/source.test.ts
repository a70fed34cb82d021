import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FeedError } from '../../errors.ts';
import { collect, sourceEntries } from './source.ts';
import type { SourceLimits } from './source.ts';
import { feedPath, scratch } from './test-data.ts';
import { writeZip } from './test-zip.ts';

async function readEntries(path: string, want: (n: string) => boolean = () => true, limits: Partial<SourceLimits> = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of sourceEntries(path, want, limits)) out.set(e.name, (await e.read()).toString('utf8'));
  return out;
}

describe('feed sources', () => {
  const { dir, cleanup } = scratch('source');
  after(cleanup);
  const kev = readFileSync(feedPath('kev/known_exploited_vulnerabilities.json'));

  it('reads a zip entry by entry, in archive order, skipping unwanted names and directories', async () => {
    const zip = join(dir, 'all.zip');
    writeZip(zip, [
      { name: 'GO-2024-2916.json', data: readFileSync(feedPath('osv/go/GO-2024-2916.json')) },
      { name: 'sub/', data: '', store: true },
      { name: 'README.txt', data: 'not a record' },
      { name: 'sub/PYSEC-2023-251.yaml', data: readFileSync(feedPath('osv/pypi/vulns/aiohttp/PYSEC-2023-251.yaml')), store: true },
    ]);
    const got = await readEntries(zip, (n) => n.endsWith('.json') || n.endsWith('.yaml'));
    assert.deepEqual([...got.keys()], ['GO-2024-2916.json', 'sub/PYSEC-2023-251.yaml']);
    assert.equal(got.get('GO-2024-2916.json'), readFileSync(feedPath('osv/go/GO-2024-2916.json'), 'utf8'));
    assert.match(got.get('sub/PYSEC-2023-251.yaml')!, /^id: PYSEC-2023-251/);
  });

  for (const name of ['../evil.json', '/etc/evil.json', 'a/../../evil.json', 'a\\evil.json']) {
    it(`refuses a zip with the entry name ${JSON.stringify(name)}`, async () => {
      const zip = join(dir, 'evil.zip');
      writeZip(zip, [{ name: 'ok.json', data: '{}' }, { name, data: '{}' }]);
      await assert.rejects(readEntries(zip), (err: unknown) => err instanceof FeedError && err.code === 'FEED_ZIP_PATH' && err.message.includes('unsafe entry name'));
    });
  }

  it('refuses an entry over the size limit, declared or inflated', async () => {
    const zip = join(dir, 'big.zip');
    const big = Buffer.alloc(200_000, 'a'); // deflates to a few hundred bytes
    writeZip(zip, [{ name: 'big.json', data: big }]);
    await assert.rejects(readEntries(zip, () => true, { maxEntryBytes: 100_000 }), { code: 'FEED_LIMIT', message: /big\.json is larger than 100000 bytes/ });
    await assert.rejects(readEntries(zip, () => true, { maxStreamBytes: 100_000 }), { code: 'FEED_LIMIT', message: /declares 200000 bytes/ });
    // A header that understates the size: yauzl stops at the declared size and reports it.
    const liar = join(dir, 'liar.zip');
    writeZip(liar, [{ name: 'liar.json', data: big, declaredSize: 10 }]);
    await assert.rejects(readEntries(liar), { code: 'FEED_ZIP' });
  });

  it('refuses more entries than the limit and more bytes in total', async () => {
    const zip = join(dir, 'many.zip');
    writeZip(zip, Array.from({ length: 5 }, (_, i) => ({ name: `${i}.json`, data: '{"x": 1}' })));
    await assert.rejects(readEntries(zip, () => true, { maxEntries: 4 }), { code: 'FEED_LIMIT', message: /5 entries/ });
    await assert.rejects(readEntries(zip, () => true, { maxTotalBytes: 30 }), { code: 'FEED_LIMIT', message: /in total/ });
    assert.equal((await readEntries(zip, () => true, { maxEntries: 5 })).size, 5);
  });

  it('says so when a file is not a zip after all, or is missing', async () => {
    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100)]));
    await assert.rejects(readEntries(bad), { code: 'FEED_ZIP', message: /not a readable zip/ });
    await assert.rejects(readEntries(join(dir, 'missing.json')), { code: 'FEED_NOT_FOUND', message: /ENOENT/ });
  });

  it('walks a directory in sorted order, skipping hidden entries and not following symlinks', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'b', 'c'), { recursive: true });
    mkdirSync(join(tree, '.git'));
    writeFileSync(join(tree, 'b', 'c', 'z.json'), '1');
    writeFileSync(join(tree, 'a.json'), '2');
    writeFileSync(join(tree, 'b', 'y.txt'), '3');
    writeFileSync(join(tree, '.git', 'HEAD.json'), '4');
    symlinkSync('/etc', join(tree, 'etc-link'));
    symlinkSync(join(tree, 'a.json'), join(tree, 'link.json'));
    const got = await readEntries(tree, (n) => n.endsWith('.json'));
    assert.deepEqual([...got.entries()], [['a.json', '2'], ['b/c/z.json', '1']]);
    await assert.rejects(readEntries(tree, () => true, { maxDepth: 1 }), { code: 'FEED_LIMIT', message: /nested deeper/ });
    await assert.rejects(readEntries(tree, () => true, { maxEntries: 3 }), { code: 'FEED_LIMIT' });
  });

  it('gunzips by magic bytes whatever the name, and reports a truncated gzip', async () => {
    const gz = join(dir, 'kev.json'); // no .gz in the name: the content decides
    writeFileSync(gz, gzipSync(kev));
    assert.deepEqual((await readEntries(gz)).get('kev.json'), kev.toString('utf8'));
    const cut = join(dir, 'cut.json.gz');
    const whole = gzipSync(kev);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await assert.rejects(readEntries(cut), (err: unknown) => err instanceof FeedError && err.code === 'FEED_GZIP' && /unexpected end of file/.test(err.message));
    const junk = join(dir, 'junk.gz');
    writeFileSync(junk, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not deflate at all')]));
    await assert.rejects(readEntries(junk), { code: 'FEED_GZIP' });
  });

  it('collects a stream whole only up to its limit', async () => {
    async function* chunks() {
      yield Buffer.from('12345');
      yield Buffer.from('67890');
    }
    assert.equal((await collect(chunks(), 10, 'x')).toString(), '1234567890');
    await assert.rejects(collect(chunks(), 9, 'x'), { code: 'FEED_LIMIT' });
  });
});
