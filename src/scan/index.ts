/**
 * The scan stage: image or stored inventory → matched result. `scanImage` and `scanInventory`
 * are what `scan`, `gate` and the webhook call.
 */
export { scanImage, scanInventory } from './scan.ts';
export type { MatchRunOptions, ScanOptions } from './scan.ts';
export { inventoryImage } from './inventory.ts';
export type { InventoryRun, InventoryRunOptions } from './inventory.ts';
export { parseInventoryDocument, readInventoryFile, SBOM_LIMITS } from './sbom-input.ts';
export type { SbomLimits } from './sbom-input.ts';
