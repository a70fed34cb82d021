/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) started on a free
 * loopback port with filesystem storage in a temp dir, optionally behind token auth (a token
 * server in this process signs the JWTs the registry verifies) and/or real TLS.
 *
 * Usage (skip when the binary is missing, fail under CI=true):
 *
 *   import { needs } from './tools.ts';            // or '../../test/tools.ts' from src/
 *   import { startRegistry, pushImage } from './registry.ts';
 *   import { buildImage } from './image-builder.ts';
 *
 *   test('pulls', { skip: needs('docker-registry', 'skopeo') }, async (t) => {
 *     const reg = await startRegistry();                 // plain HTTP on 127.0.0.1:<port>
 *     t.after(() => reg.stop());
 *     const img = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=debian\n' }]] });
 *     await pushImage(reg, 'team/app:1.0', img);         // BuiltImage or BuiltIndex, via skopeo
 *     await copyToRegistry(reg, 'oci:/tmp/big-layout:img', 'bench/big:1');  // any skopeo source
 *     // reg.host is "127.0.0.1:<port>": reference `${reg.host}/team/app:1.0`
 *   });
 *
 *   startRegistry({ auth: { users: { alice: 's3cret' }, anonymousPull: false } })  // token auth
 *   startRegistry({ basicAuth: { bob: 'pw' } })  // htpasswd Basic auth (needs('htpasswd'))
 *   startRegistry({ tls: true })     // HTTPS; reg.caFile is the PEM of the CA that signed it
 *
 * `pullImage(ref, openOptions)` resolves an image and reads every layer through our client;
 * `pushWithClient(client, repo, tag, image)` pushes with our client instead of skopeo.
 * With auth, `pushImage` uses the first user; `reg.tokenRequests` records what the token server
 * was asked (user, scopes), so tests can check token reuse; `auth.allow(user, repo)` limits access.
 * `startRegistry({ address: '::1' })` listens on IPv6 loopback (skopeo cannot name it: push with
 * pushWithClient). Never block the event loop (spawnSync) while a token-auth registry is in use:
 * its token server answers from this process.
 *
 * test/registry-proxy.ts: `startFaultProxy(reg.url)` puts a loopback reverse proxy in front of a
 * registry to inject faults (status, reset, truncation, corruption, redirect) per request;
 * `startBlobStore(blobs)` is redirect-target storage on 127.0.0.2; `startForwardProxy(hosts)` is
 * an HTTPS_PROXY (CONNECT) that resolves made-up names to loopback.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuiltImage, BuiltIndex } from './image-builder.ts';
import { openImage, parseImageRef } from '../src/image/index.ts';
import type { RegistryClient } from '../src/image/index.ts';
import type { OpenOptions, Platform, ResolvedImage } from '../src/image/index.ts';

export interface TokenAuthOptions {
  /** user → password accepted by the token server (Basic auth on the token request). */
  users: Record<string, string>;
  /** Hand out pull-only tokens to requests without credentials (default false). */
  anonymousPull?: boolean;
  /** Token lifetime in seconds (default 300). */
  expiresIn?: number;
  /** Which repositories an authenticated user may access (default: all). */
  allow?: (user: string, repository: string) => boolean;
  /** Answer with `access_token` instead of `token` (both are valid per the spec). */
  accessTokenField?: boolean;
}

export interface StartRegistryOptions {
  auth?: TokenAuthOptions;
  /** Basic auth (htpasswd, bcrypt): user → password. Needs `htpasswd` (apache2-utils). */
  basicAuth?: Record<string, string>;
  /** Listen on this loopback address (default 127.0.0.1; '::1' for IPv6). */
  address?: '127.0.0.1' | '::1';
  /** Serve HTTPS with a certificate for 127.0.0.1 signed by a fresh CA (see `caFile`). */
  tls?: boolean;
  /** More names for the certificate (e.g. a made-up host reached through a test proxy). */
  tlsNames?: string[];
}

export interface TokenRequest {
  /** Authenticated user, or undefined for anonymous requests. */
  user: string | undefined;
  scopes: string[];
  service: string | undefined;
  /** 'get' (Basic credentials on a GET) or 'oauth' (POST with a refresh token). */
  kind: 'get' | 'oauth';
}

export interface TestRegistry {
  /** "127.0.0.1:<port>" (or "[::1]:<port>"), the registry part of a reference. */
  host: string;
  /** "http://127.0.0.1:<port>" or "https://..." */
  url: string;
  /** PEM file of the CA that signed the registry's certificate (tls only). */
  caFile?: string;
  /** Token server base URL (auth only), e.g. http://127.0.0.1:<port>/token */
  realm?: string;
  service?: string;
  /** Every request the token server answered, in order (auth only). */
  tokenRequests: TokenRequest[];
  /** user:password for pushing (auth only). */
  credentials?: { username: string; password: string };
  /** Scratch directory of this registry (storage, config, keys); removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (released before returning; the small race is acceptable in tests). */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.on('error', reject);
    srv.listen(0, address, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A CA and a server certificate for `names` (IP addresses or DNS names) signed by it, written
 * as PEM files into `dir`.
 */
export function makeCertificates(dir: string, names: string[] = ['127.0.0.1', 'localhost']): TestCertificates {
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=Portcullis Test CA', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', `/CN=${names[0]}`, '-keyout', 'server.key', '-out', 'server.csr'], dir);
  const ext = join(dir, 'server.ext');
  spawnSync('sh', ['-c', `printf 'subjectAltName=${san}\\nextendedKeyUsage=serverAuth\\nbasicConstraints=CA:FALSE\\n' > '${ext}'`]);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

const ISSUER = 'portcullis-test-issuer';
const SERVICE = 'portcullis-test-registry';

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * The token server of the Docker token auth spec: GET ?service=&scope= with optional Basic
 * credentials (and POST grant_type=refresh_token|password for OAuth2 clients), answering a JWT
 * signed by a key whose certificate is in the registry's rootcertbundle (sent as x5c).
 */
async function startTokenServer(dir: string, options: TokenAuthOptions, requests: TokenRequest[]): Promise<{ server: Server; realm: string; certFile: string }> {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Portcullis Test Token Signer',
    '-keyout', 'token.key', '-out', 'token.pem'], dir);
  const key = createPrivateKey(await readFile(join(dir, 'token.key')));
  const cert = new X509Certificate(await readFile(join(dir, 'token.pem')));
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [cert.raw.toString('base64')] }));
  const refreshTokens = new Map<string, string>();

  const issue = (user: string | undefined, scopes: string[]) => {
    const access = scopes.flatMap((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = (rest.pop() ?? '').split(',').filter(Boolean);
      const name = rest.join(':');
      const allowed = user ? (options.allow?.(user, rest.join(':')) ?? true) : false;
      const granted = allowed ? actions : options.anonymousPull ? actions.filter((a) => a === 'pull') : [];
      return type && name && granted.length ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, sub: user ?? '', aud: SERVICE, exp: now + (options.expiresIn ?? 300), nbf: now - 30, iat: now, jti: randomBytes(8).toString('hex'), access };
    const body = `${header}.${b64url(JSON.stringify(claims))}`;
    return `${body}.${b64url(sign('sha256', Buffer.from(body), key))}`;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname !== '/token') return reply(404, { error: 'not found' });
      let user: string | undefined;
      let scopes: string[];
      let service: string | undefined;
      let kind: TokenRequest['kind'] = 'get';
      let refreshToken: string | undefined;
      if (req.method === 'POST') {
        kind = 'oauth';
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        service = form.get('service') ?? undefined;
        if (form.get('grant_type') === 'refresh_token') {
          user = refreshTokens.get(form.get('refresh_token') ?? '');
          if (!user) return reply(401, { error: 'invalid_grant' });
        } else if (form.get('grant_type') === 'password') {
          const u = form.get('username') ?? '';
          if (options.users[u] === undefined || options.users[u] !== form.get('password')) return reply(401, { error: 'invalid_grant' });
          user = u;
          if (form.get('access_type') === 'offline') {
            refreshToken = randomBytes(16).toString('hex');
            refreshTokens.set(refreshToken, u);
          }
        } else return reply(400, { error: 'unsupported_grant_type' });
      } else {
        scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
        service = url.searchParams.get('service') ?? undefined;
        const auth = req.headers.authorization;
        if (auth) {
          const m = /^Basic (.+)$/i.exec(auth);
          const decoded = m ? Buffer.from(m[1]!, 'base64').toString() : '';
          const colon = decoded.indexOf(':');
          const u = decoded.slice(0, colon);
          if (colon < 0 || options.users[u] === undefined || options.users[u] !== decoded.slice(colon + 1)) {
            return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
          }
          user = u;
        } else if (!options.anonymousPull) {
          return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
        }
      }
      requests.push({ user, scopes, service, kind });
      const token = issue(user, scopes);
      const field = options.accessTokenField ? 'access_token' : 'token';
      reply(200, { [field]: token, expires_in: options.expiresIn ?? 300, issued_at: new Date().toISOString(), ...(refreshToken ? { refresh_token: refreshToken } : {}) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, realm: `http://127.0.0.1:${port}/token`, certFile: join(dir, 'token.pem') };
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string, caFile?: string): Promise<void> {
  const request = url.startsWith('https') ? httpsRequest : httpRequest;
  const ca = caFile ? await readFile(caFile) : undefined;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = request(`${url}/v2/`, { ...(ca ? { ca } : {}), timeout: 1000 }, (res: IncomingMessage) => {
        res.resume();
        resolve(res.statusCode === 200 || res.statusCode === 401);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not become ready at ${url}: ${stderr()}`);
}

/** Start a docker-registry on a free loopback port. Always call `stop()` (t.after). */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-registry-'));
  const address = options.address ?? '127.0.0.1';
  const hostPort = (port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  const port = await freePort(address);
  const tokenRequests: TokenRequest[] = [];
  let token: Awaited<ReturnType<typeof startTokenServer>> | undefined;
  let certs: TestCertificates | undefined;
  let child: ChildProcess | undefined;
  try {
    if (options.auth) token = await startTokenServer(dir, options.auth, tokenRequests);
    if (options.tls) certs = makeCertificates(dir, [address, 'localhost', ...(options.tlsNames ?? [])]);
    let htpasswd: string | undefined;
    if (options.basicAuth) {
      htpasswd = join(dir, 'htpasswd');
      const lines = Object.entries(options.basicAuth).map(([user, password]) => {
        const r = spawnSync('htpasswd', ['-nbB', user, password], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
        return r.stdout.trim();
      });
      await writeFile(htpasswd, `${lines.join('\n')}\n`);
    }
    const lines = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: "${hostPort(port)}"`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      ...(certs ? ['  tls:', `    certificate: ${certs.certFile}`, `    key: ${certs.keyFile}`] : []),
      ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: portcullis-test', `    path: ${htpasswd}`] : []),
      ...(token ? ['auth:', '  token:', `    realm: ${token.realm}`, `    service: ${SERVICE}`, `    issuer: ${ISSUER}`, `    rootcertbundle: ${token.certFile}`] : []),
    ];
    const config = join(dir, 'config.yml');
    await writeFile(config, `${lines.join('\n')}\n`);
    let err = '';
    child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    child.stderr!.on('data', (c: Buffer) => { if (err.length < 20_000) err += c.toString(); });
    const url = `${certs ? 'https' : 'http'}://${hostPort(port)}`;
    await waitReady(url, child, () => err, certs?.caFile);
    const users = Object.entries(options.auth?.users ?? options.basicAuth ?? {});
    const proc = child;
    return {
      host: hostPort(port),
      url,
      ...(certs ? { caFile: certs.caFile } : {}),
      ...(token ? { realm: token.realm, service: SERVICE } : {}),
      ...(users[0] ? { credentials: { username: users[0][0], password: users[0][1] } } : {}),
      tokenRequests,
      dir,
      async stop() {
        if (proc.exitCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
          if (proc.exitCode === null) proc.kill('SIGKILL');
        }
        await new Promise<void>((r) => (token ? token.server.close(() => r()) : r()));
        token?.server.closeAllConnections();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    child?.kill('SIGKILL');
    token?.server.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * skopeo's `dir:` transport layout (containers/image, "Directory Transport Version: 1.1"): the
 * top manifest as manifest.json, instance manifests as <hex>.manifest.json, blobs as <hex>. Unlike
 * an OCI layout it carries Docker media types too, and --preserve-digests keeps every byte.
 */
async function writeDirTransport(dir: string, image: BuiltImage | BuiltIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  const images = 'index' in image ? image.images : [image];
  for (const img of images) {
    for (const [digest, data] of img.blobs) await writeFile(join(dir, digest.slice('sha256:'.length)), data);
    if ('index' in image) await writeFile(join(dir, `${img.manifestDigest.slice('sha256:'.length)}.manifest.json`), img.manifestBytes);
  }
  await writeFile(join(dir, 'manifest.json'), 'index' in image ? image.indexBytes : image.manifestBytes);
}

type RegistryTarget = { host: string; credentials?: { username: string; password: string } };

/**
 * `skopeo copy SOURCE docker://HOST/DEST` byte for byte (--preserve-digests; --all for indexes).
 * SOURCE is any skopeo transport, e.g. `oci:/path/layout:ref` for a big image built on disk.
 */
export async function copyToRegistry(registry: RegistryTarget, source: string, dest: string, options: { all?: boolean } = {}): Promise<void> {
  const args = ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false'];
  if (options.all) args.push('--all');
  if (registry.credentials) args.push('--dest-creds', `${registry.credentials.username}:${registry.credentials.password}`);
  args.push(source, `docker://${registry.host}/${dest}`);
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    let err = '';
    // Async, never spawnSync: the token server answering skopeo runs in this process.
    const p = spawn('skopeo', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() } });
    p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    p.on('close', (code) => resolve({ code, err }));
  });
  if (r.code !== 0) throw new Error(`skopeo copy to ${registry.host}/${dest} failed: ${r.err}`);
}

/**
 * Push an image or index to `repoAndTag` ("team/app:1.0", or "team/app" to push by digest only)
 * with skopeo — an implementation independent of ours — byte for byte (OCI or Docker media
 * types). Returns the pushed digest (the manifest's, or the index's).
 */
export async function pushImage(registry: RegistryTarget, repoAndTag: string, image: BuiltImage | BuiltIndex): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-push-'));
  try {
    await writeDirTransport(join(dir, 'image'), image);
    const digest = 'index' in image ? image.indexDigest : image.manifestDigest;
    const dest = repoAndTag.includes(':') ? repoAndTag : `${repoAndTag}@${digest}`;
    await copyToRegistry(registry, `dir:${join(dir, 'image')}`, dest, { all: 'index' in image });
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Pull an image the way a scan does — resolve the platform, then read every layer through the
 * verifying stream — and return what was read.
 */
export async function pullImage(reference: string, options: OpenOptions = {}, platform: Platform = { os: 'linux', architecture: 'amd64' }): Promise<{ image: ResolvedImage; layers: Buffer[] }> {
  const source = await openImage(parseImageRef(reference), options);
  try {
    const image = await source.resolve(platform);
    const layers: Buffer[] = [];
    for (const l of image.layers) {
      const chunks: Buffer[] = [];
      for await (const c of await source.openBlob(l.descriptor)) chunks.push(c as Buffer);
      layers.push(Buffer.concat(chunks));
    }
    return { image, layers };
  } finally {
    await source.close();
  }
}

/** Push an image's blobs and manifest with our own client (for hosts skopeo cannot name, or to test our push). */
export async function pushWithClient(client: RegistryClient, repository: string, reference: string, image: BuiltImage): Promise<string> {
  for (const blob of image.blobs.values()) await client.pushBlob(repository, blob);
  return client.putManifest(repository, reference, image.manifestBytes, image.manifest.mediaType!);
}
