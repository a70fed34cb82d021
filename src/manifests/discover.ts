import { ManifestError } from './errors.ts';
import { evaluatePath } from './json-path.ts';
import { ruleApplies } from './image-paths.ts';
import type { ImagePathRule } from './image-paths.ts';
import { imageEntry, podSpecImages } from './pod-spec.ts';
import { at, isObject } from './parse.ts';
import type { ContainerImage, Discovery, ImageEntry, KubeObject, LoadedObject, ManifestLimits } from './types.ts';
import { DEFAULT_MANIFEST_LIMITS, describeSource } from './types.ts';
import { workflowSpecImages } from './workflows.ts';

/**
 * Objects → workloads and their images. Built-in kinds are recognised by API group and kind
 * (a CRD that happens to be called `Deployment` in another group is not a Deployment); anything
 * else only through configured image paths.
 */

type Extractor = (o: KubeObject, where: string, warn: (m: string) => void) => ContainerImage[];

const podTemplate = (...path: string[]): Extractor => (o, where, warn) => podSpecImages(at(o, ...path), where, warn);

const rollout: Extractor = (o, where, warn) => {
  const ref = at(o, 'spec', 'workloadRef');
  if (isObject(ref)) {
    warn(`${where}: workloadRef to ${String(ref['kind'] ?? 'Deployment')} ${String(ref['name'])} is not followed; its images are found when that workload is among the manifests`);
    if (at(o, 'spec', 'template') === undefined) return [];
  }
  return podSpecImages(at(o, 'spec', 'template', 'spec'), where, warn);
};

const workflow = (...path: string[]): Extractor => (o, where, warn) => workflowSpecImages(at(o, ...path), where, warn);

/** API group → kind → extractor. '' is the core group; `extensions` holds the pre-1.16 workloads. */
const BUILT_IN: Readonly<Record<string, Readonly<Record<string, Extractor>>>> = {
  '': {
    Pod: podTemplate('spec'),
    PodTemplate: podTemplate('template', 'spec'),
    ReplicationController: podTemplate('spec', 'template', 'spec'),
  },
  apps: {
    Deployment: podTemplate('spec', 'template', 'spec'),
    StatefulSet: podTemplate('spec', 'template', 'spec'),
    DaemonSet: podTemplate('spec', 'template', 'spec'),
    ReplicaSet: podTemplate('spec', 'template', 'spec'),
  },
  extensions: {
    Deployment: podTemplate('spec', 'template', 'spec'),
    DaemonSet: podTemplate('spec', 'template', 'spec'),
    ReplicaSet: podTemplate('spec', 'template', 'spec'),
  },
  batch: {
    Job: podTemplate('spec', 'template', 'spec'),
    CronJob: podTemplate('spec', 'jobTemplate', 'spec', 'template', 'spec'),
  },
  'argoproj.io': {
    Rollout: rollout,
    Workflow: workflow('spec'),
    WorkflowTemplate: workflow('spec'),
    ClusterWorkflowTemplate: workflow('spec'),
    CronWorkflow: workflow('spec', 'workflowSpec'),
  },
};

export const WORKLOAD_KINDS: readonly string[] = [...new Set(Object.values(BUILT_IN).flatMap((k) => Object.keys(k)))];

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export interface DiscoverOptions {
  imagePaths?: readonly ImagePathRule[];
  limits?: Partial<ManifestLimits>;
}

export function discoverImages(objects: readonly LoadedObject[], options: DiscoverOptions = {}): Discovery {
  const maxImages = options.limits?.maxImages ?? DEFAULT_MANIFEST_LIMITS.maxImages;
  const rules = options.imagePaths ?? [];
  const discovery: Discovery = { workloads: [], namespaces: new Map(), warnings: [] };
  const warn = (m: string): void => { discovery.warnings.push(m); };
  let images = 0;
  for (const { object, source } of objects) {
    const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
    const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
    if (kind === '') continue; // not a Kubernetes object (a values file, a kustomization without kind)
    const metadata = object['metadata'];
    const name = str(at(metadata, 'name')) ?? str(at(metadata, 'generateName'));
    const namespace = str(at(metadata, 'namespace'));
    if (kind === 'Namespace' && groupOf(apiVersion) === '' && name) {
      discovery.namespaces.set(name, stringMap(at(metadata, 'labels')));
      continue;
    }
    const where = `${kind} ${namespace ? `${namespace}/` : ''}${name ?? '(unnamed)'} at ${describeSource(source)}`;
    const found: ContainerImage[] = [];
    const extractor = BUILT_IN[groupOf(apiVersion)]?.[kind];
    if (extractor) found.push(...extractor(object, where, warn));
    for (const rule of rules) {
      if (!ruleApplies(rule, apiVersion, kind)) continue;
      for (const path of rule.paths) {
        for (const m of evaluatePath(path, object)) {
          if (typeof m.value !== 'string' || m.value.trim() === '') {
            if (m.value !== undefined && m.value !== null) warn(`${where}: ${m.path} is not an image reference string`);
            continue;
          }
          const holderName = isObject(m.parent) && typeof m.parent['name'] === 'string' && m.parent['name'] !== '' ? m.parent['name'] : m.path;
          found.push(imageEntry(holderName, 'path', m.value));
        }
      }
    }
    if (!extractor && found.length === 0) continue;
    images += found.length;
    if (images > maxImages) throw new ManifestError('MANIFEST_LIMIT', `more than ${maxImages} images in the manifests`);
    for (const e of found) if (e.error) warn(`${where}: container ${e.container}: ${e.error}`);
    discovery.workloads.push({ apiVersion, kind, namespace, name, labels: stringMap(at(metadata, 'labels')), source, images: found });
  }
  return discovery;
}

/** The `gate --list-images` view: one entry per container-like entry, in manifest order. */
export function listImages(discovery: Discovery): ImageEntry[] {
  return discovery.workloads.flatMap((w) => w.images.map((i) => ({
    kind: w.kind, namespace: w.namespace, name: w.name, container: i.container, image: i.image, resolved: i.resolved,
  })));
}
