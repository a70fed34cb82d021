/**
 * Whether a version falls in OSV ranges, following the OSV schema's "Evaluation" section:
 * the events of a range are sorted by version and walked in order, `introduced` (where `0` means
 * "from the beginning") switching to affected, `fixed` (exclusive) and `last_affected`
 * (inclusive) switching back; `limit` caps the range (versions at or above it are outside);
 * several ranges are OR'ed, and a version listed in `versions` is affected whatever the ranges say.
 * GIT ranges (commit hashes) cannot be evaluated against a version and are ignored.
 */
import type { SemVer } from './semver.ts';
import type { VersionScheme } from './types.ts';

export interface RangeEvent { introduced?: string; fixed?: string; last_affected?: string; limit?: string }
export interface VersionRange { type: 'ECOSYSTEM' | 'SEMVER'; events: RangeEvent[] }

/** Ranges with more events than this are hostile or broken: they are evaluated conservatively (affected). */
export const MAX_EVENTS = 10_000;

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface Event<P> { kind: Kind; at: P | undefined; order: number }

/** Within one version, introduced sorts before the events that close a range. */
const KIND_ORDER: Record<Kind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

function eventsOf<P>(scheme: VersionScheme<P>, range: VersionRange): Event<P>[] {
  const out: Event<P>[] = [];
  for (const e of range.events) {
    for (const kind of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
      const raw = e[kind];
      if (raw === undefined) continue;
      if (kind === 'introduced' && raw === '0') {
        out.push({ kind, at: undefined, order: 0 });
        continue;
      }
      if (kind === 'limit' && raw === '*') continue;
      const at = scheme.parse(raw);
      if (at === undefined) {
        // A bound we cannot read: an unreadable start counts from the beginning and an unreadable
        // end is dropped, so bad feed data makes findings, never hides them (fail closed).
        if (kind === 'introduced') out.push({ kind, at: undefined, order: 0 });
        continue;
      }
      out.push({ kind, at, order: out.length });
    }
  }
  return out;
}

function inRange<P>(scheme: VersionScheme<P>, v: P, range: VersionRange): boolean {
  if (range.events.length > MAX_EVENTS) return true;
  const events = eventsOf(scheme, range);
  events.sort((x, y) => {
    if (x.at === undefined || y.at === undefined) return x.at === y.at ? x.order - y.order : x.at === undefined ? -1 : 1;
    return scheme.compare(x.at, y.at) || KIND_ORDER[x.kind] - KIND_ORDER[y.kind] || x.order - y.order;
  });
  let affected = false;
  for (const e of events) {
    if (e.kind === 'introduced') {
      if (e.at === undefined || scheme.compare(v, e.at) >= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (scheme.compare(v, e.at as P) >= 0) affected = false;
    } else if (e.kind === 'last_affected') {
      if (scheme.compare(v, e.at as P) > 0) affected = false;
    }
  }
  for (const e of events) {
    if (e.kind === 'limit' && scheme.compare(v, e.at as P) >= 0) return false;
  }
  return affected;
}

/** `semver` is the scheme SEMVER ranges use, whatever `scheme` is. */
export function affectedBy<P>(scheme: VersionScheme<P>, semver: VersionScheme<SemVer>, version: string, ranges: readonly VersionRange[], versions?: readonly string[]): boolean {
  const v = scheme.parse(version);
  if (v === undefined) return false;
  if (versions?.some((listed) => listed === version || isEqual(scheme, v, listed))) return true;
  return ranges.some((range) => {
    // GIT ranges name commits, not versions; they say nothing about a version string.
    if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return false;
    if (range.type === 'ECOSYSTEM' || scheme.name === 'semver') return inRange(scheme, v, range);
    const sv = semver.parse(version);
    return sv !== undefined && inRange(semver, sv, range);
  });
}

function isEqual<P>(scheme: VersionScheme<P>, v: P, other: string): boolean {
  const o = scheme.parse(other);
  return o !== undefined && scheme.compare(v, o) === 0;
}
