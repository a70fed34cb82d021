/**
 * The normalised shape every feed adapter yields (src/vulndb/feeds/), whatever its upstream
 * format. Three kinds of facts, because feeds know different things:
 *
 * - `affected`: one package in one ecosystem (an OS release or a language ecosystem) and which of
 *   its versions one vulnerability affects — from OSV, the Debian security tracker, Alpine secdb.
 * - `vuln`: what is known about a vulnerability itself — descriptions, dates, CWEs, references,
 *   severities and CVSS per source — from NVD, CVE JSON 5 and OSV.
 * - `kev` / `epss`: enrichments keyed by CVE — from CISA KEV (and the CVE 5 CISA ADP container)
 *   and FIRST EPSS.
 *
 * Each record is a structural superset of the database row types in ./types.ts, so a build can
 * hand them to DbWriter as they come; the extra fields say where the normalised values came from.
 *
 * Join keys (what the matcher looks up):
 * - `ecosystem` is `family:release` for OS packages (`debian:12`, `ubuntu:22.04`, `alpine:3.20`,
 *   `redhat:9`, `alma:8`, `rocky:9`, `sles:15.5`, `opensuse-leap:15.5`, ...), the bare family for
 *   rolling distributions (`wolfi`, `chainguard`, `opensuse-tumbleweed`), and `npm`, `pypi`,
 *   `maven`, `go`, `cargo`, `gem`, `nuget`, `composer` (others lower-cased) for languages.
 *   Streams that only subscribers get (Ubuntu Pro/ESM, Red Hat EUS/AUS, ...) carry a third part,
 *   `ubuntu:22.04:pro`, `redhat:9:rhel-eus-9.2`: their fixed versions do not apply to an image
 *   built from the public archive, so a plain lookup by `family:release` does not see them.
 * - `package` is the name the matcher joins on: the source package for Debian, Ubuntu and Alpine
 *   (`nameKind: 'source'`), the binary rpm/apk name for the RPM distributions, Wolfi and
 *   Chainguard OSV (`nameKind: 'binary'`); PEP 503 for PyPI, `group:artifact` for Maven,
 *   lower case for NuGet and Composer, as published otherwise.
 * - `vulnId` is the CVE when the record names one (an advisory naming several CVEs yields one
 *   record per CVE), else a GHSA alias, else the record's own ID; the advisory that carried the
 *   fact is in `advisory`.
 */
import type { Severity } from '../match/types.ts';
import type { AffectedRecord, EpssRecord, KevRecord, VulnRecord } from './types.ts';

export type { AffectedRange, AffectedStatus, RangeEvent, Rating } from './types.ts';

/** Feed kinds, as `portcullis db build --feed KIND=PATH` names them. */
export type FeedKind = 'osv' | 'debian-tracker' | 'alpine-secdb' | 'nvd' | 'cve5' | 'kev' | 'epss';

export interface AffectedPackage extends AffectedRecord {
  type: 'affected';
  /** OS family (`debian`, `alma`, ...) or language ecosystem (`npm`, ...): `ecosystem` without its release. */
  family: string;
  /** Distribution release (`12`, `22.04`, `3.20`, `unstable`, `edge`); absent for rolling distributions and languages. */
  release?: string;
  /** Subscription stream (`pro`, `rhel-eus-9.2`, ...), also the third part of `ecosystem`. */
  channel?: string;
  /** Which package name an OS feed files under; absent for language ecosystems. */
  nameKind?: 'source' | 'binary';
  /** The ecosystem exactly as the feed wrote it (`Ubuntu:Pro:22.04:LTS`, `bookworm`, `v3.20`). */
  feedEcosystem: string;
  /** The package name exactly as the feed wrote it. */
  feedPackage: string;
  /** When several fixed versions apply (one per branch or range), all of them; `fixed` is then unset unless one stands out. */
  fixedVersions?: string[];
  /** Other IDs of the same vulnerability in the source record (GHSA-…, PYSEC-…, UBUNTU-CVE-…). */
  aliases?: string[];
  /** The source's severity label as written (`unimportant`, `high**`, `negligible`, `MODERATE`, `Important`). */
  urgency?: string;
  /** Why the status is what it is, when the feed says (`ignored: Minor issue`, `postponed`, `undetermined`). */
  statusReason?: string;
  /** OSV `ecosystem_specific` as published (Go imports, Ubuntu binaries, Chainguard components). */
  ecosystemSpecific?: Record<string, unknown>;
  /** When the source record last changed. */
  modified?: string;
}

export interface VulnerabilityInfo extends VulnRecord {
  type: 'vuln';
  /** The CVE was rejected (CVE 5 `state: REJECTED`, NVD `vulnStatus: Rejected`): findings for it should be dropped. */
  rejected?: boolean;
  /**
   * CVSS vectors that came without a score and that cvss.ts cannot score (CVSS v4.0 is not
   * computed; see cvss.ts). Scored vectors are in `ratings[].cvss`.
   */
  unscoredCvss?: { source: string; version: string; vector: string; severity?: Severity }[];
  /** CISA's SSVC decision points from the CVE 5 ADP container. */
  ssvc?: { source: string; exploitation?: string; automatable?: string; technicalImpact?: string };
  /** NVD's analysis status (`Analyzed`, `Awaiting Analysis`, `Deferred`, ...). */
  status?: string;
}

export interface KevEntry extends KevRecord {
  type: 'kev';
  /** `cisa-kev` for the catalogue itself, `cisa-adp` when the CVE 5 ADP container said it. */
  source: string;
  vendorProject?: string;
  product?: string;
  name?: string;
  shortDescription?: string;
  requiredAction?: string;
  notes?: string;
  cwes?: string[];
}

export interface EpssScore extends EpssRecord {
  type: 'epss';
}

/** Anything a feed yields. */
export type FeedRecord = AffectedPackage | VulnerabilityInfo | KevEntry | EpssScore;

/** What one run of a feed adapter read, skipped and when its data is from. */
export interface FeedStats {
  kind: FeedKind;
  /** Where it was read from (the path given). */
  location: string;
  /** The data's own timestamp, ISO 8601 UTC. */
  timestamp?: string;
  /** Where `timestamp` came from: the feed's own field, the newest record, or the file's mtime. */
  timestampSource?: 'feed' | 'newest-record' | 'file-mtime';
  /** Source records read (OSV records, tracker package×CVE×release entries, KEV entries, EPSS rows, ...). */
  records: number;
  /** Records yielded, by type. */
  yielded: { affected: number; vuln: number; kev: number; epss: number };
  /** Source records (or parts of records) not turned into anything, in total and by reason. */
  skipped: number;
  skipReasons: Record<string, number>;
  /** The first few messages about malformed input that was skipped (file and reason). */
  errors: string[];
  /** Feed-specific facts (`catalogVersion`, `modelVersion`, `rejected`, `files`, ...). */
  details: Record<string, string | number>;
}
