import type { RawPackage } from '../../types.ts';
import { PackageDbError } from '../errors.ts';
import { forEachBdbBlob } from './bdb.ts';
import { parseSourceRpm, readHeader } from './header.ts';
import type { HeaderFields } from './header.ts';
import { forEachNdbBlob, isNdb } from './ndb.ts';
import { forEachSqliteHeader, isSqlite } from './sqlite.ts';

export type RpmDbFormat = 'bdb' | 'ndb' | 'sqlite';

/** Real databases hold a few thousand headers; this bounds work on crafted ones. */
const MAX_RECORDS = 200_000;

export interface RpmDbOptions {
  /** For tests: read SQLite through a temporary file even where deserialize() exists. */
  forceTempFile?: boolean;
}

/**
 * Which backend wrote a database, from its first bytes, whatever the file is called (images
 * have been seen with the file names of one backend and the contents of another after
 * conversions).
 */
export function detectRpmDb(file: Buffer): RpmDbFormat | undefined {
  if (isSqlite(file)) return 'sqlite';
  if (isNdb(file)) return 'ndb';
  if (file.length >= 16) {
    const le = file.readUInt32LE(12);
    const be = file.readUInt32BE(12);
    if (le === 0x061561 || be === 0x061561) return 'bdb';
  }
  return undefined;
}

/** Call `fn` with the fields of each header of a database of any of the three formats. */
export function forEachHeader(file: Buffer, options: RpmDbOptions, fn: (fields: HeaderFields) => void): void {
  const limits = { maxRecords: MAX_RECORDS };
  let i = 0;
  const read = (blob: Buffer) => fn(readHeader(blob, `header #${++i}`));
  switch (detectRpmDb(file)) {
    case 'bdb': return forEachBdbBlob(file, limits, read);
    case 'ndb': return forEachNdbBlob(file, limits, read);
    case 'sqlite': return forEachSqliteHeader(file, { ...limits, ...options }, fn);
    default: throw new PackageDbError('RPMDB_FORMAT', 'rpm database: not Berkeley DB, NDB or SQLite (unknown format)');
  }
}

/**
 * The installed packages of an rpm database. gpg-pubkey entries are skipped: rpm -qa lists them,
 * but they are imported signing keys stored as headers, not software (no files, no source RPM,
 * no advisories). Throws PackageDbError when the database or any header in it is corrupt: a
 * database read in part would silently hide packages from the scan.
 */
export function readRpmDb(file: Buffer, options: RpmDbOptions = {}): RawPackage[] {
  const packages: RawPackage[] = [];
  let i = 0;
  forEachHeader(file, options, (h) => {
    i++;
    const { name, version } = h;
    if (!name || version === undefined) throw new PackageDbError('RPMDB_CORRUPT', `rpm header #${i}: no NAME or VERSION`);
    if (name === 'gpg-pubkey') return;
    packages.push(toPackage({ ...h, name, version }));
  });
  return packages;
}

/**
 * version = [epoch:]version-release, the epoch only when non-zero (rpm treats a missing epoch
 * as 0, and that is how rpm -q and the advisories write it); `epoch` keeps an explicit 0.
 * The source package's version is the binary's epoch with the source RPM's version-release:
 * a source RPM's file name has no epoch, and every package built from it carries the spec's.
 */
export function toPackage(h: HeaderFields & { name: string; version: string }): RawPackage {
  const epochPrefix = h.epoch ? `${h.epoch}:` : '';
  const pkg: RawPackage = {
    manager: 'rpm',
    name: h.name,
    version: `${epochPrefix}${h.version}${h.release !== undefined ? `-${h.release}` : ''}`,
  };
  if (h.epoch !== undefined) pkg.epoch = h.epoch;
  if (h.arch) pkg.arch = h.arch;
  const src = h.sourceRpm ? parseSourceRpm(h.sourceRpm) : undefined;
  if (src) {
    pkg.sourceName = src.name;
    pkg.sourceVersion = `${epochPrefix}${src.version}-${src.release}`;
  }
  if (h.vendor) pkg.vendor = h.vendor;
  if (h.modularityLabel) pkg.modularityLabel = h.modularityLabel;
  if (h.license) pkg.licenses = [h.license];
  if (h.packager) pkg.maintainer = h.packager;
  return pkg;
}
