import { statSync } from 'node:fs';
import { FeedError } from '../../errors.ts';
import type { FeedKind, FeedRecord, FeedStats } from '../advisory.ts';
import type { FeedInfo } from '../types.ts';
import { isoTimestamp } from './normalise.ts';
import type { SourceLimits } from './source.ts';

/** What a feed reads: a file (plain or gzip), a zip, or a directory. */
export interface FeedSource {
  path: string;
}

export interface FeedOptions {
  limits?: Partial<SourceLimits>;
  /** Alpine secdb: whose secdb this is (detected from the document when not given). */
  flavour?: 'alpine' | 'wolfi' | 'chainguard';
  /** CVE 5 / NVD: yield rejected CVEs marked `rejected` (default) or skip them. */
  rejected?: 'mark' | 'skip';
}

/**
 * One pass over a feed: iterate it for the records; `stats` fills in as it goes and is complete
 * once iteration has finished. A run can be iterated once.
 */
export interface FeedRun extends AsyncIterable<FeedRecord> {
  readonly stats: FeedStats;
}

export interface Feed {
  kind: FeedKind;
  read(source: FeedSource | string, options?: FeedOptions): FeedRun;
}

/** How many malformed-input messages a run keeps (the counts are always complete). */
const MAX_ERRORS = 20;

/** Book-keeping handed to an adapter's generator. */
export class FeedContext {
  readonly stats: FeedStats;
  readonly path: string;
  private newestRecord: string | undefined;

  constructor(kind: FeedKind, path: string) {
    this.path = path;
    this.stats = {
      kind, location: path, records: 0, yielded: { affected: 0, vuln: 0, kev: 0, epss: 0 },
      skipped: 0, skipReasons: {}, errors: [], details: {},
    };
  }

  /** Count something not turned into records; `message` (file and reason) is kept for the first few. */
  skip(reason: string, message?: string, count = 1): void {
    this.stats.skipped += count;
    this.stats.skipReasons[reason] = (this.stats.skipReasons[reason] ?? 0) + count;
    if (message !== undefined && this.stats.errors.length < MAX_ERRORS) this.stats.errors.push(message);
  }

  /** The feed's own timestamp (catalogue release, score date, response time); the newest when several files have one. */
  feedTimestamp(value: unknown): void {
    const iso = isoTimestamp(value);
    if (iso && (this.stats.timestampSource !== 'feed' || !this.stats.timestamp || iso > this.stats.timestamp)) {
      this.stats.timestamp = iso;
      this.stats.timestampSource = 'feed';
    }
  }

  /** A record's modification time; the newest stands in for a feed timestamp. */
  recordTimestamp(value: unknown): void {
    const iso = isoTimestamp(value);
    if (iso && (this.newestRecord === undefined || iso > this.newestRecord)) this.newestRecord = iso;
  }

  detail(key: string, value: string | number): void {
    this.stats.details[key] = value;
  }

  /** Called when the adapter is done: fall back from the feed's timestamp to the newest record, then the file's mtime. */
  finish(): void {
    if (this.stats.timestamp) return;
    if (this.newestRecord) {
      this.stats.timestamp = this.newestRecord;
      this.stats.timestampSource = 'newest-record';
      return;
    }
    try {
      this.stats.timestamp = statSync(this.path).mtime.toISOString();
      this.stats.timestampSource = 'file-mtime';
    } catch {
      // the source is gone; no timestamp
    }
  }
}

/** Wrap an adapter's generator as a FeedRun that counts what it yields. */
export function feedRun(kind: FeedKind, source: FeedSource | string, body: (ctx: FeedContext) => AsyncGenerator<FeedRecord>): FeedRun {
  const path = typeof source === 'string' ? source : source.path;
  const ctx = new FeedContext(kind, path);
  let started = false;
  return {
    stats: ctx.stats,
    [Symbol.asyncIterator](): AsyncIterator<FeedRecord> {
      if (started) throw new FeedError('FEED_REREAD', `${kind} feed ${path}: a feed run can be read only once`);
      started = true;
      return counted(ctx, body(ctx));
    },
  };
}

async function* counted(ctx: FeedContext, records: AsyncGenerator<FeedRecord>): AsyncGenerator<FeedRecord> {
  for await (const r of records) {
    ctx.stats.yielded[r.type]++;
    yield r;
  }
  ctx.finish();
}

/** Everything a run yields, with its stats (for tests and small feeds; a DB build iterates instead). */
export async function readAll(run: FeedRun): Promise<{ records: FeedRecord[]; stats: FeedStats }> {
  const records: FeedRecord[] = [];
  for await (const r of run) records.push(r);
  return { records, stats: run.stats };
}

/** What the database records about a run (the `feeds` table): source records read, skipped, timestamp. */
export function feedInfo(stats: FeedStats): FeedInfo {
  const info: FeedInfo = { kind: stats.kind, location: stats.location, records: stats.records, skipped: stats.skipped };
  if (stats.timestamp) info.timestamp = stats.timestamp;
  return info;
}
