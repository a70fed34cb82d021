/**
 * The layer cache through the real pipeline: images built by test/image-builder.ts with real
 * package databases, read from real OCI layouts, through an ImageSource that counts what is
 * opened. Concurrency and crash safety are checked with real processes and real files.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildImage, writeOciLayout } from '../../test/image-builder.ts';
import type { BuiltImage, EntrySpec } from '../../test/image-builder.ts';
import { sandbox, scratchDirs } from '../../test/scratch.ts';
import { OciLayoutSource } from '../image/index.ts';
import type { Descriptor, ImageSource } from '../image/index.ts';
import { ANALYZERS, resolveOS } from './analyzers/index.ts';
import { buildInventory } from './build.ts';
import type { InventoryResult, ProgressEvent } from './build.ts';
import { LayerCache } from './cache.ts';
import { LAYER_ANALYSIS_SCHEMA } from './layer-analysis.ts';
import type { Analyzer } from './types.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PKGDB = (p: string) => readFileSync(fileURLToPath(new URL(`../../../shared/data/pkgdb/${p}`, import.meta.url)));
const PLATFORM = { os: 'linux', architecture: 'amd64' };

const { fresh: freshDir } = scratchDirs('portcullis-cache-test');

/** Wraps a real source and records every blob it is asked to open. */
class CountingSource implements ImageSource {
  readonly opened: string[] = [];
  readonly inner: ImageSource;
  readonly description: string;
  constructor(inner: ImageSource) {
    this.inner = inner;
    this.description = inner.description;
  }
  resolve(p: typeof PLATFORM) { return this.inner.resolve(p); }
  openBlob(d: Descriptor) {
    this.opened.push(d.digest);
    return this.inner.openBlob(d);
  }
  close() { return this.inner.close(); }
}

const DEBIAN_OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
/** Filler so layers are not trivially small and the walker has entries to skip. */
const filler = (tag: string, n: number): EntrySpec[] =>
  Array.from({ length: n }, (_, i) => ({ path: `usr/share/${tag}/f${i}.txt`, content: `${tag} ${i} `.repeat(200) }));

const BASE: EntrySpec[][] = [
  [{ path: 'etc/os-release', content: DEBIAN_OS }, { path: 'etc/debian_version', content: '12.5\n' }, ...filler('base', 50)],
  [{ path: 'var/lib/dpkg/status', content: PKGDB('dpkg/syft-image-dpkg/input/var/lib/dpkg/status') }, ...filler('dpkg', 50)],
];

async function layoutOf(name: string, image: BuiltImage): Promise<string> {
  const dir = freshDir(name);
  await writeOciLayout(dir, [{ name, image }]);
  return dir;
}

async function scan(dir: string, cache: LayerCache | undefined, analyzers: readonly Analyzer[] = ANALYZERS) {
  const source = new CountingSource(await OciLayoutSource.openDir(dir, undefined, `oci:${dir}`));
  const events: ProgressEvent[] = [];
  try {
    const image = await source.resolve(PLATFORM);
    const result = await buildInventory(source, image, { analyzers, resolveOS, ...(cache ? { cache } : {}), onProgress: (e) => events.push(e) });
    return { result, opened: source.opened, image, events };
  } finally {
    await source.close();
  }
}

/** What an SBOM says, without the cache bookkeeping. */
const content = (r: InventoryResult) => ({ os: r.os, packages: r.packages, warnings: r.warnings });

/** Every file under a directory, relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(relative(dir, join(e.parentPath, e.name)));
  }
  return out.sort();
}

describe('layer cache', () => {
  it('a second scan opens no layer; an image on the same base layers opens only its own', async () => {
    const imageA = await buildImage({ layers: [...BASE, [{ path: 'lib/apk/db/installed', content: PKGDB('apk/syft-single/input/lib/apk/db/installed') }]] });
    const imageB = await buildImage({ layers: [...BASE, filler('app-b', 30), [{ path: 'var/lib/dpkg/status', type: 'whiteout' }]] });
    const dirA = await layoutOf('a', imageA);
    const dirB = await layoutOf('b', imageB);
    const cache = new LayerCache(freshDir('cache'), ANALYZERS);

    const uncached = await scan(dirA, undefined);
    const cold = await scan(dirA, cache);
    assert.deepEqual(cold.opened, imageA.layers.map((l) => l.descriptor.digest));
    assert.ok(cold.result.packages.length > 1, 'the image has packages');
    assert.deepEqual(content(cold.result), content(uncached.result));

    const warm = await scan(dirA, cache);
    assert.deepEqual(warm.opened, [], 'nothing opened the second time');
    assert.deepEqual(warm.result.layers.map((l) => l.cached), [true, true, true]);
    assert.deepEqual(content(warm.result), content(cold.result));
    assert.deepEqual(warm.events.map((e) => e.type), ['layer-cached', 'layer-cached', 'layer-cached']);

    // Same base layers (same diff_ids): only B's two own layers are read.
    const b = await scan(dirB, cache);
    assert.deepEqual(b.opened, imageB.layers.slice(2).map((l) => l.descriptor.digest));
    assert.deepEqual(b.result.layers.map((l) => l.cached), [true, true, false, false]);
    // B's whiteout of the dpkg database applies over the cached base layer.
    assert.deepEqual(b.result.packages, []);
    assert.deepEqual(content(b.result), content((await scan(dirB, undefined)).result));
    assert.deepEqual((await scan(dirB, cache)).opened, []);
  });

  it('a new analyzer version misses every entry, and the old entries stay for the old set', async () => {
    const image = await buildImage({ layers: BASE });
    const dir = await layoutOf('v', image);
    const cache = new LayerCache(freshDir('cache'), ANALYZERS);
    await scan(dir, cache);
    const bumped = ANALYZERS.map((a) => (a.name === 'dpkg' ? { ...a, version: a.version + 1 } : a));
    const next = await scan(dir, new LayerCache(cache.dir.replace(/\/layers$/, ''), bumped), bumped);
    assert.equal(next.opened.length, image.layers.length);
    assert.deepEqual((await scan(dir, cache)).opened, []);
  });

  it('a damaged entry is a miss and is rewritten; a fresh temporary file is left alone, a stale one removed', async () => {
    const image = await buildImage({ layers: BASE });
    const dir = await layoutOf('damaged', image);
    const cacheRoot = freshDir('cache');
    const cache = new LayerCache(cacheRoot, ANALYZERS);
    const good = await scan(dir, cache);
    // The dpkg layer's entry is damaged; the other layer's entry is left as it is.
    const [second, first] = image.layers.map((l) => cache.entryPath(l.diffId)!);
    const intact = readFileSync(first!, 'utf8');

    const damage: [string, string | Buffer][] = [
      ['truncated mid-write', intact.slice(0, Math.floor(intact.length / 2))],
      ['empty', ''],
      ['binary garbage', Buffer.from([0x00, 0xff, 0x1f, 0x8b, 0x7b, 0x22])],
      ['JSON of another shape', JSON.stringify({ schema: LAYER_ANALYSIS_SCHEMA, diffId: image.layers[1]!.diffId, files: {}, links: {} })],
      ['a package without a name', intact.replace(/"name":"[^"]*"/, '"name":7')],
      ['another layer\'s entry', readFileSync(second!, 'utf8')],
      ['not JSON at all', 'PK\u0003\u0004'],
    ];
    for (const [what, bytes] of damage) {
      writeFileSync(first!, bytes);
      const r = await scan(dir, cache);
      assert.deepEqual(r.opened, [image.layers[1]!.descriptor.digest], `${what}: only the damaged layer is re-read`);
      assert.deepEqual(content(r.result), content(good.result), what);
      assert.equal(readFileSync(first!, 'utf8'), intact, `${what}: the entry is healed`);
    }

    // A process that died mid-write leaves a temporary file beside the entry.
    const shard = first!.slice(0, first!.lastIndexOf('/'));
    const stale = `${first}.99999.aaaaaaaaaaaa.tmp`;
    const fresh = `${first}.99998.bbbbbbbbbbbb.tmp`;
    writeFileSync(stale, intact.slice(0, 100));
    writeFileSync(fresh, intact.slice(0, 100));
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, old, old);
    rmSync(first!);
    const r = await scan(dir, cache);
    assert.deepEqual(r.opened, [image.layers[1]!.descriptor.digest], 'a temporary file is never read as an entry');
    assert.deepEqual(content(r.result), content(good.result));
    const left = readdirSync(shard);
    assert.ok(!left.includes(stale.slice(shard.length + 1)), 'the stale temporary file is removed');
    assert.ok(left.includes(fresh.slice(shard.length + 1)), 'a temporary file that may be in use is kept');
  });

  it('an oversized entry is not read whole: it is a miss', async () => {
    const image = await buildImage({ layers: [BASE[0]!] });
    const dir = await layoutOf('big', image);
    const cache = new LayerCache(freshDir('cache'), ANALYZERS);
    await scan(dir, cache);
    const path = cache.entryPath(image.layers[0]!.diffId)!;
    // A sparse 65 MiB file: larger than any entry we write.
    writeFileSync(path, '');
    const { truncateSync } = await import('node:fs');
    truncateSync(path, 65 << 20);
    const r = await scan(dir, cache);
    assert.equal(r.opened.length, 1);
    assert.ok(statSync(path).size < 1 << 20, 'rewritten with a real entry');
  });

  it('entries are private to the user; an unusable cache dir slows the scan down but does not fail it', { timeout: 60_000 }, async () => {
    const image = await buildImage({ layers: BASE });
    const dir = await layoutOf('perm', image);
    const root = join(freshDir('cache'), 'nested', 'portcullis');
    const cache = new LayerCache(root, ANALYZERS);
    const old = process.umask(0o022);
    try {
      await scan(dir, cache);
    } finally {
      process.umask(old);
    }
    const entry = cache.entryPath(image.layers[0]!.diffId)!;
    assert.equal(statSync(entry).mode & 0o777, 0o600);
    for (let d = entry.slice(0, entry.lastIndexOf('/')); d.length >= root.length; d = d.slice(0, d.lastIndexOf('/'))) {
      assert.equal(statSync(d).mode & 0o777, 0o700, d);
    }

    // A file where the cache directory should be (we run as root in CI, so chmod cannot make a
    // directory unwritable; ENOTDIR fails every write the same way).
    const blocked = join(freshDir('blocked'), 'cache');
    writeFileSync(blocked, 'not a directory');
    const r = await scan(dir, new LayerCache(blocked, ANALYZERS));
    assert.ok(r.result.packages.length > 0);
    const errors = r.events.filter((e) => e.type === 'cache-error');
    assert.equal(errors.length, image.layers.length);
    assert.match((errors[0] as { message: string }).message, /ENOTDIR|EEXIST/);
    assert.equal(readFileSync(blocked, 'utf8'), 'not a directory');

    // Where mkdir fails with ENOENT under a parent that exists (Node's recursive mkdir loops
    // forever there): an error, not a hang.
    if (existsSync('/proc/self')) {
      const proc = await scan(dir, new LayerCache('/proc/portcullis-no-such-dir/cache', ANALYZERS));
      assert.ok(proc.result.packages.length > 0);
      assert.ok(proc.events.some((e) => e.type === 'cache-error' && /ENOENT/.test(e.message)));
    }
  });

  it('several processes scanning at once into one cache all succeed with the same SBOM, and write only there', async () => {
    const image = await buildImage({
      layers: [
        ...BASE,
        [{ path: 'var/lib/rpm/Packages', content: PKGDB('rpm/syft-dive-bdb/input/var/lib/rpm/Packages') }, ...filler('rpm', 200)],
        filler('app', 400),
        [{ path: 'var/lib/dpkg/status', content: PKGDB('dpkg/trivy-ubuntu-bionic-status/input/var/lib/dpkg/status') }],
      ],
    });
    const dir = await layoutOf('concurrent', image);
    // Every place a process could write to is watched.
    const box = sandbox(freshDir('sandbox'));
    const run = () => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO, 'bin/portcullis.js'), 'sbom', `oci:${dir}`, '--format', 'json', '--cache-dir', box.cache], {
        cwd: box.cwd, env: box.env, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d; });
      child.stderr.on('data', (d: Buffer) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const runs = await Promise.all([run(), run(), run(), run()]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    // Identical but for the time of the run.
    const sboms = runs.map((r) => ({ ...(JSON.parse(r.stdout) as { packages: unknown[] }), createdAt: undefined }));
    for (const s of sboms.slice(1)) assert.deepEqual(s, sboms[0]);
    assert.ok(sboms[0]!.packages.length > 90);

    const cacheRoot = box.cache;
    const cache = new LayerCache(cacheRoot, ANALYZERS);
    const expected = image.layers.map((l) => relative(cacheRoot, cache.entryPath(l.diffId)!)).sort();
    assert.deepEqual(box.writtenOutsideCache(), [], 'nothing written outside the cache dir');
    assert.deepEqual(filesUnder(join(cacheRoot, 'layers')).map((f) => join('layers', f)), expected, 'one entry per layer, no temporary files left');

    // And a later process reads them all from the cache.
    const warm = await scan(dir, cache);
    assert.deepEqual(warm.opened, []);
  });
  it('a process killed mid-scan leaves nothing that a later scan misreads', async () => {
    // Four 12 MiB layers of incompressible data after the package layers: slow enough to kill
    // the process while some layers are done and others are being read.
    let x = 12345;
    const noise = (tag: string): EntrySpec[] => Array.from({ length: 12 }, (_, i) => {
      const b = Buffer.alloc(1 << 20);
      for (let j = 0; j < b.length; j += 4) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        b.writeUInt32LE(x >>> 0, j);
      }
      return { path: `opt/${tag}/${i}`, content: b };
    });
    const image = await buildImage({ layers: [...BASE, noise('a'), noise('b'), noise('c'), noise('d')], compression: 'none' });
    const dir = await layoutOf('killed', image);
    const box = sandbox(freshDir('sandbox'));
    const layersDir = join(box.cache, 'layers');
    const entries = () => (existsSync(layersDir) ? filesUnder(layersDir).filter((f) => f.endsWith('.json')) : []);
    const child = spawn(process.execPath, [join(REPO, 'bin/portcullis.js'), 'sbom', `oci:${dir}`, '--format', 'json', '--cache-dir', box.cache], { cwd: box.cwd, env: box.env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it as soon as the first entries are written, while the big layers are still being read.
    for (let i = 0; i < 600 && entries().length < 2 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const before = entries().length;
    assert.ok(before >= 2 && before < image.layers.length, `killed mid-scan (${before} of ${image.layers.length} layers cached)`);

    const cache = new LayerCache(box.cache, ANALYZERS);
    const after = await scan(dir, cache);
    assert.equal(after.opened.length, image.layers.length - before, 'only the layers it had not finished are read again');
    assert.deepEqual(content(after.result), content((await scan(dir, undefined)).result));
    assert.equal(entries().length, image.layers.length);
  });
});
