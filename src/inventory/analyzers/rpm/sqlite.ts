import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { PackageDbError } from '../errors.ts';

/**
 * rpm's SQLite backend (rpmdb.sqlite, Fedora 33+, RHEL 9+): table Packages(hnum INTEGER PRIMARY
 * KEY, blob BLOB), one header blob per row.
 *
 * The file is read from memory with DatabaseSync.deserialize() (Node >= 24.16). Older Nodes lack
 * it; there the bytes go to a private temporary file (0600, in a fresh 0700 directory) that is
 * removed before returning.
 *
 * A database from an image is hostile input. SQLite itself is hardened against corrupt files
 * (and runs in defensive mode here); on top of that Packages must be an ordinary table with no
 * generated columns, so reading it cannot run a view's or a generated column's code, and the row
 * count and the sum of blob sizes are bounded (blobs of live rows cannot add up to more than the
 * file: sharing overflow pages is corruption).
 */

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export function isSqlite(file: Buffer): boolean {
  return file.length >= 100 && file.subarray(0, 16).equals(SQLITE_MAGIC);
}

export interface SqliteOptions {
  maxRecords: number;
  /** Use a temporary file even when deserialize() exists (tests exercise that path with it). */
  forceTempFile?: boolean;
}

export function sqliteBlobs(file: Buffer, options: SqliteOptions): Buffer[] {
  if (!isSqlite(file)) throw corrupt('not an SQLite database (bad magic)');
  let bytes = file;
  // rpm keeps the database in WAL mode (header bytes 18 and 19 = 2). An in-memory database cannot
  // use WAL and the image's -wal file is not ours to read, so open it as a rollback-journal
  // database (1) — on a copy: the caller's buffer is not ours to change.
  if (file[18] === 2 || file[19] === 2) {
    bytes = Buffer.from(file);
    bytes[18] = 1;
    bytes[19] = 1;
  }
  const canDeserialize = typeof (DatabaseSync.prototype as { deserialize?: unknown }).deserialize === 'function';
  if (canDeserialize && !options.forceTempFile) {
    const db = new DatabaseSync(':memory:');
    try {
      db.deserialize(bytes);
      return readPackages(db, file.length, options.maxRecords);
    } catch (err) {
      throw wrap(err);
    } finally {
      db.close();
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rpmdb-'));
  try {
    const path = join(dir, 'rpmdb.sqlite');
    writeFileSync(path, bytes, { mode: 0o600 });
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return readPackages(db, file.length, options.maxRecords);
    } catch (err) {
      throw wrap(err);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readPackages(db: DatabaseSync, fileSize: number, maxRecords: number): Buffer[] {
  (db as { enableDefensive?: (on: boolean) => void }).enableDefensive?.(true);
  const table = db.prepare("SELECT type, sql FROM sqlite_master WHERE name = 'Packages'").get() as { type?: unknown; sql?: unknown } | undefined;
  if (!table) throw corrupt('no Packages table');
  if (table.type !== 'table' || typeof table.sql !== 'string' || /^\s*CREATE\s+VIRTUAL\b/i.test(table.sql)) {
    throw corrupt('Packages is not an ordinary table');
  }
  const columns = db.prepare('PRAGMA table_xinfo(Packages)').all() as { name?: unknown; hidden?: unknown }[];
  if (columns.some((c) => c.hidden !== 0)) throw corrupt('Packages has generated or hidden columns');
  const names = new Set(columns.map((c) => c.name));
  if (!names.has('hnum') || !names.has('blob')) throw corrupt('Packages has no hnum/blob columns');

  const blobs: Buffer[] = [];
  let total = 0;
  const stmt = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum');
  for (const row of stmt.iterate() as Iterable<{ hnum: unknown; blob: unknown }>) {
    if (!(row.blob instanceof Uint8Array)) throw corrupt(`package ${String(row.hnum)}: blob is not a BLOB`);
    total += row.blob.byteLength;
    if (total > fileSize) throw corrupt('blobs add up to more than the file');
    blobs.push(Buffer.from(row.blob.buffer, row.blob.byteOffset, row.blob.byteLength));
    if (blobs.length > maxRecords) throw new PackageDbError('RPMDB_LIMIT', `rpmdb.sqlite: more than ${maxRecords} packages`);
  }
  return blobs;
}

function wrap(err: unknown): PackageDbError {
  if (err instanceof PackageDbError) return err;
  return corrupt(err instanceof Error ? err.message : String(err));
}

function corrupt(why: string): PackageDbError {
  return new PackageDbError('RPMDB_CORRUPT', `rpmdb.sqlite: ${why}`);
}
