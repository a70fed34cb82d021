/**
 * CVE JSON 5 records (https://github.com/CVEProject/cvelistV5: `cves/<year>/<NNxxx>/CVE-….json`),
 * one file per CVE: a directory tree, a zip of it, or a single record. The CNA container and each
 * ADP container (CISA's "Vulnrichment", the CVE Program's) contribute their metrics under their
 * own short names (`jetbrains`, `cisa-adp`); CWE from problemTypes; the ADP `kev` metric becomes
 * a KEV record. REJECTED records are yielded marked `rejected` (or skipped, by option), so that
 * findings for a rejected CVE can be dropped.
 */
import { FeedError } from '../../errors.ts';
import type { FeedRecord, KevEntry, VulnerabilityInfo } from '../advisory.ts';
import { feedRun } from './feed.ts';
import type { Feed, FeedContext, FeedOptions } from './feed.ts';
import { englishText, isCve, isObject, isoTimestamp, str, unique } from './normalise.ts';
import { parseJson } from './parse.ts';
import { RatingSet } from './ratings.ts';
import { sourceEntries } from './source.ts';

const RECORD_FILE = /(^|\/)CVE-\d{4}-\d{4,}\.json(\.gz)?$/i;
const METRICS = ['cvssV2_0', 'cvssV3_0', 'cvssV3_1', 'cvssV4_0'] as const;

/** A container's name as a rating source: its provider's short name, lower-cased (`CISA-ADP` → `cisa-adp`). */
function sourceName(container: Record<string, unknown>, fallback: string): string {
  const meta = isObject(container.providerMetadata) ? container.providerMetadata : {};
  return (str(meta.shortName) ?? fallback).trim().toLowerCase().replace(/\s+/g, '-');
}

function* recordFacts(ctx: FeedContext, doc: unknown, what: string, options: FeedOptions): Generator<FeedRecord> {
  const meta = isObject(doc) && isObject(doc.cveMetadata) ? doc.cveMetadata : undefined;
  const id = str(meta?.cveId);
  if (!isObject(doc) || doc.dataType !== 'CVE_RECORD' || !meta || !id || !isCve(id)) {
    ctx.skip('not a CVE record', `${what}: no dataType CVE_RECORD with a cveId`);
    return;
  }
  const modified = isoTimestamp(meta.dateUpdated);
  ctx.recordTimestamp(modified);
  const containers = isObject(doc.containers) ? doc.containers : {};
  const cna = isObject(containers.cna) ? containers.cna : {};
  const adps = Array.isArray(containers.adp) ? containers.adp.filter(isObject) : [];
  const vuln: VulnerabilityInfo = { type: 'vuln', id, aliases: [], ratings: [], sources: ['cve5'] };
  if (modified) vuln.modified = modified;
  const published = isoTimestamp(meta.datePublished);
  if (published) vuln.published = published;

  if (meta.state === 'REJECTED') {
    ctx.detail('rejected', Number(ctx.stats.details.rejected ?? 0) + 1);
    if (options.rejected === 'skip') {
      ctx.skip('rejected');
      return;
    }
    vuln.rejected = true;
    const reason = englishText(cna.rejectedReasons);
    if (reason) vuln.description = reason;
    yield vuln;
    return;
  }

  const ratings = new RatingSet();
  const cwes: string[] = [];
  const refs: string[] = [];
  const assigner = str(meta.assignerShortName) ?? 'cna';
  for (const [container, fallback] of [[cna, assigner], ...adps.map((a) => [a, 'adp'] as const)] as const) {
    const source = sourceName(container, fallback);
    for (const m of Array.isArray(container.metrics) ? container.metrics : []) {
      if (!isObject(m)) continue;
      for (const key of METRICS) {
        const c = isObject(m[key]) ? m[key] : undefined;
        const vector = str(c?.vectorString);
        if (c && vector) ratings.addCvss(source, vector, { score: c.baseScore, severity: c.baseSeverity });
      }
      const other = isObject(m.other) ? m.other : undefined;
      const content = isObject(other?.content) ? other.content : undefined;
      if (other?.type === 'kev' && content && typeof content.dateAdded === 'string') {
        const kev: KevEntry = { type: 'kev', cve: id, dateAdded: content.dateAdded, source };
        yield kev;
      } else if (other?.type === 'ssvc' && content && !vuln.ssvc) {
        // SSVC decision points are a list of single-key objects: [{Exploitation: "active"}, ...].
        const points = new Map<string, string>();
        for (const o of Array.isArray(content.options) ? content.options : []) {
          if (isObject(o)) for (const [k, v] of Object.entries(o)) if (typeof v === 'string') points.set(k.toLowerCase(), v);
        }
        const ssvc: NonNullable<VulnerabilityInfo['ssvc']> = { source };
        const exploitation = points.get('exploitation');
        const automatable = points.get('automatable');
        const technicalImpact = points.get('technical impact');
        if (exploitation) ssvc.exploitation = exploitation;
        if (automatable) ssvc.automatable = automatable;
        if (technicalImpact) ssvc.technicalImpact = technicalImpact;
        vuln.ssvc = ssvc;
      }
    }
    for (const p of Array.isArray(container.problemTypes) ? container.problemTypes : []) {
      for (const d of isObject(p) && Array.isArray(p.descriptions) ? p.descriptions : []) {
        if (isObject(d) && typeof d.cweId === 'string' && /^CWE-\d+$/.test(d.cweId)) cwes.push(d.cweId);
      }
    }
    for (const r of Array.isArray(container.references) ? container.references : []) {
      const url = isObject(r) ? str(r.url) : undefined;
      if (url) refs.push(url);
    }
  }
  if (ratings.invalid > 0) ctx.skip('invalid CVSS vector', `${what}: invalid CVSS vector`, ratings.invalid);
  vuln.ratings = ratings.ratings;
  if (ratings.unscored.length > 0) vuln.unscoredCvss = ratings.unscored;
  const title = str(cna.title)?.trim();
  if (title) vuln.title = title;
  const description = englishText(cna.descriptions);
  if (description) vuln.description = description;
  if (cwes.length > 0) vuln.cwes = unique(cwes);
  if (refs.length > 0) vuln.references = unique(refs);
  yield vuln;
}

async function* readCve5(ctx: FeedContext, options: FeedOptions): AsyncGenerator<FeedRecord> {
  for await (const entry of sourceEntries(ctx.path, (n) => RECORD_FILE.test(n), options.limits)) {
    ctx.stats.records++;
    const what = ctx.path.endsWith(entry.name) ? ctx.path : `${ctx.path}: ${entry.name}`;
    let doc: unknown;
    try {
      doc = parseJson(await entry.read(), what);
    } catch (err) {
      if (!(err instanceof FeedError) || err.code !== 'FEED_PARSE') throw err;
      ctx.skip('malformed file', err.message);
      continue;
    }
    yield* recordFacts(ctx, doc, what, options);
  }
}

export const cve5Feed: Feed = {
  kind: 'cve5',
  read: (source, options = {}) => feedRun('cve5', source, (ctx) => readCve5(ctx, options)),
};
