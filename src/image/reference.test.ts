import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatImageRef, isLoopbackRegistry, parseImageRef } from './reference.ts';

describe('parseImageRef', () => {
  const cases: [string, string][] = [
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['library/alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['bitnami/redis', 'docker.io/bitnami/redis:latest'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/library/alpine:3', 'docker.io/library/alpine:3'],
    ['registry-1.docker.io/bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['docker://alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['ghcr.io/org/team/app:v1.2.3', 'ghcr.io/org/team/app:v1.2.3'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app:dev', 'localhost:5000/app:dev'],
    ['127.0.0.1:5000/a/b', '127.0.0.1:5000/a/b:latest'],
    ['[::1]:5000/app:1', '[::1]:5000/app:1'],
    ['Registry.Example.COM/app', 'Registry.Example.COM/app:latest'],
    ['quay.io/a/b-c__d.e:tag_1.0-x', 'quay.io/a/b-c__d.e:tag_1.0-x'],
    [`alpine@sha256:${'a'.repeat(64)}`, `docker.io/library/alpine@sha256:${'a'.repeat(64)}`],
    [`alpine:3.20@sha256:${'b'.repeat(64)}`, `docker.io/library/alpine:3.20@sha256:${'b'.repeat(64)}`],
    [`host:443/ns/app:1@sha256:${'c'.repeat(64)}`, `host:443/ns/app:1@sha256:${'c'.repeat(64)}`],
  ];
  for (const [input, expected] of cases) {
    it(`normalises ${input}`, () => assert.equal(formatImageRef(parseImageRef(input)), expected));
  }

  it('keeps tag and digest apart', () => {
    const ref = parseImageRef(`registry.local:5000/app:v1@sha256:${'d'.repeat(64)}`);
    assert.deepEqual(ref, { transport: 'registry', registry: 'registry.local:5000', repository: 'app', tag: 'v1', digest: `sha256:${'d'.repeat(64)}` });
  });

  const bad: [string, RegExp][] = [
    ['', /empty image reference/],
    ['Alpine', /invalid repository name "Alpine".*lowercase/],
    ['alpine:', /invalid tag ""/],
    ['alpine:-bad', /invalid tag/],
    [`alpine:${'t'.repeat(129)}`, /invalid tag/],
    ['alpine@sha256:abc', /64 lowercase hex/],
    ['alpine@md5', /invalid digest/],
    ['a//b', /invalid repository name/],
    ['-a/b', /invalid repository name/],
    ['host:port:bad/app', /invalid registry host/],
    [`docker.io/${'a'.repeat(260)}`, /longer than 255/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.throws(() => parseImageRef(input), (err: Error & { code?: string }) => err.code === 'BAD_REFERENCE' && message.test(err.message));
    });
  }

  it('parses transports with and without a ref', () => {
    assert.deepEqual(parseImageRef('oci:/tmp/layout'), { transport: 'oci', path: '/tmp/layout' });
    assert.deepEqual(parseImageRef('oci:/tmp/layout:v1'), { transport: 'oci', path: '/tmp/layout', ref: 'v1' });
    assert.deepEqual(parseImageRef('oci:./rel/dir:latest'), { transport: 'oci', path: './rel/dir', ref: 'latest' });
    assert.deepEqual(parseImageRef('oci-archive:img.tar'), { transport: 'oci-archive', path: 'img.tar' });
    assert.deepEqual(parseImageRef('oci-archive:/a/img.tar:app'), { transport: 'oci-archive', path: '/a/img.tar', ref: 'app' });
    assert.deepEqual(parseImageRef('docker-archive:/a/b.tar'), { transport: 'docker-archive', path: '/a/b.tar' });
    assert.deepEqual(parseImageRef('docker-archive:/a/b.tar:alpine:3.20'), { transport: 'docker-archive', path: '/a/b.tar', ref: 'alpine:3.20' });
    assert.deepEqual(parseImageRef('oci:/tmp/layout:'), { transport: 'oci', path: '/tmp/layout' });
    assert.throws(() => parseImageRef('oci:'), /missing path/);
  });

  it('treats only loopback hosts as plain-HTTP registries', () => {
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000']) assert.equal(isLoopbackRegistry(h), true, h);
    for (const h of ['docker.io', 'localhost.example.com', '10.0.0.1:5000', '128.0.0.1']) assert.equal(isLoopbackRegistry(h), false, h);
  });
});
