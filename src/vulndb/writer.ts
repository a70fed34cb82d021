import { rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { encodeAffected } from './payload.ts';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import type { AffectedRecord, EpssRecord, FeedInfo, KevRecord, VulnRecord } from './types.ts';

const MAX_DESCRIPTION = 2000;
const MAX_REFERENCES = 20;

/**
 * Two feeds may describe one vulnerability (OSV and NVD, say): fields are combined, ratings and
 * aliases are unioned per source, and the longer description wins.
 */
export function mergeVuln(a: Omit<VulnRecord, 'id'>, b: Omit<VulnRecord, 'id'>): Omit<VulnRecord, 'id'> {
  const ratings = [...a.ratings];
  for (const r of b.ratings) {
    const same = ratings.findIndex((x) => x.source === r.source && (x.cvss?.version ?? '') === (r.cvss?.version ?? ''));
    if (same < 0) ratings.push(r);
    else if (!ratings[same]!.cvss && r.cvss) ratings[same] = r;
  }
  const union = (x?: string[], y?: string[]) => [...new Set([...(x ?? []), ...(y ?? [])])];
  const out: Omit<VulnRecord, 'id'> = {
    aliases: union(a.aliases, b.aliases),
    ratings,
    sources: union(a.sources, b.sources),
  };
  const title = a.title ?? b.title;
  if (title) out.title = title;
  const description = (b.description?.length ?? 0) > (a.description?.length ?? 0) ? b.description : a.description;
  if (description) out.description = description;
  const published = [a.published, b.published].filter(Boolean).sort()[0];
  if (published) out.published = published;
  const modified = [a.modified, b.modified].filter(Boolean).sort().at(-1);
  if (modified) out.modified = modified;
  const vectors = [...(a.vectors ?? [])];
  for (const v of b.vectors ?? []) if (!vectors.some((x) => x.source === v.source && x.vector === v.vector)) vectors.push(v);
  if (vectors.length) out.vectors = vectors;
  const cwes = union(a.cwes, b.cwes);
  if (cwes.length) out.cwes = cwes;
  const references = union(a.references, b.references).slice(0, MAX_REFERENCES);
  if (references.length) out.references = references;
  return out;
}

function trimVuln(v: VulnRecord): Omit<VulnRecord, 'id'> {
  const { id: _id, ...rest } = v;
  if (rest.description && rest.description.length > MAX_DESCRIPTION) rest.description = `${rest.description.slice(0, MAX_DESCRIPTION - 1)}…`;
  if (rest.references && rest.references.length > MAX_REFERENCES) rest.references = rest.references.slice(0, MAX_REFERENCES);
  return rest;
}

/**
 * Writes a new database file. Build into a temporary path and rename it into place when
 * finish() returns (see build.ts): a reader never sees a half-written database.
 */
export class DbWriter {
  private readonly db: DatabaseSync;
  private readonly path: string;
  private readonly insertAffected: StatementSync;
  private readonly upsertVuln: StatementSync;
  private readonly insertAlias: StatementSync;
  private readonly insertKev: StatementSync;
  private readonly insertKevIfAbsent: StatementSync;
  private readonly insertEpss: StatementSync;
  private readonly insertFeed: StatementSync;
  private pending = 0;
  private finished = false;

  constructor(path: string) {
    rmSync(path, { force: true });
    this.path = path;
    this.db = new DatabaseSync(path);
    // A build is all-or-nothing (the file is renamed into place only when complete), so
    // durability during the build buys nothing and costs most of the build time.
    this.db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;');
    this.db.exec(SCHEMA_SQL);
    this.db.function('merge_vuln', { deterministic: true }, (a: unknown, b: unknown) =>
      JSON.stringify(mergeVuln(JSON.parse(String(a)), JSON.parse(String(b)))));
    this.insertAffected = this.db.prepare(
      // Two sources can repeat a row (a DSA and the tracker): the later one replaces it.
      'INSERT OR REPLACE INTO affected (ecosystem, package, vuln, source, data) VALUES (?, ?, ?, ?, ?)');
    this.upsertVuln = this.db.prepare(
      'INSERT INTO vulns (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = merge_vuln(data, excluded.data)');
    this.insertAlias = this.db.prepare('INSERT OR IGNORE INTO aliases (alias, id) VALUES (?, ?)');
    this.insertKev = this.db.prepare('INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware) VALUES (?, ?, ?, ?)');
    this.insertKevIfAbsent = this.db.prepare('INSERT OR IGNORE INTO kev (cve, date_added, due_date, ransomware) VALUES (?, ?, ?, ?)');
    this.insertEpss = this.db.prepare('INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)');
    this.insertFeed = this.db.prepare('INSERT INTO feeds (kind, location, timestamp, records, skipped) VALUES (?, ?, ?, ?, ?)');
    this.db.exec('BEGIN');
  }

  /** Commit in batches so memory for the open transaction stays bounded. */
  private tick(): void {
    if (++this.pending >= 50_000) {
      this.db.exec('COMMIT; BEGIN');
      this.pending = 0;
    }
  }

  addAffected(r: AffectedRecord): void {
    this.insertAffected.run(r.ecosystem, r.package, r.vulnId, r.source, encodeAffected(r));
    this.tick();
  }

  addVuln(v: VulnRecord): void {
    this.upsertVuln.run(v.id, JSON.stringify(trimVuln(v)));
    for (const alias of v.aliases) if (alias !== v.id) this.insertAlias.run(alias, v.id);
    this.tick();
  }

  /** `replace: false` keeps an entry already there (a secondary source never overrides the catalogue). */
  addKev(k: KevRecord, replace = true): void {
    (replace ? this.insertKev : this.insertKevIfAbsent).run(k.cve, k.dateAdded, k.dueDate ?? null, k.knownRansomwareCampaignUse ? 1 : 0);
    this.tick();
  }

  addEpss(e: EpssRecord): void {
    this.insertEpss.run(e.cve, e.score, e.percentile);
    this.tick();
  }

  addFeed(f: FeedInfo): void {
    this.insertFeed.run(f.kind, f.location, f.timestamp ?? null, f.records, f.skipped);
  }

  /** Remove every row about these vulnerabilities (rejected CVEs), whichever feed wrote it. */
  dropVulns(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const list = JSON.stringify(ids);
    this.db.prepare('DELETE FROM affected WHERE vuln IN (SELECT value FROM json_each(?))').run(list);
    this.db.prepare('DELETE FROM vulns WHERE id IN (SELECT value FROM json_each(?))').run(list);
    this.db.prepare('DELETE FROM aliases WHERE id IN (SELECT value FROM json_each(?))').run(list);
  }

  /** Size of the finished file. */
  bytes(): number {
    return statSync(this.path).size;
  }

  /** Record build metadata, compact the file and close it. */
  finish(meta: { builtAt: string; toolVersion: string }): void {
    const set = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    set.run('schema', String(SCHEMA_VERSION));
    set.run('built_at', meta.builtAt);
    set.run('tool_version', meta.toolVersion);
    this.db.exec('COMMIT');
    this.db.exec('ANALYZE; VACUUM;');
    this.db.close();
    this.finished = true;
  }

  /** Abandon the build: close and delete the partial file. */
  abort(): void {
    if (this.finished) return;
    try {
      this.db.close();
    } catch {
      // already closed
    }
    rmSync(this.path, { force: true });
  }
}
