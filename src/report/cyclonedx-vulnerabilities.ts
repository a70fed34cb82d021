import * as Enums from '@cyclonedx/cyclonedx-library/Enums';
import * as Models from '@cyclonedx/cyclonedx-library/Models';
import type * as Types from '@cyclonedx/cyclonedx-library/Types';
import type { Cvss, Finding, Severity } from '../match/types.ts';
import type { ScanResult, Suppression } from './types.ts';

/**
 * The `vulnerabilities` of a CycloneDX 1.6 scan report.
 *
 * One entry per vulnerability for the findings that remain (its `affects` name every component
 * it was found in), and one per vulnerability and suppression for the findings VEX, an ignore
 * file or an Exception suppressed, each with an `analysis` that says so: VEX statements as
 * CycloneDX states (not_affected → not_affected with the justification mapped, fixed →
 * resolved); ignore-file entries and Exceptions are accepted risk, which CycloneDX has no state
 * for, so their analysis has the response `will_not_fix` and a detail naming the entry, reason,
 * owner and expiry, and no state. Findings left out by `--severity`, `--ignore-unfixed` or
 * `--ignore-status` are not reported here, as Trivy does not report them.
 *
 * Ratings: one per CVSS score (method CVSSv2, CVSSv3, CVSSv31 or CVSSv4 by version, the score's
 * qualitative band as severity), and one per source's severity (method "other").
 */

const V = Models.Vulnerability;
const E = Enums.Vulnerability;

const METHOD: Readonly<Record<string, Enums.Vulnerability.RatingMethod>> = {
  '2.0': E.RatingMethod.CVSSv2,
  '3.0': E.RatingMethod.CVSSv3,
  '3.1': E.RatingMethod.CVSSv31,
  '4.0': E.RatingMethod.CVSSv4,
};

const SEVERITY: Readonly<Record<Severity, Enums.Vulnerability.Severity>> = {
  CRITICAL: E.Severity.Critical, HIGH: E.Severity.High, MEDIUM: E.Severity.Medium, LOW: E.Severity.Low, UNKNOWN: E.Severity.Unknown,
};

/** OpenVEX justifications in CycloneDX's words. */
const JUSTIFICATION: Readonly<Record<string, Enums.Vulnerability.AnalysisJustification>> = {
  component_not_present: E.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_present: E.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: E.AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: E.AnalysisJustification.RequiresEnvironment,
  inline_mitigations_already_exist: E.AnalysisJustification.ProtectedByMitigatingControl,
};
const CDX_JUSTIFICATIONS = new Set<string>(Object.values(E.AnalysisJustification));

/** CVSS qualitative bands (v3/v4: none, low, medium, high, critical; v2 has no critical or none). */
function cvssSeverity(c: Cvss): Enums.Vulnerability.Severity {
  const s = c.score;
  if (c.version.startsWith('2')) return s >= 7 ? E.Severity.High : s >= 4 ? E.Severity.Medium : E.Severity.Low;
  if (s === 0) return E.Severity.None;
  return s >= 9 ? E.Severity.Critical : s >= 7 ? E.Severity.High : s >= 4 ? E.Severity.Medium : E.Severity.Low;
}

function ratings(f: Finding): Models.Vulnerability.Rating[] {
  const out: Models.Vulnerability.Rating[] = [];
  for (const c of f.cvss) {
    if (!Number.isFinite(c.score) || c.score < 0 || c.score > 10) continue;
    out.push(new V.Rating({
      source: new V.Source({ name: c.source }), score: c.score, severity: cvssSeverity(c),
      method: METHOD[c.version] ?? E.RatingMethod.Other, vector: c.vector,
    }));
  }
  const severities = f.severities?.length ? f.severities : [{ source: f.sources[0] ?? 'portcullis', severity: f.severity }];
  for (const s of severities) {
    out.push(new V.Rating({ source: new V.Source({ name: s.source }), severity: SEVERITY[s.severity] ?? E.Severity.Unknown, method: E.RatingMethod.Other }));
  }
  return out;
}

/** The OpenVEX status and justification written in a VEX suppression's `by` (vex/match.ts). */
function vexOf(s: Suppression): { fixed: boolean; justification?: string } {
  const m = /\((?:[a-z_]+ → )?([a-z_]+)(?:: ([a-z_]+))?\)$/.exec(s.by);
  return { fixed: m?.[1] === 'fixed', ...(m?.[2] ? { justification: m[2] } : {}) };
}

function analysisOf(s: Suppression): Models.Vulnerability.Analysis {
  if (s.kind === 'vex') {
    const { fixed, justification } = vexOf(s);
    const j = justification === undefined ? undefined : JUSTIFICATION[justification] ?? (CDX_JUSTIFICATIONS.has(justification) ? justification as Enums.Vulnerability.AnalysisJustification : undefined);
    return new V.Analysis({
      state: fixed ? E.AnalysisState.Resolved : E.AnalysisState.NotAffected,
      ...(j && !fixed ? { justification: j } : {}),
      detail: `VEX ${s.by}${s.reason ? `: ${s.reason}` : ''}`,
    });
  }
  const what = s.kind === 'exception' ? `Exception ${s.by}` : `ignore file entry ${s.by}`;
  const who = [s.owner ? `owner ${s.owner}` : '', s.expires ? `until ${s.expires}` : ''].filter(Boolean).join(', ');
  const a = new V.Analysis({ detail: `Accepted risk (${what}${who ? `, ${who}` : ''})${s.reason ? `: ${s.reason}` : ''}` });
  a.response.add(E.AnalysisResponse.WillNotFix);
  return a;
}

const CWE = /^CWE-(\d{1,6})$/;
const URL_LIKE = /^https?:\/\/[^\s<>"{}|\\^`]+$/;

function vulnerability(first: Finding, bomRef: string, refs: Iterable<string>, group: readonly Finding[]): Models.Vulnerability.Vulnerability {
  const v = new V.Vulnerability({
    bomRef, id: first.id,
    ...(first.sources[0] ? { source: new V.Source({ name: first.sources[0] }) } : {}),
    ...(first.title ? { description: first.title } : {}),
    ...(first.description ? { detail: first.description } : {}),
    ...(first.fixedVersion ? { recommendation: `Upgrade ${first.package} to ${first.fixedVersion}` } : {}),
  });
  const published = first.publishedAt ? new Date(first.publishedAt) : undefined;
  if (published && !Number.isNaN(published.getTime())) v.published = published;
  for (const r of ratings(first)) v.ratings.add(r);
  for (const cwe of first.cwes ?? []) {
    const m = CWE.exec(cwe);
    if (m) v.cwes.add(Number(m[1]) as Types.CWE);
  }
  for (const alias of first.aliases) v.references.add(new V.Reference(alias, new V.Source({ name: alias.split('-')[0] ?? alias })));
  for (const url of first.references ?? []) if (URL_LIKE.test(url)) v.advisories.add(new V.Advisory(url));
  for (const ref of new Set(refs)) v.affects.add(new V.Affect(new Models.BomRef(ref)));
  v.properties.add(new Models.Property('portcullis:kev', String(first.kev)));
  if (first.epss !== undefined) v.properties.add(new Models.Property('portcullis:epss', String(first.epss)));
  for (const status of new Set(group.map((f) => f.status))) v.properties.add(new Models.Property('portcullis:status', status));
  return v;
}

/**
 * Add the vulnerabilities of `result` to `bom`. `refOf` gives the bom-ref of the component a
 * finding's package is (adding one when the inventory does not list it).
 */
export function addVulnerabilities(bom: Models.Bom, result: ScanResult, refOf: (f: Finding) => string): void {
  const kept = new Map<string, Finding[]>();
  for (const f of result.findings ?? []) {
    const list = kept.get(f.id);
    if (list) list.push(f);
    else kept.set(f.id, [f]);
  }
  for (const [id, group] of kept) bom.vulnerabilities.add(vulnerability(group[0]!, id, group.map(refOf), group));

  const suppressed = new Map<string, Suppression[]>();
  for (const s of result.suppressed ?? []) {
    if (s.kind !== 'vex' && s.kind !== 'exception' && s.kind !== 'ignorefile') continue;
    const key = `${s.finding.id}\u0000${s.kind}\u0000${s.by}`;
    const list = suppressed.get(key);
    if (list) list.push(s);
    else suppressed.set(key, [s]);
  }
  let n = 0;
  for (const group of suppressed.values()) {
    const s = group[0]!;
    const findings = group.map((g) => g.finding);
    const v = vulnerability(s.finding, `${s.finding.id}#suppressed-${++n}`, findings.map(refOf), findings);
    v.analysis = analysisOf(s);
    v.properties.add(new Models.Property('portcullis:suppressed:kind', s.kind));
    v.properties.add(new Models.Property('portcullis:suppressed:by', s.by));
    bom.vulnerabilities.add(v);
  }
}
