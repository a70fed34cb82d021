/**
 * The terminal report: verdict and reasons first (what a person reads in a failed CI log), then
 * findings grouped by package, worst first, then what was suppressed, then one summary line.
 */
import type { Finding, Severity } from '../match/types.ts';
import {
  artifactTitle, dbAge, formatEpss, formatScore, groupByPackage, maxCvssScore, sanitizeText, summaryLine, suppressionCounts,
} from './summary.ts';
import type { ReportOptions, ScanResult, ScanStatus } from './types.ts';

/** Display-column caps: a 300-character advisory title must not push the table off screen. */
const MAX_TITLE = 50;
const MAX_CELL = 40;

// ---- display width ---------------------------------------------------------------------------

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}|\ufe0f/u;
const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf}|\p{Cc})+$/u;

/** East Asian Wide and Fullwidth blocks (UAX #11), the ones terminals draw two columns wide. */
function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff)
    || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf)
    || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff)
    || (cp >= 0xfe10 && cp <= 0xfe19) || (cp >= 0xfe30 && cp <= 0xfe6f) || (cp >= 0xff00 && cp <= 0xff60)
    || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1b000 && cp <= 0x1b2ff) || (cp >= 0x1f200 && cp <= 0x1f2ff)
    || (cp >= 0x20000 && cp <= 0x3fffd);
}

function graphemeWidth(g: string): number {
  if (ZERO_WIDTH.test(g)) return 0;
  if (EMOJI_PRESENTATION.test(g)) return 2;
  return isWide(g.codePointAt(0) ?? 0) ? 2 : 1;
}

/** Columns a string takes in a terminal: wide CJK and emoji count 2, combining marks 0. */
export function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let w = 0;
  for (const { segment } of segmenter.segment(s)) w += graphemeWidth(segment);
  return w;
}

/** Cut to at most `max` columns, ending in "…" when cut; never splits a grapheme or a wide character. */
export function truncateWidth(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const { segment } of segmenter.segment(s)) {
    const gw = graphemeWidth(segment);
    if (w + gw > max - 1) break;
    out += segment;
    w += gw;
  }
  return `${out}…`;
}

// ---- colour ----------------------------------------------------------------------------------

type Paint = (s: string) => string;
const sgr = (code: string): Paint => (s) => `\u001b[${code}m${s}\u001b[0m`;
const plain: Paint = (s) => s;

const SEVERITY_COLOR: Record<Severity, string> = { CRITICAL: '1;31', HIGH: '31', MEDIUM: '33', LOW: '34', UNKNOWN: '2' };
const STATUS_COLOR: Record<ScanStatus, string> = { Pass: '1;32', Warn: '1;33', Fail: '1;31', Unknown: '1;35' };

interface Palette {
  severity(s: Severity): Paint;
  status(s: ScanStatus): Paint;
  kev: Paint;
  bold: Paint;
  dim: Paint;
}

function palette(color: boolean | undefined): Palette {
  if (!color) return { severity: () => plain, status: () => plain, kev: plain, bold: plain, dim: plain };
  return {
    severity: (s) => sgr(SEVERITY_COLOR[s]),
    status: (s) => sgr(STATUS_COLOR[s]),
    kev: sgr('1;31'),
    bold: sgr('1'),
    dim: sgr('2'),
  };
}

// ---- grid ------------------------------------------------------------------------------------

/** A cell's text (already sanitized and truncated) and how to paint it once padded. */
interface Cell {
  text: string;
  paint?: Paint;
}

type Row = Cell[] | 'separator';

function cell(text: string | undefined, max = MAX_CELL, paint?: Paint): Cell {
  const t = truncateWidth(sanitizeText(text ?? ''), max);
  return paint ? { text: t, paint } : { text: t };
}

/** Box-drawn grid; widths from display width, so CJK titles and emoji keep columns aligned. */
function grid(headers: string[], rows: Row[], p: Palette): string {
  const widths = headers.map((h) => displayWidth(h));
  const rowWidths = rows.map((r) => (r === 'separator' ? [] : r.map((c) => displayWidth(c.text))));
  for (const rw of rowWidths) rw.forEach((w, i) => { if (w > (widths[i] ?? 0)) widths[i] = w; });
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const out = [line('┌', '┬', '┐')];
  out.push(`│${headers.map((h, i) => ` ${p.bold(h)}${' '.repeat((widths[i] ?? 0) - displayWidth(h))} `).join('│')}│`);
  out.push(line('├', '┼', '┤'));
  rows.forEach((r, ri) => {
    if (r === 'separator') {
      out.push(line('├', '┼', '┤'));
      return;
    }
    const rw = rowWidths[ri]!;
    out.push(`│${r.map((c, i) => {
      const pad = ' '.repeat((widths[i] ?? 0) - (rw[i] ?? 0));
      return ` ${c.paint && c.text ? c.paint(c.text) : c.text}${pad} `;
    }).join('│')}│`);
  });
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}

// ---- sections --------------------------------------------------------------------------------

function header(result: ScanResult, options: ReportOptions, p: Palette): string[] {
  const lines = [p.bold(sanitizeText(artifactTitle(result)))];
  const facts: string[] = [];
  if (result.artifact.digest) facts.push(`Digest: ${sanitizeText(result.artifact.digest)}`);
  if (result.artifact.platform) facts.push(`Platform: ${sanitizeText(result.artifact.platform)}`);
  if (result.db) {
    const age = dbAge(result, options.now ?? new Date(result.createdAt));
    facts.push(`DB built: ${sanitizeText(result.db.builtAt)}${age ? ` (${age} ago)` : ''}`);
  }
  if (facts.length) lines.push(facts.join('  '));
  return lines;
}

function verdictLines(result: ScanResult, p: Palette): string[] {
  const v = result.verdict;
  if (!v) return [];
  const policy = v.policy ? ` (policy ${sanitizeText(v.policy)})` : '';
  const lines = [`Verdict: ${p.status(v.status)(v.status.toUpperCase())}${policy}`];
  for (const r of v.reasons) lines.push(`  - ${sanitizeText(r)}`);
  if (v.checks?.length) {
    lines.push(`Checks: ${v.checks.map((c) => `${sanitizeText(c.name)} ${p.status(c.status)(c.status.toUpperCase())}`).join(', ')}`);
  }
  return lines;
}

function riskMarker(f: Finding): string {
  const parts: string[] = [];
  if (f.kev) parts.push('KEV');
  if (f.epss !== undefined) parts.push(formatEpss(f.epss));
  return parts.join(' ');
}

function findingsTable(findings: readonly Finding[], p: Palette): string {
  const rows: Row[] = [];
  for (const g of groupByPackage(findings)) {
    if (rows.length) rows.push('separator');
    g.findings.forEach((f, i) => {
      const score = maxCvssScore(f);
      const risk = riskMarker(f);
      rows.push([
        cell(i === 0 ? g.package : ''),
        cell(f.id),
        cell(`${f.severity}${score === undefined ? '' : ` ${formatScore(score)}`}`, MAX_CELL, p.severity(f.severity)),
        cell(f.status),
        cell(f.installedVersion),
        cell(f.fixedVersion),
        cell(risk, MAX_CELL, f.kev ? p.kev : undefined),
        cell(f.title ?? f.description, MAX_TITLE),
      ]);
    });
  }
  return grid(['Library', 'Vulnerability', 'Severity', 'Status', 'Installed Version', 'Fixed Version', 'KEV/EPSS', 'Title'], rows, p);
}

function packagesTable(result: ScanResult, p: Palette): string {
  const rows: Row[] = result.packages.map((pkg) => [
    cell(pkg.name),
    cell(pkg.version),
    cell(pkg.ecosystem),
    cell(pkg.source ? `${pkg.source.name}${pkg.source.version && pkg.source.version !== pkg.version ? ` ${pkg.source.version}` : ''}` : ''),
    cell(pkg.layer ? pkg.layer.replace(/^sha256:/, '').slice(0, 12) : ''),
  ]);
  return grid(['Package', 'Version', 'Ecosystem', 'Source', 'Layer'], rows, p);
}

function suppressedLine(result: ScanResult): string | undefined {
  const counts = suppressionCounts(result);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return undefined;
  const byKind = counts.map(([k, c]) => `${k}: ${c}`).join(', ');
  return `Suppressed: ${total} (${byKind}), not counted below. See them and why with --format json or --format html.`;
}

/** `--format table`: plain text unless `options.color` (the CLI sets it from the TTY and NO_COLOR). */
export function tableReport(result: ScanResult, options: ReportOptions): string {
  const p = palette(options.color);
  const out: string[] = [...header(result, options, p)];
  const verdict = verdictLines(result, p);
  if (verdict.length) out.push('', ...verdict);
  if (result.warnings?.length) {
    out.push('', 'Warnings:', ...result.warnings.map((w) => `  - ${sanitizeText(w)}`));
  }
  out.push('');
  if (!result.findings) {
    // An inventory-only result (sbom): the packages are the content.
    out.push(result.packages.length ? packagesTable(result, p) : 'No packages found.', `Packages: ${result.packages.length}`);
    return `${out.join('\n')}\n`;
  }
  out.push(result.findings.length ? findingsTable(result.findings, p) : 'No vulnerabilities found.');
  const suppressed = suppressedLine(result);
  if (suppressed) out.push(suppressed);
  out.push(summaryLine(result.findings));
  return `${out.join('\n')}\n`;
}
