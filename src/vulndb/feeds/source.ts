/**
 * Where feed files come from: one file (plain or gzip), a zip (OSV's all.zip, CVE bulk
 * downloads) or a directory tree (a cvelistV5 checkout, a mirror of secdb files). Every source
 * yields entries one at a time and in a stable order, each read as a stream or — for the small
 * per-record files — whole, with limits on entry count, entry size and total bytes so that a
 * hostile or broken download is a clear error instead of exhausted memory.
 */
import { createReadStream } from 'node:fs';
import { open, opendir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FeedError } from '../../errors.ts';
import { zipEntries } from './zip.ts';

export interface SourceLimits {
  /** Entries in a zip or files in a directory tree (all of them, wanted or not). */
  maxEntries: number;
  /** Bytes of one entry read whole (after decompression). */
  maxEntryBytes: number;
  /** Bytes of one entry read as a stream (after decompression). */
  maxStreamBytes: number;
  /** Bytes of all entries of one source together (after decompression). */
  maxTotalBytes: number;
  /** Directory nesting below the source directory. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: SourceLimits = {
  maxEntries: 5_000_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxStreamBytes: 8 * 1024 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024 * 1024,
  maxDepth: 16,
};

export interface SourceEntry {
  /** Path inside the source with `/` separators (zip entry name, path below the directory), or the file's own name. */
  name: string;
  /** Decompressed content as a stream; gzip is recognised by its magic bytes, not the name. */
  chunks(): AsyncIterable<Buffer>;
  /** Decompressed content whole (for per-record files), at most `maxEntryBytes`. */
  read(): Promise<Buffer>;
}

/** Shared byte accounting for one source. */
class Budget {
  private total = 0;
  readonly limits: SourceLimits;
  readonly path: string;
  constructor(path: string, limits: SourceLimits) {
    this.path = path;
    this.limits = limits;
  }
  add(entry: string, n: number, entryBytes: number, entryLimit: number): void {
    this.total += n;
    if (entryBytes > entryLimit) {
      throw new FeedError('FEED_LIMIT', `${this.path}: ${entry} is larger than ${entryLimit} bytes (after decompression)`);
    }
    if (this.total > this.limits.maxTotalBytes) {
      throw new FeedError('FEED_LIMIT', `${this.path}: more than ${this.limits.maxTotalBytes} bytes in total (after decompression)`);
    }
  }
}

async function* limited(budget: Budget, name: string, input: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of input) {
    n += chunk.length;
    budget.add(name, chunk.length, n, limit);
    yield chunk;
  }
}

/** Gunzip when the content starts with the gzip magic bytes; a truncated or corrupt gzip is a FeedError. */
async function* gunzipByMagic(path: string, name: string, input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < 2) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    have += next.value.length;
  }
  const first = Buffer.concat(head);
  const rest = async function* (): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (done) return;
    for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
  };
  if (!(first[0] === 0x1f && first[1] === 0x8b)) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip();
  const source = Readable.from(rest());
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof FeedError) throw err;
    throw new FeedError('FEED_GZIP', `${path}${name === basename(path) ? '' : `: ${name}`}: not a readable gzip stream (${(err as Error).message})`, { cause: err });
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

function entryOf(budget: Budget, name: string, raw: () => AsyncIterable<Buffer>): SourceEntry {
  const { limits, path } = budget;
  const decoded = (limit: number) => limited(budget, name, gunzipByMagic(path, name, raw()), limit);
  return {
    name,
    chunks: () => decoded(limits.maxStreamBytes),
    async read() {
      const parts: Buffer[] = [];
      for await (const c of decoded(limits.maxEntryBytes)) parts.push(c);
      return Buffer.concat(parts);
    },
  };
}

async function headBytes(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function isZip(head: Buffer): boolean {
  // Local file header, or the end-of-central-directory record of an empty zip.
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

async function* walk(budget: Budget, root: string, want: (name: string) => boolean): AsyncGenerator<SourceEntry> {
  let seen = 0;
  async function* dir(abs: string, rel: string, depth: number): AsyncGenerator<SourceEntry> {
    if (depth > budget.limits.maxDepth) throw new FeedError('FEED_LIMIT', `${root}: directories nested deeper than ${budget.limits.maxDepth} levels`);
    const names: { name: string; dir: boolean; file: boolean }[] = [];
    for await (const d of await opendir(abs)) {
      if (++seen > budget.limits.maxEntries) throw new FeedError('FEED_LIMIT', `${root}: more than ${budget.limits.maxEntries} entries`);
      // Hidden entries are VCS metadata (.git), not feed data; symlinks are not followed, so a
      // tree cannot point the reader outside itself or into a loop.
      if (d.name.startsWith('.')) continue;
      names.push({ name: d.name, dir: d.isDirectory(), file: d.isFile() });
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const n of names) {
      const childRel = rel ? `${rel}/${n.name}` : n.name;
      const childAbs = join(abs, n.name);
      if (n.dir) yield* dir(childAbs, childRel, depth + 1);
      else if (n.file && want(childRel)) yield entryOf(budget, childRel, () => createReadStream(childAbs));
    }
  }
  yield* dir(root, '', 0);
}

/** What a source path is; a missing path or one that is neither file nor directory is a FeedError. */
export async function sourceKind(path: string): Promise<'file' | 'zip' | 'directory'> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new FeedError('FEED_NOT_FOUND', `${path}: cannot read feed source (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  if (info.isDirectory()) return 'directory';
  if (!info.isFile()) throw new FeedError('FEED_NOT_FOUND', `${path}: not a file or directory`);
  return isZip(await headBytes(path, 4)) ? 'zip' : 'file';
}

/**
 * The entries of a source that `want` accepts (by their path inside the source). A source that is
 * a single plain or gzip file is one entry whatever its name: naming the file is choosing it.
 */
export async function* sourceEntries(path: string, want: (name: string) => boolean, limits: Partial<SourceLimits> = {}): AsyncGenerator<SourceEntry> {
  const budget = new Budget(path, { ...DEFAULT_LIMITS, ...limits });
  const kind = await sourceKind(path);
  if (kind === 'directory') {
    yield* walk(budget, path, want);
    return;
  }
  if (kind === 'zip') {
    for await (const z of zipEntries(path, budget.limits)) {
      if (want(z.name)) yield entryOf(budget, z.name, z.open);
    }
    return;
  }
  yield entryOf(budget, basename(path), () => createReadStream(path));
}

/** Lower-cased file name without a trailing `.gz`, for choosing entries by extension. */
export function plainName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.gz') ? lower.slice(0, -3) : lower;
}

/** The first chunk of a stream (to sniff its format) and the whole stream again, first chunk included. */
export async function peek(chunks: AsyncIterable<Buffer>): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (first.done) return;
    for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
  }
  return { head, chunks: all() };
}

/** All of a stream, refusing more than `max` bytes (for documents that must be parsed whole). */
export async function collect(chunks: AsyncIterable<Buffer>, max: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    if (n > max) throw new FeedError('FEED_LIMIT', `${what}: larger than ${max} bytes`);
    parts.push(c);
  }
  return Buffer.concat(parts);
}
