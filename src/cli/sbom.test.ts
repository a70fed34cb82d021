/**
 * `portcullis sbom` end to end: images built by test/image-builder.ts with the real package
 * databases of ../shared/data/pkgdb/, in every local transport (OCI layout, OCI archive, docker
 * archive), with layers that add, replace and whiteout package databases; each output format
 * checked against its official schema and against the fixtures' expected.json; failures, hostile
 * archives and the progress display through the whole command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';
import { PackageURL } from 'packageurl-js';
import tarStream from 'tar-stream';
import { buildImage, buildIndex, sha256, writeDockerArchive, writeOciArchive, writeOciLayout } from '../../test/image-builder.ts';
import type { BuiltImage, EntrySpec } from '../../test/image-builder.ts';
import { assertValid, cyclonedx16, spdx23 } from '../../test/sbom-schemas.ts';
import { pushImage, startRegistry } from '../../test/registry.ts';
import { sandbox, scratchDirs } from '../../test/scratch.ts';
import { needs } from '../../test/tools.ts';
import { main } from './main.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PKGDB_DIR = fileURLToPath(new URL('../../../shared/data/pkgdb/', import.meta.url));
const PKGDB = (p: string) => readFileSync(join(PKGDB_DIR, p));

interface Expected { name: string; fullVersion: string; srcName?: string; arch?: string }
const expectedOf = (fixture: string) => JSON.parse(readFileSync(join(PKGDB_DIR, fixture, 'expected.json'), 'utf8')) as Expected[];
const input = (fixture: string, path: string): EntrySpec => ({ path, content: PKGDB(`${fixture}/input/${path}`) });

const { root: scratch, fresh: freshDir } = scratchDirs('portcullis-sbom-test');

/** Run the CLI in this process with captured streams. */
async function cli(args: string[], options: { tty?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void, tty: boolean) =>
    Object.assign(new Writable({ write(chunk: Buffer, _e, cb) { add(chunk.toString()); cb(); } }), { isTTY: tty });
  const io = {
    stdout: sink((s) => { stdout += s; }, false),
    stderr: sink((s) => { stderr += s; }, options.tty ?? false),
    env: {},
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** The command failed with exit 2 and one line on stderr matching `pattern`, and printed nothing else. */
function oneLine(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^portcullis: [^\n]+\n$/);
  assert.match(r.stderr, pattern);
}

/** One image, its layer-by-layer package databases, and what the SBOM must say. */
interface Case {
  name: string;
  layers: EntrySpec[][];
  /** Fixtures whose databases are live after each layer (as the layers add, replace, delete them). */
  live: string[][];
  os: { family: string; version: string };
  purlType: string;
}

const UBUNTU_1804 = 'NAME="Ubuntu"\nVERSION="18.04.6 LTS (Bionic Beaver)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 18.04.6 LTS"\nVERSION_ID="18.04"\nVERSION_CODENAME=bionic\n';
const filler = (tag: string, n: number): EntrySpec[] => Array.from({ length: n }, (_, i) => ({ path: `usr/share/${tag}/f${i}`, content: `${tag}${i}\n`.repeat(50) }));

const CASES: Case[] = [
  {
    name: 'ubuntu (dpkg: replaced database, distroless status.d added then whited out)',
    layers: [
      [{ path: 'etc/os-release', content: UBUNTU_1804 }, ...filler('base', 20)],
      [input('dpkg/trivy-digests', 'var/lib/dpkg/status')],
      [{ path: 'var/lib/dpkg/status', content: PKGDB('dpkg/trivy-ubuntu-bionic-status/input/var/lib/dpkg/status') }],
      [input('dpkg/syft-distroless-status.d', 'var/lib/dpkg/status.d/libsqlite3-0')],
      [{ path: 'var/lib/dpkg/status.d', type: 'whiteout' }, ...filler('app', 20)],
    ],
    live: [[], ['dpkg/trivy-digests'], ['dpkg/trivy-ubuntu-bionic-status'], ['dpkg/trivy-ubuntu-bionic-status', 'dpkg/syft-distroless-status.d'], ['dpkg/trivy-ubuntu-bionic-status']],
    os: { family: 'ubuntu', version: '18.04' },
    purlType: 'deb',
  },
  {
    name: 'alpine (apk: database directory made opaque and rewritten)',
    layers: [
      [input('os-release/trivy-release-alpine', 'etc/os-release'), input('apk/trivy-alpine-3.4', 'lib/apk/db/installed')],
      [{ path: 'lib/apk/db', type: 'opaque' }, input('apk/syft-multiple-1', 'lib/apk/db/installed')],
    ],
    live: [['apk/trivy-alpine-3.4'], ['apk/syft-multiple-1']],
    os: { family: 'alpine', version: '3.15.4' },
    purlType: 'apk',
  },
  {
    name: 'sles (rpm: Berkeley DB whited out, NDB added, OS replaced)',
    layers: [
      [input('os-release/trivy-release-rhel', 'etc/os-release'), input('rpm/syft-dive-bdb', 'var/lib/rpm/Packages')],
      [{ path: 'var/lib/rpm', type: 'whiteout' }, input('os-release/trivy-release-sles', 'etc/os-release'), input('rpm/snyk-sles-ndb', 'usr/lib/sysimage/rpm/Packages.db')],
      filler('app', 30),
    ],
    live: [['rpm/syft-dive-bdb'], ['rpm/snyk-sles-ndb'], ['rpm/snyk-sles-ndb']],
    os: { family: 'sles', version: '15.3' },
    purlType: 'rpm',
  },
];

/**
 * The packages of the last layer's live databases, each with the index of the layer from which
 * it has been present without a break (the layer that introduced it at that version).
 */
function expectedPackages(c: Case): { e: Expected; layer: number }[] {
  const key = (e: Expected) => `${e.name}\u0000${e.fullVersion}\u0000${e.arch ?? ''}`;
  const visible = c.live.map((fixtures) => new Set(fixtures.flatMap(expectedOf).map(key)));
  const last = c.live.length - 1;
  return c.live[last]!.flatMap(expectedOf).map((e) => {
    let layer = last;
    while (layer > 0 && visible[layer - 1]!.has(key(e))) layer--;
    return { e, layer };
  });
}

interface JsonSbom {
  artifact: { name: string; digest: string; platform: string; layers: { digest: string; diffId: string }[] };
  os: { family: string; version: string };
  packages: { name: string; version: string; ecosystem: string; purl: string; source?: { name: string; version?: string }; layer: string }[];
}

/** Each transport with another layer compression: OCI layout gzip, OCI archive zstd, docker archive none. */
interface Built { oci: BuiltImage; zstd: BuiltImage; docker: BuiltImage; refs: Record<'oci' | 'oci-archive' | 'docker-archive', string> }

describe('portcullis sbom', () => {
  const built = new Map<string, Built>();
  before(async () => {
    for (const c of CASES) {
      const oci = await buildImage({ layers: c.layers });
      const zstd = await buildImage({ layers: c.layers, compression: 'zstd' });
      const docker = await buildImage({ layers: c.layers, format: 'docker' });
      const dir = freshDir('image');
      await writeOciLayout(join(dir, 'layout'), [{ name: 'test', image: oci }]);
      await writeOciArchive(join(dir, 'oci.tar'), [{ name: 'test', image: zstd }]);
      await writeDockerArchive(join(dir, 'docker.tar'), docker, ['example.test/app:1']);
      built.set(c.name, {
        oci, zstd, docker,
        refs: { oci: `oci:${join(dir, 'layout')}:test`, 'oci-archive': `oci-archive:${join(dir, 'oci.tar')}`, 'docker-archive': `docker-archive:${join(dir, 'docker.tar')}` },
      });
    }
  });

  for (const c of CASES) {
    it(`${c.name}: json, cyclonedx and spdx-json from every transport`, async () => {
      const b = built.get(c.name)!;
      const expected = expectedPackages(c);
      assert.ok(expected.length > 0);
      const cacheDir = freshDir('cache');
      for (const transport of ['oci', 'oci-archive', 'docker-archive'] as const) {
        const image = transport === 'docker-archive' ? b.docker : transport === 'oci-archive' ? b.zstd : b.oci;
        // docker save stores uncompressed tars: the layer's digest there is its diff_id.
        const layerDigest = (i: number) => (transport === 'docker-archive' ? image.layers[i]!.diffId : image.layers[i]!.descriptor.digest);
        const what = `${c.name} via ${transport}`;

        const json = await cli(['sbom', b.refs[transport], '--format', 'json', '--cache-dir', cacheDir]);
        assert.equal(json.code, 0, `${what}: ${json.stderr}`);
        assert.equal(json.stderr, '', `${what}: quiet when stderr is not a terminal`);
        const sbom = JSON.parse(json.stdout) as JsonSbom;
        assert.deepEqual([sbom.os.family, sbom.os.version], [c.os.family, c.os.version], what);
        assert.equal(sbom.artifact.platform, 'linux/amd64');
        assert.deepEqual(sbom.artifact.layers.map((l) => l.diffId), image.layers.map((l) => l.diffId));
        assert.deepEqual(
          sbom.packages.map((p) => [p.name, p.version]).sort(),
          expected.map(({ e }) => [e.name, e.fullVersion]).sort(),
          `${what}: exactly the packages of the databases that survive`,
        );
        for (const { e, layer } of expected) {
          const p = sbom.packages.find((x) => x.name === e.name && x.version === e.fullVersion)!;
          assert.equal(p.layer, layerDigest(layer), `${what}: ${e.name} was introduced by layer ${layer}`);
          assert.equal(p.ecosystem, c.os.family);
          assert.equal(p.source?.name ?? p.name, e.srcName ?? e.name, `${what}: source of ${e.name}`);
          const purl = PackageURL.fromString(p.purl);
          assert.deepEqual([purl.type, purl.name, purl.version], [c.purlType, e.name, e.fullVersion], p.purl);
          if (e.arch) assert.equal(purl.qualifiers?.arch, e.arch, p.purl);
          assert.match(purl.qualifiers?.distro ?? '', new RegExp(`^${c.os.family}-`), p.purl);
        }
        const purls = sbom.packages.map((p) => p.purl).sort();
        assert.equal(new Set(purls).size, purls.length, 'purls are unique');

        const cdx = await cli(['sbom', b.refs[transport], '--format', 'cyclonedx', '--cache-dir', cacheDir]);
        assert.equal(cdx.code, 0, cdx.stderr);
        const bom = JSON.parse(cdx.stdout) as { bomFormat: string; specVersion: string; metadata: { component: { type: string; name: string } }; components: { type: string; purl?: string; 'bom-ref': string }[] };
        assertValid(cyclonedx16(), bom, `${what} CycloneDX`);
        assert.deepEqual([bom.bomFormat, bom.specVersion, bom.metadata.component.type], ['CycloneDX', '1.6', 'container']);
        assert.deepEqual(bom.components.filter((x) => x.type === 'library').map((x) => x.purl).sort(), purls);
        assert.ok(bom.components.some((x) => x.type === 'operating-system'));
        const refs = bom.components.map((x) => x['bom-ref']);
        assert.equal(new Set(refs).size, refs.length, 'bom-refs are unique');

        const spdx = await cli(['sbom', b.refs[transport], '--format', 'spdx-json', '--cache-dir', cacheDir]);
        assert.equal(spdx.code, 0, spdx.stderr);
        const doc = JSON.parse(spdx.stdout) as { packages: { SPDXID: string; externalRefs?: { referenceType: string; referenceLocator: string }[] }[]; relationships: { spdxElementId: string; relatedSpdxElement: string; relationshipType: string }[] };
        assertValid(spdx23(), doc, `${what} SPDX`);
        assert.deepEqual(doc.packages.flatMap((p) => p.externalRefs ?? []).filter((r) => r.referenceType === 'purl').map((r) => r.referenceLocator).sort(), purls);
        const ids = new Set(doc.packages.map((p) => p.SPDXID));
        assert.equal(ids.size, doc.packages.length, 'SPDXIDs are unique');
        for (const r of doc.relationships) {
          assert.ok(r.spdxElementId === 'SPDXRef-DOCUMENT' || ids.has(r.spdxElementId), r.spdxElementId);
          assert.ok(ids.has(r.relatedSpdxElement), r.relatedSpdxElement);
        }
        assert.equal(doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES').length, 1);
      }
    });
  }

  it('from a real registry: the same SBOM as from the OCI layout, a second run from the cache, valid CycloneDX with the image purl', { skip: needs('docker-registry', 'skopeo') }, async (t) => {
    const reg = await startRegistry();
    t.after(() => reg.stop());
    const c = CASES[0]!;
    const b = built.get(c.name)!;
    const digest = await pushImage(reg, 'team/ubuntu:18.04', b.oci);
    const ref = `${reg.host}/team/ubuntu:18.04`;
    const cacheDir = freshDir('cache');
    const local = JSON.parse((await cli(['sbom', b.refs.oci, '--format', 'json', '--no-cache'])).stdout) as JsonSbom;
    for (const run of ['cold', 'warm']) {
      const r = await cli(['sbom', ref, '--format', 'json', '--cache-dir', cacheDir], { tty: true });
      assert.equal(r.code, 0, `${run}: ${r.stderr}`);
      // The progress line says how many layers came from the cache: all of them the second time.
      assert.match(r.stderr, run === 'warm' ? /layers analysed 5\/5 \(5 cached\)/ : /layers analysed 5\/5(?! \()/);
      const sbom = JSON.parse(r.stdout) as JsonSbom;
      assert.equal(sbom.artifact.name, ref);
      assert.equal(sbom.artifact.digest, digest);
      assert.deepEqual(sbom.packages, local.packages, run);
      assert.deepEqual(sbom.os, local.os);
    }
    const cdx = await cli(['sbom', ref, '--format', 'cyclonedx', '--cache-dir', cacheDir]);
    const bom = JSON.parse(cdx.stdout) as { metadata: { component: { purl: string } } };
    assertValid(cyclonedx16(), bom, 'CycloneDX from a registry');
    const purl = PackageURL.fromString(bom.metadata.component.purl);
    assert.deepEqual([purl.type, purl.name, purl.version, purl.qualifiers?.repository_url, purl.qualifiers?.tag], ['oci', 'ubuntu', digest, `${reg.host}/team/ubuntu`, '18.04']);
    assertValid(spdx23(), JSON.parse((await cli(['sbom', ref, '--format', 'spdx-json', '--cache-dir', cacheDir])).stdout), 'SPDX from a registry');
    oneLine(await cli(['sbom', `${reg.host}/team/missing:1`, '--no-cache']), /team\/missing/);
  });

  it('writes only into its cache dir: $XDG_CACHE_HOME/portcullis by default, nothing at all with --no-cache', () => {
    const ref = built.get(CASES[1]!.name)!.refs.oci;
    const run = (box: ReturnType<typeof sandbox>, args: string[]) => {
      const r = spawnSync(process.execPath, [join(REPO, 'bin/portcullis.js'), 'sbom', ref, '--format', 'json', ...args], { cwd: box.cwd, env: box.env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as JsonSbom).os.family, 'alpine');
    };
    const none = sandbox(freshDir('sandbox'));
    run(none, ['--no-cache']);
    assert.deepEqual(none.written(), []);

    const byDefault = sandbox(freshDir('sandbox'));
    run(byDefault, []);
    const written = byDefault.written();
    assert.ok(written.some((f) => f.startsWith('home/.cache/portcullis/layers/')), written.join('\n'));
    assert.deepEqual(written.filter((f) => !f.startsWith('home/.cache/portcullis/')), []);
  });

  it('rpm SQLite database (rpmdb.sqlite written by rpm itself), through the whole command, leaving no temporary file', { skip: needs('rpm', 'rpmbuild') }, async () => {
    const work = freshDir('rpm');
    const specs = [
      ['portcullis-a', 'Epoch: 2\nVersion: 1.2\nRelease: 3.el9'],
      ['portcullis-b', 'Version: 0.9.1\nRelease: 1.el9_4'],
    ];
    for (const [name, fields] of specs) {
      writeFileSync(join(work, `${name}.spec`), `Name: ${name}\n${fields}\nSummary: test\nLicense: MIT\nBuildArch: noarch\n%description\ntest\n%files\n`);
      const r = spawnSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${join(work, 'top')}`, join(work, `${name}.spec`)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const db = join(work, 'db');
    const rpm = (...args: string[]) => spawnSync('rpm', ['--dbpath', db, '--define', '_db_backend sqlite', ...args], { encoding: 'utf8' });
    const rpms = readdirSync(join(work, 'top/RPMS/noarch')).map((f) => join(work, 'top/RPMS/noarch', f));
    assert.equal(rpm('--initdb').status, 0);
    assert.equal(rpm('--justdb', '--nodeps', '--noscripts', '--ignorearch', '--ignoreos', '-i', ...rpms).status, 0);
    const expected = rpm('-qa', '--qf', '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n').stdout.trim().split('\n').sort();
    assert.equal(expected.length, 2);

    const image = await buildImage({
      layers: [
        [input('os-release/trivy-release-rocky', 'etc/os-release')],
        [{ path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: readFileSync(join(db, 'rpmdb.sqlite')) }],
      ],
    });
    const dir = freshDir('layout');
    await writeOciLayout(dir, [{ image }]);
    const box = sandbox(freshDir('sandbox'));
    const r = spawnSync(process.execPath, [join(REPO, 'bin/portcullis.js'), 'sbom', `oci:${dir}`, '--format', 'json', '--cache-dir', box.cache], { cwd: box.cwd, env: box.env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const sbom = JSON.parse(r.stdout) as JsonSbom;
    assert.deepEqual(sbom.packages.map((p) => `${p.name} ${p.version}`).sort(), expected);
    assert.equal(sbom.os.family, 'rocky');
    assert.deepEqual(sbom.packages.map((p) => p.purl).sort(), [
      'pkg:rpm/rocky/portcullis-a@1.2-3.el9?arch=noarch&distro=rocky-9.3&epoch=2',
      'pkg:rpm/rocky/portcullis-b@0.9.1-1.el9_4?arch=noarch&distro=rocky-9.3',
    ]);
    assert.deepEqual(box.writtenOutsideCache(), [], 'the SQLite copy in the temporary directory is gone');
  });

  it('-o FILE writes the SBOM there and nothing to stdout', async () => {
    const out = join(freshDir('out'), 'sbom.json');
    const r = await cli(['sbom', built.get(CASES[1]!.name)!.refs.oci, '--format', 'json', '--no-cache', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as JsonSbom).os.family, 'alpine');
    assert.deepEqual(readdirSync(join(out, '..')), ['sbom.json']);
  });

  it('-o to a device writes in place (never replaces it); -o into a missing directory is one line', async () => {
    const ref = built.get(CASES[1]!.name)!.refs.oci;
    const r = await cli(['sbom', ref, '--no-cache', '-o', '/dev/null']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync('/dev/null').isCharacterDevice());
    assert.deepEqual(readdirSync('/dev').filter((n) => n.startsWith('null.')), []);
    const missing = join(scratch, 'no-such-dir', 'sbom.json');
    const bad = await cli(['sbom', ref, '--no-cache', '-o', missing]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `portcullis: cannot write ${missing}: ENOENT\n`);
  });

  it('shows progress on a terminal only, and clears it', async () => {
    const ref = built.get(CASES[0]!.name)!.refs.oci;
    const cacheDir = freshDir('cache');
    const tty = await cli(['sbom', ref, '--format', 'json', '--cache-dir', cacheDir], { tty: true });
    assert.equal(tty.code, 0);
    assert.match(tty.stderr, /layers analysed 5\/5/);
    assert.match(tty.stderr, /layers analysed \d\/5, reading \d \(0\.0\/0\.0 MiB\)/);
    assert.ok(tty.stderr.startsWith('\r\x1b[2K') && tty.stderr.endsWith('\r\x1b[2K'), JSON.stringify(tty.stderr));
    const warm = await cli(['sbom', ref, '--format', 'json', '--cache-dir', cacheDir], { tty: true });
    assert.match(warm.stderr, /layers analysed 5\/5 \(5 cached\)/);
    assert.equal((await cli(['sbom', ref, '--format', 'json', '--cache-dir', cacheDir, '-q'], { tty: true })).stderr, '');
    assert.equal((await cli(['sbom', ref, '--format', 'json', '--cache-dir', cacheDir])).stderr, '');
  });

  describe('fails with exit 2 and one line', () => {
    it('a missing layout or archive', async () => {
      const missing = join(scratch, 'does-not-exist');
      oneLine(await cli(['sbom', `oci:${missing}`, '--no-cache']), /no index\.json/);
      oneLine(await cli(['sbom', `oci-archive:${missing}.tar`, '--no-cache']), /cannot open/);
      oneLine(await cli(['sbom', `docker-archive:${missing}.tar`, '--no-cache']), /does-not-exist\.tar/);
    });

    it('a bad reference or option', async () => {
      oneLine(await cli(['sbom', 'Example.test/UPPER:tag', '--no-cache']), /invalid repository name/);
      oneLine(await cli(['sbom', 'alpine@sha256:1234', '--no-cache']), /digest/);
      oneLine(await cli(['sbom', 'oci:', '--no-cache']), /missing path/);
      const bad = await cli(['sbom', built.get(CASES[1]!.name)!.refs.oci, '--format', 'xml']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /xml/);
    });

    it('a platform the image does not have, listing the ones it has', async () => {
      const amd = await buildImage({ layers: [CASES[1]!.layers[0]!] });
      const arm = await buildImage({ layers: [CASES[1]!.layers[1]!], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
      const dir = freshDir('multi');
      await writeOciLayout(dir, [{ name: 'multi', image: buildIndex([amd, arm]) }]);
      oneLine(await cli(['sbom', `oci:${dir}`, '--platform', 'linux/s390x', '--no-cache']), /linux\/s390x.*linux\/amd64.*linux\/arm64\/v8/);
      const picked = await cli(['sbom', `oci:${dir}`, '--platform', 'linux/arm64', '--format', 'json', '--no-cache']);
      assert.equal(picked.code, 0, picked.stderr);
      assert.equal((JSON.parse(picked.stdout) as JsonSbom).artifact.platform, 'linux/arm64/v8');
    });
  });

  describe('hostile images: one line, exit 2, no output file, nothing written outside the cache', () => {
    /** The command in a child process whose home, temporary and working directories are watched. */
    function sandboxed(ref: string) {
      const box = sandbox(freshDir('sandbox'));
      const out = join(box.cwd, 'sbom.json');
      const r = spawnSync(process.execPath, [join(REPO, 'bin/portcullis.js'), 'sbom', ref, '--format', 'json', '--cache-dir', box.cache, '-o', out], {
        cwd: box.cwd, env: box.env, encoding: 'utf8', timeout: 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr, written: box.written(), outside: box.writtenOutsideCache(), outExists: existsSync(out) };
    }

    async function layoutWith(image: BuiltImage, tamper?: (dir: string) => void): Promise<string> {
      const dir = freshDir('hostile');
      await writeOciLayout(dir, [{ image }]);
      tamper?.(dir);
      return `oci:${dir}`;
    }

    function refused(r: ReturnType<typeof sandboxed>, pattern: RegExp, badLayers: BuiltImage['layers']) {
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^portcullis: [^\n]+\n$/);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
      assert.equal(r.outExists, false, 'no SBOM file');
      assert.deepEqual(r.outside, [], 'nothing written outside the cache');
      for (const l of badLayers) {
        assert.ok(!r.written.some((f) => f.includes(l.diffId.slice(7))), 'no cache entry for a refused layer');
      }
    }

    const good: EntrySpec[] = [input('os-release/trivy-release-alpine', 'etc/os-release'), input('apk/syft-multiple-1', 'lib/apk/db/installed')];

    it('path traversal', async () => {
      const image = await buildImage({ layers: [good, [{ path: 'etc/../../../../tmp/portcullis-escaped', content: 'x' }, ...good]] });
      refused(sandboxed(await layoutWith(image)), /escapes the image root/, image.layers.slice(1));
      assert.equal(existsSync('/tmp/portcullis-escaped'), false);
    });

    it('a symlink loop at a path an analyzer reads', async () => {
      const image = await buildImage({
        layers: [good, [{ path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }, { path: 'usr/lib/os-release', type: 'symlink', linkname: '/etc/os-release' }]],
      });
      refused(sandboxed(await layoutWith(image)), /symlink loop/, []);
    });

    it('a gzip bomb', async () => {
      // A real tar holding one 320 MiB file of zeros, gzip-compressed to about 300 KiB: past the
      // 256 MiB grace, far above the 250:1 expansion limit.
      const dir = freshDir('bomb');
      const blobFile = join(dir, 'bomb.gz');
      const pack = tarStream.pack();
      const writing = pipeline(pack, createGzip({ level: 9 }), createWriteStream(blobFile));
      const size = 320 << 20;
      const body = pack.entry({ name: 'usr/share/zeros', size, mode: 0o644 });
      const zeros = Buffer.alloc(1 << 20);
      for (let i = 1; i < size / zeros.length; i++) if (!body.write(zeros)) await new Promise<void>((r) => body.once('drain', () => r()));
      body.end(zeros);
      pack.finalize();
      await writing;
      const bomb = readFileSync(blobFile);
      const image = await buildImage({ layers: [good] });
      const bombDigest = sha256(bomb);
      image.layers.push({ tar: Buffer.alloc(0), blob: bomb, diffId: sha256('bomb'), descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: bombDigest, size: bomb.length } });
      const patched = await rebuilt(image);
      refused(sandboxed(await layoutWith(patched)), /decompression bomb/, patched.layers.slice(1));
    });

    it('a truncated layer', async () => {
      const image = await buildImage({ layers: [good, [...good, ...filler('big', 50)]] });
      const full = image.layers[1]!.blob;
      const cut = full.subarray(0, Math.floor(full.length / 2));
      image.layers[1] = { ...image.layers[1]!, blob: cut, descriptor: { ...image.layers[1]!.descriptor, digest: sha256(cut), size: cut.length } };
      const patched = await rebuilt(image);
      refused(sandboxed(await layoutWith(patched)), /truncated/, patched.layers.slice(1));
    });

    it('a blob whose digest does not match', async () => {
      const image = await buildImage({ layers: [good, [...good, ...filler('x', 10)]] });
      const digest = image.layers[1]!.descriptor.digest;
      const ref = await layoutWith(image, (dir) => {
        const file = join(dir, 'blobs', 'sha256', digest.slice(7));
        const bytes = readFileSync(file);
        bytes[bytes.length - 10]! ^= 0xff;
        writeFileSync(file, bytes);
      });
      refused(sandboxed(ref), /digest/i, image.layers.slice(1));
    });

    it('a layer whose uncompressed digest is not the config\'s diff_id', async () => {
      const image = await buildImage({ layers: [good, [...good, ...filler('y', 10)]] });
      const other = gzipSync(Buffer.alloc(1024)); // a valid, empty tar (two zero blocks) under a claimed diff_id
      image.layers[1] = { ...image.layers[1]!, blob: other, descriptor: { ...image.layers[1]!.descriptor, digest: sha256(other), size: other.length } };
      const patched = await rebuilt(image);
      refused(sandboxed(await layoutWith(patched)), /diff_id|uncompressed digest/, patched.layers.slice(1));
    });
  });
});

/** Recompute config, manifest and blob map after a test replaced layers (keeping their diff_ids). */
async function rebuilt(image: BuiltImage): Promise<BuiltImage> {
  const config = { ...image.config, rootfs: { type: 'layers', diff_ids: image.layers.map((l) => l.diffId) } };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor = { ...image.configDescriptor, digest: sha256(configBytes), size: configBytes.length };
  const manifest = { ...image.manifest, config: configDescriptor, layers: image.layers.map((l) => l.descriptor) };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256(manifestBytes);
  const blobs = new Map<string, Buffer>([[configDescriptor.digest, configBytes]]);
  for (const l of image.layers) blobs.set(l.descriptor.digest, l.blob);
  return {
    ...image, config, configBytes, configDescriptor, manifest, manifestBytes, manifestDigest, blobs,
    manifestDescriptor: { mediaType: manifest.mediaType!, digest: manifestDigest, size: manifestBytes.length },
  };
}
