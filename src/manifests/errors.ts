import { PortcullisError } from '../errors.ts';

/**
 * Kubernetes manifests could not be read, parsed or fetched (from files, stdin or the Argo CD
 * API). Kept beside the stage rather than in src/errors.ts so the stage owns its error codes.
 */
export class ManifestError extends PortcullisError {}
