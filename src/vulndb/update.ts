/**
 * `portcullis db update`: download every feed file that changed since the last update (the
 * feed cache `<db>.feeds/KIND/NAME` keeps the files, `<db>.update.json` their ETag and
 * Last-Modified), build a new database from the cache and swap it in atomically. With
 * `feedsDir` nothing is downloaded: the database is built from a mirror laid out the same way,
 * so copying the feed cache to an air-gapped machine is a complete mirror.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DbError, FeedError, UsageError } from '../errors.ts';
import type { FeedKind } from './advisory.ts';
import { buildDb } from './build.ts';
import type { BuildResult, FeedInput } from './build.ts';
import { download } from './download.ts';
import type { Validators } from './download.ts';
import { isFeedKind } from './feeds/index.ts';
import { DEFAULT_KINDS, defaultFeedUrls, KIND_ORDER, nameForUrl } from './sources.ts';
import type { FeedUrl } from './sources.ts';

export interface UpdateOptions {
  /** The database file to replace. */
  db: string;
  /** Build from this mirror (DIR/KIND/FILE) instead of downloading. */
  feedsDir?: string;
  /** Per-kind URL overrides: a kind given here is fetched from these URLs only. */
  urls?: { kind: string; url: string }[];
  /** The whole download list, for library users who build their own (default: plannedDownloads() of these options). */
  plan?: FeedUrl[];
  /** Kinds to fetch (default DEFAULT_KINDS plus every kind given in `urls`). */
  kinds?: string[];
  /** Time limit per download (default 10 minutes). */
  timeoutMs?: number;
  /** Size limit per download (default 4 GiB). */
  maxBytes?: number;
  /** Downloads at once (default 4). */
  concurrency?: number;
  now?: Date;
  /** A one-line description of what is happening, for a progress display. */
  onProgress?: (text: string) => void;
}

export interface DownloadResult {
  kind: FeedKind;
  name: string;
  url: string;
  /** `missing`: an optional URL (a release not published yet) answered 404; nothing was built from it. */
  status: 'downloaded' | 'not-modified' | 'missing';
  /** Bytes downloaded (0 when not modified or missing). */
  bytes: number;
}

export interface UpdateResult {
  downloads: DownloadResult[];
  build: BuildResult;
}

interface UpdateState {
  version: 1;
  files: Record<string, Validators>;
}

export function feedCacheDir(db: string): string {
  return `${db}.feeds`;
}

export function updateStatePath(db: string): string {
  return `${db}.update.json`;
}

function readState(path: string): UpdateState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as UpdateState;
    if (parsed?.version === 1 && parsed.files && typeof parsed.files === 'object') return parsed;
  } catch {
    // missing or unreadable: every file is downloaded again, which is always correct
  }
  return { version: 1, files: {} };
}

function writeState(path: string, state: UpdateState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

function selectedKinds(options: UpdateOptions): FeedKind[] {
  const kinds = new Set<string>(options.kinds ?? [...DEFAULT_KINDS, ...(options.urls ?? []).map((u) => u.kind)]);
  for (const k of kinds) if (!isFeedKind(k)) throw new FeedError('FEED_KIND', `unknown feed kind "${k}" (known: ${KIND_ORDER.join(', ')})`);
  for (const u of options.urls ?? []) {
    if (!kinds.has(u.kind)) throw new UsageError('USAGE', `--feed-url ${u.kind}=${u.url}: "${u.kind}" is not among the kinds to fetch (${[...kinds].join(', ')})`);
  }
  return KIND_ORDER.filter((k) => kinds.has(k));
}

/** What to download: the defaults of each selected kind, unless `urls` names that kind. */
export function plannedDownloads(options: UpdateOptions): FeedUrl[] {
  const kinds = selectedKinds(options);
  const overridden = new Set((options.urls ?? []).map((u) => u.kind));
  const defaults = defaultFeedUrls(options.now);
  const out: FeedUrl[] = [];
  for (const kind of kinds) {
    if (!overridden.has(kind)) {
      out.push(...defaults.filter((u) => u.kind === kind));
      continue;
    }
    const taken = new Set<string>();
    for (const u of options.urls!.filter((x) => x.kind === kind)) {
      const name = nameForUrl(u.url, taken);
      taken.add(name);
      out.push({ kind, name, url: u.url });
    }
  }
  return out;
}

/** The feed inputs of a mirror laid out as DIR/KIND/ENTRY: each entry (file, zip or directory) is one input. */
export function mirrorInputs(dir: string, kinds?: readonly string[]): FeedInput[] {
  if (!existsSync(dir)) throw new FeedError('FEED_NOT_FOUND', `${dir}: no such feeds directory`);
  const present = readdirSync(dir, { withFileTypes: true }).filter((d) => !d.name.startsWith('.'));
  for (const d of present) {
    if (!isFeedKind(d.name)) throw new FeedError('FEED_KIND', `${join(dir, d.name)}: not a feed kind directory (expected one of ${KIND_ORDER.join(', ')})`);
  }
  const wanted = kinds ? new Set(kinds) : undefined;
  const inputs: FeedInput[] = [];
  for (const kind of KIND_ORDER) {
    if (wanted && !wanted.has(kind)) continue;
    const kindDir = join(dir, kind);
    if (!present.some((d) => d.name === kind)) continue;
    for (const entry of readdirSync(kindDir).filter((n) => !n.startsWith('.')).sort()) inputs.push({ kind, path: join(kindDir, entry) });
  }
  if (inputs.length === 0) throw new FeedError('FEED_NOT_FOUND', `${dir}: no feed files (expected ${dir}/KIND/FILE, KIND one of ${KIND_ORDER.join(', ')})`);
  return inputs;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

function mb(n: number): string {
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

export async function updateDb(options: UpdateOptions): Promise<UpdateResult> {
  const progress = options.onProgress ?? (() => {});
  const build = (feeds: FeedInput[]) => buildDb({
    feeds, output: options.db, ...(options.now ? { now: options.now } : {}),
    onProgress: (p) => progress(`building: ${p.kind} ${p.records} records`),
  });
  if (options.feedsDir) {
    const kinds = options.kinds ? selectedKinds(options) : undefined;
    return { downloads: [], build: await build(mirrorInputs(options.feedsDir, kinds)) };
  }

  const planned = options.plan ?? plannedDownloads(options);
  if (planned.length === 0) throw new DbError('DB_NO_FEEDS', 'no feeds to update');
  const cache = feedCacheDir(options.db);
  const statePath = updateStatePath(options.db);
  const state = readState(statePath);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const maxBytes = options.maxBytes ?? 4 * 1024 ** 3;
  const results = new Map<FeedUrl, DownloadResult>();
  let finished = 0;
  const active = new Map<string, string>();
  const show = () => progress(`downloading feeds ${finished}/${planned.length}${active.size ? `: ${[...active.values()].join(', ')}` : ''}`);

  await pool(planned, options.concurrency ?? 4, async (f) => {
    const key = `${f.kind}/${f.name}`;
    const dir = join(cache, f.kind);
    mkdirSync(dir, { recursive: true });
    active.set(key, key);
    show();
    const got = await download(f.url, join(dir, f.name), state.files[key], {
      timeoutMs, maxBytes, ...(f.optional ? { optional: true } : {}),
      onBytes: (n, total) => {
        active.set(key, `${key} ${mb(n)}${total ? `/${mb(total)}` : ''}`);
        show();
      },
    }).finally(() => {
      active.delete(key);
      finished++;
      show();
    });
    if (got.status === 'missing') {
      delete state.files[key];
      rmSync(join(dir, f.name), { force: true });
    } else {
      state.files[key] = got.validators;
    }
    // Saved after every file, so a later failure does not cost the downloads that succeeded.
    writeState(statePath, state);
    results.set(f, { kind: f.kind, name: f.name, url: f.url, status: got.status, bytes: got.status === 'downloaded' ? got.validators.bytes : 0 });
  });

  const present = planned.filter((f) => results.get(f)!.status !== 'missing');
  const feeds: FeedInput[] = present.map((f) => ({ kind: f.kind, path: join(cache, f.kind, f.name), location: f.url }));
  const built = await build(feeds);
  pruneCache(cache, present, state);
  writeState(statePath, state);
  return { downloads: planned.map((f) => results.get(f)!), build: built };
}

/**
 * After a successful update, the cache directory of each kind fetched holds exactly that kind's
 * files (a URL no longer configured leaves no stale file behind), so the cache stays a faithful
 * `--feeds-dir` mirror of the last update.
 */
function pruneCache(cache: string, planned: FeedUrl[], state: UpdateState): void {
  const keep = new Set(planned.map((f) => `${f.kind}/${f.name}`));
  for (const kind of new Set(planned.map((f) => f.kind))) {
    for (const name of readdirSync(join(cache, kind))) {
      const key = `${kind}/${name}`;
      // Hidden names are other processes' downloads in progress.
      if (name.startsWith('.') || keep.has(key)) continue;
      rmSync(join(cache, kind, name), { recursive: true, force: true });
      delete state.files[key];
    }
  }
}
