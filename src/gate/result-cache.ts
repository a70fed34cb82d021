import type { ScanResult } from '../report/index.ts';
import { storedScanResult } from '../store/index.ts';
import type { StoredScan } from '../store/index.ts';

/**
 * `gate --store FILE`: the result store as the gate's memory. Every scan the gate makes is
 * stored (so the admission webhook knows the digests the gate judged), and a digest already
 * stored — same platform, matched against the same vulnerability DB build — is not pulled or
 * matched again: a sync that changes one image rescans one image.
 *
 * A reused result carries what the store keeps: findings (minus those VEX and ignore files
 * suppressed, which the same files suppress again) and the packages they are about; the
 * per-image reports of --report-dir then list only those packages.
 */

export interface ScanStore {
  latestByDigest(digest: string): StoredScan | undefined;
  putScan(result: ScanResult): number;
}

export interface ResultCacheOptions {
  /** builtAt of the DB in use: results of another build are not reused. */
  dbBuiltAt: string;
  /** os/arch[/variant] asked for. */
  platform: string;
  /** What is stored: the result with VEX and ignore files applied (decideScan without namespace). */
  decide: (matched: ScanResult) => ScanResult;
  onWarning: (message: string) => void;
}

const DIGEST_IN_REF = /@(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function withResultStore(scan: (reference: string) => Promise<ScanResult>, store: ScanStore, options: ResultCacheOptions): (reference: string) => Promise<ScanResult> {
  const built = Date.parse(options.dbBuiltAt);
  return async (reference) => {
    const digest = DIGEST_IN_REF.exec(reference)?.[1];
    const stored = digest ? store.latestByDigest(digest) : undefined;
    if (stored?.findings && stored.db && stored.db.builtAt.getTime() === built && (stored.platform ?? options.platform) === options.platform) {
      return storedScanResult(stored, reference);
    }
    const result = await scan(reference);
    try {
      store.putScan(options.decide(result));
    } catch (e) {
      options.onWarning(`the scan of ${reference} was not stored: ${(e as Error).message}`);
    }
    return result;
  };
}
