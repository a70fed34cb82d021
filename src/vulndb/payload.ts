/**
 * Row payloads. An `affected` row holds compact JSON. Most rows are one range "introduced 0, fixed X"
 * (or "introduced 0", still open), so ranges are written as short arrays —
 * `["E","i:0","f:1.2-3"]` rather than `{"type":"ECOSYSTEM","events":[...]}` — which halves the
 * size of the largest table; reading restores the AffectedRecord shape exactly.
 */
import { inflateRawSync } from 'node:zlib';
import type { Severity } from '../match/types.ts';
import type { AffectedRange, AffectedRecord, RangeEvent, VulnRecord } from './types.ts';

type EventKey = keyof RangeEvent;
const EVENT_CODES: Record<EventKey, string> = { introduced: 'i', fixed: 'f', last_affected: 'l', limit: 'x' };
const EVENT_KEYS: Record<string, EventKey> = { i: 'introduced', f: 'fixed', l: 'last_affected', x: 'limit' };

/** `f: 1`: the fixed version is the only `fixed` event of the only range (most rows), not written twice. */
interface Payload { s: AffectedRecord['status']; r?: string[][]; v?: string[]; f?: string | 1; sev?: Severity; a?: string }

function onlyFixed(ranges: string[][] | undefined): string | undefined {
  if (ranges?.length !== 1) return undefined;
  const fixed = ranges[0]!.filter((e, i) => i > 0 && e.startsWith('f:'));
  return fixed.length === 1 ? fixed[0]!.slice(2) : undefined;
}

function encodeRange(range: AffectedRange): string[] {
  const out = [range.type === 'SEMVER' ? 'S' : 'E'];
  for (const e of range.events) {
    for (const key of Object.keys(EVENT_CODES) as EventKey[]) {
      const v = e[key];
      if (v !== undefined) out.push(`${EVENT_CODES[key]}:${v}`);
    }
  }
  return out;
}

/** One literal per kind: every event of a kind then has the same shape. */
function eventOf(key: EventKey, v: string): RangeEvent {
  switch (key) {
    case 'introduced': return { introduced: v };
    case 'fixed': return { fixed: v };
    case 'last_affected': return { last_affected: v };
    case 'limit': return { limit: v };
  }
}

function decodeRange(r: string[]): AffectedRange {
  const events: RangeEvent[] = [];
  for (let i = 1; i < r.length; i++) {
    const e = r[i]!;
    const key = EVENT_KEYS[e.charAt(0)];
    if (key) events.push(eventOf(key, e.slice(2)));
  }
  return { type: r[0] === 'S' ? 'SEMVER' : 'ECOSYSTEM', events };
}

/** The record minus its key columns, with empty fields left out. */
export function encodeAffected(r: AffectedRecord): string {
  const p: Payload = { s: r.status };
  if (r.ranges?.length) p.r = r.ranges.map(encodeRange);
  if (r.versions?.length) p.v = r.versions;
  if (r.fixed) p.f = onlyFixed(p.r) === r.fixed ? 1 : r.fixed;
  if (r.severity) p.sev = r.severity;
  if (r.advisory) p.a = r.advisory;
  return JSON.stringify(p);
}

/** What one `affected` payload says, without the row's key. */
export type AffectedPayload = Pick<AffectedRecord, 'status' | 'ranges' | 'versions' | 'fixed' | 'severity' | 'advisory'>;

export function decodePayload(data: string): AffectedPayload {
  const d = JSON.parse(data) as Payload;
  const out: AffectedPayload = { status: d.s };
  if (d.r) out.ranges = d.r.map(decodeRange);
  if (d.v) out.versions = d.v;
  if (d.f === 1) out.fixed = onlyFixed(d.r);
  else if (d.f) out.fixed = d.f;
  if (d.sev) out.severity = d.sev;
  if (d.a) out.advisory = d.a;
  return out;
}

/** A row from its key and its decoded payload; the record shares the payload's arrays. */
export function affectedRecord(ecosystem: string, pkg: string, vulnId: string, source: string, p: AffectedPayload): AffectedRecord {
  const rec: AffectedRecord = { ecosystem, package: pkg, vulnId, source, status: p.status };
  if (p.ranges) rec.ranges = p.ranges;
  if (p.versions) rec.versions = p.versions;
  if ('fixed' in p) rec.fixed = p.fixed;
  if (p.severity) rec.severity = p.severity;
  if (p.advisory) rec.advisory = p.advisory;
  return rec;
}

export function decodeAffected(ecosystem: string, pkg: string, vulnId: string, source: string, data: string): AffectedRecord {
  return affectedRecord(ecosystem, pkg, vulnId, source, decodePayload(data));
}

/** Largest vulnerability record a reader inflates (the writer caps descriptions and references). */
const MAX_VULN_JSON = 1 << 20;

/**
 * A `vulns.data` value: the record's JSON (without its key) as TEXT, or that JSON raw-deflated
 * as a BLOB. The builder writes TEXT: deflating each record makes the file about 12% smaller
 * but the zstd-compressed artifact `db push` sends 60% larger, since zstd finds far more to
 * share across records than deflate finds within one. Readers take both.
 */
export function unpackVuln(id: string, data: string | Uint8Array): VulnRecord {
  const json = typeof data === 'string' ? data : inflateRawSync(data, { maxOutputLength: MAX_VULN_JSON }).toString('utf8');
  return { id, ...(JSON.parse(json) as Omit<VulnRecord, 'id'>) };
}
