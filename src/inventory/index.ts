/** The inventory stage: analyzers, per-layer analysis, layer merge, cache. */
export type { Analyzer, AnalyzerResult, Inventory, OSFacts, OSFamily, OSInfo, Package, PackageManager, RawPackage } from './types.ts';
export { buildInventory, toInventory } from './build.ts';
export type { InventoryOptions, InventoryResult, LayerSummary, ProgressEvent } from './build.ts';
export { LayerCache, defaultCacheDir, analyzersKey } from './cache.ts';
export { analyzeLayer, LAYER_ANALYSIS_SCHEMA } from './layer-analysis.ts';
export type { LayerAnalysis } from './layer-analysis.ts';
export { mergeLayers } from './merge.ts';
export { ecosystemOf, formatPurl, purlOf, splitEpoch } from './purl.ts';
export type { PurlParts } from './purl.ts';
export { ANALYZERS, resolveOS } from './analyzers/index.ts';
