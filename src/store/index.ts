/**
 * The store: scan results by image digest and the admission decisions made from them, in one
 * SQLite file (PostgreSQL later). `scan --store` and `gate --store` write scans with putScan;
 * the webhook reads them with latestByDigest and records every decision.
 */
export { decisionRow, IMAGE_DIGEST, MAX_DECISION_IMAGES, MAX_DECISION_REASONS, MAX_STORED_SCAN_BYTES, ResultStore } from './result-store.ts';
export type { DecisionRow, StoreOptions } from './result-store.ts';
export { SCHEMA_VERSION as STORE_SCHEMA_VERSION } from './schema.ts';
export type { DecisionAction, DecisionImage, DecisionRecord, StoredScan, StoredStatus } from './types.ts';
export { storedScanResult } from './scan-result.ts';
