import type { Readable } from 'node:stream';
import { walkLayer } from '../image/index.ts';
import type { LayerLimits, LayerRef, TarHandler } from '../image/index.ts';
import { PortcullisError } from '../errors.ts';
import type { Analyzer, AnalyzerResult } from './types.ts';
import { basename, dirname, resolveLinkTarget } from '../image/index.ts';

/** Bump when the shape or meaning of LayerAnalysis changes: it invalidates every cache entry. */
export const LAYER_ANALYSIS_SCHEMA = 2;

/**
 * What one layer contributes, independent of every other layer: the analyzer results of each
 * wanted file it contains, the wanted paths it makes links, and what it deletes. Plain JSON, so
 * it is cached by diff_id and merged later (merge.ts) in layer order.
 */
export interface LayerAnalysis {
  schema: number;
  diffId: string;
  /** Wanted file path → results per analyzer name. */
  files: Record<string, Record<string, AnalyzerResult>>;
  /** Wanted path → root-relative target, for symlinks and hardlinks at wanted paths. */
  links: Record<string, string>;
  /** Paths deleted from lower layers (.wh.NAME). */
  whiteouts: string[];
  /** Directories whose lower-layer contents are hidden (.wh..wh..opq). */
  opaqueDirs: string[];
  /** Problems that did not stop the scan (an analyzer rejecting a corrupt database, ...). */
  warnings: string[];
  stats: { entries: number; bytes: number; compression: string };
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export async function analyzeLayer(
  blob: Readable,
  layer: LayerRef,
  analyzers: readonly Analyzer[],
  limits?: Partial<LayerLimits>,
): Promise<LayerAnalysis> {
  const what = `layer ${layer.descriptor.digest}`;
  const result: LayerAnalysis = {
    schema: LAYER_ANALYSIS_SCHEMA, diffId: layer.diffId, files: {}, links: {}, whiteouts: [], opaqueDirs: [], warnings: [],
    stats: { entries: 0, bytes: 0, compression: 'none' },
  };
  // The analyzers that want the current entry, decided once in entry() and used in content().
  let wanting: Analyzer[] = [];
  let maxWanted = 0;
  /** Wanted files skipped for their size (already warned about; a hard link to one adds nothing). */
  const skippedLarge = new Set<string>();

  const handler: TarHandler = {
    entry(e) {
      const name = basename(e.path);
      if (name.startsWith(WHITEOUT)) {
        if (name === OPAQUE) result.opaqueDirs.push(dirname(e.path));
        else if (!name.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
          const dir = dirname(e.path);
          const target = name.slice(WHITEOUT.length);
          result.whiteouts.push(dir ? `${dir}/${target}` : target);
        }
        return false;
      }
      wanting = [];
      maxWanted = 0;
      for (const a of analyzers) {
        if (a.wants(e.path)) {
          wanting.push(a);
          maxWanted = Math.max(maxWanted, a.maxFileSize ?? Infinity);
        }
      }
      if (wanting.length === 0) return false;
      // A later entry for the same path replaces an earlier one, whatever its type.
      delete result.files[e.path];
      delete result.links[e.path];
      if (e.type === 'symlink' && e.linkname !== undefined) {
        result.links[e.path] = resolveLinkTarget(e.path, e.linkname);
        return false;
      }
      if (e.type === 'hardlink' && e.linkname !== undefined) {
        // A hard link shares the earlier entry's content: reuse its results when we have them.
        const earlier = result.files[e.linkname];
        if (earlier) result.files[e.path] = earlier;
        else {
          result.links[e.path] = e.linkname;
          // Its content went by earlier in this layer under a name no analyzer wanted (image
          // builders that deduplicate files do this); the stream cannot be re-read, so say so.
          if (!skippedLarge.has(e.linkname)) result.warnings.push(`${e.path}: hard link to ${e.linkname}, which was not read; its contents are not analysed`);
        }
        return false;
      }
      if (e.type !== 'file') return false;
      if (e.size > maxWanted) {
        result.warnings.push(`${e.path}: ${e.size} bytes is more than its analyzers accept (${maxWanted}); skipped`);
        skippedLarge.add(e.path);
        return false;
      }
      return true;
    },
    content(e, data) {
      const perAnalyzer: Record<string, AnalyzerResult> = {};
      for (const a of wanting) {
        try {
          perAnalyzer[a.name] = a.analyze(e.path, data);
        } catch (err) {
          // A corrupt package database must not hide the rest of the image; it is reported.
          if (!(err instanceof PortcullisError) && !(err instanceof Error)) throw err;
          result.warnings.push(`${a.name}: ${e.path}: ${err.message}`);
        }
      }
      result.files[e.path] = perAnalyzer;
    },
  };
  const stats = await walkLayer(blob, handler, { what, diffId: layer.diffId, ...(limits ? { limits } : {}) });
  result.stats = { entries: stats.entries, bytes: stats.bytes, compression: stats.compression };
  return result;
}
