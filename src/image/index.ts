/** The image stage: references, sources (registry, OCI layout/archive, docker archive), layers. */
export { parseImageRef, parseRegistryRef, formatImageRef, withDigest, isLoopbackRegistry, DOCKER_HUB } from './reference.ts';
export type { ImageRef, RegistryRef, LayoutRef } from './reference.ts';
export { MediaType, formatPlatform } from './types.ts';
export type { Descriptor, ImageConfig, ImageIndex, ImageManifest, LayerRef, Platform, ResolvedImage } from './types.ts';
export type { ImageSource } from './source.ts';
export { DEFAULT_PLATFORM } from './source.ts';
export { parseManifest, parseConfig, selectPlatform, parsePlatform, platformMatches } from './manifest.ts';
export { VerifyingStream, verifyBytes, digestOf, parseDigest } from './verify.ts';
export { walkLayer, DEFAULT_LAYER_LIMITS } from './layer/walk.ts';
export type { LayerLimits, WalkStats } from './layer/walk.ts';
export type { TarEntry, TarHandler } from './layer/tar.ts';
export { basename, dirname, isWithin, resolveLinkTarget } from './layer/path.ts';
export { OciLayoutSource } from './layout/oci-layout.ts';
export { DockerArchiveSource } from './layout/docker-archive.ts';
export { openImage } from './open.ts';
export type { OpenOptions } from './open.ts';
