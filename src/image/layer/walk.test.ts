import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { buildTar, sha256 } from '../../../test/image-builder.ts';
import { needs } from '../../../test/tools.ts';
import type { TarEntry, TarHandler } from './tar.ts';
import { walkLayer } from './walk.ts';

/** Collects every entry and the content of the paths it is told to want. */
function collector(want: (path: string) => boolean = () => true) {
  const entries: TarEntry[] = [];
  const contents = new Map<string, string>();
  const handler: TarHandler = {
    entry(e) { entries.push(e); return want(e.path); },
    content(e, data) { contents.set(e.path, data.toString()); },
  };
  return { entries, contents, handler };
}

/** Feed a buffer in awkward chunk sizes so header/body boundaries fall mid-chunk. */
function chunked(data: Buffer, size = 333): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

describe('walkLayer', () => {
  it('reads gzip, zstd and plain tars the same, whatever the chunking', async () => {
    const tar = await buildTar([
      { path: 'etc/', type: 'dir' },
      { path: 'etc/os-release', content: 'ID=debian\n' },
      { path: 'var/lib/dpkg/status', content: 'Package: a\n' },
      { path: 'usr/bin/skipped', content: Buffer.alloc(70_000, 7) },
    ]);
    for (const [blob, kind] of [[gzipSync(tar), 'gzip'], [zstdCompressSync(tar), 'zstd'], [tar, 'none']] as const) {
      for (const size of [1, 511, 512, 513, 65536]) {
        if (size === 1 && kind !== 'none') continue; // byte-at-a-time through zlib is slow and adds nothing
        const c = collector((p) => p !== 'usr/bin/skipped');
        const stats = await walkLayer(chunked(blob, size), c.handler, { what: 'layer', diffId: sha256(tar) });
        assert.equal(stats.compression, kind);
        assert.deepEqual(c.entries.map((e) => [e.path, e.type]), [
          ['etc', 'dir'], ['etc/os-release', 'file'], ['var/lib/dpkg/status', 'file'], ['usr/bin/skipped', 'file'],
        ]);
        assert.equal(c.contents.get('etc/os-release'), 'ID=debian\n');
        assert.equal(c.contents.get('var/lib/dpkg/status'), 'Package: a\n');
        assert.equal(c.contents.has('usr/bin/skipped'), false);
      }
    }
  });

  it('reads long names (pax), links and normalises ./ and leading slashes', async () => {
    const long = `usr/share/${'d'.repeat(120)}/${'f'.repeat(130)}.txt`;
    const tar = await buildTar([
      { path: './etc/debian_version', content: '12.5\n' },
      { path: long, content: 'x' },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'etc/hard', type: 'hardlink', linkname: './etc/debian_version' },
    ]);
    const c = collector();
    await walkLayer(chunked(gzipSync(tar)), c.handler, { what: 'layer' });
    assert.deepEqual(c.entries.map((e) => e.path), ['etc/debian_version', long, 'etc/os-release', 'etc/hard']);
    assert.equal(c.contents.get(long), 'x');
    assert.equal(c.entries[2]?.linkname, '../usr/lib/os-release');
    assert.equal(c.entries[3]?.linkname, 'etc/debian_version');
  });

  it('reads GNU tar archives (long names and links) written by GNU tar itself', { skip: needs('tar') }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gnutar-'));
    try {
      const deep = join(dir, 'root', 'a'.repeat(90), 'b'.repeat(90));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, 'c'.repeat(60)), 'gnu');
      symlinkSync(`../${'z'.repeat(150)}`, join(dir, 'root', 'longlink'));
      const out = join(dir, 'layer.tar');
      const r = spawnSync('tar', ['--format=gnu', '-C', join(dir, 'root'), '-cf', out, '.']);
      assert.equal(r.status, 0, r.stderr.toString());
      const c = collector();
      await walkLayer(chunked(readFileSync(out), 4096), c.handler, { what: 'layer' });
      const file = `${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(60)}`;
      assert.equal(c.contents.get(file), 'gnu');
      assert.equal(c.entries.find((e) => e.path === 'longlink')?.linkname, `../${'z'.repeat(150)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses entries that climb out of the root', async () => {
    const tar = await buildTar([{ path: 'etc/../../../etc/passwd', content: 'root:x:0:0' }]);
    await assert.rejects(walkLayer(chunked(tar), collector().handler, { what: 'layer sha256:x' }), {
      code: 'PATH_TRAVERSAL', message: /layer sha256:x: entry "etc\/\.\.\/\.\.\/\.\.\/etc\/passwd" escapes the image root/,
    });
  });

  it('stops a gzip bomb by its expansion ratio', async () => {
    // 64 MiB of zeros compresses ~1000:1; a low grace makes the guard trip early.
    const tar = await buildTar([{ path: 'zeros', content: Buffer.alloc(64 << 20) }]);
    const bomb = gzipSync(tar, { level: 9 });
    await assert.rejects(walkLayer(chunked(bomb, 8192), collector(() => false).handler, { what: 'layer', limits: { ratioGraceBytes: 1 << 20 } }), {
      code: 'DECOMPRESSION_BOMB',
    });
    // And by the absolute cap on uncompressed bytes.
    await assert.rejects(walkLayer(chunked(bomb, 8192), collector(() => false).handler, { what: 'layer', limits: { maxBytes: 8 << 20 } }), {
      code: 'LAYER_TOO_LARGE',
    });
  });

  it('reports a truncated layer, compressed or not', async () => {
    const tar = await buildTar([{ path: 'a', content: Buffer.alloc(10_000, 1) }, { path: 'b', content: 'b' }]);
    const gz = gzipSync(tar);
    await assert.rejects(walkLayer(chunked(gz.subarray(0, gz.length - 100)), collector().handler, { what: 'layer' }), { code: 'TRUNCATED_LAYER' });
    await assert.rejects(walkLayer(chunked(tar.subarray(0, 5000)), collector().handler, { what: 'layer' }), { code: 'TRUNCATED_LAYER' });
  });

  it('reports corrupt compressed data and corrupt headers', async () => {
    const tar = await buildTar([{ path: 'a', content: 'a' }]);
    const gz = gzipSync(tar);
    gz[20] = (gz[20] ?? 0) ^ 0xff;
    gz[21] = (gz[21] ?? 0) ^ 0xff;
    await assert.rejects(walkLayer(chunked(gz), collector().handler, { what: 'layer' }), (err: Error & { code?: string }) => {
      return err.code === 'CORRUPT_LAYER' || err.code === 'TRUNCATED_LAYER' || err.code === 'BAD_TAR_HEADER';
    });
    const bad = Buffer.from(tar);
    bad[0] = 0x41; // name changes, checksum no longer matches
    await assert.rejects(walkLayer(chunked(bad), collector().handler, { what: 'layer' }), { code: 'BAD_TAR_HEADER' });
    await assert.rejects(walkLayer(chunked(Buffer.from('BZh91AY&SY')), collector().handler, { what: 'layer' }), { code: 'UNSUPPORTED_COMPRESSION' });
  });

  it('enforces the entry count and buffered file size limits', async () => {
    const tar = await buildTar(Array.from({ length: 20 }, (_, i) => ({ path: `f${i}`, content: 'x' })));
    await assert.rejects(walkLayer(chunked(tar), collector().handler, { what: 'layer', limits: { maxEntries: 10 } }), { code: 'TOO_MANY_ENTRIES' });
    const big = await buildTar([{ path: 'var/lib/rpm/Packages', content: Buffer.alloc(4096) }]);
    await assert.rejects(walkLayer(chunked(big), collector().handler, { what: 'layer', limits: { maxBufferedFile: 1024 } }), {
      code: 'FILE_TOO_LARGE', message: /var\/lib\/rpm\/Packages" is 4096 bytes/,
    });
  });

  it('checks the uncompressed digest against the diff_id', async () => {
    const tar = await buildTar([{ path: 'a', content: 'a' }]);
    const other = sha256('something else');
    await assert.rejects(walkLayer(chunked(gzipSync(tar)), collector().handler, { what: 'layer', diffId: other }), { code: 'DIFF_ID_MISMATCH' });
  });

  it('handles an empty layer (only the end marker) and a zero-length blob', async () => {
    const tar = await buildTar([]);
    const stats = await walkLayer(chunked(gzipSync(tar)), collector().handler, { what: 'layer', diffId: sha256(tar) });
    assert.equal(stats.entries, 0);
    const empty = await walkLayer(Readable.from([]), collector().handler, { what: 'layer' });
    assert.equal(empty.entries, 0);
  });
});
