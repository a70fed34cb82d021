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
  verdict?: { status: 'Pass' | 'Warn' | 'Fail' | 'Unknown'; reasons: string[] };
  /** Problems that did not stop the scan (a corrupt package database, an undetected OS, ...). */
  warnings?: string[];
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
