import type { ImageEntry } from '../manifests/index.ts';
import type { Finding } from '../match/index.ts';
import type { AdmissionAction, ScanStatus } from '../policy/index.ts';
import type { ScanResult } from '../report/index.ts';

/**
 * One container-like entry of one workload (the `--list-images` entry), judged. `namespace` is
 * the workload's namespace as deployed: its own, else --namespace, else Argo CD's destination.
 */
export interface GateImage extends ImageEntry {
  /** The digest judged: what the registry serves for the tag now (registry images). */
  digest?: string;
  /** What was scanned: `registry/repo@digest`, or the local transport reference. */
  pinned?: string;
  status?: ScanStatus;
  action?: AdmissionAction;
  /** The deciding ContainerAdmissionPolicy and rule (null: the default action decided). */
  policy?: string | null;
  ruleIndex?: number | null;
  /** Calico's words: "Action 'Reject' enforced by ContainerPolicy x rule index 0". */
  rule?: string;
  /** Why the scan status is what it is (the thresholds' words), worst first. */
  reasons: string[];
  /** The worst findings that count, worst first (at most WORST_FINDINGS). */
  worst: Finding[];
  /** Why no verdict could be reached for this image. */
  error?: string;
  /** The image's reports in --report-dir (JSON), if written. */
  report?: string;
}

export type GateVerdict = 'Allowed' | 'Rejected' | 'Undecided';

export interface GateResult {
  verdict: GateVerdict;
  /** 0 allowed, 1 rejected, 2 undecided (unless --on-error allow). */
  exitCode: 0 | 1 | 2;
  /** Where the manifests came from: paths, `-`, or `argocd:APP@REVISION`. */
  source: string;
  createdAt: string;
  policy?: string;
  images: GateImage[];
  /** Distinct images scanned (by digest), decided without a namespace, for reports. */
  results: ScanResult[];
  /** Scans, resolutions and what discovery noted that does not change the verdict. */
  warnings: string[];
  counts: { images: number; distinct: number; rejected: number; warned: number; errors: number };
}

export const WORST_FINDINGS = 3;
