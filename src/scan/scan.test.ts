/**
 * Image → findings end to end: a database built from the shared feed samples, images whose
 * package databases are real pkgdb stanzas (see test-fixtures.ts), scanned from an OCI layout
 * and from a real registry; each finding checked against the feed files as the test reads them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { writeOciLayout } from '../../test/image-builder.ts';
import { pushImage, startRegistry } from '../../test/registry.ts';
import type { TestRegistry } from '../../test/registry.ts';
import { scratchDirs } from '../../test/scratch.ts';
import { needs } from '../../test/tools.ts';
import type { Finding } from '../match/index.ts';
import type { ScanResult } from '../report/index.ts';
import { compareVersions } from '../versions/index.ts';
import { VulnDb } from '../vulndb/index.ts';
import { parseInventoryDocument, scanImage, scanInventory } from './index.ts';
import {
  BUSTER_PACKAGES, FEEDS, JAMMY_PACKAGES, WILL_NOT_FIX, alpineImage, alpinePackages, buildSampleDb, busterImage, jammyImage, kevCves,
  trackerListFixes,
} from './test-fixtures.ts';

const { root, fresh } = scratchDirs('portcullis-scan-test');
let db: VulnDb;
const layouts: Record<'buster' | 'jammy' | 'alpine', string> = { buster: '', jammy: '', alpine: '' };
const results: Partial<Record<keyof typeof layouts, ScanResult>> = {};

before(async () => {
  db = VulnDb.open(await buildSampleDb(root));
  const images = { buster: await busterImage(), jammy: await jammyImage(), alpine: await alpineImage() };
  for (const [name, image] of Object.entries(images)) {
    const dir = fresh(name);
    await writeOciLayout(dir, [{ name: 'latest', image }]);
    layouts[name as keyof typeof layouts] = dir;
    results[name as keyof typeof layouts] = await scanImage(`oci:${dir}:latest`, { db, cacheDir: false });
  }
});
after(() => db?.close());

const compared = new Map<string, boolean>();
/** dpkg's own comparison: true when a < b. */
function dpkgLess(a: string, b: string): boolean {
  const k = `${a} ${b}`;
  if (!compared.has(k)) compared.set(k, spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0);
  return compared.get(k)!;
}

const key = (f: Pick<Finding, 'package' | 'id'>) => `${f.package} ${f.id}`;

describe('Debian 10 image against the tracker samples', { skip: needs('dpkg') }, () => {
  it('reports every fixed vulnerability the DSA/DLA lists give for the installed versions, and no other', () => {
    const findings = results.buster!.findings!;
    const expected = new Map<string, string[]>();
    for (const p of BUSTER_PACKAGES) {
      for (const [cve, fixes] of trackerListFixes('buster', p.source)) {
        // The tracker's answer is the fix it lists; the installed version is affected below it.
        if (fixes.some((fix) => dpkgLess(p.version, fix))) expected.set(`${p.name} ${cve}`, fixes);
      }
    }
    const fixed = findings.filter((f) => f.status === 'fixed');
    assert.deepEqual(fixed.map(key).sort(), [...expected.keys()].sort());
    for (const f of fixed) {
      assert.ok(expected.get(key(f))!.includes(f.fixedVersion!), `${key(f)}: fixed in ${f.fixedVersion}, lists say ${expected.get(key(f))}`);
      assert.ok(dpkgLess(f.installedVersion, f.fixedVersion!));
      assert.deepEqual(f.sources, ['debian-tracker']);
    }
    // Spot checks read off the lists: DSA-5111-1 and DLA-3103-1 for zlib, DSA-5147-1 for dpkg.
    assert.equal(fixed.find((f) => key(f) === 'zlib1g CVE-2018-25032')?.fixedVersion, '1:1.2.11.dfsg-1+deb10u1');
    assert.equal(fixed.find((f) => key(f) === 'zlib1g CVE-2022-37434')?.fixedVersion, '1:1.2.11.dfsg-1+deb10u2');
    assert.equal(findings.filter((f) => f.package === 'dpkg').length, 0, 'dpkg 1.19.8 is the fix of CVE-2022-1664');
  });

  it('reports the end-of-life entry of the tracker JSON and the will-not-fix one', () => {
    const json = JSON.parse(readFileSync(join(FEEDS, 'debian-security-tracker/excerpts/tracker-data-json.excerpt.json'), 'utf8')) as
      Record<string, Record<string, { releases: Record<string, { status: string; urgency?: string }> }>>;
    const eol = Object.entries(json.chromium!).filter(([, v]) => v.releases.buster?.status === 'open' && v.releases.buster.urgency === 'end-of-life').map(([cve]) => cve);
    assert.deepEqual(eol, ['CVE-2022-0456']);
    const findings = results.buster!.findings!;
    const f = findings.find((x) => key(x) === 'chromium CVE-2022-0456');
    assert.equal(f?.status, 'end_of_life');
    assert.equal(f?.fixedVersion, undefined);
    const w = findings.find((x) => key(x) === `${WILL_NOT_FIX.source} ${WILL_NOT_FIX.cve}`);
    assert.equal(w?.status, 'will_not_fix');
    assert.equal(w?.fixedVersion, undefined);
    assert.equal(w?.severity, 'LOW', "Debian's urgency \"low\" is the distribution's severity");
    assert.deepEqual(w?.severities, [{ source: 'debian', severity: 'LOW' }]);
  });

  it('flags KEV entries from the CISA catalogue, names the layer, and says the release is past end of life', () => {
    const r = results.buster!;
    const kev = kevCves();
    for (const f of r.findings!) assert.equal(f.kev, kev.has(f.id), `${f.id} kev`);
    assert.ok(r.findings!.some((f) => f.kev), 'the chromium fixes include CVE-2021-21224 and others in KEV');
    const statusLayer = r.artifact.layers![1]!.digest;
    for (const f of r.findings!) assert.equal(f.layer, statusLayer);
    assert.equal(r.os?.eol, true);
    assert.match(r.warnings!.join('\n'), /debian 10\.13 reached its end of life on 2024-06-30/);
    assert.deepEqual(r.db?.sources, ['alpine-secdb', 'cve5', 'debian-tracker', 'epss', 'kev', 'osv']);
  });
});

describe('Ubuntu 22.04 image against the Canonical OSV samples', () => {
  it('reports glibc CVE-2016-20013 as affected with no fix, with Ubuntu\'s priority as severity', () => {
    const osv = JSON.parse(readFileSync(join(FEEDS, 'osv/ubuntu/UBUNTU-CVE-2016-20013.json'), 'utf8')) as
      { affected: { package: { ecosystem: string; name: string }; ranges: { events: Record<string, string>[] }[] }[]; severity: { type: string; score: string }[] };
    const jammy = osv.affected.find((a) => a.package.ecosystem === 'Ubuntu:22.04:LTS' && a.package.name === 'glibc')!;
    assert.ok(jammy.ranges.every((r) => r.events.every((e) => !('fixed' in e))), 'the record gives no fix for jammy');
    const f = results.jammy!.findings!.find((x) => key(x) === 'libc6 CVE-2016-20013');
    assert.equal(f?.status, 'affected');
    assert.equal(f?.fixedVersion, undefined);
    assert.equal(osv.severity.find((s) => s.type === 'Ubuntu')?.score, 'negligible');
    assert.equal(f?.severity, 'LOW');
    assert.deepEqual(f?.cvss.map((c) => c.vector), [osv.severity.find((s) => s.type === 'CVSS_V3')!.score]);
    assert.deepEqual(f?.aliases, ['UBUNTU-CVE-2016-20013']);
  });

  it('reports wayland CVE-2021-3782 fixed in the version the record names, and nothing from Ubuntu Pro streams', () => {
    const f = results.jammy!.findings!.find((x) => key(x) === 'libwayland-client0 CVE-2021-3782');
    assert.equal(f?.status, 'fixed');
    assert.equal(f?.fixedVersion, '1.20.0-1ubuntu0.1');
    assert.equal(f?.severity, 'MEDIUM');
    assert.deepEqual(results.jammy!.findings!.map(key).sort(), ['libc6 CVE-2016-20013', 'libwayland-client0 CVE-2021-3782']);
    assert.equal(results.jammy!.os?.eol, false);
    assert.deepEqual(JAMMY_PACKAGES.map((p) => p.name).sort(), results.jammy!.packages.map((p) => p.name).sort());
  });
});

describe('Alpine 3.11 image against the v3.11 secdb', () => {
  it('reports every secfix above the installed version of each origin, with the lowest such fix', () => {
    const expected = new Map<string, string>();
    const secfixes = new Map<string, Record<string, string[] | null>>();
    for (const repo of ['main', 'community']) {
      const doc = parseYaml(readFileSync(join(FEEDS, `alpine-secdb/v3.11/${repo}.yaml`), 'utf8')) as { packages: { pkg: { name: string; secfixes: Record<string, string[] | null> } }[] };
      for (const { pkg } of doc.packages) secfixes.set(pkg.name, { ...secfixes.get(pkg.name), ...pkg.secfixes });
    }
    for (const p of alpinePackages()) {
      for (const [fix, ids] of Object.entries(secfixes.get(p.origin) ?? {})) {
        if (fix === '0' || compareVersions('apk', p.version, fix) >= 0) continue;
        for (const id of (ids ?? []).flatMap((x) => String(x).split(/\s+/)).filter((x) => x.startsWith('CVE-'))) {
          const k = `${p.name} ${id}`;
          const prev = expected.get(k);
          if (!prev || compareVersions('apk', fix, prev) < 0) expected.set(k, fix);
        }
      }
    }
    assert.ok(expected.size > 10, 'the fixture packages meet the secdb');
    const findings = results.alpine!.findings!;
    assert.deepEqual(findings.map(key).sort(), [...expected.keys()].sort());
    for (const f of findings) {
      assert.equal(f.fixedVersion, expected.get(key(f)), key(f));
      assert.equal(f.status, 'fixed');
      assert.deepEqual(f.sources, ['alpine-secdb']);
    }
    assert.deepEqual(results.alpine!.os && [results.alpine!.os.family, results.alpine!.os.version, results.alpine!.os.eol], ['alpine', '3.11.6', true]);
  });
});

describe('the same image from a real registry', { skip: needs('docker-registry', 'skopeo') }, () => {
  let registry: TestRegistry;
  before(async () => { registry = await startRegistry(); });
  after(async () => { await registry?.stop(); });

  it('gives the findings the OCI layout gave', async () => {
    await pushImage(registry, 'test/buster:10', await busterImage());
    const r = await scanImage(`${registry.host}/test/buster:10`, { db, cacheDir: false });
    assert.equal(r.artifact.name, `${registry.host}/test/buster:10`);
    assert.deepEqual(r.findings, results.buster!.findings);
    assert.deepEqual(r.os, results.buster!.os);
  });
});

describe('scanInventory (rescans)', () => {
  it('rematches a stored JSON result without the image and replaces stale findings', () => {
    const stored = { ...results.jammy!, findings: [], summary: { CRITICAL: 9, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 } };
    const back = parseInventoryDocument(JSON.stringify(stored), 'stored.json');
    const r = scanInventory(back, db);
    assert.deepEqual(r.findings, results.jammy!.findings);
    assert.equal(r.summary, undefined);
    assert.deepEqual(r.os, results.jammy!.os);
  });

  it('warns when the database is older than the allowed age', () => {
    const later = new Date(Date.now() + 10 * 86_400_000);
    const r = scanInventory(results.jammy!, db, { now: () => later, dbMaxAgeMs: 120 * 3_600_000 });
    assert.match(r.warnings!.join('\n'), /vulnerability database built .* old \(older than --db-max-age 5\.0 days\)/);
    assert.equal(scanInventory(results.jammy!, db, { now: () => later, dbMaxAgeMs: 0 }).warnings, undefined);
  });
});
