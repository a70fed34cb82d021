import { PackageDbError } from '../errors.ts';

/**
 * RPM header blobs as the package databases store them (every backend stores the same blob):
 *
 *   il  u32 BE   number of index entries
 *   dl  u32 BE   size of the data store
 *   il × 16 bytes index entries: tag i32, type u32, offset i32 (into the data store), count u32
 *   dl bytes     data store
 *
 * All integers are big-endian whatever the host. Only the entries of the tags we read are
 * decoded, and each is bounds-checked against the data store before use.
 */

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  ARCH: 1022,
  SOURCERPM: 1044,
  MODULARITYLABEL: 5096,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

/** rpm's own limits for a header (HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_SIZE = 0x0fffffff;

const WANTED: ReadonlySet<number> = new Set(Object.values(TAG));

/** The fields of one header the inventory uses. */
export interface HeaderFields {
  name?: string;
  version?: string;
  release?: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  vendor?: string;
  license?: string;
  packager?: string;
  modularityLabel?: string;
}

/**
 * Thrown by readHeader() when given the first bytes of a blob and a field it needs lies beyond
 * them where `fetch` cannot get it: the caller fetches the whole blob and reads again.
 */
export class NeedWholeBlob extends Error {}

/** A partial blob: its whole size, and a way to get `length` bytes at `offset` of it. */
export interface PartialBlob {
  length: number;
  fetch: (offset: number, length: number) => Buffer;
}

/** Longest string fetched on its own from a partial blob; longer ones take the whole blob. */
const MAX_FETCHED_STRING = 64 * 1024;

/**
 * Read the fields of a header blob. `what` names the blob in errors ("header #12"). `partial`,
 * when `blob` is only the beginning of the header, says how to get the fields beyond it.
 * Throws PackageDbError when the blob is not a well-formed header.
 */
export function readHeader(blob: Buffer, what: string, partial?: PartialBlob): HeaderFields {
  const length = partial?.length ?? blob.length;
  if (length < 8) throw corrupt(what, `${length} bytes is too short for a header`);
  if (blob.length < 8) throw new NeedWholeBlob();
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il === 0 || il > MAX_INDEX_ENTRIES) throw corrupt(what, `index entry count ${il} is out of range`);
  if (dl > MAX_DATA_SIZE) throw corrupt(what, `data size ${dl} is out of range`);
  const dataStart = 8 + il * 16;
  const dataEnd = dataStart + dl;
  if (dataEnd > length) throw corrupt(what, `needs ${dataEnd} bytes, has ${length}`);
  if (dataStart > blob.length) throw new NeedWholeBlob();
  // What of the data store we have: all of it, or up to the end of a partial blob.
  const haveEnd = Math.min(dataEnd, blob.length);

  const fields: HeaderFields = {};
  // Later entries win: entries appended after a header's immutable region replace the region's.
  for (let e = 8; e < dataStart; e += 16) {
    const tag = blob.readInt32BE(e);
    if (!WANTED.has(tag)) continue;
    const type = blob.readUInt32BE(e + 4);
    const offset = blob.readInt32BE(e + 8);
    const count = blob.readUInt32BE(e + 12);
    if (offset < 0 || offset >= dl) throw corrupt(what, `tag ${tag} points outside the data store`);
    const at = dataStart + offset;
    if (tag === TAG.EPOCH) {
      if (type !== TYPE_INT32 || count < 1 || offset + 4 > dl) throw corrupt(what, 'EPOCH is not an int32');
      fields.epoch = at + 4 <= haveEnd ? blob.readUInt32BE(at) : fetched(partial, at, 4).readUInt32BE(0);
      continue;
    }
    if (type !== TYPE_STRING && type !== TYPE_I18NSTRING && type !== TYPE_STRING_ARRAY) {
      throw corrupt(what, `tag ${tag} has type ${type}, not a string`);
    }
    if (count < 1) throw corrupt(what, `tag ${tag} has no value`);
    // For arrays (I18N strings: one per locale) the first value is the default.
    let value: string;
    const nul = at < haveEnd ? blob.indexOf(0, at) : -1;
    if (nul >= 0 && nul < haveEnd) value = blob.toString('utf8', at, nul);
    else if (haveEnd === dataEnd) throw corrupt(what, `tag ${tag} is not a terminated string`);
    else {
      const chunk = fetched(partial, at, Math.min(dataEnd - at, MAX_FETCHED_STRING));
      const end = chunk.indexOf(0);
      if (end < 0) {
        if (at + chunk.length >= dataEnd) throw corrupt(what, `tag ${tag} is not a terminated string`);
        throw new NeedWholeBlob();
      }
      value = chunk.toString('utf8', 0, end);
    }
    switch (tag) {
      case TAG.NAME: fields.name = value; break;
      case TAG.VERSION: fields.version = value; break;
      case TAG.RELEASE: fields.release = value; break;
      case TAG.ARCH: fields.arch = value; break;
      case TAG.SOURCERPM: fields.sourceRpm = value; break;
      case TAG.VENDOR: fields.vendor = value; break;
      case TAG.LICENSE: fields.license = value; break;
      case TAG.PACKAGER: fields.packager = value; break;
      case TAG.MODULARITYLABEL: fields.modularityLabel = value; break;
    }
  }
  return fields;
}

function fetched(partial: PartialBlob | undefined, at: number, length: number): Buffer {
  if (!partial) throw new NeedWholeBlob();
  const b = partial.fetch(at, length);
  if (b.length !== length) throw new NeedWholeBlob();
  return b;
}

function corrupt(what: string, why: string): PackageDbError {
  return new PackageDbError('RPMDB_CORRUPT', `rpm ${what}: ${why}`);
}

/**
 * "name-version-release.src.rpm" (or .nosrc.rpm) → its parts; undefined when the file name does
 * not have that shape. Names may contain hyphens; version and release may not.
 */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  return m ? { name: m[1]!, version: m[2]!, release: m[3]! } : undefined;
}
