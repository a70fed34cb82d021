/** Small normalisations every feed needs: timestamps, IDs, severity labels. */
import type { Severity } from '../../match/types.ts';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO 8601 UTC (`2024-01-26T09:15:07.637Z`) from the forms feeds use: with or without zone (NVD
 * writes none and means UTC), `+0000` zones (EPSS), date only (KEV). Undefined for anything else,
 * and for Go vulndb's placeholder `0001-01-01T00:00:00Z`, which means "no date".
 */
export function isoTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIMESTAMP.exec(value.trim());
  if (!m) return undefined;
  if (Number(m[1]) < 1970) return undefined;
  let zone = m[8] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const text = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? ''}${zone}`;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const CVE = /^CVE-\d{4}-\d{4,}$/;
/** IDs some databases derive from a CVE: DEBIAN-CVE-…, UBUNTU-CVE-…, ALPINE-CVE-…, CVE-…. */
const CVE_DERIVED = /^(?:[A-Z]+-)?(CVE-\d{4}-\d{4,})$/;
/** A CVE somewhere in free text: `CVE-2016-9932 XSA-200`, `CVE_2019-2426`, `CVE-2019-19451.patch`. */
const CVE_IN_TEXT = /CVE[-_](\d{4})-(\d{4,})/g;

export function isCve(id: string): boolean {
  return CVE.test(id);
}

/** The CVE an ID is or is derived from (`UBUNTU-CVE-2021-3782` → `CVE-2021-3782`). */
export function cveOf(id: string): string | undefined {
  return CVE_DERIVED.exec(id)?.[1];
}

/** Every CVE a free-text token mentions, normalised and de-duplicated. */
export function cvesInText(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(CVE_IN_TEXT)) out.add(`CVE-${m[1]}-${m[2]}`);
  return [...out];
}

/**
 * Severity from a publisher's label: CVSS ratings (`CRITICAL`…`NONE`), GHSA's `MODERATE`, Red
 * Hat's `Important`/`Moderate`, Ubuntu's `negligible`, Debian's urgencies (`unimportant`,
 * `low**` — the stars mark an urgency copied from NVD). Undefined when the label says nothing
 * (`not yet assigned`, `end-of-life`, `untriaged`).
 */
export function severityOfLabel(label: unknown): Severity | undefined {
  if (typeof label !== 'string') return undefined;
  switch (label.trim().replace(/\*+$/, '').toLowerCase()) {
    case 'critical':
      return 'CRITICAL';
    case 'high':
    case 'important':
      return 'HIGH';
    case 'medium':
    case 'moderate':
      return 'MEDIUM';
    case 'low':
    case 'negligible':
    case 'unimportant':
    case 'none':
      return 'LOW';
    default:
      return undefined;
  }
}

/** Strings of a JSON value that should be a string array; anything else is ignored. */
export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The English text of a list of `{lang, value}` (NVD descriptions, CVE 5 descriptions), else the first. */
export function englishText(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const entries = list.filter(isObject);
  const en = entries.find((d) => typeof d.lang === 'string' && /^en\b/i.test(d.lang)) ?? entries[0];
  return str(en?.value)?.trim() || undefined;
}

export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
