import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { runCli as cli } from '../../test/cli.ts';
import { buildImage } from '../../test/image-builder.ts';
import { pushImage, startRegistry } from '../../test/registry.ts';
import type { TestRegistry } from '../../test/registry.ts';
import { needs } from '../../test/tools.ts';
import { MediaType, RegistryClient } from '../image/index.ts';
import { feedPath, scratch } from './feeds/test-data.ts';
import { buildDb, DB_ANNOTATIONS, DB_ARTIFACT_TYPE, DB_LAYER_MEDIA_TYPE, pullDb, SCHEMA_VERSION, VulnDb } from './index.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the database as an OCI artifact', { skip: needs('docker-registry', 'skopeo', 'zstd') }, () => {
  const { dir, cleanup } = scratch('db-oci');
  let reg: TestRegistry;
  const original = join(dir, 'built.db');

  before(async () => {
    reg = await startRegistry();
    await buildDb({
      output: original, now: new Date('2026-11-20T06:00:00Z'),
      feeds: [
        { kind: 'alpine-secdb', path: feedPath('alpine-secdb/v3.11/main.yaml') },
        { kind: 'kev', path: feedPath('kev/known_exploited_vulnerabilities.json') },
        { kind: 'epss', path: feedPath('epss/epss_scores-2026-09-29.excerpt.csv') },
      ],
    });
  });
  after(async () => {
    await reg?.stop();
    cleanup();
  });

  it('db push then db pull through the real registry yields an identical database', async () => {
    const pushed = await cli(['db', 'push', `${reg.host}/security/portcullis-db:v${SCHEMA_VERSION}`, '--db', original]);
    assert.equal(pushed.stderr, '');
    assert.equal(pushed.code, 0);
    const digest = /@(sha256:[a-f0-9]{64}) /.exec(pushed.stdout)?.[1];
    assert.ok(digest, pushed.stdout);

    const pulled = join(dir, 'pulled', 'portcullis.db');
    const r = await cli(['db', 'pull', `${reg.host}/security/portcullis-db:v${SCHEMA_VERSION}`, '--db', pulled]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`built 2026-11-20T06:00:00\\.000Z, schema ${SCHEMA_VERSION}`));
    assert.equal(sha256(readFileSync(pulled)), sha256(readFileSync(original)));
    assert.deepEqual(readdirSync(join(dir, 'pulled')), ['portcullis.db']);

    // By digest too, and the pulled file is a database like the original.
    const byDigest = join(dir, 'by-digest.db');
    assert.equal((await cli(['db', 'pull', `${reg.host}/security/portcullis-db@${digest}`, '--db', byDigest])).code, 0);
    const db = VulnDb.open(byDigest);
    assert.equal(db.info().counts.kev, 1404);
    assert.equal(db.affected('alpine:3.11', ['ansible']).get('ansible')?.find((x) => x.vulnId === 'CVE-2019-14904')?.fixed, '2.9.3-r0');
    db.close();
  });

  it('is an OCI 1.1 artifact as another tool (skopeo) reads it', () => {
    const raw = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/security/portcullis-db:v${SCHEMA_VERSION}`], { encoding: 'utf8' });
    assert.equal(raw.status, 0, raw.stderr);
    const m = JSON.parse(raw.stdout) as {
      mediaType: string; artifactType: string; config: { mediaType: string; size: number; digest: string };
      layers: { mediaType: string; size: number; digest: string }[]; annotations: Record<string, string>;
    };
    assert.equal(m.mediaType, MediaType.OciManifest);
    assert.equal(m.artifactType, DB_ARTIFACT_TYPE);
    assert.equal(m.config.mediaType, 'application/vnd.oci.empty.v1+json');
    assert.equal(m.config.digest, `sha256:${sha256(Buffer.from('{}'))}`);
    assert.deepEqual(m.layers.map((l) => l.mediaType), [DB_LAYER_MEDIA_TYPE]);
    assert.ok(m.layers[0]!.size < readFileSync(original).length / 3);
    assert.equal(m.annotations[DB_ANNOTATIONS.builtAt], '2026-11-20T06:00:00.000Z');
    assert.equal(m.annotations[DB_ANNOTATIONS.schema], String(SCHEMA_VERSION));
    assert.equal(m.annotations[DB_ANNOTATIONS.sqliteDigest], `sha256:${sha256(readFileSync(original))}`);
    // The layer, copied out by skopeo, is a zstd stream that the zstd tool turns back into the file.
    const blobDir = join(dir, 'layout');
    const copy = spawnSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/security/portcullis-db:v${SCHEMA_VERSION}`, `oci:${blobDir}`], { encoding: 'utf8' });
    assert.equal(copy.status, 0, copy.stderr);
    const layer = join(blobDir, 'blobs', 'sha256', m.layers[0]!.digest.slice('sha256:'.length));
    assert.equal(readFileSync(layer).readUInt32LE(0), 0xfd2fb528);
    const unpacked = spawnSync('zstd', ['-d', '-c', layer], { maxBuffer: 1 << 30 });
    assert.equal(unpacked.status, 0, String(unpacked.stderr));
    assert.equal(sha256(unpacked.stdout), sha256(readFileSync(original)));
  });

  describe('a pull that must fail leaves the database in place', () => {
    const target = join(dir, 'keep.db');
    let kept: Buffer;
    let client: RegistryClient;
    let manifest: { annotations: Record<string, string>; [k: string]: unknown };

    /** Re-tag the pushed database's manifest with changed annotations. */
    async function variant(tag: string, change: (annotations: Record<string, string>) => void, extra: Record<string, unknown> = {}): Promise<string> {
      const m = structuredClone(manifest);
      change(m.annotations);
      Object.assign(m, extra);
      await client.putManifest('security/portcullis-db', tag, Buffer.from(JSON.stringify(m)), MediaType.OciManifest);
      return `${reg.host}/security/portcullis-db:${tag}`;
    }

    before(async () => {
      assert.equal((await cli(['db', 'pull', `${reg.host}/security/portcullis-db:v${SCHEMA_VERSION}`, '--db', target])).code, 0);
      kept = readFileSync(target);
      client = new RegistryClient(reg.host);
      manifest = JSON.parse((await client.getManifest('security/portcullis-db', `v${SCHEMA_VERSION}`)).bytes.toString('utf8')) as typeof manifest;
    });
    after(() => client?.close());

    const unchanged = () => {
      assert.deepEqual(readFileSync(target), kept);
      assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.pull')), []);
    };

    it('an image that is not a database', async () => {
      const img = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' }]] });
      await pushImage(reg, 'security/portcullis-db:image', img);
      const r = await cli(['db', 'pull', `${reg.host}/security/portcullis-db:image`, '--db', target]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^portcullis: \S+:image is not a Portcullis database \(artifactType missing, expected application\/vnd\.portcullis\.db\.v1\)\n$/);
      unchanged();
    });

    it('a database of another schema', async () => {
      const ref = await variant('schema-999', (a) => { a[DB_ANNOTATIONS.schema] = '999'; });
      const r = await cli(['db', 'pull', ref, '--db', target]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`holds database schema 999, this portcullis reads schema ${SCHEMA_VERSION}`));
      unchanged();
    });

    it('a decompressed file whose digest is not the one announced', async () => {
      const ref = await variant('bad-digest', (a) => { a[DB_ANNOTATIONS.sqliteDigest] = `sha256:${'0'.repeat(64)}`; });
      await assert.rejects(pullDb(ref, { db: target }), { code: 'DIGEST_MISMATCH' });
      unchanged();
    });

    it('a layer that is not a SQLite database', async () => {
      const junk = Buffer.from('not a database at all\n'.repeat(500));
      const zst = zstdCompressSync(junk);
      const blob = await client.pushBlob('security/portcullis-db', zst);
      const layers = [{ mediaType: DB_LAYER_MEDIA_TYPE, digest: blob.digest, size: blob.size }];
      const ref = await variant('junk', (a) => {
        a[DB_ANNOTATIONS.sqliteDigest] = `sha256:${sha256(junk)}`;
        a[DB_ANNOTATIONS.sqliteSize] = String(junk.length);
      }, { layers });
      const r = await cli(['db', 'pull', ref, '--db', target]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^portcullis: \S+:junk: the pulled file is not a Portcullis vulnerability database \(.*\)\n$/);
      unchanged();
    });

    it('a database larger than the size limit, announced or not', async () => {
      const ref = `${reg.host}/security/portcullis-db:v${SCHEMA_VERSION}`;
      await assert.rejects(pullDb(ref, { db: target, maxBytes: 10_000 }), { code: 'DB_TOO_LARGE', message: /more than the limit of 10000/ });
      const silent = await variant('no-size', (a) => { delete a[DB_ANNOTATIONS.sqliteSize]; });
      await assert.rejects(pullDb(silent, { db: target, maxBytes: 10_000 }), { code: 'DB_TOO_LARGE', message: /larger than 10000 bytes once decompressed/ });
      unchanged();
    });

    it('a missing tag', async () => {
      const r = await cli(['db', 'pull', `${reg.host}/security/portcullis-db:nope`, '--db', target]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^portcullis: .*nope.*\n$/);
      unchanged();
    });
  });

  it('push refuses a missing database and a digest reference', async () => {
    const missing = await cli(['db', 'push', `${reg.host}/security/x:1`, '--db', join(dir, 'none.db')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no vulnerability database at/);
    const digest = await cli(['db', 'push', `${reg.host}/security/x@sha256:${'a'.repeat(64)}`, '--db', original]);
    assert.equal(digest.code, 2);
    assert.match(digest.stderr, /push to a tag, not a digest/);
  });
});

describe('the database artifact through a TLS registry with token auth', { skip: needs('docker-registry') }, () => {
  const { dir, cleanup } = scratch('db-oci-auth');
  let reg: TestRegistry;
  const original = join(dir, 'built.db');

  before(async () => {
    reg = await startRegistry({ tls: true, auth: { users: { alice: 's3cret' } } });
    await buildDb({ output: original, feeds: [{ kind: 'epss', path: feedPath('epss/epss_scores-2026-09-29.excerpt.csv') }] });
  });
  after(async () => {
    await reg?.stop();
    cleanup();
  });

  it('uses the credentials of REGISTRY_AUTH_FILE and the CA of --ca-file', async () => {
    const ref = `${reg.host}/mirror/portcullis-db:latest`;
    const authFile = join(dir, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
    const env = { REGISTRY_AUTH_FILE: authFile };

    const anonymous = await cli(['db', 'push', ref, '--db', original, '--ca-file', reg.caFile!]);
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /^portcullis: .*\n$/);
    const untrusted = await cli(['db', 'push', ref, '--db', original], env);
    assert.equal(untrusted.code, 2);
    assert.match(untrusted.stderr, /certificate|TLS/i);

    assert.equal((await cli(['db', 'push', ref, '--db', original, '--ca-file', reg.caFile!], env)).code, 0);
    const pulled = join(dir, 'pulled.db');
    const r = await cli(['db', 'pull', ref, '--db', pulled, '--ca-file', reg.caFile!], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha256(readFileSync(pulled)), sha256(readFileSync(original)));
    assert.ok(reg.tokenRequests.some((t) => t.user === 'alice' && t.scopes.some((s) => s.includes('mirror/portcullis-db') && s.includes('push'))));
  });
});
