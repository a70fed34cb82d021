import { readFileSync } from 'node:fs';
import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { RegistryError } from '../../errors.ts';
import { isLoopbackRegistry } from '../reference.ts';

// node:http, node:https and node:tls are taken on first use: an ESM import of node:http makes
// Node load its fetch implementation (~30 ms of every start-up), which a run that never talks to
// a registry (a layout, an archive, a fully cached scan's other commands) should not pay.
const http = () => process.getBuiltinModule('node:http');
const https = () => process.getBuiltinModule('node:https');
const tls = () => process.getBuiltinModule('node:tls');

/**
 * The one place Portcullis opens HTTP connections to registries and token services: node:http(s)
 * with keep-alive agents, our own CA list (--ca-file adds to the system roots), an idle timeout,
 * and no automatic redirects (the client decides what to send where).
 */

export interface TransportOptions {
  /** Accept any TLS certificate (plain HTTP is decided by the client, not here). */
  insecure?: boolean;
  /** PEM file with extra CA certificates, trusted in addition to the usual roots. */
  caFile?: string;
  /** Idle time after which a request or a body read is abandoned (default 30 s). */
  timeoutMs?: number;
  userAgent?: string;
  /**
   * Environment whose HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply (Node's built-in proxy support);
   * loopback hosts are always reached directly, as Go and Docker do.
   */
  proxyEnv?: NodeJS.ProcessEnv;
}

/** A body that can be sent again on retry: bytes, or a factory opening a fresh stream of `length` bytes. */
export type RequestBody = Buffer | { length: number; open(): Readable };

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

/** A connection-level failure (no HTTP response): `code` is Node's error code (ECONNRESET, ...). */
export class NetworkError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;

const contexts = new Map<string, SecureContext>();

/**
 * The CAs registries are checked against: Node's bundled roots (and NODE_EXTRA_CA_CERTS), the
 * operating system's store (where an organisation installs its CA, as Docker and Go tools use
 * it), and --ca-file. Building the context parses a few hundred certificates (~0.1 s), so it is
 * made once per process and CA file.
 */
function trustContext(caFile: string | undefined): SecureContext {
  const key = caFile ?? '';
  let context = contexts.get(key);
  if (!context) {
    let extra: string[] = [];
    if (caFile) {
      try {
        extra = [readFileSync(caFile, 'utf8')];
      } catch (err) {
        throw new RegistryError('BAD_CA_FILE', `cannot read --ca-file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    }
    let system: string[] = [];
    try {
      system = tls().getCACertificates('system');
    } catch {
      // No readable system store: the bundled roots still apply.
    }
    context = tls().createSecureContext({ ca: [...new Set([...tls().getCACertificates('default'), ...system]), ...extra] });
    contexts.set(key, context);
  }
  return context;
}

export class Transport {
  private readonly options: TransportOptions;
  private readonly agents = new Map<string, HttpAgent | HttpsAgent>();

  constructor(options: TransportOptions = {}) {
    this.options = options;
  }

  private agentFor(url: URL): HttpAgent | HttpsAgent {
    const secure = url.protocol === 'https:';
    const proxied = !!this.options.proxyEnv && !isLoopbackRegistry(url.host);
    const key = `${secure}/${proxied}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const common = { keepAlive: true, maxSockets: 16, ...(proxied ? { proxyEnv: this.options.proxyEnv } : {}) };
      agent = secure
        ? new (https().Agent)({ ...common, secureContext: trustContext(this.options.caFile), rejectUnauthorized: !this.options.insecure })
        : new (http().Agent)(common);
      this.agents.set(key, agent);
    }
    return agent;
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    const secure = req.url.protocol === 'https:';
    const agent = this.agentFor(req.url);
    const timeout = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'portcullis', ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      const make = secure ? https().request : http().request;
      const r = make(req.url, { method: req.method, headers, agent }, (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
      });
      r.setTimeout(timeout, () => r.destroy(new NetworkError('ETIMEDOUT', `no answer for ${timeout / 1000} s`)));
      r.on('error', (err: NodeJS.ErrnoException) => {
        reject(err instanceof NetworkError ? err : new NetworkError(err.code ?? 'ERR_NETWORK', err.message, { cause: err }));
      });
      if (!req.body) r.end();
      else if (Buffer.isBuffer(req.body)) r.end(req.body);
      else {
        const stream = req.body.open();
        stream.on('error', (err) => r.destroy(err));
        stream.pipe(r);
      }
    });
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/** Read a response body whole, refusing more than `limit` bytes (checked before and while reading). */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  const tooLarge = () => new RegistryError('TOO_LARGE', `${what} is larger than ${limit} bytes`);
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        res.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new NetworkError(e.code ?? 'ECONNRESET', e.message, { cause: err });
  }
  return Buffer.concat(chunks);
}

/** A body declared small enough to read to the end so the connection can be reused. */
function isSmallBody(res: HttpResponse): boolean {
  const declared = Number(res.headers['content-length']);
  return Number.isFinite(declared) && declared <= 64 * 1024;
}

/** Discard a body we do not need, so the connection can be reused (small ones) or is dropped. */
export function discard(res: HttpResponse): void {
  if (isSmallBody(res)) res.body.resume();
  else res.body.destroy();
}

/** Like discard, but waits until a small body is read, so the next request reuses the connection. */
export async function drain(res: HttpResponse): Promise<void> {
  if (!isSmallBody(res)) {
    res.body.destroy();
    return;
  }
  try {
    for await (const _ of res.body) { /* read to the end */ }
  } catch {
    // The connection is gone: nothing to reuse.
  }
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
