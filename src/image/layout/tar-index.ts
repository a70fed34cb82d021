import type { FileHandle } from 'node:fs/promises';
import { ImageFormatError } from '../../errors.ts';
import { cString, decodeHeader, extensionKind, isZeroBlock, parsePax } from '../layer/tar.ts';
import { normalizeEntryPath } from '../layer/path.ts';

/** Where a member's bytes sit inside a tar file. */
export interface TarMember {
  offset: number;
  size: number;
}

const MAX_MEMBERS = 100_000;
const MAX_EXTENSION = 64 * 1024;

/**
 * Index the regular files of an uncompressed tar by reading only its headers (positional reads,
 * bodies skipped), so an archive of many gigabytes is indexed in milliseconds and its blobs can
 * then be streamed straight from their offsets. Used for oci-archive and docker-archive files.
 */
export async function indexTarFile(file: FileHandle, what: string): Promise<Map<string, TarMember>> {
  const { size: fileSize } = await file.stat();
  const members = new Map<string, TarMember>();
  const header = Buffer.alloc(512);
  let pos = 0;
  let pendingPath: string | undefined;
  let pendingSize: number | undefined;
  let count = 0;
  while (pos + 512 <= fileSize) {
    const { bytesRead } = await file.read(header, 0, 512, pos);
    if (bytesRead < 512) break;
    if (isZeroBlock(header)) break;
    const h = decodeHeader(header, what, count);
    const size = pendingSize ?? h.size;
    const bodyStart = pos + 512;
    if (bodyStart + size > fileSize) throw new ImageFormatError('TRUNCATED_ARCHIVE', `${what}: archive is truncated`);
    const ext = extensionKind(h.typeflag);
    if (ext) {
      if (size > MAX_EXTENSION) throw new ImageFormatError('BAD_ARCHIVE', `${what}: oversized extended header`);
      const body = Buffer.alloc(size);
      await file.read(body, 0, size, bodyStart);
      if (ext === 'pax') {
        const pax = parsePax(body, what);
        if (pax.path !== undefined) pendingPath = pax.path;
        if (pax.size !== undefined) pendingSize = pax.size;
      } else if (ext === 'gnu-longname') pendingPath = cString(body, 0, body.length);
    } else {
      if (++count > MAX_MEMBERS) throw new ImageFormatError('BAD_ARCHIVE', `${what}: more than ${MAX_MEMBERS} members`);
      const isFile = h.typeflag === 0 || h.typeflag === 0x30 || h.typeflag === 0x37;
      const bodyLess = h.typeflag >= 0x31 && h.typeflag <= 0x36;
      const path = normalizeEntryPath(pendingPath ?? h.name, what);
      if (isFile) members.set(path, { offset: bodyStart, size });
      pendingPath = pendingSize = undefined;
      if (bodyLess) {
        pos = bodyStart;
        continue;
      }
    }
    pos = bodyStart + Math.ceil(size / 512) * 512;
  }
  return members;
}
