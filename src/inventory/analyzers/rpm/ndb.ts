import { PackageDbError } from '../errors.ts';

/**
 * rpm's NDB backend (Packages.db, SUSE's default since 2021), all integers little-endian:
 *
 * - a 32-byte file header: magic "RpmP" at 0, format version 0 at 4, generation at 8, the number
 *   of 4 KiB slot pages at 12;
 * - the slot pages, starting at 0 (the file header takes the first two 16-byte slots): per slot
 *   magic "Slot", package index (0 = free), block offset and block count (16-byte blocks);
 * - at block offset × 16, a blob: magic "BlbS", package index, generation, blob length, then the
 *   header blob itself (and a tail we do not need).
 *
 * Every slot and blob is checked against the file; the blob bytes of all packages together may
 * not exceed the file (live blobs do not overlap), so a crafted slot table cannot make us read
 * the same bytes over and over.
 */

const PAGE = 4096;
const SLOT = 16;
const BLOCK = 16;
const FILE_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const FILE_HEADER = 32;
const BLOB_HEADER = 16;
/** 4096 pages of 256 slots: a million packages, far more than any image has. */
const MAX_SLOT_PAGES = 4096;

export function isNdb(file: Buffer): boolean {
  return file.length >= 4 && file.readUInt32LE(0) === FILE_MAGIC;
}

/** Call `fn` with each header blob (a view into `file`), in slot order. */
export function forEachNdbBlob(file: Buffer, limits: { maxRecords: number }, fn: (blob: Buffer) => void): void {
  if (file.length < FILE_HEADER || file.readUInt32LE(0) !== FILE_MAGIC) throw corrupt('not an rpm NDB file (bad magic)');
  const version = file.readUInt32LE(4);
  if (version !== 0) throw corrupt(`format version ${version} is not supported`);
  const slotPages = file.readUInt32LE(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw corrupt(`slot page count ${slotPages} is out of range`);
  const slotsEnd = slotPages * PAGE;
  if (slotsEnd > file.length) throw corrupt(`truncated: ${slotPages} slot pages need ${slotsEnd} bytes, file has ${file.length}`);

  let total = 0;
  let records = 0;
  for (let at = FILE_HEADER; at < slotsEnd; at += SLOT) {
    if (file.readUInt32LE(at) !== SLOT_MAGIC) throw corrupt(`bad slot magic at offset ${at}`);
    const pkgIdx = file.readUInt32LE(at + 4);
    if (pkgIdx === 0) continue;
    const blockOffset = file.readUInt32LE(at + 8);
    const blockCount = file.readUInt32LE(at + 12);
    const start = blockOffset * BLOCK;
    if (start < slotsEnd || start + BLOB_HEADER > file.length) throw corrupt(`package ${pkgIdx}: blob offset ${start} is out of range`);
    if (file.readUInt32LE(start) !== BLOB_MAGIC) throw corrupt(`package ${pkgIdx}: bad blob magic`);
    if (file.readUInt32LE(start + 4) !== pkgIdx) throw corrupt(`package ${pkgIdx}: blob belongs to package ${file.readUInt32LE(start + 4)}`);
    const length = file.readUInt32LE(start + 12);
    const end = start + BLOB_HEADER + length;
    if (end > file.length) throw corrupt(`package ${pkgIdx}: blob of ${length} bytes runs past the end of the file`);
    if (BLOB_HEADER + length > blockCount * BLOCK) throw corrupt(`package ${pkgIdx}: blob of ${length} bytes is larger than its ${blockCount} blocks`);
    if (start + blockCount * BLOCK > file.length) throw corrupt(`package ${pkgIdx}: its blocks run past the end of the file (truncated)`);
    total += length;
    if (total > file.length) throw corrupt('blobs overlap (they add up to more than the file)');
    if (++records > limits.maxRecords) throw new PackageDbError('RPMDB_LIMIT', `rpm Packages.db: more than ${limits.maxRecords} packages`);
    fn(file.subarray(start + BLOB_HEADER, end));
  }
}

function corrupt(why: string): PackageDbError {
  return new PackageDbError('RPMDB_CORRUPT', `rpm Packages.db (NDB): ${why}`);
}
