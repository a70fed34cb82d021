/**
 * One self-contained HTML file a person opens from a CI artifact (file://, offline): verdict,
 * severity chart, a searchable/filterable/sortable findings table, suppressed findings, packages.
 *
 * Every value from the result is escaped; feed data is hostile until proven otherwise. As a second
 * wall, a Content-Security-Policy allows only this file's own style and script (by hash) and no
 * network at all, so even a missed escape could neither run script nor phone home.
 */
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../match/types.ts';
import { SCRIPT } from './html/script.ts';
import { STYLE } from './html/style.ts';
import {
  countBySeverity, dbAge, formatEpss, formatScore, isFixable, maxCvssScore, safeHttpUrl, sanitizeText, SEVERITIES, SEVERITY_RANK,
  sortFindings, summaryLine,
} from './summary.ts';
import type { ReportOptions, ScanResult, ScanStatus, Suppression } from './types.ts';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes for text and for quoted attribute values alike; control characters are replaced. */
export function esc(s: string | number | undefined): string {
  return sanitizeText(String(s ?? '')).replace(/[&<>"']/g, (c) => ESC[c]!);
}

function hash(s: string): string {
  return `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
}

const CSP = [
  "default-src 'none'", `style-src ${hash(STYLE)}`, `script-src ${hash(SCRIPT)}`, 'img-src data:', "base-uri 'none'", "form-action 'none'",
].join('; ');

const STATUS_CLASS: Record<ScanStatus, string> = { Pass: 'pass', Warn: 'warn', Fail: 'fail', Unknown: 'unknown' };

function facts(result: ScanResult, options: ReportOptions): string {
  const now = options.now ?? new Date(result.createdAt);
  const rows: [string, string][] = [];
  const a = result.artifact;
  if (a.digest) rows.push(['Digest', `<code>${esc(a.digest)}</code>`]);
  if (a.platform) rows.push(['Platform', esc(a.platform)]);
  if (result.os) {
    const os = `${result.os.prettyName ?? `${result.os.family} ${result.os.version}`}`;
    rows.push(['OS', `${esc(os)}${result.os.eol ? ' <strong class="check-fail">(end of life)</strong>' : ''}`]);
  }
  if (result.db) {
    const age = dbAge(result, now);
    rows.push(['Vulnerability DB', `built ${esc(result.db.builtAt)}${age ? ` (${esc(age)} ago)` : ''}; sources: ${esc(result.db.sources.join(', '))}`]);
  }
  rows.push(['Scanned', esc(result.createdAt)]);
  if (result.verdict?.policy) rows.push(['Policy', `<code>${esc(result.verdict.policy)}</code>`]);
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function verdictSection(result: ScanResult): string {
  const v = result.verdict;
  if (!v) return '';
  const cls = STATUS_CLASS[v.status];
  const reasons = v.reasons.length ? `<ul class="reasons">${v.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  const checks = v.checks?.length
    ? `<table class="checks"><thead><tr><th>Check</th><th>Status</th><th>Detail</th></tr></thead><tbody>${v.checks.map((c) =>
      `<tr><td>${esc(c.name)}</td><td class="check-${STATUS_CLASS[c.status]}">${esc(c.status)}</td><td>${esc(c.message)}</td></tr>`).join('')}</tbody></table>`
    : '';
  return `<section id="verdict" class="verdict verdict-${cls}"><h2>Verdict: <span class="status">${esc(v.status.toUpperCase())}</span></h2>${reasons}${checks}</section>`;
}

/** Horizontal bars, one per severity, scaled to the largest count; readable without colour. */
function chart(counts: Record<Severity, number>): string {
  const max = Math.max(1, ...SEVERITIES.map((s) => counts[s]));
  const barX = 90;
  const barW = 360;
  const rowH = 24;
  const bars = SEVERITIES.map((s, i) => {
    const y = i * rowH;
    const w = counts[s] === 0 ? 0 : Math.max(2, Math.round((counts[s] / max) * barW));
    return `<g><text x="0" y="${y + 16}">${s}</text><rect class="track" x="${barX}" y="${y + 4}" width="${barW}" height="16" rx="2"/>`
      + `<rect class="bar-${s}" x="${barX}" y="${y + 4}" width="${w}" height="16" rx="2"/>`
      + `<text x="${barX + barW + 8}" y="${y + 16}">${counts[s]}</text></g>`;
  }).join('');
  const total = SEVERITIES.reduce((n, s) => n + counts[s], 0);
  return `<svg class="chart" role="img" aria-labelledby="chart-title" width="${barX + barW + 60}" height="${SEVERITIES.length * rowH}" viewBox="0 0 ${barX + barW + 60} ${SEVERITIES.length * rowH}">`
    + `<title id="chart-title">Findings by severity: ${SEVERITIES.map((s) => `${s} ${counts[s]}`).join(', ')} (total ${total})</title>${bars}</svg>`;
}

function idCell(f: Finding): string {
  const url = (f.references ?? []).map(safeHttpUrl).find((u) => u !== undefined);
  const aliases = f.aliases.length ? `<br><span class="muted">${esc(f.aliases.join(', '))}</span>` : '';
  const id = url ? `<a href="${esc(url)}" rel="noopener noreferrer" target="_blank">${esc(f.id)}</a>` : esc(f.id);
  return `${id}${aliases}`;
}

/** One row; data-* attributes carry what the script filters and sorts on (no re-parsing of text). */
function findingRow(f: Finding, hidden: boolean): string {
  const score = maxCvssScore(f);
  const worst = (4 - SEVERITY_RANK[f.severity]) * 100 + (score ?? 0);
  return `<tr${hidden ? ' hidden' : ''} data-sev="${f.severity}" data-kev="${f.kev ? 1 : 0}" data-fix="${isFixable(f) ? 1 : 0}" data-worst="${worst.toFixed(1)}"`
    + ` data-score="${score ?? -1}" data-epss="${f.epss ?? -1}">`
    + `<td>${esc(f.package)}</td><td>${idCell(f)}</td><td class="sev sev-${f.severity}">${f.severity}</td>`
    + `<td class="num">${score === undefined ? '' : formatScore(score)}</td><td>${f.kev ? '<span class="kev">KEV</span>' : ''}</td>`
    + `<td class="num">${f.epss === undefined ? '' : formatEpss(f.epss)}</td><td>${esc(f.status)}</td>`
    + `<td class="ver">${esc(f.installedVersion)}</td><td class="ver">${esc(f.fixedVersion)}</td><td>${esc(f.title ?? f.description)}</td></tr>`;
}

/**
 * Rows displayed at once. Table layout costs time per displayed row (about a second for 5,000 on
 * a slow machine), so more rows are rendered hidden and shown on request.
 */
export const HTML_PAGE_SIZE = 500;

const COLUMNS: [label: string, key: string, numeric: boolean][] = [
  ['Package', 'package', false], ['Vulnerability', 'id', false], ['Severity', 'worst', true], ['CVSS', 'score', true],
  ['KEV', 'kev', true], ['EPSS', 'epss', true], ['Status', 'status', false], ['Installed', 'installed', false],
  ['Fixed', 'fixed', false], ['Title', 'title', false],
];

function findingsSection(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  const sorted = sortFindings(findings);
  const fixable = findings.reduce((n, f) => n + (isFixable(f) ? 1 : 0), 0);
  const kev = findings.reduce((n, f) => n + (f.kev ? 1 : 0), 0);
  const head = COLUMNS.map(([label, key, num]) =>
    `<th data-sort="${key}"${num ? ' data-type="num"' : ''}${key === 'worst' ? ' aria-sort="descending"' : ''}><button type="button">${label}</button></th>`).join('');
  const boxes = SEVERITIES.map((s) => `<label><input type="checkbox" name="sev" value="${s}" checked> <span class="sev sev-${s}">${s}</span> (${counts[s]})</label>`).join('');
  const more = findings.length - HTML_PAGE_SIZE;
  return `<section id="summary"><h2>Summary</h2>${chart(counts)}<p>${esc(summaryLine(findings))}; ${fixable} fixable, ${kev} known exploited (KEV).</p></section>`
    + `<section id="findings"><h2>Findings (<span id="shown">${findings.length}</span> of ${findings.length} match)</h2>`
    + `<div class="controls" id="controls" hidden><input type="search" id="q" placeholder="Search ID, package, version, title" aria-label="Search findings">`
    + `<fieldset><legend hidden>Severities</legend>${boxes}</fieldset>`
    + `<label><input type="checkbox" id="fixable"> Fixable only</label><label><input type="checkbox" id="kev-only"> KEV only</label></div>`
    + `<table id="findings-table" data-page="${HTML_PAGE_SIZE}"><thead><tr>${head}</tr></thead><tbody>${sorted.map((f, i) => findingRow(f, i >= HTML_PAGE_SIZE)).join('')}</tbody></table>`
    + '<p id="no-match" hidden>No findings match the filters.</p>'
    + `<p id="paging"${more > 0 ? '' : ' hidden'}>Showing the first <span id="displayed">${Math.min(findings.length, HTML_PAGE_SIZE)}</span> matching findings. `
    + `<button type="button" id="more">Show ${HTML_PAGE_SIZE} more</button> <button type="button" id="all">Show all</button></p>`
    + (more > 0 ? `<noscript><p>${more} more findings need JavaScript to be shown; <code>--format json</code> has them all.</p></noscript>` : '')
    + '</section>';
}

function suppressedSection(suppressed: readonly Suppression[]): string {
  if (!suppressed.length) return '';
  const bySeverity = [...suppressed].sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || (a.finding.id < b.finding.id ? -1 : 1));
  const rows = bySeverity.map((s) => `<tr><td>${idCell(s.finding)}</td><td>${esc(s.finding.package)}</td><td class="ver">${esc(s.finding.installedVersion)}</td>`
    + `<td class="sev sev-${s.finding.severity}">${s.finding.severity}</td><td>${esc(s.kind)}</td><td>${esc(s.by)}</td><td>${esc(s.reason)}</td>`
    + `<td>${esc(s.owner)}</td><td>${esc(s.expires)}</td></tr>`).join('');
  return `<section id="suppressed"><details><summary>Suppressed findings (${suppressed.length})</summary>`
    + '<table><thead><tr><th>Vulnerability</th><th>Package</th><th>Installed</th><th>Severity</th><th>Suppressed by</th><th>Statement</th><th>Reason</th><th>Owner</th><th>Expires</th></tr></thead>'
    + `<tbody>${rows}</tbody></table></details></section>`;
}

function packagesSection(result: ScanResult, open: boolean): string {
  const rows = result.packages.map((p) => `<tr><td>${esc(p.name)}</td><td class="ver">${esc(p.version)}</td><td>${esc(p.ecosystem)}</td>`
    + `<td>${esc(p.source ? `${p.source.name}${p.source.version ? ` ${p.source.version}` : ''}` : '')}</td><td class="ver">${esc(p.purl)}</td>`
    + `<td class="ver">${esc(p.layer?.replace(/^sha256:/, '').slice(0, 12))}</td></tr>`).join('');
  return `<section id="packages"><details${open ? ' open' : ''}><summary>Packages (${result.packages.length})</summary>`
    + `<table><thead><tr><th>Name</th><th>Version</th><th>Ecosystem</th><th>Source</th><th>purl</th><th>Layer</th></tr></thead><tbody>${rows}</tbody></table></details></section>`;
}

/** `--format html`. */
export function htmlReport(result: ScanResult, options: ReportOptions): string {
  const name = result.artifact.name;
  const warnings = result.warnings?.length
    ? `<section class="warnings"><h2>Warnings</h2><ul>${result.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></section>`
    : '';
  const body = result.findings
    ? findingsSection(result.findings) + suppressedSection(result.suppressed ?? []) + packagesSection(result, false)
    : packagesSection(result, true);
  const title = `Portcullis report: ${name}${result.verdict ? ` (${result.verdict.status})` : ''}`;
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    + `<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">`
    + '<meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1">'
    + `<title>${esc(title)}</title><style>${STYLE}</style></head>\n<body>`
    + `<header><h1>${esc(name)}</h1>${facts(result, options)}</header>`
    + verdictSection(result) + warnings + body
    + `<footer>Generated by Portcullis ${esc(options.toolVersion)}.</footer>`
    + `<script>${SCRIPT}</script></body></html>\n`;
}
