import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import type { Package } from '../inventory/index.ts';
import type { Finding } from '../match/types.ts';
import type { ScanResult } from '../report/index.ts';
import { SCAN_CHANGES_SQL, SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import type { DecisionRecord, StoredScan } from './types.ts';

/** A stored scan above this (its JSON) is refused: no real image has 32 MiB of findings. */
export const MAX_STORED_SCAN_BYTES = 32 * 1024 * 1024;
/** Reasons and images of one decision beyond these are cut (an AdmissionReview is bounded too). */
export const MAX_DECISION_REASONS = 50;
export const MAX_DECISION_IMAGES = 200;
const MAX_TEXT = 2048;

export interface StoreOptions {
  /** Open an existing store for reading only (the webhook's readiness does not need writes). */
  readOnly?: boolean;
  /** Scans kept; beyond it the oldest scans go. Default 200,000 images. */
  maxScans?: number;
  /** Decisions kept; beyond it the oldest go. Default 1,000,000. */
  maxDecisions?: number;
  /** How long a writer waits for another writer's lock (ms). Default 5,000. */
  busyTimeoutMs?: number;
}

/** The image digests a scan is stored under (and the webhook accepts from a registry). */
export const IMAGE_DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** How often changeStamp asks SQLite whether another connection committed (ms). */
const STAMP_CHECK_MS = 100;
/** Pruning runs once every this many inserts, not on every one. */
const PRUNE_EVERY = 512;

/** Suppressions made by the scan's own inputs stay made; the rest are the policy's to redo. */
const KEPT_SUPPRESSIONS = new Set(['vex', 'ignorefile']);

interface ScanPayload {
  db?: { builtAt: string; sources: string[] };
  os?: StoredScan['os'];
  /** Absent when the scan was not matched against a vulnerability DB (an inventory only). */
  findings?: Finding[];
  packages: Package[];
}

function clip(s: string, max = MAX_TEXT): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A decision as the columns of its row, limits applied: plain values, cheap to pass between threads. */
export type DecisionRow = [number, string, string, string, string, string, string, string, string, number, string];

export function decisionRow(d: DecisionRecord): DecisionRow {
  const reasons = d.reasons.slice(0, MAX_DECISION_REASONS).map((r) => clip(r));
  const images = d.images.slice(0, MAX_DECISION_IMAGES).map((i) => ({ ...i, image: clip(i.image) }));
  return [
    d.at.getTime(), clip(d.uid, 256), clip(d.user, 512), clip(d.operation, 32), clip(d.kind, 256), clip(d.namespace, 256),
    clip(d.name, 512), d.action, d.status, d.dryRun ? 1 : 0, JSON.stringify({ images, reasons }),
  ];
}

/** Whether the file has the scan_changes counter (stores made before it do not until opened for writing). */
function hasScanChanges(db: DatabaseSync): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scan_changes'").get() !== undefined;
}

function time(ms: number | null | bigint): Date | undefined {
  return ms === null ? undefined : new Date(Number(ms));
}

/**
 * Scan results and admission decisions in one SQLite file (node:sqlite).
 *
 * Safe for many readers and one writer at a time across processes (WAL); a second writer waits
 * `busyTimeoutMs` for the lock. Bounded: the newest scan per (digest, manifest digest), at most
 * `maxScans` of them and `maxDecisions` decisions, oldest dropped first.
 */
export class ResultStore {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly maxScans: number;
  private readonly maxDecisions: number;
  private readonly statements = new Map<string, StatementSync>();
  private inserts = 0;
  private scanWrites = 0;
  private dataVersion: number | undefined;
  private scanChanges = 0;
  private versionCheckedAt = -Infinity;
  /** Whether the file has the scan_changes counter (a read-only open of an older store may not). */
  private readonly countsScanChanges: boolean;
  private closed = false;

  private constructor(path: string, db: DatabaseSync, options: StoreOptions) {
    this.path = path;
    this.db = db;
    this.maxScans = options.maxScans ?? 200_000;
    this.maxDecisions = options.maxDecisions ?? 1_000_000;
    this.countsScanChanges = hasScanChanges(db);
  }

  /** Open (creating unless read-only) the store at `path`; refuses a file of another schema. */
  static open(path: string, options: StoreOptions = {}): ResultStore {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { readOnly: options.readOnly ?? false, timeout: options.busyTimeoutMs ?? 5000 });
    } catch (err) {
      throw new StoreError('STORE_UNREADABLE', `${path}: cannot open the result store (${(err as Error).message})`, { cause: err });
    }
    try {
      ResultStore.prepareSchema(db, path, options.readOnly ?? false);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError('STORE_CORRUPT', `${path}: not a usable result store (${(err as Error).message})`, { cause: err });
    }
    return new ResultStore(path, db, options);
  }

  private static prepareSchema(db: DatabaseSync, path: string, readOnly: boolean): void {
    const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (version === SCHEMA_VERSION) {
      if (readOnly) return;
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      if (!hasScanChanges(db)) db.exec(`BEGIN IMMEDIATE; ${SCAN_CHANGES_SQL} COMMIT;`);
      return;
    }
    if (version !== 0) {
      throw new StoreError('STORE_SCHEMA', `${path}: result store schema version ${version}, this portcullis reads version ${SCHEMA_VERSION}`);
    }
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (Number(tables.n) !== 0) throw new StoreError('STORE_SCHEMA', `${path}: is an SQLite file but not a result store`);
    if (readOnly) throw new StoreError('STORE_EMPTY', `${path}: the result store is empty (no scans were ever stored)`);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    db.exec(`BEGIN IMMEDIATE; ${SCHEMA_SQL} ${SCAN_CHANGES_SQL} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
  }

  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, s = this.db.prepare(sql));
    return s;
  }

  /**
   * Store a scan result under its digest (and manifest digest), replacing an older scan of the
   * same image and platform; an older result than the one stored is ignored. Returns the row id.
   */
  putScan(result: ScanResult): number {
    const digest = result.artifact.digest;
    const manifestDigest = result.artifact.manifestDigest ?? digest;
    if (!digest || !IMAGE_DIGEST.test(digest) || !manifestDigest || !IMAGE_DIGEST.test(manifestDigest)) {
      throw new StoreError('STORE_BAD_SCAN', `cannot store the scan of ${clip(result.artifact.name, 200)}: it has no image digest`);
    }
    const scannedAt = Date.parse(result.createdAt);
    if (Number.isNaN(scannedAt)) throw new StoreError('STORE_BAD_SCAN', `cannot store the scan of ${clip(result.artifact.name, 200)}: bad createdAt`);
    const dbBuiltAt = result.db ? Date.parse(result.db.builtAt) : NaN;

    const matched = result.findings !== undefined;
    const findings = matched ? [
      ...(result.findings ?? []),
      ...(result.suppressed ?? []).filter((s) => !KEPT_SUPPRESSIONS.has(s.kind)).map((s) => s.finding),
    ] : [];
    const named = new Set(findings.map((f) => `${f.package}\u0000${f.installedVersion}`));
    const payload: ScanPayload = {
      ...(result.db ? { db: { builtAt: result.db.builtAt, sources: result.db.sources } } : {}),
      ...(result.os ? { os: result.os } : {}),
      ...(matched ? { findings } : {}),
      packages: result.packages.filter((p) => named.has(`${p.name}\u0000${p.version}`)),
    };
    const data = JSON.stringify(payload);
    if (data.length > MAX_STORED_SCAN_BYTES) {
      throw new StoreError('STORE_TOO_LARGE', `the scan of ${clip(result.artifact.name, 200)} is larger than ${MAX_STORED_SCAN_BYTES} bytes`);
    }
    const row = this.stmt(`
      INSERT INTO scans (digest, manifest_digest, image, platform, scanned_at, db_built_at, data)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (digest, manifest_digest) DO UPDATE SET
        id = (SELECT max(id) FROM scans) + 1, image = excluded.image, platform = excluded.platform,
        scanned_at = excluded.scanned_at, db_built_at = excluded.db_built_at, data = excluded.data
      WHERE excluded.scanned_at >= scans.scanned_at
      RETURNING id`).get(
      digest, manifestDigest, clip(result.artifact.name), result.artifact.platform ?? null, scannedAt,
      Number.isNaN(dbBuiltAt) ? null : dbBuiltAt, data,
    ) as { id: number } | undefined;
    this.maybePrune();
    // This connection's own change is seen at once (data_version moves only for others').
    if (this.countsScanChanges) this.scanChanges = this.readScanChanges();
    else this.scanWrites++;
    if (row) return Number(row.id);
    return Number((this.stmt('SELECT id FROM scans WHERE digest = ? AND manifest_digest = ?').get(digest, manifestDigest) as { id: number }).id);
  }

  /**
   * The row id of the newest scan for a digest (index or manifest digest), without reading the
   * findings: callers cache what they computed from a scan and ask this to know it is current.
   */
  latestIdByDigest(digest: string): number | undefined {
    const row = this.stmt(`
      SELECT id FROM (
        SELECT id, scanned_at FROM scans WHERE digest = ?1
        UNION ALL SELECT id, scanned_at FROM scans WHERE manifest_digest = ?1
      ) ORDER BY scanned_at DESC, id DESC LIMIT 1`).get(digest) as { id: number } | undefined;
    return row ? Number(row.id) : undefined;
  }

  /** The newest scan for a digest (index or manifest digest), or undefined. */
  latestByDigest(digest: string): StoredScan | undefined {
    const row = this.stmt(`
      SELECT * FROM (
        SELECT * FROM scans WHERE digest = ?1
        UNION ALL SELECT * FROM scans WHERE manifest_digest = ?1
      ) ORDER BY scanned_at DESC, id DESC LIMIT 1`).get(digest) as Record<string, string | number | null> | undefined;
    if (!row) return undefined;
    let payload: ScanPayload;
    try {
      payload = JSON.parse(String(row.data)) as ScanPayload;
    } catch (err) {
      throw new StoreError('STORE_CORRUPT', `${this.path}: the stored scan of ${digest} is unreadable`, { cause: err });
    }
    const builtAt = payload.db ? new Date(payload.db.builtAt) : undefined;
    return {
      id: Number(row.id),
      digest: String(row.digest),
      manifestDigest: String(row.manifest_digest),
      image: String(row.image),
      ...(row.platform === null ? {} : { platform: String(row.platform) }),
      scannedAt: time(row.scanned_at as number) as Date,
      ...(payload.db && builtAt ? { db: { builtAt, sources: payload.db.sources } } : {}),
      ...(payload.os ? { os: payload.os } : {}),
      ...(payload.findings ? { findings: payload.findings } : {}),
      packages: payload.packages,
    };
  }

  /** Append one decision to the audit trail. */
  recordDecision(d: DecisionRecord): number {
    const row = this.insertDecision(d);
    this.maybePrune();
    return row;
  }

  /** Append many decisions in one transaction (one commit: what a busy webhook does). */
  recordDecisions(records: readonly DecisionRecord[]): void {
    this.recordDecisionRows(records.map(decisionRow));
  }

  /** The same, from rows made by decisionRow (another thread can make them: they are plain values). */
  recordDecisionRows(rows: readonly DecisionRow[]): void {
    if (rows.length === 0) return;
    this.transaction(() => {
      for (const row of rows) this.insertRow(row);
    });
    this.inserts += rows.length - 1;
    this.maybePrune();
  }

  private insertDecision(d: DecisionRecord): number {
    return Number(this.insertRow(decisionRow(d)).lastInsertRowid);
  }

  private insertRow(row: DecisionRow): { lastInsertRowid: number | bigint } {
    return this.stmt(`
      INSERT INTO decisions (at, uid, user, operation, kind, namespace, name, action, status, dry_run, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...row);
  }

  /**
   * Changes whenever scans may have changed: another connection changed the scans table (its
   * scan_changes counter, read only when SQLite's data_version says someone committed), or this
   * one stored a scan. Decisions, written many times a second by the webhook's writer thread, do
   * not move it. Callers that cached what latestByDigest gave them can skip asking while it stays
   * the same.
   */
  changeStamp(): string {
    // Another process's commit is seen within STAMP_CHECK_MS; this one's scans at once.
    const now = performance.now();
    if (now - this.versionCheckedAt >= STAMP_CHECK_MS) {
      this.versionCheckedAt = now;
      const version = Number((this.stmt('PRAGMA data_version').get() as { data_version: number }).data_version);
      if (version !== this.dataVersion) {
        this.dataVersion = version;
        // Without the counter (a read-only open of an older store), every commit counts.
        this.scanChanges = this.countsScanChanges ? this.readScanChanges() : version;
      }
    }
    return `${this.scanChanges}:${this.scanWrites}`;
  }

  private readScanChanges(): number {
    return Number((this.stmt('SELECT n FROM scan_changes').get() as { n: number }).n);
  }

  /** Decisions, newest first (for audits and tests). */
  decisions(options: { limit?: number; uid?: string } = {}): DecisionRecord[] {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 10_000));
    const rows = (options.uid === undefined
      ? this.stmt('SELECT * FROM decisions ORDER BY id DESC LIMIT ?').all(limit)
      : this.stmt('SELECT * FROM decisions WHERE uid = ? ORDER BY id DESC LIMIT ?').all(options.uid, limit)) as Record<string, string | number>[];
    return rows.map((r) => {
      const data = JSON.parse(String(r.data)) as Pick<DecisionRecord, 'images' | 'reasons'>;
      return {
        uid: String(r.uid), user: String(r.user), operation: String(r.operation), kind: String(r.kind),
        namespace: String(r.namespace), name: String(r.name), images: data.images,
        action: r.action as DecisionRecord['action'], status: r.status as DecisionRecord['status'],
        reasons: data.reasons, dryRun: Number(r.dry_run) === 1, at: new Date(Number(r.at)),
      };
    });
  }

  /** How many scans and decisions the store holds. */
  counts(): { scans: number; decisions: number } {
    const s = this.stmt('SELECT (SELECT count(*) FROM scans) AS scans, (SELECT count(*) FROM decisions) AS decisions').get() as { scans: number; decisions: number };
    return { scans: Number(s.scans), decisions: Number(s.decisions) };
  }

  /** Run `fn` in one transaction: many putScan calls at once cost one commit. */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private maybePrune(): void {
    if (++this.inserts < PRUNE_EVERY) return;
    this.inserts = 0;
    this.prune();
  }

  /** Drop the oldest scans and decisions beyond the limits. */
  prune(): void {
    this.stmt(`DELETE FROM scans WHERE id IN (
      SELECT id FROM scans ORDER BY scanned_at DESC, id DESC LIMIT -1 OFFSET ?)`).run(this.maxScans);
    const newest = this.stmt('SELECT max(id) AS id FROM decisions').get() as { id: number | null };
    if (newest.id !== null) this.stmt('DELETE FROM decisions WHERE id <= ?').run(Number(newest.id) - this.maxDecisions);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
