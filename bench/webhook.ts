/**
 * The webhook's cost over TLS itself: `wrk` (4 connections, keep-alive, a Lua script POSTing
 * AdmissionReviews for digests the store holds) against the webhook with a store of 10,000
 * scanned images, and the same load against an empty Node.js HTTPS handler that answers a fixed
 * allow, in the same run, with the same certificate.
 *
 * Targets (issue 6): throughput at least 0.7 of the empty handler's, p99 at most 1.5 times the
 * empty handler's, no non-2xx responses.
 *
 * For reference it also measures a third handler that only reads the body, JSON.parses it and
 * echoes the uid: the least any webhook must do, so its ratio is the ceiling a real one can reach.
 *
 *   npm run bench:webhook [-- --seconds 10 --images 10000]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selfSignedTls, startWebhook } from '../src/admission/index.ts';
import { admissionReview, kindInfo, POLICY_YAML } from '../src/admission/test-fixtures.ts';
import { parsePolicy } from '../src/policy/index.ts';
import { ResultStore } from '../src/store/index.ts';
import { cleanResult, debianScanResult } from '../test/fixtures-results.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, images: { type: 'string', default: '10000' }, bodies: { type: 'string', default: '200' } } });
const SECONDS = Number(values.seconds);
const IMAGES = Number(values.images);
const BODIES = Number(values.bodies);

interface WrkResult { rps: number; p50ms: number; p99ms: number; requests: number; non2xx: number; errors: string; cpuUsPerRequest: number }

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 'ms' ? n : unit === 's' ? n * 1000 : NaN;
}

/**
 * Both servers run in this process, so its CPU time during a run, per request, is what serving
 * one request costs — a steadier number than throughput on a busy machine.
 */
async function wrk(url: string, script: string, seconds: number): Promise<WrkResult> {
  const cpu0 = process.cpuUsage();
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('wrk', ['-t', '2', '-c', '4', '-d', `${seconds}s`, '--latency', '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (c: Buffer) => { text += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { text += c.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const lat = (pct: string): number => {
    const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    return m ? toMs(m[1] as string, m[2] as string) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors:.*$/m.exec(out)?.[0] ?? '';
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk's output:\n${out}`);
  const cpu = process.cpuUsage(cpu0);
  return { rps, p50ms: lat('50'), p99ms: lat('99'), requests, non2xx, errors, cpuUsPerRequest: (cpu.user + cpu.system) / requests };
}

/** Lua for wrk: POST the given bodies in turn (each a different image the store holds). */
function luaScript(bodies: string[]): string {
  const lua = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `bodies = {\n${bodies.map((b) => `  ${lua(b)},`).join('\n')}\n}
i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/validate?timeout=10s", { ["Content-Type"] = "application/json" }, bodies[i])
end
`;
}

const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-webhook-'));
try {
  // A store of IMAGES scanned images: most clean, one in ten with the Debian result's findings.
  const store = ResultStore.open(join(dir, 'store.db'));
  const clean = cleanResult();
  const failing = debianScanResult();
  const digests: string[] = [];
  const t0 = performance.now();
  store.transaction(() => {
    for (let i = 0; i < IMAGES; i++) {
      const r = structuredClone(i % 10 === 0 ? failing : clean);
      r.artifact.digest = `sha256:${i.toString(16).padStart(64, '0')}`;
      r.artifact.name = `registry.example.com/team-${i % 50}/app-${i}:1.0`;
      store.putScan(r);
      digests.push(r.artifact.digest);
    }
  });
  const fillMs = performance.now() - t0;

  // Requests for cached digests: Deployments of passing images (a mix of kinds would not change
  // the cost: every kind is one pod template).
  const k = kindInfo('Deployment');
  const bodies = Array.from({ length: BODIES }, (_, j) => {
    const i = (j * 37) % IMAGES;
    const idx = i % 10 === 0 ? i + 1 : i;
    return JSON.stringify(admissionReview(k, k.build(`app-${idx}`, [{ name: 'app', image: `registry.example.com/team-${idx % 50}/app-${idx}@${digests[idx]}` }])));
  });
  const script = join(dir, 'post.lua');
  await writeFile(script, luaScript(bodies));

  const tls = await selfSignedTls(join(dir, 'tls'), { service: 'portcullis-webhook', namespace: 'portcullis' });
  const hook = await startWebhook({
    policy: parsePolicy(POLICY_YAML), store, port: 0, metricsPort: 0, host: '127.0.0.1', processMetrics: false,
    tls: { kind: 'material', material: tls },
  });
  const allow = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'fixed', allowed: true } });
  const empty = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(allow) });
      res.end(allow);
    });
  });
  await new Promise<void>((r) => empty.listen(0, '127.0.0.1', r));
  const emptyPort = (empty.address() as AddressInfo).port;
  const parseOnly = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string } };
      const text = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((r) => parseOnly.listen(0, '127.0.0.1', r));
  const parseUrl = `https://127.0.0.1:${(parseOnly.address() as AddressInfo).port}/validate`;

  const webhookUrl = `https://127.0.0.1:${hook.port}/validate`;
  const emptyUrl = `https://127.0.0.1:${emptyPort}/validate`;
  // Warm both (JIT, caches, TLS sessions), then measure them interleaved: baseline, webhook, twice.
  await wrk(webhookUrl, script, 2);
  await wrk(emptyUrl, script, 2);
  await wrk(parseUrl, script, 1);
  type Round = { empty: WrkResult; webhook: WrkResult; parse: WrkResult };
  const runs: Round[] = [];
  for (let round = 0; round < 2; round++) {
    const e = await wrk(emptyUrl, script, SECONDS / 2);
    const w = await wrk(webhookUrl, script, SECONDS / 2);
    const p = await wrk(parseUrl, script, Math.max(1, Math.round(SECONDS / 4)));
    runs.push({ empty: e, webhook: w, parse: p });
  }
  const sum = (f: (r: Round) => number): number => runs.reduce((a, r) => a + f(r), 0);
  const emptyRps = sum((r) => r.empty.rps) / runs.length;
  const webhookRps = sum((r) => r.webhook.rps) / runs.length;
  const parseRps = sum((r) => r.parse.rps) / runs.length;
  const emptyP99 = Math.max(...runs.map((r) => r.empty.p99ms));
  const webhookP99 = Math.max(...runs.map((r) => r.webhook.p99ms));
  const non2xx = sum((r) => r.webhook.non2xx + r.empty.non2xx);
  const emptyCpu = sum((r) => r.empty.cpuUsPerRequest) / runs.length;
  const webhookCpu = sum((r) => r.webhook.cpuUsPerRequest) / runs.length;
  const parseCpu = sum((r) => r.parse.cpuUsPerRequest) / runs.length;
  const decisions = store.counts().decisions;

  await hook.close();
  await new Promise<void>((r) => empty.close(() => r()));
  await new Promise<void>((r) => parseOnly.close(() => r()));
  store.close();

  const fmt = (n: number, d = 1): string => n.toFixed(d);
  const throughputRatio = webhookRps / emptyRps;
  const p99Ratio = webhookP99 / emptyP99;
  console.log(`store: ${IMAGES} scanned images written in ${fmt(fillMs, 0)} ms; ${BODIES} distinct AdmissionReviews; wrk -t2 -c4, ${SECONDS / 2}s x ${runs.length} rounds each`);
  console.log(`empty HTTPS handler: ${fmt(emptyRps, 0)} req/s, p50 ${fmt(runs[0]!.empty.p50ms, 2)} ms, p99 ${fmt(emptyP99, 2)} ms`);
  console.log(`webhook:             ${fmt(webhookRps, 0)} req/s, p50 ${fmt(runs[0]!.webhook.p50ms, 2)} ms, p99 ${fmt(webhookP99, 2)} ms (${decisions} decisions recorded)`);
  console.log(`CPU per request:     empty ${fmt(emptyCpu, 0)} µs, webhook ${fmt(webhookCpu, 0)} µs (ratio ${fmt(emptyCpu / webhookCpu, 2)})`);
  console.log(`reference, JSON.parse and echo the uid only: ${fmt(parseRps, 0)} req/s (ratio ${fmt(parseRps / emptyRps, 2)}), CPU ${fmt(parseCpu, 0)} µs per request (ratio ${fmt(emptyCpu / parseCpu, 2)})`);
  console.log(`throughput ratio ${fmt(throughputRatio, 2)} (target >= 0.70) ${throughputRatio >= 0.7 ? 'ok' : 'MISSED'}`);
  console.log(`p99 ratio        ${fmt(p99Ratio, 2)} (target <= 1.50) ${p99Ratio <= 1.5 ? 'ok' : 'MISSED'}`);
  console.log(`non-2xx responses ${non2xx} (target 0) ${non2xx === 0 ? 'ok' : 'MISSED'}${runs.some((r) => r.webhook.errors || r.empty.errors) ? `; ${runs.map((r) => r.webhook.errors || r.empty.errors).filter(Boolean).join('; ')}` : ''}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
