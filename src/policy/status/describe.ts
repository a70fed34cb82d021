import type { Finding } from '../../match/types.ts';
import { isFixable, statusScore } from './score.ts';

/**
 * One finding in the words a person reads in a failed CI log or a rejected `kubectl apply`:
 * "CVE-2023-4911 in libc6 2.36-9+deb12u1: CVSS 7.8, exploited in the wild (KEV), fixed in
 * 2.36-9+deb12u3".
 *
 * IDs, names and versions come from images and feeds, which anyone can write: control
 * characters are dropped and each field is capped, so a hostile package name cannot forge
 * extra lines in a log or an admission response.
 */

/** How many findings one reason names before "and N more". */
export const MAX_FINDINGS_PER_REASON = 3;

const MAX_FIELD = 128;
// C0 and C1 controls, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function clean(s: string, max = MAX_FIELD): string {
  const t = s.replace(CONTROL, '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function formatScore(score: number): string {
  return score.toFixed(1);
}

/** EPSS probabilities as FIRST publishes them, to at most 5 decimals, without trailing zeros. */
export function formatEpss(p: number): string {
  return String(Number(p.toFixed(5)));
}

export interface DescribeOptions {
  /** Say the severity too (the severity-count check names it). */
  severity?: boolean;
  /** Say the EPSS probability (the EPSS check names it). */
  epss?: boolean;
}

function scoreFact(f: Finding, withSeverity: boolean): string {
  const s = statusScore(f);
  const sev = withSeverity ? `${f.severity}, ` : '';
  if (!s) return withSeverity ? `${f.severity}, no CVSS score` : 'no CVSS score or severity';
  switch (s.basis) {
    case 'cvss3': return `${sev}CVSS ${formatScore(s.score)}`;
    case 'cvss4': return `${sev}CVSS v4 ${formatScore(s.score)}`;
    case 'severity': return `${f.severity}, no CVSS score`;
  }
}

function fixFact(f: Finding): string {
  if (isFixable(f)) return `fixed in ${clean(f.fixedVersion ?? '')}`;
  if (f.status === 'will_not_fix') return 'will not be fixed';
  if (f.status === 'end_of_life') return 'no fix (distribution end of life)';
  return 'no fix yet';
}

export function describeFinding(f: Finding, options: DescribeOptions = {}): string {
  const facts = [scoreFact(f, options.severity === true)];
  if (f.kev) facts.push('exploited in the wild (KEV)');
  if (options.epss && f.epss !== undefined) facts.push(`EPSS ${formatEpss(f.epss)}`);
  facts.push(fixFact(f));
  return `${clean(f.id)} in ${clean(f.package)} ${clean(f.installedVersion)}: ${facts.join(', ')}`;
}

/** Up to `max` findings (already worst first), then "and N more". */
export function nameFindings(findings: readonly Finding[], options: DescribeOptions = {}, max = MAX_FINDINGS_PER_REASON): string {
  const shown = findings.slice(0, max).map((f) => describeFinding(f, options));
  if (findings.length > max) shown.push(`and ${findings.length - max} more`);
  return shown.join('; ');
}
