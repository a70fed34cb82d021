import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { DbError } from '../errors.ts';
import { affectedRecord, decodePayload, unpackVuln } from './payload.ts';
import type { AffectedPayload } from './payload.ts';
import { SCHEMA_VERSION } from './schema.ts';
import type { AffectedRecord, DbInfo, EpssRecord, FeedInfo, KevRecord, VulnRecord } from './types.ts';

type AffectedRow = [pkg: string, vuln: string, source: string, data: string];
type KevEpssRow = [cve: string, dateAdded: string | null, dueDate: string | null, ransomware: number | null, score: number | null, percentile: number | null];

/**
 * IDs as the JSON array the queries read with json_each, each once: a repeated one would repeat
 * its rows. (Lookups that fill a map by ID take the list as it is: a repeat only sets a key again.)
 */
function idList(ids: readonly string[]): string {
  const unique = new Set(ids);
  return JSON.stringify(unique.size === ids.length ? ids : [...unique]);
}

/**
 * Read access to a built database. Lookups take lists (one query per ecosystem, not per
 * package) because matching 2,000 packages must take milliseconds (bench/match.ts). The
 * queries walk the list and probe the table's key for each entry (a join on json_each, which
 * SQLite runs in list order, rather than `IN (SELECT ...)`, which first builds and sorts a
 * temporary index of the list), and return rows as arrays (no object per row).
 */
function kevRecord(cve: string, dateAdded: string, dueDate: string | null, ransomware: number): KevRecord {
  const out: KevRecord = { cve, dateAdded };
  if (dueDate) out.dueDate = dueDate;
  out.knownRansomwareCampaignUse = ransomware === 1;
  return out;
}

export class VulnDb {
  readonly path: string;
  private readonly db: DatabaseSync;
  private cachedInfo: DbInfo | undefined;
  private readonly affectedStmt: StatementSync;
  private readonly vulnStmt: StatementSync;
  private readonly kevStmt: StatementSync;
  private readonly epssStmt: StatementSync;
  private readonly kevEpssStmt: StatementSync;
  private readonly aliasStmt: StatementSync;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
    const arrays = (sql: string): StatementSync => {
      const stmt = db.prepare(sql);
      stmt.setReturnArrays(true);
      return stmt;
    };
    this.affectedStmt = arrays(
      'SELECT a.package, a.vuln, a.source, a.data FROM json_each(?2) AS j JOIN affected AS a ON a.ecosystem = ?1 AND a.package = j.value');
    this.vulnStmt = arrays('SELECT v.id, v.data FROM json_each(?) AS j JOIN vulns AS v ON v.id = j.value');
    this.kevStmt = arrays('SELECT k.cve, k.date_added, k.due_date, k.ransomware FROM json_each(?) AS j JOIN kev AS k ON k.cve = j.value');
    this.epssStmt = arrays('SELECT e.cve, e.score, e.percentile FROM json_each(?) AS j JOIN epss AS e ON e.cve = j.value');
    this.kevEpssStmt = arrays(
      'SELECT j.value, k.date_added, k.due_date, k.ransomware, e.score, e.percentile FROM json_each(?) AS j ' +
      'LEFT JOIN kev AS k ON k.cve = j.value LEFT JOIN epss AS e ON e.cve = j.value WHERE k.cve IS NOT NULL OR e.cve IS NOT NULL');
    this.aliasStmt = arrays('SELECT a.alias, a.id FROM json_each(?) AS j JOIN aliases AS a ON a.alias = j.value');
  }

  static open(path: string): VulnDb {
    if (!existsSync(path)) {
      throw new DbError('NO_DB', `no vulnerability database at ${path}; build one with "portcullis db build" or fetch one with "portcullis db update" / "db pull"`);
    }
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { readOnly: true });
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      const schema = Number(row?.value);
      if (schema !== SCHEMA_VERSION) {
        db.close();
        throw new DbError('DB_SCHEMA', `${path} has database schema ${row?.value ?? 'unknown'}, this portcullis reads schema ${SCHEMA_VERSION}; rebuild or update the database`);
      }
    } catch (err) {
      if (err instanceof DbError) throw err;
      throw new DbError('BAD_DB', `${path} is not a Portcullis vulnerability database (${(err as Error).message})`);
    }
    return new VulnDb(path, db);
  }

  /**
   * Build facts and counts. A database file never changes once built (updates write a new file
   * and rename it into place; an open handle keeps reading the old one), so they are read once:
   * the counts alone cost milliseconds, and the gate and webhook ask for every image.
   */
  info(): DbInfo {
    try {
      this.cachedInfo ??= this.readInfo();
      return structuredClone(this.cachedInfo);
    } catch (err) {
      if (err instanceof DbError) throw err;
      throw new DbError('BAD_DB', `${this.path} is damaged (${(err as Error).message}); rebuild or update the database`);
    }
  }

  private readInfo(): DbInfo {
    const meta = new Map((this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    const feeds = (this.db.prepare('SELECT kind, location, timestamp, records, skipped FROM feeds ORDER BY rowid').all() as unknown as FeedInfo[])
      .map((f) => ({ ...f, ...(f.timestamp === null ? { timestamp: undefined } : {}) }));
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      schema: Number(meta.get('schema')),
      builtAt: meta.get('built_at') ?? '',
      toolVersion: meta.get('tool_version') ?? '',
      feeds,
      counts: { vulnerabilities: count('vulns'), affected: count('affected'), kev: count('kev'), epss: count('epss') },
    };
  }

  /**
   * Affected rows for these package names in one ecosystem, by package name. Rows with the same
   * payload (the CVEs one advisory fixed in one package) are decoded once and share their
   * `ranges` and `versions` arrays, which callers must treat as read-only.
   */
  affected(ecosystem: string, packages: readonly string[]): Map<string, AffectedRecord[]> {
    const out = new Map<string, AffectedRecord[]>();
    if (packages.length === 0) return out;
    const payloads = new Map<string, AffectedPayload>();
    for (const [pkg, vuln, source, data] of this.affectedStmt.all(ecosystem, idList(packages)) as unknown as AffectedRow[]) {
      let payload = payloads.get(data);
      if (!payload) payloads.set(data, (payload = decodePayload(data)));
      const rec = affectedRecord(ecosystem, pkg, vuln, source, payload);
      const list = out.get(pkg);
      if (list) list.push(rec);
      else out.set(pkg, [rec]);
    }
    return out;
  }

  vulns(ids: readonly string[]): Map<string, VulnRecord> {
    const out = new Map<string, VulnRecord>();
    if (ids.length === 0) return out;
    for (const [id, data] of this.vulnStmt.all(JSON.stringify(ids)) as unknown as [string, string | Uint8Array][]) {
      try {
        out.set(id, unpackVuln(id, data));
      } catch (err) {
        throw new DbError('BAD_DB', `${this.path}: the record of ${id} is damaged (${(err as Error).message}); rebuild or update the database`, { cause: err });
      }
    }
    return out;
  }

  /** Canonical IDs for aliases (GHSA-… → CVE-…). */
  aliasesOf(ids: readonly string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    for (const [alias, id] of this.aliasStmt.all(idList(ids)) as unknown as [string, string][]) {
      const list = out.get(alias);
      if (list) list.push(id);
      else out.set(alias, [id]);
    }
    return out;
  }

  kev(cves: readonly string[]): Map<string, KevRecord> {
    const out = new Map<string, KevRecord>();
    if (cves.length === 0) return out;
    for (const [cve, dateAdded, dueDate, ransomware] of this.kevStmt.all(JSON.stringify(cves)) as unknown as [string, string, string | null, number][]) {
      out.set(cve, kevRecord(cve, dateAdded, dueDate, ransomware));
    }
    return out;
  }

  epss(cves: readonly string[]): Map<string, EpssRecord> {
    const out = new Map<string, EpssRecord>();
    if (cves.length === 0) return out;
    for (const [cve, score, percentile] of this.epssStmt.all(JSON.stringify(cves)) as unknown as [string, number, number][]) out.set(cve, { cve, score, percentile });
    return out;
  }

  /** `kev` and `epss` in one query: one walk of the list, two key probes per CVE. */
  kevAndEpss(cves: readonly string[]): { kev: Map<string, KevRecord>; epss: Map<string, EpssRecord> } {
    const kev = new Map<string, KevRecord>();
    const epss = new Map<string, EpssRecord>();
    if (cves.length === 0) return { kev, epss };
    for (const [cve, dateAdded, dueDate, ransomware, score, percentile] of this.kevEpssStmt.all(JSON.stringify(cves)) as unknown as KevEpssRow[]) {
      if (dateAdded !== null) kev.set(cve, kevRecord(cve, dateAdded, dueDate, ransomware ?? 0));
      if (score !== null) epss.set(cve, { cve, score, percentile: percentile! });
    }
    return { kev, epss };
  }

  close(): void {
    this.db.close();
  }
}
