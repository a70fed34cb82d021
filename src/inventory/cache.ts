import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
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
 * Per-layer analysis results on disk, keyed by diff_id (only ever written after the layer's
 * uncompressed digest was verified to be that diff_id) and analyzer set.
 *
 * Concurrency and crashes: an entry is written to a unique temporary file and renamed into
 * place, which is atomic on POSIX filesystems, so readers see a whole entry or none; two
 * processes writing the same entry write the same bytes. An unreadable entry is a miss.
 */
export class LayerCache {
  readonly dir: string;
  private readonly key: string;

  constructor(dir: string, analyzers: readonly Analyzer[]) {
    this.dir = join(dir, 'layers');
    this.key = analyzersKey(analyzers);
  }

  private path(diffId: string): string | undefined {
    const m = /^sha256:([a-f0-9]{64})$/.exec(diffId);
    return m ? join(this.dir, m[1]!.slice(0, 2), `${m[1]}-${this.key}.json`) : undefined;
  }

  async get(diffId: string): Promise<LayerAnalysis | undefined> {
    const path = this.path(diffId);
    if (!path) return undefined;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as LayerAnalysis;
      if (entry.schema === LAYER_ANALYSIS_SCHEMA && entry.diffId === diffId && entry.files && entry.links) return entry;
    } catch {
      // fall through: a damaged entry is removed and recomputed
    }
    await unlink(path).catch(() => {});
    return undefined;
  }

  async put(entry: LayerAnalysis): Promise<void> {
    const path = this.path(entry.diffId);
    if (!path) return;
    const dir = path.slice(0, path.lastIndexOf('/'));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }
}
