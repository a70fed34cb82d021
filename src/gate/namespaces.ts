import { UsageError } from '../errors.ts';
import type { Labels } from '../policy/index.ts';

/**
 * Namespace labels for ContainerAdmissionPolicy `namespaceSelector`, from (first wins): the
 * Namespace objects among the manifests (what is being applied), a file of Namespace objects
 * (`kubectl get namespaces -o yaml`), and `--namespace-labels k=v,...` for every other namespace.
 */

const MAX_LABELS = 256;
// Label keys and values as Kubernetes allows them (prefix/name=value), bounded.
const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function parseLabelList(text: string): Labels {
  const out: Record<string, string> = {};
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length > MAX_LABELS) throw new UsageError('USAGE', `--namespace-labels: more than ${MAX_LABELS} labels`);
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (eq < 0 || !KEY.test(key) || !VALUE.test(value)) throw new UsageError('USAGE', `--namespace-labels: "${item.slice(0, 80)}" is not key=value`);
    out[key] = value;
  }
  return out;
}

export function namespaceLabelSource(fromFile: ReadonlyMap<string, Labels>, fallback: Labels | undefined): (ns: string) => Labels | undefined {
  return (ns) => fromFile.get(ns) ?? fallback;
}
