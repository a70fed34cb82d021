/** Plain data of the manifests stage: where an object came from, what images it runs. */

/** A Kubernetes object as parsed: only maps reach discovery. */
export type KubeObject = Record<string, unknown>;

/** Where an object came from, for messages: `deploy/app.yaml:12 (document 3)`. */
export interface ManifestSource {
  /** File path as given, `<stdin>`, or `argocd:APP`. */
  file: string;
  /** 1-based document number within the file. */
  document: number;
  /** 1-based line of the object (of the List item for List members). */
  line: number;
}

export interface LoadedObject {
  object: KubeObject;
  source: ManifestSource;
}

/** Which field of the pod-like spec an image came from. */
export type ImageRole =
  | 'container' | 'initContainer' | 'ephemeralContainer' | 'imageVolume'
  | 'template' | 'containerSet' | 'sidecar' | 'path';

export interface ContainerImage {
  /** Container name; for Workflow kinds the template name or `template/container`; image volumes the volume name. */
  container: string;
  role: ImageRole;
  /** Exactly as written in the manifest. */
  image: string;
  /** Normalised as the container runtime does (`nginx` → `docker.io/library/nginx:latest`); null when not a reference. */
  resolved: string | null;
  /** Why `resolved` is null. */
  error?: string;
}

/** A pod-creating (or image-carrying) object and the images it runs. */
export interface Workload {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string | null;
  /** The object's own metadata.labels (what ContainerAdmissionPolicy `selector` matches). */
  labels: Record<string, string>;
  source: ManifestSource;
  images: ContainerImage[];
}

/** One line of `gate --list-images`: the contract, nothing more. */
export interface ImageEntry {
  kind: string;
  namespace: string | null;
  name: string | null;
  container: string;
  image: string;
  resolved: string | null;
}

export interface Discovery {
  workloads: Workload[];
  /** Labels of the Namespace objects among the manifests, by name. */
  namespaces: Map<string, Record<string, string>>;
  /** What was found but not followed or not understood (workloadRef, malformed fields). */
  warnings: string[];
}

export interface ManifestLimits {
  /** Largest single file or stdin. */
  maxFileBytes: number;
  /** All inputs of one run together. */
  maxTotalBytes: number;
  /** Files read from directories. */
  maxFiles: number;
  /** YAML documents (List items count too) in one run. */
  maxObjects: number;
  /** Nesting of maps and sequences in one document. */
  maxDepth: number;
  /** YAML alias resolutions per document (the `yaml` package's maxAliasCount). */
  maxAliasCount: number;
  /** Images in one run. */
  maxImages: number;
}

export const DEFAULT_MANIFEST_LIMITS: Readonly<ManifestLimits> = {
  maxFileBytes: 32 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxFiles: 10_000,
  maxObjects: 50_000,
  maxDepth: 100,
  maxAliasCount: 100,
  maxImages: 100_000,
};

export const describeSource = (s: ManifestSource): string => `${s.file}:${s.line} (document ${s.document})`;
