import { ImageFormatError } from '../errors.ts';
import { MediaType, formatPlatform } from './types.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './types.ts';
import { parseDigest } from './verify.ts';

/**
 * Parsing and validation of manifests, indexes and configs from any source. They come from
 * outside, so every field we rely on is checked and every list is bounded.
 */

export const MAX_MANIFEST_BYTES = 4 << 20;
export const MAX_CONFIG_BYTES = 8 << 20;
const MAX_LAYERS = 1000;
const MAX_INDEX_ENTRIES = 1000;

export type ParsedManifest = { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MediaType.OciManifest, MediaType.DockerManifest]);

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ImageFormatError('BAD_MANIFEST', `${what} is not valid JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ImageFormatError('BAD_MANIFEST', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function checkDescriptor(d: unknown, what: string): Descriptor {
  const o = d as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new ImageFormatError('BAD_MANIFEST', `${what}: descriptor is not an object`);
  if (typeof o.mediaType !== 'string') throw new ImageFormatError('BAD_MANIFEST', `${what}: descriptor has no mediaType`);
  if (typeof o.digest !== 'string') throw new ImageFormatError('BAD_MANIFEST', `${what}: descriptor has no digest`);
  parseDigest(o.digest);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) {
    throw new ImageFormatError('BAD_MANIFEST', `${what}: descriptor ${o.digest} has an invalid size`);
  }
  return o as unknown as Descriptor;
}

/**
 * Parse a manifest or index. `mediaType` is what the transport said (Content-Type or the
 * referencing descriptor); the document's own mediaType field wins when present, and a document
 * without one is classified by shape (`manifests` vs `layers`), as the OCI spec allows.
 */
export function parseManifest(bytes: Buffer, mediaType: string | undefined, what: string): ParsedManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new ImageFormatError('MANIFEST_TOO_LARGE', `${what} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const doc = parseJson(bytes, what);
  if (doc.schemaVersion === 1) {
    throw new ImageFormatError('UNSUPPORTED_MANIFEST', `${what} is a Docker schema 1 manifest, which is deprecated and unsupported; re-push the image with a current client`);
  }
  if (doc.schemaVersion !== 2) throw new ImageFormatError('BAD_MANIFEST', `${what}: unsupported schemaVersion ${JSON.stringify(doc.schemaVersion)}`);
  const type = typeof doc.mediaType === 'string' ? doc.mediaType : mediaType;
  const isIndex = type && INDEX_TYPES.has(type) ? true : type && MANIFEST_TYPES.has(type) ? false : Array.isArray(doc.manifests);
  if (isIndex) {
    if (!Array.isArray(doc.manifests)) throw new ImageFormatError('BAD_MANIFEST', `${what}: index has no manifests list`);
    if (doc.manifests.length > MAX_INDEX_ENTRIES) throw new ImageFormatError('BAD_MANIFEST', `${what}: index lists more than ${MAX_INDEX_ENTRIES} manifests`);
    doc.manifests.forEach((m, i) => checkDescriptor(m, `${what} manifests[${i}]`));
    return { kind: 'index', index: doc as unknown as ImageIndex };
  }
  if (!doc.config) throw new ImageFormatError('BAD_MANIFEST', `${what}: manifest has no config`);
  checkDescriptor(doc.config, `${what} config`);
  if (!Array.isArray(doc.layers)) throw new ImageFormatError('BAD_MANIFEST', `${what}: manifest has no layers list`);
  if (doc.layers.length > MAX_LAYERS) throw new ImageFormatError('BAD_MANIFEST', `${what}: more than ${MAX_LAYERS} layers`);
  doc.layers.forEach((l, i) => checkDescriptor(l, `${what} layers[${i}]`));
  return { kind: 'manifest', manifest: doc as unknown as ImageManifest };
}

export function parseConfig(bytes: Buffer, what: string): ImageConfig {
  if (bytes.length > MAX_CONFIG_BYTES) throw new ImageFormatError('CONFIG_TOO_LARGE', `${what} is larger than ${MAX_CONFIG_BYTES} bytes`);
  const doc = parseJson(bytes, what);
  const rootfs = doc.rootfs as { diff_ids?: unknown } | undefined;
  if (!rootfs || !Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every((d) => typeof d === 'string')) {
    throw new ImageFormatError('BAD_CONFIG', `${what}: no rootfs.diff_ids (is this an image, or another kind of OCI artifact?)`);
  }
  for (const d of rootfs.diff_ids as string[]) parseDigest(d);
  return doc as unknown as ImageConfig;
}

/** Descriptors that are image manifests for a real platform (not attestations or signatures). */
function platformEntries(index: ImageIndex): Descriptor[] {
  return index.manifests.filter((d) =>
    d.platform && d.platform.os !== 'unknown' && d.platform.architecture !== 'unknown'
    && !d.annotations?.['vnd.docker.reference.type']);
}

/** Normalise the variant the way containerd's platform matcher does (arm64 = arm64/v8, arm = arm/v7). */
function normalizedVariant(p: Platform): string | undefined {
  if (p.architecture === 'arm64') return p.variant ?? 'v8';
  if (p.architecture === 'arm') return p.variant ?? 'v7';
  return p.variant;
}

export function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  // An unspecified wanted variant accepts any (the best one is picked by order), like `docker pull --platform linux/arm`.
  if (!want.variant) return true;
  return normalizedVariant(want) === normalizedVariant(have);
}

/**
 * Pick the manifest for a platform from an index; throws ImageFormatError naming every
 * platform the image does have when the wanted one is missing.
 */
export function selectPlatform(index: ImageIndex, want: Platform, what: string): Descriptor {
  const candidates = platformEntries(index);
  const exact = candidates.find((d) => d.platform && platformMatches(want, d.platform)
    && normalizedVariant(d.platform) === normalizedVariant(want));
  const found = exact ?? candidates.find((d) => d.platform && platformMatches(want, d.platform));
  if (found) return found;
  const available = candidates.map((d) => formatPlatform(d.platform!));
  throw new ImageFormatError('PLATFORM_NOT_FOUND', `${what} has no ${formatPlatform(want)} image; it has: ${available.length ? [...new Set(available)].join(', ') : 'no platform-specific images'}`);
}

export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new ImageFormatError('BAD_PLATFORM', `invalid platform "${s}" (expected OS/ARCH[/VARIANT], e.g. linux/arm64/v8)`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Pair manifest layers with config diff_ids (skipping non-layer blobs is not allowed by the spec). */
export function layerRefs(manifest: ImageManifest, config: ImageConfig, what: string) {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new ImageFormatError('BAD_MANIFEST', `${what}: manifest has ${manifest.layers.length} layers but config lists ${diffIds.length} diff_ids`);
  }
  return manifest.layers.map((descriptor, i) => ({ descriptor, diffId: diffIds[i]! }));
}
