import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { PackageDbError } from '../errors.ts';
import { NeedWholeBlob, readHeader } from './header.ts';
import type { HeaderFields } from './header.ts';

/**
 * rpm's SQLite backend (rpmdb.sqlite, Fedora 33+, RHEL 9+): table Packages(hnum INTEGER PRIMARY
 * KEY, blob BLOB), one header blob per row.
 *
 * The file is read from memory with DatabaseSync.deserialize() (Node >= 24.16). Older Nodes lack
 * it; there the bytes go to a private temporary file (0600, in a fresh 0700 directory from
 * mkdtemp) that is removed before returning.
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

/**
 * Call `fn` with the fields of each header, in hnum order.
 *
 * Only the bytes needed are copied out of SQLite: the first PREFIX bytes of each header (its
 * index and, mostly, the strings we read), then any field that lies further in on its own. The
 * file lists that make big headers big are never copied; copying every blob whole cost more
 * than everything else together.
 */
export function forEachSqliteHeader(file: Buffer, options: SqliteOptions, fn: (fields: HeaderFields) => void): void {
  checkSize(file);
  const canDeserialize = typeof (DatabaseSync.prototype as { deserialize?: unknown }).deserialize === 'function';
  if (canDeserialize && !options.forceTempFile) {
    const db = new DatabaseSync(':memory:');
    try {
      // deserialize() copies the bytes into SQLite, so the journal-mode patch is applied to the
      // caller's buffer only for the duration of the (synchronous) call and undone at once:
      // cheaper than copying a 100 MB database first.
      withRollbackJournal(file, () => db.deserialize(file));
      readPackages(db, file.length, options.maxRecords, fn);
    } catch (err) {
      throw wrap(err);
    } finally {
      db.close();
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rpmdb-'));
  try {
    const path = join(dir, 'rpmdb.sqlite');
    withRollbackJournal(file, () => writeFileSync(path, file, { mode: 0o600 }));
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      readPackages(db, file.length, options.maxRecords, fn);
    } catch (err) {
      throw wrap(err);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A truncated database can still open and read short, silently; the file header says how big it
 * is (page size at 16, big-endian, 1 meaning 65536; page count at 28, valid when the change
 * counter at 24 equals the one at 92), so check before opening.
 */
function checkSize(file: Buffer): void {
  if (!isSqlite(file)) throw corrupt('not an SQLite database (bad magic)');
  const raw = file.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(`page size ${raw} is invalid`);
  if (file.length % pageSize !== 0) throw corrupt(`${file.length} bytes is not a whole number of ${pageSize}-byte pages (truncated)`);
  const pages = file.readUInt32BE(28);
  if (pages !== 0 && file.readUInt32BE(24) === file.readUInt32BE(92) && pages * pageSize > file.length) {
    throw corrupt(`truncated: ${pages} pages of ${pageSize} bytes need ${pages * pageSize} bytes, file has ${file.length}`);
  }
}

/**
 * rpm keeps its database in WAL mode (header bytes 18 and 19 = 2). An in-memory database cannot
 * use WAL, and the image's -wal file is not ours to read (rpm checkpoints it on close), so the
 * database is opened as a rollback-journal one (1). `use` must copy the bytes synchronously.
 */
function withRollbackJournal(file: Buffer, use: () => void): void {
  const write = file[18]!;
  const read = file[19]!;
  if (write !== 2 && read !== 2) return use();
  file[18] = 1;
  file[19] = 1;
  try {
    use();
  } finally {
    file[18] = write;
    file[19] = read;
  }
}

const PREFIX = 16 * 1024;

function readPackages(db: DatabaseSync, fileSize: number, maxRecords: number, fn: (fields: HeaderFields) => void): void {
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

  let total = 0;
  let records = 0;
  const rows = db.prepare(`SELECT hnum, typeof(blob) AS type, length(blob) AS size, substr(blob, 1, ${PREFIX}) AS head FROM Packages ORDER BY hnum`);
  const whole = db.prepare('SELECT blob FROM Packages WHERE hnum = ?');
  const part = db.prepare('SELECT substr(blob, ?, ?) AS bytes FROM Packages WHERE hnum = ?');
  const blobOf = (v: unknown, hnum: unknown) => {
    if (!(v instanceof Uint8Array)) throw corrupt(`package ${String(hnum)}: blob is not a BLOB`);
    return asBuffer(v);
  };
  for (const row of rows.iterate() as Iterable<{ hnum: unknown; type: unknown; size: unknown; head: unknown }>) {
    if (row.type !== 'blob' || !(row.head instanceof Uint8Array) || typeof row.size !== 'number') {
      throw corrupt(`package ${String(row.hnum)}: blob is not a BLOB`);
    }
    total += row.size;
    if (total > fileSize) throw corrupt('blobs add up to more than the file');
    if (++records > maxRecords) throw new PackageDbError('RPMDB_LIMIT', `rpmdb.sqlite: more than ${maxRecords} packages`);
    const what = `header #${records}`;
    const hnum = row.hnum as number;
    const head = asBuffer(row.head);
    let fields: HeaderFields;
    try {
      fields = head.length === row.size ? readHeader(head, what) : readHeader(head, what, {
        length: row.size,
        fetch: (offset, length) => blobOf((part.get(offset + 1, length, hnum) as { bytes?: unknown } | undefined)?.bytes, hnum),
      });
    } catch (err) {
      if (!(err instanceof NeedWholeBlob)) throw err;
      fields = readHeader(blobOf((whole.get(hnum) as { blob?: unknown } | undefined)?.blob, hnum), what);
    }
    fn(fields);
  }
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function wrap(err: unknown): PackageDbError {
  if (err instanceof PackageDbError) return err;
  return corrupt(err instanceof Error ? err.message : String(err));
}

function corrupt(why: string): PackageDbError {
  return new PackageDbError('RPMDB_CORRUPT', `rpmdb.sqlite: ${why}`);
}
