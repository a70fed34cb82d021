/**
 * NVD CVE API 2.0 responses (https://services.nvd.nist.gov/rest/json/cves/2.0) and the NVD's
 * 2.0 data feeds of the same shape (`nvdcve-2.0-<year>.json.gz`):
 *
 *     {resultsPerPage, startIndex, totalResults, format: "NVD_CVE", version: "2.0", timestamp,
 *      vulnerabilities: [{cve: {id, published, lastModified, vulnStatus, descriptions,
 *        metrics: {cvssMetricV2, cvssMetricV30, cvssMetricV31, cvssMetricV40}, weaknesses, references}}]}
 *
 * Read as a stream, one CVE at a time (a year's file is hundreds of megabytes). A directory or
 * zip of pages is read page by page. Yields `vuln` records: descriptions, dates, CWEs, references
 * and every metric with its source (`nvd` for NVD's own, `cisa-adp` for CISA's ADP, else the
 * source as NVD names it — a CNA's e-mail address or UUID).
 */
import type { FeedRecord, VulnerabilityInfo } from '../advisory.ts';
import { FeedError } from '../../errors.ts';
import { feedRun } from './feed.ts';
import type { Feed, FeedContext, FeedOptions } from './feed.ts';
import { jsonItems } from './json-stream.ts';
import { englishText, isCve, isObject, isoTimestamp, str, unique } from './normalise.ts';
import { RatingSet } from './ratings.ts';
import { DEFAULT_LIMITS, plainName, sourceEntries } from './source.ts';

/** CISA's ADP organisation ID, which NVD uses as the metric source for Vulnrichment scores. */
const CISA_ADP = '134c704f-9b21-4f2e-91b3-4a467353bcc0';

export function nvdSource(source: unknown): string {
  const s = str(source)?.trim().toLowerCase() ?? 'nvd';
  if (s === 'nvd@nist.gov') return 'nvd';
  if (s === CISA_ADP) return 'cisa-adp';
  return s;
}

const METRICS = ['cvssMetricV2', 'cvssMetricV30', 'cvssMetricV31', 'cvssMetricV40'] as const;

function cveFacts(ctx: FeedContext, item: unknown, what: string, options: FeedOptions): VulnerabilityInfo | undefined {
  const cve = isObject(item) && isObject(item.cve) ? item.cve : undefined;
  const id = str(cve?.id);
  if (!cve || !id || !isCve(id)) {
    ctx.skip('malformed record', `${what}: an entry without a CVE`);
    return undefined;
  }
  const modified = isoTimestamp(cve.lastModified);
  ctx.recordTimestamp(modified);
  const status = str(cve.vulnStatus);
  const vuln: VulnerabilityInfo = { type: 'vuln', id, aliases: [], ratings: [], sources: ['nvd'] };
  if (status) vuln.status = status;
  const description = englishText(cve.descriptions);
  if (status === 'Rejected' || description?.startsWith('** REJECT **')) {
    ctx.detail('rejected', Number(ctx.stats.details.rejected ?? 0) + 1);
    if (options.rejected === 'skip') {
      ctx.skip('rejected');
      return undefined;
    }
    vuln.rejected = true;
  }
  if (description) vuln.description = description;
  const published = isoTimestamp(cve.published);
  if (published) vuln.published = published;
  if (modified) vuln.modified = modified;

  const ratings = new RatingSet();
  const metrics = isObject(cve.metrics) ? cve.metrics : {};
  for (const key of METRICS) {
    for (const m of Array.isArray(metrics[key]) ? metrics[key] : []) {
      const data = isObject(m) && isObject(m.cvssData) ? m.cvssData : undefined;
      const vector = str(data?.vectorString);
      if (!isObject(m) || !data || !vector) continue;
      // v2 metrics keep baseSeverity beside cvssData, later versions inside it.
      ratings.addCvss(nvdSource(m.source), vector, { score: data.baseScore, severity: data.baseSeverity ?? m.baseSeverity });
    }
  }
  if (ratings.invalid > 0) ctx.skip('invalid CVSS vector', `${what}: ${id}: invalid CVSS vector`, ratings.invalid);
  vuln.ratings = ratings.ratings;
  if (ratings.unscored.length > 0) vuln.unscoredCvss = ratings.unscored;

  const cwes: string[] = [];
  for (const w of Array.isArray(cve.weaknesses) ? cve.weaknesses : []) {
    for (const d of isObject(w) && Array.isArray(w.description) ? w.description : []) {
      // NVD-CWE-Other and NVD-CWE-noinfo say there is no CWE to name.
      if (isObject(d) && typeof d.value === 'string' && /^CWE-\d+$/.test(d.value)) cwes.push(d.value);
    }
  }
  if (cwes.length > 0) vuln.cwes = unique(cwes);
  const refs = (Array.isArray(cve.references) ? cve.references : []).map((r) => (isObject(r) ? str(r.url) : undefined)).filter((u): u is string => u !== undefined);
  if (refs.length > 0) vuln.references = unique(refs);
  return vuln;
}

async function* readNvd(ctx: FeedContext, options: FeedOptions): AsyncGenerator<FeedRecord> {
  const maxItemBytes = options.limits?.maxEntryBytes ?? DEFAULT_LIMITS.maxEntryBytes;
  let files = 0;
  for await (const entry of sourceEntries(ctx.path, (n) => plainName(n).endsWith('.json'), options.limits)) {
    ctx.detail('files', ++files);
    const what = ctx.path.endsWith(entry.name) ? ctx.path : `${ctx.path}: ${entry.name}`;
    const header: Record<string, unknown> = {};
    for await (const item of jsonItems(entry.chunks(), { what, maxItemBytes, arrayKey: 'vulnerabilities', header })) {
      ctx.stats.records++;
      const vuln = cveFacts(ctx, item.value, what, options);
      if (vuln) yield vuln;
    }
    if (header.CVE_Items !== undefined) {
      throw new FeedError('FEED_FORMAT', `${what}: this is an NVD 1.1 JSON feed, which NVD retired; use the CVE API 2.0 or its 2.0 data feeds`);
    }
    if (header.format !== undefined && header.format !== 'NVD_CVE') {
      throw new FeedError('FEED_FORMAT', `${what}: not an NVD CVE response (format "${String(header.format)}")`);
    }
    ctx.feedTimestamp(header.timestamp);
    if (typeof header.totalResults === 'number') ctx.detail('totalResults', header.totalResults);
  }
}

export const nvdFeed: Feed = {
  kind: 'nvd',
  read: (source, options = {}) => feedRun('nvd', source, (ctx) => readNvd(ctx, options)),
};
