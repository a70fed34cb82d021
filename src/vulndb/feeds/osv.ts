/**
 * OSV records (https://ossf.github.io/osv-schema/): osv.dev's per-ecosystem all.zip, a directory
 * of records (JSON, or YAML as PyPA stores them), or api.osv.dev's `{"vulns": [...]}` answers.
 *
 * One record becomes one `affected` record per (ecosystem, package, vulnerability) — several
 * `affected` entries for the same package (one per branch) are merged — and, when it describes a
 * single vulnerability, one `vuln` record with its texts and ratings. Withdrawn records are
 * skipped and counted; `GIT` ranges are dropped (commit hashes mean nothing to an installed
 * package) but explicit `versions` lists are kept.
 */
import { FeedError } from '../../errors.ts';
import type { Severity } from '../../match/types.ts';
import type { AffectedPackage, AffectedRange, FeedRecord, RangeEvent, VulnerabilityInfo } from '../advisory.ts';
import { osvEcosystem, packageKey } from './ecosystems.ts';
import type { EcosystemRef } from './ecosystems.ts';
import { feedRun } from './feed.ts';
import type { Feed, FeedContext, FeedOptions } from './feed.ts';
import { cveOf, isObject, isoTimestamp, severityOfLabel, str, stringList, unique } from './normalise.ts';
import { parseDocument } from './parse.ts';
import { RatingSet } from './ratings.ts';
import { plainName, sourceEntries } from './source.ts';

function isOsvFile(name: string): boolean {
  const n = plainName(name);
  return n.endsWith('.json') || n.endsWith('.yaml') || n.endsWith('.yml');
}

/** Errata that fix bugs or add features: no vulnerability, nothing to match. */
const NON_SECURITY = /^(ALBA|ALEA|RHBA|RHEA|RLBA|RLEA|ELBA|ELEA)-/;
/** Errata whose CVEs are listed under `related` (they are what the erratum fixes). */
const ERRATA = /^(ALSA|RLSA|RHSA|RXSA|ELSA|OESA|SUSE-SU|openSUSE-SU)-/;

/** Who published a record, by its ID prefix: the `source` of its ratings. */
export function publisherOf(id: string): string {
  const prefix = /^([A-Za-z]+)-/.exec(id)?.[1]?.toUpperCase() ?? 'OSV';
  switch (prefix) {
    case 'GHSA': return 'ghsa';
    case 'UBUNTU': case 'USN': case 'LSN': return 'ubuntu';
    case 'DSA': case 'DLA': case 'DTSA': case 'DEBIAN': return 'debian';
    case 'ALPINE': return 'alpine';
    case 'PYSEC': return 'pypa';
    case 'GO': return 'go';
    case 'RUSTSEC': return 'rustsec';
    case 'CGA': return 'chainguard';
    case 'ALSA': case 'ALBA': case 'ALEA': return 'almalinux';
    case 'RLSA': return 'rocky';
    case 'RHSA': case 'RHBA': case 'RHEA': return 'redhat';
    case 'MAL': return 'ossf-malicious-packages';
    case 'SUSE': case 'OPENSUSE': return 'suse';
    default: return prefix.toLowerCase();
  }
}

function events(value: unknown): RangeEvent[] {
  const out: RangeEvent[] = [];
  if (!Array.isArray(value)) return out;
  for (const e of value) {
    if (!isObject(e)) continue;
    for (const k of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
      const v = str(e[k]);
      if (v !== undefined) {
        out.push({ [k]: v });
        break;
      }
    }
  }
  return out;
}

/** A range that affects nothing: `introduced: X, fixed: X` (Chainguard's "0, 0" for not affected). */
function isEmptyRange(r: AffectedRange): boolean {
  const intro = r.events.filter((e) => e.introduced !== undefined);
  const fixed = r.events.filter((e) => e.fixed !== undefined);
  return r.events.length === 2 && intro.length === 1 && fixed.length === 1 && intro[0]!.introduced === fixed[0]!.fixed;
}

interface PackageFacts {
  eco: EcosystemRef;
  name: string;
  feedEcosystem: string;
  feedPackage: string;
  ranges: AffectedRange[];
  versions: string[];
  ecosystemSpecific?: Record<string, unknown>;
}

/** The IDs facts are filed under: the CVEs the record names, else its GHSA alias, else its own ID. */
function vulnIdsOf(rec: Record<string, unknown>, id: string): string[] {
  const named = [id, ...stringList(rec.aliases), ...stringList(rec.upstream)];
  if (ERRATA.test(id)) named.push(...stringList(rec.related));
  const cves = unique(named.map(cveOf).filter((c): c is string => c !== undefined));
  if (cves.length > 0) return cves;
  return [named.find((n) => n.startsWith('GHSA-')) ?? id];
}

/** The record's own severity label for the packages it lists (Ubuntu priority, GHSA, Red Hat-style errata). */
function packageSeverity(rec: Record<string, unknown>, id: string): { severity?: Severity; urgency?: string } {
  for (const s of Array.isArray(rec.severity) ? rec.severity : []) {
    if (isObject(s) && s.type === 'Ubuntu' && typeof s.score === 'string') return { severity: severityOfLabel(s.score), urgency: s.score };
  }
  const ds = isObject(rec.database_specific) ? rec.database_specific : {};
  if (typeof ds.severity === 'string') return { severity: severityOfLabel(ds.severity), urgency: ds.severity };
  const summary = /^(Critical|Important|Moderate|Low):/.exec(str(rec.summary) ?? '');
  if (ERRATA.test(id) && summary) return { severity: severityOfLabel(summary[1]), urgency: summary[1] };
  return {};
}

function ratingsOf(rec: Record<string, unknown>, id: string): RatingSet {
  const set = new RatingSet();
  const source = publisherOf(id);
  const lists = [rec.severity, ...(Array.isArray(rec.affected) ? rec.affected.map((a) => (isObject(a) ? a.severity : undefined)) : [])];
  for (const list of lists) {
    for (const s of Array.isArray(list) ? list : []) {
      if (isObject(s) && typeof s.score === 'string' && /^CVSS_V[234]$/.test(String(s.type))) set.addCvss(source, s.score);
    }
  }
  const own = packageSeverity(rec, id);
  if (own.severity) set.addLabel(source, own.severity);
  return set;
}

function cwesOf(rec: Record<string, unknown>): string[] {
  const out: string[] = [];
  const ds = isObject(rec.database_specific) ? rec.database_specific : {};
  out.push(...stringList(ds.cwe_ids));
  for (const a of Array.isArray(rec.affected) ? rec.affected : []) {
    const ads = isObject(a) && isObject(a.database_specific) ? a.database_specific : {};
    for (const c of Array.isArray(ads.cwes) ? ads.cwes : []) if (isObject(c) && typeof c.cweId === 'string') out.push(c.cweId);
  }
  return unique(out.filter((c) => /^CWE-\d+$/.test(c)));
}

function* recordFacts(ctx: FeedContext, rec: unknown, file: string): Generator<FeedRecord> {
  const id = isObject(rec) ? str(rec.id) : undefined;
  if (!isObject(rec) || !id || (rec.affected !== undefined && rec.affected !== null && !Array.isArray(rec.affected))) {
    ctx.skip('malformed record', `${file}: not an OSV record (no id or affected list)`);
    return;
  }
  const modified = isoTimestamp(rec.modified);
  ctx.recordTimestamp(modified);
  if (str(rec.withdrawn)) {
    ctx.skip('withdrawn');
    return;
  }
  const vulnIds = vulnIdsOf(rec, id);
  if (NON_SECURITY.test(id) && vulnIds[0] === id) {
    ctx.skip('not a security advisory');
    return;
  }

  // Group affected entries by package: OSV lists one entry per branch or per range set.
  const packages = new Map<string, PackageFacts>();
  for (const a of Array.isArray(rec.affected) ? rec.affected : []) {
    const pkg = isObject(a) && isObject(a.package) ? a.package : undefined;
    const ecoName = str(pkg?.ecosystem);
    const pkgName = str(pkg?.name);
    if (!isObject(a) || !ecoName || !pkgName) {
      ctx.skip('affected entry without package');
      continue;
    }
    const eco = osvEcosystem(ecoName);
    if (!eco) {
      ctx.skip('ecosystem without release', `${file}: ${id}: ecosystem "${ecoName}" names no release`);
      continue;
    }
    const rangeList = Array.isArray(a.ranges) ? a.ranges.filter(isObject) : [];
    const ranges: AffectedRange[] = [];
    for (const r of rangeList) {
      if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') continue;
      const ev = events(r.events);
      if (ev.length > 0) ranges.push({ type: r.type, events: ev });
    }
    const versions = stringList(a.versions);
    if (ranges.length === 0 && versions.length === 0) {
      ctx.skip(rangeList.some((r) => r.type === 'GIT') ? 'only GIT ranges' : 'affected entry without ranges or versions');
      continue;
    }
    const name = packageKey(eco.family, pkgName);
    const key = `${eco.ecosystem}\u0000${name}`;
    const facts = packages.get(key);
    if (facts) {
      facts.ranges.push(...ranges);
      facts.versions.push(...versions);
    } else {
      const f: PackageFacts = { eco, name, feedEcosystem: ecoName, feedPackage: pkgName, ranges, versions };
      if (isObject(a.ecosystem_specific) && Object.keys(a.ecosystem_specific).length > 0) f.ecosystemSpecific = a.ecosystem_specific;
      packages.set(key, f);
    }
  }

  const own = packageSeverity(rec, id);
  const single = vulnIds.length === 1;
  const allIds = unique([id, ...stringList(rec.aliases), ...stringList(rec.upstream)]);
  for (const vulnId of vulnIds) {
    const aliases = single ? allIds.filter((x) => x !== vulnId) : [];
    for (const p of packages.values()) {
      const versions = unique(p.versions);
      const fixedVersions = unique(p.ranges.flatMap((r) => r.events.map((e) => e.fixed).filter((v): v is string => v !== undefined)));
      const notAffected = versions.length === 0 && p.ranges.every(isEmptyRange);
      const out: AffectedPackage = {
        type: 'affected', ecosystem: p.eco.ecosystem, family: p.eco.family, package: p.name, vulnId, source: 'osv',
        status: notAffected ? 'not_affected' : fixedVersions.length > 0 ? 'fixed' : 'affected',
        feedEcosystem: p.feedEcosystem, feedPackage: p.feedPackage,
      };
      if (p.eco.release) out.release = p.eco.release;
      if (p.eco.channel) out.channel = p.eco.channel;
      if (p.eco.nameKind) out.nameKind = p.eco.nameKind;
      if (!notAffected) {
        if (p.ranges.length > 0) out.ranges = p.ranges;
        if (versions.length > 0) out.versions = versions;
        if (fixedVersions.length === 1) out.fixed = fixedVersions[0]!;
        if (fixedVersions.length > 0) out.fixedVersions = fixedVersions;
      }
      if (own.severity) out.severity = own.severity;
      if (own.urgency) out.urgency = own.urgency;
      if (vulnId !== id) out.advisory = id;
      if (aliases.length > 0) out.aliases = aliases;
      if (p.ecosystemSpecific) out.ecosystemSpecific = p.ecosystemSpecific;
      if (modified) out.modified = modified;
      yield out;
    }
  }

  // Texts and ratings describe the vulnerability only when the record is about one; an erratum
  // fixing ten CVEs describes the update, not each CVE.
  if (!single) return;
  const ratings = ratingsOf(rec, id);
  if (ratings.invalid > 0) ctx.skip('invalid CVSS vector', `${file}: ${id}: invalid CVSS vector`, ratings.invalid);
  const vuln: VulnerabilityInfo = { type: 'vuln', id: vulnIds[0]!, aliases: allIds.filter((x) => x !== vulnIds[0]), ratings: ratings.ratings, sources: ['osv'] };
  const title = str(rec.summary)?.trim();
  if (title) vuln.title = title;
  const description = str(rec.details)?.trim();
  if (description) vuln.description = description;
  const published = isoTimestamp(rec.published);
  if (published) vuln.published = published;
  if (modified) vuln.modified = modified;
  const cwes = cwesOf(rec);
  if (cwes.length > 0) vuln.cwes = cwes;
  const refs = unique((Array.isArray(rec.references) ? rec.references : []).map((r) => (isObject(r) ? str(r.url) : undefined)).filter((u): u is string => u !== undefined));
  if (refs.length > 0) vuln.references = refs;
  if (ratings.unscored.length > 0) vuln.unscoredCvss = ratings.unscored;
  yield vuln;
}

async function* readOsv(ctx: FeedContext, options: FeedOptions): AsyncGenerator<FeedRecord> {
  let files = 0;
  for await (const entry of sourceEntries(ctx.path, isOsvFile, options.limits)) {
    ctx.detail('files', ++files);
    const what = entry.name === ctx.path || ctx.path.endsWith(entry.name) ? ctx.path : `${ctx.path}: ${entry.name}`;
    let doc: unknown;
    try {
      doc = parseDocument(await entry.read(), entry.name, what);
    } catch (err) {
      if (!(err instanceof FeedError) || err.code !== 'FEED_PARSE') throw err;
      ctx.stats.records++;
      ctx.skip('malformed file', err.message);
      continue;
    }
    const records = isObject(doc) && Array.isArray(doc.vulns) ? doc.vulns : Array.isArray(doc) ? doc : [doc];
    for (const rec of records) {
      ctx.stats.records++;
      yield* recordFacts(ctx, rec, entry.name);
    }
  }
}

export const osvFeed: Feed = {
  kind: 'osv',
  read: (source, options = {}) => feedRun('osv', source, (ctx) => readOsv(ctx, options)),
};
