/**
 * `portcullis gate` end to end: a real registry (docker-registry on loopback) serving images
 * whose package databases are real Debian stanzas, a vulnerability DB built from the shared feed
 * samples, the real scan and policy stages. Images that pass, one that fails, a tag that moves
 * between two runs (the digest judged is the one the registry serves now), an unreachable
 * registry (exit 2, or 0 with --on-error allow), namespace-selected policies, reports and the
 * termination message.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildImage, writeOciLayout } from '../../test/image-builder.ts';
import type { BuiltImage } from '../../test/image-builder.ts';
import { startFaultProxy } from '../../test/registry-proxy.ts';
import { pushImage, startRegistry } from '../../test/registry.ts';
import type { TestRegistry } from '../../test/registry.ts';
import { scratchDirs } from '../../test/scratch.ts';
import { needs } from '../../test/tools.ts';
import { main } from '../cli/main.ts';
import { ResultStore } from '../store/index.ts';
import { BUSTER_OS_RELEASE, buildSampleDb, busterImage, kevCves } from '../scan/test-fixtures.ts';

const kev = kevCves();
import type { GateResult } from './index.ts';

const { root, fresh } = scratchDirs('portcullis-gate-test');

async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk: Buffer, _e, cb) { add(chunk.toString()); cb(); } });
  const code = await main(args, { stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }), env: { HOME: root, PATH: process.env.PATH, ...extraEnv } });
  return { code, stdout, stderr };
}

/** A Debian 10 base with no packages installed: nothing to match, so it passes. */
const cleanImage = (marker: string): Promise<BuiltImage> => buildImage({ layers: [
  [{ path: 'etc/os-release', content: BUSTER_OS_RELEASE }, { path: 'etc/debian_version', content: '10.13\n' }],
  [{ path: 'var/lib/dpkg/status', content: '' }, { path: `etc/marker-${marker}`, content: marker }],
] });

const deployment = (name: string, namespace: string, images: Record<string, string>, labels: Record<string, string> = { app: name }) => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: ${JSON.stringify(labels)}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
${Object.entries(images).map(([c, i]) => `        - {name: ${c}, image: "${i}"}`).join('\n')}
`;

describe('gate end to end', { skip: needs('docker-registry', 'skopeo', 'dpkg') }, () => {
  let reg: TestRegistry;
  let dbFile = '';
  let cache = '';
  const digests: Record<string, string> = {};
  let vuln: BuiltImage;

  before(async () => {
    dbFile = await buildSampleDb(fresh('db'));
    cache = fresh('cache');
    reg = await startRegistry();
    vuln = await busterImage();
    const clean = await cleanImage('clean');
    digests.clean = await pushImage(reg, 'team/clean:1', clean);
    digests.sidecar = await pushImage(reg, 'team/sidecar:2', await cleanImage('sidecar'));
    digests.vuln = await pushImage(reg, 'team/vuln:1', vuln);
    digests.movingBefore = await pushImage(reg, 'team/moving:1', clean);
    thresholds = join(fresh('policy'), 'thresholds.yaml');
    await writeFile(thresholds, THRESHOLDS);
  });
  after(async () => { await reg?.stop(); });

  // The feed samples carry no CVSS for these packages, but some of their CVEs are in CISA's KEV
  // catalogue sample: a policy that fails on known exploitation fails the Debian 10 image.
  const THRESHOLDS = 'apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: kev}\nspec:\n  failOnKev: true\n';
  let thresholds = '';
  const gate = (manifests: string, ...args: string[]) =>
    cli(['gate', manifests, '--db', dbFile, '--cache-dir', cache, '-q', ...(args.includes('--policy') ? [] : ['--policy', thresholds]), ...args]);
  const write = async (name: string, text: string) => {
    const f = join(fresh('m'), name);
    await writeFile(f, text);
    return f;
  };

  it('allows a set of passing images (exit 0), each distinct digest scanned once', async () => {
    const f = await write('ok.yaml', deployment('web', 'shop', { web: `${reg.host}/team/clean:1`, sidecar: `${reg.host}/team/sidecar:2` })
      + deployment('api', 'shop', { api: `${reg.host}/team/clean:1` }));
    const r = await gate(f, '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as GateResult;
    assert.equal(out.verdict, 'Allowed');
    assert.deepEqual(out.counts, { images: 3, distinct: 2, rejected: 0, warned: 0, errors: 0 });
    assert.deepEqual(out.images.map((i) => [i.name, i.container, i.digest, i.status, i.action]), [
      ['web', 'web', digests.clean, 'Pass', 'Allow'],
      ['web', 'sidecar', digests.sidecar, 'Pass', 'Allow'],
      ['api', 'api', digests.clean, 'Pass', 'Allow'],
    ]);
  });

  it('rejects a failing image (exit 1), naming the digest, the rule and the worst findings', async () => {
    const f = await write('bad.yaml', deployment('web', 'shop', { web: `${reg.host}/team/clean:1`, legacy: `${reg.host}/team/vuln:1` }));
    const r = await gate(f, '--format', 'json');
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as GateResult;
    assert.equal(out.verdict, 'Rejected');
    const bad = out.images.find((i) => i.container === 'legacy')!;
    assert.equal(bad.digest, digests.vuln);
    assert.equal(bad.pinned, `${reg.host}/team/vuln@${digests.vuln}`);
    assert.equal(bad.status, 'Fail');
    assert.equal(bad.action, 'Reject');
    assert.equal(bad.rule, "Action 'Reject' enforced by ContainerPolicy portcullis-default rule index 0");
    assert.ok(bad.worst.length > 0 && bad.worst.length <= 3);
    assert.match(bad.reasons[0]!, /KEV/);
    assert.ok(bad.worst.some((f) => kev.has(f.id)), 'a known exploited finding is among the worst');
    const table = await gate(f);
    assert.equal(table.code, 1);
    assert.match(table.stdout, new RegExp(`Deployment shop/web +legacy +${reg.host}/team/vuln:1@sha256:${digests.vuln!.slice(7, 19)} +Fail→Reject +CVE-`));
    assert.match(table.stdout, /portcullis gate: REJECTED: 2 images \(2 distinct digests scanned\), 1 rejected; policy .*thresholds\.yaml\n$/);
  });

  it('judges the digest a moved tag points at now', async () => {
    const f = await write('moving.yaml', deployment('web', 'shop', { web: `${reg.host}/team/moving:1` }));
    const before = JSON.parse((await gate(f, '--format', 'json')).stdout) as GateResult;
    assert.equal(before.images[0]!.digest, digests.movingBefore);
    assert.equal(before.verdict, 'Allowed');
    const moved = await pushImage(reg, 'team/moving:1', vuln);
    assert.notEqual(moved, digests.movingBefore);
    const r = await gate(f, '--format', 'json');
    assert.equal(r.code, 1);
    const after = JSON.parse(r.stdout) as GateResult;
    assert.equal(after.images[0]!.digest, moved);
    assert.equal(after.images[0]!.action, 'Reject');
  });

  it('an image that cannot be judged blocks (exit 2) unless --on-error allow; a rejection still wins', async () => {
    const unreachable = await write('down.yaml', deployment('web', 'shop', { web: `${reg.host}/team/clean:1`, gone: '127.0.0.1:1/team/gone:1' }));
    const r = await gate(unreachable, '--format', 'json');
    assert.equal(r.code, 2, r.stderr);
    const out = JSON.parse(r.stdout) as GateResult;
    assert.equal(out.verdict, 'Undecided');
    assert.match(out.images[1]!.error!, /^could not resolve 127\.0\.0\.1:1\/team\/gone:1: /);
    const allowed = await gate(unreachable, '--on-error', 'allow', '--format', 'json');
    assert.equal(allowed.code, 0);
    assert.match((JSON.parse(allowed.stdout) as GateResult).warnings.join(), /1 image could not be judged and was let through/);
    const missing = await write('missing.yaml', deployment('web', 'shop', { x: `${reg.host}/team/nope:1`, y: `${reg.host}/team/vuln:1` }));
    assert.equal((await gate(missing)).code, 1, 'a rejection is certain even when another image could not be judged');
    const templated = await write('tpl.yaml', deployment('web', 'shop', { x: '{{ .Values.image }}' }));
    const t = await gate(templated, '--format', 'json');
    assert.equal(t.code, 2);
    assert.match((JSON.parse(t.stdout) as GateResult).images[0]!.error!, /^not an image reference: /);
  });

  it('ContainerAdmissionPolicy per workload: namespaceSelector from Namespace objects, --namespace-labels, and selector on workload labels', async () => {
    const policy = await write('policy.yaml', `${THRESHOLDS}---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata: {name: prod-rejects-failed}
spec:
  selector: all()
  namespaceSelector: env == "prod"
  order: 10
  rules:
    - action: Reject
      imageScanStatus: {operator: IsOneOf, values: [Fail]}
---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata: {name: legacy-exempt}
spec:
  selector: tier == "legacy"
  namespaceSelector: all()
  order: 5
  rules:
    - action: Allow
`);
    const set = await write('ns.yaml', `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {env: prod}}
${deployment('web', 'shop', { web: `${reg.host}/team/vuln:1` })}${deployment('old', 'shop', { old: `${reg.host}/team/vuln:1` }, { app: 'old', tier: 'legacy' })}${deployment('try', 'sandbox', { t: `${reg.host}/team/vuln:1` })}`);
    const r = await gate(set, '--policy', policy, '--format', 'json');
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as GateResult;
    assert.deepEqual(out.images.map((i) => [i.namespace, i.name, i.action, i.policy]), [
      ['shop', 'web', 'Reject', 'prod-rejects-failed'],
      ['shop', 'old', 'Warn', 'legacy-exempt'],
      ['sandbox', 'try', 'Warn', null],
    ]);
    assert.equal(out.counts.distinct, 1);
    const labelled = await gate(await write('sb.yaml', deployment('try', 'sandbox', { t: `${reg.host}/team/vuln:1` })), '--policy', policy, '--namespace-labels', 'env=prod');
    assert.equal(labelled.code, 1, '--namespace-labels gives namespaces the manifests do not define their labels');
    // `kubectl get namespaces -o yaml`: a v1 List of Namespace objects.
    const nsFile = await write('namespaces.yaml', 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: sandbox, labels: {env: prod}}\n');
    const fromFile = await gate(await write('sb2.yaml', deployment('try', 'sandbox', { t: `${reg.host}/team/vuln:1` })), '--policy', policy, '--namespace-labels-file', nsFile, '--namespace-labels', 'env=dev');
    assert.equal(fromFile.code, 1, 'the file\'s labels for sandbox win over --namespace-labels');
  });

  it('local transports are scanned as they are (no registry): an OCI layout next to a registry image', async () => {
    const layout = fresh('layout');
    await writeOciLayout(layout, [{ name: 'v1', image: vuln }]);
    const f = await write('local.yaml', deployment('web', 'shop', { local: `oci:${layout}:v1`, web: `${reg.host}/team/clean:1` }));
    const r = await gate(f, '--format', 'json');
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as GateResult;
    assert.deepEqual(out.images.map((i) => [i.container, i.pinned, i.digest, i.action]), [
      ['local', `oci:${layout}:v1`, vuln.manifestDigest, 'Reject'],
      ['web', `${reg.host}/team/clean@${digests.clean}`, digests.clean, 'Allow'],
    ]);
  });

  it('Argo CD mode: the manifests of the sync in progress, namespace-less objects in the destination namespace', async () => {
    const token = 'argocd-token';
    const manifests = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: `${reg.host}/team/vuln:1` }] } } } },
    ].map((m) => JSON.stringify(m));
    const argocd = createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${token}`) { res.writeHead(401); return res.end('{}'); }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url!.includes('/manifests')
        ? JSON.stringify({ manifests, namespace: 'shop', revision: 'abc', sourceType: 'Kustomize' })
        : JSON.stringify({ spec: { destination: { namespace: 'shop' } }, status: { operationState: { phase: 'Running', operation: { sync: { revision: 'abc' } } } } }));
    });
    await new Promise<void>((r) => argocd.listen(0, '127.0.0.1', r));
    try {
      const policy = await write('prod.yaml', `${THRESHOLDS}---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata: {name: shop-only}
spec:
  selector: all()
  namespaceSelector: kubernetes.io/metadata.name == "shop"
  rules:
    - action: Reject
      imageScanStatus: {operator: IsOneOf, values: [Fail]}
`);
      const args = ['gate', '--argocd-app', 'shop', '--argocd-server', `127.0.0.1:${(argocd.address() as AddressInfo).port}`, '--plaintext',
        '--db', dbFile, '--cache-dir', cache, '-q', '--policy', policy, '--format', 'json'];
      const r = await cli(args, { ARGOCD_AUTH_TOKEN: token });
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as GateResult;
      assert.equal(out.source, 'argocd:shop@abc');
      assert.deepEqual(out.images.map((i) => [i.namespace, i.name, i.action, i.policy]), [['shop', 'web', 'Reject', 'shop-only']]);
    } finally {
      await new Promise<void>((r) => argocd.close(() => r()));
    }
  });

  it('--store: records every scan and reuses a digest judged with the same DB (no pull, same verdict)', async () => {
    const proxy = await startFaultProxy(reg.url);
    try {
      const store = join(fresh('store'), 'results.db');
      const f = await write('stored.yaml', deployment('web', 'shop', { web: `${proxy.host}/team/clean:1`, legacy: `${proxy.host}/team/vuln:1` }));
      const first = await gate(f, '--store', store, '--format', 'json', '--no-cache');
      assert.equal(first.code, 1, first.stderr);
      const s = ResultStore.open(store, { readOnly: true });
      try {
        assert.equal(s.latestByDigest(digests.vuln!)?.digest, digests.vuln);
        assert.ok(s.latestByDigest(digests.clean!));
      } finally {
        s.close();
      }
      const blobs = () => proxy.requests.filter((r) => r.path.includes('/blobs/')).length;
      const before = blobs();
      assert.ok(before > 0);
      const second = await gate(f, '--store', store, '--format', 'json', '--no-cache');
      assert.equal(second.code, 1);
      assert.equal(blobs(), before, 'no blob fetched: both digests came from the store');
      const a = JSON.parse(first.stdout) as GateResult;
      const b = JSON.parse(second.stdout) as GateResult;
      assert.deepEqual(b.images.map((i) => [i.digest, i.status, i.action, i.rule, i.worst.map((w) => w.id)]), a.images.map((i) => [i.digest, i.status, i.action, i.rule, i.worst.map((w) => w.id)]));
    } finally {
      await proxy.stop();
    }
  });

  it('--report-dir: per-image JSON and HTML reports and the run summary; the termination message stays within 4096 bytes', async () => {
    const f = await write('bad.yaml', deployment('web', 'shop', { web: `${reg.host}/team/clean:1`, legacy: `${reg.host}/team/vuln:1` }));
    const dir = fresh('reports');
    const term = join(fresh('term'), 'termination-log');
    const r = await gate(f, '--report-dir', dir, '--termination-message-path', term, '--format', 'sarif');
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as { version: string; runs: { automationDetails: { id: string } }[] };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs.length, 2);
    assert.equal(new Set(sarif.runs.map((x) => x.automationDetails.id.replace(/[^/]*$/, ''))).size, 2, 'one code scanning category per image');
    const files = readdirSync(dir).sort();
    assert.ok(files.includes('summary.json') && files.includes('summary.txt'));
    assert.equal(files.filter((x) => x.endsWith('.html')).length, 2);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as GateResult;
    const report = summary.images.find((i) => i.container === 'legacy')!.report!;
    assert.equal((JSON.parse(readFileSync(join(dir, report), 'utf8')) as { artifact: { digest: string } }).artifact.digest, digests.vuln);
    assert.ok(existsSync(term) && statSync(term).size <= 4096);
    const msg = readFileSync(term, 'utf8');
    assert.match(msg, /^portcullis gate: REJECTED: /);
    assert.match(msg, new RegExp(`✗ ${reg.host}/team/vuln:1@${digests.vuln}\\n  in Deployment shop/web \\(legacy\\)\\n  status Fail: Action 'Reject' enforced by ContainerPolicy portcullis-default rule index 0\\n  - CVE-`));
    assert.match(msg, new RegExp(`full report: ${dir}/summary.json`));
    const unwritable = await gate(f, '--termination-message-path', join(dir, 'no/such/dir/log'));
    assert.equal(unwritable.code, 1, 'the verdict stands when the summary cannot be written');
    assert.match(unwritable.stderr, /warning: termination message not written to /);
    const junit = await gate(f, '--format', 'junit');
    assert.match(junit.stdout, /^<\?xml/);
    assert.equal((junit.stdout.match(/<testsuite /g) ?? []).length, 2);
  });
});
