import type { Finding, Severity } from '../../match/types.ts';
import type { Verdict } from '../../report/types.ts';
import type { ScanStatus, ScanStatusThresholds, SeverityName } from '../documents/index.ts';
import { clean, formatEpss, formatScore, nameFindings } from './describe.ts';
import type { DescribeOptions } from './describe.ts';
import { sortWorstFirst } from './order.ts';
import { isFixable, statusScore } from './score.ts';
import type { StatusScore } from './score.ts';

/**
 * Findings → scan status (Pass, Warn, Fail, Unknown), explained.
 *
 * Each check of the ScanStatusThresholds document in effect gives its own status and a one-line
 * message; the verdict is the worst of them (Pass < Warn < Unknown < Fail: a check that fails
 * decides even when another could not be evaluated). Checks that the policy does not enable
 * are not listed: the CVSS threshold check is always on (Calico's model, defaults 4.0/7.0);
 * severity counts when warnOn/failOn name any; KEV, EPSS, DB age and end of life when set.
 *
 * `reasons` has one line per check that is not Pass, worst status first, and among equals in
 * the order KEV, CVSS, EPSS, severity counts, end of life, DB age (known exploitation is the
 * strongest signal; the DB's age says least about the image). Each names the findings that
 * made it, worst first, at most MAX_FINDINGS_PER_REASON of them and then "and N more".
 *
 * `fixableOnly` narrows the findings every finding-based check sees to those with a fix
 * (isFixable); messages say how many were left out.
 *
 * The input is the findings left after suppression (VEX, ignore files, exceptions).
 */

export interface StatusContext {
  /** The clock: DB age is measured against it. */
  now: Date;
  /** When the vulnerability DB was built; unknown makes an enabled DB-age check Unknown. */
  dbBuiltAt?: Date;
  /** Whether the image's OS release is past its end of life; undefined when not known. */
  osEndOfLife?: boolean;
  /** The OS for messages, e.g. "debian 10". */
  os?: string;
  /** Set when the scan could not run: the verdict is Unknown with this reason. */
  scanError?: string;
}

export type StatusCheckName = 'scan' | 'cvss' | 'severity' | 'kev' | 'epss' | 'db-age' | 'end-of-life';

export interface StatusCheck {
  name: StatusCheckName;
  status: ScanStatus;
  message: string;
}

interface CheckResult extends StatusCheck {
  /** The reason line, for checks that are not Pass. */
  reason?: string;
}

const STATUS_RANK: Readonly<Record<ScanStatus, number>> = { Pass: 0, Warn: 1, Unknown: 2, Fail: 3 };
const REASON_ORDER: readonly StatusCheckName[] = ['scan', 'kev', 'cvss', 'epss', 'severity', 'end-of-life', 'db-age'];
const SEVERITY_OF: Readonly<Record<SeverityName, Severity>> = {
  critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', unknown: 'UNKNOWN',
};
const SEVERITY_KEYS: readonly SeverityName[] = ['critical', 'high', 'medium', 'low', 'unknown'];

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Thresholds as written: 7 → "7.0", 6.95 → "6.95". */
function formatThreshold(x: number): string {
  return Number.isInteger(x * 10) ? x.toFixed(1) : String(x);
}

function withFindings(headline: string, findings: readonly Finding[], options?: DescribeOptions): string {
  return findings.length ? `${headline} — ${nameFindings(findings, options)}` : headline;
}

/** "CVSS 9.8", "CVSS v4 8.7", "score 7.0 (HIGH, no CVSS score)": says where a number came from. */
function scoreLabel(s: StatusScore, f: Finding): string {
  switch (s.basis) {
    case 'cvss3': return `CVSS ${formatScore(s.score)}`;
    case 'cvss4': return `CVSS v4 ${formatScore(s.score)}`;
    case 'severity': return `score ${formatScore(s.score)} (${f.severity}, no CVSS score)`;
  }
}

function cvssCheck(counted: readonly Finding[], t: ScanStatusThresholds, note: string, what: string): CheckResult {
  const scored: { f: Finding; s: StatusScore }[] = [];
  let worst: { f: Finding; s: StatusScore } | undefined;
  for (const f of counted) {
    const s = statusScore(f);
    if (!s) continue;
    const entry = { f, s };
    scored.push(entry);
    if (!worst || s.score > worst.s.score || (s.score === worst.s.score && s.basis === 'cvss3' && worst.s.basis !== 'cvss3')) worst = entry;
  }
  if (!worst) {
    const message = counted.length ? `no ${what} has a CVSS score or severity` : `no ${what}s`;
    return { name: 'cvss', status: 'Pass', message: message + note };
  }
  const top = worst.s.score;
  const label = scoreLabel(worst.s, worst.f);
  const level = top >= t.failThreshold ? { status: 'Fail' as const, key: 'failThreshold', at: t.failThreshold }
    : top >= t.warnThreshold ? { status: 'Warn' as const, key: 'warnThreshold', at: t.warnThreshold }
      : undefined;
  if (!level) {
    return { name: 'cvss', status: 'Pass', message: `worst ${label} is below warnThreshold ${formatThreshold(t.warnThreshold)}${note}` };
  }
  const hits = sortWorstFirst(scored.filter((e) => e.s.score >= level.at).map((e) => e.f));
  const counts = plural(hits.length, what);
  const headline = `${label} reaches ${level.key} ${formatThreshold(level.at)} (${counts})`;
  return { name: 'cvss', status: level.status, message: `worst ${headline}${note}`, reason: withFindings(headline, hits) };
}

function severityCheck(counted: readonly Finding[], t: ScanStatusThresholds, note: string, what: string): CheckResult | undefined {
  const configured = SEVERITY_KEYS.filter((k) => t.failOn[k] !== undefined || t.warnOn[k] !== undefined);
  if (!configured.length) return undefined;
  const counts = new Map<Severity, number>();
  for (const f of counted) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const reached = (limits: ScanStatusThresholds['failOn']): SeverityName[] =>
    SEVERITY_KEYS.filter((k) => limits[k] !== undefined && (counts.get(SEVERITY_OF[k]) ?? 0) >= (limits[k] as number));

  for (const [status, key, limits] of [['Fail', 'failOn', t.failOn], ['Warn', 'warnOn', t.warnOn]] as const) {
    const hit = reached(limits);
    if (!hit.length) continue;
    const parts = hit.map((k) => `${plural(counts.get(SEVERITY_OF[k]) ?? 0, `${SEVERITY_OF[k]} ${what}`)} (${key}.${k} ${limits[k]})`);
    const severities = new Set(hit.map((k) => SEVERITY_OF[k]));
    const hits = sortWorstFirst(counted.filter((f) => severities.has(f.severity)));
    const headline = `${key} reached: ${parts.join(', ')}`;
    return { name: 'severity', status, message: headline + note, reason: withFindings(headline, hits, { severity: true }) };
  }
  const parts = configured.map((k) => {
    const limits = [t.failOn[k] !== undefined ? `failOn ${t.failOn[k]}` : '', t.warnOn[k] !== undefined ? `warnOn ${t.warnOn[k]}` : ''].filter(Boolean);
    return `${k} ${counts.get(SEVERITY_OF[k]) ?? 0} (${limits.join(', ')})`;
  });
  return { name: 'severity', status: 'Pass', message: `no severity count reached: ${parts.join('; ')}${note}` };
}

function kevCheck(counted: readonly Finding[], note: string, what: string): CheckResult {
  const hits = sortWorstFirst(counted.filter((f) => f.kev));
  if (!hits.length) return { name: 'kev', status: 'Pass', message: `no ${what} is in CISA's Known Exploited Vulnerabilities catalog${note}` };
  const headline = `${plural(hits.length, what)} exploited in the wild (CISA KEV, failOnKev)`;
  return { name: 'kev', status: 'Fail', message: headline + note, reason: withFindings(headline, hits) };
}

function epssCheck(counted: readonly Finding[], limit: number, note: string, what: string): CheckResult {
  let max = -Infinity;
  for (const f of counted) if (f.epss !== undefined && f.epss > max) max = f.epss;
  if (max === -Infinity) return { name: 'epss', status: 'Pass', message: `no ${what} has an EPSS score${note}` };
  if (max < limit) {
    return { name: 'epss', status: 'Pass', message: `highest EPSS ${formatEpss(max)} is below failOnEpss ${formatEpss(limit)}${note}` };
  }
  // Highest probability first here: that is what this check is about.
  const hits = sortWorstFirst(counted.filter((f) => f.epss !== undefined && f.epss >= limit))
    .sort((a, b) => (b.epss ?? 0) - (a.epss ?? 0));
  const headline = `EPSS ${formatEpss(max)} reaches failOnEpss ${formatEpss(limit)} (${plural(hits.length, what)})`;
  return { name: 'epss', status: 'Fail', message: headline + note, reason: withFindings(headline, hits, { epss: true }) };
}

function formatHours(h: number): string {
  return h >= 48 ? `${(h / 24).toFixed(1)} days` : `${h.toFixed(1)} hours`;
}

function dbAgeCheck(maxHours: number, builtAt: Date | undefined, now: Date): CheckResult {
  if (!builtAt || Number.isNaN(builtAt.getTime())) {
    const message = `vulnerability DB build time unknown: cannot check maxDbAgeHours ${maxHours}`;
    return { name: 'db-age', status: 'Unknown', message, reason: message };
  }
  const hours = (now.getTime() - builtAt.getTime()) / 3_600_000;
  const built = `built ${builtAt.toISOString()}`;
  if (hours > maxHours) {
    const message = `vulnerability DB ${built} is ${formatHours(hours)} old, older than maxDbAgeHours ${maxHours}`;
    return { name: 'db-age', status: 'Fail', message, reason: message };
  }
  return { name: 'db-age', status: 'Pass', message: `vulnerability DB ${built} is ${formatHours(Math.max(0, hours))} old (maxDbAgeHours ${maxHours})` };
}

function endOfLifeCheck(eol: boolean | undefined, os: string | undefined): CheckResult {
  const name = os ? clean(os) : 'the OS';
  if (eol === true) {
    const message = `${name} is past its end of life and gets no more security fixes (failOnEndOfLife)`;
    return { name: 'end-of-life', status: 'Fail', message, reason: message };
  }
  // Unknown end of life (no OS detected, as in distroless or scratch images, or a release not in
  // the end-of-life table) is not a reason to block: nothing says the OS is unsupported.
  const message = eol === false ? `${name} is within its support period` : `end of life not known for ${name}: not checked`;
  return { name: 'end-of-life', status: 'Pass', message };
}

export function evaluateStatus(findings: readonly Finding[], thresholds: ScanStatusThresholds, context: StatusContext): Verdict {
  const policy = thresholds.source?.file;
  if (context.scanError !== undefined) {
    const message = `scan could not run: ${clean(context.scanError, 1024)}`;
    return { status: 'Unknown', reasons: [message], checks: [{ name: 'scan', status: 'Unknown', message }], ...(policy ? { policy } : {}) };
  }

  const counted = thresholds.fixableOnly ? findings.filter(isFixable) : findings;
  const left = findings.length - counted.length;
  const note = thresholds.fixableOnly && left ? `; ${plural(left, 'finding')} without a fix not counted (fixableOnly)` : '';
  const what = thresholds.fixableOnly ? 'fixable finding' : 'finding';

  const results: CheckResult[] = [cvssCheck(counted, thresholds, note, what)];
  const severity = severityCheck(counted, thresholds, note, what);
  if (severity) results.push(severity);
  if (thresholds.failOnKev) results.push(kevCheck(counted, note, what));
  if (thresholds.failOnEpss !== undefined) results.push(epssCheck(counted, thresholds.failOnEpss, note, what));
  if (thresholds.maxDbAgeHours !== undefined) results.push(dbAgeCheck(thresholds.maxDbAgeHours, context.dbBuiltAt, context.now));
  if (thresholds.failOnEndOfLife) results.push(endOfLifeCheck(context.osEndOfLife, context.os));

  let status: ScanStatus = 'Pass';
  for (const r of results) if (STATUS_RANK[r.status] > STATUS_RANK[status]) status = r.status;
  const reasons = results
    .filter((r) => r.status !== 'Pass')
    .sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || REASON_ORDER.indexOf(a.name) - REASON_ORDER.indexOf(b.name))
    .map((r) => r.reason ?? r.message);
  return {
    status,
    reasons,
    checks: results.map(({ name, status: s, message }) => ({ name, status: s, message })),
    ...(policy ? { policy } : {}),
  };
}
