/**
 * Authentication against a real docker-registry: token auth (a token server in the test signs
 * the JWTs the registry verifies) and htpasswd Basic auth; credentials from docker config files,
 * REGISTRY_AUTH_FILE, credential helpers (a shell script on PATH) and OAuth2 identity tokens.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildImage } from '../../../test/image-builder.ts';
import type { BuiltImage } from '../../../test/image-builder.ts';
import { faultOnce, startFaultProxy } from '../../../test/registry-proxy.ts';
import { pullImage, pushImage, startRegistry } from '../../../test/registry.ts';
import type { TestRegistry } from '../../../test/registry.ts';
import { needs } from '../../../test/tools.ts';
import { RegistryError } from '../../errors.ts';
import { RegistryClient, RegistryClients } from '../index.ts';
import type { OpenOptions } from '../index.ts';

const PASSWORD = 's3cret-Pa55';

async function pull(ref: string, options: OpenOptions): Promise<string> {
  return (await pullImage(ref, options)).image.manifestDigest;
}

/** A scratch HOME with an optional ~/.docker/config.json; PATH keeps the system's. */
async function home(config?: object, extra: Record<string, string> = {}): Promise<{ env: NodeJS.ProcessEnv; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-home-'));
  if (config) {
    await mkdir(join(dir, '.docker'));
    await writeFile(join(dir, '.docker', 'config.json'), JSON.stringify(config));
  }
  return { dir, env: { HOME: dir, PATH: process.env.PATH ?? '/usr/bin:/bin', ...extra } };
}

function basic(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64');
}

describe('token auth', { skip: needs('docker-registry', 'skopeo') }, () => {
  let reg: TestRegistry;
  let image: BuiltImage;
  let ref: string;
  const dirs: string[] = [];
  const env = async (config?: object, extra?: Record<string, string>) => {
    const h = await home(config, extra);
    dirs.push(h.dir);
    return h;
  };
  before(async () => {
    reg = await startRegistry({ auth: { users: { alice: PASSWORD }, allow: (_user, repository) => !repository.startsWith('secret/') } });
    image = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=debian\n' }], [{ path: 'a', content: 'b' }]] });
    await pushImage(reg, 'team/app:1.0', image);
    ref = `${reg.host}/team/app:1.0`;
  });
  after(async () => {
    await reg?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('no credentials: UNAUTHORIZED, saying none were found', async () => {
    const { env: e } = await env();
    await assert.rejects(pull(ref, { env: e }), (err: Error) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, 'UNAUTHORIZED');
      assert.match(err.message, /requires authentication and no credentials were found/);
      return true;
    });
  });

  test('auths "auth" entry: one token for the whole pull (reused per scope)', async () => {
    const { env: e } = await env({ auths: { [reg.host]: { auth: basic('alice', PASSWORD) } } });
    const before = reg.tokenRequests.length;
    assert.equal(await pull(ref, { env: e }), image.manifestDigest);
    const asked = reg.tokenRequests.slice(before);
    assert.deepEqual(asked, [{ user: 'alice', scopes: ['repository:team/app:pull'], service: reg.service, kind: 'get' }]);
  });

  test('auths username/password under an http:// key with a path (as old Docker writes it)', async () => {
    const { env: e } = await env({ auths: { [`http://${reg.host}/v2/`]: { username: 'alice', password: PASSWORD } } });
    assert.equal(await pull(ref, { env: e }), image.manifestDigest);
  });

  test('wrong password: UNAUTHORIZED, and the password is in no message', async () => {
    const { env: e } = await env({ auths: { [reg.host]: { auth: basic('alice', 'wrong-Secret-42') } } });
    await assert.rejects(pull(ref, { env: e }), (err: Error) => {
      assert.equal((err as RegistryError).code, 'UNAUTHORIZED');
      assert.match(err.message, /rejected the credentials/);
      assert.ok(!err.message.includes('wrong-Secret-42') && !err.message.includes(basic('alice', 'wrong-Secret-42')));
      return true;
    });
  });

  test('a login without rights to the repository: DENIED (not "bad credentials")', async () => {
    const { env: e } = await env({ auths: { [reg.host]: { auth: basic('alice', PASSWORD) } } });
    await assert.rejects(pull(`${reg.host}/secret/app:1`, { env: e }), (err: Error) => {
      assert.equal((err as RegistryError).code, 'DENIED');
      assert.match(err.message, new RegExp(`^${reg.host}/secret/app:1: access denied by ${reg.host}: the repository does not exist or the credentials do not allow it`));
      return true;
    });
  });

  test('REGISTRY_AUTH_FILE comes before the docker config', async () => {
    const { env: e, dir } = await env({ auths: { [reg.host]: { auth: basic('alice', 'wrong') } } });
    const authFile = join(dir, 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: { [`${reg.host}/team`]: { auth: basic('alice', PASSWORD) } } }));
    assert.equal(await pull(ref, { env: { ...e, REGISTRY_AUTH_FILE: authFile } }), image.manifestDigest);
  });

  test('DOCKER_CONFIG points at another directory', async () => {
    const { env: e, dir } = await env();
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: basic('alice', PASSWORD) } } }));
    assert.equal(await pull(ref, { env: { ...e, DOCKER_CONFIG: dir } }), image.manifestDigest);
  });

  test('credHelpers: docker-credential-<name> get, asked for the registry host', async () => {
    const { env: e, dir } = await env();
    const log = join(dir, 'helper.log');
    await writeFile(join(dir, 'docker-credential-test'), [
      '#!/bin/sh',
      'read server',
      `echo "$1 $server" >> '${log}'`,
      `case "$server" in ${reg.host}) printf '{"ServerURL":"%s","Username":"alice","Secret":"${PASSWORD}"}' "$server";;`,
      '  *) echo "credentials not found in native keychain"; exit 1;; esac',
    ].join('\n'));
    await chmod(join(dir, 'docker-credential-test'), 0o755);
    const { env: withConfig } = await env({ credHelpers: { [reg.host]: 'test' }, auths: { [reg.host]: {} } }, { PATH: `${dir}:${e.PATH}` });
    assert.equal(await pull(ref, { env: withConfig }), image.manifestDigest);
    assert.equal((await readFile(log, 'utf8')).trim(), `get ${reg.host}`);
  });

  test('credsStore answering "not found" falls back to anonymous and fails clearly; a missing helper is named', async () => {
    const { dir } = await env();
    await writeFile(join(dir, 'docker-credential-empty'), '#!/bin/sh\necho "credentials not found in native keychain"\nexit 1\n');
    await chmod(join(dir, 'docker-credential-empty'), 0o755);
    const { env: e1 } = await env({ credsStore: 'empty' }, { PATH: `${dir}:${process.env.PATH}` });
    await assert.rejects(pull(ref, { env: e1 }), { code: 'UNAUTHORIZED' });
    const { env: e2 } = await env({ credsStore: 'nonexistent' });
    await assert.rejects(pull(ref, { env: e2 }), { code: 'CREDENTIAL_HELPER', message: 'credential helper docker-credential-nonexistent is not on PATH' });
  });

  test('a credential helper that hangs is killed after the timeout', async () => {
    const { dir } = await env();
    await writeFile(join(dir, 'docker-credential-hang'), '#!/bin/sh\nsleep 30\n');
    await chmod(join(dir, 'docker-credential-hang'), 0o755);
    const { env: e } = await env({ credHelpers: { [reg.host]: 'hang' } }, { PATH: `${dir}:${process.env.PATH}` });
    const client = new RegistryClient(reg.host, { env: e, helperTimeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(client.getManifest('team/app', '1.0'), { code: 'CREDENTIAL_HELPER', message: 'credential helper docker-credential-hang did not answer within 0.3 s' });
    assert.ok(Date.now() - started < 5000);
    client.close();
  });

  test('identitytoken: OAuth2 refresh-token grant at the realm', async () => {
    // Get a refresh token the way `docker login` does (password grant, offline access).
    const res = await fetch(reg.realm!, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD, service: reg.service!, client_id: 'test', access_type: 'offline' }) });
    const { refresh_token: refreshToken } = await res.json() as { refresh_token: string };
    const { env: e } = await env({ auths: { [reg.host]: { identitytoken: refreshToken } } });
    const before = reg.tokenRequests.length;
    assert.equal(await pull(ref, { env: e }), image.manifestDigest);
    assert.deepEqual(reg.tokenRequests.slice(before).map((r) => [r.kind, r.user]), [['oauth', 'alice']]);
  });

  test('a shared RegistryClients pool reuses the token across images of a repository', async () => {
    const clients = new RegistryClients({ credentials: { username: 'alice', password: PASSWORD } });
    const before = reg.tokenRequests.length;
    try {
      assert.equal(await pull(ref, { clients }), image.manifestDigest);
      assert.equal(await pull(`${reg.host}/team/app@${image.manifestDigest}`, { clients }), image.manifestDigest);
    } finally {
      clients.close();
    }
    assert.equal(reg.tokenRequests.length - before, 1);
  });

  test('parallel requests share one token request', async () => {
    const client = new RegistryClient(reg.host, { credentials: { username: 'alice', password: PASSWORD } });
    const before = reg.tokenRequests.length;
    try {
      const blobs = await Promise.all([image.configDescriptor, ...image.layers.map((l) => l.descriptor)].map((d) => client.readBlob('team/app', d, 1 << 20)));
      assert.deepEqual(blobs, [image.configBytes, ...image.layers.map((l) => l.blob)]);
    } finally {
      client.close();
    }
    assert.equal(reg.tokenRequests.length - before, 1);
  });

  test('a token the registry stops accepting is dropped and fetched again (one 401 → refresh)', async (t) => {
    const proxy = await startFaultProxy(reg.url);
    t.after(() => proxy.stop());
    const { env: e } = await env({ auths: { [proxy.host]: { auth: basic('alice', PASSWORD) } } });
    const challenge = `Bearer realm="${reg.realm}",service="${reg.service}",scope="repository:team/app:pull"`;
    // The first blob request is refused as if the token had expired.
    proxy.rule = faultOnce((r) => r.path.includes('/blobs/') && !!r.headers.authorization, { status: 401, headers: { 'www-authenticate': challenge } });
    const before = reg.tokenRequests.length;
    assert.equal(await pull(`${proxy.host}/team/app:1.0`, { env: e }), image.manifestDigest);
    assert.equal(reg.tokenRequests.length - before, 2);
    assert.equal(proxy.requests.filter((r) => r.fault).length, 1);
  });
});

describe('token auth, anonymous pulls allowed, token in access_token', { skip: needs('docker-registry', 'skopeo') }, () => {
  test('pulls without credentials; pushing needs them', async (t) => {
    const reg = await startRegistry({ auth: { users: { alice: PASSWORD }, anonymousPull: true, accessTokenField: true } });
    t.after(() => reg.stop());
    const image = await buildImage({ layers: [[{ path: 'x', content: 'y' }]] });
    await pushImage(reg, 'pub/app:1', image);
    const { env, dir } = await home();
    t.after(() => rm(dir, { recursive: true, force: true }));
    assert.equal(await pull(`${reg.host}/pub/app:1`, { env }), image.manifestDigest);
    assert.deepEqual(reg.tokenRequests.at(-1), { user: undefined, scopes: ['repository:pub/app:pull'], service: reg.service, kind: 'get' });
    const client = new RegistryClient(reg.host, { env });
    await assert.rejects(client.putManifest('pub/app', '2', image.manifestBytes, image.manifest.mediaType!), { code: 'UNAUTHORIZED' });
    client.close();
  });
});

describe('Basic auth (htpasswd)', { skip: needs('docker-registry', 'skopeo', 'htpasswd') }, () => {
  test('credentials sent as Basic; none is UNAUTHORIZED', async (t) => {
    const reg = await startRegistry({ basicAuth: { bob: PASSWORD } });
    t.after(() => reg.stop());
    const image = await buildImage({ layers: [[{ path: 'x', content: 'basic' }]] });
    await pushImage(reg, 'b/app:1', image);
    const anon = await home();
    const withCreds = await home({ auths: { [reg.host]: { auth: basic('bob', PASSWORD) } } });
    t.after(() => Promise.all([anon.dir, withCreds.dir].map((d) => rm(d, { recursive: true, force: true }))));
    assert.equal(await pull(`${reg.host}/b/app:1`, { env: withCreds.env }), image.manifestDigest);
    await assert.rejects(pull(`${reg.host}/b/app:1`, { env: anon.env }), { code: 'UNAUTHORIZED' });
  });
});
