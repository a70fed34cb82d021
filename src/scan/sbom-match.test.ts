/**
 * Matching stored inventories (CycloneDX SBOMs) against real OSV samples, without an image.
 *
 * Language packages end to end: a CycloneDX SBOM naming PyPI, npm (scoped too), Maven, Go,
 * NuGet (mixed case), RubyGems and Packagist
 * packages (PyPI names spelled with capitals and underscores) read by `--sbom`'s reader and
 * matched against a database built from the OSV samples. The packages and expectations are
 * picked from the OSV files by the test's own reading: records with one affected package and
 * one range "introduced I, fixed F"; a version known to be affected (the newest one the record
 * lists, else I, else 0.0.0-0 for semver) must be reported with fix F, and F itself must not be.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { scratchDirs } from '../../test/scratch.ts';
import { buildDb, VulnDb } from '../vulndb/index.ts';
import { parseInventoryDocument, scanInventory } from './index.ts';
import { FEEDS } from './test-fixtures.ts';

interface OsvRecord {
  id: string;
  aliases?: string[];
  withdrawn?: string;
  affected?: { package: { ecosystem: string; name: string }; ranges?: { type: string; events: Record<string, string>[] }[]; versions?: string[] }[];
  database_specific?: { severity?: string };
}

interface Pick { ecosystem: string; purlType: string; name: string; affectedVersion: string; fixed: string; ids: string[]; ghsaSeverity?: string }

function records(ecosystem: string): OsvRecord[] {
  switch (ecosystem) {
    case 'PyPI': {
      const dir = join(FEEDS, 'osv/pypi/vulns');
      return readdirSync(dir).flatMap((pkg) => readdirSync(join(dir, pkg)).map((f) => parseYaml(readFileSync(join(dir, pkg, f), 'utf8')) as OsvRecord));
    }
    case 'npm':
      return (JSON.parse(readFileSync(join(FEEDS, 'osv/npm/santatracker-vulns.json'), 'utf8')) as { vulns: OsvRecord[] }).vulns;
    case 'Go': {
      const dir = join(FEEDS, 'osv/go');
      return readdirSync(dir).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as OsvRecord);
    }
    default:
      // The two api.osv.dev fixtures hold records of other ecosystems too (NuGet, RubyGems, Packagist).
      return ['osv/maven/zeppelin-server-vulnerabilities.json', 'osv/npm/santatracker-vulns.json']
        .flatMap((f) => (JSON.parse(readFileSync(join(FEEDS, f), 'utf8')) as { vulns: OsvRecord[] }).vulns);
  }
}

/**
 * Records simple enough to know the answer without evaluating ranges (see the file comment):
 * an affected entry in this ecosystem that is the record's only entry for its package.
 */
function picks(ecosystem: string, purlType: string, n: number): Pick[] {
  const out: Pick[] = [];
  const seen = new Set<string>();
  for (const r of records(ecosystem)) {
    if (r.withdrawn || (r.aliases ?? []).filter((x) => x.startsWith('CVE-')).length > 1) continue;
    for (const a of r.affected ?? []) {
      const name = a.package.name;
      if (a.package.ecosystem !== ecosystem || seen.has(name) || r.affected!.filter((x) => x.package.name === name).length !== 1) continue;
      const ranges = a.ranges ?? [];
      const ev = ranges[0]?.events ?? [];
      if (ranges.length !== 1 || ev.length !== 2 || ev[0]!.introduced === undefined || !ev[1]!.fixed) continue;
      // An affected version known without evaluating anything: the newest listed one, else where
      // the range starts (inclusive), else for semver the lowest version there is (0.0.0-0).
      const introduced = ev[0]!.introduced;
      const affectedVersion = a.versions?.at(-1) ?? (introduced !== '0' ? introduced : ranges[0]!.type === 'SEMVER' ? '0.0.0-0' : undefined);
      if (!affectedVersion) continue;
      seen.add(name); // one record per package keeps the expectations independent
      const pick: Pick = { ecosystem, purlType, name, affectedVersion, fixed: ev[1]!.fixed, ids: [r.id, ...(r.aliases ?? [])] };
      if (r.id.startsWith('GHSA-') && r.database_specific?.severity) pick.ghsaSeverity = r.database_specific.severity;
      out.push(pick);
      if (out.length === n) return out;
    }
  }
  return out;
}

/** A purl as a user's SBOM might write it: PyPI names with capitals and underscores. */
function purl(p: Pick, version: string): string {
  if (p.purlType === 'maven') {
    const [group, artifact] = p.name.split(':');
    return `pkg:maven/${group}/${artifact}@${encodeURIComponent(version)}`;
  }
  if (p.purlType === 'nuget' || p.purlType === 'gem') return `pkg:${p.purlType}/${p.name}@${version}`;
  if (p.purlType === 'composer') return `pkg:composer/${p.name}@${version}`;
  // Go modules are versioned with a "v", which OSV's SEMVER ranges leave out.
  if (p.purlType === 'golang') return `pkg:golang/${p.name}@v${version}`;
  if (p.purlType === 'pypi') return `pkg:pypi/${p.name.replace(/-/g, '_').replace(/^./, (c) => c.toUpperCase())}@${encodeURIComponent(version)}`;
  const scoped = /^(@[^/]+)\/(.+)$/.exec(p.name);
  return scoped ? `pkg:npm/${encodeURIComponent(scoped[1]!)}/${scoped[2]}@${version}` : `pkg:npm/${p.name}@${version}`;
}

const { root } = scratchDirs('portcullis-language-test');
let db: VulnDb;
before(async () => {
  const output = join(root, 'osv.db');
  await buildDb({ output, feeds: [{ kind: 'osv', path: join(FEEDS, 'osv') }] });
  db = VulnDb.open(output);
});
after(() => db?.close());

const ALL = (): Pick[] => [...picks('PyPI', 'pypi', 6), ...picks('npm', 'npm', 6), ...picks('Maven', 'maven', 6), ...picks('Go', 'golang', 6),
  ...picks('NuGet', 'nuget', 2), ...picks('RubyGems', 'gem', 2), ...picks('Packagist', 'composer', 2)];

describe('language packages from a CycloneDX SBOM', () => {
  it('reports a version the record says is affected with the fix the record names, and not the fix itself', () => {
    const chosen = ALL();
    assert.deepEqual(Object.entries(Object.groupBy(chosen, (p) => p.ecosystem)).map(([k, v]) => [k, v!.length]),
      [['PyPI', 6], ['npm', 6], ['Maven', 6], ['Go', 6], ['NuGet', 2], ['RubyGems', 2], ['Packagist', 2]], 'simple records in the samples');
    const bom = (version: (p: Pick) => string) => JSON.stringify({
      bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { type: 'application', name: 'app' } },
      components: chosen.map((p, i) => ({ type: 'library', 'bom-ref': `c${i}`, name: p.name, version: version(p), purl: purl(p, version(p)) })),
    });
    const affected = scanInventory(parseInventoryDocument(bom((p) => p.affectedVersion), 'app.cdx.json'), db);
    assert.equal(affected.packages.length, chosen.length);
    for (const p of chosen) {
      const pkg = affected.packages.find((x) => x.purl === purl(p, p.affectedVersion))!;
      const f = affected.findings!.find((x) => x.package === pkg.name && [x.id, ...x.aliases].some((id) => p.ids.includes(id)));
      assert.ok(f, `${p.ecosystem} ${p.name} ${p.affectedVersion}: ${p.ids[0]} not reported`);
      assert.equal(f.fixedVersion, p.fixed, `${p.name} ${p.ids[0]}`);
      assert.equal(f.status, 'fixed');
      if (p.ghsaSeverity) {
        const ghsa = { LOW: 'LOW', MODERATE: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' }[p.ghsaSeverity];
        assert.equal(f.severity, ghsa, `${p.ids[0]}: GitHub's severity comes first for language packages`);
      }
    }
    const fixed = scanInventory(parseInventoryDocument(bom((p) => p.fixed), 'app.cdx.json'), db);
    for (const p of chosen) {
      const pkg = fixed.packages.find((x) => x.purl === purl(p, p.fixed))!;
      assert.ok(!fixed.findings!.some((x) => x.package === pkg.name && [x.id, ...x.aliases].some((id) => p.ids.includes(id))), `${p.name} ${p.fixed} is the fix`);
    }
  });
});

describe('RPM packages from an SBOM against the AlmaLinux OSV samples', () => {
  interface Alsa { id: string; summary?: string; upstream?: string[]; aliases?: string[]; related?: string[]; affected: { package: { ecosystem: string; name: string }; ranges: { events: Record<string, string>[] }[] }[] }

  it('reports each CVE of each erratum for a package below its fix, with the erratum severity', () => {
    const dir = join(FEEDS, 'osv/almalinux/advisories/almalinux8');
    const errata = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Alsa).filter((r) => r.id.startsWith('ALSA-'));
    // (package, CVE) → every fix any erratum gives for it; only those with one fix are simple.
    const fixes = new Map<string, { fix: string; severity?: string }[]>();
    for (const r of errata) {
      // An erratum names the CVEs it fixes under `related`; one without any is its own ID.
      const named = [...new Set([...(r.upstream ?? []), ...(r.aliases ?? []), ...(r.related ?? [])].filter((x) => x.startsWith('CVE-')))];
      const cves = named.length ? named : [r.id];
      const severity = /^(Critical|Important|Moderate|Low):/.exec(r.summary ?? '')?.[1];
      for (const a of r.affected) {
        if (a.package.ecosystem !== 'AlmaLinux:8') continue;
        for (const range of a.ranges) {
          for (const e of range.events) {
            if (!e.fixed) continue;
            for (const cve of cves) {
              const k = `${a.package.name} ${cve}`;
              fixes.set(k, [...(fixes.get(k) ?? []), { fix: e.fixed, ...(severity ? { severity } : {}) }]);
            }
          }
        }
      }
    }
    const simple = [...fixes].filter(([, v]) => v.length === 1 && !v[0]!.fix.includes('module'));
    const byPackage = new Map<string, Map<string, { fix: string; severity?: string }>>();
    for (const [k, [v]] of simple) {
      const [pkg, cve] = k.split(' ') as [string, string];
      if (!byPackage.has(pkg)) byPackage.set(pkg, new Map());
      byPackage.get(pkg)!.set(cve, v!);
    }
    // Packages all of whose (package, CVE) pairs are simple, so the whole expectation is known.
    const packages = [...byPackage.keys()].filter((p) => [...fixes.keys()].filter((k) => k.startsWith(`${p} `)).every((k) => byPackage.get(p)!.has(k.slice(p.length + 1)))).slice(0, 8);
    assert.ok(packages.length >= 5, `${packages.length} simple packages`);
    const bom = JSON.stringify({
      bomFormat: 'CycloneDX', specVersion: '1.6',
      components: [{ type: 'operating-system', name: 'almalinux', version: '8.9' },
        ...packages.map((p) => ({ type: 'library', name: p, purl: `pkg:rpm/almalinux/${p}@0-0?arch=x86_64` }))],
    });
    const r = scanInventory(parseInventoryDocument(bom, 'alma.cdx.json'), db);
    assert.deepEqual(r.os, { family: 'alma', version: '8.9', eol: false });
    const expected = packages.flatMap((p) => [...byPackage.get(p)!].map(([cve, v]) => `${p} ${cve} ${v.fix}`)).sort();
    assert.deepEqual(r.findings!.map((f) => `${f.package} ${f.id} ${f.fixedVersion}`).sort(), expected);
    const LABEL: Record<string, string> = { Critical: 'CRITICAL', Important: 'HIGH', Moderate: 'MEDIUM', Low: 'LOW' };
    for (const f of r.findings!) {
      const sev = byPackage.get(f.package)!.get(f.id)!.severity;
      if (sev) assert.equal(f.severity, LABEL[sev], `${f.package} ${f.id}: the erratum says ${sev}`);
    }
  });
});

describe('Wolfi and Chainguard packages from an SBOM against the Chainguard OSV samples', () => {
  interface Cga { id: string; upstream?: string[]; affected: { package: { ecosystem: string; name: string }; ranges: { events: Record<string, string>[] }[] }[] }
  const cgas = (): Cga[] => {
    const dir = join(FEEDS, 'osv/chainguard');
    return readdirSync(dir).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Cga);
  };

  for (const [family, ecosystem] of [['chainguard', 'Chainguard'], ['wolfi', 'Wolfi']] as const) {
    it(`${family}: every package listed below its fix is reported; at the fix, or "fixed in 0", it is not`, () => {
      const entries = cgas().flatMap((r) => r.affected.filter((a) => a.package.ecosystem === ecosystem).map((a) => ({
        name: a.package.name, fixed: a.ranges[0]!.events.find((e) => e.fixed !== undefined)!.fixed!, cves: (r.upstream ?? []).filter((x) => x.startsWith('CVE-')),
      })));
      assert.ok(entries.length >= 3);
      const bom = (version: (e: (typeof entries)[number]) => string) => JSON.stringify({
        bomFormat: 'CycloneDX', specVersion: '1.6',
        components: [{ type: 'operating-system', name: family, version: '20230201' },
          ...entries.map((e) => ({ type: 'library', name: e.name, purl: `pkg:apk/${family}/${e.name}@${version(e)}?arch=x86_64` }))],
      });
      const below = scanInventory(parseInventoryDocument(bom(() => '0-r0'), 'cg.cdx.json'), db);
      const expected = entries.filter((e) => e.fixed !== '0').flatMap((e) => e.cves.map((c) => `${e.name} ${c} ${e.fixed}`)).sort();
      assert.deepEqual(below.findings!.map((f) => `${f.package} ${f.id} ${f.fixedVersion}`).sort(), expected);
      const at = scanInventory(parseInventoryDocument(bom((e) => (e.fixed === '0' ? '1.0-r0' : e.fixed)), 'cg.cdx.json'), db);
      assert.deepEqual(at.findings, []);
    });
  }
});
