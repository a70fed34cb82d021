/**
 * The library: what other programs may import from `portcullis`. Each pipeline stage's index is
 * its public face; this file picks what is stable enough to promise (DESIGN.md "Library").
 */
export { PortcullisError, RegistryError, ImageFormatError, LayerError, UsageError, DbError, PolicyError, FeedError } from './errors.ts';
export { VersionError } from './errors.ts';
export { compareVersions, getScheme, isAffected, rangeTest, satisfies, schemeForEcosystem } from './versions/index.ts';
export type { RangeEvent, SatisfiesOptions, SchemeName, VersionRange, VersionScheme } from './versions/index.ts';

// The engine, stage by stage: image in, inventory, findings, verdict, report.
export { parseImageRef, formatImageRef, openImage, RegistryClient } from './image/index.ts';
export type { ImageRef, OpenOptions } from './image/index.ts';
export { scanImage, scanInventory, inventoryImage, readInventoryFile } from './scan/index.ts';
export type { ScanOptions, InventoryRunOptions } from './scan/index.ts';
export { buildDb, VulnDb, defaultDbPath, pullDb, pushDb } from './vulndb/index.ts';
export type { BuildOptions, DbInfo } from './vulndb/index.ts';
export { decideScan, loadScanPolicy, scanExitStatus, evaluateWorkloadAdmission } from './policy/index.ts';
export { renderReport } from './report/index.ts';
export type { ScanResult, ReportOptions } from './report/index.ts';
export { matchInventory } from './match/index.ts';
export type { Finding, FindingStatus, Severity } from './match/index.ts';
export { discoverImages, readManifests } from './manifests/index.ts';
