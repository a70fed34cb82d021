import { readFile, stat } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { UsageError } from '../errors.ts';
import type { Labels } from '../policy/index.ts';

/**
 * Namespace labels for ContainerAdmissionPolicy's namespaceSelector: from a file
 * (`--namespace-labels FILE`, a YAML or JSON mapping of namespace name to its labels), or
 * watched from the cluster with an informer when running in one.
 */

export interface NamespaceLabels {
  labels(namespace: string): Labels | undefined;
  /** False until the first list from the cluster arrived. */
  ready(): boolean;
  stop(): Promise<void>;
}

export const MAX_NAMESPACE_FILE_BYTES = 4 * 1024 * 1024;
const MAX_LABELS = 256;

/** Parse the text of a namespace-labels file; throws UsageError naming the first problem. */
export function parseNamespaceLabels(text: string, file: string): Map<string, Labels> {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: must map namespace names to their labels ({payments: {team: pay}})`);
  }
  const out = new Map<string, Labels>();
  for (const [ns, labels] of Object.entries(doc as Record<string, unknown>)) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: ${JSON.stringify(ns.slice(0, 80))} is not a namespace name`);
    if (labels === null) {
      out.set(ns, {});
      continue;
    }
    if (typeof labels !== 'object' || Array.isArray(labels)) throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: labels of ${ns} must be a mapping`);
    const entries = Object.entries(labels as Record<string, unknown>);
    if (entries.length > MAX_LABELS) throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: ${ns} has more than ${MAX_LABELS} labels`);
    const l: Record<string, string> = {};
    for (const [k, v] of entries) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: label ${k} of ${ns} must be a string`);
      l[k] = String(v);
    }
    out.set(ns, l);
  }
  return out;
}

export async function readNamespaceLabels(file: string): Promise<NamespaceLabels> {
  let text: string;
  try {
    if ((await stat(file)).size > MAX_NAMESPACE_FILE_BYTES) throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: larger than ${MAX_NAMESPACE_FILE_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError('BAD_NAMESPACE_LABELS', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const map = parseNamespaceLabels(text, file);
  return { labels: (ns) => map.get(ns), ready: () => true, stop: async () => {} };
}

/** No labels known beyond the automatic name labels. */
export function noNamespaceLabels(): NamespaceLabels {
  return { labels: () => undefined, ready: () => true, stop: async () => {} };
}

/**
 * Watch namespaces from the cluster (in-cluster service account; needs `list` and `watch` on
 * namespaces). The client library loads only here: it is large and unused outside a cluster.
 */
export async function watchNamespaceLabels(
  onError: (err: unknown) => void,
  /** How to reach the API server; default: the pod's service account (in-cluster). */
  configure: (kc: KubeConfig) => void = (kc) => kc.loadFromCluster(),
): Promise<NamespaceLabels> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  configure(kc);
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces', () => api.listNamespace());
  let synced = false;
  let stopped = false;
  informer.on('error', (err: unknown) => {
    if (stopped) return; // stopping aborts the watch: not an error
    onError(err);
    // The informer stops on error; start it again after a pause, keeping what it knew.
    setTimeout(() => { if (!stopped) void informer.start().catch(onError); }, 5000).unref();
  });
  await informer.start();
  synced = true;
  return {
    labels: (ns) => {
      const obj = informer.get(ns);
      return obj ? { ...(obj.metadata?.labels ?? {}) } : undefined;
    },
    ready: () => synced,
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}
