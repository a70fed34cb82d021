/**
 * Helpers every human- or machine-facing report shares, so that "worst first" means the same
 * thing in the table, SARIF, JUnit and HTML.
 */
import type { Cvss, Finding, Severity } from '../match/types.ts';
import { SEVERITIES } from '../match/types.ts';
import type { ScanResult } from './types.ts';

export { SEVERITIES };

/** 0 for CRITICAL ... 4 for UNKNOWN: lower is worse. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, UNKNOWN: 4 };

/**
 * The score that stands for a finding's CVSS: the highest v3/v4 base score, falling back to v2
 * only when nothing newer exists (v2 scores run higher for the same flaw and would overstate it
 * next to v3 scores of other findings).
 */
export function maxCvss(cvss: readonly Cvss[]): Cvss | undefined {
  let best: Cvss | undefined;
  let bestV2: Cvss | undefined;
  for (const c of cvss) {
    if (!Number.isFinite(c.score)) continue;
    if (c.version.startsWith('2')) {
      if (!bestV2 || c.score > bestV2.score) bestV2 = c;
    } else if (!best || c.score > best.score) {
      best = c;
    }
  }
  return best ?? bestV2;
}

export function maxCvssScore(f: Pick<Finding, 'cvss'>): number | undefined {
  return maxCvss(f.cvss)?.score;
}

/**
 * A score representing a severity when no CVSS score is known. The values sit inside the CVSS v3
 * qualitative bands (CRITICAL 9.0-10.0, HIGH 7.0-8.9, MEDIUM 4.0-6.9, LOW 0.1-3.9), which is how
 * GitHub maps `security-severity` back to a level. UNKNOWN gets 0.0: "none", not a guess.
 */
export const REPRESENTATIVE_SCORE: Readonly<Record<Severity, number>> = { CRITICAL: 9.5, HIGH: 8.0, MEDIUM: 5.5, LOW: 2.0, UNKNOWN: 0 };

/** A finding is fixable when the source names a version that fixes it. */
export function isFixable(f: Pick<Finding, 'fixedVersion' | 'status'>): boolean {
  return Boolean(f.fixedVersion) && f.status !== 'will_not_fix' && f.status !== 'end_of_life';
}

interface Keyed {
  f: Finding;
  score: number;
}

function keyed(f: Finding): Keyed {
  return { f, score: maxCvssScore(f) ?? -1 };
}

function compareKeyed(x: Keyed, y: Keyed): number {
  return SEVERITY_RANK[x.f.severity] - SEVERITY_RANK[y.f.severity]
    || y.score - x.score
    || Number(y.f.kev) - Number(x.f.kev)
    || (y.f.epss ?? -1) - (x.f.epss ?? -1)
    || cmp(x.f.id, y.f.id)
    || cmp(x.f.package, y.f.package)
    || cmp(x.f.installedVersion, y.f.installedVersion);
}

/**
 * Worst first: severity, then CVSS score, then known exploitation (KEV), then EPSS; ties broken
 * by ID and package so output is stable regardless of input order.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return compareKeyed(keyed(a), keyed(b));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted copy (worst first). Scores are computed once per finding, not once per comparison. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings.map(keyed).sort(compareKeyed).map((k) => k.f);
}

export interface PackageGroup {
  package: string;
  installedVersion: string;
  ecosystem?: string;
  purl?: string;
  /** Worst first; the first one decides where the group sorts. */
  findings: Finding[];
}

/** Identity of an installed package: its purl when known, else ecosystem, name and version. */
export function packageKey(f: Pick<Finding, 'purl' | 'ecosystem' | 'package' | 'installedVersion'>): string {
  return f.purl ?? `${f.ecosystem ?? ''}\u0000${f.package}\u0000${f.installedVersion}`;
}

/** Findings grouped by installed package; groups ordered by their worst finding. */
export function groupByPackage(findings: readonly Finding[]): PackageGroup[] {
  const groups = new Map<string, PackageGroup>();
  // Sorting first means each group's list is already worst-first and groups appear in the order
  // of their worst finding: one sort, no per-group sorting.
  for (const f of sortFindings(findings)) {
    const key = packageKey(f);
    let g = groups.get(key);
    if (!g) {
      g = { package: f.package, installedVersion: f.installedVersion, findings: [] };
      if (f.ecosystem) g.ecosystem = f.ecosystem;
      if (f.purl) g.purl = f.purl;
      groups.set(key, g);
    }
    g.findings.push(f);
  }
  return [...groups.values()];
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** `Total: 12 (CRITICAL: 1, HIGH: 3, MEDIUM: 5, LOW: 2, UNKNOWN: 1)` */
export function summaryLine(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  return `Total: ${findings.length} (${SEVERITIES.map((s) => `${s}: ${counts[s]}`).join(', ')})`;
}

/** CVSS score as reports print it: one decimal ("9.8", "10.0"). */
export function formatScore(score: number): string {
  return score.toFixed(1);
}

/** EPSS probability as a percentage with enough digits to tell small values apart. */
export function formatEpss(epss: number): string {
  const pct = epss * 100;
  return `${pct >= 10 ? pct.toFixed(1) : pct >= 1 ? pct.toFixed(2) : pct.toFixed(3)}%`;
}

/** The artifact as people name it: the reference plus OS, e.g. `debian:12 (debian 12.5)`. */
export function artifactTitle(result: ScanResult): string {
  const os = result.os ? ` (${result.os.family} ${result.os.version}${result.os.eol ? ', end of life' : ''})` : '';
  return `${result.artifact.name}${os}`;
}

/** Age of the vulnerability DB at `now`, as "3h" / "2d 4h"; undefined when unknown. */
export function dbAge(result: ScanResult, now: Date): string | undefined {
  if (!result.db?.builtAt) return undefined;
  const built = Date.parse(result.db.builtAt);
  if (Number.isNaN(built)) return undefined;
  const hours = Math.floor((now.getTime() - built) / 3_600_000);
  if (hours < 0) return 'from the future';
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Counts of suppressed findings per kind, in a fixed order, for one-line hints. */
export function suppressionCounts(result: ScanResult): [kind: string, count: number][] {
  const counts = new Map<string, number>();
  for (const s of result.suppressed ?? []) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]));
}

/**
 * Strips what a terminal, a log viewer or an XML parser would interpret: C0/C1 control
 * characters (ESC starts terminal escape sequences), DEL and lone surrogates. Feed data is
 * untrusted, and a title must not be able to recolour or rewrite a CI log.
 * Newlines and tabs become spaces when `singleLine`.
 */
export function sanitizeText(s: string, singleLine = true): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    if (c === '\n' || c === '\t' || c === '\r') return singleLine ? ' ' : c;
    return '\ufffd';
  });
}

/** An http(s) URL in canonical form, or undefined: `javascript:` and junk never become links. */
export function safeHttpUrl(s: string): string | undefined {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
