import type { Readable } from 'node:stream';
import { ImageFormatError } from '../../errors.ts';
import { MAX_CONFIG_BYTES, layerRefs, parseConfig, parseManifest, selectPlatform } from '../manifest.ts';
import { formatImageRef } from '../reference.ts';
import type { RegistryRef } from '../reference.ts';
import type { ImageSource } from '../source.ts';
import type { Descriptor, Platform, ResolvedImage } from '../types.ts';
import { verifyBytes } from '../verify.ts';
import { RegistryClient } from './client.ts';
import type { RegistryClientOptions } from './client.ts';

const MAX_NESTING = 4;

/** An image in a registry: manifest (or index, then the platform's manifest), config and layers, all verified. */
export class RegistrySource implements ImageSource {
  readonly description: string;
  private readonly ref: RegistryRef;
  private readonly client: RegistryClient;
  private readonly ownsClient: boolean;

  /** Pass a client to share its connections and tokens; otherwise one is made (and closed by close()). */
  constructor(ref: RegistryRef, options: RegistryClientOptions | RegistryClient = {}) {
    this.ref = ref;
    this.description = formatImageRef(ref);
    this.ownsClient = !(options instanceof RegistryClient);
    this.client = options instanceof RegistryClient ? options : new RegistryClient(ref.registry, options);
  }

  async resolve(platform: Platform): Promise<ResolvedImage> {
    const name = this.description;
    const top = await this.client.getManifest(this.ref.repository, this.ref.digest ?? this.ref.tag ?? 'latest');
    let parsed = parseManifest(top.bytes, top.mediaType, `${name} manifest`);
    let manifestDigest = top.digest;
    let indexDigest: string | undefined;
    for (let depth = 0; parsed.kind === 'index'; depth++) {
      if (depth >= MAX_NESTING) throw new ImageFormatError('BAD_MANIFEST', `${name}: indexes nested too deeply`);
      indexDigest ??= manifestDigest;
      const chosen: Descriptor = selectPlatform(parsed.index, platform, name);
      const child = await this.client.getManifest(this.ref.repository, chosen.digest);
      verifyBytes(child.bytes, chosen.digest, chosen.size, `${name} manifest ${chosen.digest}`);
      parsed = parseManifest(child.bytes, chosen.mediaType, `${name} manifest ${chosen.digest}`);
      manifestDigest = chosen.digest;
    }
    const { manifest } = parsed;
    const configBytes = await this.client.readBlob(this.ref.repository, manifest.config, MAX_CONFIG_BYTES);
    const config = parseConfig(configBytes, `${name} config`);
    return {
      name,
      manifestDigest,
      ...(indexDigest ? { indexDigest } : {}),
      repoDigest: indexDigest ?? manifestDigest,
      platform: { os: config.os ?? 'unknown', architecture: config.architecture ?? 'unknown', ...(config.variant ? { variant: config.variant } : {}) },
      manifest,
      configDigest: manifest.config.digest,
      config,
      layers: layerRefs(manifest, config, name),
    };
  }

  openBlob(descriptor: Descriptor): Promise<Readable> {
    return this.client.openBlob(this.ref.repository, descriptor);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.close();
  }
}
