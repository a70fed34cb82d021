import type { Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { LayerError } from '../../errors.ts';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Larger output chunks mean fewer callbacks per layer; 256 KiB keeps memory per layer small. */
const CHUNK = 256 * 1024;

/**
 * Decide the compression from the first bytes, not the media type: registries and tools mislabel
 * layers (Docker's "tar.gzip" type on uncompressed tars, OCI zstd layers under the gzip type).
 */
export function detectCompression(head: Buffer): Compression | 'bzip2' | 'xz' {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  return 'none';
}

/** Read until at least `n` bytes have arrived (or the stream ended) and put them back. */
async function peek(input: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const chunk = input.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      have += chunk.length;
      continue;
    }
    if (input.readableEnded || input.destroyed) break;
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        input.off('readable', onReadable);
        input.off('end', onReadable);
        input.off('error', onError);
      };
      const onReadable = () => { cleanup(); resolve(); };
      const onError = (err: Error) => { cleanup(); reject(err); };
      input.once('readable', onReadable);
      input.once('end', onReadable);
      input.once('error', onError);
    });
    if (input.readableEnded && input.readableLength === 0) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) input.unshift(head);
  return head;
}

export interface Decompressed {
  stream: Readable;
  compression: Compression;
  /** Bytes read from the compressed input so far (for the expansion-ratio guard). */
  compressedBytes(): number;
}

export async function decompress(input: Readable, what: string): Promise<Decompressed> {
  const head = await peek(input, 6);
  const kind = detectCompression(head);
  if (kind === 'bzip2' || kind === 'xz') {
    input.destroy();
    throw new LayerError('UNSUPPORTED_COMPRESSION', `${what}: ${kind} layers are not supported (only gzip, zstd and uncompressed tar)`);
  }
  let compressed = 0;
  input.on('data', (c: Buffer) => { compressed += c.length; });
  if (kind === 'none') return { stream: input, compression: kind, compressedBytes: () => compressed };
  const inflater = kind === 'gzip' ? createGunzip({ chunkSize: CHUNK }) : createZstdDecompress({ chunkSize: CHUNK });
  input.on('error', (err) => inflater.destroy(err));
  inflater.on('error', () => input.destroy());
  input.pipe(inflater);
  return { stream: inflater, compression: kind, compressedBytes: () => compressed };
}
