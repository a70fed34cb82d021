/**
 * JUnit XML for CI dashboards (the Ant/Jenkins format, as the community JUnit.xsd describes it):
 * one <testsuite> per image, one <testcase> per policy check. Findings are not test cases:
 * dashboards choke on thousands of them, and a finding is not a test, the policy check is.
 *
 * Status mapping: Fail -> <failure>, Unknown (could not decide) -> <error>, Warn -> <skipped>
 * with the warning as message: dashboards show it apart from passes without failing the build,
 * which is what Warn means; Pass -> an empty test case.
 */
import { formatEpss, formatScore, maxCvssScore, sanitizeText, sortFindings, SEVERITIES, countBySeverity, summaryLine, suppressionCounts } from './summary.ts';
import type { ReportOptions, ScanResult, ScanStatus } from './types.ts';

/** How many findings a failure message lists; the rest are counted. */
const WORST_LISTED = 10;

/**
 * Text made safe for XML 1.0: characters XML cannot carry at all (most C0 controls, U+FFFE,
 * U+FFFF, lone surrogates) and C1 controls (legal but terminal-hostile in CI logs) become U+FFFD.
 */
function xmlChars(s: string): string {
  return sanitizeText(s, false).replace(/[\ufffe\uffff]/g, '\ufffd');
}

export function xmlText(s: string): string {
  return xmlChars(s).replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Attribute values also encode quotes and whitespace controls, which attribute normalisation would flatten. */
export function xmlAttr(s: string): string {
  return xmlChars(s).replace(/[&<>"'\n\r\t]/g, (c) => ENTITY[c]!);
}
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/** xs:token with minLength 1: collapsed whitespace, never empty. */
function token(s: string, fallback: string): string {
  const t = sanitizeText(s).replace(/\s+/g, ' ').trim();
  return t || fallback;
}

/** The XSD's timestamp: xs:dateTime without a time zone (UTC is implied). */
function timestamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '1970-01-01T00:00:00' : d.toISOString().slice(0, 19);
}

function repository(name: string): string {
  const noDigest = name.replace(/@[a-z0-9]+:[0-9a-f]+$/i, '');
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

interface Case {
  name: string;
  status: ScanStatus;
  message: string;
}

function casesOf(result: ScanResult): Case[] {
  const v = result.verdict;
  if (!v) return [{ name: 'vulnerability policy', status: 'Unknown', message: 'the result carries no policy verdict' }];
  if (v.checks?.length) return v.checks.map((c) => ({ name: c.name, status: c.status, message: c.message }));
  return [{ name: 'vulnerability policy', status: v.status, message: v.reasons[0] ?? v.status }];
}

/** The body of a failure/skip/error: the reasons and the worst findings, readable in a CI log. */
function details(result: ScanResult, c: Case): string {
  const lines = [`${c.name}: ${c.status}: ${c.message}`];
  const image = result.artifact.digest ? `${result.artifact.name}@${result.artifact.digest}` : result.artifact.name;
  lines.push(`Image: ${image}`);
  const v = result.verdict;
  if (v) {
    lines.push(`Verdict: ${v.status}${v.policy ? ` (policy ${v.policy})` : ''}`);
    if (v.reasons.length) lines.push('Reasons:', ...v.reasons.map((r) => `  - ${r}`));
  }
  const findings = result.findings ?? [];
  if (findings.length) {
    const worst = sortFindings(findings).slice(0, WORST_LISTED);
    lines.push('Worst findings:');
    for (const f of worst) {
      const score = maxCvssScore(f);
      const facts = [f.id, `${f.severity}${score === undefined ? '' : ` ${formatScore(score)}`}`];
      if (f.kev) facts.push('KEV');
      if (f.epss !== undefined) facts.push(`EPSS ${formatEpss(f.epss)}`);
      facts.push(`${f.package} ${f.installedVersion}`, f.fixedVersion ? `fixed in ${f.fixedVersion}` : f.status);
      if (f.title) facts.push(f.title);
      lines.push(`  - ${facts.join('  ')}`);
    }
    if (findings.length > worst.length) lines.push(`  ... and ${findings.length - worst.length} more`);
  }
  return lines.join('\n');
}

function testcase(result: ScanResult, c: Case, classname: string): string {
  const open = `    <testcase name="${xmlAttr(token(c.name, 'check'))}" classname="${xmlAttr(classname)}" time="0"`;
  switch (c.status) {
    case 'Pass':
      return `${open}/>`;
    case 'Warn':
      return `${open}>\n      <skipped message="${xmlAttr(`Warn: ${c.message}`)}">${xmlText(details(result, c))}</skipped>\n    </testcase>`;
    case 'Fail':
      return `${open}>\n      <failure message="${xmlAttr(c.message)}" type="Fail">${xmlText(details(result, c))}</failure>\n    </testcase>`;
    default:
      return `${open}>\n      <error message="${xmlAttr(c.message)}" type="Unknown">${xmlText(details(result, c))}</error>\n    </testcase>`;
  }
}

function property(name: string, value: string): string {
  return `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`;
}

function testsuite(result: ScanResult, id: number, options: ReportOptions): string {
  const name = token(result.artifact.name, 'image');
  const cases = casesOf(result);
  const count = (s: ScanStatus) => cases.filter((c) => c.status === s).length;
  const props: string[] = [property('portcullis.version', options.toolVersion), property('image', result.artifact.name)];
  if (result.artifact.digest) props.push(property('image.digest', result.artifact.digest));
  if (result.artifact.platform) props.push(property('image.platform', result.artifact.platform));
  if (result.os) props.push(property('os', `${result.os.family} ${result.os.version}${result.os.eol ? ' (end of life)' : ''}`));
  if (result.db) props.push(property('db.builtAt', result.db.builtAt));
  if (result.verdict) {
    props.push(property('verdict', result.verdict.status));
    if (result.verdict.policy) props.push(property('policy', result.verdict.policy));
  }
  if (result.findings) {
    const counts = countBySeverity(result.findings);
    props.push(property('findings', String(result.findings.length)), ...SEVERITIES.map((s) => property(`findings.${s}`, String(counts[s]))));
  }
  const suppressed = suppressionCounts(result);
  if (suppressed.length) props.push(...suppressed.map(([k, n]) => property(`suppressed.${k}`, String(n))));

  const out = [`  <testsuite name="${xmlAttr(name)}" package="${xmlAttr(token(repository(result.artifact.name), 'image'))}" id="${id}"`
    + ` timestamp="${timestamp(result.createdAt)}" hostname="localhost" tests="${cases.length}" failures="${count('Fail')}"`
    + ` errors="${count('Unknown')}" skipped="${count('Warn')}" time="0">`];
  out.push('    <properties>', ...props, '    </properties>');
  for (const c of cases) out.push(testcase(result, c, name));
  const stdout: string[] = [];
  if (result.findings) stdout.push(summaryLine(result.findings));
  if (suppressed.length) stdout.push(`Suppressed: ${suppressed.map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  out.push(`    <system-out>${xmlText(stdout.join('\n'))}</system-out>`);
  out.push(`    <system-err>${xmlText((result.warnings ?? []).join('\n'))}</system-err>`);
  out.push('  </testsuite>');
  return out.join('\n');
}

/** Several images (the gate scans every image of an application) in one document. */
export function junitReportFor(results: readonly ScanResult[], options: ReportOptions): string {
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>', ...results.map((r, i) => testsuite(r, i, options)), '</testsuites>', ''].join('\n');
}

/** `--format junit`. */
export function junitReport(result: ScanResult, options: ReportOptions): string {
  return junitReportFor([result], options);
}
