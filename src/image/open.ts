import { DockerArchiveSource } from './layout/docker-archive.ts';
import { OciLayoutSource } from './layout/oci-layout.ts';
import { formatImageRef } from './reference.ts';
import type { RegistryClients } from './registry/pool.ts';
import { RegistrySource } from './registry/source.ts';
import type { RetryPolicy } from './registry/retry.ts';
import type { ImageRef } from './reference.ts';
import type { ImageSource } from './source.ts';

export interface OpenOptions {
  /** Allow plain HTTP / unverified TLS for non-loopback registries. */
  insecure?: boolean;
  /** Extra CA certificates (PEM file) for registries. */
  caFile?: string;
  /** Retry bounds for registry requests (tests shorten the backoff). */
  retry?: Partial<RetryPolicy>;
  /** Environment for credential lookup (REGISTRY_AUTH_FILE, DOCKER_CONFIG, HOME, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Share registry clients (connections, tokens) across many images; their own options apply
   * and the other registry fields here are ignored. The caller closes them.
   */
  clients?: RegistryClients;
}

/** Open the source an image reference names, whatever its transport. */
export async function openImage(ref: ImageRef, options: OpenOptions = {}): Promise<ImageSource> {
  const name = formatImageRef(ref);
  switch (ref.transport) {
    case 'oci':
      return OciLayoutSource.openDir(ref.path, ref.ref, name);
    case 'oci-archive':
      return OciLayoutSource.openArchive(ref.path, ref.ref, name);
    case 'docker-archive':
      return DockerArchiveSource.open(ref.path, ref.ref, name);
    case 'registry':
      return new RegistrySource(ref, options.clients ? options.clients.get(ref.registry) : options);
  }
}
