/**
 * Everything in deploy/argocd and deploy/argo-events validated against its schema: Kubernetes and
 * Argo CD / Workflows kinds with the kubernetes-models packages, Argo Events kinds with the schema
 * written down from its API reference (test/argo-events-schema.ts); the Helm snippet after
 * rendering it with its values; the Kustomize component's resources. Then what the files promise:
 * a PreSync bare Pod kept on failure, pinned images, limits, non-root, the token from a Secret,
 * and arguments the CLI accepts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the documents are walked by path after the schema validation above has typed them */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { EVENT_SOURCE_SCHEMA, SENSOR_SCHEMA } from '../../test/argo-events-schema.ts';
import { validateKubeObject } from '../../test/kube-models.ts';
import { parseAppName } from '../cli/gate.ts';
import { parseImageRef } from '../image/index.ts';
import { discoverImages, listImages, parseManifests } from '../manifests/index.ts';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const MINE = ['argocd', 'argo-events'];

type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> } };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ya?ml$/.test(n) ? [p] : [];
  }).sort();
}

const HELM_TEMPLATE = join(DEPLOY, 'argocd/helm/templates/portcullis-gate.yaml');

/**
 * The snippet uses only `{{ .Values.a.b }}` and `{{ .Release.Name }}` (no control structures), so
 * substituting those is all `helm template` would do to it; anything else left is an error.
 */
function renderHelm(text: string, values: Record<string, unknown>, release: string): string {
  const out = text.replace(/\{\{-?\s*\.(Values(?:\.[A-Za-z0-9_]+)+|Release\.Name)\s*-?\}\}/g, (_m, path: string) => {
    if (path === 'Release.Name') return release;
    let v: unknown = values;
    for (const k of path.split('.').slice(1)) v = (v as Record<string, unknown>)[k];
    assert.equal(typeof v, 'string', `${path} has a value`);
    return v as string;
  });
  assert.ok(!out.includes('{{'), 'only .Values and .Release.Name are used');
  return out;
}

function documents(file: string): Obj[] {
  let text = readFileSync(file, 'utf8');
  if (file === HELM_TEMPLATE) text = renderHelm(text, parse(readFileSync(join(DEPLOY, 'argocd/helm/values.yaml'), 'utf8')) as Record<string, unknown>, 'shop');
  return parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, [], `${file}: YAML errors`);
    return d.toJS() as Obj;
  }).filter((o) => o !== null);
}

const ajv = new Ajv({ allErrors: true, strict: false });
const eventsSchemas: Record<string, ReturnType<typeof ajv.compile>> = { EventSource: ajv.compile(EVENT_SOURCE_SCHEMA), Sensor: ajv.compile(SENSOR_SCHEMA) };
const all = MINE.flatMap((d) => files(join(DEPLOY, d))).map((f) => ({ file: relative(DEPLOY, f), objects: documents(f) }));
const find = (kind: string, file?: string): Obj[] => all.filter((x) => !file || x.file === file).flatMap((x) => x.objects).filter((o) => o.kind === kind);
const DIGEST_PINNED = /@sha256:[a-f0-9]{64}$/;

describe('deploy/ files', () => {
  it('every object is valid against its schema', async () => {
    let validated = 0;
    for (const { file, objects } of all) {
      for (const o of objects) {
        if (o.apiVersion?.startsWith('kustomize.config.k8s.io/') || file.endsWith('helm/values.yaml')) continue;
        const events = eventsSchemas[o.kind];
        if (events) {
          assert.ok(events(o), `${file} ${o.kind}: ${ajv.errorsText(events.errors)}`);
        } else {
          await validateKubeObject(o).catch((e: Error) => assert.fail(`${file}: ${e.message}`));
        }
        validated++;
      }
    }
    assert.ok(validated >= 12, `validated ${validated} objects`);
  });

  it('the Argo Events schemas reject what the docs do not allow', () => {
    const es = structuredClone(find('EventSource')[0]!) as Obj & { spec: { github: { push: Record<string, unknown> } } };
    es.spec.github.push['event'] = ['push'];
    assert.equal(eventsSchemas.EventSource!(es), false);
    const sensor = structuredClone(find('Sensor')[0]!) as Obj & { spec: Record<string, unknown> };
    delete sensor.spec['dependencies'];
    assert.equal(eventsSchemas.Sensor!(sensor), false);
  });

  it('the Kustomize component lists exactly its resources, which exist', () => {
    const k = find('Component', 'argocd/hook/kustomization.yaml')[0] as Obj & { resources: string[] };
    assert.equal(k.apiVersion, 'kustomize.config.k8s.io/v1alpha1');
    assert.deepEqual(k.resources.sort(), readdirSync(join(DEPLOY, 'argocd/hook')).filter((f) => f !== 'kustomization.yaml').sort());
  });

  for (const file of ['argocd/hook/pod.yaml', 'argocd/helm/templates/portcullis-gate.yaml']) {
    it(`${file}: a PreSync bare Pod kept on failure, pinned, limited, non-root, token from a Secret`, () => {
      const pod = find('Pod', file)[0] as Obj & { spec: Record<string, any> };
      assert.equal(pod.metadata.annotations!['argocd.argoproj.io/hook'], 'PreSync');
      assert.equal(pod.metadata.annotations!['argocd.argoproj.io/hook-delete-policy'], 'BeforeHookCreation');
      assert.match(pod.metadata.annotations!['argocd.argoproj.io/sync-wave']!, /^-\d+$/);
      const sa = find('ServiceAccount', file.includes('helm') ? file : 'argocd/hook/serviceaccount.yaml')[0]!;
      assert.equal(pod.spec.serviceAccountName, sa.metadata.name);
      assert.equal(pod.spec.restartPolicy, 'Never');
      assert.equal(pod.spec.securityContext.runAsNonRoot, true);
      for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
        assert.match(c.image, DIGEST_PINNED, `${c.name} pinned by digest`);
        assert.ok(c.resources.limits.memory && c.resources.limits.cpu, `${c.name} has limits`);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      }
      const gate = pod.spec.containers[0];
      assert.equal(gate.terminationMessagePath, '/dev/termination-log');
      assert.deepEqual(gate.env.find((e: { name: string }) => e.name === 'ARGOCD_AUTH_TOKEN').valueFrom.secretKeyRef, { name: 'portcullis-argocd-token', key: 'token' });
      assert.equal(gate.args[0], 'gate');
      assert.ok(gate.args.some((a: string) => a.startsWith('--argocd-app=')));
      // Every volume a container mounts exists.
      const volumes = new Set(pod.spec.volumes.map((v: { name: string }) => v.name));
      for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) for (const m of c.volumeMounts) assert.ok(volumes.has(m.name), m.name);
    });
  }

  it('the gate finds its own hook\'s images (it judges the scanner too)', () => {
    const { objects } = parseManifests(readFileSync(join(DEPLOY, 'argocd/hook/pod.yaml'), 'utf8'), 'pod.yaml');
    const images = listImages(discoverImages(objects));
    assert.deepEqual(images.map((i) => i.container), ['db', 'gate']);
    for (const i of images) assert.match(i.resolved!, DIGEST_PINNED);
  });

  it('--argocd-app as the hook passes it: tracking annotation and/or instance label', () => {
    assert.deepEqual(parseAppName('shop:/Pod:shop/portcullis-gate'), { app: 'shop' });
    assert.deepEqual(parseAppName('team-a_shop:/Pod:shop/portcullis-gate'), { app: 'shop', appNamespace: 'team-a' });
    assert.deepEqual(parseAppName('shop:/Pod:shop/portcullis-gateshop'), { app: 'shop' }, 'annotation+label');
    assert.deepEqual(parseAppName('shop'), { app: 'shop' }, 'label tracking');
    assert.throws(() => parseAppName(''), /empty application name/);
  });

  it('the Application adds the component; the Sensor fills the WorkflowTemplate\'s parameters', () => {
    const app = find('Application')[0] as Obj & { spec: { source: { kustomize: { components: string[] } } } };
    assert.equal(app.spec.source.kustomize.components.length, 1);
    const wt = find('WorkflowTemplate')[0] as Obj & { spec: Record<string, any> };
    const sensor = find('Sensor')[0] as Obj & { spec: Record<string, any> };
    const trigger = sensor.spec.triggers[0].template.argoWorkflow;
    assert.equal(trigger.source.resource.spec.workflowTemplateRef.name, wt.metadata.name);
    const declared = wt.spec.arguments.parameters.map((p: { name: string }) => p.name);
    const passed = trigger.source.resource.spec.arguments.parameters.map((p: { name: string }) => p.name);
    for (const p of passed) assert.ok(declared.includes(p), `${p} is a parameter of the template`);
    for (const p of trigger.parameters) assert.match(p.dest, /^spec\.arguments\.parameters\.\d+\.value$/);
    // Every {{workflow.parameters.X}} used is declared.
    for (const m of JSON.stringify(wt).matchAll(/\{\{workflow\.parameters\.([a-z-]+)\}\}/g)) assert.ok(declared.includes(m[1]), m[1]);
  });

  it('the WorkflowTemplate scans the built digest with --exit-code 1 and keeps SARIF and HTML', () => {
    const wt = find('WorkflowTemplate')[0] as Obj & { spec: { templates: any[] } };
    const byName = new Map(wt.spec.templates.map((t) => [t.name, t]));
    const gate = byName.get('gate');
    assert.deepEqual(gate.container.args.slice(0, 2), ['scan', '{{workflow.parameters.image}}@{{inputs.parameters.digest}}']);
    assert.ok(gate.container.args.includes('--exit-code=1'));
    const artifacts = wt.spec.templates.flatMap((t) => t.outputs?.artifacts ?? []).map((a: { name: string; path: string }) => [a.name, a.path.split('.').pop()]);
    assert.deepEqual(artifacts, [['html', 'html'], ['sarif', 'sarif']]);
    for (const t of wt.spec.templates) if (t.container) assert.match(t.container.image, DIGEST_PINNED, `${t.name} pinned`);
    for (const t of wt.spec.templates) if (t.container?.image.includes('portcullis')) assert.doesNotThrow(() => parseImageRef(t.container.image));
  });
});
