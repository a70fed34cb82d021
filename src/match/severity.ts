/**
 * Severity precedence (docs/vulndb.md "Severity precedence"). One severity is chosen per
 * finding, and every source's own is kept beside it:
 *
 * 1. OS packages: the distribution's own severity — the urgency/priority on the distribution
 *    source's row for this package (Debian tracker urgency, Ubuntu priority, AlmaLinux/Rocky
 *    erratum severity), else the distribution's rating of the vulnerability.
 *    Language packages: GitHub's (GHSA) severity.
 * 2. NVD's.
 * 3. Any other CVSS rating (the CNA's, CISA's ADP, another database's): the highest score of
 *    the newest CVSS version published (3.x, then 4.0, then 2.0).
 * 4. Any other source's label (PyPA, Go, ...); else UNKNOWN.
 *
 * Within one source that rated several CVSS versions, its v3.x label speaks first, then v4.0,
 * then v2.0 — the order NVD and most tools have used since v3.
 */
import type { Rating } from '../vulndb/index.ts';
import type { Cvss, Severity } from './types.ts';

/** Plain code-point order: the same in every locale, and far cheaper than localeCompare. */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const VERSION_RANK: Record<string, number> = { '3.1': 0, '3.0': 0, '4.0': 1, '2.0': 2 };
const versionRank = (r: Rating): number => (r.cvss ? (VERSION_RANK[r.cvss.version] ?? 3) : 4);

/** The severity a source gives: its label on its preferred CVSS version, else any label it has. */
function sourceSeverity(ratings: readonly Rating[]): Severity | undefined {
  const labelled = ratings.filter((r) => r.severity).sort((a, b) => versionRank(a) - versionRank(b));
  return labelled[0]?.severity;
}

function bySource(ratings: readonly Rating[]): Map<string, Rating[]> {
  const out = new Map<string, Rating[]>();
  for (const r of ratings) {
    const list = out.get(r.source);
    if (list) list.push(r);
    else out.set(r.source, [r]);
  }
  return out;
}

export interface SeverityInput {
  ratings: readonly Rating[];
  /** The distribution's severity for this package (OS packages), from its affected row. */
  distribution?: { source: string; severity?: Severity };
  /** OS: the distribution's name as ratings name it; language: undefined. */
  vendor?: string;
  kind: 'os' | 'language';
}

export interface SeverityChoice {
  severity: Severity;
  /** Who it came from. */
  source?: string;
  severities: { source: string; severity: Severity }[];
}

export function chooseSeverity(input: SeverityInput): SeverityChoice {
  const sources = bySource(input.ratings);
  const severities: { source: string; severity: Severity }[] = [];
  if (input.distribution?.severity) severities.push({ source: input.distribution.source, severity: input.distribution.severity });
  for (const [source, list] of sources) {
    const s = sourceSeverity(list);
    if (s && !severities.some((x) => x.source === source)) severities.push({ source, severity: s });
  }
  const pick = (source: string | undefined): SeverityChoice | undefined => {
    const hit = source === undefined ? undefined : severities.find((x) => x.source === source);
    return hit ? { severity: hit.severity, source: hit.source, severities } : undefined;
  };
  const first = input.kind === 'os' ? (pick(input.distribution?.source) ?? pick(input.vendor)) : pick('ghsa');
  if (first) return first;
  const nvd = pick('nvd');
  if (nvd) return nvd;
  const scored = input.ratings
    .filter((r): r is Rating & { cvss: Cvss; severity: Severity } => r.cvss !== undefined && r.severity !== undefined)
    .sort((a, b) => versionRank(a) - versionRank(b) || b.cvss.score - a.cvss.score);
  if (scored[0]) return { severity: scored[0].severity, source: scored[0].source, severities };
  const any = severities[0];
  return any ? { severity: any.severity, source: any.source, severities } : { severity: 'UNKNOWN', severities };
}

/** Every scored CVSS vector, NVD first, then by source name and version. */
export function cvssList(ratings: readonly Rating[]): Cvss[] {
  const out: Cvss[] = [];
  for (const r of ratings) {
    if (!r.cvss || out.some((c) => c.source === r.cvss!.source && c.vector === r.cvss!.vector)) continue;
    out.push({ source: r.cvss.source, version: r.cvss.version, vector: r.cvss.vector, score: r.cvss.score });
  }
  return out.sort((a, b) => Number(b.source === 'nvd') - Number(a.source === 'nvd') || byCodePoint(a.source, b.source) || byCodePoint(a.version, b.version));
}
