/**
 * Header blobs laid out on purpose (rpm's own headers are checked in rpmdb.test.ts): fields far
 * into a big header, read from SQLite without copying the header whole; entries that replace
 * earlier ones; every tag type we accept or refuse.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { PackageDbError } from '../errors.ts';
import { readHeader, TAG } from './header.ts';
import { readRpmDb } from './rpmdb.ts';

type Value = string | string[] | number | Buffer;
interface Entry {
  tag: number;
  type: number;
  value: Value;
}

const str = (tag: number, value: string): Entry => ({ tag, type: 6, value });

/** A header blob with the entries' data in the order given (rpm's layout rules, big-endian). */
function headerBlob(entries: Entry[]): Buffer {
  const data: Buffer[] = [];
  let size = 0;
  const index = Buffer.alloc(entries.length * 16);
  entries.forEach((e, i) => {
    let bytes: Buffer;
    let count = 1;
    if (e.type === 4) {
      // int32s are 4-byte aligned in the data store
      const pad = (4 - (size % 4)) % 4;
      if (pad) {
        data.push(Buffer.alloc(pad));
        size += pad;
      }
      bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(e.value as number);
    } else if (e.type === 7) {
      bytes = e.value as Buffer;
      count = bytes.length;
    } else if (Array.isArray(e.value)) {
      bytes = Buffer.concat(e.value.map((v) => Buffer.from(`${v}\0`)));
      count = e.value.length;
    } else {
      bytes = Buffer.from(`${e.value as string}\0`);
    }
    index.writeInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.type, i * 16 + 4);
    index.writeInt32BE(size, i * 16 + 8);
    index.writeUInt32BE(count, i * 16 + 12);
    data.push(bytes);
    size += bytes.length;
  });
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(size, 4);
  return Buffer.concat([head, index, ...data]);
}

function sqliteWith(blobs: Buffer[]): Buffer {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const b of blobs) insert.run(b);
  const out = Buffer.from(db.serialize());
  db.close();
  return out;
}

const BASE = [str(TAG.NAME, 'bash'), str(TAG.VERSION, '5.2.26'), str(TAG.RELEASE, '1.el10')];
/** A big binary entry, like the file digests and names of a large package. */
const FILLER: Entry = { tag: 1117, type: 7, value: Buffer.alloc(300_000, 0x61) };

describe('rpm header blobs', () => {
  test('fields far into a big header, read from SQLite: after the prefix, and longer than a fetched string', () => {
    const longLicense = `GPL-3.0-or-later AND ${'MIT AND '.repeat(10_000)}BSD-3-Clause`; // ~80 KB
    const blobs = [
      headerBlob([...BASE, FILLER, { tag: TAG.EPOCH, type: 4, value: 7 }, str(TAG.ARCH, 'x86_64'), str(TAG.SOURCERPM, 'bash-5.2.26-1.el10.src.rpm')]),
      headerBlob([str(TAG.NAME, 'big-license'), str(TAG.VERSION, '1'), str(TAG.RELEASE, '2'), FILLER, str(TAG.LICENSE, longLicense)]),
      headerBlob([...BASE.map((e) => (e.tag === TAG.NAME ? str(TAG.NAME, 'small') : e)), str(TAG.MODULARITYLABEL, 'perl:5.32:8040020210602:f0cd2faa')]),
    ];
    const expected = [
      { manager: 'rpm', name: 'bash', version: '7:5.2.26-1.el10', epoch: 7, arch: 'x86_64', sourceName: 'bash', sourceVersion: '7:5.2.26-1.el10' },
      { manager: 'rpm', name: 'big-license', version: '1-2', licenses: [longLicense] },
      { manager: 'rpm', name: 'small', version: '5.2.26-1.el10', modularityLabel: 'perl:5.32:8040020210602:f0cd2faa' },
    ];
    assert.deepEqual(readRpmDb(sqliteWith(blobs)), expected);
    // The same headers read whole, as the other formats do.
    assert.equal(readHeader(blobs[0]!, 'x').epoch, 7);
    assert.equal(readHeader(blobs[0]!, 'x').sourceRpm, 'bash-5.2.26-1.el10.src.rpm');
    assert.equal(readHeader(blobs[1]!, 'x').license, longLicense);
  });

  test('entries after the immutable region replace earlier ones (rpm appends changed tags)', () => {
    const h = readHeader(headerBlob([...BASE, str(TAG.ARCH, 'i686'), str(TAG.ARCH, 'x86_64')]), 'x');
    assert.equal(h.arch, 'x86_64');
  });

  test('I18N strings and string arrays give their first value', () => {
    const h = readHeader(headerBlob([...BASE, { tag: TAG.VENDOR, type: 9, value: ['Example, Inc.', 'Exemple SA'] }, { tag: TAG.LICENSE, type: 8, value: ['MIT', 'BSD'] }]), 'x');
    assert.equal(h.vendor, 'Example, Inc.');
    assert.equal(h.license, 'MIT');
  });

  test('refused: wrong types, values out of the data store, missing NAME', () => {
    const bad = [
      headerBlob([...BASE, { tag: TAG.EPOCH, type: 6, value: '1' }]),
      headerBlob([...BASE, { tag: TAG.NAME, type: 4, value: 1 }]),
      headerBlob([...BASE, { tag: TAG.ARCH, type: 7, value: Buffer.from('x86_64') }]),
    ];
    for (const b of bad) assert.throws(() => readHeader(b, 'x'), PackageDbError);
    assert.throws(() => readRpmDb(sqliteWith([headerBlob([str(TAG.VERSION, '1'), str(TAG.RELEASE, '1')])])), /no NAME/);
    // EPOCH as the last bytes of the data store, cut short by one byte.
    const epochLast = headerBlob([...BASE, { tag: TAG.EPOCH, type: 4, value: 1 }]);
    const cut = Buffer.from(epochLast.subarray(0, epochLast.length - 1));
    cut.writeUInt32BE(epochLast.readUInt32BE(4) - 1, 4);
    assert.throws(() => readHeader(cut, 'x'), /EPOCH is not an int32/);
  });

  test('gpg-pubkey headers are not packages', () => {
    const key = headerBlob([str(TAG.NAME, 'gpg-pubkey'), str(TAG.VERSION, '8783d481'), str(TAG.RELEASE, '63ceb953')]);
    assert.deepEqual(readRpmDb(sqliteWith([key, headerBlob(BASE)])).map((p) => p.name), ['bash']);
  });
});
