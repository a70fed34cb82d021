/**
 * Faults between us and a real registry, injected by a loopback proxy in front of it: rate
 * limits, server errors and dropped connections that pass (retried with backoff, bounded) and
 * that do not, blobs whose bytes do not match their digest, redirects to blob storage.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildImage } from '../../../test/image-builder.ts';
import type { BuiltImage } from '../../../test/image-builder.ts';
import { faultOnce, startBlobStore, startFaultProxy } from '../../../test/registry-proxy.ts';
import type { FaultProxy } from '../../../test/registry-proxy.ts';
import { freePort, pullImage, pushImage, startRegistry } from '../../../test/registry.ts';
import type { TestRegistry } from '../../../test/registry.ts';
import { needs } from '../../../test/tools.ts';
import { ImageFormatError, RegistryError } from '../../errors.ts';
import { RegistryClient } from '../index.ts';
import type { OpenOptions } from '../index.ts';

const FAST: OpenOptions = { retry: { baseDelayMs: 2, attempts: 4 }, env: { HOME: '/nonexistent' } };

async function pull(ref: string, options: OpenOptions = FAST): Promise<Buffer[]> {
  return (await pullImage(ref, options)).layers;
}

const isManifest = (r: { method: string; path: string }) => r.method === 'GET' && r.path.includes('/manifests/');
const isLayer = (digest: string) => (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith(`/blobs/${digest}`);

describe('registry faults', { skip: needs('docker-registry', 'skopeo') }, () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let image: BuiltImage;
  let ref: string;
  before(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.url);
    image = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' }], [{ path: 'app/data', content: randomBytes(200_000) }]] });
    await pushImage(reg, 'team/app:1.0', image);
    ref = `${proxy.host}/team/app:1.0`;
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });
  const faults = () => proxy.requests.filter((r) => r.fault).map((r) => r.fault);

  test('a pull reuses one keep-alive connection', async () => {
    proxy.requests = [];
    proxy.rule = undefined;
    assert.deepEqual(await pull(ref), image.layers.map((l) => l.blob));
    assert.equal(proxy.requests.length, 5);
    assert.equal(new Set(proxy.requests.map((r) => r.clientPort)).size, 1);
  });

  test('429 with Retry-After: waits as told, then succeeds', async () => {
    proxy.requests = [];
    proxy.rule = faultOnce(isManifest, { status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    assert.deepEqual(await pull(ref), image.layers.map((l) => l.blob));
    assert.ok(Date.now() - started >= 950, 'honoured Retry-After: 1');
    assert.deepEqual(faults(), ['status 429']);
    assert.equal(proxy.requests.filter(isManifest).length, 2);
  });

  test('500 on a layer, then success', async () => {
    proxy.requests = [];
    proxy.rule = faultOnce(isLayer(image.layers[1]!.descriptor.digest), { status: 500 }, 2);
    assert.deepEqual(await pull(ref), image.layers.map((l) => l.blob));
    assert.deepEqual(faults(), ['status 500', 'status 500']);
  });

  test('a dropped connection (reset) on the config, then success', async () => {
    proxy.requests = [];
    proxy.rule = faultOnce(isLayer(image.configDescriptor.digest), { reset: true });
    assert.deepEqual(await pull(ref), image.layers.map((l) => l.blob));
    assert.deepEqual(faults(), ['reset']);
  });

  test('a connection dropped mid-layer is resumed with a Range request', async () => {
    proxy.requests = [];
    const layer = image.layers[1]!;
    proxy.rule = faultOnce(isLayer(layer.descriptor.digest), { truncateAfter: 30_000 });
    assert.deepEqual(await pull(ref), image.layers.map((l) => l.blob));
    const asked = proxy.requests.filter(isLayer(layer.descriptor.digest));
    assert.deepEqual(asked.map((r) => [r.fault, r.headers.range]), [['truncate', undefined], [undefined, 'bytes=30000-']]);
  });

  test('a manifest cut off midway is fetched again', async () => {
    proxy.requests = [];
    proxy.rule = faultOnce(isManifest, { truncateAfter: 100 });
    assert.deepEqual(await pull(ref), image.layers.map((l) => l.blob));
    assert.deepEqual(proxy.requests.filter(isManifest).map((r) => r.fault), ['truncate', undefined]);
  });

  test('a layer that keeps being cut off fails after the bounded attempts', async () => {
    proxy.requests = [];
    const layer = image.layers[1]!;
    proxy.rule = faultOnce(isLayer(layer.descriptor.digest), { truncateAfter: 1000 }, 100);
    await assert.rejects(pull(ref), { code: 'UNAVAILABLE', message: new RegExp(`blob ${layer.descriptor.digest}: download interrupted after 4000 of ${layer.descriptor.size} bytes`) });
    assert.equal(proxy.requests.filter(isLayer(layer.descriptor.digest)).length, 4);
  });

  test('a registry that keeps failing: bounded attempts, then UNAVAILABLE / RATE_LIMITED', async () => {
    proxy.requests = [];
    proxy.rule = faultOnce(isManifest, { status: 503 }, 100);
    await assert.rejects(pull(ref), (err: Error) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, 'UNAVAILABLE');
      assert.equal(err.message, `${proxy.host}/team/app:1.0: ${proxy.host} answered 503 (injected 503)`);
      return true;
    });
    assert.equal(proxy.requests.filter(isManifest).length, 4);

    proxy.requests = [];
    proxy.rule = faultOnce(isManifest, { status: 429 }, 100);
    await assert.rejects(pull(ref), { code: 'RATE_LIMITED' });
    assert.equal(proxy.requests.filter(isManifest).length, 4);

    proxy.requests = [];
    proxy.rule = faultOnce(isManifest, { reset: true }, 100);
    await assert.rejects(pull(ref), { code: 'UNAVAILABLE', message: `${proxy.host}/team/app:1.0: cannot reach ${proxy.host} (ECONNRESET)` });
    assert.equal(proxy.requests.filter(isManifest).length, 4);
  });

  test('a Retry-After beyond the time budget is not waited for', async () => {
    proxy.requests = [];
    proxy.rule = faultOnce(isManifest, { status: 429, headers: { 'retry-after': '3600' } }, 100);
    const started = Date.now();
    await assert.rejects(pull(ref, { ...FAST, retry: { ...FAST.retry, maxTotalMs: 5000 } }), { code: 'RATE_LIMITED', message: `${proxy.host}/team/app:1.0: rate limited by ${proxy.host}, retry after 3600 s` });
    assert.ok(Date.now() - started < 3000);
    assert.equal(proxy.requests.filter(isManifest).length, 1);
  });

  test('a layer whose bytes do not match its digest is refused (DIGEST_MISMATCH), not retried into success', async () => {
    proxy.requests = [];
    proxy.rule = faultOnce(isLayer(image.layers[1]!.descriptor.digest), { corruptBody: true });
    await assert.rejects(pull(ref), (err: Error) => {
      assert.ok(err instanceof ImageFormatError);
      assert.equal(err.code, 'DIGEST_MISMATCH');
      assert.match(err.message, new RegExp(`blob ${image.layers[1]!.descriptor.digest}: digest is sha256:[0-9a-f]{64}, expected ${image.layers[1]!.descriptor.digest}`));
      return true;
    });
  });

  test('a corrupted config or manifest is refused', async () => {
    proxy.rule = faultOnce(isLayer(image.configDescriptor.digest), { corruptBody: true });
    await assert.rejects(pull(ref), { code: 'DIGEST_MISMATCH' });
    // By tag, the bytes are checked against the registry's Docker-Content-Digest.
    proxy.rule = faultOnce(isManifest, { corruptBody: true });
    await assert.rejects(pull(`${proxy.host}/team/app:1.0`), { code: 'DIGEST_MISMATCH' });
    proxy.rule = faultOnce(isManifest, { corruptBody: true });
    await assert.rejects(pull(`${proxy.host}/team/app@${image.manifestDigest}`), { code: 'DIGEST_MISMATCH' });
  });

  test('redirects to blob storage on another host are followed', async (t) => {
    const store = await startBlobStore(image.blobs);
    t.after(() => store.stop());
    proxy.requests = [];
    proxy.rule = (r) => (r.method === 'GET' && r.path.includes('/blobs/') ? { redirect: `${store.url}/${r.path.slice(r.path.lastIndexOf('/') + 1)}?sig=1` } : undefined);
    assert.deepEqual(await pull(ref), image.layers.map((l) => l.blob));
    assert.equal(store.requests.length, 3);
    proxy.rule = undefined;
  });

  test('a redirect to bytes that do not match is refused', async (t) => {
    const wrong = new Map([...image.blobs].map(([d, b]) => [d, Buffer.concat([b.subarray(0, b.length - 1), Buffer.from([b[b.length - 1]! ^ 1])])]));
    const store = await startBlobStore(wrong);
    t.after(() => store.stop());
    proxy.rule = (r) => (r.method === 'GET' && r.path.includes('/blobs/') ? { redirect: `${store.url}/${r.path.slice(r.path.lastIndexOf('/') + 1)}` } : undefined);
    await assert.rejects(pull(ref), { code: 'DIGEST_MISMATCH' });
    proxy.rule = undefined;
  });

  test('a registry that sends more bytes than the descriptor says is cut off (SIZE_MISMATCH)', async () => {
    const client = new RegistryClient(proxy.host, FAST);
    const layer = image.layers[1]!.descriptor;
    await assert.rejects(client.openBlob('team/app', { digest: layer.digest, size: layer.size - 10 }), { code: 'SIZE_MISMATCH' });
    client.close();
  });

  test('resolveDigest falls back to GET when HEAD gives no digest or is not allowed', async () => {
    const client = new RegistryClient(proxy.host, FAST);
    const tagRef = { transport: 'registry' as const, registry: proxy.host, repository: 'team/app', tag: '1.0' };
    try {
      for (const fault of [{ status: 200, body: '' }, { status: 405, body: '' }]) {
        proxy.requests = [];
        proxy.rule = faultOnce((r) => r.method === 'HEAD' && r.path.includes('/manifests/'), fault);
        assert.equal(await client.resolveDigest(tagRef), image.manifestDigest);
        assert.deepEqual(proxy.requests.filter((r) => r.path.includes('/manifests/')).map((r) => r.method), ['HEAD', 'GET']);
      }
    } finally {
      client.close();
    }
  });

  test('a manifest larger than 4 MiB is refused before it is read whole', async () => {
    proxy.rule = faultOnce(isManifest, { status: 200, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: `{"schemaVersion":2,"x":"${'a'.repeat(5 << 20)}"}` });
    await assert.rejects(pull(ref), { code: 'TOO_LARGE', message: `${proxy.host}/team/app:1.0 manifest is larger than ${4 << 20} bytes` });
  });

  test('nothing listening: UNAVAILABLE after bounded retries', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(pull(`127.0.0.1:${port}/team/app:1.0`), { code: 'UNAVAILABLE', message: `127.0.0.1:${port}: cannot reach 127.0.0.1:${port} (ECONNREFUSED)` });
    assert.ok(Date.now() - started < 2000);
  });
});

describe('redirects and credentials', { skip: needs('docker-registry', 'skopeo') }, () => {
  test('Authorization goes to the registry, never to the storage host it redirects to', async (t) => {
    const reg = await startRegistry({ auth: { users: { alice: 'pw' } } });
    t.after(() => reg.stop());
    const proxy = await startFaultProxy(reg.url);
    t.after(() => proxy.stop());
    const image = await buildImage({ layers: [[{ path: 'x', content: 'redirected' }]] });
    await pushImage(reg, 'team/app:1', image);
    const store = await startBlobStore(image.blobs);
    t.after(() => store.stop());
    proxy.rule = (r) => (r.method === 'GET' && r.path.includes('/blobs/') && r.headers.authorization ? { redirect: `${store.url}/${r.path.slice(r.path.lastIndexOf('/') + 1)}` } : undefined);
    const client = new RegistryClient(proxy.host, { credentials: { username: 'alice', password: 'pw' } });
    const layer = image.layers[0]!.descriptor;
    const chunks: Buffer[] = [];
    for await (const c of await client.openBlob('team/app', layer)) chunks.push(c as Buffer);
    client.close();
    assert.deepEqual(Buffer.concat(chunks), image.layers[0]!.blob);
    assert.equal(store.requests.length, 1);
    assert.equal(store.requests[0]!.headers.authorization, undefined);
    assert.match(String(proxy.requests.find((r) => r.path.includes('/blobs/'))?.headers.authorization), /^Bearer /);
  });
});
