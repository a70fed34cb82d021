import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AdmissionHandler } from './handler.ts';
import { MAX_BODY_BYTES } from './limits.ts';
import type { AdmissionMetrics } from './metrics.ts';
import { invalidResponse } from './response.ts';
import { isJsonContentType } from './review.ts';
import type { TlsMaterial } from './tls.ts';

/**
 * The webhook's two listeners: HTTPS (HTTP/2 and HTTP/1.1, as kube-apiserver may use either) for
 * `/validate`, and plain HTTP for `/healthz`, `/readyz` and `/metrics`, so probes and Prometheus
 * need no client certificate trust and the admission port serves only admission.
 */

export interface WebhookServerOptions {
  handler: AdmissionHandler;
  metrics: AdmissionMetrics;
  tls: TlsMaterial;
  port: number;
  metricsPort: number;
  host?: string;
  metricsHost?: string;
  logger?: Logger;
  /** Whether the webhook can decide (policy and store loaded, namespace labels synced). */
  ready?: () => boolean;
  /** Longest time a client may take to send a request body (ms). */
  bodyTimeoutMs?: number;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const JSON_HEADERS = { 'content-type': 'application/json' };

function send(res: Res, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  // Both response types take the same arguments; TypeScript cannot call the union.
  const r = res as ServerResponse;
  r.writeHead(status, { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(text)), ...headers });
  r.end(text);
}

const ERROR_REVIEW = (message: string, code = 400) => invalidResponse({ uid: '', apiVersion: 'admission.k8s.io/v1' }, message, code);

/**
 * Body reads in flight and when each must have finished. One sweep a second ends the late ones:
 * a timer per request (set and cleared thousands of times a second) cost more than the sweep.
 */
const deadlines = new Map<(v: 'failed') => void, number>();
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = performance.now();
  for (const [fail, at] of deadlines) if (at <= now) fail('failed');
  if (deadlines.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/** Read a body up to `limit` bytes; undefined when it was larger, the client went away or was too slow. */
function readBody(req: Req, limit: number, timeoutMs: number): Promise<Buffer | 'too-large' | 'failed'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      resolve('too-large');
      return;
    }
    // Most bodies arrive in one chunk: kept as it is, copied only when there are more.
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'too-large' | 'failed'): void => {
      if (done) return;
      done = true;
      deadlines.delete(finish);
      resolve(v);
    };
    deadlines.set(finish, performance.now() + timeoutMs);
    sweeper ??= setInterval(sweep, Math.min(1000, timeoutMs)).unref();
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        finish('too-large');
        return;
      }
      if (!first) first = c;
      else (chunks ??= [first]).push(c);
    });
    req.on('end', () => finish(chunks ? Buffer.concat(chunks, size) : first ?? Buffer.alloc(0)));
    req.on('error', () => finish('failed'));
    req.on('aborted', () => finish('failed'));
  });
}

export class WebhookServer {
  private readonly options: WebhookServerOptions;
  private readonly https: Http2SecureServer;
  private readonly plain: Server;

  constructor(options: WebhookServerOptions) {
    this.options = options;
    this.https = createSecureServer({
      allowHTTP1: true, cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2',
      // An answer goes out at once (https.createServer does this; the HTTP/2 server does not).
      noDelay: true,
    }, (req, res) => void this.serve(req, res));
    // A client that opens a connection and sends nothing is dropped.
    this.https.setTimeout(120_000);
    this.https.on('tlsClientError', (err) => options.logger?.debug({ error: err.message }, 'TLS handshake failed'));
    this.https.on('sessionError', (err) => options.logger?.debug({ error: err.message }, 'HTTP/2 session error'));
    this.plain = createServer((req, res) => void this.serveOps(req, res));
  }

  async listen(): Promise<{ port: number; metricsPort: number }> {
    const listen = (s: Server | Http2SecureServer, port: number, host: string | undefined): Promise<number> =>
      new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve((s.address() as AddressInfo).port);
        });
      });
    const port = await listen(this.https, this.options.port, this.options.host);
    const metricsPort = await listen(this.plain, this.options.metricsPort, this.options.metricsHost ?? this.options.host);
    return { port, metricsPort };
  }

  /** Serve new connections with a new certificate; connections already open keep theirs. */
  setTls(tls: TlsMaterial): void {
    this.https.setSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' });
  }

  private async serve(req: Req, res: Res): Promise<void> {
    try {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/validate') {
        send(res, 404, ERROR_REVIEW('no such path: the webhook serves POST /validate', 404));
        return;
      }
      if (req.method !== 'POST') {
        send(res, 405, ERROR_REVIEW(`${String(req.method).slice(0, 16)} is not allowed: POST an AdmissionReview`, 405), { allow: 'POST' });
        return;
      }
      if (!isJsonContentType(req.headers['content-type'])) {
        send(res, 415, ERROR_REVIEW('content-type must be application/json', 415));
        return;
      }
      const body = await readBody(req, MAX_BODY_BYTES, this.options.bodyTimeoutMs ?? 10_000);
      if (body === 'too-large') {
        this.options.metrics.decisions.inc({ result: 'Invalid', kind: '' });
        send(res, 413, ERROR_REVIEW(`request body larger than ${MAX_BODY_BYTES} bytes`, 413), { connection: 'close' });
        if ('stream' in req) req.stream.close();
        else req.destroy();
        return;
      }
      if (body === 'failed') {
        send(res, 400, ERROR_REVIEW('the request body could not be read'));
        return;
      }
      const out = await this.options.handler.handle(body);
      send(res, out.httpStatus, out.body);
    } catch (err) {
      this.options.logger?.error({ error: (err as Error)?.message }, 'request failed');
      send(res, 500, ERROR_REVIEW('internal error', 500));
    }
  }

  private async serveOps(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET' }).end();
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const ready = this.options.ready?.() ?? true;
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
      } else if (path === '/metrics') {
        const text = await this.options.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': this.options.metrics.registry.contentType }).end(text);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (err) {
      this.options.logger?.error({ error: (err as Error)?.message }, 'ops request failed');
      if (!res.headersSent) res.writeHead(500).end();
    }
  }

  /** Stop accepting, let requests in flight finish (up to `graceMs`), then close everything. */
  async close(graceMs = 5000): Promise<void> {
    const closing = (s: Server | Http2SecureServer): Promise<void> => new Promise((resolve) => s.close(() => resolve()));
    const all = Promise.all([closing(this.https), closing(this.plain)]);
    const timer = setTimeout(() => {
      this.plain.closeAllConnections();
    }, graceMs);
    timer.unref();
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs + 100).unref())]);
    clearTimeout(timer);
  }
}
