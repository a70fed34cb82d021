/** The manifests stage: read Kubernetes manifests (files, directories, stdin, Argo CD) and find every image they run. */
export { ManifestError } from './errors.ts';
export { parseManifests } from './parse.ts';
export { readManifests, readStream, STDIN_NAME } from './read.ts';
export type { ReadOptions, ReadResult } from './read.ts';
export { discoverImages, listImages, WORKLOAD_KINDS } from './discover.ts';
export type { DiscoverOptions } from './discover.ts';
export { loadImagePaths, parseImagePaths, MAX_IMAGE_PATH_RULES } from './image-paths.ts';
export type { ImagePathRule } from './image-paths.ts';
export { compilePath, evaluatePath, MAX_PATH_LENGTH } from './json-path.ts';
export { resolveImage } from './pod-spec.ts';
export { DEFAULT_MANIFEST_LIMITS, describeSource } from './types.ts';
export type {
  ContainerImage, Discovery, ImageEntry, ImageRole, KubeObject, LoadedObject, ManifestLimits, ManifestSource, Workload,
} from './types.ts';
export { argoCdOptsFromEnv, fetchArgoCdManifests, parseArgoCdServer } from './argocd.ts';
export type { ArgoCdManifests, ArgoCdOptions } from './argocd.ts';
