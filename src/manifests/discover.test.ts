import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { validateKubeObject } from '../../test/kube-models.ts';
import { discoverImages, listImages, parseImagePaths, readManifests } from './index.ts';
import type { ImageEntry } from './index.ts';

// What `helm template` prints: a leading separator, `# Source:` comments, documents that are only
// comments (templates rendered empty by a false `if`), and two charts (a sub-chart's images too).
const HELM_OUTPUT = `---
# Source: shop/charts/redis/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: shop-redis
---
# Source: shop/templates/hpa.yaml
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop
  labels:
    app.kubernetes.io/name: shop
spec:
  selector:
    app.kubernetes.io/name: shop
  ports:
    - port: 80
      targetPort: http
---
# Source: shop/charts/redis/templates/statefulset.yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: shop-redis
  namespace: shop
  labels: {app.kubernetes.io/name: redis, helm.sh/chart: redis-19.0.1}
spec:
  serviceName: shop-redis
  selector:
    matchLabels: {app.kubernetes.io/name: redis}
  template:
    metadata:
      labels: {app.kubernetes.io/name: redis}
    spec:
      containers:
        - name: redis
          image: "registry.example.com:5000/bitnami/redis:7.2.4-debian-12-r9"
        - name: metrics
          image: bitnami/redis-exporter:1.58.0
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
  labels:
    app.kubernetes.io/name: shop
    tier: frontend
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: shop
  template:
    metadata:
      labels:
        app.kubernetes.io/name: shop
    spec:
      initContainers:
        - name: migrate
          image: ghcr.io/example/shop-migrations:v1.2.4
          command: ["/migrate", "up"]
        - name: istio-proxy        # a native sidecar: an init container that keeps running
          image: docker.io/istio/proxyv2:1.22.0
          restartPolicy: Always
      containers:
        - name: shop
          image: ghcr.io/example/shop@sha256:${'a'.repeat(64)}
          ports:
            - name: http
              containerPort: 8080
        - name: log-shipper
          image: fluent/fluent-bit
      volumes:
        - name: model
          image:
            reference: quay.io/example/model-weights:2024-06
            pullPolicy: IfNotPresent
        - name: tmp
          emptyDir: {}
---
# Source: shop/templates/tests/test-connection.yaml
---
# Source: shop/templates/cronjob.yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: shop-report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: localhost:5000/shop/report:2.0
---
# Source: shop/templates/job.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: shop-seed
  namespace: shop
  annotations:
    helm.sh/hook: post-install
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: seed
          image: busybox:1.36
`;

// What `kustomize build` prints: no comments, sorted, Namespace first.
const KUSTOMIZE_OUTPUT = `apiVersion: v1
kind: Namespace
metadata:
  labels:
    environment: production
    team: payments
  name: payments
---
apiVersion: v1
kind: Pod
metadata:
  labels:
    app: debug
  name: payments-debug
  namespace: payments
spec:
  containers:
  - image: nginx
    name: web
  ephemeralContainers:
  - image: nicolaka/netshoot:v0.13
    name: debugger
    targetContainerName: web
---
apiVersion: v1
kind: PodTemplate
metadata:
  name: payments-template
  namespace: payments
template:
  metadata:
    labels:
      app: tpl
  spec:
    containers:
    - image: registry.k8s.io/pause:3.9
      name: pause
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: payments-legacy
  namespace: payments
spec:
  replicas: 1
  selector:
    app: legacy
  template:
    metadata:
      labels:
        app: legacy
    spec:
      containers:
      - image: docker.io/library/httpd:2.4
        name: httpd
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: payments-agent
  namespace: payments
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - image: index.docker.io/datadog/agent:7
        name: agent
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: payments-rs
  namespace: payments
spec:
  selector:
    matchLabels:
      app: rs
  template:
    metadata:
      labels:
        app: rs
    spec:
      containers:
      - image: alpine:3.20@sha256:${'b'.repeat(64)}
        name: main
`;

const ROLLOUTS = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: checkout
  namespace: shop
  labels: {app: checkout}
spec:
  replicas: 3
  selector:
    matchLabels: {app: checkout}
  strategy:
    canary:
      steps: [{setWeight: 20}, {pause: {}}]
  template:
    metadata:
      labels: {app: checkout}
    spec:
      containers:
        - name: checkout
          image: ghcr.io/example/checkout:3.1.0
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: cart
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: cart}
  workloadRef:
    apiVersion: apps/v1
    kind: Deployment
    name: cart
  strategy:
    blueGreen: {activeService: cart}
`;

const WORKFLOWS = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: build-
  namespace: ci
spec:
  entrypoint: main
  templateDefaults:
    container:
      name: main
      image: alpine:3.20
  templates:
    - name: main
      dag:
        tasks:
          - name: build
            template: build
    - name: build
      container:
        name: main
        image: gcr.io/kaniko-project/executor:v1.23.0
        args: ["--no-push"]
    - name: defaulted
      container:
        name: main
        command: [sh, -c, "true"]
    - name: lint
      script:
        name: main
        image: python:3.12-slim
        command: [python]
        source: print("ok")
    - name: pipeline
      containerSet:
        containers:
          - name: main
            image: golang:1.22
          - name: db
            image: postgres:16
      initContainers:
        - name: fetch
          image: alpine/git:2.45.2
      sidecars:
        - name: dind
          image: docker:27-dind
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: scan
  namespace: ci
spec:
  templates:
    - name: scan
      container:
        name: main
        image: ghcr.io/example/portcullis:0.1.0
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata:
  name: notify
spec:
  templates:
    - name: slack
      script:
        name: main
        image: curlimages/curl:8.8.0
        command: [sh]
        source: curl -s https://example.invalid
---
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
  namespace: ci
spec:
  schedules: ["0 1 * * *"]
  workflowSpec:
    entrypoint: run
    templates:
      - name: run
        container:
          name: main
          image: ubuntu:24.04
`;

// A custom resource with images in a list and in a nested field, reached only through paths.
const CUSTOM = `apiVersion: pipelines.example.com/v1
kind: Pipeline
metadata:
  name: etl
  namespace: data
spec:
  components:
    - name: extract
      image: ghcr.io/example/extract:1.0
    - name: load
      image: ghcr.io/example/load:1.0
  monitor:
    image: prom/prometheus:v2.53.0
---
apiVersion: pipelines.example.com/v2
kind: Pipeline
metadata:
  name: other-version
spec:
  components:
    - name: x
      image: ghcr.io/example/v2-only:1.0
`;

const IMAGE_PATHS = `- apiVersion: pipelines.example.com/v1
  kind: Pipeline
  paths:
    - spec.components[*].image
    - $.spec.monitor.image
`;

// \`kubectl get deploy -o json\`: a v1 List, and a typed DeploymentList.
const deployment = (name: string, image: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'web' },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } } },
});
const JSON_LIST = JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [deployment('api', 'ghcr.io/example/api:1'), deployment('worker', 'ghcr.io/example/worker:1')] }, null, 2);
const TYPED_LIST = JSON.stringify({ apiVersion: 'apps/v1', kind: 'DeploymentList', items: [deployment('cart', 'ghcr.io/example/cart:2')] });

const e = (kind: string, namespace: string | null, name: string | null, container: string, image: string, resolved: string | null): ImageEntry =>
  ({ kind, namespace, name, container, image, resolved });
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const EXPECTED_HELM: ImageEntry[] = [
  e('StatefulSet', 'shop', 'shop-redis', 'redis', 'registry.example.com:5000/bitnami/redis:7.2.4-debian-12-r9', 'registry.example.com:5000/bitnami/redis:7.2.4-debian-12-r9'),
  e('StatefulSet', 'shop', 'shop-redis', 'metrics', 'bitnami/redis-exporter:1.58.0', 'docker.io/bitnami/redis-exporter:1.58.0'),
  e('Deployment', 'shop', 'shop', 'migrate', 'ghcr.io/example/shop-migrations:v1.2.4', 'ghcr.io/example/shop-migrations:v1.2.4'),
  e('Deployment', 'shop', 'shop', 'istio-proxy', 'docker.io/istio/proxyv2:1.22.0', 'docker.io/istio/proxyv2:1.22.0'),
  e('Deployment', 'shop', 'shop', 'shop', `ghcr.io/example/shop@${A}`, `ghcr.io/example/shop@${A}`),
  e('Deployment', 'shop', 'shop', 'log-shipper', 'fluent/fluent-bit', 'docker.io/fluent/fluent-bit:latest'),
  e('Deployment', 'shop', 'shop', 'model', 'quay.io/example/model-weights:2024-06', 'quay.io/example/model-weights:2024-06'),
  e('CronJob', null, 'shop-report', 'report', 'localhost:5000/shop/report:2.0', 'localhost:5000/shop/report:2.0'),
  e('Job', 'shop', 'shop-seed', 'seed', 'busybox:1.36', 'docker.io/library/busybox:1.36'),
];
const EXPECTED_KUSTOMIZE: ImageEntry[] = [
  e('Pod', 'payments', 'payments-debug', 'web', 'nginx', 'docker.io/library/nginx:latest'),
  e('Pod', 'payments', 'payments-debug', 'debugger', 'nicolaka/netshoot:v0.13', 'docker.io/nicolaka/netshoot:v0.13'),
  e('PodTemplate', 'payments', 'payments-template', 'pause', 'registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'),
  e('ReplicationController', 'payments', 'payments-legacy', 'httpd', 'docker.io/library/httpd:2.4', 'docker.io/library/httpd:2.4'),
  e('DaemonSet', 'payments', 'payments-agent', 'agent', 'index.docker.io/datadog/agent:7', 'docker.io/datadog/agent:7'),
  e('ReplicaSet', 'payments', 'payments-rs', 'main', `alpine:3.20@${B}`, `docker.io/library/alpine:3.20@${B}`),
];
const EXPECTED_ROLLOUTS: ImageEntry[] = [
  e('Rollout', 'shop', 'checkout', 'checkout', 'ghcr.io/example/checkout:3.1.0', 'ghcr.io/example/checkout:3.1.0'),
];
const EXPECTED_WORKFLOWS: ImageEntry[] = [
  e('Workflow', 'ci', 'build-', 'build', 'gcr.io/kaniko-project/executor:v1.23.0', 'gcr.io/kaniko-project/executor:v1.23.0'),
  e('Workflow', 'ci', 'build-', 'defaulted', 'alpine:3.20', 'docker.io/library/alpine:3.20'),
  e('Workflow', 'ci', 'build-', 'lint', 'python:3.12-slim', 'docker.io/library/python:3.12-slim'),
  e('Workflow', 'ci', 'build-', 'pipeline/main', 'golang:1.22', 'docker.io/library/golang:1.22'),
  e('Workflow', 'ci', 'build-', 'pipeline/db', 'postgres:16', 'docker.io/library/postgres:16'),
  e('Workflow', 'ci', 'build-', 'pipeline/fetch', 'alpine/git:2.45.2', 'docker.io/alpine/git:2.45.2'),
  e('Workflow', 'ci', 'build-', 'pipeline/dind', 'docker:27-dind', 'docker.io/library/docker:27-dind'),
  e('WorkflowTemplate', 'ci', 'scan', 'scan', 'ghcr.io/example/portcullis:0.1.0', 'ghcr.io/example/portcullis:0.1.0'),
  e('ClusterWorkflowTemplate', null, 'notify', 'slack', 'curlimages/curl:8.8.0', 'docker.io/curlimages/curl:8.8.0'),
  e('CronWorkflow', 'ci', 'nightly', 'run', 'ubuntu:24.04', 'docker.io/library/ubuntu:24.04'),
];
const EXPECTED_CUSTOM: ImageEntry[] = [
  e('Pipeline', 'data', 'etl', 'extract', 'ghcr.io/example/extract:1.0', 'ghcr.io/example/extract:1.0'),
  e('Pipeline', 'data', 'etl', 'load', 'ghcr.io/example/load:1.0', 'ghcr.io/example/load:1.0'),
  e('Pipeline', 'data', 'etl', 'spec.monitor.image', 'prom/prometheus:v2.53.0', 'docker.io/prom/prometheus:v2.53.0'),
];
const EXPECTED_LISTS: ImageEntry[] = [
  e('Deployment', 'web', 'api', 'api', 'ghcr.io/example/api:1', 'ghcr.io/example/api:1'),
  e('Deployment', 'web', 'worker', 'worker', 'ghcr.io/example/worker:1', 'ghcr.io/example/worker:1'),
  e('Deployment', 'web', 'cart', 'cart', 'ghcr.io/example/cart:2', 'ghcr.io/example/cart:2'),
];

const text = (s: string) => Readable.from([Buffer.from(s)]);
async function list(inputs: string[], stdin?: string, paths?: string) {
  const read = await readManifests(inputs, stdin === undefined ? {} : { stdin: text(stdin) });
  const d = discoverImages(read.objects, paths ? { imagePaths: parseImagePaths(paths, 'paths.yaml') } : {});
  return { entries: listImages(d), discovery: d, read };
}

describe('image discovery', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-manifests-'));
    await mkdir(join(dir, 'app/base/nested'), { recursive: true });
    await mkdir(join(dir, 'app/.git'), { recursive: true });
    await writeFile(join(dir, 'app/base/00-helm.yaml'), HELM_OUTPUT);
    await writeFile(join(dir, 'app/base/nested/10-kustomize.yml'), KUSTOMIZE_OUTPUT);
    await writeFile(join(dir, 'app/base/20-list.json'), JSON_LIST);
    await writeFile(join(dir, 'app/base/README.md'), 'image: not-a-manifest:1\n');
    await writeFile(join(dir, 'app/.git/config.yaml'), 'kind: Pod\nspec: {containers: [{name: x, image: from-git}]}\n');
    await symlink(join(dir, 'app'), join(dir, 'app/base/loop')); // never followed
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('the fixtures are objects the Kubernetes and Argo schemas accept', async () => {
    for (const src of [HELM_OUTPUT, KUSTOMIZE_OUTPUT, ROLLOUTS, WORKFLOWS, JSON_LIST, TYPED_LIST]) {
      for (const doc of parseAllDocuments(src)) {
        const o = doc.toJS() as Record<string, unknown> | null;
        if (!o) continue;
        const items = String(o['kind']).endsWith('List') ? (o['items'] as Record<string, unknown>[]) : [o];
        for (const item of items) await validateKubeObject(item);
      }
    }
  });

  it('finds every image of Helm output: sub-charts, init containers, native sidecars, image volumes, CronJobs', async () => {
    const { entries } = await list(['-'], HELM_OUTPUT);
    assert.deepEqual(entries, EXPECTED_HELM);
  });

  it('finds every image of kustomize output: Pod (ephemeral containers), PodTemplate, RC, DaemonSet, ReplicaSet', async () => {
    const { entries, discovery } = await list(['-'], KUSTOMIZE_OUTPUT);
    assert.deepEqual(entries, EXPECTED_KUSTOMIZE);
    assert.deepEqual(discovery.namespaces.get('payments'), { environment: 'production', team: 'payments' });
    assert.deepEqual(discovery.workloads.find((w) => w.name === 'payments-debug')?.labels, { app: 'debug' });
  });

  it('reads a directory recursively in name order, .yaml/.yml/.json only, skipping .git and symlinked directories', async () => {
    const { entries, read } = await list([join(dir, 'app')]);
    assert.deepEqual(read.files, [join(dir, 'app/base/00-helm.yaml'), join(dir, 'app/base/20-list.json'), join(dir, 'app/base/nested/10-kustomize.yml')]);
    assert.deepEqual(entries, [...EXPECTED_HELM, ...EXPECTED_LISTS.slice(0, 2), ...EXPECTED_KUSTOMIZE]);
  });

  it('expands v1 List and typed *List kinds, JSON included', async () => {
    const { entries } = await list(['-'], `${JSON_LIST}\n---\n${TYPED_LIST}\n`);
    assert.deepEqual(entries, EXPECTED_LISTS);
  });

  it('Argo Rollouts: the template is scanned, a workloadRef is reported and not followed', async () => {
    const { entries, discovery } = await list(['-'], ROLLOUTS);
    assert.deepEqual(entries, EXPECTED_ROLLOUTS);
    assert.equal(discovery.workloads.length, 2, 'the workloadRef Rollout is still a workload (with no images of its own)');
    assert.match(discovery.warnings.join('\n'), /Rollout shop\/cart .*workloadRef to Deployment cart is not followed/);
  });

  it('Argo Workflows: container, script, containerSet, initContainers, sidecars, templateDefaults, CronWorkflow', async () => {
    const { entries } = await list(['-'], WORKFLOWS);
    assert.deepEqual(entries, EXPECTED_WORKFLOWS);
  });

  it('custom resources through configured image paths, matched by apiVersion', async () => {
    const { entries } = await list(['-'], CUSTOM, IMAGE_PATHS);
    assert.deepEqual(entries, EXPECTED_CUSTOM);
    const anyVersion = await list(['-'], CUSTOM, 'imagePaths:\n- kind: Pipeline\n  apiVersion: pipelines.example.com/*\n  paths: ["spec.components[*].image"]\n');
    assert.deepEqual(anyVersion.entries.map((x) => x.image), ['ghcr.io/example/extract:1.0', 'ghcr.io/example/load:1.0', 'ghcr.io/example/v2-only:1.0']);
    const none = await list(['-'], CUSTOM);
    assert.deepEqual(none.entries, [], 'without paths a custom resource has no known images');
  });

  it('a kind of another API group is not a workload', async () => {
    const { entries } = await list(['-'], 'apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {spec: {containers: [{name: a, image: nginx}]}}}\n');
    assert.deepEqual(entries, []);
  });

  it('references that are not references keep the image as written, resolved null, and a warning', async () => {
    const { entries, discovery } = await list(['-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: "{{ .Values.image }}"}\n  - {name: b, image: "Nginx:1"}\n  - {name: c}\n');
    assert.deepEqual(entries, [e('Pod', null, 'p', 'a', '{{ .Values.image }}', null), e('Pod', null, 'p', 'b', 'Nginx:1', null)]);
    assert.deepEqual(discovery.warnings.map((w) => w.replace(/:.*?\)/, '')), [
      'Pod p at <stdin>: containers[2] (c): no image',
      'Pod p at <stdin>: container a: {{ .Values.image }}: invalid repository name "{{ .Values.image }}" (repository names must be lowercase)',
      'Pod p at <stdin>: container b: Nginx:1: invalid repository name "Nginx" (repository names must be lowercase)',
    ]);
  });

  it('a duplicated key keeps the last value (as Kubernetes applies it) and warns', async () => {
    const { entries, read } = await list(['-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx:1\n    image: nginx:2\n');
    assert.deepEqual(entries.map((x) => x.image), ['nginx:2']);
    assert.match(read.warnings.join(), /<stdin>:8: duplicate key "image"/);
  });
});
