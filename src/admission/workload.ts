import type { Labels } from '../policy/index.ts';
import { at, isObject } from './json.ts';
import type { Json, JsonObject } from './json.ts';
import { MAX_CONTAINERS } from './limits.ts';
import type { AdmissionRequest } from './review.ts';

/**
 * What a request asks to run: the pod template of a workload (or the Pod itself), its images,
 * and whether it needs judging at all.
 *
 * Workloads are judged at the workload, so that the author (and Argo CD's sync) sees the denial
 * on the object they applied. Their Pods, created by a controller from an already judged
 * template, are let through unless --recheck-owned-pods — but only when the Pod's creator is a
 * controller: anyone may write an ownerReference into a Pod they create, so a Pod created by a
 * person with `controller: true` in it is judged like a bare Pod.
 */

export type ContainerType = 'initContainer' | 'container' | 'ephemeralContainer' | 'imageVolume';

export interface ContainerImage {
  /** `containers[app]`, `initContainers[migrate]`, `ephemeralContainers[debugger-x2k]`, `volumes[models]`. */
  container: string;
  type: ContainerType;
  /** As written in the spec. */
  image: string;
}

/** Where each kind keeps its pod template's spec. */
const TEMPLATE_PATHS: Record<string, { groups: readonly string[]; path: readonly string[] }> = {
  Deployment: { groups: ['apps', 'extensions'], path: ['spec', 'template', 'spec'] },
  StatefulSet: { groups: ['apps'], path: ['spec', 'template', 'spec'] },
  DaemonSet: { groups: ['apps', 'extensions'], path: ['spec', 'template', 'spec'] },
  ReplicaSet: { groups: ['apps', 'extensions'], path: ['spec', 'template', 'spec'] },
  ReplicationController: { groups: [''], path: ['spec', 'template', 'spec'] },
  Job: { groups: ['batch'], path: ['spec', 'template', 'spec'] },
  CronJob: { groups: ['batch'], path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
  // An Argo Rollout either has its own template or a workloadRef to a Deployment (judged itself).
  Rollout: { groups: ['argoproj.io'], path: ['spec', 'template', 'spec'] },
  Pod: { groups: [''], path: ['spec'] },
};

export const JUDGED_KINDS = Object.keys(TEMPLATE_PATHS);

export class WorkloadError extends Error {}

export type Plan =
  | { judge: false; why: string }
  | {
    judge: true;
    /** `Deployment`, `Pod/ephemeralcontainers`. */
    kind: string;
    labels: Labels;
    /** Images needing a decision, each listed once (the first container using it named). */
    images: ContainerImage[];
    /** Every image of the template, for the audit record; `images` is the changed part. */
    unchanged: number;
  };

function containersOf(spec: Json | undefined, field: string, type: ContainerType, out: ContainerImage[]): void {
  const list = isObject(spec) ? spec[field] : undefined;
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new WorkloadError(`${field} must be a list`);
  if (out.length + list.length > MAX_CONTAINERS) throw new WorkloadError(`more than ${MAX_CONTAINERS} containers`);
  list.forEach((c, i) => {
    if (!isObject(c)) throw new WorkloadError(`${field}[${i}] must be an object`);
    const name = typeof c.name === 'string' ? c.name.slice(0, 253) : String(i);
    const image = c.image;
    if (image === undefined || image === null) return;
    if (typeof image !== 'string') throw new WorkloadError(`${field}[${name}].image must be a string`);
    out.push({ container: `${field}[${name}]`, type, image });
  });
}

/** Image volumes (`volumes[].image.reference`): the kubelet pulls them like a container's image, and the gate judges them too. */
function imageVolumesOf(spec: Json | undefined, out: ContainerImage[]): void {
  const list = isObject(spec) ? spec.volumes : undefined;
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new WorkloadError('volumes must be a list');
  list.forEach((v, i) => {
    if (!isObject(v) || !isObject(v.image)) return;
    const name = typeof v.name === 'string' ? v.name.slice(0, 253) : String(i);
    const image = v.image.reference;
    if (image === undefined || image === null) return;
    if (typeof image !== 'string') throw new WorkloadError(`volumes[${name}].image.reference must be a string`);
    if (out.length >= MAX_CONTAINERS) throw new WorkloadError(`more than ${MAX_CONTAINERS} containers`);
    out.push({ container: `volumes[${name}]`, type: 'imageVolume', image });
  });
}

function imagesOf(spec: Json | undefined, ephemeralOnly: boolean): ContainerImage[] {
  const out: ContainerImage[] = [];
  if (spec !== undefined && spec !== null && !isObject(spec)) throw new WorkloadError('the pod spec must be an object');
  if (!ephemeralOnly) {
    containersOf(spec, 'initContainers', 'initContainer', out);
    containersOf(spec, 'containers', 'container', out);
    imageVolumesOf(spec, out);
  }
  containersOf(spec, 'ephemeralContainers', 'ephemeralContainer', out);
  return out;
}

function labelsOf(object: JsonObject): Labels {
  const labels = at(object, 'metadata', 'labels');
  const out: Record<string, string> = {};
  if (!isObject(labels)) return out;
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

function hasController(object: JsonObject): boolean {
  const refs = at(object, 'metadata', 'ownerReferences');
  return Array.isArray(refs) && refs.some((r) => isObject(r) && r.controller === true);
}

export interface PlanOptions {
  recheckOwnedPods: boolean;
  /** Whether the requesting user is a controller (kube-controller-manager, ...). */
  isController: (user: string) => boolean;
}

/** Decide what the request needs judged. Throws WorkloadError for a spec no API server would accept. */
export function planReview(req: AdmissionRequest, options: PlanOptions): Plan {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return { judge: false, why: `${req.operation} is not judged` };
  const entry = TEMPLATE_PATHS[req.kind.kind];
  if (!entry || !entry.groups.includes(req.kind.group)) return { judge: false, why: `${req.kind.group || 'core'}/${req.kind.kind} is not a kind the webhook judges` };
  const ephemeral = req.kind.kind === 'Pod' && req.subResource === 'ephemeralcontainers';
  if (req.subResource && !ephemeral) return { judge: false, why: `subresource ${req.subResource} is not judged` };
  const object = req.object as JsonObject;
  if (req.kind.kind === 'Pod' && !ephemeral && !options.recheckOwnedPods && hasController(object) && options.isController(req.user)) {
    return { judge: false, why: 'a controller created this Pod from a template the webhook judged' };
  }
  const images = imagesOf(at(object, ...entry.path), ephemeral);
  // On UPDATE only what changed needs a decision: images the old object did not run.
  const before = req.operation === 'UPDATE' && req.oldObject ? new Set(imagesOf(at(req.oldObject, ...entry.path), ephemeral).map((c) => c.image)) : new Set<string>();
  const seen = new Set<string>();
  const changed: ContainerImage[] = [];
  for (const c of images) {
    if (before.has(c.image) || seen.has(c.image)) continue;
    seen.add(c.image);
    changed.push(c);
  }
  return {
    judge: true,
    kind: ephemeral ? 'Pod/ephemeralcontainers' : req.kind.kind,
    labels: labelsOf(object),
    images: changed,
    unchanged: images.length - changed.length,
  };
}

/** Users whose Pods with a controller ownerReference are trusted to come from a judged template. */
export function defaultIsController(user: string): boolean {
  return user === 'system:kube-controller-manager' || user.startsWith('system:serviceaccount:kube-system:');
}
