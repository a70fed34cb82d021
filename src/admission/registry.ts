import { RegistryClient } from '../image/index.ts';
import type { RegistryClientOptions, RegistryRef } from '../image/index.ts';
import type { ResolveDigest } from './resolve.ts';

/**
 * Tag → digest with the registry client: a HEAD on the manifest (the registry's
 * Docker-Content-Digest), a GET when the registry does not send one. One client per registry,
 * so tokens are reused; one attempt only — the webhook cannot wait for retries, and a failure
 * is cached briefly by DigestResolver.
 */
export function registryResolver(options: RegistryClientOptions = {}): ResolveDigest {
  const clients = new Map<string, RegistryClient>();
  const clientFor = (registry: string): RegistryClient => {
    let c = clients.get(registry);
    if (!c) {
      c = new RegistryClient(registry, { timeoutMs: 3000, ...options, retry: { attempts: 1, ...options.retry } });
      clients.set(registry, c);
    }
    return c;
  };
  return async (ref: RegistryRef, signal: AbortSignal): Promise<string> => {
    const client = clientFor(ref.registry);
    const tag = ref.tag ?? 'latest';
    const lookup = (async () => {
      const head = await client.headManifest(ref.repository, tag);
      return head.digest ?? (await client.getManifest(ref.repository, tag)).digest;
    })();
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    lookup.catch(() => {}); // a late failure after the timeout is not an unhandled rejection
    return Promise.race([lookup, aborted]);
  };
}
