/** The pure parts of the registry client: challenges, token answers, Retry-After, backoff, token cache. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenCache, parseChallenges, parseTokenResponse, registryErrorDetail } from './auth.ts';
import { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter } from './retry.ts';

describe('WWW-Authenticate', () => {
  test('the Bearer challenge of the token auth spec', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:samalba/my-app:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
  });

  test('Basic, several challenges, spaces, unquoted values, escapes', () => {
    assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    assert.deepEqual(parseChallenges('Basic realm="a", Bearer realm = "https://t/x" , service=reg, error="insufficient_scope"'), [
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', service: 'reg', error: 'insufficient_scope' } },
    ]);
    assert.deepEqual(parseChallenges('bearer realm="say \\"hi\\""'), [{ scheme: 'bearer', params: { realm: 'say "hi"' } }]);
    assert.deepEqual(parseChallenges(undefined), []);
    assert.deepEqual(parseChallenges('   '), []);
  });
});

describe('token responses', () => {
  test('token or access_token; expires_in defaults to 60 s', () => {
    assert.deepEqual(parseTokenResponse(Buffer.from('{"token":"abc","expires_in":300}'), 'x'), { token: 'abc', expiresInMs: 300_000 });
    assert.deepEqual(parseTokenResponse(Buffer.from('{"access_token":"def"}'), 'x'), { token: 'def', expiresInMs: 60_000 });
    assert.throws(() => parseTokenResponse(Buffer.from('{"token":""}'), 'x'), { code: 'BAD_RESPONSE' });
    assert.throws(() => parseTokenResponse(Buffer.from('<html>'), 'x'), { code: 'BAD_RESPONSE' });
  });

  test('cached per scope until shortly before expiry', () => {
    const cache = new TokenCache();
    cache.set('repository:a:pull', 'T', 300_000, 0);
    assert.equal(cache.get('repository:a:pull', 289_999), 'Bearer T');
    assert.equal(cache.get('repository:a:pull', 290_000), undefined);
    assert.equal(cache.get('repository:b:pull', 0), undefined);
    cache.set('s', 'U', 60_000, 0);
    cache.drop('s');
    assert.equal(cache.get('s', 1), undefined);
  });
});

describe('registry error bodies', () => {
  test('first error message, one printable line, bounded', () => {
    assert.equal(registryErrorDetail(Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}')), 'manifest unknown');
    assert.equal(registryErrorDetail(Buffer.from('{"errors":[{"code":"DENIED"}]}')), 'DENIED');
    assert.equal(registryErrorDetail(Buffer.from(JSON.stringify({ errors: [{ message: `evil\n\u001b[31m${'x'.repeat(500)}` }] })))!.length, 160);
    assert.equal(registryErrorDetail(Buffer.from('not json')), undefined);
  });
});

describe('retries', () => {
  test('Retry-After: seconds or HTTP-date (RFC 9110)', () => {
    assert.equal(parseRetryAfter('120'), 120_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  test('exponential backoff with jitter, capped', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 1)), [100, 200, 400, 800, 1000]);
    assert.deepEqual([1, 2, 3].map((n) => backoffDelay(policy, n, () => 0)), [50, 100, 200]);
  });

  test('which statuses are transient', () => {
    assert.deepEqual([408, 429, 500, 502, 503, 504].map(isRetryableStatus), [true, true, true, true, true, true]);
    assert.deepEqual([400, 401, 403, 404, 501, 505].map(isRetryableStatus), [false, false, false, false, false, false]);
  });
});

describe('what goes into a URL path', () => {
  test('repository names, tags and digests are checked before any request', async () => {
    const { RegistryClient } = await import('./client.ts');
    const client = new RegistryClient('127.0.0.1:1');
    await assert.rejects(client.getManifest('../../v2/_catalog', 'latest'), { code: 'BAD_REFERENCE' });
    await assert.rejects(client.getManifest('team/App', 'latest'), { code: 'BAD_REFERENCE' });
    await assert.rejects(client.getManifest('team/app', 'a/../b'), { code: 'BAD_REFERENCE', message: '127.0.0.1:1/team/app: invalid tag "a/../b"' });
    await assert.rejects(client.openBlob('team/app', { digest: 'sha256:../../x', size: 1 }), { code: 'BAD_DIGEST' });
    await assert.rejects(client.listTags('team//app'), { code: 'BAD_REFERENCE' });
    client.close();
  });
});
