import { PackageDbError } from '../errors.ts';

/**
 * rpm's classic database, var/lib/rpm/Packages: a Berkeley DB hash file whose keys are header
 * numbers (4 bytes, host order) and whose values are header blobs.
 *
 * Layout used here (Berkeley DB's db_page.h):
 * - page 0 is the hash metadata page: magic 0x061561 at 12, page size at 20, encryption at 24,
 *   page type at 25, last page number at 32 — in the byte order of the host that wrote it;
 * - every page starts with a 26-byte header: next page at 16, entry count at 20, "high free
 *   offset" at 22 (on overflow pages: the bytes of data on the page), page type at 25;
 * - hash pages (type 13, or 2 in old unsorted files) hold an array of u16 item offsets after the
 *   header, keys and values alternating; item i spans [offset[i], offset[i-1]) (offset[-1] is the
 *   page size); its first byte is its kind: 1 inline data, 3 off-page (u32 first page at 4, u32
 *   total length at 8), 2/4 duplicates;
 * - overflow pages (type 7) chain the bytes of one off-page item.
 *
 * Every page of the file is read once in order (freed pages have type 0, so only live hash pages
 * count). Overflow pages may belong to one item only: a page met twice, in one chain or across
 * items, is corruption and stops the read — so a cyclic chain cannot loop and a crafted file
 * cannot make us copy more bytes than it has.
 */

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_DUPLICATE = 2;
const H_OFFPAGE = 3;
const H_OFFDUP = 4;

export interface BdbLimits {
  maxRecords: number;
}

/**
 * Call `fn` with each header blob of a Packages file, in file order. A blob is valid only during
 * the call: values spread over overflow pages are assembled in one scratch buffer that the next
 * value reuses, so reading a 100 MB file allocates about the size of its largest header.
 */
export function forEachBdbBlob(file: Buffer, limits: BdbLimits, fn: (blob: Buffer) => void): void {
  if (file.length < 512) throw corrupt(`${file.length} bytes is too short for a Berkeley DB file`);
  let le: boolean;
  if (file.readUInt32LE(12) === HASH_MAGIC) le = true;
  else if (file.readUInt32BE(12) === HASH_MAGIC) le = false;
  else throw corrupt('not a Berkeley DB hash file (bad magic)');
  const u32 = le ? (at: number) => file.readUInt32LE(at) : (at: number) => file.readUInt32BE(at);
  const u16 = le ? (at: number) => file.readUInt16LE(at) : (at: number) => file.readUInt16BE(at);

  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(`page size ${pageSize} is invalid`);
  if (file[24] !== 0) throw corrupt('the database is encrypted');
  if (file[25] !== P_HASHMETA) throw corrupt(`page 0 has type ${file[25]}, not hash metadata`);
  const lastPage = u32(32);
  const pages = lastPage + 1;
  if (pages * pageSize > file.length) throw corrupt(`truncated: ${pages} pages of ${pageSize} bytes need ${pages * pageSize} bytes, file has ${file.length}`);

  const g: Geometry = { pageSize, pages, u16, u32, usedOverflow: new Uint8Array(pages), scratch: Buffer.alloc(0) };
  let records = 0;

  for (let p = 1; p < pages; p++) {
    const base = p * pageSize;
    const type = file[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(base + 20);
    if (entries % 2 !== 0 || PAGE_HEADER + entries * 2 > pageSize) throw corrupt(`page ${p}: ${entries} entries do not fit`);
    const firstItem = PAGE_HEADER + entries * 2;
    let prevOffset = pageSize;
    let bookkeeping = false;
    for (let i = 0; i < entries; i++) {
      const offset = u16(base + PAGE_HEADER + i * 2);
      // Items are packed from the end of the page down, each ending where the previous starts.
      if (offset < firstItem || offset >= prevOffset) throw corrupt(`page ${p}: item ${i} offset ${offset} is out of place`);
      const start = base + offset;
      const end = base + prevOffset;
      prevOffset = offset;
      if (i % 2 === 0) {
        // A key: the header number. Number 0 holds rpm's own bookkeeping, not a header.
        bookkeeping = file[start] === H_KEYDATA && end - start === 5 && u32(start + 1) === 0;
        continue;
      }
      if (bookkeeping) continue;
      if (++records > limits.maxRecords) throw new PackageDbError('RPMDB_LIMIT', `rpm Packages: more than ${limits.maxRecords} records`);
      const kind = file[start];
      if (kind === H_KEYDATA) {
        fn(file.subarray(start + 1, end));
      } else if (kind === H_OFFPAGE) {
        if (end - start < 12) throw corrupt(`page ${p}: off-page item ${i} is truncated`);
        fn(readOverflow(file, u32(start + 4), u32(start + 8), g));
      } else if (kind === H_DUPLICATE || kind === H_OFFDUP) {
        throw corrupt(`page ${p}: duplicate items, which rpm never writes`);
      } else {
        throw corrupt(`page ${p}: item ${i} has unknown kind ${kind}`);
      }
    }
  }
}

interface Geometry {
  pageSize: number;
  pages: number;
  u16: (at: number) => number;
  u32: (at: number) => number;
  usedOverflow: Uint8Array;
  /** Reused for every off-page value; grows to the largest. */
  scratch: Buffer;
}

function readOverflow(file: Buffer, first: number, total: number, g: Geometry): Buffer {
  // A value can hold at most the bytes of the pages there are.
  if (total > g.pages * (g.pageSize - PAGE_HEADER)) throw corrupt(`off-page item of ${total} bytes is larger than the file`);
  if (g.scratch.length < total) g.scratch = Buffer.allocUnsafe(Math.max(total, g.scratch.length * 2));
  const out = g.scratch.subarray(0, total);
  let filled = 0;
  let page = first;
  while (filled < total) {
    if (page === 0 || page >= g.pages) throw corrupt(`overflow chain points to page ${page} (file has ${g.pages})`);
    if (g.usedOverflow[page]) throw corrupt(`overflow page ${page} is used twice (a cycle or shared chain)`);
    g.usedOverflow[page] = 1;
    const base = page * g.pageSize;
    if (file[base + 25] !== P_OVERFLOW) throw corrupt(`page ${page} in an overflow chain has type ${file[base + 25]}`);
    const len = g.u16(base + 22);
    if (len === 0 || len > g.pageSize - PAGE_HEADER) throw corrupt(`overflow page ${page} claims ${len} bytes`);
    const take = Math.min(len, total - filled);
    file.copy(out, filled, base + PAGE_HEADER, base + PAGE_HEADER + take);
    filled += take;
    page = g.u32(base + 16);
  }
  return out;
}

function corrupt(why: string): PackageDbError {
  return new PackageDbError('RPMDB_CORRUPT', `rpm Packages (Berkeley DB): ${why}`);
}
