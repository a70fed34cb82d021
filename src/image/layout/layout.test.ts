import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { buildImage, buildIndex, writeDockerArchive, writeOciArchive, writeOciLayout } from '../../../test/image-builder.ts';
import type { BuiltImage } from '../../../test/image-builder.ts';
import { needs } from '../../../test/tools.ts';
import { openImage } from '../open.ts';
import { parseImageRef } from '../reference.ts';

async function drain(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

describe('local image sources', () => {
  let dir: string;
  let img: BuiltImage;
  let armImg: BuiltImage;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'layout-test-'));
    img = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.3\n' }], [{ path: 'app/bin', content: 'x' }]] });
    armImg = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=alpine\n' }]], platform: arm64 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves an OCI layout by ref name and streams verified blobs', async () => {
    const layout = join(dir, 'layout1');
    await writeOciLayout(layout, [{ name: 'v1', image: img }, { name: 'multi', image: buildIndex([img, armImg]) }]);
    const src = await openImage(parseImageRef(`oci:${layout}:v1`));
    const resolved = await src.resolve(amd64);
    assert.equal(resolved.manifestDigest, img.manifestDigest);
    assert.equal(resolved.repoDigest, img.manifestDigest);
    assert.deepEqual(resolved.layers.map((l) => l.diffId), img.layers.map((l) => l.diffId));
    assert.deepEqual(await drain(await src.openBlob(resolved.layers[0]!.descriptor)), img.layers[0]!.blob);
    await src.close();

    const multi = await openImage(parseImageRef(`oci:${layout}:multi`));
    const arm = await multi.resolve({ os: 'linux', architecture: 'arm64' });
    assert.equal(arm.manifestDigest, armImg.manifestDigest);
    assert.equal(arm.indexDigest, buildIndex([img, armImg]).indexDigest);
    assert.equal(arm.repoDigest, arm.indexDigest);
    await assert.rejects(multi.resolve({ os: 'linux', architecture: 's390x' }), {
      code: 'PLATFORM_NOT_FOUND', message: /has no linux\/s390x image; it has: linux\/amd64, linux\/arm64\/v8/,
    });
  });

  it('names what a layout holds when the ref is missing or ambiguous', async () => {
    const layout = join(dir, 'layout2');
    await writeOciLayout(layout, [{ name: 'a', image: img }, { name: 'b', image: armImg }]);
    await assert.rejects((await openImage(parseImageRef(`oci:${layout}`))).resolve(amd64), { code: 'AMBIGUOUS_REF', message: /holds 2 images.*a, b/ });
    await assert.rejects((await openImage(parseImageRef(`oci:${layout}:c`))).resolve(amd64), { code: 'REF_NOT_FOUND', message: /no image named "c"; the layout has: a, b/ });
    await assert.rejects((await openImage(parseImageRef(`oci:${join(dir, 'nope')}`))).resolve(amd64), { code: 'NOT_OCI_LAYOUT' });
  });

  it('fails a blob whose content does not match its digest', async () => {
    const layout = join(dir, 'layout3');
    await writeOciLayout(layout, [{ image: img }]);
    const src = await openImage(parseImageRef(`oci:${layout}`));
    const resolved = await src.resolve(amd64);
    const layerHex = resolved.layers[1]!.descriptor.digest.slice(7);
    const original = readFileSync(join(layout, 'blobs', 'sha256', layerHex));
    const tampered = Buffer.from(original);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff;
    writeFileSync(join(layout, 'blobs', 'sha256', layerHex), tampered);
    await assert.rejects(drain(await src.openBlob(resolved.layers[1]!.descriptor)), { code: 'DIGEST_MISMATCH' });
    writeFileSync(join(layout, 'blobs', 'sha256', layerHex), original.subarray(0, 10));
    await assert.rejects(drain(await src.openBlob(resolved.layers[1]!.descriptor)), { code: 'SIZE_MISMATCH', message: /truncated/ });
    // A tampered manifest is caught before anything is read from it.
    writeFileSync(join(layout, 'blobs', 'sha256', img.manifestDigest.slice(7)), img.manifestBytes.toString().replace('"layers"', '"layers" '));
    await assert.rejects((await openImage(parseImageRef(`oci:${layout}`))).resolve(amd64), { code: 'SIZE_MISMATCH' });
  });

  it('reads an OCI archive', async () => {
    const file = join(dir, 'img.oci.tar');
    await writeOciArchive(file, [{ name: 'latest', image: buildIndex([img, armImg]) }]);
    const src = await openImage(parseImageRef(`oci-archive:${file}`));
    const resolved = await src.resolve(arm64);
    assert.equal(resolved.manifestDigest, armImg.manifestDigest);
    assert.deepEqual(await drain(await src.openBlob(resolved.layers[0]!.descriptor)), armImg.layers[0]!.blob);
    await src.close();
  });

  it('reads a docker save archive, by tag or alone', async () => {
    const file = join(dir, 'img.docker.tar');
    await writeDockerArchive(file, img, ['example.com/app:1.0']);
    for (const ref of [`docker-archive:${file}`, `docker-archive:${file}:example.com/app:1.0`, `docker-archive:${file}:app:1.0`]) {
      const src = await openImage(parseImageRef(ref));
      const resolved = await src.resolve(amd64);
      assert.equal(resolved.configDigest, img.configDescriptor.digest);
      assert.equal(resolved.repoDigest, undefined);
      assert.deepEqual(await drain(await src.openBlob(resolved.layers[0]!.descriptor)), img.layers[0]!.tar);
      await src.close();
    }
    await assert.rejects((await openImage(parseImageRef(`docker-archive:${file}:other:1`))).resolve(amd64), { code: 'REF_NOT_FOUND', message: /example.com\/app:1.0/ });
  });

  it('reads archives that skopeo itself wrote', { skip: needs('skopeo') }, async () => {
    const layout = join(dir, 'layout-skopeo-src');
    await writeOciLayout(layout, [{ name: 'v1', image: img }]);
    const dockerTar = join(dir, 'skopeo-docker.tar');
    const ociTar = join(dir, 'skopeo-oci.tar');
    const copy = (dest: string) => spawnSync('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${layout}:v1`, dest], { encoding: 'utf8' });
    let r = copy(`docker-archive:${dockerTar}:test/app:v1`);
    assert.equal(r.status, 0, r.stderr);
    r = copy(`oci-archive:${ociTar}:v1`);
    assert.equal(r.status, 0, r.stderr);
    for (const ref of [`docker-archive:${dockerTar}`, `oci-archive:${ociTar}:v1`]) {
      const src = await openImage(parseImageRef(ref));
      const resolved = await src.resolve(amd64);
      assert.deepEqual(resolved.layers.map((l) => l.diffId), img.layers.map((l) => l.diffId), ref);
      for (const l of resolved.layers) await drain(await src.openBlob(l.descriptor));
      await src.close();
    }
    assert.ok(readdirSync(dir).length > 0);
  });
});
