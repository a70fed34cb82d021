/**
 * The library: what other programs may import from `portcullis`. Each pipeline stage's index is
 * its public face; this file picks what is stable enough to promise (DESIGN.md "Library").
 */
export { PortcullisError, RegistryError, ImageFormatError, LayerError, UsageError, DbError, PolicyError, FeedError } from './errors.ts';
export { VersionError } from './errors.ts';
export { compareVersions, getScheme, isAffected, rangeTest, satisfies, schemeForEcosystem } from './versions/index.ts';
export type { RangeEvent, SatisfiesOptions, SchemeName, VersionRange, VersionScheme } from './versions/index.ts';
