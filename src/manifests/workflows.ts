import { containerImage, containerList, podSpecImages } from './pod-spec.ts';
import { isObject } from './parse.ts';
import type { ContainerImage } from './types.ts';

/**
 * Images of an Argo Workflows WorkflowSpec (Workflow, WorkflowTemplate,
 * ClusterWorkflowTemplate, and CronWorkflow's `spec.workflowSpec`). `container` is the template
 * name for `container` and `script` templates, `template/container` for containerSet
 * containers, initContainers and sidecars (the contract). `templateDefaults.container`
 * supplies an image to templates that have none, as the Workflow controller does.
 */
export function workflowSpecImages(spec: unknown, where: string, warn: (m: string) => void): ContainerImage[] {
  if (!isObject(spec)) {
    warn(`${where}: no workflow spec`);
    return [];
  }
  const out: ContainerImage[] = [];
  const defaults = isObject(spec['templateDefaults']) ? spec['templateDefaults'] : {};
  const defaultImage = isObject(defaults['container']) && typeof defaults['container']['image'] === 'string' ? defaults['container']['image'] : undefined;
  if (typeof spec['workflowTemplateRef'] === 'object' && spec['workflowTemplateRef'] !== null) {
    const ref = spec['workflowTemplateRef'] as Record<string, unknown>;
    warn(`${where}: workflowTemplateRef to ${ref['clusterScope'] === true ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} ${String(ref['name'])} is not followed; its images are found when that template is among the manifests`);
  }
  const templates = spec['templates'];
  if (templates !== undefined && !Array.isArray(templates)) warn(`${where}: templates is not a list`);
  for (const [i, t] of (Array.isArray(templates) ? templates : []).entries()) {
    if (!isObject(t)) continue;
    const name = typeof t['name'] === 'string' ? t['name'] : `templates[${i}]`;
    const at = `${where}: template ${name}`;
    for (const field of ['container', 'script'] as const) {
      const c = t[field];
      if (c === undefined) continue;
      const withDefault = isObject(c) && c['image'] === undefined && defaultImage ? { ...c, image: defaultImage } : c;
      // The entry is named after the template, not the (usually absent, always "main") container name.
      const e = containerImage(isObject(withDefault) ? { ...withDefault, name } : withDefault, 'template', `${at} ${field}`, warn);
      if (e) out.push(e);
    }
    const set = t['containerSet'];
    if (isObject(set)) out.push(...containerList(set['containers'], 'containerSet', `${at} containerSet.containers`, warn, `${name}/`));
    out.push(...containerList(t['initContainers'], 'initContainer', `${at} initContainers`, warn, `${name}/`));
    out.push(...containerList(t['sidecars'], 'sidecar', `${at} sidecars`, warn, `${name}/`));
  }
  // Image volumes of the workflow pods (spec.volumes), named by volume as for Pods.
  if (Array.isArray(spec['volumes'])) {
    out.push(...podSpecImages({ volumes: spec['volumes'] }, where, warn).filter((e) => e.role === 'imageVolume'));
  }
  return out;
}
