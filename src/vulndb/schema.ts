/**
 * The database is one SQLite file. Bump SCHEMA_VERSION on any change a reader must know about;
 * readers refuse other versions with a clear message rather than misreading them.
 *
 * Rows that the matcher reads in bulk hold a compact JSON payload: the matcher needs all of it
 * for every candidate row, and one column parse is cheaper than many column reads.
 */
/**
 * 2: compact ranges in `affected.data` (payload.ts); `vectors` in vulnerability records.
 * 3: `vulns.data` is JSON text or raw-deflated JSON (payload.ts).
 */
export const SCHEMA_VERSION = 3;

export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE feeds (
  kind TEXT NOT NULL, location TEXT NOT NULL, timestamp TEXT, records INTEGER NOT NULL, skipped INTEGER NOT NULL
);
-- One row per (ecosystem, package, vulnerability, source), clustered by the lookup key.
CREATE TABLE affected (
  ecosystem TEXT NOT NULL,
  package TEXT NOT NULL,
  vuln TEXT NOT NULL,
  source TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (ecosystem, package, vuln, source)
) WITHOUT ROWID;
-- A rowid table: records average over a kilobyte, and WITHOUT ROWID tables move anything
-- past about a quarter page into overflow pages that are mostly empty. \`data\` is the record's
-- JSON, as TEXT or raw-deflated as a BLOB (see payload.ts).
CREATE TABLE vulns (id TEXT PRIMARY KEY, data NOT NULL);
CREATE TABLE aliases (alias TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (alias, id)) WITHOUT ROWID;
CREATE TABLE kev (cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT, ransomware INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
`;
