import type { OSInfo, Package } from '../inventory/index.ts';
import type { Finding } from '../match/types.ts';

/** Plain data of the store: what the webhook needs of a scan, and the audit record of a decision. */

export type StoredStatus = 'Pass' | 'Warn' | 'Fail' | 'Unknown';
export type DecisionAction = 'Allow' | 'Warn' | 'Reject';

/**
 * The newest scan of one image (one platform of it). `findings` are every finding the scan made
 * except those a VEX statement or an ignore file suppressed: the policy's Exceptions and the
 * scan's display filters (severity, unfixed) are applied again at decision time, with the policy
 * in force then — so a new Exception or a changed threshold applies at once.
 */
export interface StoredScan {
  /** Row id: changes whenever a newer scan of the same image replaces this one. */
  id: number;
  /** What a runtime pulls by: the index digest of a multi-platform image, else the manifest digest. */
  digest: string;
  /** The platform's manifest digest (equal to `digest` for a single-platform image). */
  manifestDigest: string;
  /** The reference that was scanned, normalised. */
  image: string;
  platform?: string;
  scannedAt: Date;
  /** The vulnerability DB build that produced the findings. */
  db?: { builtAt: Date; sources: string[] };
  os?: OSInfo & { eol?: boolean };
  /**
   * Absent when the result was never matched against a vulnerability DB (an inventory only):
   * such a result decides nothing but Unknown.
   */
  findings?: Finding[];
  /** The packages the findings are about (for Exceptions that name a source package or purl). */
  packages: Package[];
}

export interface DecisionImage {
  image: string;
  digest?: string;
  status: StoredStatus;
  action: DecisionAction;
  /** Where the status came from: a stored scan, or no result (unknownImageAction). */
  source?: 'store' | 'unknown' | 'error';
}

/** One admission decision, as the audit trail records it. */
export interface DecisionRecord {
  /** The AdmissionReview request uid. */
  uid: string;
  /** userInfo.username of whoever asked. */
  user: string;
  operation: string;
  /** Kind (and subresource) of the object: `Deployment`, `Pod/ephemeralcontainers`. */
  kind: string;
  namespace: string;
  name: string;
  images: DecisionImage[];
  action: DecisionAction;
  /** The worst scan status among the images. */
  status: StoredStatus;
  reasons: string[];
  dryRun: boolean;
  at: Date;
}
