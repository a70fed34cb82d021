/**
 * Language packages end to end: a CycloneDX SBOM naming PyPI, npm (scoped too) and Maven
 * packages (PyPI names spelled with capitals and underscores) read by `--sbom`'s reader and
 * matched against a database built from the OSV samples. The packages and expectations are
 * picked from the OSV files by the test's own reading: records with one affected package and
 * one range "introduced I, fixed F"; a version known to be affected (the newest one the record
 * lists, else I, else 0.0.0 for semver) must be reported with fix F, and F itself must not be.
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
    default:
      return (JSON.parse(readFileSync(join(FEEDS, 'osv/maven/zeppelin-server-vulnerabilities.json'), 'utf8')) as { vulns: OsvRecord[] }).vulns;
  }
}

/** Records simple enough to know the answer without evaluating ranges: see the file comment. */
function picks(ecosystem: string, purlType: string, n: number): Pick[] {
  const out: Pick[] = [];
  const seen = new Set<string>();
  for (const r of records(ecosystem)) {
    const a = r.affected;
    if (r.withdrawn || a?.length !== 1 || a[0]!.package.ecosystem !== ecosystem) continue;
    const ranges = a[0]!.ranges ?? [];
    const ev = ranges[0]?.events ?? [];
    if (ranges.length !== 1 || ev.length !== 2 || ev[0]!.introduced === undefined || !ev[1]!.fixed) continue;
    // An affected version known without evaluating anything: the newest listed one, else where
    // the range starts (inclusive), else for semver the lowest version there is.
    const introduced = ev[0]!.introduced;
    const affectedVersion = a[0]!.versions?.at(-1) ?? (introduced !== '0' ? introduced : ranges[0]!.type === 'SEMVER' ? '0.0.0' : undefined);
    if (!affectedVersion) continue;
    if ((r.aliases ?? []).filter((x) => x.startsWith('CVE-')).length > 1) continue;
    const name = a[0]!.package.name;
    if (seen.has(name)) continue; // one record per package keeps the expectations independent
    seen.add(name);
    const pick: Pick = { ecosystem, purlType, name, affectedVersion, fixed: ev[1]!.fixed, ids: [r.id, ...(r.aliases ?? [])] };
    if (r.id.startsWith('GHSA-') && r.database_specific?.severity) pick.ghsaSeverity = r.database_specific.severity;
    out.push(pick);
    if (out.length === n) break;
  }
  return out;
}

/** A purl as a user's SBOM might write it: PyPI names with capitals and underscores. */
function purl(p: Pick, version: string): string {
  if (p.purlType === 'maven') {
    const [group, artifact] = p.name.split(':');
    return `pkg:maven/${group}/${artifact}@${encodeURIComponent(version)}`;
  }
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

const ALL = (): Pick[] => [...picks('PyPI', 'pypi', 6), ...picks('npm', 'npm', 6), ...picks('Maven', 'maven', 6)];

describe('language packages from a CycloneDX SBOM', () => {
  it('reports a version the record says is affected with the fix the record names, and not the fix itself', () => {
    const chosen = ALL();
    assert.equal(chosen.length, 18, 'six simple records per ecosystem in the samples');
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
