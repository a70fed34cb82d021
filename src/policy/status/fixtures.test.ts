/**
 * The fixtures other tests rely on are real: scores are the scores of their vectors, KEV flags
 * agree with CISA's catalogue, and the advisories that are in the shared feed samples say what
 * the fixtures say.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cvss3BaseScore } from './cvss3.fixture.ts';
import {
  ALL_FINDINGS, CURL_38545, JQUERY_11022, JQUERY_11023, MULTER_48997, MUSL_26519, UNDICI_24758,
} from './findings.fixture.ts';
import type { Finding } from '../../match/types.ts';

const FEEDS = new URL('../../../../shared/data/feeds/', import.meta.url).pathname;

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name));
}

interface OsvRecord {
  id: string;
  aliases?: string[];
  severity?: { type: string; score: string }[];
  affected?: { package?: { name?: string; ecosystem?: string }; ranges?: { events: Record<string, string>[] }[] }[];
}

function osvRecords(file: string): OsvRecord[] {
  const out: OsvRecord[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (typeof o.id === 'string' && Array.isArray(o.affected)) out.push(o as unknown as OsvRecord);
      else Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(readFileSync(file, 'utf8')));
  return out;
}

describe('CVSS v3 calculator (test helper)', () => {
  it('agrees with the v3.x base scores that CNAs published in the CVE JSON 5 samples', () => {
    // One CNA (Fortinet, CVE-2023-26209) writes its temporal score into baseScore; vectors with
    // temporal metrics whose stated score is not the base score are counted, not compared.
    let checked = 0;
    let temporal = 0;
    for (const file of jsonFiles(join(FEEDS, 'cve-json5'))) {
      const rec = JSON.parse(readFileSync(file, 'utf8')) as { containers?: { cna?: { metrics?: Record<string, { vectorString: string; baseScore: number }>[] } } };
      for (const m of rec.containers?.cna?.metrics ?? []) {
        for (const key of ['cvssV3_0', 'cvssV3_1']) {
          const metric = m[key];
          if (!metric) continue;
          const score = cvss3BaseScore(metric.vectorString);
          if (score !== metric.baseScore && /\/E:/.test(metric.vectorString)) {
            temporal++;
            continue;
          }
          assert.equal(score, metric.baseScore, `${file}: ${metric.vectorString}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 150, `only ${checked} metrics checked`);
    assert.ok(temporal <= 1, `${temporal} metrics state a score other than their vector's`);
  });
});

describe('finding fixtures', () => {
  it('state the base score of each CVSS v3 vector', () => {
    for (const f of ALL_FINDINGS) {
      for (const c of f.cvss.filter((x) => x.version.startsWith('3'))) assert.equal(cvss3BaseScore(c.vector), c.score, `${f.id} ${c.vector}`);
    }
  });

  it('state a CVSS v4 score that a CNA published for the same vector', () => {
    const v4 = MULTER_48997.cvss[0]!;
    let found = false;
    for (const file of jsonFiles(join(FEEDS, 'cve-json5'))) {
      const rec = JSON.parse(readFileSync(file, 'utf8')) as { containers?: { cna?: { metrics?: Record<string, { vectorString: string; baseScore: number }>[] } } };
      for (const m of rec.containers?.cna?.metrics ?? []) {
        if (m.cvssV4_0?.vectorString === v4.vector) {
          assert.equal(m.cvssV4_0.baseScore, v4.score);
          found = true;
        }
      }
    }
    assert.ok(found, 'no CVE record in the samples has this v4 vector');
  });

  it("flag KEV exactly when CISA's catalogue lists the CVE", () => {
    const kev = JSON.parse(readFileSync(join(FEEDS, 'kev/known_exploited_vulnerabilities.json'), 'utf8')) as { vulnerabilities: { cveID: string }[] };
    const ids = new Set(kev.vulnerabilities.map((v) => v.cveID));
    for (const f of ALL_FINDINGS) assert.equal(f.kev, ids.has(f.id), f.id);
    assert.ok(ALL_FINDINGS.some((f) => f.kev) && ALL_FINDINGS.some((f) => !f.kev));
  });

  it('match the OSV records in the feed samples (ID, alias, vector, fixed version)', () => {
    const records = new Map<string, OsvRecord>();
    for (const file of jsonFiles(join(FEEDS, 'osv'))) for (const r of osvRecords(file)) records.set(r.id, r);
    const cases: [Finding, string][] = [
      [JQUERY_11023, 'GHSA-jpcq-cgw6-v4j6'], [JQUERY_11022, 'GHSA-gxr4-xjj5-5px2'], [UNDICI_24758, 'GHSA-3787-6prv-h9w3'],
      [MUSL_26519, 'ALPINE-CVE-2025-26519'], [CURL_38545, 'UBUNTU-CVE-2023-38545'],
    ];
    for (const [f, osvId] of cases) {
      const r = records.get(osvId);
      assert.ok(r, `${osvId} not in the samples`);
      const names = [r.id, ...(r.aliases ?? []), ...((r as { upstream?: string[] }).upstream ?? [])];
      assert.ok(names.includes(f.id), `${osvId} does not name ${f.id}`);
      assert.ok(r.severity?.some((s) => s.score === f.cvss[0]?.vector), `${osvId}: vector differs`);
      if (osvId.startsWith('UBUNTU')) continue; // Ubuntu's fixed version is Ubuntu's, not Debian's
      const fixed = (r.affected ?? []).flatMap((a) => a.package?.name === f.package ? (a.ranges ?? []).flatMap((x) => x.events) : [])
        .map((e) => e.fixed).filter(Boolean);
      assert.ok(fixed.includes(f.fixedVersion), `${osvId}: fixed versions ${fixed.join(', ')} do not include ${f.fixedVersion}`);
    }
  });
});
