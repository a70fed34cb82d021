/** Plain data shared by every image source (OCI image spec and Docker's equivalents). */

export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
}

/** OCI image manifest or Docker schema 2 manifest (same shape). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** OCI image index or Docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: {
    Env?: string[];
    Labels?: Record<string, string>;
    User?: string;
    Entrypoint?: string[];
    Cmd?: string[];
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
}

/** One layer of a resolved image: where to fetch it and what its uncompressed digest must be. */
export interface LayerRef {
  /** The descriptor from the manifest (digest of the blob as stored). */
  descriptor: Descriptor;
  /** The uncompressed digest from config.rootfs.diff_ids. */
  diffId: string;
}

/** What every source yields for one platform: verified manifest, config and layers in order. */
export interface ResolvedImage {
  /** The name the user gave, normalised (e.g. docker.io/library/alpine:3.20, oci:/dir:tag). */
  name: string;
  /** Digest of the manifest that was chosen (the platform manifest, not the index). */
  manifestDigest: string;
  /** Digest of the index when the reference pointed at one. */
  indexDigest?: string;
  /**
   * Digest a runtime would pull by: the index digest if there is one, else the manifest's.
   * Absent for docker-save archives, which keep no manifest (the image ID, configDigest, names them).
   */
  repoDigest?: string;
  platform: Platform;
  manifest: ImageManifest;
  configDigest: string;
  config: ImageConfig;
  layers: LayerRef[];
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
