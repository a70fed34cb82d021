import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debianScanResult } from '../../../test/fixtures-results.ts';
import { openVex020 } from '../../../test/openvex-schema.ts';
import { assertValid, cyclonedx16 } from '../../../test/sbom-schemas.ts';
import type { Finding } from '../../match/types.ts';
import { imagePurl } from '../exceptions/index.ts';
import { applyVex, parseVex } from './index.ts';
import type { VexContext } from './index.ts';

const result = debianScanResult();
const findings = result.findings!;
const IMAGE = result.artifact.name; // registry.example.com:5000/shop/checkout:1.4.2
const DIGEST = result.artifact.digest!;
const OTHER = `sha256:${'0a'.repeat(32)}`;
const CTX: VexContext = { imageName: IMAGE, imageDigest: DIGEST, arch: 'amd64', os: 'linux', packages: result.packages };
const IMAGE_PURL = imagePurl(IMAGE, DIGEST);
const LIBSSL = result.packages.find((p) => p.name === 'libssl3')!.purl;

/** An OpenVEX 0.2.0 document, checked against the official schema before use. */
function openvex(statements: object[], extra: object = {}): string {
  const doc = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://vex.acme.example/checkout/2026-11-20',
    author: 'Acme Security <security@acme.example>',
    timestamp: '2026-11-20T10:00:00Z',
    version: 1,
    statements,
    ...extra,
  };
  const validate = openVex020();
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));
  return JSON.stringify(doc);
}

const keys = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.id}/${f.package}`);
const suppressedBy = (docs: string[], ctx = CTX): string[] =>
  keys(applyVex(findings, docs.map((d, i) => parseVex(d, `vex-${i + 1}.json`)), ctx).suppressed.map((s) => s.finding));

const notAffected = (vuln: string, products: object[], extra: object = {}): object => ({
  vulnerability: { name: vuln }, products, status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', ...extra,
});

describe('OpenVEX', () => {
  it('an image product by digest (oci purl) with a subcomponent purl without version', () => {
    const doc = openvex([notAffected('CVE-2024-0727', [{ '@id': IMAGE_PURL, subcomponents: [{ '@id': 'pkg:deb/debian/libssl3' }] }], {
      impact_statement: 'We never parse PKCS12 files.',
    })]);
    const r = applyVex(findings, [parseVex(doc, 'vex/checkout.openvex.json')], CTX);
    assert.deepEqual(r.suppressed.map((s) => ({ ...s, finding: s.finding.id })), [{
      finding: 'CVE-2024-0727', kind: 'vex',
      by: 'vex/checkout.openvex.json statements[0] (not_affected: vulnerable_code_not_in_execute_path)',
      reason: 'We never parse PKCS12 files.',
    }]);
    assert.equal(r.kept.length, findings.length - 1);
  });

  it('an image product covers all the image\'s findings of the vulnerability when it lists no subcomponents', () => {
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2023-4911', [{ '@id': IMAGE_PURL }])])]), ['CVE-2023-4911/libc6', 'CVE-2023-4911/libc-bin']);
  });

  it('image forms: digest as @id, sha-256 hash, repository purl without digest, reference; not another digest or repository', () => {
    const table: [object, boolean][] = [
      [{ '@id': DIGEST }, true],
      [{ '@id': 'urn:example:checkout', hashes: { 'sha-256': DIGEST.slice(7) } }, true],
      [{ '@id': 'pkg:oci/checkout?repository_url=registry.example.com:5000/shop/checkout' }, true],
      [{ '@id': 'pkg:oci/checkout?repository_url=registry.example.com:5000/shop/checkout&tag=1.4.2&arch=amd64' }, true],
      [{ '@id': 'pkg:oci/checkout?repository_url=registry.example.com:5000/shop/checkout&arch=arm64' }, false],
      [{ '@id': 'pkg:oci/checkout?repository_url=registry.example.com:5000/shop/checkout&tag=1.4.1' }, false],
      [{ '@id': 'pkg:oci/checkout?repository_url=registry.example.com:5000/other/checkout' }, false],
      [{ '@id': imagePurl(IMAGE, OTHER) }, false],
      [{ identifiers: { purl: IMAGE_PURL } }, true],
      [{ '@id': `docker://${IMAGE}` }, true],
      [{ '@id': 'registry.example.com:5000/shop/checkout' }, true],
      [{ '@id': `registry.example.com:5000/shop/checkout@${OTHER}` }, false],
    ];
    for (const [product, expected] of table) {
      const got = suppressedBy([openvex([notAffected('CVE-2024-0727', [product])])]);
      assert.deepEqual(got, expected ? ['CVE-2024-0727/libssl3'] : [], JSON.stringify(product));
    }
    // Docker Hub images under the names Trivy writes in its purls (index.docker.io/library/...).
    const hub: VexContext = { ...CTX, imageName: 'docker.io/library/debian:12', imageDigest: DIGEST };
    const product = { '@id': `pkg:oci/debian@${encodeURIComponent(DIGEST)}?repository_url=index.docker.io%2Flibrary%2Fdebian&arch=amd64` };
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2024-0727', [product])])], hub), ['CVE-2024-0727/libssl3']);
  });

  it('a package product by purl: without version every version, with version only that one', () => {
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2024-0727', [{ '@id': 'pkg:deb/debian/libssl3' }])])]), ['CVE-2024-0727/libssl3']);
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2024-0727', [{ '@id': LIBSSL }])])]), ['CVE-2024-0727/libssl3']);
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2024-0727', [{ '@id': 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12' }])])]), ['CVE-2024-0727/libssl3']);
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2024-0727', [{ '@id': 'pkg:deb/debian/libssl3@3.0.13-1~deb12u1' }])])]), []);
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2024-0727', [{ '@id': 'pkg:deb/debian/libssl3?arch=arm64' }])])]), []);
    assert.deepEqual(suppressedBy([openvex([notAffected('CVE-2024-0727', [{ '@id': 'pkg:deb/ubuntu/libssl3' }])])]), []);
  });

  it('a package product with subcomponents covers its dependencies when it is in the image', () => {
    const doc = (product: string) => openvex([notAffected('CVE-2023-4911', [{ '@id': product, subcomponents: [{ '@id': 'pkg:deb/debian/libc6' }] }])]);
    assert.deepEqual(suppressedBy([doc('pkg:deb/debian/libc-bin')]), ['CVE-2023-4911/libc6']);
    assert.deepEqual(suppressedBy([doc('pkg:deb/debian/not-installed')]), []);
  });

  it('matches the vulnerability by alias and @id, either way round', () => {
    const byAlias = openvex([notAffected('GHSA-jfh8-c2jp-5v3q', [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core' }])]);
    assert.deepEqual(suppressedBy([byAlias]), ['CVE-2021-44228/org.apache.logging.log4j:log4j-core']);
    const statementAlias = openvex([notAffected('DLA-3893-1', [{ '@id': 'pkg:deb/debian/libssl3' }], {
      vulnerability: { name: 'DLA-3893-1', '@id': 'https://nvd.nist.gov/vuln/detail/CVE-2024-0727', aliases: ['CVE-2024-0727'] },
    })]);
    assert.deepEqual(suppressedBy([statementAlias]), ['CVE-2024-0727/libssl3']);
  });

  it('fixed suppresses; affected and under_investigation keep the finding and say so', () => {
    assert.deepEqual(suppressedBy([openvex([{ vulnerability: { name: 'CVE-2024-0727' }, products: [{ '@id': IMAGE_PURL }], status: 'fixed' }])]), ['CVE-2024-0727/libssl3']);
    const affected = openvex([{
      vulnerability: { name: 'CVE-2024-0727' }, products: [{ '@id': IMAGE_PURL }], status: 'affected', action_statement: 'Upgrade to 3.0.13.',
    }, { vulnerability: { name: 'CVE-2023-4806' }, products: [{ '@id': IMAGE_PURL }], status: 'under_investigation' }]);
    const r = applyVex(findings, [parseVex(affected, 'a.json')], CTX);
    assert.deepEqual(r.suppressed, []);
    assert.deepEqual(r.annotations.map((a) => [a.finding.id, a.status, a.by, a.note ?? null]), [
      ['CVE-2023-4806', 'under_investigation', 'a.json statements[1] (under_investigation)', null],
      ['CVE-2024-0727', 'affected', 'a.json statements[0] (affected)', 'Upgrade to 3.0.13.'],
    ]);
  });

  it('the latest statement for a vulnerability and product holds, across documents', () => {
    const first = notAffected('CVE-2024-0727', [{ '@id': IMAGE_PURL }], { timestamp: '2026-11-01T00:00:00Z' });
    const later = { vulnerability: { name: 'CVE-2024-0727' }, products: [{ '@id': 'pkg:deb/debian/libssl3' }], status: 'affected', action_statement: 'Upgrade.', timestamp: '2026-11-10T00:00:00Z' };
    assert.deepEqual(suppressedBy([openvex([first, later])]), []);
    assert.deepEqual(suppressedBy([openvex([later, first])]), [], 'order in the file does not matter, time does');
    // An update of the statement (last_updated) wins over an older timestamp.
    assert.deepEqual(suppressedBy([openvex([{ ...first, last_updated: '2026-11-11T00:00:00Z' }, later])]), ['CVE-2024-0727/libssl3']);
    // Statements without a time take the document's: a later document wins.
    const oldDoc = openvex([notAffected('CVE-2024-0727', [{ '@id': IMAGE_PURL }])], { timestamp: '2026-10-01T00:00:00Z' });
    const newDoc = openvex([{ ...later, timestamp: undefined }], { timestamp: '2026-11-20T00:00:00Z' });
    assert.deepEqual(suppressedBy([oldDoc, newDoc]), []);
    assert.deepEqual(suppressedBy([newDoc, oldDoc]), []);
    const newer = openvex([notAffected('CVE-2024-0727', [{ '@id': IMAGE_PURL }])], { timestamp: '2026-11-21T00:00:00Z' });
    assert.deepEqual(suppressedBy([newDoc, newer]), ['CVE-2024-0727/libssl3']);
  });

  it('refuses documents that break the specification, saying where', () => {
    const good = JSON.parse(openvex([notAffected('CVE-2024-0727', [{ '@id': IMAGE_PURL }])])) as Record<string, unknown>;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, '@id': undefined }, 'v.json: @id must be a string, not missing'],
      [{ ...good, timestamp: 'yesterday' }, 'v.json: timestamp "yesterday" is not an RFC 3339 time'],
      [{ ...good, version: 0 }, 'v.json: version must be an integer of at least 1'],
      [{ ...good, statements: [] }, 'v.json: statements must not be empty'],
      [{ ...good, statements: [{ vulnerability: { name: 'CVE-1' }, status: 'not_affected', products: [{ '@id': 'x:y' }] }] }, 'v.json: statements[0] is not_affected without a justification or an impact_statement'],
      [{ ...good, statements: [{ vulnerability: { name: 'CVE-1' }, status: 'affected', products: [{ '@id': 'x:y' }] }] }, 'v.json: statements[0] is affected without an action_statement'],
      [{ ...good, statements: [{ vulnerability: { name: 'CVE-1' }, status: 'ignored' }] }, 'v.json: statements[0].status must be one of not_affected, affected, fixed, under_investigation, not "ignored"'],
      [{ ...good, statements: [{ vulnerability: {}, status: 'fixed' }] }, 'v.json: statements[0].vulnerability.name must be a string, not missing'],
      [{ ...good, statements: [{ vulnerability: { name: 'CVE-1' }, status: 'fixed', products: [{ hashes: {} }] }] }, 'v.json: statements[0].products[0] needs an @id or identifiers'],
      [{ ...good, statements: [{ ...notAffected('CVE-1', []), justification: 'not_reachable' }] }, 'v.json: statements[0].justification must be one of'],
    ];
    for (const [doc, message] of cases) {
      assert.throws(() => parseVex(JSON.stringify(doc), 'v.json'), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'VEX_INVALID');
        assert.ok(err.message.startsWith(message), `${err.message}\n  expected: ${message}`);
        return true;
      });
    }
    assert.throws(() => parseVex('{"@context": "https://openvex.dev/ns/v0.2.0",', 'v.json'), { code: 'VEX_INVALID', message: /^v\.json: is not a JSON VEX document/ });
    assert.throws(() => parseVex('{"document": {"category": "csaf_vex"}}', 'v.json'), { code: 'VEX_UNSUPPORTED' });
  });

  it('warns about what it cannot use instead of failing', () => {
    const doc = parseVex(openvex([notAffected('CVE-2024-0727', [{ identifiers: { cpe23: 'cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*' } }])]), 'v.json');
    assert.deepEqual(doc.warnings, ['statements[0].products[0].identifiers.cpe23: CPE identifiers are not matched']);
    assert.deepEqual(applyVex(findings, [doc], CTX).suppressed, []);
  });
});

/** A CycloneDX 1.6 VEX BOM, checked against the official schema before use. */
function cdxVex(vulnerabilities: object[], components: object[] = COMPONENTS): string {
  const bom = {
    bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', version: 1,
    metadata: { timestamp: '2026-11-20T10:00:00Z' },
    components,
    vulnerabilities,
  };
  assertValid(cyclonedx16(), bom, 'CycloneDX VEX');
  return JSON.stringify(bom);
}
const COMPONENTS = [
  { type: 'container', 'bom-ref': 'image', name: 'registry.example.com:5000/shop/checkout', version: DIGEST },
  { type: 'library', 'bom-ref': 'openssl-any', name: 'libssl3', purl: 'pkg:deb/debian/libssl3' },
  { type: 'library', 'bom-ref': 'glibc', name: 'libc6', purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u1' },
];
const analysis = (state: string, extra: object = {}) => ({ state, justification: 'code_not_reachable', detail: 'PKCS12 is never parsed.', ...extra });

describe('CycloneDX VEX', () => {
  it('affects refs resolve to components by bom-ref: a package purl without version', () => {
    const doc = cdxVex([{ id: 'CVE-2024-0727', analysis: analysis('not_affected'), affects: [{ ref: 'openssl-any' }] }]);
    const r = applyVex(findings, [parseVex(doc, 'checkout.cdx.json')], CTX);
    assert.deepEqual(r.suppressed.map((s) => [s.finding.id, s.by, s.reason]), [
      ['CVE-2024-0727', 'checkout.cdx.json vulnerabilities[0] (not_affected: code_not_reachable)', 'PKCS12 is never parsed.'],
    ]);
  });

  it('a container component by digest is the image; a package purl with version only that version', () => {
    assert.deepEqual(suppressedBy([cdxVex([{ id: 'CVE-2023-4911', analysis: analysis('not_affected'), affects: [{ ref: 'image' }] }])]), ['CVE-2023-4911/libc6', 'CVE-2023-4911/libc-bin']);
    assert.deepEqual(suppressedBy([cdxVex([{ id: 'CVE-2023-4911', analysis: analysis('not_affected'), affects: [{ ref: 'glibc' }] }])]), ['CVE-2023-4911/libc6']);
    const other = [{ ...COMPONENTS[0], version: OTHER }, ...COMPONENTS.slice(1)];
    assert.deepEqual(suppressedBy([cdxVex([{ id: 'CVE-2023-4911', analysis: analysis('not_affected'), affects: [{ ref: 'image' }] }], other)]), []);
  });

  it('BOM-Links and bare purls as refs', () => {
    const link = `urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#${encodeURIComponent(LIBSSL)}`;
    assert.deepEqual(suppressedBy([cdxVex([{ id: 'CVE-2024-0727', analysis: analysis('not_affected'), affects: [{ ref: link }] }])]), ['CVE-2024-0727/libssl3']);
    assert.deepEqual(suppressedBy([cdxVex([{ id: 'CVE-2024-0727', analysis: analysis('not_affected'), affects: [{ ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#openssl-any' }] }])]), ['CVE-2024-0727/libssl3']);
    const bare = parseVex(cdxVex([{ id: 'CVE-2024-0727', analysis: analysis('not_affected'), affects: [{ ref: 'nowhere' }] }]), 'x.json');
    assert.deepEqual(bare.warnings, [
      'vulnerabilities[0].affects[0].ref "nowhere" names no component of this BOM and is not a purl: skipped',
      'vulnerabilities[0] (CVE-2024-0727) affects no component we can recognise: it applies to nothing',
    ]);
  });

  it('states: false_positive and resolved suppress; exploitable and in_triage keep; no analysis is skipped', () => {
    const states: [string, boolean][] = [['not_affected', true], ['false_positive', true], ['resolved', true], ['resolved_with_pedigree', true], ['exploitable', false], ['in_triage', false]];
    for (const [state, suppresses] of states) {
      const extra = state === 'not_affected' || state === 'false_positive' ? {} : { justification: undefined };
      const got = suppressedBy([cdxVex([{ id: 'CVE-2024-0727', analysis: analysis(state, extra), affects: [{ ref: 'openssl-any' }] }])]);
      assert.deepEqual(got, suppresses ? ['CVE-2024-0727/libssl3'] : [], state);
    }
    const r = applyVex(findings, [parseVex(cdxVex([{ id: 'CVE-2024-0727', analysis: analysis('resolved', { justification: undefined }), affects: [{ ref: 'openssl-any' }] }]), 'x.json')], CTX);
    assert.equal(r.suppressed[0]?.by, 'x.json vulnerabilities[0] (resolved → fixed)');
    const plain = parseVex(cdxVex([{ id: 'CVE-2024-0727', affects: [{ ref: 'openssl-any' }] }]), 'x.json');
    assert.deepEqual(plain.statements, []);
    assert.deepEqual(plain.warnings, ['vulnerabilities[0] (CVE-2024-0727) has no analysis: skipped']);
  });

  it('versions narrow a component; references give aliases; lastUpdated orders statements', () => {
    const v = (versions: object[]) => cdxVex([{ id: 'CVE-2024-0727', analysis: analysis('not_affected'), affects: [{ ref: 'openssl-any', versions }] }]);
    assert.deepEqual(suppressedBy([v([{ version: '3.0.11-1~deb12u2', status: 'unaffected' }])]), ['CVE-2024-0727/libssl3']);
    assert.deepEqual(suppressedBy([v([{ version: '3.0.13-1~deb12u1', status: 'unaffected' }])]), []);
    assert.deepEqual(suppressedBy([v([{ range: 'vers:deb/<3.0.13', status: 'unaffected' }])]), []);
    const alias = cdxVex([{ id: 'GHSA-jfh8-c2jp-5v3q', references: [{ id: 'CVE-2021-44228', source: { name: 'NVD' } }], analysis: analysis('not_affected'), affects: [{ ref: 'pkg:maven/org.apache.logging.log4j/log4j-core' }] }]);
    assert.deepEqual(suppressedBy([alias]), ['CVE-2021-44228/org.apache.logging.log4j:log4j-core']);
    const history = cdxVex([
      { id: 'CVE-2024-0727', analysis: analysis('not_affected', { lastUpdated: '2026-11-01T00:00:00Z' }), affects: [{ ref: 'openssl-any' }] },
      { id: 'CVE-2024-0727', analysis: analysis('exploitable', { justification: undefined, lastUpdated: '2026-11-15T00:00:00Z' }), affects: [{ ref: 'openssl-any' }] },
    ]);
    assert.deepEqual(suppressedBy([history]), []);
  });

  it('refuses what is not a CycloneDX VEX it can read', () => {
    assert.throws(() => parseVex(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.3', version: 1 }), 'x.json'), { code: 'VEX_INVALID', message: 'x.json: specVersion "1.3": VEX needs CycloneDX 1.4 or later' });
    assert.throws(() => parseVex(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'maybe' } }] }), 'x.json'), { code: 'VEX_INVALID', message: /^x\.json: vulnerabilities\[0\]\.analysis\.state must be one of/ });
  });
});
