import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ImageFormatError } from '../../errors.ts';
import { MAX_CONFIG_BYTES, layerRefs, parseConfig } from '../manifest.ts';
import type { ImageSource } from '../source.ts';
import { MediaType } from '../types.ts';
import type { Descriptor, ImageManifest, Platform, ResolvedImage } from '../types.ts';
import { digestOf, verifyBytes } from '../verify.ts';
import { TarStore, openVerified } from './blob-store.ts';
import { indexTarFile } from './tar-index.ts';

interface SaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const MAX_INDEX = 1 << 20;

/**
 * What `docker save` (and `podman save`, `skopeo copy docker-archive:`) writes: a tar with
 * manifest.json listing, per image, its config file, tags and layer tars. Docker 25+ stores the
 * files under blobs/sha256/ and layers may be compressed; older versions write <id>/layer.tar.
 */
export class DockerArchiveSource implements ImageSource {
  readonly description: string;
  private readonly store: TarStore;
  private readonly ref: string | undefined;
  private readonly name: string;
  /** Layer path per descriptor digest, filled by resolve(). */
  private readonly layerPaths = new Map<string, string>();

  private constructor(store: TarStore, name: string, ref: string | undefined) {
    this.store = store;
    this.name = name;
    this.ref = ref;
    this.description = name;
  }

  static async open(file: string, ref: string | undefined, name: string): Promise<DockerArchiveSource> {
    const fh = await open(file).catch((err: NodeJS.ErrnoException) => {
      throw new ImageFormatError('NOT_FOUND', `${name}: cannot open ${file}: ${err.code ?? err.message}`);
    });
    try {
      return new DockerArchiveSource(new TarStore(file, fh, await indexTarFile(fh, name)), name, ref);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  private pick(entries: SaveEntry[]): SaveEntry {
    const tags = entries.flatMap((e) => e.RepoTags ?? []);
    if (this.ref !== undefined) {
      const wanted = this.ref;
      // "alpine:3.20" in a save file is written "alpine:3.20" or "docker.io/library/alpine:3.20".
      const found = entries.find((e) => (e.RepoTags ?? []).some((t) => t === wanted || t.endsWith(`/${wanted}`)));
      if (!found) throw new ImageFormatError('REF_NOT_FOUND', `${this.name}: no image tagged "${wanted}"; it has: ${tags.join(', ') || 'no tags'}`);
      return found;
    }
    if (entries.length === 1) return entries[0]!;
    throw new ImageFormatError('AMBIGUOUS_REF', `${this.name}: holds ${entries.length} images; name one with :TAG (${tags.join(', ') || 'untagged'})`);
  }

  async resolve(_platform: Platform): Promise<ResolvedImage> {
    let entries: unknown;
    try {
      entries = JSON.parse((await this.store.read('manifest.json', MAX_INDEX)).toString('utf8'));
    } catch (err) {
      if (err instanceof ImageFormatError && err.code === 'NOT_FOUND') {
        throw new ImageFormatError('NOT_DOCKER_ARCHIVE', `${this.name}: no manifest.json (not a docker save archive)`);
      }
      throw new ImageFormatError('BAD_ARCHIVE', `${this.name}: manifest.json is not valid JSON`);
    }
    if (!Array.isArray(entries) || entries.length === 0 || !entries.every(isSaveEntry)) {
      throw new ImageFormatError('BAD_ARCHIVE', `${this.name}: manifest.json does not list images as docker save writes them`);
    }
    const entry = this.pick(entries);
    const configBytes = await this.store.read(entry.Config, MAX_CONFIG_BYTES);
    const configDigest = digestFromPath(entry.Config);
    if (configDigest) verifyBytes(configBytes, configDigest, undefined, `${this.name} config`);
    const config = parseConfig(configBytes, `${this.name} config`);

    const layers: Descriptor[] = [];
    for (const [i, path] of entry.Layers.entries()) {
      const size = await this.store.size(path);
      if (size === undefined) throw new ImageFormatError('BLOB_NOT_FOUND', `${this.name}: layer ${path} is missing from the archive`);
      // Classic archives store uncompressed tars, so their digest is the diff_id.
      const digest = digestFromPath(path) ?? config.rootfs.diff_ids[i];
      if (!digest) throw new ImageFormatError('BAD_MANIFEST', `${this.name}: more layers than config diff_ids`);
      this.layerPaths.set(digest, path);
      layers.push({ mediaType: MediaType.OciLayer, digest, size });
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: { mediaType: MediaType.DockerConfig, digest: configDigest ?? digestOf(configBytes), size: configBytes.length },
      layers,
    };
    const manifestDigest = digestOf(JSON.stringify(manifest));
    return {
      name: this.name,
      manifestDigest,
      platform: { os: config.os ?? 'unknown', architecture: config.architecture ?? 'unknown', ...(config.variant ? { variant: config.variant } : {}) },
      manifest,
      configDigest: manifest.config.digest,
      config,
      layers: layerRefs(manifest, config, this.name),
    };
  }

  async openBlob(d: Descriptor): Promise<Readable> {
    const path = this.layerPaths.get(d.digest);
    if (!path) throw new ImageFormatError('BLOB_NOT_FOUND', `${this.name}: no layer ${d.digest}`);
    return openVerified(this.store, path, d.digest, d.size, `${this.name} layer ${path}`);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

function isSaveEntry(e: unknown): e is SaveEntry {
  const o = e as SaveEntry | null;
  return !!o && typeof o.Config === 'string' && Array.isArray(o.Layers) && o.Layers.every((l) => typeof l === 'string')
    && (o.RepoTags == null || (Array.isArray(o.RepoTags) && o.RepoTags.every((t) => typeof t === 'string')));
}

/** "blobs/sha256/<hex>" or "<hex>.json" name their own digest; "<id>/layer.tar" does not. */
function digestFromPath(path: string): string | undefined {
  const m = /^(?:blobs\/sha256\/([a-f0-9]{64})|([a-f0-9]{64})\.json)$/.exec(path);
  const hex = m?.[1] ?? m?.[2];
  return hex ? `sha256:${hex}` : undefined;
}
