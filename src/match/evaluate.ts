/**
 * One database row against one installed version: does the source say this version is
 * affected, with which status, and which fix would end it?
 */
import type { AffectedRecord } from '../vulndb/index.ts';
import type { FindingStatus } from './types.ts';
import { affects, compare } from './versions.ts';

export interface Verdict {
  affected: boolean;
  status?: FindingStatus;
  fixedVersion?: string;
}

/** Fixed versions a row names: its `fixed`, and every `fixed` event of its ranges. */
export function fixedVersionsOf(row: AffectedRecord): string[] {
  const out = new Set<string>();
  if (row.fixed) out.add(row.fixed);
  for (const r of row.ranges ?? []) for (const e of r.events) if (e.fixed) out.add(e.fixed);
  return [...out];
}

/**
 * The fix that applies: the lowest fixed version above the installed one (a package affected
 * in two branches is fixed by the next fix on its own branch).
 */
function applicableFix(scheme: string, version: string, fixes: string[]): string | undefined {
  let best: string | undefined;
  for (const f of fixes) {
    try {
      if (compare(scheme, f, version) <= 0) continue;
      if (best === undefined || compare(scheme, f, best) < 0) best = f;
    } catch {
      // a fixed version the scheme cannot read says nothing about this package
    }
  }
  return best;
}

/**
 * Most rows are one range "introduced X, fixed Y" and nothing else: a version inside it is below
 * Y, so Y is the fix without comparing anything.
 */
function simpleFix(row: AffectedRecord): string | undefined {
  if (row.versions?.length || row.ranges?.length !== 1) return undefined;
  const events = row.ranges[0]!.events;
  if (events.length !== 2 || events[0]!.introduced === undefined || events[1]!.fixed === undefined) return undefined;
  return row.fixed === undefined || row.fixed === events[1]!.fixed ? events[1]!.fixed : undefined;
}

/**
 * The installed version must be readable in the scheme (the caller checks once per package).
 * A bound the source wrote that the scheme cannot read never hides a finding: an unreadable
 * fix leaves the version affected (as the versions stage does for range events).
 */
function isOneOf(scheme: string, version: string, fixes: string[]): boolean {
  return fixes.some((f) => {
    try {
      return compare(scheme, version, f) === 0;
    } catch {
      return false;
    }
  });
}

function below(scheme: string, version: string, fixed: string): boolean {
  try {
    return compare(scheme, version, fixed) < 0;
  } catch {
    return true;
  }
}

const NOT_AFFECTED: Verdict = Object.freeze({ affected: false });

export function evaluateRow(scheme: string, version: string, row: AffectedRecord): Verdict {
  if (row.status === 'not_affected') return NOT_AFFECTED;
  const hasRanges = (row.ranges?.length ?? 0) > 0 || (row.versions?.length ?? 0) > 0;
  let affected: boolean;
  if (hasRanges) affected = affects(scheme, version, row.ranges, row.versions);
  else if (row.fixed) affected = below(scheme, version, row.fixed);
  else affected = true; // no ranges and no fix: every version, as the status says
  if (!affected) return NOT_AFFECTED;
  // Ranges overlap only when a source lists one fix per build it shipped (AlmaLinux's module
  // streams: "fixed in 1.18.0-8.module_el8.3.0+2048…" beside the el8.5 and el8.6 builds): the
  // installed version being one of those fixes is fixed, whatever the other ranges say.
  if (row.status === 'fixed') {
    const fixes = (row.ranges?.length ?? 0) > 1 ? fixedVersionsOf(row) : undefined;
    if (fixes && isOneOf(scheme, version, fixes)) return NOT_AFFECTED;
    const fix = simpleFix(row) ?? applicableFix(scheme, version, fixes ?? fixedVersionsOf(row));
    // In a range with no fix above the installed version: a branch the fix never reached.
    return fix ? { affected: true, status: 'fixed', fixedVersion: fix } : { affected: true, status: 'affected' };
  }
  return { affected: true, status: row.status };
}
