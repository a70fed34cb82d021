import type { RegistryRef } from '../image/index.ts';
import { IMAGE_DIGEST } from '../store/index.ts';
import { ExpiringLru } from './lru.ts';

/** Tag → digest through the registry (a HEAD on the manifest). Injected: the webhook wires the registry client. */
export type ResolveDigest = (ref: RegistryRef, signal: AbortSignal) => Promise<string>;

export interface ResolverOptions {
  /** How long a tag's digest is trusted. Short: a pushed tag should be seen within a minute. */
  ttlMs?: number;
  /** How long a failure is remembered, so a dead registry is not asked on every request. */
  errorTtlMs?: number;
  maxEntries?: number;
  /** Longest wait for the registry: kube-apiserver waits on the webhook. */
  timeoutMs?: number;
}

export type Resolution = { digest: string; cached: boolean } | { error: string; cached: boolean };

/**
 * Tags resolved to digests with a short TTL cache. Concurrent requests for one tag share one
 * registry call; failures are cached briefly too.
 */
export class DigestResolver {
  private readonly cache: ExpiringLru<string, Resolution>;
  private readonly inflight = new Map<string, Promise<Resolution>>();
  private readonly resolve: ResolveDigest | undefined;
  private readonly ttlMs: number;
  private readonly errorTtlMs: number;
  private readonly timeoutMs: number;

  constructor(resolve: ResolveDigest | undefined, options: ResolverOptions = {}) {
    this.resolve = resolve;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.errorTtlMs = options.errorTtlMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.cache = new ExpiringLru(options.maxEntries ?? 10_000);
  }

  async digestOf(ref: RegistryRef, key: string): Promise<Resolution> {
    if (ref.digest) return { digest: ref.digest, cached: false };
    const now = Date.now();
    const hit = this.cache.get(key, now);
    if (hit) return { ...hit, cached: true };
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = this.lookup(ref).then((r) => {
      this.cache.set(key, r, Date.now() + ('digest' in r ? this.ttlMs : this.errorTtlMs));
      return r;
    }).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async lookup(ref: RegistryRef): Promise<Resolution> {
    if (!this.resolve) return { error: 'tags cannot be resolved: no registry access configured', cached: false };
    try {
      const digest = await this.resolve(ref, AbortSignal.timeout(this.timeoutMs));
      return IMAGE_DIGEST.test(digest) ? { digest, cached: false } : { error: 'the registry answered with a malformed digest', cached: false };
    } catch (err) {
      const e = err as Error;
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : e.message;
      return { error: `could not resolve the tag: ${why.slice(0, 200)}`, cached: false };
    }
  }
}
