import type { Cvss, Severity } from '../match/types.ts';

/**
 * What the database stores and the matcher reads: one row per (ecosystem, package,
 * vulnerability, source) saying which versions are affected, and one record per vulnerability
 * with what every source says about it.
 */

/** How a source judges a package for one vulnerability. */
export type AffectedStatus = 'fixed' | 'affected' | 'will_not_fix' | 'end_of_life' | 'not_affected';

export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface AffectedRange {
  /** ECOSYSTEM: the ecosystem's own version scheme; SEMVER: semver regardless of ecosystem. */
  type: 'ECOSYSTEM' | 'SEMVER';
  events: RangeEvent[];
}

export interface AffectedRecord {
  /**
   * Where the package lives: `debian:12`, `ubuntu:22.04`, `alpine:3.20`, `redhat:9`, `alma:8`,
   * `wolfi`, ... for OS releases; `npm`, `pypi`, `maven`, `go`, `cargo`, `gem`, `nuget`,
   * `composer` for language ecosystems.
   */
  ecosystem: string;
  /** Normalised package name (source package for Debian/Ubuntu/Alpine; PEP 503 for PyPI; group:artifact for Maven; ...). */
  package: string;
  vulnId: string;
  /** Feed kind that said it: osv, debian-tracker, alpine-secdb, ... */
  source: string;
  status: AffectedStatus;
  /** Affected version ranges; absent with `versions` absent means every version (status decides). */
  ranges?: AffectedRange[];
  /** Explicitly listed affected versions (OSV `versions`). */
  versions?: string[];
  /** The fixed version, when the source gives one (also found in ranges). */
  fixed?: string;
  /** The source's own severity for this package (distribution urgency, GHSA severity). */
  severity?: Severity;
  /** The advisory that carries this fact (DSA-5380-1, GHSA-..., ALSA-2023:4520). */
  advisory?: string;
}

export interface Rating {
  /** Who rated: nvd, ghsa, debian, ubuntu, redhat, alpine, a CNA's short name, cisa-adp, ... */
  source: string;
  severity?: Severity;
  cvss?: Cvss;
}

export interface VulnRecord {
  id: string;
  aliases: string[];
  title?: string;
  description?: string;
  published?: string;
  modified?: string;
  cwes?: string[];
  references?: string[];
  ratings: Rating[];
  /** CVSS vectors published without a score that cannot be computed here (CVSS v4.0), kept as published. */
  vectors?: { source: string; version: string; vector: string; severity?: Severity }[];
  /** Feed kinds that contributed. */
  sources: string[];
}

export interface KevRecord {
  cve: string;
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: boolean;
}

export interface EpssRecord {
  cve: string;
  score: number;
  percentile: number;
}

/** One feed's contribution to a build, recorded in the DB. */
export interface FeedInfo {
  kind: string;
  /** Where it was read from (a path or URL). */
  location: string;
  /** The feed's own timestamp (catalog version, score date, newest record), if it has one. */
  timestamp?: string;
  records: number;
  skipped: number;
}

export interface DbInfo {
  schema: number;
  builtAt: string;
  toolVersion: string;
  feeds: FeedInfo[];
  counts: { vulnerabilities: number; affected: number; kev: number; epss: number };
}
