/**
 * Namespace labels from the cluster, against a loopback HTTPS server answering the documented
 * `GET /api/v1/namespaces/{name}` shape, with a service account directory (token, ca.crt) as a
 * pod has it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCertificates } from '../../test/registry.ts';
import { scratchDirs } from '../../test/scratch.ts';
import { needs } from '../../test/tools.ts';
import { ClusterError, clusterNamespaceLabels, inClusterConfig } from './index.ts';

const { fresh } = scratchDirs('portcullis-cluster-ns');
const TOKEN = 'sa-token-123';

describe('namespace labels from the cluster', { skip: needs('openssl') }, () => {
  let server: ReturnType<typeof createServer>;
  let env: NodeJS.ProcessEnv;
  let sa = '';
  const asked: string[] = [];
  before(async () => {
    const certs = makeCertificates(fresh('tls'));
    sa = fresh('sa');
    writeFileSync(join(sa, 'token'), `${TOKEN}\n`);
    copyFileSync(certs.caFile, join(sa, 'ca.crt'));
    server = createServer({ cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) }, (req, res) => {
      asked.push(`${req.url} ${req.headers.authorization}`);
      const name = decodeURIComponent(req.url!.split('/').pop()!);
      if (name === 'secret-ns') {
        res.writeHead(403, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Namespace', apiVersion: 'v1', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, env: name === 'shop' ? 'prod' : 'dev', weird: 5 } } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String((server.address() as AddressInfo).port) };
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('reads the labels of each namespace with the service account token, verifying the cluster CA', async () => {
    const cfg = await inClusterConfig(env, sa);
    assert.ok(cfg);
    const labels = await clusterNamespaceLabels(cfg, ['shop', 'sandbox']);
    assert.deepEqual(labels.get('shop'), { 'kubernetes.io/metadata.name': 'shop', env: 'prod' });
    assert.deepEqual(labels.get('sandbox'), { 'kubernetes.io/metadata.name': 'sandbox', env: 'dev' });
    assert.ok(asked.includes(`/api/v1/namespaces/shop Bearer ${TOKEN}`));
  });

  it('a namespace it may not read is an error naming the RBAC, never empty labels', async () => {
    const cfg = (await inClusterConfig(env, sa))!;
    await assert.rejects(clusterNamespaceLabels(cfg, ['shop', 'secret-ns']), (e: unknown) =>
      e instanceof ClusterError && /cannot read the labels of namespace secret-ns: HTTP 403 .*rbac-namespaces\.yaml/.test(e.message));
  });

  it('another CA is refused; outside a pod, or without a token, nothing is read', async () => {
    const other = fresh('other');
    writeFileSync(join(other, 'token'), TOKEN);
    copyFileSync(makeCertificates(fresh('tls2')).caFile, join(other, 'ca.crt'));
    await assert.rejects(clusterNamespaceLabels((await inClusterConfig(env, other))!, ['shop']), ClusterError);
    assert.equal(await inClusterConfig({}, sa), undefined);
    assert.equal(await inClusterConfig(env, fresh('empty')), undefined);
  });
});
