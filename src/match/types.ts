/** Plain data of the matching stage: one finding per (vulnerability, package). */

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

export type FindingStatus = 'fixed' | 'affected' | 'will_not_fix' | 'end_of_life';

export interface Cvss {
  /** Who scored it: nvd, ghsa, debian, redhat, a CNA name, ... */
  source: string;
  /** '2.0' | '3.0' | '3.1' | '4.0' */
  version: string;
  vector: string;
  score: number;
}

export interface Finding {
  /** Vulnerability ID (CVE when there is one, else GHSA/OSV/...). */
  id: string;
  aliases: string[];
  /** Binary package name as installed. */
  package: string;
  /** Package URL of the installed package. */
  purl?: string;
  ecosystem?: string;
  installedVersion: string;
  fixedVersion?: string;
  status: FindingStatus;
  /** Severity chosen by precedence (docs/vulndb.md). */
  severity: Severity;
  /** Severity as each source rated it. */
  severities?: { source: string; severity: Severity }[];
  cvss: Cvss[];
  kev: boolean;
  epss?: number;
  epssPercentile?: number;
  /** Feeds the finding came from. */
  sources: string[];
  title?: string;
  description?: string;
  cwes?: string[];
  publishedAt?: string;
  references?: string[];
  /** Layer (manifest digest) that brought the package in. */
  layer?: string;
}
