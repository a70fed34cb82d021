import { DEFAULT_PLATFORM, formatImageRef, formatPlatform, openImage, parseImageRef, parsePlatform } from '../image/index.ts';
import type { LayerLimits, ResolvedImage } from '../image/index.ts';
import { ANALYZERS, LayerCache, buildInventory, defaultCacheDir, resolveOS } from '../inventory/index.ts';
import type { InventoryResult, ProgressEvent } from '../inventory/index.ts';
import type { ScanResult } from '../report/index.ts';

export interface InventoryRunOptions {
  /** OS/ARCH[/VARIANT]; default linux/amd64. */
  platform?: string;
  insecure?: boolean;
  caFile?: string;
  /** Directory of the layer cache; false disables it. */
  cacheDir?: string | false;
  concurrency?: number;
  limits?: Partial<LayerLimits>;
  onProgress?: (event: ProgressEvent) => void;
  now?: () => Date;
}

export interface InventoryRun {
  image: ResolvedImage;
  inventory: InventoryResult;
  /** The result object reports are views of, without findings or verdict yet. */
  result: ScanResult;
}

/** Image reference in, inventory out: open the source, pick the platform, analyse and merge. */
export async function inventoryImage(reference: string, options: InventoryRunOptions = {}): Promise<InventoryRun> {
  const ref = parseImageRef(reference);
  const platform = options.platform ? parsePlatform(options.platform) : DEFAULT_PLATFORM;
  const source = await openImage(ref, { ...(options.insecure ? { insecure: true } : {}), ...(options.caFile ? { caFile: options.caFile } : {}) });
  try {
    const image = await source.resolve(platform);
    const cache = options.cacheDir === false ? undefined : new LayerCache(options.cacheDir ?? defaultCacheDir(), ANALYZERS);
    const inventory = await buildInventory(source, image, {
      analyzers: ANALYZERS,
      resolveOS,
      ...(cache ? { cache } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const now = options.now?.() ?? new Date();
    const result: ScanResult = {
      schemaVersion: 1,
      createdAt: now.toISOString(),
      artifact: {
        name: formatImageRef(ref),
        digest: image.repoDigest ?? image.configDigest,
        platform: formatPlatform(image.platform),
        manifestDigest: image.manifestDigest,
        imageId: image.configDigest,
        layers: inventory.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size })),
        ...(image.config.config?.Labels ? { labels: image.config.config.Labels } : {}),
      },
      ...(inventory.os ? { os: inventory.os } : {}),
      packages: inventory.packages,
      ...(inventory.warnings.length ? { warnings: inventory.warnings } : {}),
    };
    return { image, inventory, result };
  } finally {
    await source.close();
  }
}
