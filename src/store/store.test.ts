import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../errors.ts';
import { cleanResult, debianScanResult } from '../../test/fixtures-results.ts';
import { MAX_DECISION_REASONS, ResultStore } from './index.ts';
import type { DecisionRecord } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `store-${++n}.db`);

const INDEX_DIGEST = `sha256:${'a'.repeat(64)}`;
const MANIFEST_AMD64 = `sha256:${'b'.repeat(64)}`;
const MANIFEST_ARM64 = `sha256:${'c'.repeat(64)}`;

function decision(p: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002', user: 'system:serviceaccount:argocd:argocd-application-controller',
    operation: 'CREATE', kind: 'Deployment', namespace: 'shop', name: 'checkout',
    images: [{ image: 'registry.example.com:5000/shop/checkout:1.4.2', digest: INDEX_DIGEST, status: 'Fail', action: 'Reject', source: 'store' }],
    action: 'Reject', status: 'Fail', reasons: ["Action 'Reject' enforced by ContainerPolicy reject-failed rule index 0"],
    dryRun: false, at: new Date('2026-11-21T09:00:00Z'), ...p,
  };
}

describe('ResultStore', () => {
  test('stores a scan by digest with the DB build and scan time; findings before the policy, VEX and ignore-file suppressions kept out', () => {
    const store = ResultStore.open(fresh());
    const result = debianScanResult();
    const id = store.putScan(result);
    const got = store.latestByDigest(result.artifact.digest as string);
    assert.ok(got);
    assert.equal(got.id, id);
    assert.equal(got.digest, result.artifact.digest);
    assert.equal(got.manifestDigest, result.artifact.digest, 'a single-platform image: the manifest digest is the digest');
    assert.equal(got.image, result.artifact.name);
    assert.equal(got.platform, 'linux/amd64');
    assert.equal(got.scannedAt.toISOString(), new Date(result.createdAt).toISOString());
    assert.equal(got.db?.builtAt.toISOString(), new Date(result.db?.builtAt as string).toISOString());
    assert.deepEqual(got.db?.sources, result.db?.sources);
    assert.deepEqual(got.os, result.os);
    const restored = (result.suppressed ?? []).filter((s) => s.kind !== 'vex' && s.kind !== 'ignorefile').map((s) => s.finding);
    const dropped = (result.suppressed ?? []).filter((s) => s.kind === 'vex' || s.kind === 'ignorefile').map((s) => s.finding.id);
    assert.ok(restored.some((f) => f.id === 'CVE-2024-28757'), 'fixture has an Exception suppression');
    assert.deepEqual(got.findings, [...(result.findings ?? []), ...restored]);
    for (const id of dropped) assert.ok(!got.findings.some((f) => f.id === id), `${id} stays suppressed (VEX/ignore file)`);
    // Only the packages the findings are about, so Exceptions can match their source package.
    const named = new Set(got.findings.map((f) => f.package));
    assert.ok(got.packages.length > 0 && got.packages.length < result.packages.length);
    for (const p of got.packages) assert.ok(named.has(p.name));
    assert.equal(store.latestByDigest(`sha256:${'f'.repeat(64)}`), undefined);
    store.close();
  });

  test('multi-platform: found by index digest (newest platform) and by each manifest digest', () => {
    const store = ResultStore.open(fresh());
    const amd = cleanResult();
    amd.artifact = { ...amd.artifact, digest: INDEX_DIGEST, manifestDigest: MANIFEST_AMD64, platform: 'linux/amd64' };
    const arm = debianScanResult();
    arm.artifact = { ...arm.artifact, digest: INDEX_DIGEST, manifestDigest: MANIFEST_ARM64, platform: 'linux/arm64' };
    arm.createdAt = '2026-11-21T09:00:00Z';
    store.putScan(amd);
    store.putScan(arm);
    assert.equal(store.latestByDigest(MANIFEST_AMD64)?.platform, 'linux/amd64');
    assert.equal(store.latestByDigest(MANIFEST_ARM64)?.platform, 'linux/arm64');
    assert.equal(store.latestByDigest(INDEX_DIGEST)?.platform, 'linux/arm64');
    assert.equal(store.counts().scans, 2);
    store.close();
  });

  test('a newer scan replaces the stored one (new id); an older one is ignored', () => {
    const store = ResultStore.open(fresh());
    const first = debianScanResult();
    const digest = first.artifact.digest as string;
    const id1 = store.putScan(first);
    const newer = cleanResult();
    newer.artifact = { ...first.artifact };
    newer.createdAt = '2026-11-22T08:00:00Z';
    const id2 = store.putScan(newer);
    assert.notEqual(id2, id1);
    assert.equal(store.latestIdByDigest(digest), id2);
    assert.deepEqual(store.latestByDigest(digest)?.findings, []);
    const older = debianScanResult();
    older.createdAt = '2026-11-01T08:00:00Z';
    assert.equal(store.putScan(older), id2, 'the stored newer scan stays');
    assert.deepEqual(store.latestByDigest(digest)?.findings, []);
    assert.equal(store.counts().scans, 1);
    store.close();
  });

  test('an inventory never matched against a DB is stored without findings (it can only be Unknown)', () => {
    const store = ResultStore.open(fresh());
    const r = cleanResult();
    delete r.findings;
    delete r.suppressed;
    store.putScan(r);
    const got = store.latestByDigest(r.artifact.digest as string);
    assert.equal(got?.findings, undefined);
    store.close();
  });

  test('refuses a scan without a digest or with a bad time', () => {
    const store = ResultStore.open(fresh());
    const r = cleanResult();
    delete r.artifact.digest;
    assert.throws(() => store.putScan(r), (e: unknown) => e instanceof StoreError && e.code === 'STORE_BAD_SCAN');
    const bad = cleanResult();
    bad.artifact.digest = 'sha256:xyz';
    assert.throws(() => store.putScan(bad), StoreError);
    const when = cleanResult();
    when.createdAt = 'yesterday';
    assert.throws(() => store.putScan(when), StoreError);
    store.close();
  });

  test('records decisions and reads them back, newest first; long input is cut', () => {
    const store = ResultStore.open(fresh());
    store.recordDecision(decision());
    store.recordDecision(decision({
      uid: 'u2', action: 'Warn', status: 'Unknown', dryRun: true, reasons: Array.from({ length: 80 }, (_, i) => `reason ${i} ${'x'.repeat(5000)}`),
    }));
    const [latest, first] = store.decisions();
    assert.equal(latest?.uid, 'u2');
    assert.equal(latest?.dryRun, true);
    assert.equal(latest?.reasons.length, MAX_DECISION_REASONS);
    assert.ok((latest?.reasons[0]?.length ?? 0) <= 2048);
    assert.deepEqual(first, decision());
    assert.deepEqual(store.decisions({ uid: decision().uid }), [decision()]);
    store.close();
  });

  test('decisions in one transaction; the change stamp moves when scans may have changed, not for decisions', () => {
    const path = fresh();
    const store = ResultStore.open(path);
    const other = ResultStore.open(path);
    const before = store.changeStamp();
    store.recordDecisions([decision({ uid: 'a' }), decision({ uid: 'b' })]);
    assert.deepEqual(store.decisions().map((d) => d.uid), ['b', 'a']);
    assert.equal(store.changeStamp(), before, 'our own decisions do not move it');
    store.putScan(cleanResult());
    const afterOwn = store.changeStamp();
    assert.notEqual(afterOwn, before, 'our own scan does');
    // Another connection's decisions (the webhook's writer thread) do not move it either.
    other.recordDecisions([decision({ uid: 'c' })]);
    const stillUntil = Date.now() + 250;
    while (Date.now() < stillUntil) assert.equal(store.changeStamp(), afterOwn, "another connection's decisions do not move it");
    other.putScan(debianScanResult());
    // Another connection's commit is seen within 100 ms.
    const until = Date.now() + 1000;
    while (store.changeStamp() === afterOwn && Date.now() < until) { /* spin */ }
    assert.notEqual(store.changeStamp(), afterOwn, "another connection's commit does");
    other.close();
    store.close();
  });

  test('a store made before the scan_changes counter gets it on open; read-only without it, every commit moves the stamp', () => {
    const path = fresh();
    ResultStore.open(path).close();
    const raw = new DatabaseSync(path);
    raw.exec('DROP TRIGGER scans_inserted; DROP TRIGGER scans_updated; DROP TRIGGER scans_deleted; DROP TABLE scan_changes;');
    raw.close();
    const reader = ResultStore.open(path, { readOnly: true });
    const before = reader.changeStamp();
    const writer = ResultStore.open(path);
    writer.recordDecisions([decision({ uid: 'x' })]);
    const until = Date.now() + 1000;
    while (reader.changeStamp() === before && Date.now() < until) { /* spin */ }
    assert.notEqual(reader.changeStamp(), before, 'without the counter a decision commit counts (nothing is missed)');
    const names = (new DatabaseSync(path).prepare("SELECT name FROM sqlite_master WHERE name LIKE 'scan%' ORDER BY name").all()).map((r) => r.name);
    assert.deepEqual(names, ['scan_changes', 'scans', 'scans_by_digest', 'scans_by_manifest', 'scans_by_time', 'scans_deleted', 'scans_inserted', 'scans_updated']);
    const stamp = writer.changeStamp();
    writer.putScan(cleanResult());
    assert.notEqual(writer.changeStamp(), stamp);
    reader.close();
    writer.close();
  });

  test('bounded: the oldest scans and decisions beyond the limits go', () => {
    const store = ResultStore.open(fresh(), { maxScans: 10, maxDecisions: 5 });
    const base = cleanResult();
    store.transaction(() => {
      for (let i = 0; i < 600; i++) {
        const r = structuredClone(base);
        r.artifact.digest = `sha256:${i.toString(16).padStart(64, '0')}`;
        r.createdAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
        store.putScan(r);
      }
    });
    // Pruning runs every few hundred inserts, not on each one.
    assert.ok(store.counts().scans < 600);
    store.prune();
    assert.equal(store.counts().scans, 10);
    assert.ok(store.latestByDigest(`sha256:${(599).toString(16).padStart(64, '0')}`), 'the newest stays');
    assert.equal(store.latestByDigest(`sha256:${'0'.repeat(64)}`), undefined, 'the oldest went');
    for (let i = 0; i < 20; i++) store.recordDecision(decision({ uid: `u${i}` }));
    store.prune();
    assert.deepEqual(store.decisions().map((d) => d.uid), ['u19', 'u18', 'u17', 'u16', 'u15']);
    store.close();
  });

  test('refuses a store of another schema version, a foreign SQLite file and a non-SQLite file', () => {
    const other = fresh();
    ResultStore.open(other).close();
    const raw = new DatabaseSync(other);
    raw.exec('PRAGMA user_version = 99');
    raw.close();
    assert.throws(() => ResultStore.open(other), (e: unknown) => e instanceof StoreError && e.code === 'STORE_SCHEMA' && /version 99/.test(e.message));
    const foreign = fresh();
    const f = new DatabaseSync(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    assert.throws(() => ResultStore.open(foreign), (e: unknown) => e instanceof StoreError && /not a result store/.test(e.message));
    const text = fresh();
    writeFileSync(text, 'this is not a database, just text that is long enough to have a header'.repeat(20));
    assert.throws(() => ResultStore.open(text), StoreError);
    assert.throws(() => ResultStore.open(join(dir, 'missing', 'x.db')), (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNREADABLE');
    assert.throws(() => ResultStore.open(fresh(), { readOnly: true }), StoreError);
  });

  test('WAL: a reader in this process reads while another process writes scans and a second writer waits its turn', async () => {
    const path = fresh();
    const store = ResultStore.open(path);
    store.putScan(cleanResult());
    const reader = ResultStore.open(path, { readOnly: true });
    const storeIndex = fileURLToPath(new URL('./index.ts', import.meta.url));
    const fixtures = fileURLToPath(new URL('../../test/fixtures-results.ts', import.meta.url));
    const script = `
      const { ResultStore } = await import(${JSON.stringify(storeIndex)});
      const { cleanResult } = await import(${JSON.stringify(fixtures)});
      const s = ResultStore.open(${JSON.stringify(path)});
      for (let i = 1; i <= 300; i++) {
        const r = cleanResult();
        r.artifact.digest = 'sha256:' + i.toString(16).padStart(64, '0');
        s.putScan(r);
      }
      s.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let reads = 0;
    let writes = 0;
    let done = false;
    void exited.then(() => { done = true; });
    while (!done) {
      assert.ok(reader.latestByDigest(cleanResult().artifact.digest as string));
      store.recordDecision(decision({ uid: `w${writes++}` }));
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(await exited, 0);
    assert.ok(reads > 0);
    assert.equal(reader.counts().scans, 301);
    assert.equal(reader.counts().decisions, writes);
    reader.close();
    store.close();
  });
});
