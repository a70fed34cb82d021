import type { Finding } from '../match/types.ts';
import { decideScan, worstFindings } from '../policy/index.ts';
import type { PolicySet, ScanStatus } from '../policy/index.ts';
import { storedScanResult } from '../store/index.ts';
import type { StoredScan } from '../store/index.ts';

/** A stored scan judged by the policy in force, for one image reference in one namespace. */
export interface ScanJudgement {
  status: ScanStatus;
  /** Why the status is not Pass, worst first (the policy's words). */
  reasons: string[];
  /** The findings that count (after Exceptions), worst first, at most a handful. */
  worst: Finding[];
  lastScan: Date;
}

const KEEP_WORST = 3;

/**
 * Status at decision time, by the same decideScan as `scan` and `gate`: the policy's Exceptions
 * (namespace-scoped ones included: the namespace is known here) and thresholds applied to the
 * stored findings, with the DB build that produced them — so a changed threshold or a new
 * Exception applies at once. `image` is the reference being admitted (Exceptions' image globs
 * match it).
 */
export function judgeScan(scan: StoredScan, policy: PolicySet, image: string, namespace: string, now: Date): ScanJudgement {
  const result = storedScanResult(scan, image);
  const decided = decideScan(result, { policy, namespace, now });
  const verdict = decided.verdict ?? { status: 'Unknown' as const, reasons: ['no verdict'] };
  return { status: verdict.status, reasons: verdict.reasons, worst: worstFindings(decided.findings ?? [], KEEP_WORST), lastScan: scan.scannedAt };
}
