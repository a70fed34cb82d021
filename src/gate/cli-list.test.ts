/** `portcullis gate --list-images` through the whole CLI: files, stdin, warnings, errors and exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { main } from '../cli/main.ts';

const BIN = fileURLToPath(new URL('../../bin/portcullis.js', import.meta.url));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk: Buffer, _e, cb) { add(chunk.toString()); cb(); } });
  const code = await main(args, { stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }), env });
  return { code, stdout, stderr };
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.27"}
      - {name: bad, image: "{{ .Values.image }}"}
`;

describe('gate --list-images', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-gate-cli-'));
    await writeFile(join(dir, 'deploy.yaml'), DEPLOYMENT);
    await writeFile(join(dir, 'crd.yaml'), 'apiVersion: x.example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {image: "busybox"}\n');
    await writeFile(join(dir, 'paths.yaml'), '- kind: Thing\n  paths: [spec.image]\n');
    await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n');
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('prints the JSON array and warns about what is not a reference', async () => {
    const r = await cli(['gate', '--list-images', join(dir, 'deploy.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      { kind: 'Deployment', namespace: 'shop', name: 'web', container: 'web', image: 'nginx:1.27', resolved: 'docker.io/library/nginx:1.27' },
      { kind: 'Deployment', namespace: 'shop', name: 'web', container: 'bad', image: '{{ .Values.image }}', resolved: null },
    ]);
    assert.match(r.stderr, /^portcullis: warning: Deployment shop\/web at .*deploy\.yaml:1 \(document 1\): container bad: /);
    const quiet = await cli(['gate', '--list-images', '-q', join(dir, 'deploy.yaml')]);
    assert.equal(quiet.stderr, '');
  });

  it('custom resources with --image-paths', async () => {
    const r = await cli(['gate', '--list-images', '--image-paths', join(dir, 'paths.yaml'), join(dir, 'crd.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ kind: 'Thing', namespace: null, name: 't', container: 'spec.image', image: 'busybox', resolved: 'docker.io/library/busybox:latest' }]);
  });

  it('malformed YAML: exit 2, file and line on stderr', async () => {
    const r = await cli(['gate', '--list-images', join(dir, 'deploy.yaml'), join(dir, 'broken.yaml')]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^portcullis: .*broken\.yaml:\d+:\d+: invalid YAML: .*\n$/);
  });

  it('usage errors: no input, or both paths and --argocd-app', async () => {
    assert.equal((await cli(['gate', '--list-images'])).code, 2);
    assert.match((await cli(['gate', '--list-images', 'x.yaml', '--argocd-app', 'a'])).stderr, /not both/);
  });

  it('--argocd-app reads ARGOCD_SERVER, ARGOCD_AUTH_TOKEN, ARGOCD_OPTS and ARGOCD_APP_REVISION', async () => {
    const asked: string[] = [];
    const srv = createServer((req, res) => {
      asked.push(`${req.url} ${req.headers.authorization}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url!.includes('/manifests') ? JSON.stringify({ manifests: [JSON.stringify(parse(DEPLOYMENT))] }) : '{"spec":{}}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const env = { ARGOCD_SERVER: `127.0.0.1:${(srv.address() as AddressInfo).port}`, ARGOCD_AUTH_TOKEN: 't0ken', ARGOCD_OPTS: '--plaintext --grpc-web', ARGOCD_APP_REVISION: 'abc' };
      const r = await cli(['gate', '--list-images', '-q', '--argocd-app', 'shop'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as unknown[]).length, 2);
      assert.deepEqual(asked, ['/api/v1/applications/shop Bearer t0ken', '/api/v1/applications/shop/manifests?revision=abc Bearer t0ken']);
      const denied = await cli(['gate', '--list-images', '--argocd-app', 'shop'], { ...env, ARGOCD_AUTH_TOKEN: '' });
      assert.equal(denied.code, 2);
      assert.match(denied.stderr, /^portcullis: no Argo CD token: set ARGOCD_AUTH_TOKEN\n$/);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('reads stdin with "-"', () => {
    const r = spawnSync(process.execPath, [BIN, 'gate', '--list-images', '-'], { input: DEPLOYMENT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 2);
  });
});
