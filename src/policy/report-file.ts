import { PolicyError } from '../errors.ts';
import { SEVERITIES } from '../match/types.ts';
import type { ScanResult } from '../report/types.ts';
import { readTextFile } from './read-file.ts';
import { join, JsonChecker } from './vex/json-check.ts';
import type { Json } from './vex/json-check.ts';

/**
 * A stored JSON report (`portcullis scan --format json`), read back to decide again
 * (`policy explain`, the store). Its shape is checked where decisions read it, so a damaged or
 * foreign file is a clear error rather than a wrong decision.
 */

export const MAX_REPORT_BYTES = 128 * 1024 * 1024;
const MAX_ITEMS = 1_000_000;
const FINDING_STATUSES = ['fixed', 'affected', 'will_not_fix', 'end_of_life'];

export function parseScanReport(text: string, file: string): ScanResult {
  const c = new JsonChecker(file, 'REPORT_INVALID');
  const doc = c.object(c.parse(text, 'scan report'), '');
  if (doc.schemaVersion !== 1) c.fail('schemaVersion', 'must be 1: is this a Portcullis JSON report (scan --format json)?');
  const artifact = c.object(doc.artifact, 'artifact');
  c.string(artifact.name, 'artifact.name', 4096);
  c.optionalString(artifact, 'digest', 'artifact', 256);
  c.array(doc.packages ?? [], 'packages', MAX_ITEMS);
  const finding = (v: Json | undefined, path: string): void => {
    const f = c.object(v, path);
    for (const k of ['id', 'package', 'installedVersion']) c.string(f[k], join(path, k), 4096);
    const severity = c.string(f.severity, join(path, 'severity'), 16);
    if (!(SEVERITIES as readonly string[]).includes(severity)) c.fail(join(path, 'severity'), `must be one of ${SEVERITIES.join(', ')}`);
    const status = c.string(f.status, join(path, 'status'), 32);
    if (!FINDING_STATUSES.includes(status)) c.fail(join(path, 'status'), `must be one of ${FINDING_STATUSES.join(', ')}`);
    c.array(f.aliases, join(path, 'aliases'), 1000).forEach((a, i) => c.string(a, join(join(path, 'aliases'), i), 256));
    c.array(f.sources, join(path, 'sources'), 100);
    c.array(f.cvss, join(path, 'cvss'), 100).forEach((x, i) => {
      const cv = c.object(x, join(join(path, 'cvss'), i));
      if (typeof cv.score !== 'number') c.fail(join(join(join(path, 'cvss'), i), 'score'), 'must be a number');
      c.string(cv.version, join(join(join(path, 'cvss'), i), 'version'), 8);
    });
    if (typeof f.kev !== 'boolean') c.fail(join(path, 'kev'), 'must be true or false');
    if (f.epss !== undefined && typeof f.epss !== 'number') c.fail(join(path, 'epss'), 'must be a number');
  };
  if (doc.findings !== undefined) c.array(doc.findings, 'findings', MAX_ITEMS).forEach((f, i) => finding(f, join('findings', i)));
  if (doc.suppressed !== undefined) {
    c.array(doc.suppressed, 'suppressed', MAX_ITEMS).forEach((s, i) => {
      const o = c.object(s, join('suppressed', i));
      finding(o.finding, join(join('suppressed', i), 'finding'));
      c.string(o.kind, join(join('suppressed', i), 'kind'), 32);
      c.string(o.by, join(join('suppressed', i), 'by'));
    });
  }
  if (doc.db !== undefined) c.optionalTime(c.object(doc.db, 'db'), 'builtAt', 'db');
  c.time(doc.createdAt, 'createdAt');
  return doc as unknown as ScanResult;
}

export async function readScanReport(path: string): Promise<ScanResult> {
  const text = await readTextFile(path, MAX_REPORT_BYTES, 'scan report', 'REPORT');
  try {
    return parseScanReport(text, path);
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    throw new PolicyError('REPORT_INVALID', `${path}: ${(err as Error).message}`, { cause: err });
  }
}
