/**
 * Builders for admission tests: workload objects of every judged kind (valid against the
 * Kubernetes schemas, which the tests check), AdmissionReview requests around them, and a policy.
 */
import { randomUUID } from 'node:crypto';

export const POLICY_YAML = `apiVersion: portcullis.dev/v1
kind: ScanStatusThresholds
metadata:
  name: thresholds
spec:
  warnThreshold: 4.0
  failThreshold: 7.0
  unknownImageAction: Reject
---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata:
  name: sandbox-allows-all
spec:
  order: 5
  selector: all()
  namespaceSelector: tier == "sandbox"
  rules:
  - action: Allow
---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata:
  name: reject-failed
spec:
  order: 10
  selector: all()
  namespaceSelector: all()
  rules:
  - action: Allow
    imageScanStatus:
      operator: IsOneOf
      values: [Pass, Warn]
  - action: Reject
`;

export type Container = { name: string; image: string };
type Obj = Record<string, unknown>;

const podSpec = (containers: Container[], init: Container[] = [], restartPolicy?: string): Obj => ({
  ...(init.length ? { initContainers: init } : {}),
  containers,
  ...(restartPolicy ? { restartPolicy } : {}),
});

const template = (containers: Container[], init: Container[] = [], restartPolicy?: string): Obj => ({
  metadata: { labels: { app: 'checkout' } },
  spec: podSpec(containers, init, restartPolicy),
});

export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  resource: string;
  build: (name: string, containers: Container[], init?: Container[]) => Obj;
}

const meta = (name: string, kind: string, apiVersion: string): Obj => ({
  apiVersion, kind, metadata: { name, namespace: 'shop', labels: { app: 'checkout', team: 'payments' } },
});
const selector = { matchLabels: { app: 'checkout' } };

/** Every kind the webhook judges (Pod's ephemeral containers are built separately). */
export const KINDS: KindInfo[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', build: (n, c, i) => ({ ...meta(n, 'Deployment', 'apps/v1'), spec: { replicas: 2, selector, template: template(c, i) } }) },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', build: (n, c, i) => ({ ...meta(n, 'StatefulSet', 'apps/v1'), spec: { serviceName: n, selector, template: template(c, i) } }) },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', build: (n, c, i) => ({ ...meta(n, 'DaemonSet', 'apps/v1'), spec: { selector, template: template(c, i) } }) },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', build: (n, c, i) => ({ ...meta(n, 'ReplicaSet', 'apps/v1'), spec: { selector, template: template(c, i) } }) },
  { group: '', version: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', build: (n, c, i) => ({ ...meta(n, 'ReplicationController', 'v1'), spec: { selector: { app: 'checkout' }, template: template(c, i) } }) },
  { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', build: (n, c, i) => ({ ...meta(n, 'Job', 'batch/v1'), spec: { template: template(c, i, 'Never') } }) },
  { group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', build: (n, c, i) => ({ ...meta(n, 'CronJob', 'batch/v1'), spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template(c, i, 'OnFailure') } } } }) },
  { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', resource: 'rollouts', build: (n, c, i) => ({ ...meta(n, 'Rollout', 'argoproj.io/v1alpha1'), spec: { selector, template: template(c, i), strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } } }) },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', build: (n, c, i) => ({ ...meta(n, 'Pod', 'v1'), spec: podSpec(c, i) }) },
];

export function kindInfo(kind: string): KindInfo {
  const k = KINDS.find((x) => x.kind === kind);
  if (!k) throw new Error(`no such kind ${kind}`);
  return k;
}

export interface ReviewOptions {
  apiVersion?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  oldObject?: Obj;
  dryRun?: boolean;
  subResource?: string;
  user?: string;
  namespace?: string;
  uid?: string;
}

/** An AdmissionReview request as kube-apiserver sends it. */
export function admissionReview(info: Pick<KindInfo, 'group' | 'version' | 'kind' | 'resource'>, object: Obj | undefined, o: ReviewOptions = {}): Obj {
  const name = ((object?.metadata ?? o.oldObject?.metadata) as { name?: string } | undefined)?.name ?? '';
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const gvr = { group: info.group, version: info.version, resource: info.resource };
  return {
    apiVersion: o.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: o.uid ?? randomUUID(),
      kind: gvk, resource: gvr,
      ...(o.subResource ? { subResource: o.subResource } : {}),
      requestKind: gvk, requestResource: gvr,
      name,
      namespace: o.namespace ?? 'shop',
      operation: o.operation ?? 'CREATE',
      userInfo: { username: o.user ?? 'alice@example.com', groups: ['system:authenticated'] },
      object: object ?? null,
      oldObject: o.oldObject ?? null,
      dryRun: o.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: o.operation === 'UPDATE' ? 'UpdateOptions' : 'CreateOptions' },
    },
  };
}

/** The same Pod with ephemeral containers added (what `kubectl debug` sends to pods/ephemeralcontainers). */
export function withEphemeral(pod: Obj, containers: Container[]): Obj {
  const spec = pod.spec as Obj;
  return { ...pod, spec: { ...spec, ephemeralContainers: containers.map((c) => ({ ...c, targetContainerName: 'app' })) } };
}
