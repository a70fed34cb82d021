/**
 * Go module versions (golang.org/ref/mod#versions): semantic versions with a `v` (optional here,
 * because OSV's Go ecosystem drops it), strict about leading zeros and empty identifiers as Go's
 * semver package is, `v1` and `v1.2` shorthand for v1.0.0 and v1.2.0. Build metadata, such as
 * `+incompatible` on a v2+ module without go.mod, is ignored. Pseudo-versions
 * (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019...`, `v1.2.3-pre.0.2019...`) are
 * prereleases by construction, so semver precedence already orders them by base version and
 * then by commit time.
 */
import { compareSemver, type SemVer } from './semver.ts';
import { MAX_VERSION_LENGTH, type VersionScheme } from './types.ts';

const NUM = '(0|[1-9]\\d*)';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const GO = new RegExp(`^v?${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?)?)?$`);

export function parseGo(v: string): SemVer | undefined {
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH) return undefined;
  const m = GO.exec(s);
  if (!m) return undefined;
  return { major: m[1] as string, minor: m[2] ?? '0', patch: m[3] ?? '0', pre: m[4] === undefined ? [] : m[4].split('.'), build: m[5] ?? '' };
}

export const go: VersionScheme<SemVer> = { name: 'go', parse: parseGo, compare: compareSemver };
