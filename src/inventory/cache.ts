import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { LAYER_ANALYSIS_SCHEMA } from './layer-analysis.ts';
import type { LayerAnalysis } from './layer-analysis.ts';
import type { Analyzer } from './types.ts';

/** `--cache-dir`, else $XDG_CACHE_HOME/portcullis, else ~/.cache/portcullis. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'portcullis');
}

/**
 * The analyzer set is part of every key: adding an analyzer or bumping one's version makes old
 * entries unreachable rather than wrong.
 */
export function analyzersKey(analyzers: readonly Analyzer[]): string {
  const id = [`schema${LAYER_ANALYSIS_SCHEMA}`, ...analyzers.map((a) => `${a.name}@${a.version}`).sort()].join(',');
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/**
 * An entry larger than this is not one we wrote (the biggest real package databases give a few
 * MB of JSON): it is treated as damaged rather than read whole.
 */
const MAX_ENTRY_BYTES = 64 << 20;

/** A temporary file this old was left by a process that died mid-write. */
const STALE_TMP_MS = 60 * 60 * 1000;

/**
 * Per-layer analysis results on disk, keyed by diff_id (only ever written after the layer's
 * uncompressed digest was verified to be that diff_id) and analyzer set.
 *
 * Concurrency and crashes: an entry is written to a unique temporary file and renamed into
 * place, which is atomic on POSIX filesystems, so readers see a whole entry or none; two
 * processes writing the same entry write the same bytes, and the last rename wins. An entry that
 * is unreadable, not JSON or not the shape we write is a miss: it is removed and recomputed.
 * Temporary files left by a crash are removed by a later write into the same directory.
 */
export class LayerCache {
  readonly dir: string;
  private readonly key: string;

  constructor(dir: string, analyzers: readonly Analyzer[]) {
    this.dir = join(dir, 'layers');
    this.key = analyzersKey(analyzers);
  }

  /** Where the entry of a diff_id lives; undefined for anything but a well-formed sha256 digest. */
  entryPath(diffId: string): string | undefined {
    const m = /^sha256:([a-f0-9]{64})$/.exec(diffId);
    return m ? join(this.dir, m[1]!.slice(0, 2), `${m[1]}-${this.key}.json`) : undefined;
  }

  async get(diffId: string): Promise<LayerAnalysis | undefined> {
    const path = this.entryPath(diffId);
    if (!path) return undefined;
    let text: string | undefined;
    try {
      const fh = await open(path, 'r');
      try {
        const { size } = await fh.stat();
        if (size <= MAX_ENTRY_BYTES) text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch {
      return undefined; // absent (the usual miss) or unreadable
    }
    if (text !== undefined) {
      try {
        const entry: unknown = JSON.parse(text);
        if (isLayerAnalysis(entry, diffId)) return entry;
      } catch {
        // fall through: a damaged entry is removed and recomputed
      }
    }
    await unlink(path).catch(() => {});
    return undefined;
  }

  async put(entry: LayerAnalysis): Promise<void> {
    const path = this.entryPath(entry.diffId);
    if (!path) return;
    const dir = dirname(path);
    await makeDirs(dir, 0o700);
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    await removeStaleTemporaries(dir);
  }
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdir never returns where mkdir fails with
 * ENOENT under a parent that exists (a cache dir under /proc or /sys, say); here that is an error.
 */
export async function makeDirs(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const s = await stat(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      return undefined;
    });
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    // EEXIST: another process made it meanwhile.
    await mkdir(d, { mode }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

async function removeStaleTemporaries(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.endsWith('.tmp')) continue;
    const file = join(dir, name);
    // A young temporary file may be another process's write in progress: leave it.
    const s = await stat(file).catch(() => undefined);
    if (s && now - s.mtimeMs > STALE_TMP_MS) await unlink(file).catch(() => {});
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * Enough of a shape check that a damaged or foreign entry cannot crash the merge or put
 * nonsense into an SBOM; entries we wrote always pass.
 */
function isLayerAnalysis(v: unknown, diffId: string): v is LayerAnalysis {
  if (!isObject(v) || v.schema !== LAYER_ANALYSIS_SCHEMA || v.diffId !== diffId) return false;
  if (!isStringArray(v.whiteouts) || !isStringArray(v.opaqueDirs) || !isStringArray(v.warnings)) return false;
  if (!isObject(v.links) || !Object.values(v.links).every((t) => typeof t === 'string')) return false;
  if (!isObject(v.stats) || typeof v.stats.bytes !== 'number') return false;
  if (!isObject(v.files)) return false;
  for (const perAnalyzer of Object.values(v.files)) {
    if (!isObject(perAnalyzer)) return false;
    for (const r of Object.values(perAnalyzer)) {
      if (!isObject(r)) return false;
      if (r.os !== undefined && !isObject(r.os)) return false;
      if (r.packages !== undefined) {
        if (!Array.isArray(r.packages)) return false;
        for (const p of r.packages) {
          if (!isObject(p) || typeof p.name !== 'string' || typeof p.version !== 'string' || typeof p.manager !== 'string') return false;
        }
      }
    }
  }
  return true;
}
