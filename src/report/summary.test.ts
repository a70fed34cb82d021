import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { debianScanResult, makeFinding, nvd31, NOW } from '../../test/fixtures-results.ts';
import {
  countBySeverity, dbAge, formatEpss, groupByPackage, isFixable, maxCvss, sanitizeText, sortFindings, summaryLine,
} from './summary.ts';

describe('report helpers', () => {
  test('maxCvss prefers v3/v4 over a higher v2 score, falls back to v2', () => {
    const v2 = { source: 'nvd', version: '2.0', vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', score: 10 };
    const v31 = nvd31('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5);
    const v40 = { source: 'ghsa', version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', score: 8.7 };
    assert.equal(maxCvss([v2, v31])?.score, 7.5);
    assert.equal(maxCvss([v31, v40, v2])?.score, 8.7);
    assert.equal(maxCvss([v2])?.score, 10);
    assert.equal(maxCvss([]), undefined);
    assert.equal(maxCvss([{ ...v31, score: Number.NaN }]), undefined);
  });

  test('worst first: severity, CVSS, KEV, EPSS, then stable by ID', () => {
    const base = { package: 'p', installedVersion: '1' } as const;
    const f = [
      makeFinding({ ...base, id: 'A', severity: 'HIGH', cvss: [nvd31('x', 7.5)], epss: 0.9 }),
      makeFinding({ ...base, id: 'B', severity: 'HIGH', cvss: [nvd31('x', 7.5)], kev: true, epss: 0.1 }),
      makeFinding({ ...base, id: 'C', severity: 'HIGH', cvss: [nvd31('x', 8.1)] }),
      makeFinding({ ...base, id: 'D', severity: 'CRITICAL' }),
      makeFinding({ ...base, id: 'E', severity: 'HIGH', cvss: [nvd31('x', 7.5)], epss: 0.95 }),
      makeFinding({ ...base, id: 'F', severity: 'UNKNOWN' }),
      makeFinding({ ...base, id: 'G', severity: 'HIGH', cvss: [nvd31('x', 7.5)], epss: 0.95 }),
    ];
    assert.deepEqual(sortFindings(f).map((x) => x.id), ['D', 'C', 'B', 'E', 'G', 'A', 'F']);
    assert.deepEqual(sortFindings([...f].reverse()).map((x) => x.id), ['D', 'C', 'B', 'E', 'G', 'A', 'F']);
  });

  test('groups by installed package (purl), ordered by each group\'s worst finding', () => {
    const result = debianScanResult();
    const groups = groupByPackage(result.findings!);
    assert.equal(groups.length, 11);
    const libc6 = groups.find((g) => g.package === 'libc6')!;
    assert.deepEqual(libc6.findings.map((x) => x.id), ['CVE-2023-4911', 'CVE-2024-2961', 'CVE-2023-4806']);
    assert.equal(libc6.purl, result.packages.find((p) => p.name === 'libc6')!.purl);
    assert.equal(groups[0]!.package, 'org.apache.logging.log4j:log4j-core');
  });

  test('counts, summary line, fixability, EPSS and DB age formatting', () => {
    const findings = debianScanResult().findings!;
    assert.deepEqual(countBySeverity(findings), { CRITICAL: 2, HIGH: 7, MEDIUM: 2, LOW: 1, UNKNOWN: 1 });
    assert.equal(summaryLine([]), 'Total: 0 (CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0)');
    assert.equal(isFixable({ status: 'fixed', fixedVersion: '1.2' }), true);
    assert.equal(isFixable({ status: 'will_not_fix', fixedVersion: '1.2' }), false);
    assert.equal(isFixable({ status: 'affected' }), false);
    assert.equal(formatEpss(0.94419), '94.4%');
    assert.equal(formatEpss(0.0119), '1.19%');
    assert.equal(formatEpss(0.00045), '0.045%');
    const r = debianScanResult();
    assert.equal(dbAge(r, NOW), '26h');
    assert.equal(dbAge(r, new Date('2026-11-25T09:00:00Z')), '5d 3h');
    r.db!.builtAt = 'yesterday';
    assert.equal(dbAge(r, NOW), undefined);
  });

  test('sanitizeText removes control characters and lone surrogates, keeps real text', () => {
    assert.equal(sanitizeText('a\u001b[31mb\u0007c\u0085d\ud800e'), 'a\ufffd[31mb\ufffdc\ufffdd\ufffde');
    assert.equal(sanitizeText('line\nnext\ttab'), 'line next tab');
    assert.equal(sanitizeText('line\nnext', false), 'line\nnext');
    assert.equal(sanitizeText('日本 🔥 e\u0301'), '日本 🔥 e\u0301');
  });
});
