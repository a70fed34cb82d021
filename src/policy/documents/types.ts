import type { Selector } from '../selector/index.ts';

/** Plain data read from a policy file. Nothing here evaluates findings; that comes later. */

export type ScanStatus = 'Pass' | 'Warn' | 'Fail' | 'Unknown';
export const SCAN_STATUSES: readonly ScanStatus[] = ['Pass', 'Warn', 'Fail', 'Unknown'];

/** Where a document or field was written: for messages that point back into the file. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/**
 * What the webhook does with an image no scan result is known for:
 * Reject, or Warn and admit, or Allow silently; the `AndScan` forms also queue a scan so
 * the next attempt finds a result.
 */
export type UnknownImageAction = 'Reject' | 'RejectAndScan' | 'Warn' | 'WarnAndScan' | 'Allow';
export const UNKNOWN_IMAGE_ACTIONS: readonly UnknownImageAction[] = ['Reject', 'RejectAndScan', 'Warn', 'WarnAndScan', 'Allow'];

export type SeverityName = 'critical' | 'high' | 'medium' | 'low' | 'unknown';
export const SEVERITY_NAMES: readonly SeverityName[] = ['critical', 'high', 'medium', 'low', 'unknown'];

/**
 * `ScanStatusThresholds` (portcullis.dev/v1): how findings become Pass / Warn / Fail.
 *
 * Calico's model: the worst CVSS v3 score of the image's findings gives Warn when it is at least
 * `warnThreshold` and Fail when at least `failThreshold` (defaults 4.0 and 7.0).
 * Our extensions, each optional:
 * - `warnOn` / `failOn`: severity counts, `{critical: 1, high: 5}` — Warn/Fail when the image has
 *   at least that many findings of that severity;
 * - `failOnKev`: Fail when any finding is in CISA's Known Exploited Vulnerabilities catalog;
 * - `failOnEpss`: Fail when any finding's EPSS probability is at least this (0..1);
 * - `fixableOnly`: only findings with a fixed version count towards any of the checks;
 * - `maxDbAgeHours`: Fail when the vulnerability DB was built longer ago than this;
 * - `failOnEndOfLife`: Fail when the image's OS release is past its end of life;
 * - `unknownImageAction`: see UnknownImageAction (default Reject: fail closed).
 */
export interface ScanStatusThresholds {
  /** metadata.name, or undefined when the defaults apply because the file has no such document. */
  name?: string;
  warnThreshold: number;
  failThreshold: number;
  warnOn: Partial<Record<SeverityName, number>>;
  failOn: Partial<Record<SeverityName, number>>;
  failOnKev: boolean;
  failOnEpss?: number;
  fixableOnly: boolean;
  maxDbAgeHours?: number;
  failOnEndOfLife: boolean;
  unknownImageAction: UnknownImageAction;
  source?: SourcePos;
}

export type RuleAction = 'Allow' | 'Reject';
export type ValuesOperator = 'IsOneOf' | 'IsNoneOf';

export interface StatusMatch {
  operator: ValuesOperator;
  values: ScanStatus[];
}

export interface PathMatch {
  operator: ValuesOperator;
  /** The regular expressions as written. */
  values: string[];
  /** Compiled once at load time, in the same order as `values`. */
  patterns: RegExp[];
}

export interface LastScanDuration {
  days: number;
  months: number;
  years: number;
}

/**
 * `gt`: the last scan is more recent than the point in time (now minus `duration`, or `time`);
 * `lt`: it is older. Calico's own example: `gt` with `duration: {days: 3}` holds for an image
 * scanned 2 days ago and not for one scanned 4 days ago.
 */
export type LastScanMatch =
  | { operator: 'gt' | 'lt'; duration: LastScanDuration; time?: undefined }
  | { operator: 'gt' | 'lt'; time: Date; duration?: undefined };

export interface AdmissionRule {
  action: RuleAction;
  imageScanStatus?: StatusMatch;
  imagePath?: PathMatch;
  imageLastScan?: LastScanMatch;
  source?: SourcePos;
}

/** Calico's `ContainerAdmissionPolicy` (containersecurity.tigera.io/v1beta1), as written there. */
export interface ContainerAdmissionPolicy {
  name: string;
  /** Lowest first; a policy without an order comes after all ordered ones. */
  order?: number;
  /** Over the labels of the pod-creating resource; default all(). */
  selector: Selector;
  /** Over the labels of the resource's namespace; default all(). */
  namespaceSelector: Selector;
  rules: AdmissionRule[];
  apiVersion: string;
  source?: SourcePos;
}

export type ImagePattern = { kind: 'digest'; digest: string } | { kind: 'glob'; glob: string };
export type PackagePattern = { kind: 'purl'; purl: string } | { kind: 'name'; name: string };

/**
 * `Exception` (portcullis.dev/v1): accepted risk, written down with who owns it and until when.
 *
 * ```yaml
 * spec:
 *   vulnerabilities: [CVE-2024-0727]      # IDs (CVE, GHSA, OSV, distro advisories), matched with aliases
 *   packages: [pkg:deb/debian/libssl3, openssl]   # purls (version optional) or plain names
 *   images: ["ghcr.io/acme/*", "sha256:…"]  # globs over the image reference, or exact digests
 *   namespaces: [payments, "team-*"]        # globs over the namespace name
 *   reason: "not reachable: we never parse PKCS12"
 *   owner: security@acme.example
 *   expires: 2026-03-31                     # RFC 3339 time, or a date (valid through that day, UTC)
 * ```
 *
 * Required: `reason`, `owner`, `expires`, and at least one of `vulnerabilities` or `packages`
 * (an exception naming neither would silence every finding — that is not an exception, it is
 * turning the scanner off). A finding is excepted when it matches every list that is given
 * (any entry within a list). Absent `images`/`namespaces` mean "everywhere". An expired
 * exception stays in the set (so reports can say it expired) but no longer applies.
 */
export interface PolicyException {
  name: string;
  vulnerabilities: string[];
  packages: PackagePattern[];
  images: ImagePattern[];
  namespaces: string[];
  reason: string;
  owner: string;
  /** As written (a date or an RFC 3339 time). */
  expires: string;
  /** The first instant at which the exception no longer applies. */
  expiresAt: Date;
  source?: SourcePos;
}

export interface PolicySet {
  /** The file the set was read from, if any. */
  file?: string;
  thresholds: ScanStatusThresholds;
  /** Sorted by order (absent last), then by name. */
  admissionPolicies: ContainerAdmissionPolicy[];
  exceptions: PolicyException[];
  unknownImageAction: UnknownImageAction;
}
