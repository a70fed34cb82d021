import type { Package } from '../inventory/index.ts';
import type { Finding } from '../match/types.ts';

/**
 * The inventory package a finding is about: found by purl when the finding has one, else by
 * name and installed version. VEX, ignore files and exceptions need it for what a finding does
 * not carry itself (the purl of findings without one, the file the package was read from).
 */
export function packageLookup(packages: readonly Package[] | undefined): (f: Finding) => Package | undefined {
  const byPurl = new Map<string, Package>();
  const byNameVersion = new Map<string, Package>();
  for (const p of packages ?? []) {
    if (!byPurl.has(p.purl)) byPurl.set(p.purl, p);
    const key = `${p.name}\u0000${p.version}`;
    if (!byNameVersion.has(key)) byNameVersion.set(key, p);
  }
  return (f) => (f.purl ? byPurl.get(f.purl) : undefined) ?? byNameVersion.get(`${f.package}\u0000${f.installedVersion}`);
}
