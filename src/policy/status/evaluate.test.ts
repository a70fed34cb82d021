import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Finding } from '../../match/types.ts';
import { defaultThresholds, parsePolicy } from '../documents/index.ts';
import type { ScanStatusThresholds } from '../documents/index.ts';
import { evaluateStatus } from './index.ts';
import type { StatusContext } from './index.ts';
import {
  ALL_FINDINGS, CURL_38545, GLIBC_4911, JQUERY_11022, JQUERY_11023, LOG4SHELL, MULTER_48997, MUSL_26519, NGHTTP2_44487,
  OPENSSL_0727, TAR_2541, UNDICI_24758, ZLIB_45853,
} from './findings.fixture.ts';

const NOW = new Date('2026-11-21T06:00:00Z');
const ctx: StatusContext = { now: NOW };
const T = (spec: Partial<ScanStatusThresholds> = {}): ScanStatusThresholds => ({ ...defaultThresholds(), ...spec });
const status = (findings: readonly Finding[], t = T(), c: StatusContext = ctx): string => evaluateStatus(findings, t, c).status;
const check = (findings: readonly Finding[], name: string, t = T(), c: StatusContext = ctx) =>
  evaluateStatus(findings, t, c).checks?.find((x) => x.name === name);

/** A real CVE JSON 5 record with both a CVSS v3.1 (6.5) and a v4.0 (7.1) score from its CNA. */
function junosFinding(): Finding {
  const url = new URL('../../../../shared/data/feeds/cve-json5/2024/47xxx/CVE-2024-47509.json', import.meta.url);
  const rec = JSON.parse(readFileSync(url, 'utf8')) as {
    cveMetadata: { cveId: string };
    containers: { cna: { affected: { product: string }[]; metrics: Record<string, { version: string; vectorString: string; baseScore: number }>[] } };
  };
  const cvss = rec.containers.cna.metrics.flatMap((m) => Object.entries(m).filter(([k]) => k.startsWith('cvssV')))
    .map(([, v]) => ({ source: 'juniper', version: v.version, vector: v.vectorString, score: v.baseScore }));
  return {
    id: rec.cveMetadata.cveId, aliases: [], package: rec.containers.cna.affected[0]!.product, installedVersion: '21.4R1-EVO',
    fixedVersion: '21.4R2-EVO', status: 'fixed', severity: 'MEDIUM', cvss, kev: false, sources: ['nvd'],
  };
}

describe('CVSS thresholds (Calico model, defaults warn 4.0 / fail 7.0)', () => {
  const table: [string, Finding[], string][] = [
    ['7.0 exactly (musl CVE-2025-26519) fails', [MUSL_26519], 'Fail'],
    ['6.9 (jQuery CVE-2020-11022) warns', [JQUERY_11022], 'Warn'],
    ['3.9 (undici CVE-2024-24758) passes', [UNDICI_24758], 'Pass'],
    ['5.5 (OpenSSL CVE-2024-0727) warns', [OPENSSL_0727], 'Warn'],
    ['no findings pass', [], 'Pass'],
    ['the worst finding decides', [UNDICI_24758, JQUERY_11022, MUSL_26519], 'Fail'],
    ['CVSS v2 never counts: CVE-2005-2541 (v2 10.0, LOW) passes', [TAR_2541], 'Pass'],
    ['a v4-only score counts (multer CVE-2025-48997, v4 8.7)', [MULTER_48997], 'Fail'],
    ['no score: HIGH counts as 7.0 and fails', [{ ...GLIBC_4911, cvss: [] }], 'Fail'],
    ['no score: MEDIUM counts as 4.0 and warns', [{ ...OPENSSL_0727, cvss: [] }], 'Warn'],
    ['no score and UNKNOWN severity contributes nothing', [{ ...CURL_38545, cvss: [], severity: 'UNKNOWN' }], 'Pass'],
    ['v3 wins over a higher v4 (CVE-2024-47509: v3.1 6.5, v4 7.1)', [junosFinding()], 'Warn'],
  ];
  for (const [name, findings, expected] of table) it(name, () => assert.equal(status(findings), expected));

  it('respects thresholds from a policy file, at the boundary', () => {
    const set = parsePolicy('apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: strict}\nspec: {warnThreshold: 3.9, failThreshold: 6.9}\n', 'strict.yaml');
    assert.equal(status([UNDICI_24758], set.thresholds), 'Warn');
    assert.equal(status([JQUERY_11022], set.thresholds), 'Fail');
    assert.equal(evaluateStatus([], set.thresholds, ctx).policy, 'strict.yaml');
  });

  it('says which score decided and where it came from', () => {
    assert.equal(check([MUSL_26519], 'cvss')?.message, 'worst CVSS 7.0 reaches failThreshold 7.0 (1 finding)');
    assert.equal(check([UNDICI_24758], 'cvss')?.message, 'worst CVSS 3.9 is below warnThreshold 4.0');
    assert.equal(check([MULTER_48997], 'cvss')?.message, 'worst CVSS v4 8.7 reaches failThreshold 7.0 (1 finding)');
    assert.equal(check([TAR_2541], 'cvss')?.message, 'worst score 0.1 (LOW, no CVSS score) is below warnThreshold 4.0');
    assert.equal(check([], 'cvss')?.message, 'no findings');
  });

  it('lists only the checks the policy enables', () => {
    assert.deepEqual(evaluateStatus(ALL_FINDINGS, T(), ctx).checks?.map((c) => c.name), ['cvss']);
    const all = T({ warnOn: { high: 1 }, failOnKev: true, failOnEpss: 0.5, maxDbAgeHours: 24, failOnEndOfLife: true });
    assert.deepEqual(evaluateStatus([], all, { ...ctx, dbBuiltAt: NOW }).checks?.map((c) => c.name),
      ['cvss', 'severity', 'kev', 'epss', 'db-age', 'end-of-life']);
  });
});

describe('severity counts (warnOn / failOn)', () => {
  const debian = [CURL_38545, GLIBC_4911, NGHTTP2_44487, OPENSSL_0727, TAR_2541];
  const high = T({ warnThreshold: 10, failThreshold: 10 }); // keep the CVSS check out of the way

  it('fails when a failOn count is reached, and not one below', () => {
    assert.equal(check(debian, 'severity', { ...high, failOn: { high: 2 } })?.status, 'Fail');
    assert.equal(check(debian, 'severity', { ...high, failOn: { high: 3 } })?.status, 'Pass');
    assert.equal(status(debian, { ...high, failOn: { critical: 1 } }), 'Fail');
  });

  it('warns on warnOn, and failOn takes precedence', () => {
    assert.equal(status(debian, { ...high, warnOn: { medium: 1 } }), 'Warn');
    assert.equal(status(debian, { ...high, warnOn: { medium: 1 }, failOn: { low: 1 } }), 'Fail');
  });

  it('names the counts and the findings', () => {
    const v = evaluateStatus(debian, { ...high, failOn: { critical: 1, high: 2 } }, ctx);
    assert.deepEqual(v.reasons, [
      'failOn reached: 1 CRITICAL finding (failOn.critical 1), 2 HIGH findings (failOn.high 2) — '
      + 'CVE-2023-38545 in libcurl4 7.88.1-10+deb12u1: CRITICAL, CVSS 9.8, fixed in 7.88.1-10+deb12u4; '
      + 'CVE-2023-4911 in libc6 2.36-9+deb12u1: HIGH, CVSS 7.8, exploited in the wild (KEV), fixed in 2.36-9+deb12u3; '
      + 'CVE-2023-44487 in libnghttp2-14 1.52.0-1: HIGH, CVSS 7.5, exploited in the wild (KEV), fixed in 1.52.0-1+deb12u1',
    ]);
    assert.equal(check(debian, 'severity', { ...high, failOn: { critical: 2 }, warnOn: { low: 5 } })?.message,
      'no severity count reached: critical 1 (failOn 2); low 1 (warnOn 5)');
  });
});

describe('known exploitation and EPSS', () => {
  it('KEV turns a 6.9 warning into a failure (jQuery CVE-2020-11023)', () => {
    assert.equal(status([JQUERY_11023]), 'Warn');
    const v = evaluateStatus([JQUERY_11023, JQUERY_11022], T({ failOnKev: true }), ctx);
    assert.equal(v.status, 'Fail');
    assert.deepEqual(v.reasons, [
      '1 finding exploited in the wild (CISA KEV, failOnKev) — CVE-2020-11023 in jquery 3.4.1: CVSS 6.9, exploited in the wild (KEV), fixed in 3.5.0',
      'CVSS 6.9 reaches warnThreshold 4.0 (2 findings) — CVE-2020-11023 in jquery 3.4.1: CVSS 6.9, exploited in the wild (KEV), fixed in 3.5.0; '
      + 'CVE-2020-11022 in jquery 3.4.1: CVSS 6.9, fixed in 3.5.0',
    ]);
  });

  it('passes the KEV check when nothing is exploited', () => {
    assert.equal(check([CURL_38545], 'kev', T({ failOnKev: true }))?.status, 'Pass');
  });

  it('fails on EPSS at or above failOnEpss, highest probability first', () => {
    const findings = [OPENSSL_0727, GLIBC_4911, NGHTTP2_44487];
    const low = T({ warnThreshold: 10, failThreshold: 10 });
    assert.equal(status(findings, { ...low, failOnEpss: 0.95 }), 'Pass');
    assert.equal(status(findings, { ...low, failOnEpss: 0.94433 }), 'Fail');
    const v = evaluateStatus(findings, { ...low, failOnEpss: 0.5 }, ctx);
    assert.deepEqual(v.reasons, [
      'EPSS 0.94433 reaches failOnEpss 0.5 (2 findings) — '
      + 'CVE-2023-44487 in libnghttp2-14 1.52.0-1: CVSS 7.5, exploited in the wild (KEV), EPSS 0.94433, fixed in 1.52.0-1+deb12u1; '
      + 'CVE-2023-4911 in libc6 2.36-9+deb12u1: CVSS 7.8, exploited in the wild (KEV), EPSS 0.8151, fixed in 2.36-9+deb12u3',
    ]);
    assert.equal(check([TAR_2541], 'epss', { ...low, failOnEpss: 0.5 })?.message, 'no finding has an EPSS score');
  });
});

describe('fixableOnly', () => {
  it('changes the outcome: zlib CVE-2023-45853 (9.8, will not be fixed) stops counting', () => {
    const findings = [ZLIB_45853, OPENSSL_0727];
    assert.equal(status(findings), 'Fail');
    const v = evaluateStatus(findings, T({ fixableOnly: true }), ctx);
    assert.equal(v.status, 'Warn');
    assert.equal(v.checks?.[0]?.message,
      'worst CVSS 5.5 reaches warnThreshold 4.0 (1 fixable finding); 1 finding without a fix not counted (fixableOnly)');
  });

  it('applies to every check: an unfixed KEV finding does not fail', () => {
    const unfixed = { ...GLIBC_4911, fixedVersion: undefined, status: 'affected' as const };
    assert.equal(status([unfixed], T({ failOnKev: true, warnThreshold: 10, failThreshold: 10 })), 'Fail');
    assert.equal(status([unfixed], T({ failOnKev: true, fixableOnly: true })), 'Pass');
    assert.equal(status([unfixed], T({ failOn: { high: 1 }, fixableOnly: true })), 'Pass');
  });
});

describe('DB age (injected clock)', () => {
  const t = T({ maxDbAgeHours: 24 });
  it('passes at exactly maxDbAgeHours and fails one millisecond later', () => {
    const built = new Date(NOW.getTime() - 24 * 3_600_000);
    assert.equal(status([], t, { now: NOW, dbBuiltAt: built }), 'Pass');
    const v = evaluateStatus([], t, { now: new Date(NOW.getTime() + 1), dbBuiltAt: built });
    assert.equal(v.status, 'Fail');
    assert.deepEqual(v.reasons, ['vulnerability DB built 2026-11-20T06:00:00.000Z is 24.0 hours old, older than maxDbAgeHours 24']);
  });

  it('is Unknown when the build time is not known, unless another check fails', () => {
    const v = evaluateStatus([UNDICI_24758], t, { now: NOW });
    assert.equal(v.status, 'Unknown');
    assert.deepEqual(v.reasons, ['vulnerability DB build time unknown: cannot check maxDbAgeHours 24']);
    assert.equal(status([MUSL_26519], t, { now: NOW }), 'Fail');
  });

  it('says days for old databases', () => {
    const v = evaluateStatus([], t, { now: NOW, dbBuiltAt: new Date('2026-11-01T06:00:00Z') });
    assert.match(v.reasons[0] ?? '', /is 20\.0 days old/);
  });
});

describe('end of life', () => {
  const t = T({ failOnEndOfLife: true });
  it('fails an end-of-life OS and names it', () => {
    const v = evaluateStatus([], t, { now: NOW, osEndOfLife: true, os: 'debian 10' });
    assert.equal(v.status, 'Fail');
    assert.deepEqual(v.reasons, ['debian 10 is past its end of life and gets no more security fixes (failOnEndOfLife)']);
  });
  it('passes a supported OS, and one whose end of life is not known', () => {
    assert.equal(status([], t, { now: NOW, osEndOfLife: false, os: 'debian 12' }), 'Pass');
    assert.equal(check([], 'end-of-life', t, { now: NOW })?.message, 'end of life not known for the OS: not checked');
  });
  it('is ignored unless failOnEndOfLife', () => {
    assert.equal(status([], T(), { now: NOW, osEndOfLife: true }), 'Pass');
  });
});

describe('a scan that could not run', () => {
  it('is Unknown with the reason, whatever the findings', () => {
    const v = evaluateStatus([LOG4SHELL], T(), { now: NOW, scanError: 'registry ghcr.io: 401 Unauthorized' });
    assert.deepEqual(v, {
      status: 'Unknown',
      reasons: ['scan could not run: registry ghcr.io: 401 Unauthorized'],
      checks: [{ name: 'scan', status: 'Unknown', message: 'scan could not run: registry ghcr.io: 401 Unauthorized' }],
    });
  });
});

describe('reasons', () => {
  it('name the finding as the issue asks', () => {
    assert.deepEqual(evaluateStatus([GLIBC_4911], T(), ctx).reasons, [
      'CVSS 7.8 reaches failThreshold 7.0 (1 finding) — CVE-2023-4911 in libc6 2.36-9+deb12u1: CVSS 7.8, exploited in the wild (KEV), fixed in 2.36-9+deb12u3',
    ]);
  });

  it('cap the findings named, worst first, then "and N more"', () => {
    const [reason] = evaluateStatus(ALL_FINDINGS, T(), ctx).reasons;
    assert.equal(reason, 'CVSS 10.0 reaches failThreshold 7.0 (7 findings) — '
      + 'CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1: CVSS 10.0, exploited in the wild (KEV), fixed in 2.15.0; '
      // equal severity and score: the higher EPSS (zlib 0.018 over curl 0.003) comes first
      + 'CVE-2023-45853 in zlib1g 1:1.2.13.dfsg-1: CVSS 9.8, will not be fixed; '
      + 'CVE-2023-38545 in libcurl4 7.88.1-10+deb12u1: CVSS 9.8, fixed in 7.88.1-10+deb12u4; and 4 more');
  });

  it('put the worst status first, then KEV before CVSS before the rest', () => {
    const t = T({ failOnKev: true, failOnEpss: 0.9, warnOn: { medium: 1 }, maxDbAgeHours: 24, failOnEndOfLife: true });
    const v = evaluateStatus([JQUERY_11023, NGHTTP2_44487, OPENSSL_0727], t, { now: NOW, osEndOfLife: true, os: 'debian 12' });
    assert.equal(v.status, 'Fail');
    assert.deepEqual(v.reasons.map((r) => r.split(/ — |:/)[0]), [
      '2 findings exploited in the wild (CISA KEV, failOnKev)',
      'CVSS 7.5 reaches failThreshold 7.0 (1 finding)',
      'EPSS 0.94433 reaches failOnEpss 0.9 (1 finding)',
      'debian 12 is past its end of life and gets no more security fixes (failOnEndOfLife)',
      'vulnerability DB build time unknown',
      'warnOn reached',
    ]);
  });

  it('cannot be forged by control characters in package data', () => {
    const hostile = { ...OPENSSL_0727, package: 'libssl3\nPASS: all clear', installedVersion: '1\r\u2028' };
    const [reason] = evaluateStatus([hostile], T(), ctx).reasons;
    assert.ok(reason && !/[\n\r\u2028]/.test(reason), reason);
    assert.match(reason, /in libssl3PASS: all clear 1:/);
  });
});
