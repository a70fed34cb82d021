import type { Readable } from 'node:stream';
import { ImageFormatError, RegistryError, UsageError } from '../../errors.ts';
import { MAX_MANIFEST_BYTES } from '../manifest.ts';
import { isLoopbackRegistry } from '../reference.ts';
import type { RegistryRef } from '../reference.ts';
import { MediaType } from '../types.ts';
import type { Descriptor } from '../types.ts';
import { VerifyingStream, digestOf, parseDigest, verifyBytes } from '../verify.ts';
import { TokenCache, basicHeader, challengeFrom, parseTokenResponse, repositoryScope } from './auth.ts';
import type { Challenge } from './auth.ts';
import { findCredentials } from './credentials.ts';
import { networkError, responseError } from './errors.ts';
import type { CredentialSourceOptions, Credentials } from './credentials.ts';
import { NetworkError, Transport, discard, drain, header, readBody } from './http.ts';
import type { HttpRequest, HttpResponse, RequestBody, TransportOptions } from './http.ts';
import { DEFAULT_RETRY, backoffDelay, isRetryableStatus, isTransientNetworkCode, parseRetryAfter, sleep } from './retry.ts';
import type { RetryPolicy } from './retry.ts';

/**
 * A client of one registry, speaking the OCI Distribution API over our own transport: the /v2/
 * version check (which also settles HTTPS vs plain HTTP and learns the auth challenge), manifests
 * with media-type negotiation, verified blob streams that follow redirects to blob storage,
 * pushes, tag lists. Every request goes through auth (one re-authentication on 401) and retries
 * (transient failures, bounded); every failure is a RegistryError with a stable code and no
 * secret in it.
 */

export interface RegistryClientOptions extends TransportOptions, CredentialSourceOptions {
  retry?: Partial<RetryPolicy>;
  /** Use these credentials instead of looking them up; `null` forces anonymous access. */
  credentials?: Credentials | null;
}

export interface ManifestResponse {
  bytes: Buffer;
  /** Content-Type as the registry sent it (without parameters). */
  mediaType: string | undefined;
  /** Digest of the bytes (verified against the reference when it is a digest). */
  digest: string;
}

export interface ManifestHead {
  digest: string | undefined;
  mediaType: string | undefined;
  size: number | undefined;
}

/** Accept header for manifests: everything we can read, images and indexes, OCI and Docker. */
export const MANIFEST_MEDIA_TYPES = [MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest] as const;

const MAX_TOKEN_BODY = 1 << 20;
const MAX_TAG_PAGE = 4 << 20;
const MAX_TAGS = 100_000;
const MAX_REDIRECTS = 5;

function isDigest(reference: string): boolean {
  return reference.includes(':');
}

// The distribution spec's grammar for names and tags: what goes into a URL path is checked first.
const REPOSITORY_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

function checkTarget(registry: string, repository: string, reference?: string): void {
  if (repository.length > 255 || !REPOSITORY_RE.test(repository)) {
    throw new UsageError('BAD_REFERENCE', `${registry}: invalid repository name "${repository.slice(0, 80)}"`);
  }
  if (reference === undefined) return;
  if (isDigest(reference)) parseDigest(reference);
  else if (!TAG_RE.test(reference)) throw new UsageError('BAD_REFERENCE', `${registry}/${repository}: invalid tag "${reference.slice(0, 80)}"`);
}

function mediaTypeOf(res: HttpResponse): string | undefined {
  return header(res, 'content-type')?.split(';')[0]?.trim() || undefined;
}

interface Operation {
  method: HttpRequest['method'];
  /** A path under the registry (/v2/...) or an absolute URL the registry gave us (upload Location). */
  path: string | URL;
  /** Message prefix naming what was asked for (never a secret). */
  what: string;
  /** Repository whose credentials and scope apply. */
  repository?: string;
  push?: boolean;
  headers?: Record<string, string>;
  body?: RequestBody;
  followRedirects?: boolean;
}

export class RegistryClient {
  /** The registry as written in references (docker.io for Docker Hub). */
  readonly registry: string;
  private readonly host: string;
  private readonly options: RegistryClientOptions;
  private readonly retry: RetryPolicy;
  private readonly transport: Transport;
  private readonly tokens = new TokenCache();
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private readonly credentials = new Map<string, Promise<Credentials | undefined>>();
  private base: Promise<URL> | undefined;
  private challenge: Challenge | undefined;

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry;
    // Docker Hub's API lives on another host than its name.
    this.host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    this.options = options;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.transport = new Transport({ proxyEnv: options.env ?? process.env, ...options });
  }

  // ---- public API -------------------------------------------------------------------------

  /** The API version check (GET /v2/): settles the scheme and learns how to authenticate. */
  async ping(): Promise<void> {
    await this.endpoint();
  }

  async getManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<ManifestResponse> {
    checkTarget(this.registry, repository, reference);
    const what = this.name(repository, reference);
    const { res, bytes } = await this.fetchBytes({ method: 'GET', path: `/v2/${repository}/manifests/${reference}`, what, repository, headers: { accept: accept.join(', ') } }, MAX_MANIFEST_BYTES, `${what} manifest`);
    let digest: string;
    if (isDigest(reference)) {
      verifyBytes(bytes, reference, undefined, `${what} manifest`);
      digest = reference;
    } else {
      digest = digestOf(bytes);
      const claimed = header(res, 'docker-content-digest');
      if (claimed?.startsWith('sha256:') && claimed !== digest) {
        throw new ImageFormatError('DIGEST_MISMATCH', `${what}: manifest digest is ${digest}, the registry says ${claimed}`);
      }
    }
    return { bytes, mediaType: mediaTypeOf(res), digest };
  }

  async headManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<ManifestHead> {
    checkTarget(this.registry, repository, reference);
    const what = this.name(repository, reference);
    const res = await this.request({ method: 'HEAD', path: `/v2/${repository}/manifests/${reference}`, what, repository, headers: { accept: accept.join(', ') } });
    if (res.status !== 200) throw await this.failure(res, what, repository);
    discard(res);
    const digest = header(res, 'docker-content-digest');
    const size = Number(header(res, 'content-length'));
    return { digest, mediaType: mediaTypeOf(res), size: Number.isSafeInteger(size) ? size : undefined };
  }

  /**
   * The digest a tag points at now (a HEAD, as Docker does, so it does not count as a pull on
   * registries that rate-limit them), or the reference's own digest. Falls back to GET when the
   * registry does not send Docker-Content-Digest.
   */
  async resolveDigest(ref: RegistryRef): Promise<string> {
    if (ref.digest) return ref.digest;
    const reference = ref.tag ?? 'latest';
    const head = await this.headManifest(ref.repository, reference).catch((err: unknown) => {
      if (err instanceof RegistryError && ['NOT_FOUND', 'UNAUTHORIZED', 'DENIED', 'TLS', 'UNAVAILABLE', 'RATE_LIMITED'].includes(err.code)) throw err;
      return undefined;
    });
    if (head?.digest) {
      try {
        parseDigest(head.digest);
        return head.digest;
      } catch {
        // A malformed header: ask for the bytes instead.
      }
    }
    return (await this.getManifest(ref.repository, reference)).digest;
  }

  /**
   * A blob as a stream that verifies size and digest as it is read and errors instead of ending
   * when they are wrong. Redirects to blob storage are followed (without our credentials when they
   * lead to another host). A connection dropped mid-blob is resumed where it stopped with a Range
   * request (within the retry policy), so a large layer does not start over.
   */
  async openBlob(repository: string, descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Readable> {
    checkTarget(this.registry, repository, descriptor.digest);
    const what = `${this.registry}/${repository} blob ${descriptor.digest}`;
    parseDigest(descriptor.digest);
    const op: Operation = { method: 'GET', path: `/v2/${repository}/blobs/${descriptor.digest}`, what, repository, followRedirects: true };
    const first = await this.request(op);
    if (first.status !== 200) throw await this.failure(first, what, repository);
    const declared = Number(header(first, 'content-length'));
    if (Number.isFinite(declared) && declared !== descriptor.size) {
      first.body.destroy();
      throw new ImageFormatError('SIZE_MISMATCH', `${what}: the registry sends ${declared} bytes, the descriptor says ${descriptor.size}`);
    }
    const verifier = new VerifyingStream(descriptor.digest, descriptor.size, what);
    let received = 0;
    let resumes = 0;
    let current = first;
    const follow = (res: HttpResponse) => {
      current = res;
      res.body.on('data', (chunk: Buffer) => { received += chunk.length; });
      // A body that ends early makes the verifier flush short: SIZE_MISMATCH.
      res.body.on('end', () => verifier.end());
      res.body.on('error', (err: NodeJS.ErrnoException) => {
        res.body.unpipe(verifier);
        resumes++;
        if (verifier.destroyed || received >= descriptor.size || resumes >= this.retry.attempts) {
          verifier.destroy(new RegistryError('UNAVAILABLE', `${what}: download interrupted after ${received} of ${descriptor.size} bytes (${err.code ?? err.message})`));
          return;
        }
        void sleep(backoffDelay(this.retry, resumes))
          .then(() => this.request({ ...op, headers: { range: `bytes=${received}-` } }))
          .then(async (next) => {
            const range = /^bytes (\d+)-/.exec(header(next, 'content-range') ?? '');
            if (next.status !== 206 || Number(range?.[1]) !== received) {
              throw next.status === 206 || next.status === 200
                ? (next.body.destroy(), new RegistryError('UNAVAILABLE', `${what}: download interrupted after ${received} of ${descriptor.size} bytes and the registry cannot resume it`))
                : await this.failure(next, what, repository);
            }
            follow(next);
          })
          .catch((e: unknown) => verifier.destroy(e as Error));
      });
      res.body.pipe(verifier, { end: false });
    };
    follow(first);
    verifier.on('close', () => current.body.destroy());
    return verifier;
  }

  /** A small blob (config, artifact metadata) read whole, bounded and verified. */
  async readBlob(repository: string, descriptor: Pick<Descriptor, 'digest' | 'size'>, max: number): Promise<Buffer> {
    const what = `${this.registry}/${repository} blob ${descriptor.digest}`;
    if (descriptor.size > max) throw new ImageFormatError('TOO_LARGE', `${what} is larger than ${max} bytes`);
    const chunks: Buffer[] = [];
    // openBlob's stream fails rather than ends unless the size and digest match: no second check.
    for await (const chunk of await this.openBlob(repository, descriptor)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async hasBlob(repository: string, digest: string, push = false): Promise<boolean> {
    checkTarget(this.registry, repository, digest);
    const what = `${this.registry}/${repository} blob ${digest}`;
    const res = await this.request({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, what, repository, push, followRedirects: true });
    discard(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.failure(res, what, repository);
  }

  /**
   * Upload a blob unless the repository has it (HEAD first), as one monolithic PUT after a POST
   * that opens the upload. `blob` is bytes, or a re-openable stream with its digest and size
   * (a large file). Returns its descriptor fields.
   */
  async pushBlob(repository: string, blob: Buffer | { digest: string; size: number; open(): Readable }): Promise<{ digest: string; size: number }> {
    checkTarget(this.registry, repository);
    const digest = Buffer.isBuffer(blob) ? digestOf(blob) : blob.digest;
    const size = Buffer.isBuffer(blob) ? blob.length : blob.size;
    parseDigest(digest);
    if (await this.hasBlob(repository, digest, true)) return { digest, size };
    const what = `${this.registry}/${repository} blob ${digest}`;
    const start = await this.request({ method: 'POST', path: `/v2/${repository}/blobs/uploads/`, what, repository, push: true, headers: { 'content-length': '0' } });
    if (start.status !== 202) throw await this.failure(start, what, repository);
    discard(start);
    const location = header(start, 'location');
    if (!location) throw new RegistryError('BAD_RESPONSE', `${what}: the registry opened an upload without a Location`);
    const url = new URL(location, start.url);
    url.searchParams.set('digest', digest);
    const body: RequestBody = Buffer.isBuffer(blob) ? blob : { length: size, open: () => blob.open() };
    const put = await this.request({ method: 'PUT', path: url, what, repository, push: true, headers: { 'content-type': 'application/octet-stream' }, body });
    if (put.status !== 201) throw await this.failure(put, what, repository);
    discard(put);
    return { digest, size };
  }

  /** PUT a manifest or index under a tag or digest; returns its digest. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    checkTarget(this.registry, repository, reference);
    const what = this.name(repository, reference);
    if (bytes.length > MAX_MANIFEST_BYTES) throw new ImageFormatError('MANIFEST_TOO_LARGE', `${what}: manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
    const digest = digestOf(bytes);
    if (isDigest(reference) && reference !== digest) throw new ImageFormatError('DIGEST_MISMATCH', `${what}: manifest digest is ${digest}`);
    const res = await this.request({ method: 'PUT', path: `/v2/${repository}/manifests/${reference}`, what, repository, push: true, headers: { 'content-type': mediaType }, body: bytes });
    if (res.status !== 201 && res.status !== 200) throw await this.failure(res, what, repository);
    discard(res);
    return digest;
  }

  /** Every tag of a repository (following Link pagination, `pageSize` per request), at most `max`. */
  async listTags(repository: string, options: { max?: number; pageSize?: number } = {}): Promise<string[]> {
    checkTarget(this.registry, repository);
    const what = `${this.registry}/${repository} tags`;
    const max = options.max ?? MAX_TAGS;
    const tags: string[] = [];
    let path: string | URL = `/v2/${repository}/tags/list?n=${options.pageSize ?? 1000}`;
    for (let page = 0; page < 1000; page++) {
      const { res, bytes } = await this.fetchBytes({ method: 'GET', path, what, repository }, MAX_TAG_PAGE, what);
      let doc: { tags?: unknown };
      try {
        doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
      } catch {
        throw new RegistryError('BAD_RESPONSE', `${what}: not JSON`);
      }
      if (doc.tags !== null && doc.tags !== undefined && !Array.isArray(doc.tags)) throw new RegistryError('BAD_RESPONSE', `${what}: "tags" is not a list`);
      for (const t of (doc.tags as unknown[] | null | undefined) ?? []) if (typeof t === 'string') tags.push(t);
      if (tags.length > max) throw new RegistryError('TOO_LARGE', `${what}: more than ${max} tags`);
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res, 'link') ?? '')?.[1];
      if (!next) return tags;
      path = new URL(next, res.url);
    }
    throw new RegistryError('TOO_LARGE', `${what}: too many pages`);
  }

  close(): void {
    this.transport.close();
  }

  // ---- internals ----------------------------------------------------------------------------

  private name(repository: string, reference: string): string {
    return `${this.registry}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  }

  /**
   * Schemes to try, in order. Loopback: plain HTTP first (the probe carries no secret, and it
   * spares a TLS handshake to the usual plain-HTTP test registry), then HTTPS. --insecure: HTTPS
   * first, as Docker does, then plain HTTP. Anything else: HTTPS only.
   */
  private schemes(): string[] {
    if (isLoopbackRegistry(this.host)) return ['http:', 'https:'];
    return this.options.insecure ? ['https:', 'http:'] : ['https:'];
  }

  /** GET /v2/ (the API version check): settles the scheme and learns the auth challenge. */
  private endpoint(): Promise<URL> {
    this.base ??= (async () => {
      const schemes = this.schemes();
      for (const [i, scheme] of schemes.entries()) {
        const last = i === schemes.length - 1;
        const base = new URL(`${scheme}//${this.host}/`);
        const probe = (attempts: number) => this.withRetry(() => this.transport.send({ method: 'GET', url: new URL('/v2/', base) }), attempts);
        let res: HttpResponse;
        try {
          // Only the last candidate is retried at once: an earlier one failing may mean "wrong scheme".
          res = await probe(last ? this.retry.attempts : 1);
        } catch (err) {
          if (err instanceof NetworkError && !last) continue;
          throw this.networkFailure(err, this.registry);
        }
        // A TLS server answering plain HTTP says 400: try the next scheme. Any other answer means
        // this scheme is the one; a transient one gets the retries it is due.
        if (!last && scheme === 'http:' && res.status === 400) {
          discard(res);
          continue;
        }
        if (!last && isRetryableStatus(res.status)) {
          discard(res);
          try {
            res = await probe(this.retry.attempts - 1);
          } catch (err) {
            throw this.networkFailure(err, this.registry);
          }
        }
        if (res.status === 200 || res.status === 401) {
          if (res.status === 401) this.challenge = challengeFrom(res);
          await drain(res);
          return base;
        }
        if (res.status === 404) {
          discard(res);
          throw new RegistryError('NOT_A_REGISTRY', `${this.registry} does not serve the registry API (/v2/ is 404)`);
        }
        throw await this.failure(res, this.registry);
      }
      throw new RegistryError('UNAVAILABLE', `cannot reach ${this.registry}`);
    })();
    // A failed check is not remembered: the next call tries again.
    this.base.catch(() => { this.base = undefined; });
    return this.base;
  }

  private creds(repository: string | undefined): Promise<Credentials | undefined> {
    if (this.options.credentials !== undefined) return Promise.resolve(this.options.credentials ?? undefined);
    const key = repository ?? '';
    let found = this.credentials.get(key);
    if (!found) {
      found = findCredentials(this.registry, repository, this.options);
      this.credentials.set(key, found);
    }
    return found;
  }

  private scopeFor(op: Operation): string | undefined {
    return op.repository ? repositoryScope(op.repository, op.push) : this.challenge?.params.scope;
  }

  /** The Authorization header for a request, fetching a token when the registry wants Bearer. */
  private async authorization(op: Operation): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    const creds = await this.creds(op.repository);
    if (challenge.scheme === 'basic') return creds?.username ? basicHeader(creds) : undefined;
    if (challenge.scheme !== 'bearer') return undefined;
    const scope = this.scopeFor(op) ?? '';
    const cached = this.tokens.get(scope);
    if (cached) return cached;
    // Layers are fetched in parallel: they share one token request per scope.
    let pending = this.pendingTokens.get(scope);
    if (!pending) {
      pending = this.fetchToken(challenge, scope, creds, op.what).finally(() => this.pendingTokens.delete(scope));
      this.pendingTokens.set(scope, pending);
    }
    return pending;
  }

  private async fetchToken(challenge: Challenge, scope: string, creds: Credentials | undefined, what: string): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm ?? '');
    } catch {
      throw new RegistryError('BAD_RESPONSE', `${what}: the registry's Bearer challenge has no valid realm`);
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') throw new RegistryError('BAD_RESPONSE', `${what}: unsupported token realm scheme ${realm.protocol}`);
    if (realm.protocol === 'http:' && creds && !this.options.insecure && !isLoopbackRegistry(realm.host)) {
      throw new RegistryError('INSECURE_REALM', `${what}: the token service ${realm.host} is plain HTTP; refusing to send credentials (use --insecure to allow)`);
    }
    const service = challenge.params.service;
    let req: HttpRequest;
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant, as Docker does with an identity token.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'portcullis' });
      if (service) form.set('service', service);
      if (scope) form.set('scope', scope);
      req = { method: 'POST', url: realm, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) };
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      for (const s of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
      req = { method: 'GET', url, headers: creds?.username ? { authorization: basicHeader(creds) } : {} };
    }
    let res: HttpResponse;
    try {
      res = await this.withRetry(() => this.transport.send(req));
    } catch (err) {
      throw this.networkFailure(err, `${what}: token service ${realm.host}`);
    }
    if (res.status === 401 || res.status === 403) {
      discard(res);
      throw new RegistryError('UNAUTHORIZED', creds
        ? `${what}: ${this.registry} rejected the credentials (token service answered ${res.status})`
        : `${what}: ${this.registry} requires authentication and no credentials were found (docker login, or REGISTRY_AUTH_FILE)`);
    }
    if (res.status !== 200) throw await this.failure(res, `${what}: token service`);
    const { token, expiresInMs } = parseTokenResponse(await this.read(res, MAX_TOKEN_BODY, `${what}: token`), what);
    return this.tokens.set(scope, token, expiresInMs);
  }

  /** One operation: auth, retries, one re-authentication after a 401, redirects when asked. */
  private async request(op: Operation): Promise<HttpResponse> {
    const base = await this.endpoint();
    let url = typeof op.path === 'string' ? new URL(op.path, base) : op.path;
    let res: HttpResponse | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = { ...op.headers };
      // Credentials and tokens go only to the registry's own origin.
      const auth = url.origin === base.origin ? await this.authorization(op) : undefined;
      if (auth) headers.authorization = auth;
      res = await this.send({ method: op.method, url, headers, ...(op.body ? { body: op.body } : {}) }, op.what);
      if (res.status !== 401 || attempt === 1) break;
      const challenge = challengeFrom(res);
      if (!challenge) break;
      const creds = await this.creds(op.repository);
      const retry = challenge.scheme === 'bearer' || (challenge.scheme === 'basic' && !auth && !!creds?.username);
      if (!retry) break;
      this.challenge = challenge;
      this.tokens.drop(this.scopeFor(op) ?? '');
      discard(res);
    }
    for (let hop = 0; op.followRedirects && res && [301, 302, 303, 307, 308].includes(res.status); hop++) {
      const location = header(res, 'location');
      if (!location) break;
      if (hop >= MAX_REDIRECTS) throw new RegistryError('BAD_RESPONSE', `${op.what}: more than ${MAX_REDIRECTS} redirects`);
      discard(res);
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && !(next.protocol === 'http:' && (url.protocol === 'http:' || this.options.insecure || isLoopbackRegistry(next.host)))) {
        throw new RegistryError('BAD_RESPONSE', `${op.what}: refusing a redirect to ${next.protocol}//${next.host}`);
      }
      const headers: Record<string, string> = { ...op.headers };
      if (next.origin === base.origin) {
        const auth = await this.authorization(op);
        if (auth) headers.authorization = auth;
      }
      url = next;
      res = await this.send({ method: op.method === 'HEAD' ? 'HEAD' : 'GET', url, headers }, op.what);
    }
    return res!;
  }

  private async send(req: HttpRequest, what: string): Promise<HttpResponse> {
    try {
      return await this.withRetry(() => this.transport.send(req));
    } catch (err) {
      throw this.networkFailure(err, what);
    }
  }

  /** Retry transient failures with backoff, within the policy's attempts and total time. */
  private async withRetry(attempt: () => Promise<HttpResponse>, attempts = this.retry.attempts): Promise<HttpResponse> {
    const started = Date.now();
    const policy = this.retry;
    for (let n = 1; ; n++) {
      const canRetry = (delay: number) => n < attempts && Date.now() - started + delay <= policy.maxTotalMs;
      let res: HttpResponse;
      try {
        res = await attempt();
      } catch (err) {
        const delay = backoffDelay(policy, n);
        if (err instanceof NetworkError && isTransientNetworkCode(err.code) && canRetry(delay)) {
          await sleep(delay);
          continue;
        }
        throw err;
      }
      if (isRetryableStatus(res.status)) {
        const delay = parseRetryAfter(header(res, 'retry-after')) ?? backoffDelay(policy, n);
        if (canRetry(delay)) {
          discard(res);
          await sleep(delay);
          continue;
        }
      }
      return res;
    }
  }

  /**
   * GET a small document whole (manifest, tag page): a 200 answer read to the end, bounded. A
   * connection dropped while the body arrives is retried like one dropped before the answer.
   */
  private async fetchBytes(op: Operation, limit: number, what: string): Promise<{ res: HttpResponse; bytes: Buffer }> {
    for (let n = 1; ; n++) {
      const res = await this.request(op);
      if (res.status !== 200) throw await this.failure(res, op.what, op.repository);
      try {
        return { res, bytes: await readBody(res, limit, what) };
      } catch (err) {
        if (!(err instanceof NetworkError) || !isTransientNetworkCode(err.code) || n >= this.retry.attempts) throw this.networkFailure(err, what);
        await sleep(backoffDelay(this.retry, n));
      }
    }
  }

  private async read(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
    try {
      return await readBody(res, limit, what);
    } catch (err) {
      throw this.networkFailure(err, what);
    }
  }

  private networkFailure(err: unknown, what: string): Error {
    return networkError(err, what, this.host);
  }

  /** The error for a response that is not what we asked for. */
  private async failure(res: HttpResponse, what: string, repository?: string): Promise<RegistryError> {
    const hasCredentials = res.status === 401 && (await this.creds(repository).catch(() => undefined)) !== undefined;
    return responseError(res, what, this.registry, hasCredentials);
  }
}
