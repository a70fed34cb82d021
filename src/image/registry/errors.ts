import { RegistryError } from '../../errors.ts';
import { challengeFrom, registryErrorDetail } from './auth.ts';
import { NetworkError, header, readBody } from './http.ts';
import type { HttpResponse } from './http.ts';
import { parseRetryAfter } from './retry.ts';

/**
 * Registry failures as users read them: one line naming what was asked for, a stable code, the
 * registry's own reason when it gave one (bounded, printable), never a credential.
 */

const MAX_ERROR_BODY = 64 * 1024;

/** Node's codes for a server that answered TLS with something else. */
export const NOT_TLS_CODES = new Set(['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

function isTlsTrustError(code: string): boolean {
  return /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/.test(code);
}

/** A connection-level failure (no HTTP answer) as a RegistryError; other errors pass through. */
export function networkError(err: unknown, what: string, host: string): Error {
  if (!(err instanceof NetworkError)) return err as Error;
  const code = err.code;
  if (isTlsTrustError(code)) {
    return new RegistryError('TLS', `${what}: the TLS certificate of ${host} is not trusted (${code}); pass its CA with --ca-file, or --insecure`);
  }
  if (NOT_TLS_CODES.has(code)) return new RegistryError('TLS', `${what}: ${host} does not speak TLS; a plain-HTTP registry needs --insecure`);
  if (code === 'ENOTFOUND') return new RegistryError('UNAVAILABLE', `${what}: cannot resolve ${host}`);
  return new RegistryError('UNAVAILABLE', `${what}: cannot reach ${host} (${code})`);
}

/** The error for an HTTP answer that is not what was asked for (reads a bounded error body). */
export async function responseError(res: HttpResponse, what: string, registry: string, hasCredentials: boolean): Promise<RegistryError> {
  let detail: string | undefined;
  if (res.body.readable && !res.body.destroyed) {
    detail = await readBody(res, MAX_ERROR_BODY, what).then(registryErrorDetail, () => undefined);
  }
  const suffix = detail ? ` (${detail})` : '';
  switch (res.status) {
    case 401:
      if (!hasCredentials) return new RegistryError('UNAUTHORIZED', `${what}: ${registry} requires authentication and no credentials were found (docker login, or REGISTRY_AUTH_FILE)`);
      // A valid login without rights to this repository (or a repository that does not exist,
      // which registries do not tell apart from a private one).
      if (challengeFrom(res)?.params.error === 'insufficient_scope') {
        return new RegistryError('DENIED', `${what}: access denied by ${registry}: the repository does not exist or the credentials do not allow it${suffix}`);
      }
      return new RegistryError('UNAUTHORIZED', `${what}: ${registry} rejected the credentials${suffix}`);
    case 403:
      return new RegistryError('DENIED', `${what}: access denied by ${registry}${suffix}`);
    case 404:
      return new RegistryError('NOT_FOUND', `${what}: not found${suffix}`);
    case 429: {
      const after = parseRetryAfter(header(res, 'retry-after'));
      return new RegistryError('RATE_LIMITED', `${what}: rate limited by ${registry}${after !== undefined ? `, retry after ${Math.ceil(after / 1000)} s` : ''}`);
    }
    default:
      if (res.status >= 500) return new RegistryError('UNAVAILABLE', `${what}: ${registry} answered ${res.status}${suffix}`);
      return new RegistryError('BAD_RESPONSE', `${what}: ${registry} answered ${res.status}${suffix}`);
  }
}
