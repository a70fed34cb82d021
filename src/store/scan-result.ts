import type { ScanResult } from '../report/index.ts';
import type { StoredScan } from './types.ts';

/**
 * A stored scan as the matched result it came from (findings not yet decided), named by the
 * reference it is looked at under: the gate reuses it in place of a scan, the webhook decides
 * its status at decision time from it.
 */
export function storedScanResult(s: StoredScan, reference: string): ScanResult {
  return {
    schemaVersion: 1,
    createdAt: s.scannedAt.toISOString(),
    artifact: { name: reference, digest: s.digest, manifestDigest: s.manifestDigest, ...(s.platform ? { platform: s.platform } : {}) },
    ...(s.os ? { os: s.os } : {}),
    ...(s.db ? { db: { builtAt: s.db.builtAt.toISOString(), sources: s.db.sources } } : {}),
    packages: s.packages,
    ...(s.findings ? { findings: s.findings } : {}),
  };
}
