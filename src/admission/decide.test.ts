import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pino } from 'pino';
import { cleanResult, debianScanResult, NOW, warnResult } from '../../test/fixtures-results.ts';
import { validateKubeObject } from '../../test/kube-models.ts';
import { decideScan, parsePolicy, sortWorstFirst } from '../policy/index.ts';
import type { UnknownImageAction } from '../policy/index.ts';
import type { ScanResult } from '../report/index.ts';
import { ResultStore } from '../store/index.ts';
import { Decider } from './decide.ts';
import type { DeciderOptions } from './decide.ts';
import { AdmissionHandler } from './handler.ts';
import type { HandlerResult } from './handler.ts';
import { MAX_MESSAGE_BYTES } from './limits.ts';
import { DigestResolver } from './resolve.ts';
import { ScanQueue } from './scan-queue.ts';
import { admissionReview, kindInfo, KINDS, POLICY_YAML, withEphemeral } from './test-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-admission-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const POLICY = parsePolicy(POLICY_YAML, 'policy.yaml');
const FAIL = debianScanResult();
const PASS = cleanResult();
const WARN = warnResult();
delete WARN.suppressed; // its Exception suppression would be undone by the store (this policy has no Exception)
WARN.artifact = { ...WARN.artifact, name: 'registry.example.com:5000/shop/batch:2.0', digest: `sha256:${'5'.repeat(64)}` };
const img = (r: ScanResult): string => `${r.artifact.name.replace(/:[^:/]+$/, '')}@${r.artifact.digest}`;
const UNKNOWN_DIGEST = `sha256:${'e'.repeat(64)}`;
const UNKNOWN = `registry.example.com:5000/shop/new@${UNKNOWN_DIGEST}`;

function setup(options: Partial<DeciderOptions> = {}) {
  const store = ResultStore.open(join(dir, `s${++files}.db`));
  for (const r of [FAIL, PASS, WARN]) store.putScan(r);
  const decider = new Decider({ policy: POLICY, store, now: () => NOW, ...options });
  const handler = new AdmissionHandler({ decider, store, now: () => NOW });
  const ask = async (review: unknown): Promise<HandlerResult> => handler.handle(Buffer.from(JSON.stringify(review)));
  return { store, decider, handler, ask };
}

const body = (r: HandlerResult) => r.body.response;

describe('every kind, CREATE', () => {
  for (const k of KINDS) {
    test(`${k.kind}: a failing image is denied with 403 naming image, digest, status, worst findings, rule and the way to an exception`, async () => {
      const object = k.build('checkout', [{ name: 'app', image: img(FAIL) }, { name: 'sidecar', image: img(PASS) }]);
      await validateKubeObject(object);
      const review = admissionReview(k, object);
      const { ask, store } = setup();
      const r = await ask(review);
      assert.equal(r.httpStatus, 200);
      assert.equal(r.body.apiVersion, 'admission.k8s.io/v1');
      assert.equal(r.body.kind, 'AdmissionReview');
      const res = body(r);
      assert.equal(res.uid, (review.request as { uid: string }).uid);
      assert.equal(res.allowed, false);
      assert.equal(res.status?.code, 403);
      assert.equal(res.status?.reason, 'Forbidden');
      const msg = res.status?.message ?? '';
      assert.ok(Buffer.byteLength(msg) <= MAX_MESSAGE_BYTES);
      assert.match(msg, new RegExp(`^portcullis denied ${k.kind} shop/checkout: `));
      assert.ok(msg.includes(FAIL.artifact.digest as string), 'names the digest');
      assert.ok(msg.includes('registry.example.com:5000/shop/checkout'), 'names the image');
      assert.ok(msg.includes(' is Fail'), 'names the status');
      // The three worst findings by the policy's own ordering, with their fixed versions.
      const decided = decideScan(FAIL, { policy: POLICY, namespace: 'shop', now: NOW });
      const worst = sortWorstFirst(decided.findings ?? []).slice(0, 3);
      assert.equal(worst.length, 3);
      for (const f of worst) {
        assert.ok(msg.includes(f.id), `names ${f.id}`);
        assert.ok(msg.includes(f.package), `names ${f.package}`);
        if (f.fixedVersion) assert.ok(msg.includes(`fixed in ${f.fixedVersion}`), `names the fix ${f.fixedVersion}`);
        assert.ok(msg.includes(f.severity));
      }
      assert.ok(msg.includes("Action 'Reject' enforced by ContainerPolicy reject-failed rule index 1"));
      assert.ok(msg.includes('Exception (portcullis.dev/v1)'));
      assert.ok(!msg.includes(PASS.artifact.digest as string), 'the passing image is not in the denial');
      assert.equal(res.warnings, undefined);
      assert.equal(res.auditAnnotations?.verdict, 'Reject');
      assert.equal(res.auditAnnotations?.status, 'Fail');
      assert.ok(res.auditAnnotations?.images?.includes('=Reject/Fail'));
      assert.ok(res.auditAnnotations?.images?.includes('=Allow/Pass'));
      const [d] = store.decisions();
      assert.equal(d?.uid, res.uid);
      assert.equal(d?.kind, k.kind);
      assert.equal(d?.operation, 'CREATE');
      assert.equal(d?.namespace, 'shop');
      assert.equal(d?.name, 'checkout');
      assert.equal(d?.user, 'alice@example.com');
      assert.equal(d?.action, 'Reject');
      assert.equal(d?.status, 'Fail');
      assert.equal(d?.dryRun, false);
      assert.deepEqual(d?.images.map((i) => [i.digest, i.status, i.action, i.source]), [
        [FAIL.artifact.digest, 'Fail', 'Reject', 'store'], [PASS.artifact.digest, 'Pass', 'Allow', 'store'],
      ]);
      assert.ok(d?.reasons.some((x) => x.includes('rule index 1')));
    });

    test(`${k.kind}: passing images (init containers too) are allowed without status or warnings`, async () => {
      const object = k.build('checkout', [{ name: 'app', image: img(PASS) }], [{ name: 'migrate', image: img(PASS) }]);
      await validateKubeObject(object);
      const r = await setup().ask(admissionReview(k, object));
      assert.deepEqual(body(r), {
        uid: (body(r).uid), allowed: true,
        auditAnnotations: { verdict: 'Allow', status: 'Pass', images: `docker.io/library/debian@${PASS.artifact.digest}=Allow/Pass` },
      });
    });
  }

  test('a failing init container is denied like any other', async () => {
    const k = kindInfo('Deployment');
    const r = await setup().ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(PASS) }], [{ name: 'init', image: img(FAIL) }])));
    assert.equal(body(r).allowed, false);
  });

  test('a failing image volume (volumes[].image.reference) is denied like a container image, as the gate judges it', async () => {
    const k = kindInfo('Deployment');
    const object = k.build('d', [{ name: 'app', image: img(PASS) }]) as { spec: { template: { spec: Record<string, unknown> } } };
    object.spec.template.spec.volumes = [{ name: 'config', configMap: { name: 'c' } }, { name: 'models', image: { reference: img(FAIL), pullPolicy: 'IfNotPresent' } }];
    const r = await setup().ask(admissionReview(k, object));
    assert.equal(body(r).allowed, false);
    assert.ok(body(r).status?.message?.includes(FAIL.artifact.digest as string));
    object.spec.template.spec.volumes = [{ name: 'models', image: { reference: 42 } }];
    assert.equal(body(await setup().ask(admissionReview(k, object))).status?.code, 400);
  });

  test('Warn: admitted, one short warning line per Warn image', async () => {
    const k = kindInfo('Deployment');
    const r = await setup().ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(WARN) }, { name: 'ok', image: img(PASS) }])));
    const res = body(r);
    assert.equal(res.allowed, true);
    assert.equal(res.status, undefined);
    assert.equal(res.warnings?.length, 1);
    const [w] = res.warnings ?? [];
    assert.ok(w && w.length <= 240);
    assert.match(w ?? '', /^portcullis: image registry\.example\.com:5000\/shop\/batch@sha256:5{64} is Warn \(.*\); admitted$/);
    assert.equal(res.auditAnnotations?.verdict, 'Warn');
  });
});

describe('UPDATE, ephemeral containers, owned Pods, dry run, v1beta1', () => {
  test('UPDATE: only changed images are judged (an unchanged failing image does not block a scale-up)', async () => {
    const k = kindInfo('Deployment');
    const { ask, store } = setup();
    const old = k.build('d', [{ name: 'app', image: img(FAIL) }]);
    const scaled = k.build('d', [{ name: 'app', image: img(FAIL) }, { name: 'new', image: img(PASS) }]);
    const r = await ask(admissionReview(k, scaled, { operation: 'UPDATE', oldObject: old }));
    assert.equal(body(r).allowed, true);
    const [d] = store.decisions();
    assert.deepEqual(d?.images.map((i) => i.digest), [PASS.artifact.digest], 'only the new image was judged');
    assert.equal(d?.operation, 'UPDATE');
    const unchanged = await ask(admissionReview(k, old, { operation: 'UPDATE', oldObject: old }));
    assert.equal(body(unchanged).allowed, true);
    assert.equal(body(unchanged).auditAnnotations?.verdict, 'NotJudged', 'nothing changed: nothing judged or recorded');
    assert.equal(store.counts().decisions, 1);
    const toFailing = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }]), { operation: 'UPDATE', oldObject: k.build('d', [{ name: 'app', image: img(PASS) }]) }));
    assert.equal(body(toFailing).allowed, false);
    assert.equal(body(toFailing).status?.code, 403);
  });

  test('UPDATE without oldObject judges every image (fail closed)', async () => {
    const k = kindInfo('StatefulSet');
    const r = await setup().ask(admissionReview(k, k.build('s', [{ name: 'app', image: img(FAIL) }]), { operation: 'UPDATE' }));
    assert.equal(body(r).allowed, false);
  });

  test('pods/ephemeralcontainers: `kubectl debug` with a failing image is denied; only the ephemeral container is judged', async () => {
    const k = kindInfo('Pod');
    const pod = k.build('web-0', [{ name: 'app', image: img(FAIL) }]);
    const debug = withEphemeral(pod, [{ name: 'debugger-x2k', image: img(FAIL) }]);
    await validateKubeObject(debug);
    const { ask, store } = setup();
    const r = await ask(admissionReview(k, debug, { operation: 'UPDATE', oldObject: pod, subResource: 'ephemeralcontainers' }));
    assert.equal(body(r).allowed, false);
    assert.match(body(r).status?.message ?? '', /^portcullis denied Pod\/ephemeralcontainers shop\/web-0: /);
    assert.equal(store.decisions()[0]?.kind, 'Pod/ephemeralcontainers');
    const ok = await ask(admissionReview(k, withEphemeral(pod, [{ name: 'debugger', image: img(PASS) }]), { operation: 'UPDATE', oldObject: pod, subResource: 'ephemeralcontainers' }));
    assert.equal(body(ok).allowed, true, 'the Pod\'s own failing image is not the debug request\'s business');
  });

  test('Pods a controller creates from a judged template pass unjudged; the same ownerReference written by a person does not', async () => {
    const k = kindInfo('Pod');
    const owned = k.build('checkout-7d4b9c-abcde', [{ name: 'app', image: img(FAIL) }]);
    (owned.metadata as Record<string, unknown>).ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d4b9c', uid: '6f1e9d1c-1111-4c4c-9a9a-0123456789ab', controller: true, blockOwnerDeletion: true }];
    await validateKubeObject(owned);
    const { ask, store } = setup();
    const byController = await ask(admissionReview(k, owned, { user: 'system:serviceaccount:kube-system:replicaset-controller' }));
    assert.equal(body(byController).allowed, true);
    assert.equal(body(byController).auditAnnotations?.verdict, 'NotJudged');
    assert.equal(store.counts().decisions, 0, 'nothing judged, nothing recorded');
    const byPerson = await ask(admissionReview(k, owned, { user: 'mallory@example.com' }));
    assert.equal(body(byPerson).allowed, false);
    const recheck = setup({ recheckOwnedPods: true });
    const rechecked = await recheck.ask(admissionReview(k, owned, { user: 'system:serviceaccount:kube-system:replicaset-controller' }));
    assert.equal(body(rechecked).allowed, false, '--recheck-owned-pods judges them');
  });

  test('dry run: decided as for real, recorded as a dry run, no scan queued', async () => {
    const scanned: string[] = [];
    const queue = new ScanQueue(async (ref) => { scanned.push(ref); return PASS; }, () => {});
    const { ask, store } = setup({ unknownImageAction: 'RejectAndScan', queue });
    const k = kindInfo('Deployment');
    const r = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: UNKNOWN }]), { dryRun: true }));
    assert.equal(body(r).allowed, false);
    assert.match(body(r).status?.message ?? '', /no scan queued for a dry run/);
    assert.equal(queue.depth, 0);
    await queue.idle();
    assert.deepEqual(scanned, []);
    assert.equal(store.decisions()[0]?.dryRun, true);
    const failing = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }]), { dryRun: true }));
    assert.equal(body(failing).status?.code, 403);
  });

  test('v1beta1: answered in v1beta1', async () => {
    const k = kindInfo('Deployment');
    const review = admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }]), { apiVersion: 'admission.k8s.io/v1beta1' });
    const r = await setup().ask(review);
    assert.equal(r.body.apiVersion, 'admission.k8s.io/v1beta1');
    assert.equal(r.body.kind, 'AdmissionReview');
    assert.equal(body(r).uid, (review.request as { uid: string }).uid);
    assert.equal(body(r).allowed, false);
  });

  test('DELETE, CONNECT and kinds the webhook does not judge are allowed unjudged', async () => {
    const k = kindInfo('Deployment');
    const { ask } = setup();
    const del = await ask(admissionReview(k, undefined, { operation: 'DELETE', oldObject: k.build('d', [{ name: 'app', image: img(FAIL) }]) }));
    assert.equal(body(del).allowed, true);
    const cm = await ask(admissionReview({ group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
    assert.equal(body(cm).allowed, true);
    assert.equal(body(cm).auditAnnotations?.verdict, 'NotJudged');
  });
});

describe('unknown images and unknownImageAction', () => {
  const k = kindInfo('Deployment');
  const expected: Record<UnknownImageAction, { allowed: boolean; warned: boolean; queued: boolean }> = {
    Reject: { allowed: false, warned: false, queued: false },
    RejectAndScan: { allowed: false, warned: false, queued: true },
    Warn: { allowed: true, warned: true, queued: false },
    WarnAndScan: { allowed: true, warned: true, queued: true },
    Allow: { allowed: true, warned: false, queued: false },
  };
  for (const [action, want] of Object.entries(expected) as [UnknownImageAction, typeof expected.Reject][]) {
    test(`${action}`, async () => {
      const scanned: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      const queue = new ScanQueue(async (ref) => { scanned.push(ref); await gate; return PASS; }, () => {});
      const { ask, store } = setup({ unknownImageAction: action, queue });
      const r = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: UNKNOWN }])));
      const res = body(r);
      assert.equal(res.allowed, want.allowed);
      if (!want.allowed) {
        assert.equal(res.status?.code, 403);
        assert.ok(res.status?.message.includes(`registry.example.com:5000/shop/new@${UNKNOWN_DIGEST} has no scan result (unknownImageAction ${action}`));
        if (want.queued) assert.match(res.status?.message ?? '', /a scan is queued: retry in a few minutes/);
        assert.ok(!res.status?.message.includes('Exception'), 'no exception advice for an unscanned image');
      } else assert.equal(res.status, undefined);
      assert.equal(Boolean(res.warnings?.length), want.warned);
      if (want.warned) assert.match(res.warnings?.[0] ?? '', new RegExp(`has no scan result; admitted \\(unknownImageAction ${action}\\)`));
      assert.deepEqual(scanned, want.queued ? [`registry.example.com:5000/shop/new@${UNKNOWN_DIGEST}`] : []);
      // A second request while the scan runs does not queue another (deduplicated by digest).
      await ask(admissionReview(k, k.build('d2', [{ name: 'app', image: UNKNOWN }])));
      assert.equal(queue.depth, want.queued ? 1 : 0);
      release();
      await queue.idle();
      assert.equal(scanned.length, want.queued ? 1 : 0);
      assert.equal(store.decisions()[0]?.images[0]?.source, 'unknown');
      assert.equal(store.decisions()[0]?.status, 'Unknown');
    });
  }

  test('the policy file\'s unknownImageAction applies unless the flag overrides it', async () => {
    const policy = parsePolicy(POLICY_YAML.replace('unknownImageAction: Reject', 'unknownImageAction: Warn'));
    const store = ResultStore.open(join(dir, `s${++files}.db`));
    assert.equal(new Decider({ policy, store }).unknownImageAction, 'Warn');
    assert.equal(new Decider({ policy, store, unknownImageAction: 'Allow' }).unknownImageAction, 'Allow');
    store.close();
  });

  test('a scan queue that is full says so; the request is still answered at once', async () => {
    const queue = new ScanQueue(() => new Promise(() => {}), () => {}, { maxQueued: 1, concurrency: 1 });
    const { ask } = setup({ unknownImageAction: 'RejectAndScan', queue });
    const digests = ['1', '2', '3'].map((c) => `registry.example.com:5000/shop/new@sha256:${c.repeat(64)}`);
    const msgs: string[] = [];
    for (const image of digests) msgs.push(body(await ask(admissionReview(k, k.build('d', [{ name: 'app', image }])))).status?.message ?? '');
    assert.match(msgs[0] ?? '', /a scan is queued/); // running
    assert.match(msgs[1] ?? '', /a scan is queued/); // waiting
    assert.match(msgs[2] ?? '', /the scan queue is full/);
    assert.equal(queue.depth, 2);
  });
});

describe('tags, namespaces, policy changes', () => {
  const k = kindInfo('Deployment');

  test('a tag is resolved through the registry once and cached; a failed lookup makes the image unknown', async () => {
    const asked: string[] = [];
    const resolver = new DigestResolver(async (ref) => {
      asked.push(`${ref.registry}/${ref.repository}:${ref.tag}`);
      if (ref.repository === 'shop/gone') throw new Error('manifest unknown');
      return FAIL.artifact.digest as string;
    });
    const { ask } = setup({ resolver });
    for (let i = 0; i < 3; i++) {
      const r = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: 'registry.example.com:5000/shop/checkout:1.4.2' }])));
      assert.equal(body(r).allowed, false);
      assert.ok(body(r).status?.message.includes(`registry.example.com:5000/shop/checkout:1.4.2 (${FAIL.artifact.digest})`));
    }
    assert.deepEqual(asked, ['registry.example.com:5000/shop/checkout:1.4.2']);
    const gone = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: 'registry.example.com:5000/shop/gone:1' }])));
    assert.equal(body(gone).allowed, false);
    assert.match(body(gone).status?.message ?? '', /has no scan result \(unknownImageAction Reject: could not resolve the tag: manifest unknown\)/);
  });

  test('a registry that does not answer in time makes the image unknown within the timeout', async () => {
    const resolver = new DigestResolver((_ref, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), { timeoutMs: 50 });
    const started = Date.now();
    const r = await setup({ resolver, unknownImageAction: 'Warn' }).ask(admissionReview(k, k.build('d', [{ name: 'app', image: 'registry.example.com:5000/shop/slow:1' }])));
    assert.ok(Date.now() - started < 2000);
    assert.equal(body(r).allowed, true);
    assert.match(body(r).warnings?.[0] ?? '', /admitted \(unknownImageAction Warn\)/);
  });

  test('namespace labels choose the policy: a sandbox namespace admits a failing image, with a warning', async () => {
    const labels: Record<string, Record<string, string>> = { play: { tier: 'sandbox' } };
    const { ask } = setup({ namespaceLabels: (ns) => labels[ns] });
    const r = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }]), { namespace: 'play' }));
    assert.equal(body(r).allowed, true);
    assert.equal(body(r).auditAnnotations?.verdict, 'Warn');
    assert.match(body(r).warnings?.[0] ?? '', /is Fail/);
    const shop = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }]), { namespace: 'shop' }));
    assert.equal(body(shop).allowed, false);
  });

  test('status is computed at decision time: a new Exception or a changed threshold applies at once to the stored findings', async () => {
    const store = ResultStore.open(join(dir, `s${++files}.db`));
    store.putScan(FAIL);
    // Every finding the store holds for the image (the scan's Exception suppressions undone).
    const failing = store.latestByDigest(FAIL.artifact.digest as string)?.findings ?? [];
    assert.ok(failing.length > 5);
    const exception = `---
apiVersion: portcullis.dev/v1
kind: Exception
metadata:
  name: accepted-in-shop
spec:
  vulnerabilities: [${failing.map((f) => f.id).join(', ')}]
  namespaces: [shop]
  reason: fixed in the next release
  owner: team-payments
  expires: 2027-01-31
`;
    const withException = parsePolicy(POLICY_YAML + exception);
    store.putScan(WARN);
    const judge = async (policy = POLICY, namespace = 'shop', image = img(FAIL)) => {
      const decider = new Decider({ policy, store, now: () => NOW });
      const out = await new AdmissionHandler({ decider, store }).handle(Buffer.from(JSON.stringify(admissionReview(k, k.build('d', [{ name: 'app', image }]), { namespace }))));
      return body(out);
    };
    assert.equal((await judge()).allowed, false);
    const excepted = await judge(withException);
    assert.equal(excepted.allowed, true, 'the Exception (namespace-scoped: the namespace is known here) removes every failing finding');
    assert.equal((await judge(withException, 'other')).allowed, false, 'not in another namespace');
    const warned = await judge(POLICY, 'shop', img(WARN));
    assert.equal(warned.allowed, true);
    assert.equal(warned.auditAnnotations?.status, 'Warn');
    const strict = parsePolicy(POLICY_YAML.replace('failThreshold: 7.0', 'failThreshold: 5.0'));
    const res = await judge(strict, 'shop', img(WARN));
    assert.equal(res.allowed, false, 'the same stored findings fail a stricter threshold');
    assert.match(res.status?.message ?? '', /reaches failThreshold 5\.0/);
  });

  test('a newer scan of the same digest is seen by the next request', async () => {
    const { ask, store } = setup();
    const first = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }])));
    assert.equal(body(first).allowed, false);
    const rescanned = cleanResult();
    rescanned.artifact = { ...FAIL.artifact };
    rescanned.createdAt = new Date(NOW.getTime() + 60_000).toISOString();
    store.putScan(rescanned);
    const second = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }])));
    assert.equal(body(second).allowed, true);
  });
});

describe('limits and hostile input', () => {
  const k = kindInfo('Deployment');

  test('the denial stays within 1 KiB with many rejected images, and still names the first ones fully', async () => {
    const { ask, store } = setup();
    const containers = Array.from({ length: 40 }, (_, i) => {
      const r = structuredClone(FAIL);
      r.artifact.digest = `sha256:${(i + 1).toString(16).padStart(64, 'a')}`;
      store.putScan(r);
      return { name: `c${i}`, image: `registry.example.com:5000/shop/checkout@${r.artifact.digest}` };
    });
    const r = await ask(admissionReview(k, k.build('d', containers)));
    const msg = body(r).status?.message ?? '';
    assert.ok(Buffer.byteLength(msg) <= MAX_MESSAGE_BYTES, `${Buffer.byteLength(msg)} bytes`);
    assert.ok(msg.includes(containers[0]?.image.split('@')[1] as string));
    assert.match(msg, /more images? rejected/);
  });

  test('many Warn images: ten warning lines, then a count', async () => {
    const { ask, store } = setup();
    const containers = Array.from({ length: 15 }, (_, i) => {
      const r = structuredClone(WARN);
      r.artifact.digest = `sha256:${(i + 1).toString(16).padStart(64, 'c')}`;
      store.putScan(r);
      return { name: `c${i}`, image: `registry.example.com:5000/shop/batch@${r.artifact.digest}` };
    });
    const res = body(await ask(admissionReview(k, k.build('d', containers))));
    assert.equal(res.allowed, true);
    assert.equal(res.warnings?.length, 11);
    assert.equal(res.warnings?.[10], 'portcullis: and 5 more images admitted with warnings');
    assert.ok((res.warnings ?? []).join('').length < 4096);
  });

  test('an image that is not a reference is rejected; control characters never reach the message', async () => {
    const r = await setup({ unknownImageAction: 'Allow' }).ask(admissionReview(k, k.build('d', [{ name: 'app', image: 'Not A Reference\u001b[31m\nforged line' }])));
    assert.equal(body(r).allowed, false);
    const msg = body(r).status?.message ?? '';
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u001f]/.test(msg));
    assert.match(msg, /is not a valid image reference/);
  });

  test('more containers than the limit: denied with code 400, not allowed', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `c${i}`, image: img(PASS) }));
    const r = await setup().ask(admissionReview(k, k.build('d', many)));
    assert.equal(r.httpStatus, 200);
    assert.equal(body(r).allowed, false);
    assert.equal(body(r).status?.code, 400);
    assert.match(body(r).status?.message ?? '', /more than 256 containers/);
  });

  test('containers that are not a list, images that are not strings: denied with code 400', async () => {
    const { ask } = setup();
    const bad1 = k.build('d', []);
    ((bad1.spec as Record<string, Record<string, Record<string, unknown>>>).template as Record<string, Record<string, unknown>>).spec!.containers = { app: 'x' };
    assert.equal(body(await ask(admissionReview(k, bad1))).status?.code, 400);
    const bad2 = k.build('d', [{ name: 'app', image: 42 as unknown as string }]);
    const r2 = body(await ask(admissionReview(k, bad2)));
    assert.equal(r2.allowed, false);
    assert.equal(r2.status?.code, 400);
  });

  const bodies: [string, string | Buffer, number][] = [
    ['empty', '', 400],
    ['not JSON', '{"apiVersion": "admission.k8s.io/v1", "kind": ', 400],
    ['a JSON array', '[]', 400],
    ['a JSON string', '"AdmissionReview"', 400],
    ['another kind', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'Pod', request: {} }), 400],
    ['another apiVersion', JSON.stringify({ apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request: { uid: 'u' } }), 400],
    ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 400],
    ['no uid', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation: 'CREATE', object: {} } }), 400],
    ['no object on CREATE', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation: 'CREATE' } }), 400],
    ['object not an object', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation: 'CREATE', object: 'x' } }), 400],
    ['bad operation', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation: 'PATCH', object: {} } }), 400],
    ['dryRun not a boolean', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation: 'CREATE', object: {}, dryRun: 'false' } }), 400],
    ['nested 100,000 levels', `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 400],
    ['a uid of 10,000 characters', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u'.repeat(10_000) } }), 400],
    ['larger than 3 MiB', Buffer.alloc(3 * 1024 * 1024 + 1, 0x20), 413],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 400],
  ];
  for (const [what, text, status] of bodies) {
    test(`body ${what}: HTTP ${status}, an AdmissionReview-shaped denial`, async () => {
      const { handler } = setup();
      const r = await handler.handle(Buffer.isBuffer(text) ? text : Buffer.from(text));
      assert.equal(r.httpStatus, status);
      assert.equal(r.body.kind, 'AdmissionReview');
      assert.equal(r.body.response.allowed, false);
      assert.equal(r.body.response.status?.code, status);
      assert.ok(r.body.response.status?.message.startsWith('portcullis: '));
    });
  }

  test('a body with a readable uid keeps it in the error answer', async () => {
    const { handler } = setup();
    const r = await handler.handle(Buffer.from(JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'abc-123', operation: 'CREATE' } })));
    assert.equal(r.httpStatus, 400);
    assert.equal(r.body.response.uid, 'abc-123');
    assert.equal(r.body.apiVersion, 'admission.k8s.io/v1beta1');
  });

  test('a store that cannot be written still answers (and the answer is the decision)', async () => {
    const { ask, store } = setup();
    store.close();
    const r = await ask(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }])));
    // The store is closed: reading fails too, so this is an internal error → 500, a denial.
    assert.equal(r.httpStatus, 500);
    assert.equal(body(r).allowed, false);
    // --failure-mode open admits with a warning when the webhook itself fails, never bad input.
    const decider = new Decider({ policy: POLICY, store });
    const open = new AdmissionHandler({ decider, store, failOpen: true });
    const admitted = await open.handle(Buffer.from(JSON.stringify(admissionReview(k, k.build('d', [{ name: 'app', image: img(FAIL) }])))));
    assert.equal(admitted.httpStatus, 200);
    assert.equal(body(admitted).allowed, true);
    assert.match(body(admitted).warnings?.[0] ?? '', /could not judge this request/);
    assert.equal(body(admitted).auditAnnotations?.verdict, 'FailOpen');
    const bad = await open.handle(Buffer.from('{"kind":"AdmissionReview"'));
    assert.equal(bad.body.response.allowed, false);
  });
});

describe('decision logs', () => {
  test('a Reject or Warn is logged at info, an Allow only at debug; every one is recorded in the store', async () => {
    const k = kindInfo('Deployment');
    for (const level of ['info', 'debug'] as const) {
      const lines: { msg: string; verdict: string; level: number }[] = [];
      const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as never); done(); } });
      const store = ResultStore.open(join(dir, `s${++files}.db`));
      for (const r of [FAIL, PASS, WARN]) store.putScan(r);
      const decider = new Decider({ policy: POLICY, store, now: () => NOW });
      const handler = new AdmissionHandler({ decider, store, now: () => NOW, logger: pino({ level }, stream) });
      for (const r of [PASS, FAIL, WARN]) await handler.handle(Buffer.from(JSON.stringify(admissionReview(k, k.build('d', [{ name: 'app', image: img(r) }])))));
      await new Promise((r) => setImmediate(r));
      const decisions = lines.filter((l) => l.msg === 'admission decision');
      assert.deepEqual(decisions.map((l) => l.verdict), level === 'info' ? ['Reject', 'Warn'] : ['Allow', 'Reject', 'Warn']);
      assert.deepEqual(store.decisions().map((d) => d.action).reverse(), ['Allow', 'Reject', 'Warn']);
      store.close();
    }
  });
});
