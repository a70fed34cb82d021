import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { validateKubeObject } from '../../test/kube-models.ts';
import { BYPASS_LABEL, manifestsYaml, WEBHOOK_RULES, webhookManifests } from './manifests.ts';
import { selfSignedTls } from './tls.ts';
import { JUDGED_KINDS } from './workload.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const byKind = (objs: Obj[], kind: string): Obj => {
  const o = objs.find((x) => x.kind === kind);
  assert.ok(o, `has a ${kind}`);
  return o;
};

describe('webhook manifests', () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  for (const failureMode of ['closed', 'open'] as const) {
    test(`--failure-mode ${failureMode}: every object valid against the Kubernetes schemas`, async () => {
      const objs = webhookManifests({ namespace: 'portcullis', image: 'portcullis:0.1.0', failureMode }) as Obj[];
      for (const o of objs) await validateKubeObject(o);
      const vwc = byKind(objs, 'ValidatingWebhookConfiguration');
      const [hook] = vwc.webhooks;
      assert.equal(hook.failurePolicy, failureMode === 'open' ? 'Ignore' : 'Fail');
      assert.equal(hook.sideEffects, 'None');
      assert.deepEqual(hook.admissionReviewVersions, ['v1']);
      assert.ok(hook.timeoutSeconds >= 1 && hook.timeoutSeconds <= 30);
      assert.deepEqual(hook.clientConfig.service, { name: 'portcullis-webhook', namespace: 'portcullis', path: '/validate', port: 443 });
      assert.equal(vwc.metadata.annotations['cert-manager.io/inject-ca-from'], 'portcullis/portcullis-webhook', 'without a CA, cert-manager injects it');
    });
  }

  test('rules cover every judged kind with CREATE and UPDATE, pods/ephemeralcontainers included', () => {
    const [hook] = byKind(webhookManifests({ namespace: 'ns', image: 'i', failureMode: 'closed' }) as Obj[], 'ValidatingWebhookConfiguration').webhooks;
    const resources = hook.rules.flatMap((r: Obj) => r.resources);
    for (const r of hook.rules) assert.deepEqual(r.operations, ['CREATE', 'UPDATE']);
    const plural: Record<string, string> = {
      Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', ReplicaSet: 'replicasets', ReplicationController: 'replicationcontrollers',
      Job: 'jobs', CronJob: 'cronjobs', Rollout: 'rollouts', Pod: 'pods',
    };
    for (const k of JUDGED_KINDS) assert.ok(resources.includes(plural[k]), `${k} is sent to the webhook`);
    assert.ok(resources.includes('pods/ephemeralcontainers'));
    assert.equal(resources.length, WEBHOOK_RULES.flatMap((r) => r.resources).length);
  });

  test('namespaceSelector excludes kube-system, its own namespace and the bypass label; matchConditions skip its own service account', () => {
    const [hook] = byKind(webhookManifests({ namespace: 'sec', image: 'i', failureMode: 'closed' }) as Obj[], 'ValidatingWebhookConfiguration').webhooks;
    assert.deepEqual(hook.namespaceSelector.matchExpressions, [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'sec'] },
      { key: BYPASS_LABEL, operator: 'DoesNotExist' },
    ]);
    assert.deepEqual(hook.matchConditions, [{ name: 'not-the-webhook-itself', expression: "request.userInfo.username != 'system:serviceaccount:sec:portcullis-webhook'" }]);
  });

  test('Deployment: 2 replicas, PDB, probes on the metrics port, limits, non-root, read-only root filesystem', () => {
    const objs = webhookManifests({ namespace: 'portcullis', image: 'portcullis:0.1.0', failureMode: 'closed' }) as Obj[];
    const d = byKind(objs, 'Deployment');
    assert.equal(d.spec.replicas, 2);
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
    assert.ok(c.resources.limits.cpu && c.resources.limits.memory);
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.image, 'portcullis:0.1.0');
    assert.deepEqual(c.args.slice(0, 1), ['webhook']);
    assert.equal(pod.serviceAccountName, 'portcullis-webhook');
    const pdb = byKind(objs, 'PodDisruptionBudget');
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, d.spec.selector.matchLabels);
    const svc = byKind(objs, 'Service');
    assert.deepEqual(svc.spec.selector, d.spec.selector.matchLabels);
    assert.ok(svc.spec.ports.some((p: Obj) => p.port === 443 && p.targetPort === 'https'));
    byKind(objs, 'ServiceAccount');
  });

  test('--tls-self-signed: a TLS Secret and the matching caBundle; YAML output round-trips', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-manifests-'));
    dirs.push(dir);
    const tls = await selfSignedTls(dir, { service: 'portcullis-webhook', namespace: 'portcullis' });
    const objs = webhookManifests({ namespace: 'portcullis', image: 'portcullis:0.1.0', failureMode: 'closed', tls }) as Obj[];
    for (const o of objs) await validateKubeObject(o);
    const secret = byKind(objs, 'Secret');
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.equal(Buffer.from(secret.data['tls.crt'], 'base64').toString(), tls.cert);
    const vwc = byKind(objs, 'ValidatingWebhookConfiguration');
    assert.equal(vwc.webhooks[0].clientConfig.caBundle, tls.caBundle);
    assert.equal(vwc.metadata.annotations, undefined);
    const docs = parseAllDocuments(manifestsYaml(objs)).map((d) => d.toJS() as Obj);
    assert.deepEqual(docs, objs);
  });
});
