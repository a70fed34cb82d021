/**
 * Builds real images for tests: tar layers (written with tar-stream, an implementation
 * independent of ours), gzip/zstd/none compression, configs, manifests, indexes, and the on-disk
 * forms (OCI layout, OCI archive, docker-save archive). Everything is content-addressed exactly as
 * the specs say, so the same image can be pushed to a real registry.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { MediaType } from '../src/image/types.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../src/image/types.ts';

export type EntrySpec =
  | { path: string; content: string | Buffer; mode?: number; type?: 'file' }
  | { path: string; type: 'dir'; mode?: number }
  | { path: string; type: 'symlink'; linkname: string }
  | { path: string; type: 'hardlink'; linkname: string }
  /** `path` is the deleted path; the builder writes `.wh.<name>` beside it. */
  | { path: string; type: 'whiteout' }
  /** `path` is the directory made opaque; the builder writes `<path>/.wh..wh..opq`. */
  | { path: string; type: 'opaque' };

export type Compression = 'gzip' | 'zstd' | 'none';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** An uncompressed tar of the given entries, in order. */
export async function buildTar(entries: EntrySpec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  const mtime = new Date('2024-01-01T00:00:00Z');
  for (const e of entries) {
    const header = { mtime, uid: 0, gid: 0 };
    if (e.type === 'dir') pack.entry({ ...header, name: e.path, type: 'directory', mode: e.mode ?? 0o755 });
    else if (e.type === 'symlink') pack.entry({ ...header, name: e.path, type: 'symlink', linkname: e.linkname });
    else if (e.type === 'hardlink') pack.entry({ ...header, name: e.path, type: 'link', linkname: e.linkname });
    else if (e.type === 'whiteout') {
      const slash = e.path.lastIndexOf('/');
      pack.entry({ ...header, name: `${e.path.slice(0, slash + 1)}.wh.${e.path.slice(slash + 1)}`, mode: 0o644 }, '');
    } else if (e.type === 'opaque') pack.entry({ ...header, name: `${e.path.replace(/\/$/, '')}/.wh..wh..opq`, mode: 0o644 }, '');
    else pack.entry({ ...header, name: e.path, mode: e.mode ?? 0o644 }, typeof e.content === 'string' ? Buffer.from(e.content) : e.content);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function compress(tar: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(tar);
  if (compression === 'zstd') return zstdCompressSync(tar);
  return tar;
}

export interface BuiltLayer {
  /** The tar, uncompressed. */
  tar: Buffer;
  /** The blob as stored (compressed or not). */
  blob: Buffer;
  descriptor: Descriptor;
  diffId: string;
}

export interface BuiltImage {
  manifest: ImageManifest;
  manifestBytes: Buffer;
  manifestDigest: string;
  manifestDescriptor: Descriptor;
  config: ImageConfig;
  configBytes: Buffer;
  configDescriptor: Descriptor;
  layers: BuiltLayer[];
  /** Every blob of the image (config and layers) by digest. */
  blobs: Map<string, Buffer>;
  platform: Platform;
}

export interface ImageSpec {
  layers: (EntrySpec[] | Buffer)[];
  platform?: Platform;
  compression?: Compression;
  /** 'oci' (default) or Docker schema 2 media types. */
  format?: 'oci' | 'docker';
  labels?: Record<string, string>;
}

export async function buildLayer(spec: EntrySpec[] | Buffer, compression: Compression, format: 'oci' | 'docker'): Promise<BuiltLayer> {
  const tar = Buffer.isBuffer(spec) ? spec : await buildTar(spec);
  const blob = compress(tar, compression);
  let mediaType: string;
  if (format === 'docker') {
    if (compression === 'zstd') throw new Error('docker schema 2 has no zstd layer type');
    mediaType = compression === 'gzip' ? MediaType.DockerLayerGzip : 'application/vnd.docker.image.rootfs.diff.tar';
  } else {
    mediaType = compression === 'gzip' ? MediaType.OciLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
  }
  return { tar, blob, diffId: sha256(tar), descriptor: { mediaType, digest: sha256(blob), size: blob.length } };
}

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const format = spec.format ?? 'oci';
  const compression = spec.compression ?? 'gzip';
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers: BuiltLayer[] = [];
  for (const l of spec.layers) layers.push(await buildLayer(l, compression, format));
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...(spec.labels ? { Labels: spec.labels } : {}) },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `test layer ${i}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor: Descriptor = {
    mediaType: format === 'docker' ? MediaType.DockerConfig : MediaType.OciConfig,
    digest: sha256(configBytes),
    size: configBytes.length,
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: format === 'docker' ? MediaType.DockerManifest : MediaType.OciManifest,
    config: configDescriptor,
    layers: layers.map((l) => l.descriptor),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256(manifestBytes);
  const blobs = new Map<string, Buffer>([[configDescriptor.digest, configBytes]]);
  for (const l of layers) blobs.set(l.descriptor.digest, l.blob);
  return {
    manifest, manifestBytes, manifestDigest,
    manifestDescriptor: { mediaType: manifest.mediaType!, digest: manifestDigest, size: manifestBytes.length, platform },
    config, configBytes, configDescriptor, layers, blobs, platform,
  };
}

export interface BuiltIndex {
  index: ImageIndex;
  indexBytes: Buffer;
  indexDigest: string;
  images: BuiltImage[];
}

export function buildIndex(images: BuiltImage[], format: 'oci' | 'docker' = 'oci'): BuiltIndex {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: format === 'docker' ? MediaType.DockerManifestList : MediaType.OciIndex,
    manifests: images.map((i) => i.manifestDescriptor),
  };
  const indexBytes = Buffer.from(JSON.stringify(index));
  return { index, indexBytes, indexDigest: sha256(indexBytes), images };
}

function blobPath(dir: string, digest: string): string {
  const [alg, hex] = digest.split(':') as [string, string];
  return join(dir, 'blobs', alg, hex);
}

/**
 * Write an OCI image layout. Each entry of `refs` becomes a descriptor in index.json with the
 * org.opencontainers.image.ref.name annotation (if the name is non-empty).
 */
export async function writeOciLayout(dir: string, refs: { name?: string; image: BuiltImage | BuiltIndex }[]): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests: Descriptor[] = [];
  const writeImage = async (img: BuiltImage) => {
    for (const [digest, data] of img.blobs) await writeFile(blobPath(dir, digest), data);
    await writeFile(blobPath(dir, img.manifestDigest), img.manifestBytes);
  };
  for (const { name, image } of refs) {
    const annotations = name ? { 'org.opencontainers.image.ref.name': name } : undefined;
    if ('index' in image) {
      for (const img of image.images) await writeImage(img);
      await writeFile(blobPath(dir, image.indexDigest), image.indexBytes);
      manifests.push({ mediaType: image.index.mediaType!, digest: image.indexDigest, size: image.indexBytes.length, ...(annotations ? { annotations } : {}) });
    } else {
      await writeImage(image);
      const { platform: _p, ...d } = image.manifestDescriptor;
      manifests.push({ ...d, ...(annotations ? { annotations } : {}) });
    }
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}

/** Tar up a directory tree given as path → content (used for OCI and docker archives). */
async function tarFiles(files: [string, Buffer][]): Promise<Buffer> {
  return buildTar(files.map(([path, content]) => ({ path, content })));
}

/** An OCI layout packed as a tar (what `skopeo copy ... oci-archive:FILE` writes). */
export async function writeOciArchive(file: string, refs: { name?: string; image: BuiltImage | BuiltIndex }[]): Promise<void> {
  const { mkdtemp, readFile, readdir, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'oci-archive-'));
  try {
    await writeOciLayout(dir, refs);
    const files: [string, Buffer][] = [
      ['oci-layout', await readFile(join(dir, 'oci-layout'))],
      ['index.json', await readFile(join(dir, 'index.json'))],
    ];
    for (const name of await readdir(join(dir, 'blobs', 'sha256'))) {
      files.push([`blobs/sha256/${name}`, await readFile(join(dir, 'blobs', 'sha256', name))]);
    }
    await writeFile(file, await tarFiles(files));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What `docker save` writes: manifest.json ([{Config, RepoTags, Layers}]), the config as
 * <hex>.json and each layer as <hex>/layer.tar (uncompressed, as the classic format stores them).
 */
export async function writeDockerArchive(file: string, image: BuiltImage, repoTags: string[] = []): Promise<void> {
  const files: [string, Buffer][] = [];
  const configName = `${image.configDescriptor.digest.slice(7)}.json`;
  files.push([configName, image.configBytes]);
  const layerPaths: string[] = [];
  for (const l of image.layers) {
    const p = `${l.diffId.slice(7)}/layer.tar`;
    layerPaths.push(p);
    files.push([p, l.tar]);
  }
  files.push(['manifest.json', Buffer.from(JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerPaths }]))]);
  await writeFile(file, await tarFiles(files));
}
