import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openVex020 } from '../../../test/openvex-schema.ts';
import { parsePolicy } from '../documents/index.ts';
import { ALL_FINDINGS, DEBIAN_PACKAGES } from '../status/findings.fixture.ts';
import { applyExceptions, exceptionsToOpenVex, imagePurl } from './index.ts';
import type { OpenVexExportContext } from './index.ts';

const validate = openVex020();
function assertValid(doc: unknown): void {
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
}

const NOW = new Date('2026-03-15T12:00:00Z');
const DIGEST = `sha256:${'4f'.repeat(32)}`;
const DEBIAN: OpenVexExportContext = { imageName: 'docker.io/library/debian:12', imageDigest: DIGEST, packages: DEBIAN_PACKAGES };

const POLICY = parsePolicy(`apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: openssl-pkcs12}
spec:
  vulnerabilities: [CVE-2024-0727]
  packages: [openssl]
  reason: "not reachable: we never parse PKCS12 files"
  owner: security@acme.example
  expires: 2026-06-30
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: base-image-pending}
spec:
  vulnerabilities: [CVE-2023-4911, CVE-2023-44487]
  images: ['debian:12']
  reason: waiting for the next base image rebuild
  owner: platform@acme.example
  expires: 2026-03-20T00:00:00Z
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: old}
spec:
  vulnerabilities: [CVE-2023-38545]
  reason: SOCKS proxies are not used
  owner: security@acme.example
  expires: 2026-01-31
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: payments-only}
spec:
  vulnerabilities: [CVE-2023-38545]
  namespaces: [payments]
  reason: payments pods have no egress
  owner: payments@acme.example
  expires: 2026-12-31
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: acme-images}
spec:
  vulnerabilities: [CVE-2023-38545]
  images: ['ghcr.io/acme/*']
  reason: acme images never use SOCKS
  owner: security@acme.example
  expires: 2026-12-31
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: minizip}
spec:
  packages: ['pkg:deb/debian/zlib1g']
  reason: minizip is not built into zlib1g
  owner: security@acme.example
  expires: 2026-12-31
`, 'exceptions.yaml').exceptions;

const IMAGE_PURL = `pkg:oci/debian@${DIGEST}?repository_url=docker.io%2Flibrary%2Fdebian&tag=12`;

describe('exceptionsToOpenVex', () => {
  it('exports the live exceptions that cover the image, valid against the OpenVEX 0.2.0 schema', () => {
    const { document, skipped } = exceptionsToOpenVex(POLICY, { ...DEBIAN, findings: ALL_FINDINGS }, NOW);
    assert.ok(document);
    assertValid(document);
    assert.equal(document['@context'], 'https://openvex.dev/ns/v0.2.0');
    assert.equal(document.timestamp, '2026-03-15T12:00:00.000Z');
    assert.deepEqual(document.statements.map((s) => [s.vulnerability.name, s.status_notes.split(',')[0]]), [
      ['CVE-2024-0727', 'Portcullis Exception openssl-pkcs12'],
      ['CVE-2023-4911', 'Portcullis Exception base-image-pending'],
      ['CVE-2023-44487', 'Portcullis Exception base-image-pending'],
      ['CVE-2023-45853', 'Portcullis Exception minizip'],
    ]);
    assert.deepEqual(document.statements[0], {
      vulnerability: { name: 'CVE-2024-0727' },
      timestamp: '2026-03-15T12:00:00.000Z',
      products: [{
        '@id': IMAGE_PURL,
        identifiers: { purl: IMAGE_PURL },
        subcomponents: [
          { '@id': 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12', identifiers: { purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12' } },
          { '@id': 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12', identifiers: { purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12' } },
        ],
      }],
      status: 'not_affected',
      impact_statement: 'not reachable: we never parse PKCS12 files',
      status_notes: 'Portcullis Exception openssl-pkcs12, owner security@acme.example, expires 2026-06-30',
    });
    assert.deepEqual(document.statements[1]?.products, [{ '@id': IMAGE_PURL, identifiers: { purl: IMAGE_PURL } }]);
    assert.deepEqual(skipped, [
      { name: 'old', reason: 'expired 2026-01-31' },
      { name: 'payments-only', reason: 'limited to namespaces payments, which OpenVEX cannot express: export it for a namespace' },
      { name: 'acme-images', reason: 'does not cover docker.io/library/debian:12' },
    ]);
  });

  it('says the same as applyExceptions about which findings are covered', () => {
    const ctx = { ...DEBIAN, findings: ALL_FINDINGS };
    const { document } = exceptionsToOpenVex(POLICY, ctx, NOW);
    const suppressed = applyExceptions(ALL_FINDINGS, POLICY, ctx, NOW).suppressed.map((s) => s.finding.id).sort();
    assert.deepEqual(document?.statements.map((s) => s.vulnerability.name).sort(), suppressed);
  });

  it('includes a namespace-scoped exception when exporting for that namespace', () => {
    const { document } = exceptionsToOpenVex(POLICY, { ...DEBIAN, namespace: 'payments' }, NOW);
    assertValid(document);
    assert.ok(document?.statements.some((s) => s.status_notes.startsWith('Portcullis Exception payments-only')));
  });

  it('drops exceptions once they expire (injected clock)', () => {
    const later = new Date('2026-03-20T00:00:00Z');
    const { document, skipped } = exceptionsToOpenVex(POLICY, DEBIAN, later);
    assertValid(document);
    assert.ok(!document?.statements.some((s) => s.status_notes.includes('base-image-pending')));
    assert.ok(skipped.some((s) => s.name === 'base-image-pending' && s.reason === 'expired 2026-03-20T00:00:00Z'));
  });

  it('without an image, names the packages as products and skips what needs an image', () => {
    const { document, skipped } = exceptionsToOpenVex(POLICY, { packages: DEBIAN_PACKAGES, findings: ALL_FINDINGS }, NOW);
    assertValid(document);
    assert.deepEqual(document?.statements.map((s) => [s.vulnerability.name, s.products.map((p) => p['@id'])]), [
      ['CVE-2024-0727', [
        'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
        'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
      ]],
      ['CVE-2023-45853', ['pkg:deb/debian/zlib1g']],
    ]);
    assert.deepEqual(skipped.map((s) => `${s.name}: ${s.reason}`), [
      'base-image-pending: limited to images: export it for one image',
      'old: expired 2026-01-31',
      'payments-only: limited to namespaces payments, which OpenVEX cannot express: export it for a namespace',
      'acme-images: limited to images: export it for one image',
    ]);
  });

  it('says what it needs when it knows neither packages nor findings', () => {
    const { document, skipped } = exceptionsToOpenVex(POLICY, {}, NOW);
    assert.equal(document, undefined);
    assert.deepEqual(skipped.filter((s) => ['openssl-pkcs12', 'minizip'].includes(s.name)), [
      { name: 'openssl-pkcs12', reason: "names packages by name only: give the image's packages to turn them into purls" },
      { name: 'minizip', reason: "names no vulnerability: give the image's findings to list the ones it covers" },
    ]);
  });

  it('returns no document when nothing can be exported', () => {
    const only = POLICY.filter((e) => e.name === 'old' || e.name === 'acme-images');
    assert.deepEqual(exceptionsToOpenVex(only, DEBIAN, NOW), {
      skipped: [{ name: 'old', reason: 'expired 2026-01-31' }, { name: 'acme-images', reason: 'does not cover docker.io/library/debian:12' }],
    });
  });

  it('derives a stable document ID from the content', () => {
    const a = exceptionsToOpenVex(POLICY, DEBIAN, NOW).document?.['@id'];
    assert.match(a ?? '', /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(exceptionsToOpenVex(POLICY, DEBIAN, NOW).document?.['@id'], a);
    assert.notEqual(exceptionsToOpenVex(POLICY, DEBIAN, new Date('2026-03-16T00:00:00Z')).document?.['@id'], a);
    assert.equal(exceptionsToOpenVex(POLICY, { ...DEBIAN, documentId: 'https://vex.acme.example/debian-12' }, NOW).document?.['@id'], 'https://vex.acme.example/debian-12');
  });
});

describe('imagePurl', () => {
  it('follows the purl spec for OCI images', () => {
    assert.equal(imagePurl('docker.io/library/debian:12', DIGEST), IMAGE_PURL);
    assert.equal(imagePurl(`ghcr.io/acme/payments/api@${DIGEST}`, DIGEST), `pkg:oci/api@${DIGEST}?repository_url=ghcr.io%2Facme%2Fpayments%2Fapi`);
    assert.equal(imagePurl('nginx:1.27', undefined), 'pkg:oci/nginx?repository_url=docker.io%2Flibrary%2Fnginx&tag=1.27');
    assert.equal(imagePurl('localhost:5000/app:dev', undefined), 'pkg:oci/app?repository_url=localhost%3A5000%2Fapp&tag=dev');
  });
});

describe('the iri format used for validation', () => {
  it('rejects what is not an IRI, so the schema check has teeth', () => {
    const bad = { ...exceptionsToOpenVex(POLICY, DEBIAN, NOW).document, '@id': 'not an iri' };
    assert.equal(validate(bad), false);
  });
});
