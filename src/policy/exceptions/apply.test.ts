import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../match/types.ts';
import { parsePolicy } from '../documents/index.ts';
import type { PolicyException } from '../documents/index.ts';
import {
  ALL_FINDINGS, CURL_38545, DEBIAN_PACKAGES, GLIBC_4911, JQUERY_11022, JQUERY_11023, LOG4SHELL, NGHTTP2_44487,
  OPENSSL_0727, TAR_2541, ZLIB_45853,
} from '../status/findings.fixture.ts';
import { applyExceptions, expiredExceptions } from './index.ts';
import type { ExceptionContext } from './index.ts';

const NOW = new Date('2026-03-15T12:00:00Z');
const DIGEST = `sha256:${'4f'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'a0'.repeat(32)}`;
const DEBIAN: ExceptionContext = { imageName: 'docker.io/library/debian:12', imageDigest: DIGEST, packages: DEBIAN_PACKAGES };

/** Exceptions as a policy file writes them (parsed and validated by the real loader). */
function exceptions(...specs: string[]): PolicyException[] {
  const docs = specs.map((spec, i) => [
    'apiVersion: portcullis.dev/v1', 'kind: Exception', `metadata:\n  name: ex-${i + 1}`,
    `spec:\n${spec.trim().replace(/^/gm, '  ')}`,
  ].join('\n'));
  return parsePolicy(docs.join('\n---\n'), 'exceptions.yaml').exceptions;
}
const meta = 'reason: not reachable in our service\nowner: security@acme.example\nexpires: 2026-03-31\n';
const ids = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.id}/${f.package}`);
const suppressedIds = (findings: readonly Finding[], ex: PolicyException[], ctx: ExceptionContext = DEBIAN, now = NOW): string[] =>
  ids(applyExceptions(findings, ex, ctx, now).suppressed.map((s) => s.finding));

describe('exception criteria', () => {
  it('vulnerability ID', () => {
    assert.deepEqual(suppressedIds(ALL_FINDINGS, exceptions(`vulnerabilities: [CVE-2024-0727]\n${meta}`)), ['CVE-2024-0727/libssl3']);
  });

  it('alias, case-insensitively (GHSA-jfh8-c2jp-5v3q is Log4Shell)', () => {
    assert.deepEqual(suppressedIds(ALL_FINDINGS, exceptions(`vulnerabilities: [ghsa-jfh8-c2jp-5v3q]\n${meta}`)), ['CVE-2021-44228/org.apache.logging.log4j:log4j-core']);
  });

  it('purl without a version covers every version of the package', () => {
    assert.deepEqual(suppressedIds(ALL_FINDINGS, exceptions(`packages: [pkg:npm/jquery]\n${meta}`)), ['CVE-2020-11023/jquery', 'CVE-2020-11022/jquery']);
    assert.deepEqual(suppressedIds(ALL_FINDINGS, exceptions(`packages: [pkg:deb/debian/libc6]\n${meta}`)), ['CVE-2023-4911/libc6']);
  });

  it('purl with a version covers that version only', () => {
    assert.equal(suppressedIds(ALL_FINDINGS, exceptions(`packages: [pkg:npm/jquery@3.4.1]\n${meta}`)).length, 2);
    assert.deepEqual(suppressedIds(ALL_FINDINGS, exceptions(`packages: [pkg:npm/jquery@3.5.0]\n${meta}`)), []);
    // the epoch of a Debian version is part of it
    assert.deepEqual(suppressedIds([ZLIB_45853], exceptions(`packages: ['pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1']\n${meta}`)), ['CVE-2023-45853/zlib1g']);
    assert.deepEqual(suppressedIds([ZLIB_45853], exceptions(`packages: ['pkg:deb/debian/zlib1g@1.2.13.dfsg-1']\n${meta}`)), []);
  });

  it('purl qualifiers the exception gives must match; namespace and type always', () => {
    assert.equal(suppressedIds([OPENSSL_0727], exceptions(`packages: ['pkg:deb/debian/libssl3?distro=debian-12']\n${meta}`)).length, 1);
    assert.equal(suppressedIds([OPENSSL_0727], exceptions(`packages: ['pkg:deb/debian/libssl3?distro=debian-11']\n${meta}`)).length, 0);
    assert.equal(suppressedIds([OPENSSL_0727], exceptions(`packages: ['pkg:deb/ubuntu/libssl3']\n${meta}`)).length, 0);
    assert.equal(suppressedIds([OPENSSL_0727], exceptions(`packages: ['pkg:rpm/debian/libssl3']\n${meta}`)).length, 0);
  });

  it("purls of findings without one are looked up in the image's packages", () => {
    const bare = { ...OPENSSL_0727, purl: undefined };
    const ex = exceptions(`packages: ['pkg:deb/debian/libssl3@3.0.11-1~deb12u2']\n${meta}`);
    assert.equal(suppressedIds([bare], ex).length, 1);
    assert.equal(suppressedIds([bare], ex, { ...DEBIAN, packages: [] }).length, 0);
  });

  it('package name: binary, purl name, or source package', () => {
    assert.deepEqual(suppressedIds(ALL_FINDINGS, exceptions(`packages: [libcurl4]\n${meta}`)), ['CVE-2023-38545/libcurl4']);
    assert.deepEqual(suppressedIds(ALL_FINDINGS, exceptions(`packages: [log4j-core]\n${meta}`)), ['CVE-2021-44228/org.apache.logging.log4j:log4j-core']);
    const openssl = exceptions(`packages: [openssl]\n${meta}`);
    assert.deepEqual(suppressedIds(ALL_FINDINGS, openssl), ['CVE-2024-0727/libssl3']);
    assert.deepEqual(suppressedIds(ALL_FINDINGS, openssl, { ...DEBIAN, packages: undefined }), [], 'source package unknown without the inventory');
  });

  it('criteria combine with AND, entries within a list with OR', () => {
    const both = exceptions(`vulnerabilities: [CVE-2023-44487]\npackages: [pkg:golang/golang.org/x/net]\n${meta}`);
    assert.deepEqual(suppressedIds(ALL_FINDINGS, both), []);
    const either = exceptions(`vulnerabilities: [CVE-2023-44487, CVE-2023-4911]\npackages: [libnghttp2-14, pkg:deb/debian/libc6]\n${meta}`);
    assert.deepEqual(suppressedIds(ALL_FINDINGS, either), ['CVE-2023-4911/libc6', 'CVE-2023-44487/libnghttp2-14']);
  });

  it('image glob over the normalised reference, short forms included', () => {
    const table: [string, ExceptionContext, boolean][] = [
      ['ghcr.io/acme/*', { imageName: 'ghcr.io/acme/payments/api:1.4.2' }, true],
      ['ghcr.io/acme/*', { imageName: 'ghcr.io/evil/acme:1' }, false],
      ['debian:12', { imageName: 'docker.io/library/debian:12' }, true],
      ['debian:12', { imageName: 'docker.io/library/debian:11' }, false],
      ['debian', { imageName: `docker.io/library/debian:12@${DIGEST}` }, true],
      ['library/debian:1?', { imageName: 'docker.io/library/debian:12' }, true],
      ['index.docker.io/library/debian:*', { imageName: 'docker.io/library/debian:bookworm-slim' }, true],
      ['ghcr.io/acme/api:1.*', { imageName: `ghcr.io/acme/api:1.4.2@${DIGEST}` }, true],
      ['ghcr.io/acme/api:1.*', { imageName: 'ghcr.io/acme/api:2.0.0' }, false],
      [`ghcr.io/acme/api@${DIGEST}`, { imageName: 'ghcr.io/acme/api:1.4.2', imageDigest: DIGEST }, true],
      ['*/acme/*', { imageName: 'registry.example:5000/acme/api:1' }, true],
      ['ghcr.io/acme/*', {}, false],
    ];
    for (const [glob, ctx, expected] of table) {
      const got = suppressedIds([CURL_38545], exceptions(`vulnerabilities: [CVE-2023-38545]\nimages: ['${glob}']\n${meta}`), ctx).length === 1;
      assert.equal(got, expected, `${glob} vs ${ctx.imageName}`);
    }
  });

  it('image digest: the index digest, the manifest digest, or the one in the reference', () => {
    const ex = exceptions(`vulnerabilities: [CVE-2023-38545]\nimages: ['${DIGEST}']\n${meta}`);
    assert.equal(suppressedIds([CURL_38545], ex, { imageName: 'docker.io/library/debian:12', imageDigest: DIGEST }).length, 1);
    assert.equal(suppressedIds([CURL_38545], ex, { imageName: 'docker.io/library/debian:12', imageDigest: OTHER_DIGEST, manifestDigest: DIGEST }).length, 1);
    assert.equal(suppressedIds([CURL_38545], ex, { imageName: `docker.io/library/debian@${DIGEST}` }).length, 1);
    assert.equal(suppressedIds([CURL_38545], ex, { imageName: 'docker.io/library/debian:12', imageDigest: OTHER_DIGEST }).length, 0);
  });

  it('namespace glob; without a namespace, namespace-scoped exceptions do not apply and are reported', () => {
    const ex = exceptions(`vulnerabilities: [CVE-2023-38545]\nnamespaces: [payments, 'team-*']\n${meta}`);
    assert.equal(suppressedIds([CURL_38545], ex, { ...DEBIAN, namespace: 'payments' }).length, 1);
    assert.equal(suppressedIds([CURL_38545], ex, { ...DEBIAN, namespace: 'team-checkout' }).length, 1);
    assert.equal(suppressedIds([CURL_38545], ex, { ...DEBIAN, namespace: 'default' }).length, 0);
    const r = applyExceptions([CURL_38545, OPENSSL_0727], ex, DEBIAN, NOW);
    assert.deepEqual(ids(r.kept), ['CVE-2023-38545/libcurl4', 'CVE-2024-0727/libssl3']);
    assert.deepEqual(r.namespaceScoped, [{ name: 'ex-1', namespaces: ['payments', 'team-*'], findings: ['CVE-2023-38545'] }]);
    assert.deepEqual(applyExceptions([CURL_38545], ex, { ...DEBIAN, namespace: 'default' }, NOW).namespaceScoped, []);
  });
});

describe('expiry (injected clock)', () => {
  const ex = exceptions(`vulnerabilities: [CVE-2023-4911]\n${meta}`); // expires: 2026-03-31 = through that day, UTC

  it('applies through the last day and names exception, reason, owner and expiry', () => {
    const r = applyExceptions([GLIBC_4911, CURL_38545], ex, DEBIAN, new Date('2026-03-31T23:59:59.999Z'));
    assert.deepEqual(r.suppressed, [{
      finding: GLIBC_4911, kind: 'exception', by: 'ex-1', reason: 'not reachable in our service', owner: 'security@acme.example', expires: '2026-03-31',
    }]);
    assert.deepEqual(ids(r.kept), ['CVE-2023-38545/libcurl4']);
    assert.deepEqual(r.expired, []);
  });

  it('stops applying at expiry and says so', () => {
    const r = applyExceptions([GLIBC_4911, CURL_38545], ex, DEBIAN, new Date('2026-04-01T00:00:00Z'));
    assert.deepEqual(r.suppressed, []);
    assert.deepEqual(ids(r.kept), ['CVE-2023-4911/libc6', 'CVE-2023-38545/libcurl4']);
    assert.deepEqual(r.expired, [{ name: 'ex-1', expires: '2026-03-31', owner: 'security@acme.example', findings: ['CVE-2023-4911'] }]);
    assert.deepEqual(expiredExceptions(ex, new Date('2026-04-01T00:00:00Z')).map((e) => e.name), ['ex-1']);
    assert.deepEqual(expiredExceptions(ex, NOW), []);
  });

  it('honours an RFC 3339 expiry to the second', () => {
    const timed = exceptions(`vulnerabilities: [CVE-2023-4911]\nreason: r\nowner: o\nexpires: '2026-03-15T12:00:00+01:00'`);
    assert.equal(suppressedIds([GLIBC_4911], timed, DEBIAN, new Date('2026-03-15T10:59:59Z')).length, 1);
    assert.equal(suppressedIds([GLIBC_4911], timed, DEBIAN, new Date('2026-03-15T11:00:00Z')).length, 0);
  });

  it('an expired exception is not reported when a live one covers the finding', () => {
    const two = exceptions(
      `vulnerabilities: [CVE-2023-4911]\nreason: old\nowner: o\nexpires: 2026-01-31`,
      `packages: [glibc]\n${meta}`,
    );
    const r = applyExceptions([GLIBC_4911], two, DEBIAN, NOW);
    assert.equal(r.suppressed[0]?.by, 'ex-2');
    assert.deepEqual(r.expired, []);
  });

  it('an expired exception for another image is not reported', () => {
    const other = exceptions(`vulnerabilities: [CVE-2023-4911]\nimages: ['ghcr.io/acme/*']\nreason: r\nowner: o\nexpires: 2026-01-31`);
    assert.deepEqual(applyExceptions([GLIBC_4911], other, DEBIAN, NOW).expired, []);
  });
});

describe('applyExceptions', () => {
  it('the first matching exception in policy order names the suppression', () => {
    const two = exceptions(`packages: [pkg:npm/jquery]\n${meta}`, `vulnerabilities: [CVE-2020-11023]\n${meta}`);
    const r = applyExceptions([JQUERY_11023, JQUERY_11022], two, DEBIAN, NOW);
    assert.deepEqual(r.suppressed.map((s) => s.by), ['ex-1', 'ex-1']);
    const swapped = applyExceptions([JQUERY_11023, JQUERY_11022], [two[1]!, two[0]!], DEBIAN, NOW);
    assert.deepEqual(swapped.suppressed.map((s) => s.by), ['ex-2', 'ex-1']);
  });

  it('keeps every finding, in order, when no exception applies', () => {
    const r = applyExceptions(ALL_FINDINGS, [], DEBIAN, NOW);
    assert.deepEqual(r.kept, ALL_FINDINGS);
    assert.notEqual(r.kept, ALL_FINDINGS);
  });

  // Speed is measured by bench/policy.ts; this checks the index gives the same answers at size.
  it('900 exceptions over 20,000 findings', () => {
    const many = exceptions(...Array.from({ length: 900 }, (_, i) => `vulnerabilities: [CVE-2099-${10000 + i}]\npackages: [pkg:npm/pkg-${i}]\n${meta}`));
    const findings: Finding[] = Array.from({ length: 20_000 }, (_, i) => ({
      ...JQUERY_11022, id: `CVE-2099-${10000 + (i % 1800)}`, package: `pkg-${i % 1800}`, purl: `pkg:npm/pkg-${i % 1800}@1.0.0`,
    }));
    const covered = findings.filter((f) => Number(f.id.slice(-5)) < 10900).length;
    const r = applyExceptions([...findings, TAR_2541, LOG4SHELL, NGHTTP2_44487], many, DEBIAN, NOW);
    assert.equal(r.suppressed.length, covered);
    assert.equal(r.kept.length, findings.length - covered + 3);
    assert.equal(r.suppressed[1]?.by, 'ex-2');
  });
});
