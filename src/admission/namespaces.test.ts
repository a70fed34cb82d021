import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../errors.ts';
import { parseNamespaceLabels, readNamespaceLabels, watchNamespaceLabels } from './namespaces.ts';

describe('--namespace-labels FILE', () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test('YAML and JSON maps of namespace → labels', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-ns-'));
    dirs.push(dir);
    await writeFile(join(dir, 'ns.yaml'), 'payments:\n  team: pay\n  tier: "1"\nplay:\n  tier: sandbox\nbare:\n');
    await writeFile(join(dir, 'ns.json'), JSON.stringify({ payments: { team: 'pay' } }));
    const y = await readNamespaceLabels(join(dir, 'ns.yaml'));
    assert.deepEqual(y.labels('payments'), { team: 'pay', tier: '1' });
    assert.deepEqual(y.labels('play'), { tier: 'sandbox' });
    assert.deepEqual(y.labels('bare'), {});
    assert.equal(y.labels('other'), undefined);
    assert.equal(y.ready(), true);
    assert.deepEqual((await readNamespaceLabels(join(dir, 'ns.json'))).labels('payments'), { team: 'pay' });
    await assert.rejects(readNamespaceLabels(join(dir, 'missing.yaml')), (e: unknown) => e instanceof UsageError && /cannot read/.test(e.message));
  });

  for (const [what, text, message] of [
    ['a list', '- a\n- b\n', /must map namespace names/],
    ['a bad namespace name', 'Not_A_Namespace: {}\n', /is not a namespace name/],
    ['labels that are a list', 'ns: [a, b]\n', /must be a mapping/],
    ['a label value that is a map', 'ns:\n  team: {a: 1}\n', /must be a string/],
    ['broken YAML', 'ns: {a: [\n', /not YAML or JSON/],
    ['duplicate keys', 'ns: {}\nns: {}\n', /not YAML or JSON/],
  ] as const) {
    test(`refuses ${what}`, () => {
      assert.throws(() => parseNamespaceLabels(text, 'ns.yaml'), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }
});

describe('namespace labels watched from the API server', () => {
  test('an informer lists namespaces, then follows watch events (labels added, changed, namespace deleted)', async (t) => {
    // kube-apiserver cannot run here: a loopback server answering the two requests an informer
    // makes (list, then watch from the list's resourceVersion) in the API's wire format.
    const ns = (name: string, labels: Record<string, string>, rv: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, resourceVersion: rv } });
    let watchRes: ServerResponse | undefined;
    const watchOpened = new Promise<void>((resolve) => {
      const server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        assert.equal(req.headers.authorization, 'Bearer test-token');
        if (url.pathname !== '/api/v1/namespaces') { res.writeHead(404).end(); return; }
        if (url.searchParams.get('watch') === 'true') {
          assert.equal(url.searchParams.get('resourceVersion'), '100');
          res.writeHead(200, { 'content-type': 'application/json' });
          res.flushHeaders();
          watchRes = res;
          resolve();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          apiVersion: 'v1', kind: 'NamespaceList', metadata: { resourceVersion: '100' },
          items: [ns('payments', { team: 'pay' }, '90'), ns('play', { tier: 'sandbox' }, '95')],
        }));
      });
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as AddressInfo).port;
        t.after(() => { watchRes?.destroy(); server.closeAllConnections(); server.close(); });
        void watchNamespaceLabels((err) => { errors.push(err); }, (kc) => kc.loadFromOptions({
          clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
          users: [{ name: 'u', token: 'test-token' }],
          contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
          currentContext: 'x',
        })).then((w) => { watcher = w; t.after(() => w.stop()); });
      });
    });
    let watcher: Awaited<ReturnType<typeof watchNamespaceLabels>> | undefined;
    const errors: unknown[] = [];
    await watchOpened;
    for (let i = 0; i < 100 && !watcher; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(watcher);
    assert.equal(watcher.ready(), true);
    assert.deepEqual(watcher.labels('payments'), { team: 'pay' });
    assert.deepEqual(watcher.labels('play'), { tier: 'sandbox' });
    const event = (type: string, o: unknown) => watchRes?.write(`${JSON.stringify({ type, object: o })}\n`);
    event('MODIFIED', ns('payments', { team: 'pay', 'portcullis.dev/bypass': 'true' }, '101'));
    event('ADDED', ns('new', { team: 'new' }, '102'));
    event('DELETED', ns('play', { tier: 'sandbox' }, '103'));
    const until = Date.now() + 5000;
    while (watcher.labels('play') !== undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(watcher.labels('payments'), { team: 'pay', 'portcullis.dev/bypass': 'true' });
    assert.deepEqual(watcher.labels('new'), { team: 'new' });
    assert.equal(watcher.labels('play'), undefined);
    assert.deepEqual(errors, []);
    await watcher.stop();
  });
});
