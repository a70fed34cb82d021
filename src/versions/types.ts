/** The shapes every version scheme shares (DESIGN.md "Shapes to follow"). */

export type Cmp = -1 | 0 | 1;

export type SchemeName = 'deb' | 'apk' | 'rpm' | 'semver' | 'pep440' | 'maven' | 'go' | 'gem' | 'nuget' | 'composer';

/** One scheme: parse (undefined when the string is not a version of this scheme), then compare parsed values. */
export interface VersionScheme<P = unknown> {
  readonly name: SchemeName;
  parse(v: string): P | undefined;
  compare(a: P, b: P): Cmp;
}

/**
 * Versions come from images and feeds, which anyone can write. Real versions are far shorter
 * (the longest in the shared orderings is under 100 characters); longer strings are refused.
 */
export const MAX_VERSION_LENGTH = 256;

/** Ranges are a few dozen characters in practice; longer ones are refused before any regex runs. */
export const MAX_RANGE_LENGTH = 1024;
