/**
 * `portcullis webhook` end to end, as a process: real HTTPS with its self-signed CA, a real
 * registry (docker-registry, images pushed with skopeo), a real vulnerability DB built from the
 * shared feed samples, and the background scan that lets the next request through.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { buildImage } from '../../test/image-builder.ts';
import { pushImage, startRegistry } from '../../test/registry.ts';
import type { TestRegistry } from '../../test/registry.ts';
import { needs } from '../../test/tools.ts';
import { admissionReview, kindInfo, POLICY_YAML } from '../admission/test-fixtures.ts';
import { buildSampleDb, busterImage } from '../scan/test-fixtures.ts';
import { ResultStore } from '../store/index.ts';

const BIN = fileURLToPath(new URL('../../bin/portcullis.js', import.meta.url));
const SERVERNAME = 'portcullis-webhook.portcullis.svc';
const k = kindInfo('Deployment');

interface Running { child: ChildProcess; port: number; metricsPort: number; logs: Record<string, unknown>[]; stderr: string[]; exited: Promise<number | null> }

async function startCli(args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'webhook', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let buffered = '';
  const listening = new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      buffered += c.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'webhook listening') resolve({ port: Number(entry.port), metricsPort: Number(entry.metricsPort) });
      }
    });
    child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
    void exited.then((code) => reject(new Error(`webhook exited ${code}: ${stderr.join('')}`)));
  });
  const { port, metricsPort } = await listening;
  return { child, port, metricsPort, logs, stderr, exited };
}

function post(port: number, ca: string, body: string): Promise<{ status: number; json: { response: { allowed: boolean; status?: { code: number; message: string }; warnings?: string[] } } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/validate?timeout=10s', method: 'POST', ca, servername: SERVERNAME, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('portcullis webhook (process)', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'portcullis-webhook-cli-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('usage errors exit 2 with one line', async () => {
    const run = (args: string[]) => new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'webhook', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      c.on('exit', (code) => resolve({ code, err }));
    });
    for (const [args, message] of [
      [['--store', 's.db', '--tls-self-signed', 'd'], /--policy FILE is required/],
      [['--policy', 'p.yaml', '--store', 's.db'], /--tls-cert\/--tls-key or --tls-self-signed/],
      [['--policy', 'p.yaml', '--store', 's.db', '--tls-cert', 'c'], /go together/],
      [['--policy', 'p.yaml', '--store', 's.db', '--tls-self-signed', 'd', '--port', '70000'], /not a port/],
      [['manifests'], /--namespace/],
      [['manifests', '--namespace', 'Bad_NS'], /not a namespace name/],
      [['manifests', '--namespace', 'ns', '--timeout', '60'], /--timeout/],
    ] as [string[], RegExp][]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
    }
  });

  test('manifests: YAML documents kubectl can apply, with the self-signed Secret and caBundle', async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'webhook', 'manifests', '--namespace', 'sec', '--failure-mode', 'open', '--tls-self-signed', join(dir, 'manifest-tls'), '--image', 'portcullis:test'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      c.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      c.on('exit', (code) => resolve({ code, text }));
    });
    assert.equal(out.code, 0);
    const docs = parseAllDocuments(out.text).map((d) => d.toJS() as { kind: string; webhooks?: { failurePolicy: string; clientConfig: { caBundle: string } }[] });
    assert.deepEqual(docs.map((d) => d.kind), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Deployment', 'PodDisruptionBudget', 'Service', 'ValidatingWebhookConfiguration']);
    const vwc = docs.at(-1);
    assert.equal(vwc?.webhooks?.[0]?.failurePolicy, 'Ignore');
    assert.equal(vwc?.webhooks?.[0]?.clientConfig.caBundle, Buffer.from(await readFile(join(dir, 'manifest-tls', 'ca.crt'))).toString('base64'));
  });

  test('with a real registry: an unknown image is rejected and scanned in the background, and the next request finds the result', { skip: needs('docker-registry', 'skopeo') }, async (t) => {
    const registry: TestRegistry = await startRegistry();
    t.after(() => registry.stop());
    const clean = await buildImage({ layers: [[
      { path: 'etc/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n' },
      { path: 'etc/debian_version', content: '12.8\n' },
      { path: 'var/lib/dpkg/status', content: '' },
    ]] });
    const cleanDigest = await pushImage(registry, 'shop/clean:1.0', clean);
    await pushImage(registry, 'shop/legacy:1.0', await busterImage());
    const db = await buildSampleDb(dir);
    const policy = join(dir, 'policy.yaml');
    // The sample feeds rate these buster findings UNKNOWN; what fails buster here is its end of life.
    await writeFile(policy, POLICY_YAML.replace('unknownImageAction: Reject', 'unknownImageAction: RejectAndScan\n  failOnEndOfLife: true'));
    const storePath = join(dir, 'store.db');
    const hook = await startCli([
      '--policy', policy, '--store', storePath, '--db', db, '--tls-self-signed', join(dir, 'tls'),
      '--port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--exception-contact', '#security on chat',
    ], { XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir, PORTCULLIS_DB: '' });
    t.after(() => { hook.child.kill('SIGKILL'); });
    for (let i = 0; i < 100 && !hook.stderr.join('').includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(hook.stderr.join(''), /^portcullis: caBundle [A-Za-z0-9+/=]+\n/);
    const ca = await readFile(join(dir, 'tls', 'ca.crt'), 'utf8');
    const ask = (image: string) => post(hook.port, ca, JSON.stringify(admissionReview(k, k.build('app', [{ name: 'app', image }]))));

    const cleanRef = `${registry.host}/shop/clean:1.0`;
    const first = await ask(cleanRef);
    assert.equal(first.status, 200);
    assert.equal(first.json.response.allowed, false);
    assert.ok(first.json.response.status?.message.includes(`image ${cleanRef} (${cleanDigest}) has no scan result (unknownImageAction RejectAndScan`));
    assert.match(first.json.response.status?.message ?? '', /a scan is queued: retry in a few minutes/);
    const legacyRef = `${registry.host}/shop/legacy:1.0`;
    assert.equal((await ask(legacyRef)).json.response.allowed, false);

    // The background scans land in the store; the next requests are decided from them.
    const deadline = Date.now() + 60_000;
    while (hook.logs.filter((l) => l.msg === 'background scan stored').length < 2 && Date.now() < deadline) {
      assert.ok(!hook.logs.some((l) => l.msg === 'background scan failed'), JSON.stringify(hook.logs.find((l) => l.msg === 'background scan failed')));
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = await ask(cleanRef);
    assert.equal(second.json.response.allowed, true, JSON.stringify(second.json));
    assert.equal(second.json.response.status, undefined);
    const legacy = await ask(legacyRef);
    assert.equal(legacy.json.response.allowed, false, JSON.stringify(legacy.json));
    const msg = legacy.json.response.status?.message ?? '';
    assert.match(msg, / is Fail \(debian 10(\.13)? is past its end of life/);
    assert.match(msg, /CVE-\d{4}-\d+ in \S+ \S+: [A-Z]+, [^;]*fixed in \S+/, 'names real findings from the sample feeds with their fixes');
    assert.match(msg, /Action 'Reject' enforced by ContainerPolicy reject-failed rule index 1/);
    assert.match(msg, /\(ask #security on chat\)/);

    hook.child.kill('SIGTERM');
    assert.equal(await hook.exited, 0);
    const store = ResultStore.open(storePath, { readOnly: true });
    try {
      assert.ok(store.latestByDigest(cleanDigest));
      const decisions = store.decisions();
      assert.equal(decisions.length, 4);
      assert.deepEqual(decisions.map((d) => d.action), ['Reject', 'Allow', 'Reject', 'Reject']);
      assert.deepEqual(decisions.map((d) => d.images[0]?.source), ['store', 'store', 'unknown', 'unknown']);
    } finally {
      store.close();
    }
  });
});
