/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY: through a real forward proxy (CONNECT tunnels) to a real
 * TLS registry under a name only the proxy can resolve, as behind a corporate proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildImage } from '../../../test/image-builder.ts';
import type { BuiltImage } from '../../../test/image-builder.ts';
import { startForwardProxy } from '../../../test/registry-proxy.ts';
import type { ForwardProxy } from '../../../test/registry-proxy.ts';
import { pullImage, pushImage, startRegistry } from '../../../test/registry.ts';
import type { TestRegistry } from '../../../test/registry.ts';
import { needs } from '../../../test/tools.ts';

const NAME = 'registry.portcullis.test';

describe('HTTP proxies', { skip: needs('docker-registry', 'skopeo', 'openssl') }, () => {
  let reg: TestRegistry;
  let proxy: ForwardProxy;
  let image: BuiltImage;
  let named: string;
  before(async () => {
    reg = await startRegistry({ tls: true, tlsNames: [NAME] });
    proxy = await startForwardProxy({ [NAME]: '127.0.0.1' });
    image = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=debian\n' }]] });
    await pushImage(reg, 'corp/app:1', image);
    named = `${NAME}:${reg.host.split(':')[1]}`;
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });
  const options = (env: Record<string, string>) => ({ caFile: reg.caFile!, retry: { baseDelayMs: 2, attempts: 2 }, env: { HOME: '/nonexistent', ...env } });

  test('HTTPS_PROXY: the registry is reached through a CONNECT tunnel, TLS verified end to end', async () => {
    proxy.requests = [];
    const { image: got, layers } = await pullImage(`${named}/corp/app:1`, options({ HTTPS_PROXY: proxy.url }));
    assert.equal(got.manifestDigest, image.manifestDigest);
    assert.deepEqual(layers, image.layers.map((l) => l.blob));
    assert.ok(proxy.requests.length >= 1);
    assert.ok(proxy.requests.every((r) => r === `CONNECT ${named}`), proxy.requests.join(', '));
  });

  test('without a proxy, or with the host in NO_PROXY, the name does not resolve: UNAVAILABLE', async () => {
    proxy.requests = [];
    await assert.rejects(pullImage(`${named}/corp/app:1`, options({})), { code: 'UNAVAILABLE' });
    await assert.rejects(pullImage(`${named}/corp/app:1`, options({ HTTPS_PROXY: proxy.url, NO_PROXY: NAME })), { code: 'UNAVAILABLE' });
    assert.deepEqual(proxy.requests, []);
  });

  test('loopback registries are never proxied', async () => {
    proxy.requests = [];
    const { image: got } = await pullImage(`${reg.host}/corp/app:1`, options({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }));
    assert.equal(got.manifestDigest, image.manifestDigest);
    assert.deepEqual(proxy.requests, []);
  });
});

describe('plain HTTP for a registry that is not loopback', { skip: needs('docker-registry', 'skopeo') }, () => {
  test('refused without --insecure; with it, HTTPS is tried first, then plain HTTP', async (t) => {
    const reg = await startRegistry();
    t.after(() => reg.stop());
    const proxy = await startForwardProxy({ [NAME]: '127.0.0.1' });
    t.after(() => proxy.stop());
    const image = await buildImage({ layers: [[{ path: 'x', content: 'plain' }]] });
    await pushImage(reg, 'corp/plain:1', image);
    const ref = `${NAME}:${reg.host.split(':')[1]}/corp/plain:1`;
    const env = { HOME: '/nonexistent', HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url };
    await assert.rejects(pullImage(ref, { env, retry: { baseDelayMs: 2 } }), {
      code: 'TLS',
      message: `${NAME}:${reg.host.split(':')[1]}: ${NAME}:${reg.host.split(':')[1]} does not speak TLS; a plain-HTTP registry needs --insecure`,
    });
    assert.ok(proxy.requests.every((r) => r.startsWith('CONNECT ')), 'nothing was sent in plain text');
    proxy.requests = [];
    const { image: got } = await pullImage(ref, { env, insecure: true, retry: { baseDelayMs: 2 } });
    assert.equal(got.manifestDigest, image.manifestDigest);
    assert.equal(proxy.requests[0], `CONNECT ${NAME}:${reg.host.split(':')[1]}`);
    assert.ok(proxy.requests.slice(1).every((r) => r.startsWith(`GET http://${NAME}:`)), proxy.requests.join(', '));
  });
});
