/**
 * The store is one SQLite file, opened by several processes: the webhook replicas read scans and
 * append decisions, `scan --store` and `gate --store` add scans. WAL lets readers run while one
 * writer writes; `busy_timeout` makes a second writer wait instead of failing.
 *
 * The schema version is SQLite's `user_version`. Bump SCHEMA_VERSION on any change a reader must
 * know about; a store of another version is refused with a clear message, never misread.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
-- One row per (digest, manifest digest): the newest scan of that image for that platform.
-- Findings are stored before the policy's Exceptions and filters, so that status is computed
-- at decision time with the policy then in force.
CREATE TABLE scans (
  id INTEGER PRIMARY KEY,
  digest TEXT NOT NULL,
  manifest_digest TEXT NOT NULL,
  image TEXT NOT NULL,
  platform TEXT,
  scanned_at INTEGER NOT NULL,
  db_built_at INTEGER,
  data TEXT NOT NULL,
  UNIQUE (digest, manifest_digest)
);
CREATE INDEX scans_by_digest ON scans (digest, scanned_at);
CREATE INDEX scans_by_manifest ON scans (manifest_digest, scanned_at);
CREATE INDEX scans_by_time ON scans (scanned_at);

-- The audit trail: every admission decision, who asked, what, which images, the verdict, why.
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  uid TEXT NOT NULL,
  user TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  dry_run INTEGER NOT NULL,
  data TEXT NOT NULL
);
-- No index on uid: a random key would scatter every batch of inserts over the whole index
-- (many WAL pages per commit); audits look decisions up by time (the rowid order) or scan.
`;

/**
 * A counter every change to \`scans\` moves (triggers, so every writer's changes count, whichever
 * portcullis wrote them). The webhook reads it to know whether the scans it judged may have
 * changed; SQLite's data_version alone moves with every commit, and the webhook's own decision
 * writer commits many times a second. Additive: created on open in stores made before it
 * (same schema version; an older portcullis ignores it and its triggers keep it right).
 */
export const SCAN_CHANGES_SQL = `
CREATE TABLE IF NOT EXISTS scan_changes (n INTEGER NOT NULL);
INSERT INTO scan_changes (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM scan_changes);
CREATE TRIGGER IF NOT EXISTS scans_inserted AFTER INSERT ON scans BEGIN UPDATE scan_changes SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS scans_updated AFTER UPDATE ON scans BEGIN UPDATE scan_changes SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS scans_deleted AFTER DELETE ON scans BEGIN UPDATE scan_changes SET n = n + 1; END;
`;
