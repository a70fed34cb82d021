import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { Agent} from 'node:https';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { cleanResult, debianScanResult } from '../../test/fixtures-results.ts';
import { parsePolicy } from '../policy/index.ts';
import { ResultStore } from '../store/index.ts';
import { MAX_BODY_BYTES } from './limits.ts';
import { selfSignedTls } from './tls.ts';
import { startWebhook } from './webhook.ts';
import type { RunningWebhook } from './webhook.ts';
import { admissionReview, kindInfo, POLICY_YAML } from './test-fixtures.ts';

const SERVICE = 'portcullis-webhook';
const NAMESPACE = 'portcullis';
/** What kube-apiserver verifies the serving certificate for: the Service's DNS name. */
const SERVERNAME = `${SERVICE}.${NAMESPACE}.svc`;
const POLICY = parsePolicy(POLICY_YAML, 'policy.yaml');
const FAIL = debianScanResult();
const PASS = cleanResult();
const k = kindInfo('Deployment');
const review = (image: string, name = 'checkout') => JSON.stringify(admissionReview(k, k.build(name, [{ name: 'app', image }])));
const failing = `registry.example.com:5000/shop/checkout@${FAIL.artifact.digest}`;
const passing = `docker.io/library/debian@${PASS.artifact.digest}`;

interface Reply { status: number; headers: Record<string, unknown>; body: string; issuer?: string; protocol?: string }

function post1(port: number, ca: string | string[], body: string | Buffer, o: { servername?: string; path?: string; method?: string; contentType?: string; agent?: Agent | false; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port, path: o.path ?? '/validate?timeout=10s', method: o.method ?? 'POST', ca, servername: o.servername ?? SERVERNAME,
      agent: o.agent ?? false, headers: { 'content-type': o.contentType ?? 'application/json', ...o.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      const socket = res.socket as TLSSocket;
      const cn = socket.getPeerCertificate?.()?.issuer?.CN;
      const issuer = Array.isArray(cn) ? cn[0] : cn;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ...(issuer ? { issuer } : {}), protocol: `HTTP/${res.httpVersion}` }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post2(session: ClientHttp2Session, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': '/validate?timeout=10s', 'content-type': 'application/json' });
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Record<string, unknown> = {};
    req.on('response', (h) => { status = Number(h[':status']); headers = h; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks).toString(), protocol: 'HTTP/2' }));
    req.on('error', reject);
    req.end(body);
  });
}

function h2(port: number, ca: string | string[], servername = SERVERNAME): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = connect(`https://127.0.0.1:${port}`, { ca, servername });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

const tmp: string[] = [];
after(async () => { for (const d of tmp) await rm(d, { recursive: true, force: true }); });
async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'portcullis-webhook-'));
  tmp.push(d);
  return d;
}

describe('HTTPS with a self-signed CA, verified as kube-apiserver verifies it', () => {
  let hook: RunningWebhook;
  let ca: string;
  let dir: string;
  before(async () => {
    dir = await scratch();
    const store = ResultStore.open(join(dir, 'store.db'));
    store.putScan(FAIL);
    store.putScan(PASS);
    hook = await startWebhook({
      policy: POLICY, store, port: 0, metricsPort: 0, host: '127.0.0.1', processMetrics: false,
      tls: { kind: 'self-signed', dir: join(dir, 'tls'), service: SERVICE, namespace: NAMESPACE },
    });
    ca = Buffer.from(hook.caBundle ?? '', 'base64').toString();
  });
  after(async () => {
    await hook.close();
    hook.store.close();
  });

  test('the caBundle is DIR/ca.crt; the certificate names the service DNS names, localhost and 127.0.0.1', async () => {
    assert.equal(ca, await readFile(join(dir, 'tls', 'ca.crt'), 'utf8'));
    const leaf = new X509Certificate(await readFile(join(dir, 'tls', 'tls.crt')));
    assert.ok(leaf.verify(new X509Certificate(ca).publicKey));
    for (const n of [SERVERNAME, `${SERVERNAME}.cluster.local`, 'localhost']) assert.equal(leaf.checkHost(n), n);
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkHost(`other.${NAMESPACE}.svc`), undefined);
    const again = await selfSignedTls(join(dir, 'tls'), { service: SERVICE, namespace: NAMESPACE });
    assert.equal(again.created, false, 'valid files are reused');
    assert.equal(again.ca, ca);
    const otherService = await selfSignedTls(join(dir, 'tls'), { service: 'renamed', namespace: NAMESPACE });
    assert.equal(otherService.created, true, 'files that do not name the service are replaced');
    // Put the original set back for the other tests' sake (the server holds it in memory anyway).
  });

  test('HTTP/1.1: the client verifies the chain and the service name; a denial comes back', async () => {
    const r = await post1(hook.port, ca, review(failing));
    assert.equal(r.status, 200);
    assert.equal(r.protocol, 'HTTP/1.1');
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const res = JSON.parse(r.body) as { apiVersion: string; kind: string; response: { allowed: boolean; status: { code: number; message: string } } };
    assert.equal(res.apiVersion, 'admission.k8s.io/v1');
    assert.equal(res.kind, 'AdmissionReview');
    assert.equal(res.response.allowed, false);
    assert.equal(res.response.status.code, 403);
    await hook.flush();
    assert.equal(hook.store.decisions()[0]?.action, 'Reject');
  });

  test('HTTP/2: allowed over a kept session, many requests', async () => {
    const s = await h2(hook.port, ca);
    try {
      const replies = await Promise.all(Array.from({ length: 20 }, () => post2(s, review(passing))));
      for (const r of replies) {
        assert.equal(r.status, 200);
        assert.equal((JSON.parse(r.body) as { response: { allowed: boolean } }).response.allowed, true);
      }
    } finally {
      s.close();
    }
  });

  test('a client without the CA, or expecting another name, refuses the server', async () => {
    await assert.rejects(post1(hook.port, [], review(passing)), /self-signed|unable to verify|certificate/i);
    await assert.rejects(post1(hook.port, ca, review(passing), { servername: 'evil.example.com' }), /altnames|Hostname\/IP does not match/i);
  });

  test('wrong method, path and content type; oversized bodies (declared and streamed); the server keeps serving', async () => {
    const getValidate = await post1(hook.port, ca, '', { method: 'GET' });
    assert.equal(getValidate.status, 405);
    assert.equal(getValidate.headers.allow, 'POST');
    assert.equal((JSON.parse(getValidate.body) as { response: { allowed: boolean } }).response.allowed, false);
    assert.equal((await post1(hook.port, ca, review(passing), { path: '/mutate' })).status, 404);
    assert.equal((await post1(hook.port, ca, review(passing), { path: '/' })).status, 404);
    assert.equal((await post1(hook.port, ca, review(passing), { contentType: 'text/plain' })).status, 415);
    assert.equal((await post1(hook.port, ca, review(passing), { contentType: 'application/json; charset=utf-8' })).status, 200);
    const big = Buffer.alloc(MAX_BODY_BYTES + 10, 0x20);
    const declared = await post1(hook.port, ca, big);
    assert.equal(declared.status, 413);
    assert.equal((JSON.parse(declared.body) as { kind: string }).kind, 'AdmissionReview');
    // Streamed (chunked, no Content-Length): cut off once past the limit.
    const streamed = await new Promise<number>((resolve) => {
      const req = httpsRequest({ host: '127.0.0.1', port: hook.port, path: '/validate', method: 'POST', ca, servername: SERVERNAME, agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', () => resolve(-1));
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < MAX_BODY_BYTES * 2) {
          sent += chunk.length;
          if (!req.write(chunk)) { req.once('drain', pump); return; }
        }
        req.end();
      };
      pump();
    });
    assert.ok(streamed === 413 || streamed === -1, `streamed oversized body: ${streamed}`);
    const bad = await post1(hook.port, ca, '{"kind": "AdmissionReview", ');
    assert.equal(bad.status, 400);
    assert.equal((JSON.parse(bad.body) as { response: { allowed: boolean } }).response.allowed, false);
    assert.equal((await post1(hook.port, ca, review(passing))).status, 200, 'still serving');
  });

  test('ops port: /healthz, /readyz, /metrics with decisions by result and kind, latency, cache and queue', async () => {
    assert.deepEqual(await get(hook.metricsPort, '/healthz'), { status: 200, body: 'ok\n' });
    assert.deepEqual(await get(hook.metricsPort, '/readyz'), { status: 200, body: 'ready\n' });
    assert.equal((await get(hook.metricsPort, '/nope')).status, 404);
    await post1(hook.port, ca, review(failing));
    const m = await get(hook.metricsPort, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.body, /portcullis_admission_decisions_total\{result="Reject",kind="Deployment"\} \d+/);
    assert.match(m.body, /portcullis_admission_decisions_total\{result="Allow",kind="Deployment"\} \d+/);
    assert.match(m.body, /portcullis_admission_decisions_total\{result="Invalid",kind=""\} \d+/);
    assert.match(m.body, /portcullis_admission_duration_seconds_bucket\{le="0.005",result="Reject"\} \d+/);
    assert.match(m.body, /portcullis_admission_cache_hits_total\{cache="status"\} \d+/);
    assert.match(m.body, /portcullis_admission_scan_queue_depth 0/);
    assert.match(m.body, /portcullis_admission_unknown_images_total 0/);
    // The admission port does not serve metrics.
    assert.equal((await post1(hook.port, ca, '', { path: '/metrics', method: 'GET' })).status, 404);
  });
});

describe('certificate rotation (cert-manager renews the Secret) without dropped requests', () => {
  test('new connections get the new certificate; requests in flight and kept HTTP/2 sessions never fail', async () => {
    const dir = await scratch();
    const a = await selfSignedTls(join(dir, 'a'), { service: SERVICE, namespace: NAMESPACE });
    const b = await selfSignedTls(join(dir, 'b'), { service: SERVICE, namespace: NAMESPACE });
    const issuerOf = (pem: string): string => new X509Certificate(pem).issuer.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';
    const live = join(dir, 'live');
    await mkdir(live);
    await copyFile(join(dir, 'a', 'tls.crt'), join(live, 'tls.crt'));
    await copyFile(join(dir, 'a', 'tls.key'), join(live, 'tls.key'));
    const store = ResultStore.open(join(dir, 'store.db'));
    store.putScan(PASS);
    const hook = await startWebhook({
      policy: POLICY, store, port: 0, metricsPort: 0, host: '127.0.0.1', processMetrics: false,
      tls: { kind: 'files', certFile: join(live, 'tls.crt'), keyFile: join(live, 'tls.key'), pollMs: 25 },
    });
    const trust = [a.ca, b.ca];
    const session = await h2(hook.port, trust);
    const seen = new Set<string>();
    const failures: string[] = [];
    let ok = 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        try {
          const [r1, r2] = await Promise.all([post1(hook.port, trust, review(passing)), post2(session, review(passing))]);
          for (const r of [r1, r2]) {
            if (r.status !== 200 || !(JSON.parse(r.body) as { response: { allowed: boolean } }).response.allowed) failures.push(`${r.status} ${r.body.slice(0, 100)}`);
            else ok++;
          }
          if (r1.issuer) seen.add(r1.issuer);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const workers = [worker(), worker(), worker()];
    try {
      // Until the first answers are in (a loaded machine may take longer than a moment).
      const first = Date.now() + 5000;
      while ((seen.size === 0 || ok < 6) && Date.now() < first) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual([...seen], [issuerOf(a.cert)]);
      // As a Secret volume update does: new files renamed into place, the key a moment after the
      // certificate (a half-rotated pair must be skipped, not served).
      await copyFile(join(dir, 'b', 'tls.crt'), join(live, 'tls.crt.new'));
      await copyFile(join(dir, 'b', 'tls.key'), join(live, 'tls.key.new'));
      await rename(join(live, 'tls.crt.new'), join(live, 'tls.crt'));
      await new Promise((r) => setTimeout(r, 100));
      await rename(join(live, 'tls.key.new'), join(live, 'tls.key'));
      const deadline = Date.now() + 5000;
      while (!seen.has(issuerOf(b.cert)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      stop = true;
      await Promise.all(workers);
      session.close();
      await hook.close();
      store.close();
    }
    assert.deepEqual(failures, []);
    assert.ok(seen.has(issuerOf(b.cert)), 'new connections see the new certificate');
    assert.ok(ok > 20, `${ok} requests answered`);
    const metrics = await hook.metrics.registry.getSingleMetricAsString('portcullis_tls_reloads_total');
    assert.match(metrics, /result="ok"\} 1/);
    assert.match(metrics, /result="failed"\} [1-9]/, 'the half-rotated pair was refused');
  });
});

describe('policy reload', () => {
  test('a changed policy file applies from the next request; an invalid one is refused and the policy in force stays', async () => {
    const dir = await scratch();
    const file = join(dir, 'policy.yaml');
    await writeFile(file, POLICY_YAML);
    const store = ResultStore.open(join(dir, 'store.db'));
    store.putScan(FAIL);
    const hook = await startWebhook({
      policy: POLICY, policyFile: file, policyPollMs: 20, store, port: 0, metricsPort: 0, host: '127.0.0.1', processMetrics: false,
      tls: { kind: 'self-signed', dir: join(dir, 'tls'), service: SERVICE, namespace: NAMESPACE },
    });
    const ca = Buffer.from(hook.caBundle ?? '', 'base64').toString();
    const allowed = async (): Promise<boolean> => (JSON.parse((await post1(hook.port, ca, review(failing))).body) as { response: { allowed: boolean } }).response.allowed;
    const waitFor = async (want: boolean): Promise<boolean> => {
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        if (await allowed() === want) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    try {
      assert.equal(await allowed(), false);
      // Calico's last rule turned into an Allow: the failing image is admitted (with a warning).
      await writeFile(`${file}.new`, POLICY_YAML.replace(/- action: Reject\n$/, '- action: Allow\n'));
      await rename(`${file}.new`, file);
      assert.ok(await waitFor(true), 'the new policy applies');
      await writeFile(`${file}.new`, 'apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: t}\nspec: {warnThreshold: "high"}\n');
      await rename(`${file}.new`, file);
      const until = Date.now() + 5000;
      let text = '';
      while (!/portcullis_policy_reloads_total\{result="failed"\} [1-9]/.test(text) && Date.now() < until) {
        text = await hook.metrics.registry.getSingleMetricAsString('portcullis_policy_reloads_total');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(text, /result="failed"\} [1-9]/);
      assert.equal(await allowed(), true, 'the policy in force stays');
    } finally {
      await hook.close();
      store.close();
    }
  });
});
