import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ImageFormatError } from '../../errors.ts';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, layerRefs, parseConfig, parseManifest, selectPlatform } from '../manifest.ts';
import type { ImageSource } from '../source.ts';
import type { Descriptor, ImageIndex, Platform, ResolvedImage } from '../types.ts';
import { verifyBytes } from '../verify.ts';
import { DirStore, TarStore, blobPath, openVerified } from './blob-store.ts';
import type { FileStore } from './blob-store.ts';
import { indexTarFile } from './tar-index.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_NESTING = 4;

/**
 * An OCI image layout, as a directory (`oci:DIR[:REF]`) or packed in a tar
 * (`oci-archive:FILE[:REF]`). REF selects an index.json entry by its ref.name annotation; without
 * one, index.json must hold exactly one image (or one index).
 */
export class OciLayoutSource implements ImageSource {
  readonly description: string;
  private readonly store: FileStore;
  private readonly ref: string | undefined;
  private readonly name: string;

  private constructor(store: FileStore, name: string, ref: string | undefined) {
    this.store = store;
    this.ref = ref;
    this.name = name;
    this.description = name;
  }

  static async openDir(dir: string, ref: string | undefined, name: string): Promise<OciLayoutSource> {
    return new OciLayoutSource(new DirStore(dir), name, ref);
  }

  static async openArchive(file: string, ref: string | undefined, name: string): Promise<OciLayoutSource> {
    const fh = await open(file).catch((err: NodeJS.ErrnoException) => {
      throw new ImageFormatError('NOT_FOUND', `${name}: cannot open ${file}: ${err.code ?? err.message}`);
    });
    try {
      const head = Buffer.alloc(4);
      await fh.read(head, 0, 4, 0);
      if (head[0] === 0x1f && head[1] === 0x8b) {
        throw new ImageFormatError('BAD_ARCHIVE', `${name}: the archive is gzip-compressed; decompress it first (oci-archive is an uncompressed tar)`);
      }
      return new OciLayoutSource(new TarStore(file, fh, await indexTarFile(fh, name)), name, ref);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async resolve(platform: Platform): Promise<ResolvedImage> {
    if ((await this.store.size('index.json')) === undefined) {
      throw new ImageFormatError('NOT_OCI_LAYOUT', `${this.name}: no index.json (not an OCI image layout)`);
    }
    const layoutFile = await this.store.size('oci-layout');
    if (layoutFile === undefined) throw new ImageFormatError('NOT_OCI_LAYOUT', `${this.name}: no oci-layout file (not an OCI image layout)`);
    const top = parseManifest(await this.store.read('index.json', MAX_MANIFEST_BYTES), undefined, `${this.name} index.json`);
    if (top.kind !== 'index') throw new ImageFormatError('NOT_OCI_LAYOUT', `${this.name}: index.json is not an image index`);
    const entry = this.pickEntry(top.index);
    return this.resolveDescriptor(entry, platform, undefined, 0);
  }

  private pickEntry(index: ImageIndex): Descriptor {
    const names = index.manifests.map((d) => d.annotations?.[REF_NAME]).filter((n): n is string => !!n);
    if (this.ref !== undefined) {
      const found = index.manifests.find((d) => d.annotations?.[REF_NAME] === this.ref);
      if (!found) {
        throw new ImageFormatError('REF_NOT_FOUND', `${this.name}: no image named "${this.ref}"; the layout has: ${names.length ? names.join(', ') : 'no named images'}`);
      }
      return found;
    }
    if (index.manifests.length === 1) return index.manifests[0]!;
    if (index.manifests.length === 0) throw new ImageFormatError('EMPTY_LAYOUT', `${this.name}: index.json lists no images`);
    throw new ImageFormatError('AMBIGUOUS_REF', `${this.name}: holds ${index.manifests.length} images; name one with :REF (${names.length ? names.join(', ') : 'they have no ref.name annotations'})`);
  }

  private async readBlob(d: Descriptor, max: number, what: string): Promise<Buffer> {
    if (d.size > max) throw new ImageFormatError('TOO_LARGE', `${what} is larger than ${max} bytes`);
    const bytes = await this.store.read(blobPath(d.digest), max);
    verifyBytes(bytes, d.digest, d.size, what);
    return bytes;
  }

  private async resolveDescriptor(d: Descriptor, platform: Platform, indexDigest: string | undefined, depth: number): Promise<ResolvedImage> {
    if (depth > MAX_NESTING) throw new ImageFormatError('BAD_MANIFEST', `${this.name}: indexes nested too deeply`);
    const what = `${this.name} manifest ${d.digest}`;
    const parsed = parseManifest(await this.readBlob(d, MAX_MANIFEST_BYTES, what), d.mediaType, what);
    if (parsed.kind === 'index') {
      const chosen = selectPlatform(parsed.index, platform, this.name);
      return this.resolveDescriptor(chosen, platform, indexDigest ?? d.digest, depth + 1);
    }
    const { manifest } = parsed;
    const config = parseConfig(await this.readBlob(manifest.config, MAX_CONFIG_BYTES, `${this.name} config`), `${this.name} config`);
    return {
      name: this.name,
      manifestDigest: d.digest,
      ...(indexDigest ? { indexDigest } : {}),
      repoDigest: indexDigest ?? d.digest,
      platform: { os: config.os ?? 'unknown', architecture: config.architecture ?? 'unknown', ...(config.variant ? { variant: config.variant } : {}) },
      manifest,
      configDigest: manifest.config.digest,
      config,
      layers: layerRefs(manifest, config, this.name),
    };
  }

  async openBlob(d: Descriptor): Promise<Readable> {
    const path = blobPath(d.digest);
    if ((await this.store.size(path)) === undefined) {
      throw new ImageFormatError('BLOB_NOT_FOUND', `${this.name}: blob ${d.digest} is missing`);
    }
    return openVerified(this.store, path, d.digest, d.size, `${this.name} blob ${d.digest}`);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
