import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { DbError } from '../errors.ts';
import { decodeAffected, unpackVuln } from './payload.ts';
import { SCHEMA_VERSION } from './schema.ts';
import type { AffectedRecord, DbInfo, EpssRecord, FeedInfo, KevRecord, VulnRecord } from './types.ts';

interface AffectedRow { package: string; vuln: string; source: string; data: string }

/**
 * Read access to a built database. Lookups take lists (one query per ecosystem, not per
 * package) because matching 2,000 packages must take milliseconds.
 */
export class VulnDb {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly affectedStmt: StatementSync;
  private readonly vulnStmt: StatementSync;
  private readonly kevStmt: StatementSync;
  private readonly epssStmt: StatementSync;
  private readonly aliasStmt: StatementSync;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
    this.affectedStmt = db.prepare(
      'SELECT package, vuln, source, data FROM affected WHERE ecosystem = ? AND package IN (SELECT value FROM json_each(?))');
    this.vulnStmt = db.prepare('SELECT id, data FROM vulns WHERE id IN (SELECT value FROM json_each(?))');
    this.kevStmt = db.prepare('SELECT cve, date_added, due_date, ransomware FROM kev WHERE cve IN (SELECT value FROM json_each(?))');
    this.epssStmt = db.prepare('SELECT cve, score, percentile FROM epss WHERE cve IN (SELECT value FROM json_each(?))');
    this.aliasStmt = db.prepare('SELECT alias, id FROM aliases WHERE alias IN (SELECT value FROM json_each(?))');
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

  info(): DbInfo {
    try {
      return this.readInfo();
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

  /** Affected rows for these package names in one ecosystem, by package name. */
  affected(ecosystem: string, packages: readonly string[]): Map<string, AffectedRecord[]> {
    const out = new Map<string, AffectedRecord[]>();
    if (packages.length === 0) return out;
    for (const row of this.affectedStmt.all(ecosystem, JSON.stringify(packages)) as unknown as AffectedRow[]) {
      const rec = decodeAffected(ecosystem, row.package, row.vuln, row.source, row.data);
      const list = out.get(row.package);
      if (list) list.push(rec);
      else out.set(row.package, [rec]);
    }
    return out;
  }

  vulns(ids: readonly string[]): Map<string, VulnRecord> {
    const out = new Map<string, VulnRecord>();
    if (ids.length === 0) return out;
    for (const row of this.vulnStmt.all(JSON.stringify(ids)) as { id: string; data: string | Uint8Array }[]) {
      try {
        out.set(row.id, unpackVuln(row.id, row.data));
      } catch (err) {
        throw new DbError('BAD_DB', `${this.path}: the record of ${row.id} is damaged (${(err as Error).message}); rebuild or update the database`, { cause: err });
      }
    }
    return out;
  }

  /** Canonical IDs for aliases (GHSA-… → CVE-…). */
  aliasesOf(ids: readonly string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    for (const row of this.aliasStmt.all(JSON.stringify(ids)) as { alias: string; id: string }[]) {
      const list = out.get(row.alias);
      if (list) list.push(row.id);
      else out.set(row.alias, [row.id]);
    }
    return out;
  }

  kev(cves: readonly string[]): Map<string, KevRecord> {
    const out = new Map<string, KevRecord>();
    if (cves.length === 0) return out;
    for (const r of this.kevStmt.all(JSON.stringify(cves)) as { cve: string; date_added: string; due_date: string | null; ransomware: number }[]) {
      out.set(r.cve, { cve: r.cve, dateAdded: r.date_added, ...(r.due_date ? { dueDate: r.due_date } : {}), knownRansomwareCampaignUse: r.ransomware === 1 });
    }
    return out;
  }

  epss(cves: readonly string[]): Map<string, EpssRecord> {
    const out = new Map<string, EpssRecord>();
    if (cves.length === 0) return out;
    for (const r of this.epssStmt.all(JSON.stringify(cves)) as unknown as EpssRecord[]) out.set(r.cve, { cve: r.cve, score: r.score, percentile: r.percentile });
    return out;
  }

  close(): void {
    this.db.close();
  }
}
