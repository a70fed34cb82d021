import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debianScanResult, NOW } from '../../test/fixtures-results.ts';
import { decideScan, parseIgnoreFile } from '../policy/index.ts';
import { jsonReport } from './json.ts';
import type { ScanResult } from './types.ts';

describe('JSON report', () => {
  it("carries DESIGN.md's fields, the verdict and the suppressions decideScan made", () => {
    const matched = debianScanResult();
    delete matched.verdict;
    delete matched.summary;
    delete matched.suppressed;
    const decided = decideScan(matched, { now: NOW, ignore: parseIgnoreFile('CVE-2024-0727 # PKCS12 is never parsed\n', '.trivyignore'), severities: ['CRITICAL', 'HIGH', 'MEDIUM'] });
    const report = JSON.parse(jsonReport(decided, { toolVersion: '0.1.0', now: NOW }) as string) as ScanResult;
    assert.equal(report.schemaVersion, 1);
    for (const key of ['artifact', 'os', 'db', 'packages', 'findings', 'summary', 'verdict', 'suppressed'] as const) assert.ok(report[key] !== undefined, key);
    assert.deepEqual(report.summary, { CRITICAL: 2, HIGH: 7, MEDIUM: 1, LOW: 0, UNKNOWN: 0 });
    assert.equal(report.verdict?.status, 'Fail');
    assert.ok(report.verdict!.reasons.length > 0);
    assert.deepEqual(report.suppressed?.map((s) => [s.finding.id, s.kind, s.by]), [
      ['CVE-2024-0727', 'ignorefile', '.trivyignore:1'],
      ['CVE-2011-3374', 'severity-filter', '--severity CRITICAL,HIGH,MEDIUM'],
      ['TEMP-0841856-B18BAF', 'severity-filter', '--severity CRITICAL,HIGH,MEDIUM'],
    ]);
    assert.deepEqual(report, JSON.parse(JSON.stringify(decided)), 'the report is the result itself');
  });
});
