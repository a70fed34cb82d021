/**
 * `portcullis sbom REGISTRY_REF --format json` end to end, as a user runs it (node
 * bin/portcullis.js in a child process): a multi-platform image with real dpkg databases from
 * ../shared/data/pkgdb/, pushed by skopeo to a docker-registry behind token auth, credentials
 * from a docker config file. The packages must be exactly those of the fixtures' expected.json.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildImage, buildIndex } from './image-builder.ts';
import type { BuiltImage, BuiltIndex } from './image-builder.ts';
import { pushImage, startRegistry } from './registry.ts';
import type { TestRegistry } from './registry.ts';
import { needs } from './tools.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const PKGDB = fileURLToPath(new URL('../../shared/data/pkgdb/', import.meta.url));
const fixture = (path: string) => readFile(join(PKGDB, path));

interface Expected { name: string; fullVersion: string; srcName?: string; arch?: string }
interface Sbom {
  artifact: { name: string; digest: string; platform: string; manifestDigest: string; layers: { digest: string; diffId: string }[] };
  os?: { family: string; version: string };
  packages: { name: string; version: string; ecosystem: string; purl: string; source?: { name: string }; layer: string }[];
}

function portcullis(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/portcullis.js'), ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('portcullis sbom from a registry', { skip: needs('docker-registry', 'skopeo') }, () => {
  let reg: TestRegistry;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let ubuntu: BuiltImage;
  let debianArm: BuiltImage;
  let index: BuiltIndex;
  before(async () => {
    reg = await startRegistry({ auth: { users: { ci: 'pull-secret' } } });
    home = await mkdtemp(join(tmpdir(), 'portcullis-sbom-registry-'));
    await writeFile(join(home, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from('ci:pull-secret').toString('base64') } } }));
    env = { PATH: process.env.PATH, HOME: home, DOCKER_CONFIG: home, XDG_CACHE_HOME: join(home, 'cache') };
    const ubuntuRelease = 'NAME="Ubuntu"\nVERSION="18.04.6 LTS (Bionic Beaver)"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="18.04"\nVERSION_CODENAME=bionic\n';
    ubuntu = await buildImage({
      layers: [
        [{ path: 'etc/os-release', content: ubuntuRelease }],
        [{ path: 'var/lib/dpkg/status', content: await fixture('dpkg/trivy-ubuntu-bionic-status/input/var/lib/dpkg/status') }],
      ],
    });
    debianArm = await buildImage({
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      layers: [[
        { path: 'etc/os-release', content: await fixture('dpkg/syft-image-dpkg/input/etc/os-release') },
        { path: 'var/lib/dpkg/status', content: await fixture('dpkg/syft-image-dpkg/input/var/lib/dpkg/status') },
      ]],
    });
    index = buildIndex([ubuntu, debianArm]);
    await pushImage(reg, 'apps/base:2024', index);
  });
  after(async () => {
    await reg?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const check = async (sbom: Sbom, image: BuiltImage, fixtureName: string, layer: number) => {
    const expected = JSON.parse(await readFile(join(PKGDB, 'dpkg', fixtureName, 'expected.json'), 'utf8')) as Expected[];
    const got = sbom.packages.map((p) => [p.name, p.version, p.source?.name ?? p.name, p.layer]).sort();
    const want = expected.map((e) => [e.name, e.fullVersion, e.srcName ?? e.name, image.layers[layer]!.descriptor.digest]).sort();
    assert.deepEqual(got, want);
    assert.deepEqual(sbom.artifact.layers.map((l) => l.diffId), image.layers.map((l) => l.diffId));
    assert.equal(sbom.artifact.manifestDigest, image.manifestDigest);
  };

  test('default platform (linux/amd64): Ubuntu packages, the digest is the index digest', async () => {
    const r = await portcullis(['sbom', `${reg.host}/apps/base:2024`, '--format', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    const sbom = JSON.parse(r.stdout) as Sbom;
    assert.equal(sbom.artifact.name, `${reg.host}/apps/base:2024`);
    assert.equal(sbom.artifact.digest, index.indexDigest);
    assert.equal(sbom.artifact.platform, 'linux/amd64');
    assert.deepEqual(sbom.os && [sbom.os.family, sbom.os.version], ['ubuntu', '18.04']);
    assert.ok(sbom.packages.every((p) => p.ecosystem === 'ubuntu' && p.purl.startsWith('pkg:deb/ubuntu/')));
    await check(sbom, ubuntu, 'trivy-ubuntu-bionic-status', 1);
  });

  test('--platform linux/arm64 by digest: the Debian image', async () => {
    const ref = `${reg.host}/apps/base@${index.indexDigest}`;
    const r = await portcullis(['sbom', ref, '--format', 'json', '--platform', 'linux/arm64', '--no-cache'], env);
    assert.equal(r.code, 0, r.stderr);
    const sbom = JSON.parse(r.stdout) as Sbom;
    assert.equal(sbom.artifact.digest, index.indexDigest);
    assert.equal(sbom.artifact.platform, 'linux/arm64/v8');
    assert.equal(sbom.os?.family, 'debian');
    await check(sbom, debianArm, 'syft-image-dpkg', 0);
  });

  test('failures are one line on stderr and exit 2: no credentials, unknown tag, missing platform', async () => {
    const anonymous = await portcullis(['sbom', `${reg.host}/apps/base:2024`, '--format', 'json'], { ...env, DOCKER_CONFIG: join(home, 'none') });
    assert.equal(anonymous.code, 2);
    assert.equal(anonymous.stderr, `portcullis: ${reg.host}/apps/base:2024: ${reg.host} requires authentication and no credentials were found (docker login, or REGISTRY_AUTH_FILE)\n`);
    const missing = await portcullis(['sbom', `${reg.host}/apps/base:2025`, '--format', 'json'], env);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `portcullis: ${reg.host}/apps/base:2025: not found (manifest unknown)\n`);
    const platform = await portcullis(['sbom', `${reg.host}/apps/base:2024`, '--platform', 'linux/s390x'], env);
    assert.equal(platform.code, 2);
    assert.equal(platform.stderr, `portcullis: ${reg.host}/apps/base:2024 has no linux/s390x image; it has: linux/amd64, linux/arm64/v8\n`);
    assert.equal(anonymous.stdout + missing.stdout + platform.stdout, '');
  });
});
