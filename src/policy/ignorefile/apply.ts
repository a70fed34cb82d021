import type { Package } from '../../inventory/index.ts';
import type { Finding } from '../../match/types.ts';
import type { Suppression } from '../../report/types.ts';
import { packageLookup } from '../finding-package.ts';
import { purlCache, purlMatches } from '../purl.ts';
import { matchesPath } from './path-glob.ts';
import type { IgnoreEntry, IgnoreFile } from './parse.ts';

/**
 * Applying an ignore file to one image's findings.
 *
 * An entry covers a finding when its `id` is the finding's ID or one of its aliases (compared
 * without regard to case: Trivy compares the ID only, exactly, but our findings may be named
 * by a CVE where Trivy's were named by a GHSA, and the other way round), and, when given, one
 * of its `paths` matches the file the package was read from, and one of its `purls` matches
 * the package's purl. A finding whose package has no path or no purl is not covered by an
 * entry that asks for one (Trivy lets such an entry through; we keep the finding).
 *
 * The first entry in file order that covers a finding names the suppression (`FILE:LINE`).
 * Expired entries no longer apply; the ones that would still cover a finding are returned, so
 * the report can say why the finding is back.
 */

export interface IgnoreContext {
  packages?: readonly Package[];
}

export interface ExpiredIgnoreEntry {
  /** `FILE:LINE` */
  by: string;
  id: string;
  expires: string;
  /** IDs of the findings it would still cover. */
  findings: string[];
}

export interface IgnoreResult {
  kept: Finding[];
  suppressed: Suppression[];
  expired: ExpiredIgnoreEntry[];
}

export function isIgnoreEntryExpired(e: IgnoreEntry, now: Date): boolean {
  return e.expiresAt !== undefined && now.getTime() > e.expiresAt.getTime();
}

export function applyIgnoreFile(findings: readonly Finding[], ignore: IgnoreFile, context: IgnoreContext, now: Date): IgnoreResult {
  const byId = new Map<string, IgnoreEntry[]>();
  for (const e of ignore.entries) {
    const key = e.id.toUpperCase();
    const list = byId.get(key);
    if (list) list.push(e);
    else byId.set(key, [e]);
  }
  const lookup = packageLookup(context.packages);
  const purlOf = purlCache();
  const covers = (e: IgnoreEntry, f: Finding, pkg: () => Package | undefined): boolean => {
    if (e.pathPatterns.length) {
      const path = pkg()?.foundIn;
      if (path === undefined || !e.pathPatterns.some((re) => matchesPath(re, path))) return false;
    }
    if (e.parsedPurls.length) {
      const target = purlOf(f.purl ?? pkg()?.purl);
      if (!target || !e.parsedPurls.some((want) => purlMatches(want, target))) return false;
    }
    return true;
  };

  const result: IgnoreResult = { kept: [], suppressed: [], expired: [] };
  const expiredHits = new Map<IgnoreEntry, ExpiredIgnoreEntry>();
  for (const f of findings) {
    const candidates = [f.id, ...f.aliases].flatMap((id) => byId.get(id.toUpperCase()) ?? []).sort((a, b) => a.line - b.line);
    let found: Package | undefined | null = null;
    const pkg = (): Package | undefined => (found === null ? (found = lookup(f)) : found);
    const hits = candidates.filter((e) => covers(e, f, pkg));
    const live = hits.find((e) => !isIgnoreEntryExpired(e, now));
    if (live) {
      result.suppressed.push({
        finding: f, kind: 'ignorefile', by: `${ignore.file}:${live.line}`,
        ...(live.statement ? { reason: live.statement } : {}),
        ...(live.expires ? { expires: live.expires } : {}),
      });
      continue;
    }
    result.kept.push(f);
    const gone = hits[0];
    if (gone) {
      let entry = expiredHits.get(gone);
      if (!entry) expiredHits.set(gone, entry = { by: `${ignore.file}:${gone.line}`, id: gone.id, expires: gone.expires ?? '', findings: [] });
      if (!entry.findings.includes(f.id)) entry.findings.push(f.id);
    }
  }
  result.expired = [...expiredHits.values()];
  return result;
}
