import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../match/types.ts';
import { compareFindings, sortWorstFirst, worstFindings } from './index.ts';
import {
  ALL_FINDINGS, CURL_38545, GLIBC_4911, JQUERY_11022, JQUERY_11023, LOG4SHELL, MULTER_48997, MUSL_26519, NGHTTP2_44487,
  OPENSSL_0727, TAR_2541, UNDICI_24758, ZLIB_45853,
} from './findings.fixture.ts';

/** A deterministic shuffle (xorshift), so the test does not depend on input order by luck. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const j = Math.abs(s) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('worst first', () => {
  const expected = [
    LOG4SHELL, // CRITICAL 10.0
    ZLIB_45853, // CRITICAL 9.8, EPSS 0.018
    CURL_38545, // CRITICAL 9.8, EPSS 0.003
    MULTER_48997, // HIGH, v4 8.7
    GLIBC_4911, // HIGH 7.8, KEV
    NGHTTP2_44487, // HIGH 7.5, KEV
    MUSL_26519, // HIGH 7.0
    JQUERY_11023, // MEDIUM 6.9, KEV
    JQUERY_11022, // MEDIUM 6.9
    OPENSSL_0727, // MEDIUM 5.5
    UNDICI_24758, // LOW 3.9
    TAR_2541, // LOW, v2 only: severity floor 0.1
  ];

  it('orders by severity, score, KEV, EPSS', () => {
    assert.deepEqual(sortWorstFirst(ALL_FINDINGS).map((f) => f.id), expected.map((f) => f.id));
  });

  it('does not depend on input order', () => {
    for (const seed of [1, 7, 42, 1234]) assert.deepEqual(sortWorstFirst(shuffled(ALL_FINDINGS, seed)), expected);
  });

  it('puts the fixable finding first when all else is equal', () => {
    const unfixed: Finding = { ...OPENSSL_0727, fixedVersion: undefined, status: 'affected', package: 'libssl3' };
    const fixed: Finding = { ...OPENSSL_0727, package: 'openssl' }; // would sort after libssl3 by name
    assert.ok(compareFindings(fixed, unfixed) < 0);
    assert.deepEqual(sortWorstFirst([unfixed, fixed]), [fixed, unfixed]);
  });

  it('worstFindings(n) is the first n of the full order, for every n', () => {
    for (const seed of [3, 99]) {
      const input = shuffled(ALL_FINDINGS, seed);
      for (let n = 0; n <= input.length + 1; n++) assert.deepEqual(worstFindings(input, n), expected.slice(0, n), `n=${n}`);
    }
  });

  it('worstFindings selects from a large list without sorting it all', () => {
    const many: Finding[] = [];
    for (let i = 0; i < 5000; i++) many.push({ ...UNDICI_24758, installedVersion: `5.${i}.0` });
    many.splice(2500, 0, LOG4SHELL);
    many.splice(4000, 0, GLIBC_4911);
    assert.deepEqual(worstFindings(many, 3).map((f) => f.id), ['CVE-2021-44228', 'CVE-2023-4911', 'CVE-2024-24758']);
    assert.equal(worstFindings(many, 3)[2]?.installedVersion, '5.0.0');
  });
});
