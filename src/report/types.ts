import type { Inventory, OSInfo, Package } from '../inventory/index.ts';
import type { Finding, Severity } from '../match/types.ts';

/** The one result object every report format is a view of (DESIGN.md "JSON report"). */
export interface ScanResult {
  schemaVersion: 1;
  /** When the result was produced (RFC 3339). */
  createdAt: string;
  artifact: Artifact;
  os?: OSInfo & { eol?: boolean };
  db?: { builtAt: string; sources: string[]; schema?: number };
  packages: Package[];
  findings?: Finding[];
  summary?: Record<Severity, number>;
  verdict?: Verdict;
  /** Findings left out of `findings` by VEX, an ignore file or a policy Exception, and why. */
  suppressed?: Suppression[];
  /** Problems that did not stop the scan (a corrupt package database, an undetected OS, ...). */
  warnings?: string[];
}

export type ScanStatus = 'Pass' | 'Warn' | 'Fail' | 'Unknown';

export interface Verdict {
  status: ScanStatus;
  /** One line each, worst first: what made the status (empty for Pass). */
  reasons: string[];
  /**
   * Each policy check that was evaluated (CVSS thresholds, severity counts, KEV, EPSS, DB age,
   * end of life, ...), so CI dashboards can show one test case per check.
   */
  checks?: { name: string; status: ScanStatus; message: string }[];
  /** The policy file the verdict came from, if any. */
  policy?: string;
}

export interface Suppression {
  finding: Finding;
  kind: 'vex' | 'ignorefile' | 'exception' | 'severity-filter' | 'unfixed-filter' | 'status-filter';
  /** What suppressed it: the VEX document and statement, the ignore file line, the Exception name. */
  by: string;
  reason?: string;
  /** For exceptions: who owns it and until when. */
  owner?: string;
  expires?: string;
}

export interface Artifact {
  /** The reference as given, normalised. */
  name: string;
  /** What a runtime pulls by (index or manifest digest); the image ID for docker archives. */
  digest?: string;
  platform?: string;
  manifestDigest?: string;
  imageId?: string;
  layers?: { digest: string; diffId: string; size: number }[];
  labels?: Record<string, string>;
}

export interface ReportOptions {
  /** Tool version for report metadata. */
  toolVersion: string;
  /** Fixed clock for reproducible output in tests. */
  now?: Date;
  color?: boolean;
}

export type Reporter = (result: ScanResult, options: ReportOptions) => string | Buffer;

export type { Inventory };
