import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cvssBaseScore, cvssSeverity, parseCvss, roundUp } from './cvss.ts';

const CVE5 = fileURLToPath(new URL('../../../shared/data/feeds/cve-json5/', import.meta.url));

function records(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? records(join(dir, e.name)) : e.name.startsWith('CVE-') ? [join(dir, e.name)] : []);
}

interface Published { file: string; key: string; vector: string; score: number }

/** Every CVSS metric with a published base score in the CVE 5 samples (CNA and ADP containers). */
function publishedScores(): Published[] {
  const out: Published[] = [];
  for (const file of records(CVE5)) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { containers: { cna?: { metrics?: Record<string, { vectorString: string; baseScore: number }>[] }; adp?: { metrics?: Record<string, { vectorString: string; baseScore: number }>[] }[] } };
    for (const c of [doc.containers.cna, ...(doc.containers.adp ?? [])]) {
      for (const m of c?.metrics ?? []) {
        for (const key of ['cvssV2_0', 'cvssV3_0', 'cvssV3_1']) {
          const x = m[key];
          if (x) out.push({ file: file.slice(CVE5.length), key, vector: x.vectorString, score: x.baseScore });
        }
      }
    }
  }
  return out;
}

describe('CVSS base scores', () => {
  it('match the scores CNAs and CISA published for every v2, v3.0 and v3.1 vector in the CVE 5 samples', () => {
    const all = publishedScores();
    assert.ok(all.filter((p) => p.key === 'cvssV2_0').length >= 30, 'v2 vectors in the samples');
    assert.ok(all.filter((p) => p.key === 'cvssV3_0').length >= 50, 'v3.0 vectors in the samples');
    assert.ok(all.filter((p) => p.key === 'cvssV3_1').length >= 150, 'v3.1 vectors in the samples');
    const wrong = all.filter((p) => cvssBaseScore(p.vector) !== p.score).map((p) => `${p.file} ${p.vector}: published ${p.score}, computed ${cvssBaseScore(p.vector)}`);
    // Fortinet put the temporal score (E:P lowers 3.7 to 3.5) in baseScore; the base score is 3.7.
    assert.deepEqual(wrong, ['2023/26xxx/CVE-2023-26209.json CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L/E:P/RL:X/RC:X: published 3.5, computed 3.7']);
  });

  it('scores hand-checked vectors', () => {
    // Published in the samples: JetBrains' CVE-2024-27198, Talos' CVE-2016-8728 (scope changed),
    // Oracle's CVE-2020-2619 (score 6.0), OpenText's CVE-2024-7824 and VulDB's CVE-2024-7155 (v2).
    assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
    assert.equal(cvssBaseScore('CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H'), 8.6);
    assert.equal(cvssBaseScore('CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:L/A:L'), 6);
    assert.equal(cvssBaseScore('AV:L/AC:M/Au:N/C:C/I:N/A:C'), 6.3);
    assert.equal(cvssBaseScore('AV:L/AC:H/Au:S/C:P/I:N/A:N'), 1);
    // Old NVD v2 vectors come in parentheses; no impact scores 0.
    assert.equal(cvssBaseScore('(AV:N/AC:L/Au:N/C:P/I:P/A:P)'), 7.5);
    assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'), 0);
    assert.equal(cvssBaseScore('AV:N/AC:L/Au:N/C:N/I:N/A:N'), 0);
  });

  it('rounds up as CVSS v3.1 Appendix A says', () => {
    assert.equal(roundUp(4.02), 4.1);
    assert.equal(roundUp(4.0), 4);
    assert.equal(roundUp(4.000001), 4);
    assert.equal(roundUp(4.00001), 4.1);
  });

  it('parses v4.0 vectors but does not score them', () => {
    const v = parseCvss('CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:H/R:U/V:C/RE:M/U:Amber');
    assert.equal(v?.version, '4.0');
    assert.equal(v?.metrics.get('U'), 'Amber');
    assert.equal(cvssBaseScore(v!), undefined);
  });

  it('rejects vectors that are not valid', () => {
    for (const bad of [
      '', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', // A missing
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', // repeated
      'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // value not allowed in the base group
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', // unknown metric
      'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:N/AC:L/Au:N/C:P/I:P', 'CVSS:4.0/AV:N/AC:L', 'not a vector',
    ]) {
      assert.equal(parseCvss(bad), undefined, bad);
      assert.equal(cvssBaseScore(bad), undefined, bad);
    }
  });

  it('rates scores with the bands of each version', () => {
    assert.equal(cvssSeverity(9.8, '3.1'), 'CRITICAL');
    assert.equal(cvssSeverity(7.0, '3.0'), 'HIGH');
    assert.equal(cvssSeverity(6.9, '4.0'), 'MEDIUM');
    assert.equal(cvssSeverity(3.9, '3.1'), 'LOW');
    assert.equal(cvssSeverity(0, '3.1'), 'LOW');
    assert.equal(cvssSeverity(10, '2.0'), 'HIGH'); // v2 has no CRITICAL
    assert.equal(cvssSeverity(4.0, '2.0'), 'MEDIUM');
  });
});
