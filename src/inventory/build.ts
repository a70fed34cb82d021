import { availableParallelism } from 'node:os';
import { Transform, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ImageSource, LayerLimits, ResolvedImage } from '../image/index.ts';
import type { LayerCache } from './cache.ts';
import { LayerError } from '../errors.ts';
import { analyzeLayer } from './layer-analysis.ts';
import type { LayerAnalysis } from './layer-analysis.ts';
import { mergeLayers } from './merge.ts';
import type { MergedLayers } from './merge.ts';
import { ecosystemOf, purlOf } from './purl.ts';
import type { Analyzer, Inventory, OSFacts, OSInfo, Package } from './types.ts';

export type ProgressEvent =
  | { type: 'layer-cached'; index: number; total: number }
  | { type: 'layer-start'; index: number; total: number; size: number }
  /** Bytes of the layer blob read so far (as stored: compressed), about every MiB. */
  | { type: 'layer-bytes'; index: number; total: number; read: number; size: number }
  | { type: 'layer-done'; index: number; total: number; bytes: number }
  /** The result could not be stored (read-only or full cache dir): the scan goes on without it. */
  | { type: 'cache-error'; index: number; total: number; message: string };

export interface InventoryOptions {
  analyzers: readonly Analyzer[];
  resolveOS: (facts: { path: string; facts: OSFacts }[]) => OSInfo | undefined;
  cache?: LayerCache;
  /** Layers analysed at once; each needs a decompressor thread, so about the number of cores. */
  concurrency?: number;
  limits?: Partial<LayerLimits>;
  onProgress?: (event: ProgressEvent) => void;
}

export interface LayerSummary {
  digest: string;
  diffId: string;
  size: number;
  cached: boolean;
}

export interface InventoryResult extends Inventory {
  warnings: string[];
  layers: LayerSummary[];
}

/**
 * Analyse every layer of a resolved image (from the cache where possible, several at once
 * otherwise) and merge them into the image's inventory.
 */
export async function buildInventory(source: ImageSource, image: ResolvedImage, options: InventoryOptions): Promise<InventoryResult> {
  const total = image.layers.length;
  const analyses: LayerAnalysis[] = new Array(total);
  const summaries: LayerSummary[] = image.layers.map((l) => ({ digest: l.descriptor.digest, diffId: l.diffId, size: l.descriptor.size, cached: false }));
  const concurrency = Math.max(1, options.concurrency ?? Math.min(4, Math.max(2, availableParallelism())));

  let next = 0;
  /** The first failure, by time: the one reported; other layers in progress are abandoned. */
  let failure: { error: unknown } | undefined;
  const reading = new Set<Readable>();
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    // Stop reading the other layers now rather than after megabytes more: the scan has failed.
    // (With an error: a stream destroyed without one may never end for the reader.)
    for (const blob of reading) blob.destroy(new LayerError('ABANDONED', 'another layer failed'));
  };
  const worker = async () => {
    while (next < total && !failure) {
      const index = next++;
      const layer = image.layers[index]!;
      const cached = await options.cache?.get(layer.diffId);
      if (cached) {
        analyses[index] = cached;
        summaries[index]!.cached = true;
        options.onProgress?.({ type: 'layer-cached', index, total });
        continue;
      }
      options.onProgress?.({ type: 'layer-start', index, total, size: layer.descriptor.size });
      let analysis: LayerAnalysis;
      let blob: Readable | undefined;
      try {
        blob = await source.openBlob(layer.descriptor);
        if (failure) {
          blob.destroy(new LayerError('ABANDONED', 'another layer failed'));
          return;
        }
        if (options.onProgress) blob = counted(blob, (read) => options.onProgress?.({ type: 'layer-bytes', index, total, read, size: layer.descriptor.size }));
        reading.add(blob);
        analysis = await analyzeLayer(blob, layer, options.analyzers, options.limits);
      } catch (err) {
        fail(err);
        return;
      } finally {
        if (blob) reading.delete(blob);
      }
      analyses[index] = analysis;
      // Written only now: the blob digest and the diff_id have both been verified.
      await options.cache?.put(analysis).catch((err: unknown) => {
        options.onProgress?.({ type: 'cache-error', index, total, message: (err as Error)?.message ?? String(err) });
      });
      options.onProgress?.({ type: 'layer-done', index, total, bytes: analysis.stats.bytes });
    }
  };
  // Every worker settles before we report, so no stream is left open in the background.
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (failure) throw failure.error;

  const merged = mergeLayers(analyses);
  return { ...toInventory(merged, image, options.resolveOS), layers: summaries };
}

const PROGRESS_STEP = 1 << 20;

/** The same stream, reporting how much has been read through it (errors pass through). */
function counted(blob: Readable, report: (read: number) => void): Readable {
  let read = 0;
  let reported = 0;
  const through = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      read += chunk.length;
      if (read - reported >= PROGRESS_STEP) {
        reported = read;
        report(read);
      }
      done(null, chunk);
    },
  });
  // pipeline() destroys both streams with the first error, so the reader sees a source's failure.
  pipeline(blob, through, () => {});
  return through;
}

export function toInventory(
  merged: MergedLayers,
  image: Pick<ResolvedImage, 'layers'>,
  resolveOS: InventoryOptions['resolveOS'],
): Inventory & { warnings: string[] } {
  const os = resolveOS(merged.osFacts);
  const packages: Package[] = merged.packages.map(({ pkg, path, layerIndex }) => {
    const ecosystem = ecosystemOf(pkg.manager, os);
    const layer = image.layers[layerIndex];
    const out: Package = {
      name: pkg.name,
      version: pkg.version,
      ecosystem,
      purl: purlOf(pkg, ecosystem, os),
      manager: pkg.manager,
    };
    if (pkg.arch) out.arch = pkg.arch;
    if (pkg.epoch !== undefined) out.epoch = pkg.epoch;
    if (pkg.sourceName) out.source = pkg.sourceVersion ? { name: pkg.sourceName, version: pkg.sourceVersion } : { name: pkg.sourceName };
    if (pkg.vendor) out.vendor = pkg.vendor;
    if (pkg.modularityLabel) out.modularityLabel = pkg.modularityLabel;
    if (pkg.licenses?.length) out.licenses = pkg.licenses;
    if (layer) {
      out.layer = layer.descriptor.digest;
      out.layerDiffId = layer.diffId;
    }
    out.foundIn = path;
    return out;
  });
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  const warnings = [...merged.warnings];
  if (!os && packages.length > 0) warnings.push('operating system not detected; package ecosystems assumed from their package manager');
  return os ? { os, packages, warnings } : { packages, warnings };
}
