/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per vulnerability, one result per
 * (vulnerability, package), suppressed findings as results with `suppressions`.
 *
 * What GitHub needs beyond the schema (docs "SARIF support for code scanning"):
 * - every result has a location whose `artifactLocation.uri` is non-empty and has no URI scheme
 *   ("unrecognized SARIF location URI scheme" otherwise), stable across runs (it feeds the
 *   alert's identity);
 * - `properties.security-severity` on the rule, a number 0.0-10.0 written as a string, decides
 *   the alert's severity (9.0+ critical, 7.0+ high, 4.0+ medium, 0.1+ low);
 * - `partialFingerprints` so re-uploads update alerts instead of duplicating them.
 */
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../match/types.ts';
import {
  formatEpss, formatScore, isFixable, maxCvss, REPRESENTATIVE_SCORE, safeHttpUrl, sanitizeText, SEVERITY_RANK, sortFindings,
} from './summary.ts';
import type { ReportOptions, ScanResult, Suppression } from './types.ts';

const SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** GitHub cuts rule descriptions at 1024 characters; we cut first so the cut is ours and marked. */
const MAX_DESCRIPTION = 1024;
const MAX_HELP = 8192;
/** Fingerprint key: versioned so a change of what goes in starts a new series instead of colliding. */
const FINGERPRINT_KEY = 'portcullis/v1';

type Level = 'error' | 'warning' | 'note';

/** GitHub shows `error` as a failing check; only CRITICAL and HIGH should do that. */
export function sarifLevel(s: Severity): Level {
  return s === 'CRITICAL' || s === 'HIGH' ? 'error' : s === 'MEDIUM' ? 'warning' : 'note';
}

// The SARIF objects we write (a subset of the schema's).
interface Message { text: string; markdown?: string }
interface SarifRule {
  id: string;
  shortDescription: Message;
  fullDescription: Message;
  help: Message;
  helpUri?: string;
  defaultConfiguration: { level: Level };
  properties: { 'security-severity': string; tags: string[]; precision: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Level;
  message: Message;
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } };
    message: Message;
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: 'external'; status: 'accepted'; justification: string; properties: Record<string, string> }[];
  properties: Record<string, unknown>;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Markdown-significant characters in feed text are escaped: a title must not add links or images. */
function md(s: string): string {
  return s.replace(/[\\`*_[\]<>|#!~]/g, (c) => `\\${c}`);
}

/**
 * Where a finding lives, as a scheme-less relative URI: the image's repository without tag or
 * digest (tags change every build; alerts must not) followed by the package database path.
 * Each segment is percent-encoded, so `localhost:5000/app` cannot be read as scheme `localhost`.
 */
export function locationUri(imageName: string, foundIn: string | undefined): string {
  let name = imageName.replace(/^(oci-archive|oci|docker-archive):/, '').replace(/@[a-z0-9]+:[0-9a-f]+$/i, '');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const parts = [...name.split('/'), ...(foundIn ?? '').split('/')].filter((s) => s !== '' && s !== '.' && s !== '..');
  return parts.map((s) => encodeURIComponent(s)).join('/') || 'image';
}

function securitySeverity(findings: readonly Finding[]): string {
  let best: number | undefined;
  for (const f of findings) {
    const s = maxCvss(f.cvss)?.score;
    if (s !== undefined && (best === undefined || s > best)) best = s;
  }
  if (best === undefined) best = REPRESENTATIVE_SCORE[worstSeverity(findings)];
  return formatScore(Math.min(10, Math.max(0, best)));
}

function worstSeverity(findings: readonly Finding[]): Severity {
  let worst: Severity = 'UNKNOWN';
  for (const f of findings) if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[worst]) worst = f.severity;
  return worst;
}

function ruleFor(id: string, findings: readonly Finding[]): SarifRule {
  const first = findings[0]!;
  const severity = worstSeverity(findings);
  const title = sanitizeText(first.title ?? first.description ?? id);
  const description = sanitizeText(first.description ?? first.title ?? id, false);
  const refs = [...new Set(findings.flatMap((f) => f.references ?? []))].map(safeHttpUrl).filter((u): u is string => u !== undefined);
  const kev = findings.some((f) => f.kev);
  const cvss = maxCvss(findings.flatMap((f) => f.cvss));

  const text = [`${id}: ${title}`, '', description, ''];
  const markdown = [`**${md(id)}**: ${md(title)}`, '', md(description), '', '| Package | Installed | Fixed | Status |', '| --- | --- | --- | --- |'];
  for (const f of findings) {
    text.push(`Package ${sanitizeText(f.package)} ${sanitizeText(f.installedVersion)}: ${f.fixedVersion ? `fixed in ${sanitizeText(f.fixedVersion)}` : f.status}`);
    markdown.push(`| ${md(sanitizeText(f.package))} | ${md(sanitizeText(f.installedVersion))} | ${md(sanitizeText(f.fixedVersion ?? ''))} | ${f.status} |`);
  }
  const facts = [`Severity: ${severity}`];
  if (cvss) facts.push(`CVSS ${cvss.version} ${formatScore(cvss.score)} (${sanitizeText(cvss.source)}): ${sanitizeText(cvss.vector)}`);
  if (kev) facts.push('Known exploited: listed in the CISA KEV catalogue');
  const epss = Math.max(...findings.map((f) => f.epss ?? -1));
  if (epss >= 0) facts.push(`EPSS: ${formatEpss(epss)}`);
  text.push('', ...facts);
  markdown.push('', ...facts.map((f) => `- ${md(f)}`));
  if (refs.length) {
    text.push('', 'References:', ...refs);
    markdown.push('', '**References**', ...refs.map((r) => `- <${r}>`));
  }

  const tags = ['vulnerability', 'security', severity];
  if (kev) tags.push('known-exploited');
  const rule: SarifRule = {
    id,
    shortDescription: { text: clip(title, MAX_DESCRIPTION) },
    fullDescription: { text: clip(description, MAX_DESCRIPTION) },
    help: { text: clip(text.join('\n'), MAX_HELP), markdown: clip(markdown.join('\n'), MAX_HELP) },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { 'security-severity': securitySeverity(findings), tags, precision: 'very-high' },
  };
  if (refs[0]) rule.helpUri = refs[0];
  return rule;
}

function resultMessage(f: Finding, imageName: string): string {
  const cvss = maxCvss(f.cvss);
  const rating = `${f.severity}${cvss ? `, CVSS ${formatScore(cvss.score)}` : ''}`;
  const parts = [`Package ${f.package} ${f.installedVersion} in ${imageName} is affected by ${f.id} (${rating}).`];
  if (isFixable(f)) parts.push(`Fixed in ${f.fixedVersion}.`);
  else if (f.status === 'will_not_fix') parts.push('The distribution will not fix it.');
  else if (f.status === 'end_of_life') parts.push('The release is end of life: no fix will come.');
  else parts.push('No fixed version is known yet.');
  if (f.kev) parts.push('Known exploited (CISA KEV).');
  if (f.epss !== undefined) parts.push(`EPSS ${formatEpss(f.epss)}.`);
  return sanitizeText(parts.join(' '));
}

function fingerprint(uri: string, f: Finding): string {
  // No installed version: the same flaw in the same package of the same image stays one alert
  // while the package is bumped to another still-vulnerable version.
  return createHash('sha256').update([uri, f.id, f.ecosystem ?? '', f.package].join('\u0000')).digest('hex');
}

const FILTER_KINDS: ReadonlySet<Suppression['kind']> = new Set(['severity-filter', 'unfixed-filter', 'status-filter']);

/** `--format sarif`. */
export function sarifReport(result: ScanResult, options: ReportOptions): string {
  const active = sortFindings(result.findings ?? []);
  const suppressedBy = new Map<Finding, Suppression>();
  // Accepted risk and VEX go to code scanning as suppressed alerts; what --severity,
  // --ignore-unfixed and --ignore-status filtered out is not reported at all (as in the table).
  for (const s of result.suppressed ?? []) if (!FILTER_KINDS.has(s.kind)) suppressedBy.set(s.finding, s);
  const suppressed = sortFindings([...suppressedBy.keys()]);

  // Rules in worst-first order of their first finding; each rule sees all its findings.
  const byId = new Map<string, Finding[]>();
  for (const f of [...active, ...suppressed]) {
    const list = byId.get(f.id);
    if (list) list.push(f);
    else byId.set(f.id, [f]);
  }
  const ruleIndex = new Map<string, number>();
  const rules: SarifRule[] = [];
  for (const [id, findings] of byId) {
    ruleIndex.set(id, rules.length);
    rules.push(ruleFor(id, findings));
  }

  const foundIn = new Map<string, string>();
  for (const p of result.packages) if (p.foundIn) foundIn.set(p.purl, p.foundIn);
  const imageName = sanitizeText(result.artifact.name);

  const toResult = (f: Finding): SarifResult => {
    const uri = locationUri(result.artifact.name, f.purl ? foundIn.get(f.purl) : undefined);
    const cvss = maxCvss(f.cvss);
    const properties: Record<string, unknown> = {
      package: f.package, installedVersion: f.installedVersion, status: f.status, severity: f.severity, kev: f.kev,
    };
    if (f.fixedVersion) properties.fixedVersion = f.fixedVersion;
    if (f.purl) properties.purl = f.purl;
    if (f.ecosystem) properties.ecosystem = f.ecosystem;
    if (cvss) properties.cvss = { version: cvss.version, vector: cvss.vector, score: cvss.score, source: cvss.source };
    if (f.epss !== undefined) properties.epss = f.epss;
    if (f.layer) properties.layer = f.layer;
    const r: SarifResult = {
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id)!,
      level: sarifLevel(f.severity),
      message: { text: resultMessage(f, imageName) },
      locations: [{
        physicalLocation: { artifactLocation: { uri }, region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } },
        message: { text: sanitizeText(`${imageName}: ${f.package}@${f.installedVersion}`) },
      }],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(uri, f) },
      properties,
    };
    const s = suppressedBy.get(f);
    if (s) {
      const props: Record<string, string> = { kind: s.kind, by: s.by };
      if (s.owner) props.owner = s.owner;
      if (s.expires) props.expires = s.expires;
      r.suppressions = [{
        kind: 'external',
        status: 'accepted',
        justification: sanitizeText(`${s.kind}: ${s.by}${s.reason ? `: ${s.reason}` : ''}`),
        properties: props,
      }];
    }
    return r;
  };

  const runProperties: Record<string, unknown> = { imageName: result.artifact.name };
  if (result.artifact.digest) runProperties.imageDigest = result.artifact.digest;
  if (result.artifact.platform) runProperties.platform = result.artifact.platform;
  if (result.os) runProperties.os = `${result.os.family} ${result.os.version}`;
  if (result.db) runProperties.dbBuiltAt = result.db.builtAt;
  if (result.verdict) runProperties.verdict = { status: result.verdict.status, reasons: result.verdict.reasons };

  const driver: Record<string, unknown> = { name: 'portcullis', version: options.toolVersion, rules };
  if (/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(options.toolVersion)) driver.semanticVersion = options.toolVersion;
  const invocation: Record<string, unknown> = { executionSuccessful: true };
  if (!Number.isNaN(Date.parse(result.createdAt))) invocation.endTimeUtc = new Date(result.createdAt).toISOString();

  const log = {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: { driver },
      invocations: [invocation],
      columnKind: 'utf16CodeUnits',
      results: [...active.map(toResult), ...suppressed.map(toResult)],
      properties: runProperties,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
