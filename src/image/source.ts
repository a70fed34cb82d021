import type { Readable } from 'node:stream';
import type { Descriptor, Platform, ResolvedImage } from './types.ts';

/**
 * Where an image lives: a registry, an OCI layout, an OCI archive, a docker-save archive. Every
 * source yields the same verified data, so nothing downstream knows the transport.
 */
export interface ImageSource {
  /** Human-readable origin, for messages. */
  readonly description: string;
  /**
   * Fetch and verify the manifest (choosing `platform` from an index), the config and the layer
   * list. Throws ImageFormatError listing the available platforms when `platform` is missing.
   */
  resolve(platform: Platform): Promise<ResolvedImage>;
  /**
   * Open a blob as a stream. The stream checks size and digest as it is read and errors
   * (ImageFormatError code DIGEST_MISMATCH / SIZE_MISMATCH) instead of ending when they differ,
   * so a consumer must not commit anything derived from it before 'end'.
   */
  openBlob(descriptor: Descriptor): Promise<Readable>;
  close(): Promise<void>;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };
