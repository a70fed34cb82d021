import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { PortcullisError } from '../errors.ts';
import type { Labels } from '../policy/index.ts';
import { mapSettled } from './pool.ts';

/**
 * Namespace labels from the cluster the gate runs in, for namespaces the manifests and the
 * labels file do not describe: `GET /api/v1/namespaces/{name}` with the pod's service account
 * token, verified against the cluster CA — what client-go's in-cluster config does. Only when a
 * token is mounted (the shipped hook mounts none unless given the RBAC of
 * deploy/argocd/rbac-namespaces.yaml). A namespace that cannot be read is an error, not an
 * empty label set: a namespaceSelector must not silently stop matching.
 */

export class ClusterError extends PortcullisError {}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const MAX_NAMESPACES = 256;
const MAX_BODY = 1024 * 1024;
const TIMEOUT_MS = 10_000;

export interface InCluster {
  host: string;
  port: string;
  token: string;
  ca: Buffer;
}

/** The in-cluster API endpoint and credentials, or undefined when not in a pod with a token. */
export async function inClusterConfig(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): Promise<InCluster | undefined> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) return undefined;
  const token = await readFile(join(dir, 'token'), 'utf8').catch(() => undefined);
  if (!token) return undefined;
  const ca = await readFile(join(dir, 'ca.crt')).catch(() => {
    throw new ClusterError('CLUSTER_CONFIG', `${join(dir, 'ca.crt')}: the cluster CA is missing`);
  });
  return { host, port, token: token.trim(), ca };
}

function getNamespace(cfg: InCluster, name: string): Promise<Labels> {
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  const url = new URL(`https://${host}:${cfg.port}/api/v1/namespaces/${encodeURIComponent(name)}`);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${cfg.token}`, accept: 'application/json' }, ca: cfg.ca, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) res.destroy(new ClusterError('CLUSTER_RESPONSE', `namespace ${name}: answer larger than ${MAX_BODY} bytes`));
        else chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) {
          const hint = res.statusCode === 403 ? ' (the gate\'s service account may not get namespaces: deploy/argocd/rbac-namespaces.yaml)' : '';
          return reject(new ClusterError('CLUSTER_HTTP', `cannot read the labels of namespace ${name}: HTTP ${res.statusCode}${hint}`));
        }
        try {
          const o = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: { labels?: Record<string, unknown> } };
          const labels: Record<string, string> = {};
          for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) if (typeof v === 'string') labels[k] = v;
          resolve(labels);
        } catch {
          reject(new ClusterError('CLUSTER_RESPONSE', `namespace ${name}: the answer is not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new ClusterError('CLUSTER_UNREACHABLE', `namespace ${name}: no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(e instanceof ClusterError ? e : new ClusterError('CLUSTER_UNREACHABLE', `cannot read the labels of namespace ${name}: ${e.code ?? e.message}`)));
    req.end();
  });
}

/** Labels of each named namespace; throws ClusterError on the first that cannot be read. */
export async function clusterNamespaceLabels(cfg: InCluster, names: readonly string[]): Promise<Map<string, Labels>> {
  if (names.length > MAX_NAMESPACES) throw new ClusterError('CLUSTER_LIMIT', `more than ${MAX_NAMESPACES} namespaces to look up`);
  const settled = await mapSettled(names, 8, (n) => getNamespace(cfg, n));
  const out = new Map<string, Labels>();
  names.forEach((n, i) => {
    const s = settled[i]!;
    if (s.status === 'rejected') throw s.reason;
    out.set(n, s.value);
  });
  return out;
}
