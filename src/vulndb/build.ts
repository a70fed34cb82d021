/**
 * Building a database file from feeds: run each adapter, hand its records to DbWriter, record
 * what each feed contributed, and put the finished file in place with one rename. A reader
 * (a scan, the webhook) therefore sees either the old database or the new one, never half of
 * one; when any feed fails the partial file is deleted and the old database stays.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DbError, FeedError, PortcullisError } from '../errors.ts';
import type { FeedKind, FeedStats, VulnerabilityInfo } from './advisory.ts';
import { feedFor, feedInfo } from './feeds/index.ts';
import type { FeedOptions } from './feeds/index.ts';
import type { VulnRecord } from './types.ts';
import { removeStaleTemps, tempPathFor } from './temp.ts';
import { TOOL_VERSION } from './version.ts';
import { DbWriter } from './writer.ts';

export interface FeedInput {
  kind: FeedKind | string;
  /** A file (plain or gzip), a zip or a directory. */
  path: string;
  /** Recorded as the feed's location instead of `path` (the URL a file was downloaded from). */
  location?: string;
  options?: FeedOptions;
}

export interface BuildProgress {
  /** Index of the feed being read, in `feeds`. */
  feed: number;
  kind: string;
  path: string;
  /** Records yielded so far by this feed. */
  records: number;
  /** `true` once this feed is done. */
  done: boolean;
}

export interface BuildOptions {
  feeds: FeedInput[];
  /** Where the database goes; replaced atomically. */
  output: string;
  /** Build time recorded in the database (default: now). */
  now?: Date;
  /** Called every few thousand records and at the end of each feed. */
  onProgress?: (p: BuildProgress) => void;
  /** Recorded as the tool version (default: this package's version). */
  toolVersion?: string;
}

export interface BuildResult {
  output: string;
  builtAt: string;
  feeds: FeedStats[];
  /** CVEs that NVD or CVE 5 mark rejected: their rows were left out. */
  rejected: number;
  bytes: number;
}

const PROGRESS_EVERY = 5_000;

/** Only the fields the database keeps (feeds add provenance fields the matcher does not read). */
export function vulnRecordOf(v: VulnerabilityInfo): VulnRecord {
  const out: VulnRecord = { id: v.id, aliases: v.aliases, ratings: v.ratings, sources: v.sources };
  if (v.title) out.title = v.title;
  if (v.description) out.description = v.description;
  if (v.published) out.published = v.published;
  if (v.modified) out.modified = v.modified;
  if (v.cwes?.length) out.cwes = v.cwes;
  if (v.references?.length) out.references = v.references;
  if (v.unscoredCvss?.length) out.vectors = v.unscoredCvss;
  return out;
}

export async function buildDb(options: BuildOptions): Promise<BuildResult> {
  if (options.feeds.length === 0) throw new DbError('DB_NO_FEEDS', 'no feeds to build the database from (give --feed KIND=PATH)');
  // Resolve every adapter first, so a bad kind fails before any work is done.
  const adapters = options.feeds.map((f) => feedFor(f.kind));
  for (const f of options.feeds) {
    if (!existsSync(f.path)) throw new FeedError('FEED_NOT_FOUND', `${f.kind} feed ${f.path}: no such file or directory`);
  }
  const output = resolve(options.output);
  const tmp = tempPathFor(output, 'tmp');
  let writer: DbWriter;
  try {
    mkdirSync(dirname(output), { recursive: true });
    removeStaleTemps(output);
    writer = new DbWriter(tmp);
  } catch (err) {
    throw new DbError('DB_WRITE', `cannot write the database at ${output} (${(err as Error).message})`, { cause: err });
  }
  const builtAt = (options.now ?? new Date()).toISOString();
  const allStats: FeedStats[] = [];
  // A CVE rejected by NVD or CVE 5 is not a vulnerability: rows other feeds hold for it
  // (often stale ones) are dropped at the end, whatever order the feeds came in.
  const rejected = new Set<string>();
  try {
    for (const [i, input] of options.feeds.entries()) {
      const run = adapters[i]!.read(input.path, input.options);
      let n = 0;
      const progress = (done: boolean) => options.onProgress?.({ feed: i, kind: input.kind, path: input.path, records: n, done });
      for await (const r of run) {
        switch (r.type) {
          case 'affected':
            writer.addAffected(r);
            break;
          case 'vuln':
            if (r.rejected) rejected.add(r.id);
            else writer.addVuln(vulnRecordOf(r));
            break;
          case 'kev':
            // CISA's catalogue is authoritative; the CVE 5 ADP container's copy only fills gaps.
            writer.addKev(r, r.source === 'cisa-kev');
            break;
          case 'epss':
            writer.addEpss(r);
            break;
        }
        if (++n % PROGRESS_EVERY === 0) progress(false);
      }
      progress(true);
      const info = feedInfo(run.stats);
      if (input.location) info.location = input.location;
      writer.addFeed(info);
      allStats.push(run.stats);
    }
    writer.dropVulns([...rejected]);
    writer.finish({ builtAt, toolVersion: options.toolVersion ?? TOOL_VERSION });
    const bytes = writer.bytes();
    renameSync(tmp, output);
    return { output, builtAt, feeds: allStats, rejected: rejected.size, bytes };
  } catch (err) {
    writer.abort();
    rmSync(tmp, { force: true });
    if (err instanceof PortcullisError) throw err;
    // The disk (full, read-only, gone) rather than the feeds: say which file could not be written.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && (/^E[A-Z]+$/.test(code) || code.startsWith('ERR_SQLITE'))) {
      throw new DbError('DB_WRITE', `cannot write the database at ${output} (${(err as Error).message})`, { cause: err });
    }
    throw err;
  }
}
