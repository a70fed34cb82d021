/**
 * rpm databases made and read by rpm itself (Debian's rpm 4.18: it writes SQLite; it reads
 * Berkeley DB with its bdb_ro backend; it has no NDB), compared with what we read; plus
 * performance on large databases and hostile inputs of every format.
 *
 * Packages are built once per run with rpmbuild (noarch, uncompressed payload, no post-install
 * scripts, so the builds take well under a second).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { needs } from '../../../../test/tools.ts';
import type { RawPackage } from '../../types.ts';
import { PackageDbError } from '../errors.ts';
import { rpmAnalyzer } from './analyzer.ts';
import { parseSourceRpm, readHeader } from './header.ts';
import { detectRpmDb, readRpmDb } from './rpmdb.ts';

const RPM_FIXTURES = fileURLToPath(new URL('../../../../../shared/data/pkgdb/rpm/', import.meta.url));
const BDB_FIXTURES = ['go-rpmdb-libuuid-bdb', 'syft-dive-bdb'].map((f) => join(RPM_FIXTURES, f, 'input/var/lib/rpm/Packages'));
const NDB_FIXTURE = join(RPM_FIXTURES, 'snyk-sles-ndb/input/usr/lib/sysimage/rpm/Packages.db');

// --- what rpm says --------------------------------------------------------------------------

/** One line per package, the same fields for rpm's view and ours. */
const QUERY_FORMAT = [
  '%{NAME}', '%|EPOCH?{%{EPOCH}}:{}|', '%{VERSION}', '%{RELEASE}', '%{ARCH}', '%{SOURCERPM}',
  '%|VENDOR?{%{VENDOR}}:{}|', '%|MODULARITYLABEL?{%{MODULARITYLABEL}}:{}|', '%{LICENSE}',
].join('\t') + '\n';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** rpm -qa over a database directory, gpg-pubkey entries apart. */
function rpmQa(dbDir: string, backend?: string): { lines: string[]; pubkeys: number } {
  const args = ['--dbpath', dbDir, ...(backend ? ['--define', `_db_backend ${backend}`] : []), '-qa', '--qf', QUERY_FORMAT];
  const rows = run('rpm', args).split('\n').filter(Boolean);
  const pubkeys = rows.filter((r) => r.startsWith('gpg-pubkey\t')).length;
  const lines = rows.filter((r) => !r.startsWith('gpg-pubkey\t')).map((r) => {
    const [name, epoch, version, release, arch, srpm, vendor, label, license] = r.split('\t');
    // rpm writes [epoch:]version-release without a zero epoch, and so do we.
    const full = `${epoch && epoch !== '0' ? `${epoch}:` : ''}${version}-${release}`;
    return [name, epoch, full, arch, srpm, vendor, label, license].join('\t');
  });
  return { lines: lines.sort(), pubkeys };
}

function ourLines(pkgs: RawPackage[]): string[] {
  return pkgs.map((p) => {
    const srcVersion = p.sourceVersion?.replace(/^\d+:/, '');
    const srpm = p.sourceName ? `${p.sourceName}-${srcVersion}.src.rpm` : '(none)';
    return [p.name, p.epoch ?? '', p.version, p.arch ?? '(none)', srpm, p.vendor ?? '', p.modularityLabel ?? '', p.licenses?.join(' ') ?? '(none)'].join('\t');
  }).sort();
}

// --- building packages ------------------------------------------------------------------------

const SPECS: Record<string, { spec: string; defines?: string[] }> = {
  // Epoch, ~ and ^ in the version, a subpackage named unlike its source RPM, vendor, packager,
  // a modularity label (rpmbuild takes it from the %modularitylabel macro).
  main: {
    defines: ['modularitylabel pcmod:1.2:20240101:abcdef01'],
    spec: `Name: pc-main
Epoch: 2
Version: 1.2~rc1^git5
Release: 3.el9
Summary: main
License: MIT AND Apache-2.0
Vendor: Portcullis Test Vendor
Packager: Portcullis QA <qa@example.org>
BuildArch: noarch
%description
main
%package -n libpcdemo
Summary: lib
%description -n libpcdemo
lib
%files
%files -n libpcdemo
`,
  },
  // An explicit Epoch: 0, a version with + and _.
  zero: {
    spec: `Name: pc-zero
Epoch: 0
Version: 4.5+dfsg_1
Release: 1.fc40
Summary: zero
License: GPL-2.0-or-later
BuildArch: noarch
%description
zero
%files
`,
  },
  // 3,000 files: a header of ~450 KB, the size of big real packages' headers.
  big: {
    spec: `Name: pc-bigfiles
Version: 1.0
Release: 1
Summary: many files
License: MIT
BuildArch: noarch
%description
many files
%install
mkdir -p %{buildroot}/usr/share/pc-bigfiles
for i in $(seq 1 3000); do : > %{buildroot}/usr/share/pc-bigfiles/file-with-a-longish-name-$i.txt; done
%files
/usr/share/pc-bigfiles
`,
  },
};

/** An ASCII-armoured copy of a binary OpenPGP key (RFC 4880 §6), so rpm --import needs no gpg. */
function armor(binary: Buffer): string {
  let crc = 0xb704ce;
  for (const b of binary) {
    crc ^= b << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  crc &= 0xffffff;
  const sum = Buffer.from([crc >> 16, (crc >> 8) & 0xff, crc & 0xff]).toString('base64');
  const body = binary.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${body}\n=${sum}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
}

const SIGNING_KEY = '/usr/share/keyrings/debian-archive-bookworm-stable.gpg';

const skipPubkey = (() => {
  try {
    readFileSync(SIGNING_KEY);
    return false;
  } catch {
    return true;
  }
})();

const skipRpm = needs('rpm', 'rpmbuild');
let work = '';
/** The SQLite database rpm wrote with every package built here (and a signing key). */
let sqliteDir = '';
/** Header blobs of that database, read with node:sqlite directly (not with our reader). */
let realBlobs: Buffer[] = [];

function buildAll(): void {
  work = mkdtempSync(join(tmpdir(), 'portcullis-rpmtest-'));
  const top = join(work, 'top');
  for (const [name, { spec, defines = [] }] of Object.entries(SPECS)) {
    const specFile = join(work, `${name}.spec`);
    writeFileSync(specFile, spec);
    const d = ['_topdir ' + top, '_binary_payload w.ufdio', '__os_install_post %{nil}', '_build_id_links none', ...defines];
    run('rpmbuild', ['-bb', '--quiet', ...d.flatMap((x) => ['--define', x]), specFile]);
  }
  const rpms = readdirSync(join(top, 'RPMS/noarch')).map((f) => join(top, 'RPMS/noarch', f));
  sqliteDir = join(work, 'sqlite');
  mkdirSync(sqliteDir);
  const sqlite = ['--dbpath', sqliteDir, '--define', '_db_backend sqlite'];
  try {
    writeFileSync(join(work, 'key.asc'), armor(readFileSync(SIGNING_KEY)));
    run('rpm', [...sqlite, '--import', join(work, 'key.asc')]);
  } catch {
    // No Debian keyring on this machine: the gpg-pubkey check below says so.
  }
  run('rpm', [...sqlite, '--justdb', '--nodeps', '--noscripts', '--ignorearch', '--ignoreos', '-i', ...rpms]);
  realBlobs = sqliteRows(readFileSync(join(sqliteDir, 'rpmdb.sqlite')));
}

/** The blobs of an rpmdb.sqlite, straight from SQLite. */
function sqliteRows(file: Buffer): Buffer[] {
  const copy = Buffer.from(file);
  copy[18] = 1; // WAL → rollback journal, for an in-memory copy
  copy[19] = 1;
  const db = new DatabaseSync(':memory:');
  db.deserialize(copy);
  const rows = db.prepare('SELECT blob FROM Packages ORDER BY hnum').all() as { blob: Uint8Array }[];
  db.close();
  return rows.map((r) => Buffer.from(r.blob));
}

// --- writing Berkeley DB and NDB files (for sizes and faults rpm here cannot produce) -----------

interface BdbOptions {
  pageSize?: number;
  bigEndian?: boolean;
  /** Put blobs up to this size on the hash page itself (H_KEYDATA) instead of overflow pages. */
  inlineUpTo?: number;
}

/**
 * A Berkeley DB hash file as rpm's Packages: one bucket (max_bucket 0, so every key hashes to
 * page 1 and the bucket chain holds all items), keys 1..n, each value inline or on a chain of
 * overflow pages. Checked against rpm's own bdb_ro reader below.
 */
function buildBdb(blobs: Buffer[], o: BdbOptions = {}): { file: Buffer; overflowStarts: number[] } {
  const ps = o.pageSize ?? 4096;
  const le = !o.bigEndian;
  const pages: Buffer[] = [];
  const newPage = (type: number): number => {
    const p = Buffer.alloc(ps);
    p[25] = type;
    pages.push(p);
    const no = pages.length - 1;
    w32(p, 8, no);
    return no;
  };
  const w32 = (b: Buffer, at: number, v: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  const w16 = (b: Buffer, at: number, v: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));

  newPage(8); // metadata, filled in at the end
  type Item = Buffer;
  const items: Item[] = [];
  const overflowStarts: number[] = [];
  blobs.forEach((blob, i) => {
    const key = Buffer.alloc(5);
    key[0] = 1;
    w32(key, 1, i + 1);
    let data: Buffer;
    if (blob.length + 1 <= (o.inlineUpTo ?? 0)) {
      data = Buffer.concat([Buffer.from([1]), blob]);
    } else {
      data = Buffer.alloc(12);
      data[0] = 3;
      const cap = ps - 26;
      let first = 0;
      let prev = 0;
      for (let off = 0; off < blob.length; off += cap) {
        const no = newPage(7);
        const page = pages[no]!;
        const chunk = blob.subarray(off, off + cap);
        chunk.copy(page, 26);
        w16(page, 20, 1); // reference count
        w16(page, 22, chunk.length);
        w32(page, 12, prev);
        if (prev) w32(pages[prev]!, 16, no);
        else first = no;
        prev = no;
      }
      w32(data, 4, first);
      w32(data, 8, blob.length);
      overflowStarts.push(first);
    }
    items.push(key, data);
  });

  // Hash pages: a chain from page 1 onwards, items packed from the end of each page down.
  let page = -1;
  let used = 0;
  let entries = 0;
  let prevHash = 0;
  const hashPages: number[] = [];
  const startPage = () => {
    page = newPage(13);
    hashPages.push(page);
    if (prevHash) {
      w32(pages[prevHash]!, 16, page);
      w32(pages[page]!, 12, prevHash);
    }
    prevHash = page;
    used = ps;
    entries = 0;
  };
  // Page 1 must be the bucket's first page: take it before any overflow page is allocated.
  // (Overflow pages were allocated above; move the bucket to the end and point spares at it.)
  for (let i = 0; i < items.length; i += 2) {
    const pair = items[i]!.length + items[i + 1]!.length;
    if (page < 0 || 26 + (entries + 2) * 2 > used - pair) startPage();
    for (const item of [items[i]!, items[i + 1]!]) {
      used -= item.length;
      item.copy(pages[page]!, used);
      w16(pages[page]!, 26 + entries * 2, used);
      entries++;
    }
    w16(pages[page]!, 20, entries);
    w16(pages[page]!, 22, used);
  }
  if (page < 0) startPage();

  const meta = pages[0]!;
  w32(meta, 12, 0x061561);
  w32(meta, 16, 9); // hash format version
  w32(meta, 20, ps);
  w32(meta, 32, pages.length - 1); // last page
  w32(meta, 40, blobs.length); // key count
  w32(meta, 44, blobs.length); // record count
  w32(meta, 72, 0); // max bucket
  w32(meta, 76, 0); // high mask
  w32(meta, 80, 0); // low mask
  w32(meta, 84, 0); // fill factor
  w32(meta, 88, blobs.length);
  // Bucket 0 lives at page 0 + spares[0].
  w32(meta, 96, hashPages[0]!);
  return { file: Buffer.concat(pages), overflowStarts };
}

/** An NDB Packages.db holding `blobs` (slot pages, then each blob in 16-byte blocks). */
function buildNdb(blobs: Buffer[]): Buffer {
  const slotPages = Math.max(1, Math.ceil((blobs.length + 2) / 256));
  const head = Buffer.alloc(slotPages * 4096);
  head.writeUInt32LE(0x506d7052, 0);
  head.writeUInt32LE(0, 4);
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(slotPages, 12);
  for (let at = 32; at < head.length; at += 16) head.writeUInt32LE(0x746f6c53, at);
  const parts: Buffer[] = [head];
  let offset = head.length;
  blobs.forEach((blob, i) => {
    const size = Math.ceil((16 + blob.length + 12) / 16) * 16;
    const b = Buffer.alloc(size);
    b.writeUInt32LE(0x53626c42, 0);
    b.writeUInt32LE(i + 1, 4);
    b.writeUInt32LE(1, 8);
    b.writeUInt32LE(blob.length, 12);
    blob.copy(b, 16);
    b.writeUInt32LE(0x45626c42, 16 + blob.length); // tail "BlbE"
    b.writeUInt32LE(blob.length, 16 + blob.length + 8);
    const slot = 32 + i * 16;
    head.writeUInt32LE(i + 1, slot + 4);
    head.writeUInt32LE(offset / 16, slot + 8);
    head.writeUInt32LE(size / 16, slot + 12);
    parts.push(b);
    offset += size;
  });
  return Buffer.concat(parts);
}

function buildSqlite(blobs: Buffer[]): Buffer {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const b of blobs) insert.run(b);
  const out = Buffer.from(db.serialize());
  db.close();
  return out;
}

/** Header blobs with a new NAME each (same length, so the header stays valid). */
function renamedCopies(blob: Buffer, n: number): Buffer[] {
  const name = readHeader(blob, 'template').name!;
  const at = blob.indexOf(Buffer.from(`${name}\0`));
  return Array.from({ length: n }, (_, i) => {
    const b = Buffer.from(blob);
    b.write(`${name.slice(0, -4)}${String(i).padStart(4, '0')}`, at, 'latin1');
    return b;
  });
}

function dbDirWith(file: Buffer, name: string): string {
  const dir = mkdtempSync(join(work, 'db-'));
  writeFileSync(join(dir, name), file);
  return dir;
}

// --- tests -----------------------------------------------------------------------------------

describe('rpm databases written and read by rpm', { skip: skipRpm }, () => {
  before(buildAll);
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('SQLite: rpmdb.sqlite equals rpm -qa (gpg-pubkey entries apart)', () => {
    const expected = rpmQa(sqliteDir);
    const ours = readRpmDb(readFileSync(join(sqliteDir, 'rpmdb.sqlite')));
    assert.deepEqual(ourLines(ours), expected.lines);
    assert.equal(expected.lines.length, 4);
    if (skipPubkey) return;
    // rpm -qa lists the imported key as a package; it is not software, so we leave it out.
    assert.equal(expected.pubkeys, 1);
    assert.equal(realBlobs.length, 5);
  });

  test('SQLite: the fields the inventory uses, spelled out', () => {
    const ours = readRpmDb(readFileSync(join(sqliteDir, 'rpmdb.sqlite')));
    const lib = ours.find((p) => p.name === 'libpcdemo');
    assert.deepEqual(lib, {
      manager: 'rpm', name: 'libpcdemo', version: '2:1.2~rc1^git5-3.el9', epoch: 2, arch: 'noarch',
      sourceName: 'pc-main', sourceVersion: '2:1.2~rc1^git5-3.el9', vendor: 'Portcullis Test Vendor',
      modularityLabel: 'pcmod:1.2:20240101:abcdef01', licenses: ['MIT AND Apache-2.0'], maintainer: 'Portcullis QA <qa@example.org>',
    });
    const zero = ours.find((p) => p.name === 'pc-zero');
    assert.equal(zero?.version, '4.5+dfsg_1-1.fc40');
    assert.equal(zero?.epoch, 0);
  });

  test('SQLite through a temporary file (Node without deserialize) gives the same and leaves nothing behind', () => {
    const file = readFileSync(join(sqliteDir, 'rpmdb.sqlite'));
    const mine = () => new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('portcullis-rpmdb-')));
    const before = mine();
    assert.deepEqual(readRpmDb(file, { forceTempFile: true }), readRpmDb(file));
    assert.deepEqual(mine(), before);
  });

  test('the analyzer reads rpm databases at both locations, whatever backend wrote them', () => {
    const file = readFileSync(join(sqliteDir, 'rpmdb.sqlite'));
    for (const dir of ['var/lib/rpm/', 'usr/lib/sysimage/rpm/']) {
      for (const name of ['Packages', 'Packages.db', 'rpmdb.sqlite']) assert.equal(rpmAnalyzer.wants(dir + name), true, dir + name);
    }
    for (const p of ['var/lib/rpm/Name', 'var/lib/rpm/rpmdb.sqlite-wal', 'usr/share/rpm/Packages', 'rpm/Packages']) assert.equal(rpmAnalyzer.wants(p), false, p);
    assert.equal(rpmAnalyzer.analyze('var/lib/rpm/Packages', file).packages?.length, 4);
  });

  for (const fixture of BDB_FIXTURES) {
    const name = fixture.split('/').at(-5);
    test(`Berkeley DB fixture ${name} equals rpm -qa (bdb_ro), and rpm's conversion to SQLite reads the same`, () => {
      const dir = mkdtempSync(join(work, 'bdb-'));
      copyFileSync(fixture, join(dir, 'Packages'));
      const expected = rpmQa(dir, 'bdb_ro').lines;
      assert.ok(expected.length > 0);
      assert.deepEqual(ourLines(readRpmDb(readFileSync(fixture))), expected);
      run('rpm', ['--dbpath', dir, '--define', '_db_backend sqlite', '--rebuilddb']);
      assert.deepEqual(ourLines(readRpmDb(readFileSync(join(dir, 'rpmdb.sqlite')))), expected);
    });
  }

  test('a Berkeley DB written here from real headers reads the same in rpm (bdb_ro) and in ours', () => {
    const expected = rpmQa(sqliteDir).lines;
    for (const o of [{}, { bigEndian: true }, { pageSize: 16384, inlineUpTo: 4000 }, { pageSize: 512 }] as BdbOptions[]) {
      const { file } = buildBdb(realBlobs, o);
      assert.equal(detectRpmDb(file), 'bdb');
      const dir = dbDirWith(file, 'Packages');
      assert.deepEqual(rpmQa(dir, 'bdb_ro').lines, expected, `rpm reads the file written with ${JSON.stringify(o)}`);
      assert.deepEqual(ourLines(readRpmDb(file)), expected, `we read the file written with ${JSON.stringify(o)}`);
    }
  });

  test('NDB: the SLES fixture, and an NDB written here from real headers', () => {
    assert.deepEqual(readRpmDb(readFileSync(NDB_FIXTURE)).map((p) => `${p.name}-${p.version}.${p.arch}`).sort(),
      ['filesystem-15.0-11.8.1.x86_64', 'glibc-2.31-150300.63.1.x86_64', 'system-user-root-20190513-3.3.1.noarch']);
    const ndb = buildNdb(realBlobs);
    assert.equal(detectRpmDb(ndb), 'ndb');
    assert.deepEqual(ourLines(readRpmDb(ndb)), rpmQa(sqliteDir).lines);
  });

  // Large databases read completely in every format (their speed: bench/analyzers.ts measures
  // the parsers on the same kind of input).
  describe('large databases are read completely', () => {
    /** ~90 MB of headers: 200 packages of 3,000 files each. */
    const big = () => renamedCopies(realBlobs.find((b) => b.length > 100_000)!, 200);
    const read = (file: Buffer) => {
      const t0 = performance.now();
      const pkgs = readRpmDb(file);
      return { ms: performance.now() - t0, pkgs };
    };
    for (const [format, build] of [['bdb', (b: Buffer[]) => buildBdb(b).file], ['ndb', buildNdb], ['sqlite', buildSqlite]] as const) {
      test(format, () => {
        const file = build(big());
        assert.ok(file.length > 80e6, `${file.length} bytes`);
        const { ms, pkgs } = read(file);
        assert.equal(pkgs.length, 200);
        assert.equal(new Set(pkgs.map((p) => p.name)).size, 200);
        // A hang guard, not a speed test.
        assert.ok(ms < 30_000, `${format}: ${(file.length / 1e6).toFixed(0)} MB in ${ms.toFixed(0)} ms`);
      });
    }
  });

  describe('hostile and corrupt databases: a PackageDbError or a result, never a crash or a hang', () => {
    const isDbError = (err: unknown) => {
      assert.ok(err instanceof PackageDbError, `not a PackageDbError: ${String(err)}`);
      return true;
    };
    const survives = (file: Buffer) => {
      try {
        readRpmDb(file);
      } catch (err) {
        isDbError(err);
      }
    };

    test('truncated files of each format', () => {
      const files = [buildBdb(realBlobs).file, buildNdb(realBlobs), readFileSync(join(sqliteDir, 'rpmdb.sqlite')), ...BDB_FIXTURES.map((f) => readFileSync(f)), readFileSync(NDB_FIXTURE)];
      for (const file of files) {
        for (const len of [0, 1, 15, 16, 31, 100, 511, 512, 4095, 4096, 4097, file.length >> 1, file.length - 4096, file.length - 1]) {
          if (len < 0 || len >= file.length) continue;
          assert.throws(() => readRpmDb(file.subarray(0, len)), isDbError, `cut at ${len} of ${file.length}`);
        }
      }
    });

    test('garbage and unknown formats', () => {
      assert.throws(() => readRpmDb(Buffer.alloc(0)), isDbError);
      assert.throws(() => readRpmDb(Buffer.from('not a database at all, just some text\n'.repeat(100))), isDbError);
      const rnd = Buffer.alloc(1 << 20);
      let x = 1;
      for (let i = 0; i < rnd.length; i++) rnd[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      assert.throws(() => readRpmDb(rnd), isDbError);
      for (const magic of [[0x52, 0x70, 0x6d, 0x50], [...Buffer.from('SQLite format 3\0')]]) {
        const f = Buffer.from(rnd);
        Buffer.from(magic).copy(f, 0);
        assert.throws(() => readRpmDb(f), isDbError);
      }
      const bdbish = Buffer.from(rnd);
      bdbish.writeUInt32LE(0x061561, 12);
      assert.throws(() => readRpmDb(bdbish), isDbError);
    });

    test('absurd counts, sizes and offsets in Berkeley DB metadata', () => {
      const { file } = buildBdb(realBlobs);
      const mutate = (at: number, v: number, size = 4) => {
        const f = Buffer.from(file);
        if (size === 4) f.writeUInt32LE(v, at);
        else if (size === 2) f.writeUInt16LE(v, at);
        else f[at] = v;
        return f;
      };
      assert.throws(() => readRpmDb(mutate(32, 0xffffffff)), isDbError); // last page
      assert.throws(() => readRpmDb(mutate(20, 3000)), isDbError); // page size, not a power of two
      assert.throws(() => readRpmDb(mutate(20, 1 << 20)), isDbError); // page size, too large
      assert.throws(() => readRpmDb(mutate(24, 1, 1)), /encrypted/); // encryption
      const firstHash = file.readUInt32LE(96) * 4096;
      assert.throws(() => readRpmDb(mutate(firstHash + 20, 0xfffe, 2)), isDbError); // entry count
      assert.throws(() => readRpmDb(mutate(firstHash + 26, 3, 2)), isDbError); // item offset inside the header
      const item = file.readUInt16LE(firstHash + 28);
      assert.throws(() => readRpmDb(mutate(firstHash + item + 4, 0x7fffffff)), isDbError); // overflow page number
      assert.throws(() => readRpmDb(mutate(firstHash + item + 8, 0xffffffff)), isDbError); // total length
    });

    test('cyclic and shared overflow chains stop at once', () => {
      const { file, overflowStarts } = buildBdb(realBlobs);
      const big = overflowStarts.find((p) => file.readUInt32LE(p * 4096 + 16) !== 0)!;
      // A page that points back to itself, then to the chain's start from further down.
      const selfLoop = Buffer.from(file);
      selfLoop.writeUInt32LE(big, big * 4096 + 16);
      const t0 = performance.now();
      assert.throws(() => readRpmDb(selfLoop), /used twice/);
      let last = big;
      while (file.readUInt32LE(last * 4096 + 16) !== 0) last = file.readUInt32LE(last * 4096 + 16);
      const longLoop = Buffer.from(file);
      longLoop.writeUInt32LE(big, last * 4096 + 16);
      longLoop.writeUInt16LE(1, last * 4096 + 22); // and too short, so the chain never ends by length
      assert.throws(() => readRpmDb(longLoop), /used twice/);
      // Every item pointing at the same (valid) chain: would copy it once per item.
      const shared = Buffer.from(file);
      const firstHash = file.readUInt32LE(96) * 4096;
      const n = file.readUInt16LE(firstHash + 20);
      const items = Array.from({ length: n / 2 }, (_, k) => firstHash + file.readUInt16LE(firstHash + 26 + (2 * k + 1) * 2));
      const bigItem = items.find((at) => file.readUInt32LE(at + 4) === big)!;
      for (const at of items) file.copy(shared, at + 4, bigItem + 4, bigItem + 12);
      assert.throws(() => readRpmDb(shared), /used twice/);
      assert.ok(performance.now() - t0 < 10_000); // a hang guard, not a speed test
    });

    test('absurd NDB slot tables: huge page counts, blobs out of range, overlapping blobs', () => {
      const ndb = buildNdb(realBlobs);
      const with32 = (at: number, v: number) => {
        const f = Buffer.from(ndb);
        f.writeUInt32LE(v, at);
        return f;
      };
      assert.throws(() => readRpmDb(with32(12, 0xffffffff)), isDbError);
      assert.throws(() => readRpmDb(with32(12, 0)), isDbError);
      assert.throws(() => readRpmDb(with32(4, 7)), /version/);
      assert.throws(() => readRpmDb(with32(32 + 8, 0xffffffff)), isDbError); // block offset
      assert.throws(() => readRpmDb(with32(32 + 8, 1)), isDbError); // blob inside the slot pages
      assert.throws(() => readRpmDb(with32(32 + 12, 1)), isDbError); // too few blocks for the blob
      // Half a million slots all naming the same big blob.
      const bigBlob = realBlobs.find((b) => b.length > 100_000)!;
      const many = buildNdb([bigBlob]);
      const slots = 2048;
      const head = Buffer.alloc(slots * 4096);
      many.copy(head, 0, 0, 4096);
      head.writeUInt32LE(slots, 12);
      const blobAt = many.readUInt32LE(32 + 8) * 16;
      for (let at = 32; at < head.length; at += 16) {
        head.writeUInt32LE(0x746f6c53, at);
        head.writeUInt32LE(1, at + 4);
        head.writeUInt32LE((head.length + 0) / 16, at + 8);
        head.writeUInt32LE(many.readUInt32LE(32 + 12), at + 12);
      }
      const crafted = Buffer.concat([head, many.subarray(blobAt)]);
      const t0 = performance.now();
      assert.throws(() => readRpmDb(crafted), /overlap/);
      assert.ok(performance.now() - t0 < 10_000); // a hang guard, not a speed test
    });

    test('crafted SQLite: Packages as a view or with generated columns, blobs of the wrong type', () => {
      const make = (sql: string) => {
        const db = new DatabaseSync(':memory:');
        db.exec(sql);
        const out = Buffer.from(db.serialize());
        db.close();
        return out;
      };
      // A view over an endless recursive query: refused before it runs.
      const view = make("CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, zeroblob(1000000) AS blob FROM c");
      assert.throws(() => readRpmDb(view), /not an ordinary table/);
      const generated = make("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, n INTEGER, blob BLOB GENERATED ALWAYS AS (zeroblob(n)) VIRTUAL); INSERT INTO Packages (n) VALUES (100000000)");
      assert.throws(() => readRpmDb(generated), /generated/);
      assert.throws(() => readRpmDb(make('CREATE TABLE Other (x)')), /no Packages table/);
      assert.throws(() => readRpmDb(make("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB); INSERT INTO Packages (blob) VALUES ('text')")), /not a BLOB/);
      assert.throws(() => readRpmDb(make("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB); INSERT INTO Packages (blob) VALUES (x'00000001')")), isDbError);
    });

    test('corrupt header blobs: counts, sizes, offsets and types out of range', () => {
      const blob = realBlobs.find((b) => readHeader(b, 'x').name === 'libpcdemo')!;
      const put = (at: number, v: number) => {
        const b = Buffer.from(blob);
        b.writeUInt32BE(v >>> 0, at);
        return b;
      };
      const nameEntry = (() => {
        const il = blob.readUInt32BE(0);
        for (let e = 8; e < 8 + il * 16; e += 16) if (blob.readInt32BE(e) === 1000) return e;
        throw new Error('no NAME');
      })();
      for (const bad of [put(0, 0), put(0, 0x10000), put(0, 0xffffffff), put(4, 0xffffffff), put(4, blob.readUInt32BE(4) + 1),
        put(nameEntry + 8, 0x7fffffff), put(nameEntry + 8, -1), put(nameEntry + 4, 4), put(nameEntry + 12, 0), blob.subarray(0, 20)]) {
        assert.throws(() => readRpmDb(buildSqlite([bad])), isDbError);
        assert.throws(() => readRpmDb(buildNdb([bad])), isDbError);
      }
      // A NAME whose string runs to the end of the data store without its terminating NUL.
      const il = blob.readUInt32BE(0);
      const dl = blob.readUInt32BE(4);
      const unterminated = Buffer.from(blob);
      unterminated.fill(0x41, 8 + il * 16 + unterminated.readInt32BE(nameEntry + 8), 8 + il * 16 + dl);
      assert.throws(() => readRpmDb(buildNdb([unterminated])), /not a terminated string/);
    });

    test('random corruption of real databases (seeded): every mutant fails cleanly or reads', () => {
      const seeds = [buildBdb(realBlobs).file, buildNdb(realBlobs), ...BDB_FIXTURES.map((f) => readFileSync(f)), readFileSync(NDB_FIXTURE), buildSqlite(realBlobs)];
      let x = 42;
      const next = () => (x = (x * 1103515245 + 12345) >>> 0);
      const t0 = performance.now();
      for (const seed of seeds) {
        for (let m = 0; m < 150; m++) {
          const f = Buffer.from(seed);
          // A few random bytes, biased to the start where the structure lives.
          for (let k = 0; k < 1 + (next() % 8); k++) {
            const at = next() % 3 === 0 ? next() % f.length : next() % Math.min(f.length, 8192);
            f[at] = next() & 0xff;
          }
          survives(f);
        }
      }
      assert.ok(performance.now() - t0 < 20_000);
    });
  });
});

describe('source RPM names', () => {
  test('name-version-release.src.rpm, names with hyphens, nosrc', () => {
    assert.deepEqual(parseSourceRpm('util-linux-2.32.1-42.el8_8.src.rpm'), { name: 'util-linux', version: '2.32.1', release: '42.el8_8' });
    assert.deepEqual(parseSourceRpm('pc-main-1.2~rc1^git5-3.el9.src.rpm'), { name: 'pc-main', version: '1.2~rc1^git5', release: '3.el9' });
    assert.deepEqual(parseSourceRpm('java-17-openjdk-17.0.9.0.9-2.el9.nosrc.rpm'), { name: 'java-17-openjdk', version: '17.0.9.0.9', release: '2.el9' });
    assert.equal(parseSourceRpm('(none)'), undefined);
    assert.equal(parseSourceRpm('foo.src.rpm'), undefined);
  });
});

test('an unknown format is named as such', () => {
  assert.throws(() => readRpmDb(Buffer.from('hello')), /unknown format/);
});
