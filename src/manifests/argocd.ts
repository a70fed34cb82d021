import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { ManifestError } from './errors.ts';
import { at, isObject, parseManifests } from './parse.ts';
import type { LoadedObject, ManifestLimits } from './types.ts';
import { DEFAULT_MANIFEST_LIMITS } from './types.ts';

/**
 * The manifests Argo CD is about to apply, from its API server, as the `argocd` CLI gets them:
 * `GET /api/v1/applications/{name}/manifests` (a `ManifestResponse` whose `manifests` is a list
 * of JSON documents) with a Bearer token. Nothing is templated into the hook: every image of every
 * chart, overlay and plugin is in that list.
 *
 * The revision: `--revision`, else $ARGOCD_APP_REVISION, else the revision of the sync operation
 * that is running now (the Application's `status.operationState`; in a PreSync hook that is the
 * sync the hook belongs to), else the Application's target. The Application is read once anyway:
 * its destination namespace is where namespace-less objects go.
 */

export interface ArgoCdOptions {
  app: string;
  /** host[:port], optionally with a scheme; $ARGOCD_SERVER in the CLI. */
  server: string;
  /** $ARGOCD_AUTH_TOKEN. */
  token: string;
  appNamespace?: string;
  revision?: string;
  plaintext?: boolean;
  /** Do not verify the server certificate. */
  insecure?: boolean;
  caFile?: string;
  timeoutMs?: number;
  limits?: Partial<ManifestLimits>;
}

export interface ArgoCdManifests {
  objects: LoadedObject[];
  warnings: string[];
  /** The revision asked for (undefined: the Application's target). */
  revision?: string;
  /** The Application's destination namespace. */
  namespace?: string;
  /** Where the manifests came from, for reports: `argocd:NAME@REVISION`. */
  origin: string;
}

const MAX_APPLICATION_BYTES = 8 * 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

interface ArgoCdServer { base: URL; plaintext: boolean }

export function parseArgoCdServer(server: string, plaintext = false): ArgoCdServer {
  const s = server.trim();
  if (s === '') throw new ManifestError('ARGOCD_CONFIG', 'no Argo CD server: set ARGOCD_SERVER or --argocd-server');
  const withScheme = /^[a-z]+:\/\//i.test(s) ? s : `${plaintext ? 'http' : 'https'}://${s}`;
  let base: URL;
  try {
    base = new URL(withScheme);
  } catch {
    throw new ManifestError('ARGOCD_CONFIG', `Argo CD server "${s}" is not host[:port]`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ManifestError('ARGOCD_CONFIG', `Argo CD server "${s}": only http and https`);
  return { base, plaintext: base.protocol === 'http:' };
}

/** The options of $ARGOCD_OPTS the `argocd` CLI users already set (`--insecure`, `--plaintext`). */
export function argoCdOptsFromEnv(value: string | undefined): { insecure?: boolean; plaintext?: boolean } {
  const words = (value ?? '').split(/\s+/);
  return { ...(words.includes('--insecure') ? { insecure: true } : {}), ...(words.includes('--plaintext') ? { plaintext: true } : {}) };
}

export async function fetchArgoCdManifests(options: ArgoCdOptions): Promise<ArgoCdManifests> {
  if (!options.token) throw new ManifestError('ARGOCD_CONFIG', 'no Argo CD token: set ARGOCD_AUTH_TOKEN');
  const limits: ManifestLimits = { ...DEFAULT_MANIFEST_LIMITS, ...options.limits };
  const server = parseArgoCdServer(options.server, options.plaintext);
  const ca = options.caFile ? await readFile(options.caFile).catch((e: Error) => {
    throw new ManifestError('ARGOCD_CONFIG', `${options.caFile}: ${e.message}`);
  }) : undefined;
  const get = (path: string, query: URLSearchParams, max: number) => getJson(server, path, query, max, { ...options, ...(ca ? { ca } : {}) });
  const appPath = `/api/v1/applications/${encodeURIComponent(options.app)}`;
  const appQuery = new URLSearchParams(options.appNamespace ? { appNamespace: options.appNamespace } : {});

  const app = await get(appPath, appQuery, MAX_APPLICATION_BYTES);
  const namespace = stringAt(app, 'spec', 'destination', 'namespace');
  const running = runningSync(app);
  const revision = options.revision ?? running?.revision;
  const query = new URLSearchParams(appQuery);
  if (revision) query.set('revision', revision);
  else if (running?.revisions) {
    // A multi-source application: one revision per source, by 1-based position.
    running.revisions.forEach((r, i) => { query.append('revisions', r); query.append('sourcePositions', String(i + 1)); });
  }
  const response = await get(`${appPath}/manifests`, query, limits.maxTotalBytes);
  const manifests = isObject(response) ? response['manifests'] : undefined;
  if (manifests !== undefined && !Array.isArray(manifests)) {
    throw new ManifestError('ARGOCD_BAD_RESPONSE', `Argo CD ${server.base.host}: ManifestResponse.manifests is not a list`);
  }
  const origin = `argocd:${options.app}${revision ? `@${revision}` : ''}`;
  const objects: LoadedObject[] = [];
  const warnings: string[] = [];
  const budget = { objects: 0 };
  for (const [i, m] of (manifests ?? []).entries()) {
    if (typeof m !== 'string') throw new ManifestError('ARGOCD_BAD_RESPONSE', `Argo CD ${server.base.host}: manifest ${i + 1} is not a string`);
    const parsed = parseManifests(m, `${origin} manifest ${i + 1}`, limits, budget);
    objects.push(...parsed.objects);
    warnings.push(...parsed.warnings);
  }
  if (objects.length === 0) warnings.push(`${origin}: Argo CD returned no manifests`);
  return { objects, warnings, ...(revision ? { revision } : {}), ...(namespace ? { namespace } : {}), origin };
}

function stringAt(o: unknown, ...keys: string[]): string | undefined {
  const v = at(o, ...keys);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The sync in progress: `operation.sync` while it is queued, `status.operationState` while it runs. */
function runningSync(app: unknown): { revision?: string; revisions?: string[] } | undefined {
  const phase = stringAt(app, 'status', 'operationState', 'phase');
  const candidates: unknown[] = [isObject(app) ? app['operation'] : undefined];
  if (phase === 'Running') candidates.push(isObject(app) && isObject(app['status']) ? app['status']['operationState'] : undefined);
  for (const c of candidates) {
    const sync = isObject(c) && isObject(c['operation']) ? c['operation']['sync'] : isObject(c) ? c['sync'] : undefined;
    if (!isObject(sync)) continue;
    const revision = stringAt(sync, 'revision');
    const revisions = Array.isArray(sync['revisions']) && sync['revisions'].every((r) => typeof r === 'string') ? sync['revisions'] as string[] : undefined;
    if (revision) return { revision };
    if (revisions && revisions.length > 0) return { revisions };
  }
  return undefined;
}

async function getJson(server: ArgoCdServer, path: string, query: URLSearchParams, max: number, options: ArgoCdOptions & { ca?: Buffer }): Promise<unknown> {
  const url = new URL(path + (query.size > 0 ? `?${query}` : ''), server.base);
  const what = `Argo CD ${url.host} ${url.pathname}`;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = (server.plaintext ? httpRequest : httpsRequest)(url, {
      method: 'GET',
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(server.plaintext ? {} : { rejectUnauthorized: !options.insecure, ...(options.ca ? { ca: options.ca } : {}) }),
    }, resolve);
    req.on('timeout', () => req.destroy(new ManifestError('ARGOCD_UNREACHABLE', `${what}: no answer within ${(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof ManifestError) return reject(e);
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(e.code ?? '');
      const hint = tls ? ' (pass the server CA with --argocd-ca-file, or --argocd-insecure)' : e.code === 'EPROTO' ? ' (is it plain HTTP? --plaintext)' : '';
      reject(new ManifestError('ARGOCD_UNREACHABLE', `${what}: ${e.code ?? e.message}${hint}`));
    });
    req.end();
  });
  const status = res.statusCode ?? 0;
  const body = await readBody(res, status === 200 ? max : MAX_ERROR_BYTES, what);
  if (status !== 200) {
    const detail = errorMessage(body);
    if (status === 401 || status === 403) {
      throw new ManifestError('ARGOCD_AUTH', `${what}: HTTP ${status}${detail}: the token in ARGOCD_AUTH_TOKEN is ${status === 401 ? 'not valid' : 'not allowed to get this application'}`);
    }
    if (status === 404) throw new ManifestError('ARGOCD_NOT_FOUND', `${what}: HTTP 404${detail}: no such application (or the server is not Argo CD)`);
    throw new ManifestError('ARGOCD_HTTP', `${what}: HTTP ${status}${detail}`);
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new ManifestError('ARGOCD_BAD_RESPONSE', `${what}: the answer is not JSON`);
  }
}

async function readBody(res: IncomingMessage, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > max) {
      res.destroy();
      throw new ManifestError('MANIFEST_LIMIT', `${what}: answer larger than ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** grpc-gateway errors are `{"error": ..., "code": N, "message": ...}`; one line of it, bounded. */
function errorMessage(body: Buffer): string {
  try {
    const o = JSON.parse(body.toString('utf8')) as unknown;
    const m = isObject(o) ? (o['message'] ?? o['error']) : undefined;
    if (typeof m === 'string' && m !== '') return ` (${m.replace(/\s+/g, ' ').slice(0, 200)})`;
  } catch {
    // not JSON: no detail
  }
  return '';
}
