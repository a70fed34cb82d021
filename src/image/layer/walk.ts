import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ImageFormatError, LayerError, PortcullisError } from '../../errors.ts';
import { decompress } from './decompress.ts';
import type { Compression } from './decompress.ts';
import { DEFAULT_TAR_LIMITS, TarWalker } from './tar.ts';
import type { TarHandler, TarLimits } from './tar.ts';

export interface LayerLimits extends TarLimits {
  /**
   * Decompressed/compressed ratio above which a layer is treated as a decompression bomb, once it
   * has produced more than ratioGraceBytes. Real layers stay far below 100:1; deflate tops out
   * near 1032:1 on zeros.
   */
  maxExpansionRatio: number;
  ratioGraceBytes: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  ...DEFAULT_TAR_LIMITS,
  maxExpansionRatio: 250,
  ratioGraceBytes: 256 << 20,
};

export interface WalkStats {
  compression: Compression;
  entries: number;
  bytes: number;
}

/**
 * Stream one layer blob through decompression and the tar walker. The uncompressed bytes are
 * hashed and checked against the config's diff_id when one is given, so a layer cannot claim the
 * identity (and cache entry) of another. Resolves only after the whole blob has been read, so the
 * blob's own digest check (in the source's verifying stream) has passed too.
 */
export async function walkLayer(
  blob: Readable,
  handler: TarHandler,
  options: { what: string; diffId?: string; limits?: Partial<LayerLimits> },
): Promise<WalkStats> {
  const limits = { ...DEFAULT_LAYER_LIMITS, ...options.limits };
  const { what } = options;
  const walker = new TarWalker(handler, what, limits);
  const hash = options.diffId ? createHash('sha256') : undefined;
  let decompressed;
  try {
    decompressed = await decompress(blob, what);
  } catch (err) {
    blob.destroy();
    throw asLayerError(err, what);
  }
  const { stream } = decompressed;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash?.update(chunk);
      walker.write(chunk);
      if (walker.bytes > limits.ratioGraceBytes && walker.bytes > limits.maxExpansionRatio * Math.max(1, decompressed.compressedBytes())) {
        throw new LayerError('DECOMPRESSION_BOMB', `${what}: expands more than ${limits.maxExpansionRatio}:1 (decompression bomb?)`);
      }
    }
    walker.end();
  } catch (err) {
    stream.destroy();
    blob.destroy();
    throw asLayerError(err, what);
  }
  if (hash && options.diffId) {
    const actual = `sha256:${hash.digest('hex')}`;
    if (!options.diffId.startsWith('sha256:')) {
      throw new ImageFormatError('BAD_DIGEST', `${what}: unsupported diff_id algorithm in "${options.diffId.slice(0, 80)}"`);
    }
    if (actual !== options.diffId) {
      throw new ImageFormatError('DIFF_ID_MISMATCH', `${what}: uncompressed digest is ${actual}, but the config says ${options.diffId}`);
    }
  }
  return { compression: decompressed.compression, entries: walker.entries, bytes: walker.bytes };
}

/** zlib and stream errors become one-line LayerErrors; our own errors pass through. */
function asLayerError(err: unknown, what: string): unknown {
  if (err instanceof PortcullisError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e?.message ?? '')) {
    return new LayerError('TRUNCATED_LAYER', `${what}: compressed data ends early (truncated layer)`, { cause: err });
  }
  if (typeof e?.code === 'string' && (e.code.startsWith('Z_') || e.code.startsWith('ERR_ZSTD') || e.code.startsWith('ERR__ZSTD'))) {
    return new LayerError('CORRUPT_LAYER', `${what}: compressed data is corrupt (${e.message})`, { cause: err });
  }
  return err;
}
