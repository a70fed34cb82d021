import type { Finding, Severity } from '../../match/types.ts';
import { isFixable, statusScore } from './score.ts';

/**
 * "Worst first", the one order every message that names findings uses (verdict reasons, the
 * gate, the webhook): severity, then score (statusScore: v3, else v4, else the severity band),
 * then known exploitation (CISA KEV), then EPSS, then fixable before unfixable (the finding
 * someone can act on today), then ID, package and version so that output does not depend on
 * input order.
 *
 * Severity leads, not KEV, so that these messages agree with the reports' tables, which sort
 * the same way; a KEV finding still comes first among equals, and the KEV check of the verdict
 * names exploited findings in a reason of their own, first among the reasons.
 */

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, UNKNOWN: 4 };

interface Keyed {
  f: Finding;
  score: number;
  fixable: boolean;
}

function keyed(f: Finding): Keyed {
  return { f, score: statusScore(f)?.score ?? -1, fixable: isFixable(f) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeyed(x: Keyed, y: Keyed): number {
  return (SEVERITY_RANK[x.f.severity] ?? 4) - (SEVERITY_RANK[y.f.severity] ?? 4)
    || y.score - x.score
    || Number(y.f.kev) - Number(x.f.kev)
    || (y.f.epss ?? -1) - (x.f.epss ?? -1)
    || Number(y.fixable) - Number(x.fixable)
    || cmp(x.f.id, y.f.id)
    || cmp(x.f.package, y.f.package)
    || cmp(x.f.installedVersion, y.f.installedVersion);
}

/** Negative when `a` is worse than `b`. */
export function compareFindings(a: Finding, b: Finding): number {
  return compareKeyed(keyed(a), keyed(b));
}

/** All findings, worst first (a sorted copy; each finding's keys are computed once). */
export function sortWorstFirst(findings: readonly Finding[]): Finding[] {
  return findings.map(keyed).sort(compareKeyed).map((k) => k.f);
}

/**
 * The `n` worst findings, worst first. Selection keeps a sorted window of `n`, so naming the
 * top three of ten thousand findings costs one pass, not a full sort.
 */
export function worstFindings(findings: readonly Finding[], n: number): Finding[] {
  if (n <= 0) return [];
  if (n >= findings.length / 4) return sortWorstFirst(findings).slice(0, n);
  const top: Keyed[] = [];
  for (const f of findings) {
    const k = keyed(f);
    if (top.length === n && compareKeyed(k, top[n - 1] as Keyed) >= 0) continue;
    let i = top.length;
    while (i > 0 && compareKeyed(k, top[i - 1] as Keyed) < 0) i--;
    top.splice(i, 0, k);
    if (top.length > n) top.pop();
  }
  return top.map((k) => k.f);
}
