/**
 * CISA's Known Exploited Vulnerabilities catalogue
 * (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json, and the
 * same as .csv). The JSON carries `catalogVersion` and `dateReleased` (the feed timestamp); the
 * CSV does not, so its newest `dateAdded` stands in.
 */
import { FeedError } from '../../errors.ts';
import type { FeedRecord, KevEntry } from '../advisory.ts';
import { csvRows } from './csv.ts';
import { feedRun } from './feed.ts';
import type { Feed, FeedContext, FeedOptions } from './feed.ts';
import { isCve, isObject, isoTimestamp, str } from './normalise.ts';
import { parseJson } from './parse.ts';
import { collect, DEFAULT_LIMITS, peek, plainName, sourceEntries } from './source.ts';

const MAX_RECORD = 1024 * 1024;

function entryOf(ctx: FeedContext, get: (field: string) => unknown, what: string): KevEntry | undefined {
  ctx.stats.records++;
  const cve = str(get('cveID'))?.trim();
  const dateAdded = isoTimestamp(get('dateAdded'));
  if (!cve || !isCve(cve) || !dateAdded) {
    ctx.skip('malformed entry', `${what}: entry without a CVE ID or dateAdded (${cve ?? '?'})`);
    return undefined;
  }
  ctx.recordTimestamp(dateAdded);
  const day = (v: unknown) => isoTimestamp(v)?.slice(0, 10);
  const out: KevEntry = { type: 'kev', source: 'cisa-kev', cve, dateAdded: day(get('dateAdded'))!, knownRansomwareCampaignUse: str(get('knownRansomwareCampaignUse'))?.toLowerCase() === 'known' };
  const due = day(get('dueDate'));
  if (due) out.dueDate = due;
  const text = (field: string) => str(get(field))?.trim() || undefined;
  const vendorProject = text('vendorProject');
  if (vendorProject) out.vendorProject = vendorProject;
  const product = text('product');
  if (product) out.product = product;
  const name = text('vulnerabilityName');
  if (name) out.name = name;
  const shortDescription = text('shortDescription');
  if (shortDescription) out.shortDescription = shortDescription;
  const requiredAction = text('requiredAction');
  if (requiredAction) out.requiredAction = requiredAction;
  const notes = text('notes');
  if (notes) out.notes = notes;
  // JSON has a list; CSV a comma-separated cell ("CWE-59, CWE-436").
  const rawCwes = get('cwes');
  const cwes = (Array.isArray(rawCwes) ? rawCwes : String(rawCwes ?? '').split(/[\s,]+/)).filter((c): c is string => typeof c === 'string' && /^CWE-\d+$/.test(c));
  if (cwes.length > 0) out.cwes = cwes;
  return out;
}

function* fromJson(ctx: FeedContext, doc: unknown, what: string): Generator<FeedRecord> {
  if (!isObject(doc) || !Array.isArray(doc.vulnerabilities)) {
    throw new FeedError('FEED_FORMAT', `${what}: not a KEV catalogue (no vulnerabilities list)`);
  }
  const version = str(doc.catalogVersion);
  if (version) ctx.detail('catalogVersion', version);
  if (typeof doc.count === 'number') ctx.detail('count', doc.count);
  ctx.feedTimestamp(doc.dateReleased);
  for (const v of doc.vulnerabilities) {
    const e = entryOf(ctx, (f) => (isObject(v) ? v[f] : undefined), what);
    if (e) yield e;
  }
}

async function* fromCsv(ctx: FeedContext, chunks: AsyncIterable<Buffer>, what: string): AsyncGenerator<FeedRecord> {
  let columns: Map<string, number> | undefined;
  for await (const row of csvRows(chunks, { what, maxRecordChars: MAX_RECORD })) {
    if (!columns) {
      columns = new Map(row.map((name, i) => [name.trim(), i]));
      if (!columns.has('cveID') || !columns.has('dateAdded')) throw new FeedError('FEED_FORMAT', `${what}: not a KEV CSV (no cveID and dateAdded columns)`);
      continue;
    }
    const cols = columns;
    const e = entryOf(ctx, (f) => {
      const i = cols.get(f);
      return i === undefined ? undefined : row[i];
    }, what);
    if (e) yield e;
  }
}

async function* readKev(ctx: FeedContext, options: FeedOptions): AsyncGenerator<FeedRecord> {
  const want = (n: string) => plainName(n).endsWith('.json') || plainName(n).endsWith('.csv');
  for await (const entry of sourceEntries(ctx.path, want, options.limits)) {
    const what = ctx.path.endsWith(entry.name) ? ctx.path : `${ctx.path}: ${entry.name}`;
    if (plainName(entry.name).endsWith('schema.json')) continue; // CISA publishes the schema beside the data
    const { head, chunks } = await peek(entry.chunks());
    if (/^\s*\{/.test(head.toString('utf8', 0, Math.min(64, head.length)).replace(/^\ufeff/, ''))) {
      const bytes = await collect(chunks, options.limits?.maxEntryBytes ?? DEFAULT_LIMITS.maxEntryBytes, what);
      yield* fromJson(ctx, parseJson(bytes, what), what);
    } else {
      yield* fromCsv(ctx, chunks, what);
    }
  }
}

export const kevFeed: Feed = {
  kind: 'kev',
  read: (source, options = {}) => feedRun('kev', source, (ctx) => readKev(ctx, options)),
};
