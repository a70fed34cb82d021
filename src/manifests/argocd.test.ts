/**
 * Argo CD mode against a loopback server answering the documented API shapes: the Application
 * (`GET /api/v1/applications/{name}`) and its `ManifestResponse` (`.../manifests`, `manifests`
 * a list of JSON strings), over plain HTTP and real TLS, with auth failures, 404 and bad bodies.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCertificates } from '../../test/registry.ts';
import { needs } from '../../test/tools.ts';
import { discoverImages, fetchArgoCdManifests, listImages, ManifestError } from './index.ts';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.test.token';
const deployment = (name: string, image: string) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } } },
});

interface Seen { path: string; query: URLSearchParams; auth: string | undefined }

function handler(seen: Seen[], app: Record<string, unknown>, manifestsBody: (q: URLSearchParams) => string | { status: number; body: string }) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    seen.push({ path: url.pathname, query: url.searchParams, auth: req.headers.authorization });
    const send = (status: number, body: string) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(body); };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, JSON.stringify({ error: 'invalid session: token signature is invalid', code: 16, message: 'invalid session: token signature is invalid' }));
    const m = /^\/api\/v1\/applications\/([^/]+)(\/manifests)?$/.exec(url.pathname);
    const name = m ? decodeURIComponent(m[1]!) : '';
    if (name === 'forbidden') return send(403, JSON.stringify({ error: 'permission denied', code: 7, message: 'permission denied' }));
    if (!m || !['shop', 'multi', 'garbage', 'notlist', 'empty'].includes(name)) {
      return send(404, JSON.stringify({ error: `applications.argoproj.io "${name}" not found`, code: 5, message: `applications.argoproj.io "${name}" not found` }));
    }
    if (!m[2]) return send(200, JSON.stringify(name === 'multi' ? { ...app, status: { operationState: { phase: 'Running', operation: { sync: { revisions: ['abc123', '1.2.0'] } } } } } : app));
    if (name === 'garbage') return send(200, '{"manifests": [');
    if (name === 'notlist') return send(200, '{"manifests": "x"}');
    if (name === 'empty') return send(200, '{}');
    const r = manifestsBody(url.searchParams);
    return typeof r === 'string' ? send(200, r) : send(r.status, r.body);
  };
}

const APP = {
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: 'argocd' },
  spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'shop-prod' }, source: { repoURL: 'https://git.example/shop.git', targetRevision: 'main', path: 'deploy' } },
  status: { operationState: { phase: 'Running', operation: { sync: { revision: 'f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8' } } } },
};
const MANIFESTS = (q: URLSearchParams) => JSON.stringify({
  manifests: [deployment('web', `ghcr.io/example/web:${q.get('revision') ?? 'target'}`), deployment('api', 'nginx')],
  namespace: 'shop-prod', server: 'https://kubernetes.default.svc', revision: q.get('revision') ?? 'target', sourceType: 'Directory',
});

describe('Argo CD mode', () => {
  const seen: Seen[] = [];
  let http: ReturnType<typeof createServer>;
  let httpHost = '';
  before(async () => {
    http = createServer(handler(seen, APP, MANIFESTS));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpHost = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => http.close(() => r())));
  const fetch = (app: string, extra: Partial<Parameters<typeof fetchArgoCdManifests>[0]> = {}) =>
    fetchArgoCdManifests({ app, server: httpHost, token: TOKEN, plaintext: true, ...extra });

  it('fetches the manifests of the sync in progress, with the Bearer token, and the destination namespace', async () => {
    seen.length = 0;
    const r = await fetch('shop');
    assert.equal(r.revision, 'f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8');
    assert.equal(r.namespace, 'shop-prod');
    assert.deepEqual(seen.map((s) => [s.path, s.query.toString(), s.auth]), [
      ['/api/v1/applications/shop', '', `Bearer ${TOKEN}`],
      ['/api/v1/applications/shop/manifests', 'revision=f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8', `Bearer ${TOKEN}`],
    ]);
    assert.deepEqual(listImages(discoverImages(r.objects)).map((e) => [e.name, e.resolved]), [
      ['web', 'ghcr.io/example/web:f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8'],
      ['api', 'docker.io/library/nginx:latest'],
    ]);
    assert.deepEqual(r.objects[1]!.source, { file: 'argocd:shop@f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8 manifest 2', document: 1, line: 1 });
  });

  it('--revision wins; appNamespace is passed on; multi-source syncs ask per source position', async () => {
    seen.length = 0;
    const r = await fetch('shop', { revision: 'v1.2.4', appNamespace: 'team-a' });
    assert.equal(r.revision, 'v1.2.4');
    assert.equal(seen[1]!.query.toString(), 'appNamespace=team-a&revision=v1.2.4');
    seen.length = 0;
    await fetch('multi');
    assert.equal(seen[1]!.query.toString(), 'revisions=abc123&sourcePositions=1&revisions=1.2.0&sourcePositions=2');
  });

  const fails = (p: Promise<unknown>, code: string, re: RegExp) => assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ManifestError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, re);
    assert.ok(!e.message.includes(TOKEN), 'the token never appears in messages');
    return true;
  });

  it('401 and 403: a clear error naming the token, never the token itself', async () => {
    await fails(fetch('shop', { token: 'wrong' }), 'ARGOCD_AUTH', /HTTP 401 \(invalid session: token signature is invalid\): the token in ARGOCD_AUTH_TOKEN is not valid/);
    await fails(fetch('forbidden'), 'ARGOCD_AUTH', /HTTP 403 \(permission denied\): .*not allowed/);
    await fails(fetch('shop', { token: '' }), 'ARGOCD_CONFIG', /set ARGOCD_AUTH_TOKEN/);
  });

  it('404, malformed bodies, an empty answer', async () => {
    await fails(fetch('nope'), 'ARGOCD_NOT_FOUND', /\/api\/v1\/applications\/nope: HTTP 404 \(applications.argoproj.io "nope" not found\)/);
    await fails(fetch('garbage'), 'ARGOCD_BAD_RESPONSE', /manifests: the answer is not JSON/);
    await fails(fetch('notlist'), 'ARGOCD_BAD_RESPONSE', /ManifestResponse.manifests is not a list/);
    const empty = await fetch('empty');
    assert.deepEqual(empty.objects, []);
    assert.match(empty.warnings.join(), /Argo CD returned no manifests/);
  });

  it('a manifest that is not JSON/YAML is a positioned parse error; the size limit holds', async () => {
    const srv = createServer(handler([], APP, () => JSON.stringify({ manifests: ['{"kind": "Pod",'] })));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const server = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
      await fails(fetchArgoCdManifests({ app: 'shop', server, token: TOKEN, plaintext: true }), 'MANIFEST_PARSE', /^argocd:shop@f913b6c\w+ manifest 1:\d+:\d+: invalid YAML/);
      await fails(fetchArgoCdManifests({ app: 'shop', server, token: TOKEN, plaintext: true, limits: { maxTotalBytes: 10 } }), 'MANIFEST_LIMIT', /answer larger than 10 bytes/);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('unreachable server, bad server value', async () => {
    await fails(fetchArgoCdManifests({ app: 'shop', server: '127.0.0.1:1', token: TOKEN, plaintext: true }), 'ARGOCD_UNREACHABLE', /ECONNREFUSED/);
    await fails(fetchArgoCdManifests({ app: 'shop', server: '', token: TOKEN }), 'ARGOCD_CONFIG', /ARGOCD_SERVER/);
  });

  describe('over TLS', { skip: needs('openssl') }, () => {
    let dir: string;
    let https: ReturnType<typeof createHttpsServer>;
    let host = '';
    let caFile = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'portcullis-argocd-tls-'));
      const certs = makeCertificates(dir);
      caFile = certs.caFile;
      https = createHttpsServer({ cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) }, handler([], APP, MANIFESTS));
      await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
      host = `127.0.0.1:${(https.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise<void>((r) => https.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    });

    it('verifies the certificate: unknown CA fails with a hint; --argocd-ca-file and --argocd-insecure work', async () => {
      await fails(fetchArgoCdManifests({ app: 'shop', server: host, token: TOKEN }), 'ARGOCD_UNREACHABLE', /--argocd-ca-file/);
      assert.equal((await fetchArgoCdManifests({ app: 'shop', server: host, token: TOKEN, caFile })).objects.length, 2);
      assert.equal((await fetchArgoCdManifests({ app: 'shop', server: host, token: TOKEN, insecure: true })).objects.length, 2);
    });

    it('plain HTTP to a TLS port says so', async () => {
      const r = fetchArgoCdManifests({ app: 'shop', server: host, token: TOKEN, plaintext: true });
      await assert.rejects(r, ManifestError);
    });
  });
});
