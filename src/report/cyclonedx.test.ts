import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debianScanResult, hostileResult, manyFindingsResult, NOW, sbomOnlyResult } from '../../test/fixtures-results.ts';
import { assertValid, cyclonedx16 } from '../../test/sbom-schemas.ts';
import { decideScan, parseIgnoreFile } from '../policy/index.ts';
import { cyclonedxReport } from './cyclonedx.ts';
import type { ScanResult } from './types.ts';

interface Bom {
  components: { 'bom-ref': string; purl?: string }[];
  metadata: { component: { 'bom-ref': string }; properties?: { name: string; value: string }[] };
  vulnerabilities?: {
    'bom-ref': string; id: string; ratings: { method: string; score?: number; severity: string; source: { name: string }; vector?: string }[];
    affects: { ref: string }[]; analysis?: { state?: string; justification?: string; response?: string[]; detail?: string };
    references?: { id: string }[]; cwes?: number[]; properties?: { name: string; value: string }[];
  }[];
}

function render(result: ScanResult): Bom {
  const bom = JSON.parse(cyclonedxReport(result, { toolVersion: '0.1.0', now: NOW })) as Bom;
  assertValid(cyclonedx16(), bom, 'CycloneDX scan report');
  return bom;
}

describe('CycloneDX scan report', () => {
  const result = debianScanResult();
  const bom = render(result);
  const vulns = bom.vulnerabilities ?? [];

  it('has one vulnerability per ID for the findings, affecting components of the same BOM', () => {
    const kept = vulns.filter((v) => !v.analysis);
    assert.deepEqual(kept.map((v) => v.id).sort(), [...new Set(result.findings!.map((f) => f.id))].sort());
    const refs = new Set([...bom.components.map((c) => c['bom-ref']), bom.metadata.component['bom-ref']]);
    for (const v of vulns) for (const a of v.affects) assert.ok(refs.has(a.ref), `${v.id} affects ${a.ref}, which is not in the BOM`);
    const looney = kept.find((v) => v.id === 'CVE-2023-4911');
    const purlOf = (name: string) => result.packages.find((p) => p.name === name)?.purl;
    assert.deepEqual(looney?.affects.map((a) => a.ref).sort(), [purlOf('libc-bin'), purlOf('libc6')]);
    assert.deepEqual(looney?.properties?.find((p) => p.name === 'portcullis:kev'), { name: 'portcullis:kev', value: 'true' });
  });

  it('rates each CVSS score with its method and band, and each source severity', () => {
    const log4j = vulns.find((v) => v.id === 'CVE-2021-44228' && !v.analysis);
    assert.deepEqual(log4j?.ratings.map((r) => [r.source.name, r.method, r.score ?? null, r.severity]), [
      ['osv', 'other', null, 'critical'],
      ['nvd', 'CVSSv2', 9.3, 'high'],
      ['nvd', 'CVSSv31', 10, 'critical'],
    ]);
    assert.equal(log4j?.ratings[2]?.vector, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H');
    assert.deepEqual(log4j?.references, [{ id: 'GHSA-jfh8-c2jp-5v3q', source: { name: 'GHSA' } }]);
    assert.deepEqual(log4j?.cwes, [20, 400, 502, 917]);
    const v4 = render({ ...result, findings: [{ ...result.findings![0]!, cvss: [{ source: 'ghsa', version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3 }, { source: 'redhat', version: '3.0', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5 }] }] });
    assert.deepEqual(v4.vulnerabilities?.find((v) => !v.analysis)?.ratings.filter((r) => r.method !== 'other').map((r) => [r.method, r.severity]).sort(), [['CVSSv3', 'high'], ['CVSSv4', 'critical']]);
  });

  it('says in an analysis why each suppressed finding was suppressed', () => {
    const suppressed = vulns.filter((v) => v.analysis).map((v) => [v.id, v.analysis]);
    assert.deepEqual(suppressed, [
      ['CVE-2023-50495', { response: ['will_not_fix'], detail: 'Accepted risk (ignore file entry .trivyignore:3)' }],
      ['CVE-2023-52425', {
        state: 'not_affected', justification: 'code_not_reachable',
        detail: 'VEX vex/app.openvex.json statement 1 (not_affected: vulnerable_code_not_in_execute_path): The application never parses XML from untrusted sources.',
      }],
      ['CVE-2024-28757', {
        response: ['will_not_fix'],
        detail: 'Accepted risk (Exception Exception expat-entity-expansion, owner team-platform, until 2027-01-31T00:00:00Z): Upgrade scheduled with the next base image bump.',
      }],
    ]);
    assert.deepEqual(bom.metadata.properties?.filter((p) => p.name === 'portcullis:verdict:status'), [{ name: 'portcullis:verdict:status', value: 'Fail' }]);
  });

  it('leaves out what --severity and --ignore-unfixed filtered, as Trivy does; a VEX fixed is resolved', () => {
    const decided = decideScan({ ...debianScanResult(), suppressed: [] }, {
      now: NOW, severities: ['CRITICAL'], ignore: parseIgnoreFile('CVE-2023-45853\n', '.trivyignore'),
    });
    const ids = render(decided).vulnerabilities?.map((v) => `${v.id}${v.analysis ? ' (suppressed)' : ''}`);
    assert.deepEqual(ids, ['CVE-2021-44228', 'CVE-2023-45853 (suppressed)']);
    const fixed = render({ ...result, suppressed: [{ finding: result.findings![0]!, kind: 'vex', by: 'v.json statements[0] (fixed)' }] });
    assert.equal(fixed.vulnerabilities?.find((v) => v.analysis)?.analysis?.state, 'resolved');
  });

  it('stays valid with hostile strings, many findings, and without findings', () => {
    render(hostileResult());
    assert.equal(render(manyFindingsResult(300)).vulnerabilities?.length, 300);
    assert.equal(render(sbomOnlyResult()).vulnerabilities, undefined);
  });
});

describe('CycloneDX component licenses', () => {
  it('SPDX IDs as ids, free text as names, an SPDX expression as the only entry', () => {
    const base = sbomOnlyResult();
    const pkg = base.packages[0]!;
    const licensed = (licenses: string[]) => {
      const bom = JSON.parse(cyclonedxReport({ ...base, packages: [{ ...pkg, licenses }] }, { toolVersion: '0.1.0', now: NOW })) as
        { components: { purl?: string; licenses?: unknown[] }[] };
      assertValid(cyclonedx16(), bom, 'CycloneDX SBOM');
      return bom.components.find((c) => c.purl === pkg.purl)?.licenses;
    };
    assert.deepEqual(licensed(['GPLv2+', 'MIT']), [{ license: { name: 'GPLv2+' } }, { license: { id: 'MIT' } }]);
    assert.deepEqual(licensed(['GPL-2.0-or-later AND MIT']), [{ expression: 'GPL-2.0-or-later AND MIT' }]);
  });
});
