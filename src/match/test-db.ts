/** Test helper: a real database file written from literal rows (DbWriter), opened with VulnDb. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbWriter, VulnDb } from '../vulndb/index.ts';
import type { AffectedRecord, EpssRecord, KevRecord, VulnRecord } from '../vulndb/index.ts';

export interface Rows {
  affected?: AffectedRecord[];
  vulns?: VulnRecord[];
  kev?: KevRecord[];
  epss?: EpssRecord[];
  builtAt?: string;
}

export function literalDb(rows: Rows): { db: VulnDb; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-match-'));
  const path = join(dir, 'test.db');
  const w = new DbWriter(path);
  for (const r of rows.affected ?? []) w.addAffected(r);
  for (const v of rows.vulns ?? []) w.addVuln(v);
  for (const k of rows.kev ?? []) w.addKev(k);
  for (const e of rows.epss ?? []) w.addEpss(e);
  const kinds = new Set([...(rows.affected ?? []).map((r) => r.source), ...(rows.vulns ?? []).flatMap((v) => v.sources)]);
  for (const kind of kinds) w.addFeed({ kind, location: 'literal', records: 1, skipped: 0 });
  w.finish({ builtAt: rows.builtAt ?? '2026-11-20T06:00:00.000Z', toolVersion: 'test' });
  const db = VulnDb.open(path);
  return { db, cleanup: () => { db.close(); rmSync(dir, { recursive: true, force: true }); } };
}
