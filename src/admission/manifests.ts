import { stringify } from 'yaml';
import type { SelfSigned } from './tls.ts';

/**
 * `portcullis webhook manifests`: everything to run the webhook in a cluster, as plain objects
 * (validated against the Kubernetes schemas in the tests).
 *
 * TLS comes from a Secret `NAME-tls` (tls.crt, tls.key). Either `--tls-self-signed DIR` makes it
 * here (the Secret and the caBundle are printed), or cert-manager issues it and injects the CA
 * (the `cert-manager.io/inject-ca-from` annotation; docs/admission.md has the Certificate).
 * Self-signed certificates are made once, outside the pods: every replica must serve the same
 * certificate the caBundle vouches for.
 */

/** The label that takes a namespace out of the webhook's reach: cluster admins' emergency bypass. */
export const BYPASS_LABEL = 'portcullis.dev/bypass';
export const DEFAULT_NAME = 'portcullis-webhook';

export interface ManifestOptions {
  namespace: string;
  /** Name of the Deployment, Service, ServiceAccount and Secret. */
  name?: string;
  image: string;
  failureMode: 'open' | 'closed';
  /** Seconds kube-apiserver waits for an answer (1-30). */
  timeoutSeconds?: number;
  replicas?: number;
  /** Self-signed TLS made by selfSignedTls: printed as a Secret plus the caBundle. */
  tls?: SelfSigned;
  /** A CA bundle (PEM) for a Secret made elsewhere; without it and without `tls`, cert-manager injects it. */
  caPem?: string;
  /** PersistentVolumeClaim holding the result store. */
  storeClaim?: string;
  unknownImageAction?: string;
}

type Obj = Record<string, unknown>;

/** The kinds and resources the webhook judges, grouped as a ValidatingWebhookConfiguration's rules. */
export const WEBHOOK_RULES = [
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['argoproj.io'], apiVersions: ['v1alpha1'], resources: ['rollouts'] },
] as const;

export function webhookManifests(o: ManifestOptions): Obj[] {
  const name = o.name ?? DEFAULT_NAME;
  const ns = o.namespace;
  const labels = { 'app.kubernetes.io/name': 'portcullis', 'app.kubernetes.io/component': 'admission-webhook', 'app.kubernetes.io/instance': name };
  const selector = { 'app.kubernetes.io/instance': name };
  const meta = (n: string, extra: Obj = {}): Obj => ({ name: n, namespace: ns, labels, ...extra });
  const tlsSecret = `${name}-tls`;
  const serviceAccount = `system:serviceaccount:${ns}:${name}`;
  const caPem = o.tls?.ca ?? o.caPem;
  const args = [
    'webhook', '--policy', '/etc/portcullis/policy.yaml', '--store', '/var/lib/portcullis/store.db',
    '--tls-cert', '/tls/tls.crt', '--tls-key', '/tls/tls.key', '--port', '8443', '--metrics-port', '9090',
    ...(o.unknownImageAction ? ['--unknown-image-action', o.unknownImageAction] : []),
  ];
  const out: Obj[] = [];
  out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name), automountServiceAccountToken: true });
  // Namespace labels for ContainerAdmissionPolicy's namespaceSelector, watched by an informer.
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${name}-namespaces`, labels },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }],
  });
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${name}-namespaces`, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${name}-namespaces` },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  });
  if (o.tls) {
    out.push({
      apiVersion: 'v1', kind: 'Secret', metadata: meta(tlsSecret), type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(o.tls.cert).toString('base64'), 'tls.key': Buffer.from(o.tls.key).toString('base64'), 'ca.crt': Buffer.from(o.tls.ca).toString('base64') },
    });
  }
  out.push({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name),
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          // Replicas on different nodes, so one node going away does not take admission with it.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
              }],
            },
          },
          containers: [{
            name: 'webhook',
            image: o.image,
            args,
            ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 5, failureThreshold: 2 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10, failureThreshold: 3 },
            startupProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 2, failureThreshold: 30 },
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
            securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            volumeMounts: [
              { name: 'tls', mountPath: '/tls', readOnly: true },
              { name: 'policy', mountPath: '/etc/portcullis', readOnly: true },
              { name: 'store', mountPath: '/var/lib/portcullis' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'tls', secret: { secretName: tlsSecret } },
            { name: 'policy', configMap: { name: 'portcullis-policy' } },
            { name: 'store', persistentVolumeClaim: { claimName: o.storeClaim ?? 'portcullis-store' } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  });
  out.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(name), spec: { minAvailable: 1, selector: { matchLabels: selector } } });
  out.push({
    apiVersion: 'v1', kind: 'Service', metadata: meta(name),
    spec: {
      selector,
      ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }],
    },
  });
  out.push({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration',
    metadata: { name, labels, ...(caPem ? {} : { annotations: { 'cert-manager.io/inject-ca-from': `${ns}/${name}` } }) },
    webhooks: [{
      name: 'images.portcullis.dev',
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      timeoutSeconds: o.timeoutSeconds ?? 5,
      failurePolicy: o.failureMode === 'open' ? 'Ignore' : 'Fail',
      matchPolicy: 'Equivalent',
      clientConfig: {
        service: { name, namespace: ns, path: '/validate', port: 443 },
        ...(caPem ? { caBundle: Buffer.from(caPem).toString('base64') } : {}),
      },
      rules: WEBHOOK_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups], apiVersions: [...r.apiVersions], resources: [...r.resources], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' })),
      // Never its own namespace (it must be able to start), kube-system, or a namespace a
      // cluster admin labelled for the emergency bypass.
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', ns] },
          { key: BYPASS_LABEL, operator: 'DoesNotExist' },
        ],
      },
      matchConditions: [{ name: 'not-the-webhook-itself', expression: `request.userInfo.username != '${serviceAccount}'` }],
    }],
  });
  return out;
}

export function manifestsYaml(objects: readonly Obj[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
