/**
 * The vulnerability database stage: build a database file from feeds, read it, locate it, and
 * judge its age. Other stages import only from here.
 */
export { buildDb, vulnRecordOf } from './build.ts';
export type { BuildOptions, BuildProgress, BuildResult, FeedInput } from './build.ts';
export { VulnDb } from './reader.ts';
export { DbWriter, mergeVuln } from './writer.ts';
export { SCHEMA_VERSION } from './schema.ts';
export { TOOL_VERSION } from './version.ts';
export { dbPath, defaultDbPath } from './location.ts';
export { DEFAULT_DB_MAX_AGE, dbAge, dbAgeWarning, formatAge } from './age.ts';
export { parseDuration, parseSize } from './units.ts';
export { updateDb, feedCacheDir, updateStatePath, mirrorInputs, plannedDownloads } from './update.ts';
export type { DownloadResult, UpdateOptions, UpdateResult } from './update.ts';
export { DEFAULT_KINDS, KIND_ORDER, defaultFeedUrls } from './sources.ts';
export type { FeedUrl } from './sources.ts';
export type { DbAge } from './age.ts';
export { FEEDS, feedFor, isFeedKind, packageKey } from './feeds/index.ts';
export type { AffectedPackage, FeedKind, FeedRecord, FeedStats, KevEntry, VulnerabilityInfo } from './feeds/index.ts';
export type { AffectedRange, AffectedRecord, AffectedStatus, DbInfo, EpssRecord, FeedInfo, KevRecord, RangeEvent, Rating, VulnRecord } from './types.ts';
export { pullDb, pushDb, DB_ZSTD_LEVEL, DB_ARTIFACT_TYPE, DB_LAYER_MEDIA_TYPE, ANNOTATION as DB_ANNOTATIONS } from './oci.ts';
export type { PullResult, PushResult, RegistryOptions } from './oci.ts';
