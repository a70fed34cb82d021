import type { Cvss, Finding, Severity } from '../../match/types.ts';

/**
 * The one number a finding contributes to the CVSS threshold check (Calico's model: Warn when
 * the worst score is at least warnThreshold, Fail when at least failThreshold).
 *
 * Calico used CVSS v3 base scores only. We keep v3 as the measure and decide what a finding
 * without one contributes, in this order:
 * 1. the highest CVSS v3.x base score over all sources (NVD, GHSA, the distribution, a CNA);
 * 2. else the highest CVSS v4.0 base score: same 0-10 scale and same qualitative bands, and
 *    CNAs (GitHub among them) now publish advisories scored in v4 only;
 * 3. else the lowest score of the finding's severity band in CVSS v3 terms (CRITICAL 9.0,
 *    HIGH 7.0, MEDIUM 4.0, LOW 0.1): a vulnerability rated HIGH is not harmless because nobody
 *    scored it yet (NVD's backlog leaves many new CVEs unscored), and the band floor never
 *    overstates what the rater said;
 * 4. UNKNOWN severity and no score: nothing.
 * CVSS v2 never counts: v2 scores run higher for the same flaw, and ancient v2-only records
 * (CVE-2005-2541 in tar: 10.0, which Debian rates unimportant) would fail every image.
 */
export type ScoreBasis = 'cvss3' | 'cvss4' | 'severity';

export interface StatusScore {
  score: number;
  basis: ScoreBasis;
  /** The CVSS entry the score came from (absent for the severity fallback). */
  cvss?: Cvss;
}

/** Lower bounds of the CVSS v3 qualitative severity bands (CVSS v3.1 specification, 5). */
export const SEVERITY_BAND_FLOOR: Readonly<Record<Severity, number | undefined>> = {
  CRITICAL: 9.0, HIGH: 7.0, MEDIUM: 4.0, LOW: 0.1, UNKNOWN: undefined,
};

function usable(c: Cvss): boolean {
  return Number.isFinite(c.score) && c.score >= 0 && c.score <= 10;
}

/** The CVSS entry with the highest base score among those of a major version ('3' or '4'). */
export function maxCvssOf(cvss: readonly Cvss[], major: '3' | '4'): Cvss | undefined {
  let best: Cvss | undefined;
  for (const c of cvss) {
    if (!c.version.startsWith(major) || !usable(c)) continue;
    if (!best || c.score > best.score) best = c;
  }
  return best;
}

export function statusScore(f: Pick<Finding, 'cvss' | 'severity'>): StatusScore | undefined {
  const v3 = maxCvssOf(f.cvss, '3');
  if (v3) return { score: v3.score, basis: 'cvss3', cvss: v3 };
  const v4 = maxCvssOf(f.cvss, '4');
  if (v4) return { score: v4.score, basis: 'cvss4', cvss: v4 };
  const floor = SEVERITY_BAND_FLOOR[f.severity];
  return floor === undefined ? undefined : { score: floor, basis: 'severity' };
}

/** A finding is fixable when a fixed version is known and the distribution intends to ship it. */
export function isFixable(f: Pick<Finding, 'fixedVersion' | 'status'>): boolean {
  return Boolean(f.fixedVersion) && f.status !== 'will_not_fix' && f.status !== 'end_of_life';
}
