/**
 * FIRST EPSS scores (https://epss.cyentia.com/epss_scores-current.csv.gz, or a dated file):
 * gzip (recognised by its magic bytes) or plain CSV whose first line is a comment
 * `#model_version:v2025.03.14,score_date:2025-03-20T12:55:00Z`, then `cve,epss,percentile` and
 * one row per CVE (about 300,000). Streamed row by row; the score date is the feed timestamp.
 */
import { FeedError } from '../../errors.ts';
import type { EpssScore, FeedRecord } from '../advisory.ts';
import { csvBatches } from './csv.ts';
import { feedRun } from './feed.ts';
import type { Feed, FeedContext, FeedOptions } from './feed.ts';
import { isCve } from './normalise.ts';
import { plainName, sourceEntries } from './source.ts';

const MAX_RECORD = 64 * 1024;

function probability(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 0 && n <= 1 ? n : undefined;
}

async function* readFile(ctx: FeedContext, chunks: AsyncIterable<Buffer>, what: string): AsyncGenerator<FeedRecord> {
  let cols: { cve: number; epss: number; percentile: number } | undefined;
  for await (const batch of csvBatches(chunks, { what, maxRecordChars: MAX_RECORD })) for (const row of batch) {
    if (!cols) {
      const first = row[0]?.trim() ?? '';
      if (first.startsWith('#')) {
        // The comment line is itself comma-separated: "#model_version:…", "score_date:…".
        const comment = row.join(',');
        const model = /model_version:([^,\s]+)/.exec(comment)?.[1];
        if (model) ctx.detail('modelVersion', model);
        const date = /score_date:([^,\s]+)/.exec(comment)?.[1];
        if (date) {
          ctx.detail('scoreDate', date);
          ctx.feedTimestamp(date);
        }
        continue;
      }
      const names = row.map((c) => c.trim().toLowerCase());
      const cve = names.indexOf('cve');
      const epss = names.indexOf('epss');
      const percentile = names.indexOf('percentile');
      if (cve < 0 || epss < 0 || percentile < 0) throw new FeedError('FEED_FORMAT', `${what}: not an EPSS file (no cve,epss,percentile header)`);
      cols = { cve, epss, percentile };
      continue;
    }
    ctx.stats.records++;
    const cve = row[cols.cve]?.trim();
    const score = probability(row[cols.epss]);
    const percentile = probability(row[cols.percentile]);
    if (!cve || !isCve(cve) || score === undefined || percentile === undefined) {
      ctx.skip('malformed row', `${what}: row ${ctx.stats.records}: ${row.join(',').slice(0, 100)}`);
      continue;
    }
    const out: EpssScore = { type: 'epss', cve, score, percentile };
    yield out;
  }
  if (!cols) throw new FeedError('FEED_FORMAT', `${what}: empty EPSS file`);
}

async function* readEpss(ctx: FeedContext, options: FeedOptions): AsyncGenerator<FeedRecord> {
  for await (const entry of sourceEntries(ctx.path, (n) => plainName(n).endsWith('.csv'), options.limits)) {
    const what = ctx.path.endsWith(entry.name) ? ctx.path : `${ctx.path}: ${entry.name}`;
    yield* readFile(ctx, entry.chunks(), what);
  }
}

export const epssFeed: Feed = {
  kind: 'epss',
  read: (source, options = {}) => feedRun('epss', source, (ctx) => readEpss(ctx, options)),
};
