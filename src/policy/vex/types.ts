import type { Package } from '../../inventory/types.ts';
import type { Finding } from '../../match/types.ts';
import type { Suppression } from '../../report/types.ts';

/**
 * VEX documents, OpenVEX and CycloneDX alike, read into one plain shape: statements that say,
 * for one vulnerability and some products, what their status is. CycloneDX analysis states are
 * mapped onto OpenVEX's four statuses the way both projects describe them:
 * not_affected and false_positive → not_affected, resolved and resolved_with_pedigree → fixed,
 * exploitable → affected, in_triage → under_investigation.
 */

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';
export const VEX_STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

/** The five OpenVEX justifications for not_affected. */
export const OPENVEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type OpenVexJustification = typeof OPENVEX_JUSTIFICATIONS[number];

export type VexFormat = 'openvex' | 'cyclonedx';

/**
 * Something a statement is about, as the document names it: identifiers (an OpenVEX `@id`,
 * `identifiers.purl`, a CycloneDX component's purl, an image digest or reference) and hashes
 * (`sha256:<hex>`). Matching decides what each identifier denotes (see match.ts).
 */
export interface VexComponent {
  ids: string[];
  hashes: string[];
  /**
   * CycloneDX `affects[].versions[].version`: when present, only these versions of the
   * component are meant (version ranges are not evaluated, so they narrow to nothing).
   */
  versions?: string[];
}

export interface VexProduct extends VexComponent {
  /** Components inside the product the statement is about (OpenVEX `subcomponents`). */
  subcomponents: VexComponent[];
}

export interface VexStatement {
  /** Where in the document: `statements[3]` (OpenVEX) or `vulnerabilities[0]` (CycloneDX). */
  path: string;
  /** Main vulnerability identifier as written (OpenVEX `name`, CycloneDX `id`). */
  vulnerability: string;
  /** Other names of the vulnerability (OpenVEX `aliases` and `@id`, CycloneDX `references[].id`). */
  aliases: string[];
  status: VexStatus;
  /** The state as the document wrote it, when it differs from `status` (CycloneDX). */
  originalStatus?: string;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  statusNotes?: string;
  /** When the statement was made or last updated, inherited from the document when absent (ms). */
  time?: number;
  products: VexProduct[];
}

export interface VexDocument {
  /** File name (or label) the document was read from, for `by` and messages. */
  file: string;
  format: VexFormat;
  id?: string;
  author?: string;
  timestamp?: string;
  statements: VexStatement[];
  /** What was read but cannot be used (unsupported identifiers, statements without analysis, ...). */
  warnings: string[];
}

export interface VexContext {
  /** The digest a runtime pulls the image by (index or manifest digest). */
  imageDigest?: string;
  /** Other digests the same image is known by (manifest digest, image ID). */
  otherDigests?: readonly string[];
  /** The image reference as scanned (`ghcr.io/acme/api:1.4`, with or without `@sha256:`). */
  imageName?: string;
  /** Architecture (`amd64`, `arm64`), to check an oci purl's `arch` qualifier. */
  arch?: string;
  /** Operating system of the platform (`linux`), to check an oci purl's `os` qualifier. */
  os?: string;
  /** The image's packages: purls of findings that carry none, and products with subcomponents. */
  packages: readonly Package[];
}

export interface VexAnnotation {
  finding: Finding;
  status: 'affected' | 'under_investigation';
  by: string;
  note?: string;
}

export interface VexResult {
  kept: Finding[];
  suppressed: Suppression[];
  /** Kept findings that a statement says are affected or under investigation, with its notes. */
  annotations: VexAnnotation[];
}
