/**
 * Fault injection in front of a real registry: a loopback reverse proxy that forwards to the
 * registry (plain HTTP) and, when a rule says so, answers a request itself — a status (429 with
 * Retry-After, 500, ...), a dropped connection, a redirect — or corrupts the body it forwards.
 * Plus a tiny "blob storage" server on another loopback address (127.0.0.2) to redirect to, which
 * records the headers it receives (so tests can check Authorization is not forwarded).
 *
 *   const proxy = await startFaultProxy(reg.url);
 *   t.after(() => proxy.stop());
 *   proxy.rule = faultOnce((r) => r.method === 'GET' && r.path.includes('/blobs/'), { status: 500 });
 *   // reference: `${proxy.host}/team/app:1.0`
 */
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';

export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { reset: true }
  | { corruptBody: true }
  /** Forward the headers and the first `bytes` bytes of the body, then drop the connection. */
  | { truncateAfter: number }
  | { redirect: string };

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export type FaultRule = (req: ProxiedRequest) => Fault | undefined;

export interface FaultProxy {
  host: string;
  url: string;
  /** Every request seen, with the fault injected (if any) and the client's port (one per connection). */
  requests: (ProxiedRequest & { fault?: string; clientPort?: number })[];
  rule: FaultRule | undefined;
  stop(): Promise<void>;
}

/** A rule that injects `fault` into the first `times` requests matching `match`. */
export function faultOnce(match: (r: ProxiedRequest) => boolean, fault: Fault | ((r: ProxiedRequest) => Fault), times = 1): FaultRule {
  let left = times;
  return (r) => {
    if (left <= 0 || !match(r)) return undefined;
    left--;
    return typeof fault === 'function' ? fault(r) : fault;
  };
}

function describe(f: Fault): string {
  if ('status' in f) return `status ${f.status}`;
  if ('reset' in f) return 'reset';
  if ('redirect' in f) return 'redirect';
  if ('truncateAfter' in f) return 'truncate';
  return 'corrupt';
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `${host}:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const proxy: FaultProxy = { host: '', url: '', requests: [], rule: undefined, stop: async () => {} };
  const server = createServer((req: IncomingMessage, res) => {
    const seen: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    const fault = proxy.rule?.(seen);
    proxy.requests.push({ ...seen, ...(fault ? { fault: describe(fault) } : {}), ...(req.socket.remotePort ? { clientPort: req.socket.remotePort } : {}) });
    if (fault && 'reset' in fault) {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault && 'status' in fault) {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'INJECTED', message: `injected ${fault.status}` }] }));
      return;
    }
    if (fault && 'redirect' in fault) {
      req.resume();
      res.writeHead(307, { location: fault.redirect });
      res.end();
      return;
    }
    // Keep the client's Host header: the registry builds absolute upload URLs from it, so they
    // point back at the proxy.
    const up = request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (ures) => {
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      if (fault && 'corruptBody' in fault) {
        let first = true;
        ures.pipe(new Transform({
          transform(chunk: Buffer, _e, done) {
            if (first && chunk.length > 0) {
              first = false;
              const copy = Buffer.from(chunk);
              copy[0] = copy[0]! ^ 0xff;
              done(null, copy);
            } else done(null, chunk);
          },
        })).pipe(res);
      } else if (fault && 'truncateAfter' in fault) {
        let sent = 0;
        ures.on('data', (chunk: Buffer) => {
          const room = fault.truncateAfter - sent;
          if (room > 0) res.write(chunk.subarray(0, room));
          sent += chunk.length;
          if (sent >= fault.truncateAfter) {
            ures.destroy();
            res.socket?.end();
          }
        });
      } else ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  proxy.host = await listen(server, '127.0.0.1');
  proxy.url = `http://${proxy.host}`;
  proxy.stop = () => close(server);
  return proxy;
}

export interface BlobStore {
  /** Base URL on 127.0.0.2 — another host than the registry's, as blob storage is. */
  url: string;
  /** Headers of every request received. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

/** Serves `blobs` (digest → bytes) at /<digest>, like object storage behind a registry redirect. */
export async function startBlobStore(blobs: Map<string, Buffer>): Promise<BlobStore> {
  const store: BlobStore = { url: '', requests: [], stop: async () => {} };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    store.requests.push({ path, headers: req.headers });
    const blob = blobs.get(path);
    if (!blob) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
    res.end(req.method === 'HEAD' ? undefined : blob);
  });
  store.url = `http://${await listen(server, '127.0.0.2')}`;
  store.stop = () => close(server);
  return store;
}

export interface ForwardProxy {
  /** http://127.0.0.1:<port>, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  /** "CONNECT host:port" or "GET http://host:port/path", in order. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * An HTTP forward proxy (CONNECT tunnels for HTTPS, absolute-form requests for HTTP), as in a
 * corporate network. `hosts` maps names to loopback addresses: the proxy resolves them, the
 * client never does — so a test can use a registry name that is not loopback for the client.
 */
export async function startForwardProxy(hosts: Record<string, string>): Promise<ForwardProxy> {
  const proxy: ForwardProxy = { url: '', requests: [], stop: async () => {} };
  const resolveHost = (h: string) => hosts[h] ?? h;
  const server = createServer((req, res) => {
    proxy.requests.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    const up = request({ hostname: resolveHost(target.hostname), port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers }, (ures) => {
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: IncomingMessage, socket, head: Buffer) => {
    proxy.requests.push(`CONNECT ${req.url}`);
    const [host, port] = [(req.url ?? '').replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(req.url ?? '')?.[1] ?? 443)];
    const upstream = connect(port, resolveHost(host), () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  proxy.url = `http://${await listen(server, '127.0.0.1')}`;
  proxy.stop = () => close(server);
  return proxy;
}
