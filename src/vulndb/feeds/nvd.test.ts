import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FeedRecord, VulnerabilityInfo } from '../advisory.ts';
import { readAll } from './feed.ts';
import { nvdFeed } from './nvd.ts';
import { scratch } from './test-data.ts';
import { writeZip } from './test-zip.ts';

/**
 * There is no NVD sample in the shared data, so this is a CVE API 2.0 response written here in
 * the shape NVD documents (https://nvd.nist.gov/developers/vulnerabilities; JSON schema
 * cve_api_json_2.0.schema): page fields, then `vulnerabilities[].cve` with NVD's own (Primary)
 * and CNA (Secondary) metrics. The records follow the NVD entries of CVE-2021-44228 and
 * CVE-2024-0727, trimmed; the third is a rejected CVE as NVD lists them.
 */
function response(timestamp: string, startIndex = 0) {
  return {
    resultsPerPage: 3, startIndex, totalResults: 3, format: 'NVD_CVE', version: '2.0', timestamp,
    vulnerabilities: [
      {
        cve: {
          id: 'CVE-2021-44228', sourceIdentifier: 'security@apache.org', published: '2021-12-10T10:15:09.143', lastModified: '2025-02-04T15:15:13.773',
          vulnStatus: 'Analyzed', cveTags: [], cisaExploitAdd: '2021-12-10', cisaActionDue: '2021-12-24',
          descriptions: [
            { lang: 'en', value: 'Apache Log4j2 2.0-beta9 through 2.15.0 (excluding security releases 2.12.2, 2.12.3, and 2.3.1) JNDI features used in configuration, log messages, and parameters do not protect against attacker controlled LDAP and other JNDI related endpoints.' },
            { lang: 'es', value: 'Las características JNDI de Apache Log4j2 2.0-beta9 hasta 2.15.0 ...' },
          ],
          metrics: {
            cvssMetricV31: [
              { source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', baseScore: 10.0, baseSeverity: 'CRITICAL', attackVector: 'NETWORK', attackComplexity: 'LOW', privilegesRequired: 'NONE', userInteraction: 'NONE', scope: 'CHANGED', confidentialityImpact: 'HIGH', integrityImpact: 'HIGH', availabilityImpact: 'HIGH' }, exploitabilityScore: 3.9, impactScore: 6.0 },
              { source: 'security@apache.org', type: 'Secondary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', baseScore: 10.0, baseSeverity: 'CRITICAL' }, exploitabilityScore: 3.9, impactScore: 6.0 },
            ],
            cvssMetricV2: [
              { source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '2.0', vectorString: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', baseScore: 9.3, accessVector: 'NETWORK', accessComplexity: 'MEDIUM', authentication: 'NONE', confidentialityImpact: 'COMPLETE', integrityImpact: 'COMPLETE', availabilityImpact: 'COMPLETE' }, baseSeverity: 'HIGH', exploitabilityScore: 8.6, impactScore: 10.0, acInsufInfo: false, obtainAllPrivilege: false, obtainUserPrivilege: false, obtainOtherPrivilege: false, userInteractionRequired: false },
            ],
          },
          weaknesses: [
            { source: 'nvd@nist.gov', type: 'Primary', description: [{ lang: 'en', value: 'CWE-917' }] },
            { source: 'security@apache.org', type: 'Secondary', description: [{ lang: 'en', value: 'CWE-20' }, { lang: 'en', value: 'CWE-400' }, { lang: 'en', value: 'CWE-502' }] },
          ],
          references: [
            { url: 'https://logging.apache.org/log4j/2.x/security.html', source: 'security@apache.org', tags: ['Release Notes', 'Vendor Advisory'] },
            { url: 'https://www.cisa.gov/known-exploited-vulnerabilities-catalog?field_cve=CVE-2021-44228', source: '134c704f-9b21-4f2e-91b3-4a467353bcc0', tags: ['US Government Resource'] },
          ],
        },
      },
      {
        cve: {
          id: 'CVE-2024-0727', sourceIdentifier: 'openssl-security@openssl.org', published: '2024-01-26T09:15:07.637', lastModified: '2024-11-21T08:47:15.297',
          vulnStatus: 'Modified',
          descriptions: [{ lang: 'en', value: 'Issue summary: Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash leading to a potential Denial of Service attack' }],
          metrics: {
            cvssMetricV31: [
              { source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', baseScore: 5.5, baseSeverity: 'MEDIUM' }, exploitabilityScore: 1.8, impactScore: 3.6 },
              { source: '134c704f-9b21-4f2e-91b3-4a467353bcc0', type: 'Secondary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', baseScore: 7.5, baseSeverity: 'HIGH' } },
            ],
            cvssMetricV40: [
              { source: 'openssl-security@openssl.org', type: 'Secondary', cvssData: { version: '4.0', vectorString: 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', baseScore: 6.8, baseSeverity: 'MEDIUM' } },
            ],
          },
          weaknesses: [{ source: 'nvd@nist.gov', type: 'Primary', description: [{ lang: 'en', value: 'NVD-CWE-Other' }] }],
          references: [{ url: 'https://www.openssl.org/news/secadv/20240125.txt', source: 'openssl-security@openssl.org' }],
        },
      },
      {
        cve: {
          id: 'CVE-2023-36268', sourceIdentifier: 'cve@mitre.org', published: '2024-04-30T19:15:23.467', lastModified: '2024-09-20T09:15:02.250',
          vulnStatus: 'Rejected',
          descriptions: [{ lang: 'en', value: 'Rejected reason: DoS issues, or unexploitable crashes, are out of scope for vulnerabilities.' }],
          metrics: {}, references: [],
        },
      },
    ],
  };
}

function vuln(records: FeedRecord[], id: string): VulnerabilityInfo | undefined {
  return records.find((r): r is VulnerabilityInfo => r.type === 'vuln' && r.id === id);
}

describe('NVD feed (CVE API 2.0)', () => {
  const { dir, cleanup } = scratch('nvd');
  after(cleanup);
  const page = join(dir, 'page.json');
  writeFileSync(page, JSON.stringify(response('2025-03-01T06:00:12.345'), null, 2));

  it('yields each CVE with its metrics per source, CWEs, dates and the response timestamp', async () => {
    const { records, stats } = await readAll(nvdFeed.read(page));
    assert.equal(stats.records, 3);
    assert.equal(stats.timestamp, '2025-03-01T06:00:12.345Z'); // NVD writes UTC without a zone
    assert.equal(stats.timestampSource, 'feed');
    assert.equal(stats.details.rejected, 1);

    const log4shell = vuln(records, 'CVE-2021-44228')!;
    assert.equal(log4shell.published, '2021-12-10T10:15:09.143Z');
    assert.equal(log4shell.modified, '2025-02-04T15:15:13.773Z');
    assert.equal(log4shell.status, 'Analyzed');
    assert.match(log4shell.description!, /^Apache Log4j2 2\.0-beta9 through 2\.15\.0/);
    assert.deepEqual(log4shell.cwes, ['CWE-917', 'CWE-20', 'CWE-400', 'CWE-502']);
    assert.deepEqual(log4shell.ratings, [
      { source: 'nvd', severity: 'HIGH', cvss: { source: 'nvd', version: '2.0', vector: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', score: 9.3 } },
      { source: 'nvd', severity: 'CRITICAL', cvss: { source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 10 } },
      { source: 'security@apache.org', severity: 'CRITICAL', cvss: { source: 'security@apache.org', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 10 } },
    ]);
    assert.equal(log4shell.references?.length, 2);

    const openssl = vuln(records, 'CVE-2024-0727')!;
    assert.equal(openssl.cwes, undefined); // NVD-CWE-Other names no CWE
    assert.deepEqual(openssl.ratings.map((r) => [r.source, r.cvss?.version, r.cvss?.score, r.severity]), [
      ['nvd', '3.1', 5.5, 'MEDIUM'], ['cisa-adp', '3.1', 7.5, 'HIGH'], ['openssl-security@openssl.org', '4.0', 6.8, 'MEDIUM'],
    ]);

    const rejected = vuln(records, 'CVE-2023-36268')!;
    assert.equal(rejected.rejected, true);
    assert.deepEqual(rejected.ratings, []);
  });

  it('skips rejected CVEs when asked', async () => {
    const { records, stats } = await readAll(nvdFeed.read(page, { rejected: 'skip' }));
    assert.equal(vuln(records, 'CVE-2023-36268'), undefined);
    assert.deepEqual(stats.skipReasons, { rejected: 1 });
  });

  it('reads the gzip data feed and a zip of pages the same way', async () => {
    const gz = join(dir, 'nvdcve-2.0-2021.json.gz');
    writeFileSync(gz, gzipSync(JSON.stringify(response('2025-03-01T06:00:12.345'))));
    const plain = await readAll(nvdFeed.read(page));
    assert.deepEqual((await readAll(nvdFeed.read(gz))).records, plain.records);
    const zip = join(dir, 'pages.zip');
    writeZip(zip, [
      { name: 'page-0.json', data: JSON.stringify(response('2025-03-01T06:00:12.345')) },
      { name: 'page-1.json.gz', data: gzipSync(JSON.stringify(response('2025-03-02T06:00:00.000', 3))) },
    ]);
    const pages = await readAll(nvdFeed.read(zip));
    assert.equal(pages.stats.records, 6);
    assert.equal(pages.stats.timestamp, '2025-03-02T06:00:00.000Z'); // the newest page
  });

  it('refuses a truncated gzip, an NVD 1.1 feed and broken JSON; counts entries without a CVE', async () => {
    const whole = gzipSync(JSON.stringify(response('2025-03-01T06:00:12.345')));
    const cut = join(dir, 'cut.json.gz');
    writeFileSync(cut, whole.subarray(0, whole.length - 40));
    await assert.rejects(readAll(nvdFeed.read(cut)), { code: 'FEED_GZIP' });
    const legacy = join(dir, 'nvdcve-1.1-2021.json');
    writeFileSync(legacy, JSON.stringify({ CVE_data_type: 'CVE', CVE_data_format: 'MITRE', CVE_data_version: '4.0', CVE_Items: [] }));
    await assert.rejects(readAll(nvdFeed.read(legacy)), { code: 'FEED_FORMAT', message: /NVD 1\.1/ });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify(response('2025-03-01T06:00:12.345')).slice(0, 3000));
    await assert.rejects(readAll(nvdFeed.read(broken)), { code: 'FEED_PARSE' });
    const odd = join(dir, 'odd.json');
    const doc = response('2025-03-01T06:00:12.345') as { vulnerabilities: unknown[] };
    doc.vulnerabilities.push({ cve: { id: 'not-a-cve' } }, 42);
    writeFileSync(odd, JSON.stringify(doc));
    const { stats } = await readAll(nvdFeed.read(odd));
    assert.deepEqual(stats.skipReasons, { 'malformed record': 2 });
  });
});
