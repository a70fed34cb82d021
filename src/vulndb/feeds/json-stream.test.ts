import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { csvRows } from './csv.ts';
import { jsonItems } from './json-stream.ts';
import type { JsonItem, JsonStreamOptions } from './json-stream.ts';
import { feedPath } from './test-data.ts';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function items(buf: Buffer, size: number, opts: Partial<JsonStreamOptions> = {}): Promise<JsonItem[]> {
  const out: JsonItem[] = [];
  for await (const it of jsonItems(chunked(buf, size), { what: 'test', maxItemBytes: 1 << 24, ...opts })) out.push(it);
  return out;
}

describe('streaming JSON items', () => {
  const kev = readFileSync(feedPath('kev/known_exploited_vulnerabilities.json'));
  const tracker = readFileSync(feedPath('debian-security-tracker/excerpts/tracker-data-json.excerpt.json'));

  it('yields the elements of a chosen array and keeps the other members as header, at any chunking', async () => {
    const whole = JSON.parse(kev.toString('utf8')) as { vulnerabilities: unknown[]; catalogVersion: string };
    // Odd chunk sizes split tokens, escapes and multi-byte characters (the file has "\u2019" and "’").
    for (const size of [13, 4096, kev.length]) {
      const header: Record<string, unknown> = {};
      const got = await items(kev, size, { arrayKey: 'vulnerabilities', header });
      assert.equal(got.length, 1404);
      assert.deepEqual(got.map((i) => i.value), whole.vulnerabilities);
      assert.deepEqual(header, { title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: '2025.08.25', dateReleased: '2025-08-25T17:04:19.9796Z', count: 1404 });
    }
  });

  it('yields the members of the root object with their keys', async () => {
    const whole = JSON.parse(tracker.toString('utf8')) as Record<string, unknown>;
    for (const size of [1, 3, 1000]) {
      // 1-byte chunks split every token.
      const got = await items(tracker, size);
      assert.deepEqual(got.map((i) => i.key), ['prototypejs', 'txt2man', 'backupninja', 'chromium', 'sope', 'chromium-browser']);
      assert.deepEqual(Object.fromEntries(got.map((i) => [i.key, i.value])), whole);
    }
  });

  it('handles arrays at the root, escapes in keys, a byte order mark and empty containers', async () => {
    assert.deepEqual((await items(Buffer.from('[1, {"a": "]}"}, "x\\"", null]'), 1)).map((i) => i.value), [1, { a: ']}' }, 'x"', null]);
    assert.deepEqual(await items(Buffer.from('\ufeff{"k\\"ey": {"v": [1]}}'), 1), [{ key: 'k"ey', value: { v: [1] } }]);
    assert.deepEqual(await items(Buffer.from('{"vulns": []}'), 2, { arrayKey: 'vulns' }), []);
    assert.deepEqual(await items(Buffer.from(' {} '), 1), []);
  });

  it('rejects what is not JSON, with the reason', async () => {
    const bad: [string, RegExp][] = [
      ['', /empty input/],
      ['{"a": 1', /truncated/],
      ['{"a": [1, 2}', /truncated|not valid/],
      ['{"a": 1} {"b": 2}', /data after the end/],
      ['{"a" 1}', /expected ":"/],
      ['{"a": tru}', /not valid JSON/],
      ['"just a string"', /neither an object nor an array/],
    ];
    for (const [text, reason] of bad) {
      await assert.rejects(items(Buffer.from(text), 2), { code: 'FEED_PARSE', message: reason }, text);
    }
    // A truncated real file, cut inside an element.
    await assert.rejects(items(kev.subarray(0, 50_000), 4096, { arrayKey: 'vulnerabilities' }), { code: 'FEED_PARSE', message: /truncated/ });
  });

  it('refuses an item larger than the limit instead of buffering it', async () => {
    const doc = Buffer.from(JSON.stringify({ small: 1, big: 'x'.repeat(10_000) }));
    await assert.rejects(items(doc, 100, { maxItemBytes: 5000 }), { code: 'FEED_LIMIT' });
    assert.equal((await items(doc, 100, { maxItemBytes: 20_000 })).length, 2);
  });
});

describe('streaming CSV rows', () => {
  const csv = readFileSync(feedPath('kev/known_exploited_vulnerabilities.csv'));

  async function rows(buf: Buffer, size: number): Promise<string[][]> {
    const out: string[][] = [];
    for await (const r of csvRows(chunked(buf, size), { what: 'test', maxRecordChars: 100_000 })) out.push(r);
    return out;
  }

  it('parses quoted fields with commas, doubled quotes and line breaks the same at any chunking', async () => {
    const whole = await rows(csv, csv.length);
    assert.equal(whole.length, 1405); // header + 1404 entries
    assert.deepEqual(whole[0], ['cveID', 'vendorProject', 'product', 'vulnerabilityName', 'dateAdded', 'shortDescription', 'requiredAction', 'dueDate', 'knownRansomwareCampaignUse', 'notes', 'cwes']);
    assert.equal(whole[1]![0], 'CVE-2025-48384');
    assert.equal(whole[1]![10], 'CWE-59, CWE-436');
    assert.ok(whole.every((r) => r.length === 11));
    for (const size of [17, 333]) assert.deepEqual(await rows(csv, size), whole);
    const head = csv.subarray(0, csv.indexOf('CVE-2024-54085')); // the first rows, in 1-byte chunks
    assert.deepEqual(await rows(head, 1), await rows(head, head.length));
    assert.deepEqual(await rows(Buffer.from('a,"b ""q"", c\r\nd",e\r\n\r\nx,,\n'), 1), [['a', 'b "q", c\r\nd', 'e'], ['x', '', '']]);
  });

  it('rejects an unterminated quote and an over-long record', async () => {
    await assert.rejects(rows(Buffer.from('a,"b\nc'), 2), { code: 'FEED_PARSE', message: /unterminated/ });
    await assert.rejects(rows(Buffer.from('a,"b"c\n'), 2), { code: 'FEED_PARSE' });
    const out: string[][] = [];
    await assert.rejects(async () => {
      for await (const r of csvRows(chunked(Buffer.from(`"${'x'.repeat(500)}`), 10), { what: 't', maxRecordChars: 100 })) out.push(r);
    }, { code: 'FEED_LIMIT' });
  });
});
