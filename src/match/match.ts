/**
 * Inventory × database → findings. Per package: look its advisories up (one query per
 * ecosystem key for all packages at once), evaluate every row against the installed version,
 * fold rows that name the same vulnerability by different IDs (GHSA ↔ CVE), let the
 * distribution's own source decide for OS packages, and enrich what is left with what every
 * source says about the vulnerability (texts, severities, CVSS, KEV, EPSS).
 */
import type { OSInfo, Package } from '../inventory/index.ts';
import type { AffectedRecord, EpssRecord, KevRecord, VulnRecord } from '../vulndb/index.ts';
import { apkMatcher } from './apk.ts';
import { dpkgMatcher } from './dpkg.ts';
import { evaluateRow } from './evaluate.ts';
import type { Verdict } from './evaluate.ts';
import type { FamilyMatcher } from './family.ts';
import { languageMatcher } from './language.ts';
import { rpmMatcher } from './rpm.ts';
import { byCodePoint, chooseSeverity, cvssList } from './severity.ts';
import type { SeverityChoice } from './severity.ts';
import { SEVERITIES } from './types.ts';
import type { Finding, FindingStatus, Severity } from './types.ts';
import { compare, schemeOf, unreadable } from './versions.ts';

/** What matching reads from a database (VulnDb implements it). */
export interface MatchDb {
  affected(ecosystem: string, packages: readonly string[]): Map<string, AffectedRecord[]>;
  vulns(ids: readonly string[]): Map<string, VulnRecord>;
  aliasesOf(ids: readonly string[]): Map<string, string[]>;
  kev(cves: readonly string[]): Map<string, KevRecord>;
  epss(cves: readonly string[]): Map<string, EpssRecord>;
  /** `kev` and `epss` together in one pass, when the database can (VulnDb can). */
  kevAndEpss?(cves: readonly string[]): { kev: Map<string, KevRecord>; epss: Map<string, EpssRecord> };
}

export interface MatchOptions {
  /** The clock (kept for the caller's end-of-life judgement; matching itself is timeless). */
  now?: Date;
  /** Problems that did not stop matching: unreadable versions, OS packages without a release. */
  onWarning?: (message: string) => void;
}

export const MATCHERS: readonly FamilyMatcher[] = [dpkgMatcher, apkMatcher, rpmMatcher, languageMatcher];

export function matcherFor(ecosystem: string): FamilyMatcher | undefined {
  return MATCHERS.find((m) => m.handles(ecosystem));
}

interface Hit {
  row: AffectedRecord;
  verdict: Verdict;
}

interface Target {
  pkg: Package;
  matcher: FamilyMatcher;
  scheme: string;
  version: string;
  keys: string[];
  names: string[];
}

const isCve = (id: string): boolean => id.startsWith('CVE-');
const STATUS_ORDER: Record<FindingStatus, number> = { fixed: 0, affected: 1, will_not_fix: 2, end_of_life: 3 };

/** What the packages can be matched as; warns once per reason for those that cannot. */
function targetsOf(packages: readonly Package[], os: OSInfo | undefined, warn: (m: string) => void): Target[] {
  const out: Target[] = [];
  const noRelease = new Set<string>();
  const noScheme = new Set<string>();
  const families = new Map<string, { matcher?: FamilyMatcher; scheme?: string }>();
  for (const pkg of packages) {
    let family = families.get(pkg.ecosystem);
    if (!family) families.set(pkg.ecosystem, (family = { matcher: matcherFor(pkg.ecosystem), scheme: schemeOf(pkg.ecosystem) }));
    const { matcher, scheme } = family;
    if (!matcher || !scheme) continue;
    const keys = matcher.keys(pkg, os);
    if (keys.length === 0) {
      noRelease.add(pkg.ecosystem);
      continue;
    }
    const version = matcher.version(pkg);
    const problem = unreadable(scheme, version);
    if (problem === 'scheme') {
      noScheme.add(`${pkg.ecosystem} (${scheme})`);
      continue;
    }
    if (problem === 'version') {
      warn(`${pkg.name} ${version}: not a valid ${scheme} version; not matched`);
      continue;
    }
    out.push({ pkg, matcher, scheme, version, keys, names: matcher.names(pkg) });
  }
  for (const family of noRelease) {
    warn(`${family} packages were not matched: the image's ${family} release is ${os ? `not one advisories are filed under (${os.family} ${os.version})` : 'unknown'}`);
  }
  for (const what of noScheme) warn(`${what} packages were not matched: their version scheme is not supported`);
  return out;
}

/**
 * An OS release with this many source packages and not one advisory row is one the database's
 * feeds do not cover (a real system that size always has some history), not a clean image.
 */
export const UNCOVERED_RELEASE_PACKAGES = 10;

/** Advisory rows for every target, one query per ecosystem key. */
function lookup(db: MatchDb, targets: readonly Target[], warn: (m: string) => void): Map<string, Map<string, AffectedRecord[]>> {
  const namesByKey = new Map<string, { names: Set<string>; os: boolean }>();
  for (const t of targets) {
    for (const key of t.keys) {
      let entry = namesByKey.get(key);
      if (!entry) namesByKey.set(key, (entry = { names: new Set(), os: t.matcher.kind === 'os' }));
      for (const n of t.names) entry.names.add(n);
    }
  }
  const out = new Map<string, Map<string, AffectedRecord[]>>();
  for (const [key, { names, os }] of namesByKey) {
    const rows = db.affected(key, [...names]);
    out.set(key, rows);
    if (os && rows.size === 0 && names.size >= UNCOVERED_RELEASE_PACKAGES) {
      warn(`the vulnerability database has no advisories for any of the ${names.size} ${key} packages: its feeds do not seem to cover this release, so no finding does not mean no vulnerability`);
    }
  }
  return out;
}

/** Canonical ID per vulnerability ID: the CVE a GHSA (or other) ID is an alias of, else itself. */
function canonicalIds(db: MatchDb, ids: Iterable<string>): Map<string, string> {
  const others = [...new Set(ids)].filter((id) => !isCve(id));
  const aliases = db.aliasesOf(others);
  const out = new Map<string, string>();
  for (const id of others) {
    const targets = aliases.get(id) ?? [];
    out.set(id, targets.filter(isCve).sort()[0] ?? targets.sort()[0] ?? id);
  }
  return out;
}

interface Decision {
  status: FindingStatus;
  fixedVersion?: string;
  /** The row the status came from. */
  row: AffectedRecord;
  /** Feeds that say the package is affected. */
  sources: string[];
  ids: string[];
}

/**
 * The rows for one (vulnerability, package): for OS packages the best-ranked source that says
 * anything decides (the Debian tracker's "fixed in 1.2-3" outranks an older OSV record); for
 * language packages any source saying affected is enough. Among affected rows a known fix wins,
 * and the highest fix (the version every source agrees is fixed).
 */
function decide(target: Target, hits: readonly Hit[]): Decision | undefined {
  if (hits.length === 1) {
    // The common case: one source, one row.
    const { row, verdict } = hits[0]!;
    if (!verdict.affected || !verdict.status) return undefined;
    const one: Decision = { status: verdict.status, row, sources: [row.source], ids: [row.vulnId] };
    if (verdict.fixedVersion) one.fixedVersion = verdict.fixedVersion;
    return one;
  }
  if (!hits.some((h) => h.verdict.affected)) return undefined;
  let deciding = hits;
  if (target.matcher.kind === 'os') {
    let best = Infinity;
    for (const h of hits) best = Math.min(best, target.matcher.sourceRank(h.row.source));
    deciding = hits.filter((h) => target.matcher.sourceRank(h.row.source) === best);
  }
  const affected = deciding.filter((h) => h.verdict.affected && h.verdict.status);
  if (affected.length === 0) return undefined;
  const sorted = [...affected].sort((a, b) => {
    const s = STATUS_ORDER[a.verdict.status!] - STATUS_ORDER[b.verdict.status!];
    if (s !== 0 || !a.verdict.fixedVersion || !b.verdict.fixedVersion) return s;
    return compare(target.scheme, b.verdict.fixedVersion, a.verdict.fixedVersion);
  });
  const chosen = sorted[0]!;
  const out: Decision = {
    status: chosen.verdict.status!,
    row: chosen.row,
    sources: [...new Set(affected.map((h) => h.row.source))].sort(),
    ids: [...new Set(hits.map((h) => h.row.vulnId))],
  };
  if (chosen.verdict.fixedVersion) out.fixedVersion = chosen.verdict.fixedVersion;
  return out;
}

interface Described {
  ratings: VulnRecord['ratings'];
  aliases: string[];
  cvss: Finding['cvss'];
  kev: boolean;
  epss?: EpssRecord;
  title?: string;
  description?: string;
  cwes: string[];
  publishedAt?: string;
  references: string[];
}

/** What every source says about one vulnerability: texts, ratings, CVSS, KEV and EPSS (by its CVE IDs). */
function describeVuln(records: readonly VulnRecord[], aliases: string[], id: string, kev: Map<string, KevRecord>, epss: Map<string, EpssRecord>): Described {
  // One record (or none) is the common case: its ratings are read, never changed, so no copy.
  const ratings = records.length === 1 ? records[0]!.ratings : records.flatMap((v) => v.ratings);
  let e: EpssRecord | undefined;
  let inKev = false;
  for (let i = -1; i < aliases.length; i++) {
    const c = i < 0 ? id : aliases[i]!;
    if (!isCve(c)) continue;
    e ??= epss.get(c);
    inKev ||= kev.has(c);
  }
  const out: Described = { ratings, aliases, cvss: cvssList(ratings), kev: inKev, cwes: [], references: [] };
  if (e) out.epss = e;
  if (records.length === 0) return out;
  const cwes = new Set<string>();
  const references = new Set<string>();
  let title: string | undefined;
  let description: string | undefined;
  let published: string | undefined;
  for (const v of records) {
    if (v.cwes) for (const c of v.cwes) cwes.add(c);
    if (v.references) for (const r of v.references) references.add(r);
    title ||= v.title;
    description ||= v.description;
    if (v.published && (published === undefined || v.published < published)) published = v.published;
  }
  out.cwes = [...cwes];
  out.references = [...references];
  if (title) out.title = title;
  if (description) out.description = description;
  if (published) out.publishedAt = published;
  return out;
}

/**
 * One vulnerability as its findings describe it: the records of the IDs it was folded from
 * (each once), and every alias they name but the finding's own ID, sorted.
 */
interface VulnGroup {
  related: VulnRecord[];
  aliases: string[];
  described?: Described;
  /** Severities chosen for its findings, one per kind of finding (chooseSeverity's other inputs). */
  choices: Choice[];
}

interface Choice {
  kind: FamilyMatcher['kind'];
  vendor: string | undefined;
  rowSeverity: Severity | undefined;
  rowSource: string | undefined;
  choice: SeverityChoice;
}

function vulnGroup(id: string, ids: readonly string[], vulns: Map<string, VulnRecord>): VulnGroup {
  if (ids.length === 1 && ids[0] === id) {
    // Not folded (the common case): its own record, if the database has one, and that record's aliases.
    const v = vulns.get(id);
    if (!v) return { related: [], aliases: [], choices: [] };
    const aliases = new Set(v.aliases);
    aliases.delete(id);
    return { related: [v], aliases: [...aliases].sort(), choices: [] };
  }
  const related: VulnRecord[] = [];
  const seen = new Set<string>();
  for (let i = -1; i < ids.length; i++) {
    const vid = i < 0 ? id : ids[i]!;
    if (seen.has(vid)) continue;
    seen.add(vid);
    const v = vulns.get(vid);
    if (v) related.push(v);
  }
  const aliases = new Set<string>(ids);
  for (const v of related) for (const a of v.aliases) aliases.add(a);
  aliases.delete(id);
  return { related, aliases: [...aliases].sort(), choices: [] };
}

/**
 * chooseSeverity, once per vulnerability and kind of finding (OS vendor, the row's own
 * severity). A vulnerability nobody rated gives a choice that depends on nothing of its own:
 * that one is made once per kind of finding for all of them (`unrated`).
 */
function severityOf(group: VulnGroup, info: Described, kind: FamilyMatcher['kind'], vendor: string | undefined, rowSeverity: Severity | undefined, rowSource: string | undefined, unrated: Map<string, SeverityChoice>): SeverityChoice {
  for (const c of group.choices) {
    if (c.kind === kind && c.vendor === vendor && c.rowSeverity === rowSeverity && c.rowSource === rowSource) return c.choice;
  }
  const unratedKey = info.ratings.length === 0 ? `${kind}\0${vendor ?? ''}\0${rowSeverity ?? ''}\0${rowSource ?? ''}` : undefined;
  let choice = unratedKey === undefined ? undefined : unrated.get(unratedKey);
  if (!choice) {
    choice = chooseSeverity({
      ratings: info.ratings,
      kind,
      ...(vendor ? { vendor } : {}),
      ...(rowSeverity && rowSource ? { distribution: { source: rowSource, severity: rowSeverity } } : {}),
    });
    if (unratedKey !== undefined) unrated.set(unratedKey, choice);
  }
  group.choices.push({ kind, vendor, rowSeverity, rowSource, choice });
  return choice;
}

/** Who gave a language row its severity: GitHub when the row came from a GHSA record. */
function publisherOfRow(row: AffectedRecord): string {
  return (row.advisory ?? row.vulnId).startsWith('GHSA-') ? 'ghsa' : row.source;
}

const SEVERITY_RANK = new Map(SEVERITIES.map((s, i) => [s, i]));

/**
 * Match an inventory against the database. `os` is the image's OS (OS packages are matched
 * under its release); findings come one per (vulnerability, package), worst severity first.
 */
export function matchInventory(packages: readonly Package[], os: OSInfo | undefined, db: MatchDb, options: MatchOptions = {}): Finding[] {
  const warn = options.onWarning ?? (() => {});
  const targets = targetsOf(packages, os, warn);
  const rows = lookup(db, targets, warn);

  // Evaluate every row; collect hits per target.
  const perTarget: { target: Target; hits: Hit[] }[] = [];
  const allIds = new Set<string>();
  for (const target of targets) {
    const hits: Hit[] = [];
    for (const key of target.keys) {
      const byName = rows.get(key);
      for (const name of target.names) {
        for (const row of byName?.get(name) ?? []) {
          if (target.matcher.applies && !target.matcher.applies(target.pkg, row)) continue;
          hits.push({ row, verdict: evaluateRow(target.scheme, target.version, row) });
          allIds.add(row.vulnId);
        }
      }
    }
    if (hits.length > 0) perTarget.push({ target, hits });
  }

  // Fold aliases, decide per (vulnerability, package).
  const canonical = canonicalIds(db, allIds);
  const decided: { target: Target; id: string; decision: Decision }[] = [];
  for (const { target, hits } of perTarget) {
    if (hits.length === 1) {
      // Most packages have one row per vulnerability; one row is one group.
      const h = hits[0]!;
      const decision = decide(target, hits);
      if (decision) decided.push({ target, id: canonical.get(h.row.vulnId) ?? h.row.vulnId, decision });
      continue;
    }
    const groups = new Map<string, Hit[]>();
    for (const h of hits) {
      const id = canonical.get(h.row.vulnId) ?? h.row.vulnId;
      const g = groups.get(id);
      if (g) g.push(h);
      else groups.set(id, [h]);
    }
    for (const [id, group] of groups) {
      const decision = decide(target, group);
      if (decision) decided.push({ target, id, decision });
    }
  }
  if (decided.length === 0) return [];

  // Enrich. What describes a vulnerability is the same for every package it is found in: work
  // it out once per vulnerability (the IDs a finding was folded from), then KEV and EPSS by CVE ID.
  const vulnIds = new Set<string>();
  for (const d of decided) {
    vulnIds.add(d.id);
    for (const id of d.decision.ids) vulnIds.add(id);
  }
  const vulns = db.vulns([...vulnIds]);
  const groups = new Map<string, VulnGroup>();
  const groupOf: VulnGroup[] = [];
  const cves = new Set<string>();
  for (const { id, decision: { ids } } of decided) {
    const key = ids.length === 1 && ids[0] === id ? id : [id, ...ids].join(' ');
    let group = groups.get(key);
    if (!group) {
      groups.set(key, (group = vulnGroup(id, ids, vulns)));
      if (isCve(id)) cves.add(id);
      for (const a of group.aliases) if (isCve(a)) cves.add(a);
    }
    groupOf.push(group);
  }
  const cveList = [...cves];
  const { kev, epss } = db.kevAndEpss ? db.kevAndEpss(cveList) : { kev: db.kev(cveList), epss: db.epss(cveList) };

  const findings: Finding[] = [];
  const unrated = new Map<string, SeverityChoice>();
  for (let i = 0; i < decided.length; i++) {
    const { target, decision, id } = decided[i]!;
    const group = groupOf[i]!;
    const info = (group.described ??= describeVuln(group.related, group.aliases, id, kev, epss));
    const vendor = target.matcher.vendor?.(target.pkg);
    const rowSeverity = decision.row.severity;
    const rowSource = vendor ?? (rowSeverity ? publisherOfRow(decision.row) : undefined);
    const choice = severityOf(group, info, target.matcher.kind, vendor, rowSeverity, rowSource, unrated);
    const f: Finding = {
      id,
      aliases: info.aliases,
      package: target.pkg.name,
      purl: target.pkg.purl,
      ecosystem: target.pkg.ecosystem,
      installedVersion: target.pkg.version,
      status: decision.status,
      severity: choice.severity,
      severities: choice.severities,
      cvss: info.cvss,
      kev: info.kev,
      sources: decision.sources,
    };
    if (decision.fixedVersion) f.fixedVersion = decision.fixedVersion;
    if (info.epss) {
      f.epss = info.epss.score;
      f.epssPercentile = info.epss.percentile;
    }
    if (info.title) f.title = info.title;
    if (info.description) f.description = info.description;
    if (info.cwes.length) f.cwes = info.cwes;
    if (info.publishedAt) f.publishedAt = info.publishedAt;
    if (info.references.length) f.references = info.references;
    if (target.pkg.layer) f.layer = target.pkg.layer;
    findings.push(f);
  }
  // Sorted by index, with each finding's severity rank looked up once rather than per comparison.
  const rank = findings.map((f) => SEVERITY_RANK.get(f.severity)!);
  const order = findings.map((_, i) => i);
  order.sort((i, j) => rank[i]! - rank[j]! || byCodePoint(findings[i]!.package, findings[j]!.package) || byCodePoint(findings[i]!.id, findings[j]!.id));
  return order.map((i) => findings[i]!);
}
