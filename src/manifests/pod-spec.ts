import { formatImageRef, parseImageRef } from '../image/index.ts';
import { isObject } from './parse.ts';
import type { ContainerImage, ImageRole } from './types.ts';

/** Images of a core/v1 PodSpec: init containers (native sidecars included), containers, ephemeral containers, image volumes. */

const CONTAINER_LISTS: readonly [string, ImageRole][] = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
];

/** The reference as the container runtime reads it, or why it is not one. */
export function resolveImage(image: string): Pick<ContainerImage, 'resolved' | 'error'> {
  try {
    return { resolved: formatImageRef(parseImageRef(image)) };
  } catch (e) {
    return { resolved: null, error: (e as Error).message };
  }
}

export function imageEntry(container: string, role: ImageRole, image: string): ContainerImage {
  const r = resolveImage(image);
  return { container, role, image, resolved: r.resolved, ...(r.error ? { error: r.error } : {}) };
}

/**
 * `warn` receives what Kubernetes would reject (a container without an image, a list that is not
 * a list): reported, never silently dropped.
 */
export function podSpecImages(spec: unknown, where: string, warn: (m: string) => void, prefix = ''): ContainerImage[] {
  if (spec === undefined) {
    warn(`${where}: no pod spec`);
    return [];
  }
  if (!isObject(spec)) {
    warn(`${where}: pod spec is not a mapping`);
    return [];
  }
  const out: ContainerImage[] = [];
  for (const [field, role] of CONTAINER_LISTS) {
    out.push(...containerList(spec[field], role, `${where}: ${field}`, warn, prefix));
  }
  const volumes = spec['volumes'];
  if (Array.isArray(volumes)) {
    for (const v of volumes) {
      if (!isObject(v) || !isObject(v['image'])) continue;
      const name = typeof v['name'] === 'string' ? v['name'] : '';
      const ref = v['image']['reference'];
      if (typeof ref === 'string' && ref !== '') out.push(imageEntry(prefix + name, 'imageVolume', ref));
      else warn(`${where}: image volume "${name}" has no reference`);
    }
  }
  return out;
}

export function containerList(list: unknown, role: ImageRole, where: string, warn: (m: string) => void, prefix = ''): ContainerImage[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    warn(`${where} is not a list`);
    return [];
  }
  const out: ContainerImage[] = [];
  for (const [i, c] of list.entries()) {
    const e = containerImage(c, role, `${where}[${i}]`, warn, prefix);
    if (e) out.push(e);
  }
  return out;
}

/** One container object; `name` prefixed (`template/` in Workflows). */
export function containerImage(c: unknown, role: ImageRole, where: string, warn: (m: string) => void, prefix = ''): ContainerImage | undefined {
  if (!isObject(c)) {
    warn(`${where} is not a mapping`);
    return undefined;
  }
  const name = typeof c['name'] === 'string' ? c['name'] : '';
  const image = c['image'];
  if (typeof image !== 'string' || image.trim() === '') {
    warn(`${where}${name ? ` (${name})` : ''}: no image`);
    return undefined;
  }
  return imageEntry(prefix + name, role, image);
}
