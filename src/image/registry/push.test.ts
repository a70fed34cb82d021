/**
 * Pushing with our client to a real docker-registry, read back by skopeo (an independent
 * implementation): blobs (bytes and streamed from a file), manifests, indexes, existence checks,
 * tag lists with pagination, token auth with push scope.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildImage, buildIndex } from '../../../test/image-builder.ts';
import type { BuiltImage } from '../../../test/image-builder.ts';
import { startFaultProxy } from '../../../test/registry-proxy.ts';
import { pushWithClient, startRegistry } from '../../../test/registry.ts';
import type { TestRegistry } from '../../../test/registry.ts';
import { needs } from '../../../test/tools.ts';
import { RegistryClient, digestOf, openImage, parseImageRef } from '../index.ts';

/** Run skopeo without blocking the event loop (the token server answers from this process). */
async function skopeo(args: string[], creds?: string): Promise<Buffer> {
  const tls = args[0] === 'copy' ? '--src-tls-verify=false' : '--tls-verify=false';
  const child = spawn('skopeo', [args[0]!, tls, ...(creds ? ['--creds', creds] : []), ...args.slice(1)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`skopeo ${args.join(' ')}: ${err}`);
  return Buffer.concat(out);
}

describe('push', { skip: needs('docker-registry', 'skopeo') }, () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  let amd64: BuiltImage;
  let arm64: BuiltImage;
  before(async () => {
    reg = await startRegistry();
    client = new RegistryClient(reg.host, { credentials: null });
    amd64 = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=debian\n' }], [{ path: 'a', content: 'amd64' }]] });
    arm64 = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=debian\n' }], [{ path: 'a', content: 'arm64' }]], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  });
  after(async () => {
    client?.close();
    await reg?.stop();
  });

  test('an image: skopeo reads back the same manifest and config bytes', async () => {
    assert.equal(await pushWithClient(client, 'team/app', '1.0', amd64), amd64.manifestDigest);
    assert.deepEqual(await skopeo(['inspect', '--raw', `docker://${reg.host}/team/app:1.0`]), amd64.manifestBytes);
    assert.deepEqual(await skopeo(['inspect', '--config', '--raw', `docker://${reg.host}/team/app:1.0`]), amd64.configBytes);
    assert.equal(await client.resolveDigest(parseImageRef(`${reg.host}/team/app:1.0`) as never), amd64.manifestDigest);
  });

  test('an index (platform manifests by digest, index by tag): skopeo copies it all', async (t) => {
    for (const img of [amd64, arm64]) await pushWithClient(client, 'team/multi', img.manifestDigest, img);
    const index = buildIndex([amd64, arm64]);
    assert.equal(await client.putManifest('team/multi', 'latest', index.indexBytes, index.index.mediaType!), index.indexDigest);
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-push-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await skopeo(['copy', '--quiet', '--all', '--preserve-digests', `docker://${reg.host}/team/multi:latest`, `oci:${join(dir, 'copy')}:x`]);
    const layoutIndex = JSON.parse(await readFile(join(dir, 'copy', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(layoutIndex.manifests[0]!.digest, index.indexDigest);
    const arm = arm64.layers[1]!;
    assert.deepEqual(await readFile(join(dir, 'copy', 'blobs', 'sha256', arm.descriptor.digest.slice(7))), arm.blob);
  });

  test('blobs the repository has are not uploaded again', async (t) => {
    const proxy = await startFaultProxy(reg.url);
    t.after(() => proxy.stop());
    const viaProxy = new RegistryClient(proxy.host, { credentials: null });
    t.after(() => viaProxy.close());
    await pushWithClient(viaProxy, 'team/app', '1.1', amd64);
    assert.deepEqual(proxy.requests.map((r) => r.method).sort(), ['GET', 'HEAD', 'HEAD', 'HEAD', 'PUT']);
  });

  test('a blob streamed from a file, with upload URLs the registry gives (relative or absolute)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-push-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const data = Buffer.alloc(3 << 20, 7);
    const file = join(dir, 'big');
    await writeFile(file, data);
    const pushed = await client.pushBlob('team/files', { digest: digestOf(data), size: data.length, open: () => createReadStream(file) });
    assert.deepEqual(pushed, { digest: digestOf(data), size: data.length });
    assert.equal(await client.hasBlob('team/files', digestOf(data)), true);
    assert.deepEqual(await client.readBlob('team/files', pushed, 4 << 20), data);
  });

  test('a manifest pushed by digest must have that digest', async () => {
    await assert.rejects(client.putManifest('team/app', arm64.manifestDigest, amd64.manifestBytes, amd64.manifest.mediaType!), { code: 'DIGEST_MISMATCH' });
  });

  test('a manifest whose blobs are missing is refused by the registry, clearly', async () => {
    const lonely = await buildImage({ layers: [[{ path: 'never', content: 'pushed' }]] });
    await assert.rejects(client.putManifest('team/app', 'broken', lonely.manifestBytes, lonely.manifest.mediaType!), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'BAD_RESPONSE');
      assert.match(err.message, new RegExp(`^${reg.host}/team/app:broken: ${reg.host} answered 400 \\(.*blob unknown`));
      return true;
    });
  });

  test('tag list, and Link pagination', async (t) => {
    const tags = ['a', 'b', 'c', 'd', 'e'];
    for (const blob of amd64.blobs.values()) await client.pushBlob('team/tags', blob);
    for (const tag of tags) await client.putManifest('team/tags', tag, amd64.manifestBytes, amd64.manifest.mediaType!);
    assert.deepEqual((await client.listTags('team/tags')).sort(), tags);
    await assert.rejects(client.listTags('team/tags', { max: 3 }), { code: 'TOO_LARGE' });
    await assert.rejects(client.listTags('team/none'), { code: 'NOT_FOUND' });
    // docker-registry 2.8 ignores ?n= for tags, so the proxy plays a paginating registry for the
    // first page; the Link it gives leads back to the real one.
    const proxy = await startFaultProxy(reg.url);
    t.after(() => proxy.stop());
    proxy.rule = (r) => (r.path.includes('/tags/list') && !r.path.includes('last=')
      ? { status: 200, headers: { link: '</v2/team/tags/tags/list?n=2&last=x>; rel="next"' }, body: JSON.stringify({ name: 'team/tags', tags: ['x', 'y'] }) }
      : undefined);
    const viaProxy = new RegistryClient(proxy.host, { credentials: null });
    t.after(() => viaProxy.close());
    const listed = await viaProxy.listTags('team/tags', { pageSize: 2 });
    assert.deepEqual(listed.slice(0, 2), ['x', 'y']);
    assert.deepEqual(listed.slice(2).sort(), tags);
    assert.deepEqual(proxy.requests.filter((r) => r.path.includes('/tags/')).map((r) => r.path.replace(/^.*\?/, '')), ['n=2', 'n=2&last=x']);
  });
});

describe('push with token auth', { skip: needs('docker-registry', 'skopeo') }, () => {
  test('asks for pull,push scope, and the image pulls back', async (t) => {
    const reg = await startRegistry({ auth: { users: { ci: 'pw' } } });
    t.after(() => reg.stop());
    const image = await buildImage({ layers: [[{ path: 'x', content: 'token push' }]], format: 'docker' });
    const client = new RegistryClient(reg.host, { credentials: { username: 'ci', password: 'pw' } });
    t.after(() => client.close());
    await pushWithClient(client, 'ci/app', 'v1', image);
    assert.deepEqual([...new Set(reg.tokenRequests.map((r) => r.scopes.join(' ')))], ['repository:ci/app:pull,push']);
    assert.equal(reg.tokenRequests.length, 1);
    assert.deepEqual(await skopeo(['inspect', '--raw', `docker://${reg.host}/ci/app:v1`], 'ci:pw'), image.manifestBytes);
    const source = await openImage(parseImageRef(`${reg.host}/ci/app:v1`), { env: { HOME: '/nonexistent' } });
    await assert.rejects(source.resolve({ os: 'linux', architecture: 'amd64' }), { code: 'UNAUTHORIZED' });
    await source.close();
  });
});
