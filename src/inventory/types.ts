/** Plain data of the inventory stage: what analyzers report and what an image contains. */

/** OS families (DESIGN.md); also the `ecosystem` of OS packages. */
export type OSFamily =
  | 'debian' | 'ubuntu' | 'alpine' | 'redhat' | 'centos' | 'rocky' | 'alma' | 'oracle' | 'fedora'
  | 'amazon' | 'opensuse-leap' | 'opensuse-tumbleweed' | 'sles' | 'slem' | 'photon' | 'wolfi'
  | 'chainguard' | 'cbl-mariner' | 'azurelinux' | 'bottlerocket' | 'echo' | 'minimos' | 'coreos'
  | 'activestate' | 'centos-stream';

export interface OSInfo {
  family: OSFamily;
  /** Release version as precise as the image says (Debian 12.5 from debian_version, Alpine 3.20.3). */
  version: string;
  /** Release codename where the distribution has one (bookworm, jammy). */
  codename?: string;
  /** PRETTY_NAME or equivalent, for display. */
  prettyName?: string;
  /** Distroless images (Debian-based, no shell, dpkg status.d). */
  distroless?: boolean;
}

/** What an OS analyzer learns from one file; resolveOS() combines the files of an image. */
export interface OSFacts {
  /** Which file kind the facts came from; decides precedence. */
  source: 'os-release' | 'lsb-release' | 'alpine-release' | 'debian_version' | 'redhat-release'
    | 'centos-release' | 'system-release' | 'other';
  family?: OSFamily;
  version?: string;
  codename?: string;
  prettyName?: string;
}

export type PackageManager = 'dpkg' | 'apk' | 'rpm';

/** A package exactly as its package database records it (before OS-dependent naming). */
export interface RawPackage {
  manager: PackageManager;
  name: string;
  /** Full version as the manager writes it: deb [epoch:]upstream[-revision], rpm [epoch:]version-release, apk version-rN. */
  version: string;
  epoch?: number;
  arch?: string;
  /** Source package (dpkg Source:, apk origin, rpm SOURCERPM name). */
  sourceName?: string;
  /** Full source version in the same form as `version`, when the database says it. */
  sourceVersion?: string;
  vendor?: string;
  modularityLabel?: string;
  licenses?: string[];
  maintainer?: string;
}

/** What an analyzer returns for one file. */
export interface AnalyzerResult {
  os?: OSFacts;
  packages?: RawPackage[];
}

/**
 * An analyzer declares the paths it wants (decided from the path alone, cheaply) and turns one
 * file's bytes into facts. It is pure: results are cached per layer and per file, so that a file
 * deleted or replaced in a later layer takes exactly its own results with it.
 */
export interface Analyzer {
  name: string;
  /** Bump when output for the same input changes: it is part of the cache key. */
  version: number;
  /** Path relative to the image root, no leading slash, normalised (no ., .., //). */
  wants(path: string): boolean;
  /** Largest file this analyzer accepts, in bytes (the layer walker enforces it). */
  maxFileSize?: number;
  analyze(path: string, content: Buffer): AnalyzerResult;
}

/** One image package, named for its ecosystem, as reports show it. */
export interface Package {
  name: string;
  version: string;
  /** OS family for OS packages, language ecosystem otherwise. */
  ecosystem: string;
  purl: string;
  manager: PackageManager;
  arch?: string;
  epoch?: number;
  source?: { name: string; version?: string };
  vendor?: string;
  modularityLabel?: string;
  licenses?: string[];
  /** Digest of the layer (as the manifest names it) that introduced this package at this version. */
  layer?: string;
  /** Uncompressed digest of that layer. */
  layerDiffId?: string;
  /** Path of the package database it was read from. */
  foundIn?: string;
}

export interface Inventory {
  os?: OSInfo;
  packages: Package[];
}
