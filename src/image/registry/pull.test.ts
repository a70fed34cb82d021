/**
 * Pulls from a real docker-registry (images pushed by skopeo, an independent implementation):
 * by tag and by digest, OCI and Docker schema 2, multi-platform indexes, not-found errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildImage, buildIndex } from '../../../test/image-builder.ts';
import type { BuiltImage } from '../../../test/image-builder.ts';
import { freePort, pullImage, pushImage, pushWithClient, startRegistry } from '../../../test/registry.ts';
import type { TestRegistry } from '../../../test/registry.ts';
import { needs } from '../../../test/tools.ts';
import { RegistryError } from '../../errors.ts';
import { openImage, parseImageRef, RegistryClient } from '../index.ts';

const skip = needs('docker-registry', 'skopeo');

function osRelease(id: string): Buffer {
  return Buffer.from(`ID=${id}\nVERSION_ID="12"\n`);
}

describe('registry pulls', { skip }, () => {
  let reg: TestRegistry;
  let amd64: BuiltImage;
  let arm64: BuiltImage;
  let docker: BuiltImage;
  before(async () => {
    reg = await startRegistry();
    amd64 = await buildImage({ layers: [[{ path: 'etc/os-release', content: osRelease('debian') }], [{ path: 'usr/bin/x', content: 'amd64' }]] });
    arm64 = await buildImage({ layers: [[{ path: 'etc/os-release', content: osRelease('debian') }], [{ path: 'usr/bin/x', content: 'arm64' }]], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    docker = await buildImage({ layers: [[{ path: 'etc/os-release', content: osRelease('ubuntu') }]], format: 'docker' });
    await pushImage(reg, 'team/app:1.0', amd64);
    await pushImage(reg, 'team/multi:1.0', buildIndex([amd64, arm64]));
    await pushImage(reg, 'team/docker:1.0', docker);
    await pushImage(reg, 'team/dlist:1.0', buildIndex([docker], 'docker'));
  });
  after(() => reg?.stop());

  test('by tag: manifest, config and verified layers', async () => {
    const { image, layers } = await pullImage(`${reg.host}/team/app:1.0`);
    {
      assert.equal(image.manifestDigest, amd64.manifestDigest);
      assert.equal(image.repoDigest, amd64.manifestDigest);
      assert.equal(image.indexDigest, undefined);
      assert.equal(image.configDigest, amd64.configDescriptor.digest);
      assert.deepEqual(image.layers.map((l) => l.diffId), amd64.layers.map((l) => l.diffId));
      assert.deepEqual(layers, amd64.layers.map((l) => l.blob));
    }
  });

  test('by digest, and tag+digest (the digest wins)', async () => {
    for (const ref of [`${reg.host}/team/app@${amd64.manifestDigest}`, `${reg.host}/team/app:nonexistent@${amd64.manifestDigest}`]) {
      const source = await openImage(parseImageRef(ref));
      const image = await source.resolve({ os: 'linux', architecture: 'amd64' });
      await source.close();
      assert.equal(image.manifestDigest, amd64.manifestDigest);
      assert.equal(image.name, ref);
    }
  });

  test('multi-platform index: platform selection, repoDigest is the index digest', async () => {
    const index = buildIndex([amd64, arm64]);
    for (const [platform, want] of [[{ os: 'linux', architecture: 'amd64' }, amd64], [{ os: 'linux', architecture: 'arm64' }, arm64], [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, arm64]] as const) {
      const { image, layers } = await pullImage(`${reg.host}/team/multi:1.0`, {}, platform);
      assert.equal(image.manifestDigest, want.manifestDigest);
      assert.equal(image.indexDigest, index.indexDigest);
      assert.equal(image.repoDigest, index.indexDigest);
      assert.deepEqual(layers, want.layers.map((l) => l.blob));
    }
  });

  test('missing platform: the error lists the platforms the image has', async () => {
    const source = await openImage(parseImageRef(`${reg.host}/team/multi:1.0`));
    await assert.rejects(source.resolve({ os: 'linux', architecture: 's390x' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PLATFORM_NOT_FOUND');
      assert.match(err.message, new RegExp(`${reg.host}/team/multi:1.0 has no linux/s390x image; it has: linux/amd64, linux/arm64/v8$`));
      return true;
    });
    await source.close();
  });

  test('Docker schema 2 manifest and manifest list', async () => {
    for (const repo of ['team/docker', 'team/dlist']) {
      const { image, layers } = await pullImage(`${reg.host}/${repo}:1.0`);
      assert.equal(image.manifestDigest, docker.manifestDigest);
      assert.equal(image.manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      assert.deepEqual(layers, docker.layers.map((l) => l.blob));
    }
  });

  test('unknown tag, repository and blob are NOT_FOUND naming the reference', async () => {
    for (const ref of [`${reg.host}/team/app:2.0`, `${reg.host}/team/nothing:1.0`]) {
      const source = await openImage(parseImageRef(ref));
      await assert.rejects(source.resolve({ os: 'linux', architecture: 'amd64' }), (err: Error) => {
        assert.ok(err instanceof RegistryError);
        assert.equal(err.code, 'NOT_FOUND');
        assert.ok(err.message.startsWith(`${ref}: not found`), err.message);
        return true;
      });
      await source.close();
    }
    const client = new RegistryClient(reg.host);
    await assert.rejects(client.openBlob('team/app', { digest: `sha256:${'0'.repeat(64)}`, size: 1 }), { code: 'NOT_FOUND' });
    client.close();
  });

  test('resolveDigest pins a tag to what the registry serves (HEAD), and agrees with GET', async () => {
    const client = new RegistryClient(reg.host);
    assert.equal(await client.resolveDigest(parseImageRef(`${reg.host}/team/multi:1.0`) as never), buildIndex([amd64, arm64]).indexDigest);
    assert.equal(await client.resolveDigest(parseImageRef(`${reg.host}/team/app:1.0`) as never), amd64.manifestDigest);
    await assert.rejects(client.resolveDigest(parseImageRef(`${reg.host}/team/app:nope`) as never), { code: 'NOT_FOUND' });
    client.close();
  });
});

describe('IPv6 loopback', { skip: needs('docker-registry', 'skopeo') }, () => {
  test('[::1]:port is loopback: plain HTTP without --insecure', async (t) => {
    const ipv6 = await freePort('::1').then(() => true, () => false);
    if (!ipv6) {
      t.skip('this machine has no IPv6 loopback');
      return;
    }
    const reg = await startRegistry({ address: '::1' });
    t.after(() => reg.stop());
    const image = await buildImage({ layers: [[{ path: 'v6', content: 'yes' }]] });
    // skopeo 1.9's reference parser has no IPv6 literals: push with our client (tested against skopeo in push.test.ts).
    const client = new RegistryClient(reg.host);
    await pushWithClient(client, 'six/app', '1', image);
    client.close();
    assert.ok(reg.host.startsWith('[::1]:'));
    const { image: got, layers } = await pullImage(`${reg.host}/six/app:1`);
    assert.equal(got.manifestDigest, image.manifestDigest);
    assert.deepEqual(layers, image.layers.map((l) => l.blob));
  });
});
