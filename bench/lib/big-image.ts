/**
 * Builds a large, realistic image on disk for benchmarks: many layers of many small files with
 * text-like content (gzip ratio near real images'), plus real package databases, written as an
 * OCI layout without ever holding a layer in memory.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';
import type { Header } from 'tar-stream';

export interface BigImageSpec {
  dir: string;
  layers: number;
  bytesPerLayer: number;
  /** Real package databases to place, layer index → path in image → content. */
  databases: Map<number, Map<string, Buffer>>;
  seed?: number;
}

export interface BigImage {
  dir: string;
  manifestDigest: string;
  layerFiles: string[];
  uncompressedBytes: number;
  compressedBytes: number;
  files: number;
}

/** Deterministic PRNG (mulberry32) so every run builds the same image. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the of and to in is for on that by this with from are as be at or an it not which have has was but can all new more one about other when also will some use only what any may its such out two these over than into then first time been like would after where most made between each both through system package library version build install update file data value error config default'.split(' ');

function textBlock(rand: () => number, size: number): Buffer {
  const parts: string[] = [];
  let len = 0;
  while (len < size) {
    const w = rand() < 0.08 ? Math.floor(rand() * 1e9).toString(36) : WORDS[Math.floor(rand() * WORDS.length)]!;
    parts.push(w);
    len += w.length + 1;
  }
  return Buffer.from(parts.join(rand() < 0.5 ? ' ' : '\n').slice(0, size));
}

class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

export async function buildBigImage(spec: BigImageSpec): Promise<BigImage> {
  const rand = rng(spec.seed ?? 42);
  const blobs = join(spec.dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers: { digest: string; size: number; diffId: string }[] = [];
  const layerFiles: string[] = [];
  let uncompressed = 0;
  let files = 0;
  for (let l = 0; l < spec.layers; l++) {
    const pack = tarStream.pack();
    const raw = new Digest();
    const gz = new Digest();
    const tmp = join(blobs, `layer-${l}.tmp`);
    const done = pipeline(pack, raw, createGzip({ level: 6 }), gz, createWriteStream(tmp));
    let written = 0;
    const dbs = spec.databases.get(l) ?? new Map();
    for (const [path, content] of dbs) {
      await entry(pack, { name: path, mode: 0o644 }, content);
      written += content.length;
      files++;
    }
    let n = 0;
    while (written < spec.bytesPerLayer) {
      // Sizes skewed small, as in real filesystems: most files a few KB, a few large ones.
      const size = rand() < 0.9 ? 512 + Math.floor(rand() * 12_000) : 20_000 + Math.floor(rand() * 400_000);
      const dir = `usr/share/bench${l}/d${Math.floor(n / 200)}`;
      await entry(pack, { name: `${dir}/f${n}.txt`, mode: 0o644 }, textBlock(rand, size));
      written += size;
      n++;
      files++;
    }
    pack.finalize();
    await done;
    const digest = `sha256:${gz.hash.digest('hex')}`;
    const diffId = `sha256:${raw.hash.digest('hex')}`;
    const final = join(blobs, digest.slice(7));
    await rename(tmp, final);
    layers.push({ digest, size: gz.bytes, diffId });
    layerFiles.push(final);
    uncompressed += raw.bytes;
  }
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  }));
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await writeFile(join(blobs, configDigest.slice(7)), config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
  }));
  const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  await writeFile(join(blobs, manifestDigest.slice(7)), manifest);
  await writeFile(join(spec.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(spec.dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }],
  }));
  return { dir: spec.dir, manifestDigest, layerFiles, uncompressedBytes: uncompressed, compressedBytes: layers.reduce((a, l) => a + l.size, 0), files };
}

function entry(pack: tarStream.Pack, header: Partial<Header> & { name: string }, content: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, content, (err) => (err ? reject(err) : resolve()));
  });
}

/** Real package databases for the benchmark image: this machine's dpkg status and the shared fixtures. */
export function realDatabases(sharedData: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (existsSync('/var/lib/dpkg/status')) out.set('var/lib/dpkg/status', readFileSync('/var/lib/dpkg/status'));
  const os = '/etc/os-release';
  if (existsSync(os)) out.set('etc/os-release', readFileSync(os));
  const rpm = join(sharedData, 'pkgdb/rpm/syft-dive-bdb/input/var/lib/rpm/Packages');
  if (existsSync(rpm)) out.set('var/lib/rpm/Packages', readFileSync(rpm));
  return out;
}
