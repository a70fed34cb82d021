import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { deflateRawSync } from 'node:zlib';
import { VulnDb } from './reader.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { DbWriter } from './writer.ts';

describe('database file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vulndb-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips records and merges what several feeds say of one vulnerability', () => {
    const path = join(dir, 'a.db');
    const w = new DbWriter(path);
    w.addAffected({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2024-0727', source: 'debian-tracker', status: 'fixed', fixed: '3.0.13-1~deb12u1', severity: 'LOW', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] });
    w.addAffected({ ecosystem: 'debian:12', package: 'openssl', vulnId: 'CVE-2023-0001', source: 'debian-tracker', status: 'will_not_fix' });
    w.addAffected({ ecosystem: 'debian:11', package: 'openssl', vulnId: 'CVE-2024-0727', source: 'debian-tracker', status: 'affected' });
    w.addAffected({ ecosystem: 'npm', package: 'lodash', vulnId: 'CVE-2021-23337', source: 'osv', status: 'fixed', versions: ['4.17.20'], advisory: 'GHSA-35jh-r3h4-6jhm' });
    w.addVuln({ id: 'CVE-2024-0727', aliases: [], title: 'PKCS12 NULL deref', ratings: [{ source: 'debian', severity: 'LOW' }], sources: ['debian-tracker'] });
    w.addVuln({ id: 'CVE-2024-0727', aliases: ['GHSA-9v9h-cgj8-h64p'], description: 'Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash', ratings: [{ source: 'nvd', severity: 'MEDIUM', cvss: { source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5 } }], sources: ['nvd'], published: '2024-01-26T09:15:07Z' });
    w.addKev({ cve: 'CVE-2021-44228', dateAdded: '2021-12-10', knownRansomwareCampaignUse: true });
    w.addEpss({ cve: 'CVE-2024-0727', score: 0.00122, percentile: 0.466 });
    w.addFeed({ kind: 'debian-tracker', location: '/feeds/debian.json', timestamp: '2024-02-01T00:00:00Z', records: 3, skipped: 0 });
    w.finish({ builtAt: '2024-02-02T00:00:00Z', toolVersion: 'test' });

    const db = VulnDb.open(path);
    const info = db.info();
    assert.equal(info.schema, SCHEMA_VERSION);
    assert.equal(info.builtAt, '2024-02-02T00:00:00Z');
    assert.deepEqual(info.counts, { vulnerabilities: 1, affected: 4, kev: 1, epss: 1 });
    assert.equal(info.feeds[0]?.kind, 'debian-tracker');

    const rows = db.affected('debian:12', ['openssl', 'zlib']);
    assert.deepEqual([...rows.keys()], ['openssl']);
    assert.deepEqual(rows.get('openssl')!.map((r) => [r.vulnId, r.status, r.fixed]).sort(), [
      ['CVE-2023-0001', 'will_not_fix', undefined], ['CVE-2024-0727', 'fixed', '3.0.13-1~deb12u1'],
    ]);
    assert.equal(db.affected('npm', ['lodash']).get('lodash')?.[0]?.advisory, 'GHSA-35jh-r3h4-6jhm');

    const v = db.vulns(['CVE-2024-0727']).get('CVE-2024-0727')!;
    assert.equal(v.title, 'PKCS12 NULL deref');
    assert.match(v.description!, /PKCS12 file/);
    assert.deepEqual(v.ratings.map((r) => r.source).sort(), ['debian', 'nvd']);
    assert.deepEqual(v.sources.sort(), ['debian-tracker', 'nvd']);
    assert.deepEqual(db.aliasesOf(['GHSA-9v9h-cgj8-h64p']).get('GHSA-9v9h-cgj8-h64p'), ['CVE-2024-0727']);
    assert.equal(db.kev(['CVE-2021-44228', 'CVE-2024-0727']).get('CVE-2021-44228')?.knownRansomwareCampaignUse, true);
    assert.equal(db.kev(['CVE-2024-0727']).size, 0);
    assert.equal(db.epss(['CVE-2024-0727']).get('CVE-2024-0727')?.score, 0.00122);
    db.close();
  });

  it('refuses a missing file, a non-database and another schema with clear errors', () => {
    assert.throws(() => VulnDb.open(join(dir, 'missing.db')), { code: 'NO_DB', message: /db build/ });
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not sqlite at all, just text'.repeat(100));
    assert.throws(() => VulnDb.open(junk), { code: 'BAD_DB' });
    const other = join(dir, 'other.db');
    const w = new DbWriter(other);
    w.finish({ builtAt: '2024-01-01T00:00:00Z', toolVersion: 'test' });
    const raw = new DatabaseSync(other);
    raw.exec("UPDATE meta SET value = '999' WHERE key = 'schema'");
    raw.close();
    assert.throws(() => VulnDb.open(other), { code: 'DB_SCHEMA', message: /schema 999/ });
  });
});

describe('bulk lookups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vulndb-bulk-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answer each ID once however often it is asked, and KEV with EPSS in one query as in two', () => {
    const path = join(dir, 'b.db');
    const w = new DbWriter(path);
    const range = [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: '1.2-1' }] }];
    // Two CVEs fixed by one advisory in one package: the same payload.
    const rows = ['CVE-2024-0001', 'CVE-2024-0002'].map((vulnId) => ({
      ecosystem: 'debian:12', package: 'zlib', vulnId, source: 'debian-tracker', status: 'fixed' as const, ranges: range, fixed: '1.2-1', advisory: 'DSA-1-1',
    }));
    for (const r of rows) w.addAffected(r);
    w.addAffected({ ecosystem: 'debian:12', package: 'zlib', vulnId: 'CVE-2024-0003', source: 'debian-tracker', status: 'will_not_fix' });
    const kev = [
      { cve: 'CVE-2024-0001', dateAdded: '2024-03-01', dueDate: '2024-03-22', knownRansomwareCampaignUse: false },
      { cve: 'CVE-2024-0003', dateAdded: '2024-04-01', knownRansomwareCampaignUse: true },
    ];
    const epss = [{ cve: 'CVE-2024-0001', score: 0.5, percentile: 0.9 }, { cve: 'CVE-2024-0002', score: 0.01, percentile: 0.2 }];
    for (const k of kev) w.addKev(k);
    for (const e of epss) w.addEpss(e);
    w.finish({ builtAt: '2024-05-01T00:00:00Z', toolVersion: 'test' });
    const db = VulnDb.open(path);

    const zlib = db.affected('debian:12', ['zlib', 'openssl', 'zlib']).get('zlib')!;
    assert.deepEqual(zlib.map((r) => r.vulnId), ['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003']);
    assert.deepEqual(zlib.slice(0, 2), rows);
    assert.deepEqual(zlib[2], { ecosystem: 'debian:12', package: 'zlib', vulnId: 'CVE-2024-0003', source: 'debian-tracker', status: 'will_not_fix' });

    const asked = ['CVE-2024-0002', 'CVE-2024-0001', 'CVE-2024-0009', 'CVE-2024-0001', 'CVE-2024-0003'];
    const both = db.kevAndEpss(asked);
    assert.deepEqual(both, { kev: db.kev(asked), epss: db.epss(asked) });
    assert.deepEqual([...both.kev.values()].sort((a, b) => a.cve.localeCompare(b.cve)), kev);
    assert.deepEqual([...both.epss.values()].sort((a, b) => a.cve.localeCompare(b.cve)), epss);
    assert.deepEqual(db.kevAndEpss([]), { kev: new Map(), epss: new Map() });
    db.close();
  });
});

describe('damaged records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vulndb-damaged-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads records stored as text or raw-deflated; one that does not inflate is a DbError, not a crash', () => {
    const path = join(dir, 'd.db');
    const w = new DbWriter(path);
    const record = { id: 'CVE-2024-0001', aliases: [], ratings: [], sources: ['nvd'], description: 'x'.repeat(500) };
    w.addVuln(record);
    w.addVuln({ ...record, id: 'CVE-2024-0002' });
    w.finish({ builtAt: '2024-01-01T00:00:00Z', toolVersion: 'test' });
    const raw = new DatabaseSync(path);
    raw.prepare("UPDATE vulns SET data = ? WHERE id = 'CVE-2024-0002'").run(deflateRawSync(JSON.stringify({ ...record, id: undefined })));
    raw.exec("UPDATE vulns SET data = X'00010203' WHERE id = 'CVE-2024-0001'");
    raw.close();
    const db = VulnDb.open(path);
    assert.deepEqual(db.vulns(['CVE-2024-0002']).get('CVE-2024-0002'), { ...record, id: 'CVE-2024-0002' });
    assert.throws(() => db.vulns(['CVE-2024-0001']), { code: 'BAD_DB', message: /record of CVE-2024-0001 is damaged/ });
    db.close();
  });
});
