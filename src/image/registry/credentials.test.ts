/**
 * Credential lookup from the files docker/podman/skopeo write (written here as those tools write
 * them) and from docker-credential helpers (shell scripts speaking the helper protocol).
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER_HUB_AUTH_KEY, findCredentials, runCredentialHelper } from './credentials.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('findCredentials', () => {
  let dir: string;
  let n = 0;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'portcullis-creds-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  /** A HOME with ~/.docker/config.json = `config`; helpers (name → script body) on PATH. */
  const home = async (config: unknown, helpers: Record<string, string> = {}) => {
    const h = join(dir, `h${n++}`);
    await mkdir(join(h, '.docker'), { recursive: true });
    await writeFile(join(h, '.docker', 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    for (const [name, body] of Object.entries(helpers)) {
      await writeFile(join(h, `docker-credential-${name}`), `#!/bin/sh\n${body}\n`);
      await chmod(join(h, `docker-credential-${name}`), 0o755);
    }
    return { HOME: h, PATH: `${h}:${process.env.PATH}` };
  };

  test('Docker Hub under https://index.docker.io/v1/, for docker.io references', async () => {
    const env = await home({ auths: { [DOCKER_HUB_AUTH_KEY]: { auth: b64('hubuser:hubpass') } } });
    assert.deepEqual(await findCredentials('docker.io', 'library/alpine', { env }), { username: 'hubuser', password: 'hubpass' });
    assert.equal(await findCredentials('ghcr.example', 'x/y', { env }), undefined);
  });

  test('a password containing colons; username/password fields; identitytoken', async () => {
    const env = await home({ auths: {
      'reg.example:5000': { auth: b64('u:p:a:ss') },
      'https://other.example': { username: 'o', password: 'pw' },
      'tok.example': { identitytoken: 'refresh-me' },
    } });
    assert.deepEqual(await findCredentials('reg.example:5000', undefined, { env }), { username: 'u', password: 'p:a:ss' });
    assert.deepEqual(await findCredentials('other.example', undefined, { env }), { username: 'o', password: 'pw' });
    assert.deepEqual(await findCredentials('tok.example', undefined, { env }), { identityToken: 'refresh-me' });
    assert.equal(await findCredentials('reg.example', undefined, { env }), undefined, 'the port is part of the key');
  });

  test('containers auth.json: the longest matching namespace wins', async () => {
    const env = await home({});
    const authFile = join(env.HOME, 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: {
      'reg.example': { auth: b64('host:1') },
      'reg.example/team': { auth: b64('team:2') },
      'reg.example/team/app': { auth: b64('app:3') },
    } }));
    const e = { ...env, REGISTRY_AUTH_FILE: authFile };
    assert.equal((await findCredentials('reg.example', 'team/app', { env: e }))?.username, 'app');
    assert.equal((await findCredentials('reg.example', 'team/other', { env: e }))?.username, 'team');
    assert.equal((await findCredentials('reg.example', 'teamster/x', { env: e }))?.username, 'host');
  });

  test('credHelpers before auths; credsStore when auths has nothing; helpers get the Hub URL', async () => {
    const env = await home(
      { credHelpers: { 'reg.example': 'one' }, credsStore: 'store', auths: { 'reg.example': { auth: b64('file:x') }, 'plain.example': { auth: b64('plain:y') }, [DOCKER_HUB_AUTH_KEY]: {} } },
      {
        one: 'read s; printf \'{"ServerURL":"%s","Username":"helper","Secret":"s1"}\' "$s"',
        store: 'read s; case "$s" in https://index.docker.io/v1/) printf \'{"Username":"<token>","Secret":"idt"}\';; *) echo "credentials not found in native keychain"; exit 1;; esac',
      },
    );
    assert.deepEqual(await findCredentials('reg.example', undefined, { env }), { username: 'helper', password: 's1' });
    assert.deepEqual(await findCredentials('plain.example', undefined, { env }), { username: 'plain', password: 'y' });
    assert.deepEqual(await findCredentials('docker.io', 'library/debian', { env }), { identityToken: 'idt' });
    assert.equal(await findCredentials('none.example', undefined, { env }), undefined);
  });

  test('broken files and helpers: clear errors that never quote a secret', async () => {
    const secret = 'hunter2-secret';
    const badJson = await home(`{"auths": {"reg.example": {"auth": "${b64(`u:${secret}`)}"`);
    await assert.rejects(findCredentials('reg.example', undefined, { env: badJson }), (err: Error) => {
      assert.equal((err as Error & { code: string }).code, 'BAD_CREDENTIALS_FILE');
      assert.ok(!err.message.includes(secret) && !err.message.includes(b64(`u:${secret}`)));
      return true;
    });
    const badAuth = await home({ auths: { 'reg.example': { auth: b64(secret) } } });
    await assert.rejects(findCredentials('reg.example', undefined, { env: badAuth }), (err: Error) => !err.message.includes(secret) && /not base64 of user:password/.test(err.message));
    const failing = await home({ credsStore: 'broken' }, { broken: `echo "${secret}" >&2; exit 3` });
    await assert.rejects(findCredentials('reg.example', undefined, { env: failing }), { code: 'CREDENTIAL_HELPER', message: 'credential helper docker-credential-broken failed (exit code 3)' });
    const garbage = await home({ credsStore: 'garbage' }, { garbage: `echo "${secret}"` });
    await assert.rejects(findCredentials('reg.example', undefined, { env: garbage }), { message: 'credential helper docker-credential-garbage did not answer JSON' });
    await assert.rejects(runCredentialHelper('../../bin/sh', 'x'), { code: 'BAD_CREDENTIALS_FILE' });
  });

  test('no files at all: anonymous', async () => {
    assert.equal(await findCredentials('reg.example', 'a', { env: { HOME: join(dir, 'nothing-here'), PATH: process.env.PATH } }), undefined);
  });
});
