import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderJunitFor, renderReport } from '../report/index.ts';
import type { ReportOptions, ScanResult } from '../report/index.ts';
import { summaryTable, withoutDigest } from './summary.ts';
import type { GateResult } from './types.ts';

/** The gate's outputs: table, JSON, JUnit, SARIF; and --report-dir with everything. */

export const GATE_FORMATS = ['table', 'json', 'junit', 'sarif'] as const;
export type GateFormat = (typeof GATE_FORMATS)[number];

/** The JSON view: the gate result without the full per-image results (those go to --report-dir). */
export function gateJson(result: GateResult): string {
  const { results: _results, ...rest } = result;
  return `${JSON.stringify({ schemaVersion: 1, ...rest }, null, 2)}\n`;
}

/**
 * SARIF for many images: one run per image, as SARIF 2.1.0 allows, in one log. Each run gets its
 * own `automationDetails.id` (`portcullis/IMAGE/`): GitHub code scanning takes the part before
 * the last slash as the run's category and refuses several runs of one tool in one category.
 */
export async function gateSarif(results: readonly ScanResult[], options: ReportOptions): Promise<string> {
  let log: { runs: Record<string, unknown>[] } & Record<string, unknown> = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [] };
  for (const [i, r] of results.entries()) {
    const one = JSON.parse(String(await renderReport('sarif', r, options))) as { runs: Record<string, unknown>[] } & Record<string, unknown>;
    if (i === 0) log = { ...one, runs: [] };
    const category = `portcullis/${withoutDigest(r.artifact.name)}@${r.artifact.digest ?? ''}/`;
    log.runs.push(...one.runs.map((run) => ({ ...run, automationDetails: { id: category } })));
  }
  return `${JSON.stringify(log, null, 2)}\n`;
}

export async function renderGate(format: GateFormat, result: GateResult, options: ReportOptions): Promise<string> {
  switch (format) {
    case 'table': return summaryTable(result);
    case 'json': return gateJson(result);
    case 'junit': return renderJunitFor(result.results, options);
    case 'sarif': return gateSarif(result.results, options);
  }
}

/** A file name for an image: readable, unique by digest, safe on every file system. */
export function reportBaseName(result: ScanResult): string {
  const name = withoutDigest(result.artifact.name).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
  const digest = (result.artifact.digest ?? '').replace(/^sha256:/, '').slice(0, 12);
  return digest ? `${name}-${digest}` : name;
}

async function put(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * --report-dir: per image `NAME-DIGEST.json` and `.html` (the full scan reports), and the run's
 * `summary.json` (the gate JSON, each image pointing at its report) and `summary.txt` (the table).
 */
export async function writeReportDir(dir: string, result: GateResult, options: ReportOptions): Promise<GateResult> {
  await mkdir(dir, { recursive: true });
  const byDigest = new Map<string, string>();
  for (const r of result.results) {
    const base = reportBaseName(r);
    await put(join(dir, `${base}.json`), await renderReport('json', r, options));
    await put(join(dir, `${base}.html`), await renderReport('html', r, options));
    if (r.artifact.digest) byDigest.set(r.artifact.digest, `${base}.json`);
  }
  const withReports: GateResult = {
    ...result,
    images: result.images.map((i) => {
      const file = i.digest ? byDigest.get(i.digest) : undefined;
      return file ? { ...i, report: file } : i;
    }),
  };
  await put(join(dir, 'summary.json'), gateJson(withReports));
  await put(join(dir, 'summary.txt'), summaryTable(withReports));
  return withReports;
}
