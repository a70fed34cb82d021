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
    for (const kind of KINDS) {
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

const KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

interface Sorted { readonly scheme: string; readonly snapshot: (string | undefined)[]; readonly events: Event<unknown>[] }

/**
 * Sorted events per range: a DB row's ranges are evaluated for every package that shares its
 * source. Kept by the events array, with a copy of what it held, so a caller that changes a
 * range object after a call is never answered from a stale entry.
 */
const sortedEvents = new WeakMap<readonly RangeEvent[], Sorted>();

function unchanged(cached: Sorted, scheme: string, events: readonly RangeEvent[]): boolean {
  if (cached.scheme !== scheme || cached.snapshot.length !== events.length * KINDS.length) return false;
  let i = 0;
  for (const e of events) for (const k of KINDS) if (cached.snapshot[i++] !== e[k]) return false;
  return true;
}

function sortedEventsOf<P>(scheme: VersionScheme<P>, range: VersionRange): Event<P>[] {
  const cached = sortedEvents.get(range.events);
  if (cached && unchanged(cached, scheme.name, range.events)) return cached.events as Event<P>[];
  const events = eventsOf(scheme, range);
  events.sort((x, y) => {
    if (x.at === undefined || y.at === undefined) return x.at === y.at ? x.order - y.order : x.at === undefined ? -1 : 1;
    return scheme.compare(x.at, y.at) || KIND_ORDER[x.kind] - KIND_ORDER[y.kind] || x.order - y.order;
  });
  const snapshot = range.events.flatMap((e) => KINDS.map((k) => e[k]));
  sortedEvents.set(range.events, { scheme: scheme.name, snapshot, events: events as Event<unknown>[] });
  return events;
}

/** The event is exactly `{ [kind]: ... }`, nothing else. */
function only(e: RangeEvent, kind: Kind): boolean {
  let n = 0;
  for (const k of KINDS) if (e[k] !== undefined) n++;
  return n === 1 && e[kind] !== undefined;
}

/**
 * The range most rows hold, "introduced 0, fixed X" (or "introduced 0" alone), answered without
 * sorting: affected below X, or everywhere when X cannot be read (an unreadable end is dropped,
 * as eventsOf does). Undefined for any other range.
 */
function simpleRange<P>(scheme: VersionScheme<P>, v: P, events: readonly RangeEvent[]): boolean | undefined {
  const first = events[0];
  if (first === undefined || first.introduced !== '0' || !only(first, 'introduced')) return undefined;
  if (events.length === 1) return true;
  const second = events[1]!;
  if (events.length !== 2 || !only(second, 'fixed')) return undefined;
  const fixed = scheme.parse(second.fixed!);
  return fixed === undefined || scheme.compare(v, fixed) < 0;
}

function inRange<P>(scheme: VersionScheme<P>, v: P, range: VersionRange): boolean {
  if (range.events.length > MAX_EVENTS) return true;
  const simple = simpleRange(scheme, v, range.events);
  if (simple !== undefined) return simple;
  const events = sortedEventsOf(scheme, range);
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
  // Cheapest first: the exact string, then the ranges, and only then a scan of the list for a
  // version equal under the scheme (0:1.0-1 is 1.0-1), which costs one comparison per entry.
  if (versions?.includes(version)) return true;
  for (const range of ranges) {
    // GIT ranges name commits, not versions; they say nothing about a version string.
    if (range.type === 'ECOSYSTEM' || (range.type === 'SEMVER' && scheme.name === 'semver')) {
      if (inRange(scheme, v, range)) return true;
    } else if (range.type === 'SEMVER') {
      const sv = semver.parse(version);
      if (sv !== undefined && inRange(semver, sv, range)) return true;
    }
  }
  return versions?.some((listed) => isEqual(scheme, v, listed)) ?? false;
}

function isEqual<P>(scheme: VersionScheme<P>, v: P, other: string): boolean {
  const o = scheme.parse(other);
  return o !== undefined && scheme.compare(v, o) === 0;
}
