/**
 * buildInventory's scheduling over a real OCI layout: layers analysed several at once, and a
 * failing layer stops the others promptly with its own error, not theirs.
 */
import assert from 'node:assert/strict';
import { Transform } from 'node:stream';
import { describe, it } from 'node:test';
import { buildImage, writeOciLayout } from '../../test/image-builder.ts';
import type { EntrySpec } from '../../test/image-builder.ts';
import { scratchDirs } from '../../test/scratch.ts';
import { OciLayoutSource } from '../image/index.ts';
import type { Descriptor, ImageSource, Platform } from '../image/index.ts';
import { ANALYZERS, resolveOS } from './analyzers/index.ts';
import { buildInventory } from './build.ts';
import type { ProgressEvent } from './build.ts';

const { fresh } = scratchDirs('portcullis-build-test');

/** Records how many bytes of each blob were actually read. */
class MeteredSource implements ImageSource {
  readonly read = new Map<string, number>();
  readonly inner: ImageSource;
  readonly description: string;
  constructor(inner: ImageSource) {
    this.inner = inner;
    this.description = inner.description;
  }
  resolve(p: Platform) { return this.inner.resolve(p); }
  async openBlob(d: Descriptor) {
    const blob = await this.inner.openBlob(d);
    this.read.set(d.digest, 0);
    const meter = new Transform({
      transform: (chunk: Buffer, _e, done) => {
        this.read.set(d.digest, this.read.get(d.digest)! + chunk.length);
        done(null, chunk);
      },
    });
    blob.on('error', (err) => meter.destroy(err));
    meter.on('close', () => blob.destroy());
    return blob.pipe(meter);
  }
  close() { return this.inner.close(); }
}

/** Incompressible filler: an uncompressed layer of `mb` MiB in 1 MiB files. */
function bulk(tag: string, mb: number): EntrySpec[] {
  let x = 0x9e3779b9;
  return Array.from({ length: mb }, (_, i) => {
    const b = Buffer.alloc(1 << 20);
    for (let j = 0; j < b.length; j += 4) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      b.writeUInt32LE(x >>> 0, j);
    }
    return { path: `opt/${tag}/blob${i}`, content: b };
  });
}

async function open(layers: EntrySpec[][], compression: 'gzip' | 'none' = 'gzip') {
  const image = await buildImage({ layers, compression });
  const dir = fresh('layout');
  await writeOciLayout(dir, [{ image }]);
  const source = new MeteredSource(await OciLayoutSource.openDir(dir, undefined, `oci:${dir}`));
  return { image, source, resolved: await source.resolve({ os: 'linux', architecture: 'amd64' }) };
}

describe('buildInventory', () => {
  it('analyses as many layers at once as asked, and merges them in layer order', async () => {
    const layers: EntrySpec[][] = [
      [{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' }],
      ...[1, 2, 3, 4, 5].map((i) => [{ path: 'lib/apk/db/installed', content: `P:pkg${i}\nV:1.0-r${i}\nA:x86_64\n\n` }, ...bulk(`l${i}`, 2)]),
    ];
    const { source, resolved } = await open(layers);
    for (const concurrency of [1, 2, 3]) {
      const events: ProgressEvent[] = [];
      let inFlight = 0;
      let most = 0;
      const inv = await buildInventory(source, resolved, {
        analyzers: ANALYZERS, resolveOS, concurrency,
        onProgress: (e) => {
          events.push(e);
          if (e.type === 'layer-start') most = Math.max(most, ++inFlight);
          if (e.type === 'layer-done') inFlight--;
        },
      });
      assert.equal(most, concurrency, `${concurrency} layers read at once`);
      // The last layer's database replaced the others, whatever order the layers finished in.
      assert.deepEqual(inv.packages.map((p) => [p.name, p.version]), [['pkg5', '1.0-r5']]);
      assert.equal(inv.packages[0]!.layer, resolved.layers[5]!.descriptor.digest);
      assert.ok(events.some((e) => e.type === 'layer-bytes'), 'byte progress for layers over 1 MiB');
    }
  });

  it('a failing layer stops the others being read and is the error reported', async () => {
    // Layer 0 is 48 MiB uncompressed; layer 1 fails on its first entry.
    const { image, source, resolved } = await open([bulk('big', 48), [{ path: '../../escape', content: 'x' }]], 'none');
    await assert.rejects(buildInventory(source, resolved, { analyzers: ANALYZERS, resolveOS, concurrency: 2 }), { code: 'PATH_TRAVERSAL' });
    const big = image.layers[0]!.descriptor;
    const read = source.read.get(big.digest)!;
    assert.ok(read < big.size / 2, `the big layer was abandoned early (${read} of ${big.size} bytes read)`);
  });
});
