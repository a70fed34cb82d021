/**
 * Image (or stored inventory) in, findings out: the inventory stage, then matching against the
 * vulnerability database, with what the report needs to say about the database and the OS.
 * Filtering, suppression, the summary and the verdict are the policy stage's (decideScan).
 */
import { matchInventory, isEndOfLife, endOfLife } from '../match/index.ts';
import type { ScanResult } from '../report/index.ts';
import { DEFAULT_DB_MAX_AGE, VulnDb, dbAgeWarning, parseDuration } from '../vulndb/index.ts';
import { inventoryImage } from './inventory.ts';
import type { InventoryRunOptions } from './inventory.ts';

export interface MatchRunOptions {
  /** The clock: end of life and the database's age are judged against it. */
  now?: () => Date;
  /** Warn when the database is older than this (milliseconds; 0 turns it off). Default 120 hours. */
  dbMaxAgeMs?: number;
}

export interface ScanOptions extends InventoryRunOptions, MatchRunOptions {
  /** An open database, or the path of one (opened, and closed when the scan ends). */
  db: VulnDb | string;
}

/**
 * Match a partial result (an image's inventory, or one read back from an SBOM) against a
 * database: adds `findings`, `db`, `os.eol` and warnings (an old database, packages that could
 * not be matched). The input is not modified.
 */
export function scanInventory(result: ScanResult, db: VulnDb, options: MatchRunOptions = {}): ScanResult {
  const now = options.now?.() ?? new Date();
  const warnings = [...(result.warnings ?? [])];
  const info = db.info();
  const ageWarning = dbAgeWarning(info, options.dbMaxAgeMs ?? parseDuration(DEFAULT_DB_MAX_AGE), now);
  if (ageWarning) warnings.push(ageWarning);
  const findings = matchInventory(result.packages, result.os, db, { now, onWarning: (m) => warnings.push(m) });
  const out: ScanResult = {
    ...result,
    db: { builtAt: info.builtAt, sources: [...new Set(info.feeds.map((f) => f.kind))].sort(), schema: info.schema },
    findings,
  };
  if (result.os) {
    const { eol: _old, ...os } = result.os;
    const eolDate = endOfLife(os);
    out.os = eolDate === undefined ? os : { ...os, eol: isEndOfLife(os, now) };
    if (out.os.eol) warnings.push(`${os.family} ${os.version} reached its end of life on ${eolDate}: it gets no more security fixes`);
  }
  delete out.summary;
  delete out.verdict;
  delete out.suppressed;
  if (warnings.length > 0) out.warnings = warnings;
  else delete out.warnings;
  return out;
}

/**
 * Scan an image: open the database first (no database, no pull), then inventory the image and
 * match it. The reference is any form `inventoryImage` takes (registry, oci:, oci-archive:,
 * docker-archive:).
 */
export async function scanImage(reference: string, options: ScanOptions): Promise<ScanResult> {
  const own = typeof options.db === 'string';
  const db = typeof options.db === 'string' ? VulnDb.open(options.db) : options.db;
  try {
    const run = await inventoryImage(reference, options);
    return scanInventory(run.result, db, options);
  } finally {
    if (own) db.close();
  }
}
