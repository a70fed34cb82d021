import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rating } from '../vulndb/index.ts';
import { chooseSeverity, cvssList } from './severity.ts';

const nvd31: Rating = { source: 'nvd', severity: 'CRITICAL', cvss: { source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 } };
const nvd2: Rating = { source: 'nvd', severity: 'MEDIUM', cvss: { source: 'nvd', version: '2.0', vector: 'AV:N/AC:M/Au:N/C:P/I:N/A:N', score: 4.3 } };
const cna4: Rating = { source: 'redhat', severity: 'HIGH', cvss: { source: 'redhat', version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3 } };
const adp31: Rating = { source: 'cisa-adp', severity: 'HIGH', cvss: { source: 'cisa-adp', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', score: 8.8 } };
const cna31: Rating = { source: 'mitre', severity: 'MEDIUM', cvss: { source: 'mitre', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:L', score: 5.0 } };

describe('severity precedence', () => {
  it('OS packages: the distribution row, then the distribution rating, then NVD', () => {
    assert.equal(chooseSeverity({ kind: 'os', vendor: 'debian', distribution: { source: 'debian', severity: 'LOW' }, ratings: [nvd31] }).severity, 'LOW');
    const byRating = chooseSeverity({ kind: 'os', vendor: 'ubuntu', ratings: [nvd31, { source: 'ubuntu', severity: 'MEDIUM' }] });
    assert.deepEqual([byRating.severity, byRating.source], ['MEDIUM', 'ubuntu']);
    const byNvd = chooseSeverity({ kind: 'os', vendor: 'debian', ratings: [nvd31, { source: 'ghsa', severity: 'LOW' }] });
    assert.deepEqual([byNvd.severity, byNvd.source], ['CRITICAL', 'nvd']);
  });

  it('language packages: GHSA before NVD', () => {
    const c = chooseSeverity({ kind: 'language', ratings: [nvd31, { source: 'ghsa', severity: 'MEDIUM' }] });
    assert.deepEqual([c.severity, c.source], ['MEDIUM', 'ghsa']);
  });

  it("NVD's v3 label before its v2 label", () => {
    assert.equal(chooseSeverity({ kind: 'os', ratings: [nvd2, nvd31] }).severity, 'CRITICAL');
    assert.equal(chooseSeverity({ kind: 'os', ratings: [nvd2] }).severity, 'MEDIUM');
  });

  it('without NVD: the highest v3.x score of any other source, then v4.0', () => {
    const c = chooseSeverity({ kind: 'language', ratings: [cna4, cna31, adp31] });
    assert.deepEqual([c.severity, c.source], ['HIGH', 'cisa-adp']);
    assert.equal(chooseSeverity({ kind: 'language', ratings: [cna4] }).source, 'redhat');
  });

  it('a bare label as the last resort, else UNKNOWN; every source is listed', () => {
    assert.deepEqual(chooseSeverity({ kind: 'language', ratings: [{ source: 'pypa', severity: 'LOW' }] }).severity, 'LOW');
    assert.deepEqual(chooseSeverity({ kind: 'os', ratings: [] }), { severity: 'UNKNOWN', severities: [] });
    const all = chooseSeverity({ kind: 'os', vendor: 'debian', distribution: { source: 'debian', severity: 'LOW' }, ratings: [nvd31, nvd2, cna4] });
    assert.deepEqual(all.severities, [{ source: 'debian', severity: 'LOW' }, { source: 'nvd', severity: 'CRITICAL' }, { source: 'redhat', severity: 'HIGH' }]);
  });

  it('lists every scored CVSS vector once, NVD first', () => {
    assert.deepEqual(cvssList([cna31, nvd2, nvd31, cna31]).map((c) => `${c.source} ${c.version}`), ['nvd 2.0', 'nvd 3.1', 'mitre 3.1']);
  });
});
