import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scratchDirs } from '../../test/scratch.ts';
import { UsageError } from '../errors.ts';
import { parseInventoryDocument, readInventoryFile } from './index.ts';

const cdx = (components: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components, ...extra });

describe('reading inventories back (--sbom)', () => {
  it("takes the source package from Trivy's properties and the OS from the operating-system component", () => {
    const r = parseInventoryDocument(cdx([
      { type: 'operating-system', name: 'debian', version: '12.5' },
      {
        type: 'library', name: 'libssl3', version: '3.0.11-1~deb12u2', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5',
        properties: [
          { name: 'aquasecurity:trivy:SrcName', value: 'openssl' }, { name: 'aquasecurity:trivy:SrcVersion', value: '3.0.11' },
          { name: 'aquasecurity:trivy:SrcRelease', value: '1~deb12u2' }, { name: 'aquasecurity:trivy:LayerDiffID', value: 'sha256:abc' },
        ],
      },
    ], { metadata: { component: { type: 'container', name: 'debian:12', version: 'sha256:1234' } } }), 'trivy.json');
    assert.deepEqual(r.os, { family: 'debian', version: '12.5' });
    assert.deepEqual(r.artifact, { name: 'debian:12', digest: 'sha256:1234' });
    assert.equal(r.packages.length, 1);
    const p = r.packages[0]!;
    assert.deepEqual([p.name, p.version, p.ecosystem, p.manager, p.arch, p.layerDiffId], ['libssl3', '3.0.11-1~deb12u2', 'debian', 'dpkg', 'amd64', 'sha256:abc']);
    assert.deepEqual(p.source, { name: 'openssl', version: '3.0.11-1~deb12u2' });
  });

  it("takes Syft's upstream qualifier, the OS from the distro qualifier, and rpm epochs", () => {
    const r = parseInventoryDocument(cdx([
      { type: 'library', name: 'openssl-libs', purl: 'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rhel-9.3' },
      { type: 'library', name: 'libcurl', purl: 'pkg:rpm/redhat/libcurl@7.76.1-26.el9?arch=x86_64&distro=rhel-9.3' },
      // Nested components are packages too; components without a purl or of unknown types are not.
      { type: 'application', name: 'app', components: [{ type: 'library', name: 'lodash', purl: 'pkg:npm/lodash@4.17.20' }, { type: 'file', name: 'x' }] },
      { type: 'library', name: 'thing', purl: 'pkg:generic/thing@1.0' },
    ]), 'syft.json');
    assert.deepEqual(r.os, { family: 'redhat', version: '9.3' });
    assert.deepEqual(r.packages.map((p) => [p.name, p.version, p.ecosystem, p.epoch]), [
      ['openssl-libs', '1:3.0.7-27.el9', 'redhat', 1],
      ['libcurl', '7.76.1-26.el9', 'redhat', undefined],
      ['lodash', '4.17.20', 'npm', undefined],
    ]);
    assert.deepEqual(r.packages[0]!.source, { name: 'openssl' });
  });

  it('keeps maven group:artifact and npm scopes as the database names them', () => {
    const r = parseInventoryDocument(cdx([
      { type: 'library', name: 'log4j-core', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
      { type: 'library', name: 'traverse', purl: 'pkg:npm/%40babel/traverse@7.22.0' },
      { type: 'library', name: 'x/crypto', purl: 'pkg:golang/golang.org/x/crypto@v0.17.0' },
    ]), 'lang.json');
    assert.deepEqual(r.packages.map((p) => [p.ecosystem, p.name]), [['maven', 'org.apache.logging.log4j:log4j-core'], ['npm', '@babel/traverse'], ['go', 'golang.org/x/crypto']]);
  });

  it('reads our JSON inventory and drops what a rescan recomputes', () => {
    const stored = {
      schemaVersion: 1, createdAt: '2020-01-01T00:00:00Z', artifact: { name: 'app:1', digest: 'sha256:1' },
      os: { family: 'alpine', version: '3.20.3', eol: true },
      packages: [{ name: 'musl', version: '1.2.5-r0', ecosystem: 'alpine', purl: 'pkg:apk/alpine/musl@1.2.5-r0', manager: 'apk' }],
      findings: [{ id: 'CVE-1' }], verdict: { status: 'Fail', reasons: [] },
    };
    const r = parseInventoryDocument(JSON.stringify(stored), 'stored.json', { now: new Date('2026-01-01T00:00:00Z') });
    assert.deepEqual(r, {
      schemaVersion: 1, createdAt: '2026-01-01T00:00:00.000Z', artifact: { name: 'app:1', digest: 'sha256:1' },
      os: { family: 'alpine', version: '3.20.3' }, packages: stored.packages,
    });
  });

  it('refuses what it cannot read, with one line naming the file', () => {
    const bad = (text: string, re: RegExp, limits?: Parameters<typeof parseInventoryDocument>[2]) =>
      assert.throws(() => parseInventoryDocument(text, 'f.json', limits), (e: unknown) => e instanceof UsageError && e.code === 'BAD_SBOM' && re.test(e.message) && !e.message.includes('\n'));
    bad('{', /^f\.json: not JSON/);
    bad('[1]', /not a JSON object/);
    bad(JSON.stringify({ spdxVersion: 'SPDX-2.3' }), /SPDX documents are not read back/);
    bad(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '2.0' }), /specVersion "2\.0" is not 1\.x/);
    bad(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: {} }), /"components" is not a list/);
    bad(JSON.stringify({ schemaVersion: 1, packages: [{ name: 'x' }] }), /packages\[0\] lacks name, version, ecosystem or purl/);
    bad(JSON.stringify({ hello: 1 }), /neither a CycloneDX JSON SBOM/);
    const many = cdx(Array.from({ length: 3 }, (_, i) => ({ type: 'library', purl: `pkg:npm/p${i}@1.0.0` })));
    bad(many, /more than 2 packages/, { limits: { maxPackages: 2 } });
    let nested: Record<string, unknown> = { type: 'library', purl: 'pkg:npm/deep@1.0.0' };
    for (let i = 0; i < 40; i++) nested = { type: 'application', name: `a${i}`, components: [nested] };
    bad(cdx([nested]), /nested deeper than 32 levels/);
  });

  it('bounds the file size and reports unreadable paths', async () => {
    const { fresh } = scratchDirs('portcullis-sbom-input');
    const dir = fresh('files');
    const file = join(dir, 'big.json');
    writeFileSync(file, cdx([{ type: 'library', purl: 'pkg:npm/a@1.0.0' }]));
    await assert.rejects(readInventoryFile(file, { limits: { maxBytes: 10 } }), /larger than the 10-byte limit/);
    assert.equal((await readInventoryFile(file)).packages.length, 1);
    await assert.rejects(readInventoryFile(join(dir, 'missing.json')), /missing\.json: cannot read it \(ENOENT\)/);
    await assert.rejects(readInventoryFile(dir), /not a regular file/);
  });
});
