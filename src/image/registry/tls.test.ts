/**
 * Real TLS: a docker-registry serving HTTPS with a certificate from a CA made by the test.
 * Trusted with --ca-file, refused without it, accepted unverified with --insecure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildImage } from '../../../test/image-builder.ts';
import type { BuiltImage } from '../../../test/image-builder.ts';
import { pullImage, pushImage, startRegistry } from '../../../test/registry.ts';
import type { TestRegistry } from '../../../test/registry.ts';
import { needs } from '../../../test/tools.ts';
import { RegistryError } from '../../errors.ts';
import type { OpenOptions } from '../index.ts';

const env = { HOME: '/nonexistent' };

async function resolve(ref: string, options: OpenOptions): Promise<string> {
  return (await pullImage(ref, { env, retry: { baseDelayMs: 2 }, ...options })).image.manifestDigest;
}

describe('TLS', { skip: needs('docker-registry', 'skopeo', 'openssl') }, () => {
  let reg: TestRegistry;
  let image: BuiltImage;
  let ref: string;
  before(async () => {
    reg = await startRegistry({ tls: true });
    image = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=debian\n' }]] });
    await pushImage(reg, 'secure/app:1', image);
    ref = `${reg.host}/secure/app:1`;
  });
  after(() => reg?.stop());

  test('--ca-file: the registry certificate verifies against the added CA', async () => {
    assert.equal(await resolve(ref, { caFile: reg.caFile! }), image.manifestDigest);
  });

  test('without the CA: refused (no fallback to plain HTTP), saying what to do', async () => {
    await assert.rejects(resolve(ref, {}), (err: Error) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, 'TLS');
      assert.equal(err.message, `${reg.host}: the TLS certificate of ${reg.host} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); pass its CA with --ca-file, or --insecure`);
      return true;
    });
  });

  test('a CA that did not sign it does not help', async () => {
    const other = await startRegistry({ tls: true });
    try {
      await assert.rejects(resolve(ref, { caFile: other.caFile! }), { code: 'TLS' });
    } finally {
      await other.stop();
    }
  });

  test('--insecure accepts the unverified certificate (still over TLS)', async () => {
    assert.equal(await resolve(ref, { insecure: true }), image.manifestDigest);
  });

  test('an unreadable --ca-file is a clear error', async () => {
    await assert.rejects(resolve(ref, { caFile: '/nonexistent/ca.pem' }), { code: 'BAD_CA_FILE', message: 'cannot read --ca-file /nonexistent/ca.pem: ENOENT' });
  });
});
