import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ImageFormatError } from '../../errors.ts';
import { VerifyingStream, parseDigest } from '../verify.ts';
import type { TarMember } from './tar-index.ts';

/**
 * Random access to named files of a local image: a directory, or members of an uncompressed
 * tar. Readers stream from disk; nothing is loaded whole except small JSON documents.
 */
export interface FileStore {
  readonly description: string;
  size(path: string): Promise<number | undefined>;
  /** Read a small file whole; throws when it is larger than `max`. */
  read(path: string, max: number): Promise<Buffer>;
  stream(path: string): Readable;
  close(): Promise<void>;
}

export class DirStore implements FileStore {
  readonly description: string;
  private readonly root: string;
  constructor(root: string) {
    this.root = root;
    this.description = root;
  }
  async size(path: string): Promise<number | undefined> {
    try {
      const s = await stat(join(this.root, path));
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
  }
  async read(path: string, max: number): Promise<Buffer> {
    const size = await this.size(path);
    if (size === undefined) throw new ImageFormatError('NOT_FOUND', `${this.description}: ${path} is missing`);
    if (size > max) throw new ImageFormatError('TOO_LARGE', `${this.description}: ${path} is larger than ${max} bytes`);
    const fh = await open(join(this.root, path));
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }
  stream(path: string): Readable {
    return createReadStream(join(this.root, path), { highWaterMark: 256 * 1024 });
  }
  async close(): Promise<void> {}
}

export class TarStore implements FileStore {
  readonly description: string;
  private readonly file: FileHandle;
  private readonly path: string;
  private readonly members: Map<string, TarMember>;
  constructor(path: string, file: FileHandle, members: Map<string, TarMember>) {
    this.path = path;
    this.file = file;
    this.members = members;
    this.description = path;
  }
  async size(path: string): Promise<number | undefined> {
    return this.members.get(path)?.size;
  }
  async read(path: string, max: number): Promise<Buffer> {
    const m = this.members.get(path);
    if (!m) throw new ImageFormatError('NOT_FOUND', `${this.description}: ${path} is missing from the archive`);
    if (m.size > max) throw new ImageFormatError('TOO_LARGE', `${this.description}: ${path} is larger than ${max} bytes`);
    const buf = Buffer.alloc(m.size);
    await this.file.read(buf, 0, m.size, m.offset);
    return buf;
  }
  stream(path: string): Readable {
    const m = this.members.get(path);
    if (!m) throw new ImageFormatError('NOT_FOUND', `${this.description}: ${path} is missing from the archive`);
    if (m.size === 0) return Readable.from([]);
    return createReadStream(this.path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 256 * 1024 });
  }
  async close(): Promise<void> {
    await this.file.close();
  }
}

/** Path of a blob in an OCI layout; the digest is validated first, so it cannot name another path. */
export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

/** Stream a blob with size and digest verification. */
export function openVerified(store: FileStore, path: string, digest: string, size: number | undefined, what: string): Readable {
  const source = store.stream(path);
  const verifier = new VerifyingStream(digest, size, what);
  source.on('error', (err) => verifier.destroy(err));
  return source.pipe(verifier);
}
