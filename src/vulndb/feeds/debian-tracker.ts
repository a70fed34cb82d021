/**
 * The Debian security tracker (https://security-tracker.debian.org/tracker/data/json):
 * `{source package: {CVE: {description, releases: {codename: {status, fixed_version, urgency,
 * nodsa, nodsa_reason}}}}}`, read one package at a time (the file is tens of megabytes).
 *
 * Per release: `resolved` with a fixed version → fixed (version `0`: never affected); `open` →
 * affected, or will_not_fix when the security team decided not to fix it (`nodsa_reason`
 * ignored/postponed), or end_of_life when the release is out of support for that package;
 * `undetermined` → affected until the team decides. The tracker's DSA/DLA/DTSA text lists
 * (see debian-lists.ts) are read too when the source is the tracker's repository or a list file;
 * in a directory they are read before the JSON, so that the JSON's current state comes last.
 */
import { FeedError } from '../../errors.ts';
import type { AffectedPackage, FeedRecord, VulnerabilityInfo } from '../advisory.ts';
import { debianListFacts, isAdvisoryList } from './debian-lists.ts';
import { debianRelease } from './ecosystems.ts';
import { feedRun } from './feed.ts';
import type { Feed, FeedContext, FeedOptions } from './feed.ts';
import { jsonItems } from './json-stream.ts';
import { textLines } from './lines.ts';
import { isObject, severityOfLabel, str } from './normalise.ts';
import { DEFAULT_LIMITS, peek, plainName, sourceEntries, sourceKind } from './source.ts';

const MAX_LINE = 1024 * 1024;

function isList(name: string): boolean {
  return /(^|\/)(DSA|DLA|DTSA)\/list$/.test(name);
}

function isJson(name: string): boolean {
  return plainName(name).endsWith('.json');
}

function releaseFact(ctx: FeedContext, pkg: string, id: string, codename: string, r: Record<string, unknown>): AffectedPackage | undefined {
  const eco = debianRelease(codename);
  if (!eco) {
    ctx.skip('unknown release', `${pkg} ${id}: release "${codename}"`);
    return undefined;
  }
  const status = str(r.status);
  const urgency = str(r.urgency);
  const out: AffectedPackage = {
    type: 'affected', ecosystem: eco.ecosystem, family: eco.family, release: eco.release!, nameKind: 'source',
    package: pkg, vulnId: id, source: 'debian-tracker', status: 'affected', feedEcosystem: codename, feedPackage: pkg,
  };
  if (status === 'resolved') {
    const fixed = str(r.fixed_version);
    if (!fixed) {
      ctx.skip('resolved without fixed version', `${pkg} ${id} ${codename}`);
      return undefined;
    }
    if (fixed === '0') out.status = 'not_affected';
    else {
      out.status = 'fixed';
      out.fixed = fixed;
      out.fixedVersions = [fixed];
      out.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }];
    }
  } else if (status === 'open' || status === 'undetermined') {
    out.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }];
    const nodsa = str(r.nodsa);
    const reason = str(r.nodsa_reason);
    if (urgency === 'end-of-life') out.status = 'end_of_life';
    else if (reason === 'ignored' || reason === 'postponed') out.status = 'will_not_fix';
    if (status === 'undetermined') out.statusReason = 'undetermined';
    else if (reason || nodsa) out.statusReason = [reason ?? 'no-dsa', nodsa].filter(Boolean).join(': ');
  } else {
    ctx.skip('unknown status', `${pkg} ${id} ${codename}: status "${status ?? ''}"`);
    return undefined;
  }
  const severity = severityOfLabel(urgency);
  if (severity) out.severity = severity;
  if (urgency) out.urgency = urgency;
  return out;
}

function* packageFacts(ctx: FeedContext, pkg: string, cves: unknown, described: Set<string>): Generator<FeedRecord> {
  if (!isObject(cves)) {
    ctx.stats.records++;
    ctx.skip('malformed entry', `${pkg}: not an object of CVEs`);
    return;
  }
  for (const [id, info] of Object.entries(cves)) {
    if (!isObject(info)) {
      ctx.stats.records++;
      ctx.skip('malformed entry', `${pkg} ${id}: not an object`);
      continue;
    }
    const description = str(info.description)?.trim();
    if (description && !described.has(id)) {
      // A CVE is listed under every package it affects; describe it once.
      described.add(id);
      const vuln: VulnerabilityInfo = { type: 'vuln', id, aliases: [], ratings: [], sources: ['debian-tracker'], description };
      yield vuln;
    }
    // `releases` is an object of codenames, or [] when the tracker knows of none.
    const releases = isObject(info.releases) ? Object.entries(info.releases) : [];
    for (const [codename, r] of releases) {
      ctx.stats.records++;
      if (!isObject(r)) {
        ctx.skip('malformed entry', `${pkg} ${id} ${codename}: not an object`);
        continue;
      }
      const fact = releaseFact(ctx, pkg, id, codename, r);
      if (fact) yield fact;
    }
  }
}

async function* readJson(ctx: FeedContext, chunks: AsyncIterable<Buffer>, what: string, maxItemBytes: number): AsyncGenerator<FeedRecord> {
  const described = new Set<string>();
  for await (const item of jsonItems(chunks, { what, maxItemBytes })) {
    if (item.key === undefined) {
      ctx.skip('malformed entry', `${what}: the tracker JSON is an object of packages, not an array`);
      continue;
    }
    yield* packageFacts(ctx, item.key, item.value, described);
  }
}

async function* readTracker(ctx: FeedContext, options: FeedOptions): AsyncGenerator<FeedRecord> {
  const maxItem = options.limits?.maxEntryBytes ?? DEFAULT_LIMITS.maxEntryBytes;
  const what = (name: string) => (ctx.path.endsWith(name) ? ctx.path : `${ctx.path}: ${name}`);
  if ((await sourceKind(ctx.path)) === 'file') {
    // One file, named by the user: the tracker JSON or one advisory list, told apart by content.
    for await (const entry of sourceEntries(ctx.path, () => true, options.limits)) {
      const { head, chunks } = await peek(entry.chunks());
      const text = head.toString('utf8', 0, Math.min(head.length, 4096));
      if (isAdvisoryList(text)) yield* debianListFacts(ctx, textLines(chunks, what(entry.name), MAX_LINE));
      else if (/^\s*\{/.test(text)) yield* readJson(ctx, chunks, what(entry.name), maxItem);
      else throw new FeedError('FEED_PARSE', `${ctx.path}: neither the tracker's JSON nor a DSA/DLA/DTSA list`);
    }
    return;
  }
  // A checkout or archive of the tracker: advisory lists first, the JSON (current state) last.
  for await (const entry of sourceEntries(ctx.path, isList, options.limits)) {
    yield* debianListFacts(ctx, textLines(entry.chunks(), what(entry.name), MAX_LINE));
  }
  for await (const entry of sourceEntries(ctx.path, isJson, options.limits)) {
    yield* readJson(ctx, entry.chunks(), what(entry.name), maxItem);
  }
}

export const debianTrackerFeed: Feed = {
  kind: 'debian-tracker',
  read: (source, options = {}) => feedRun('debian-tracker', source, (ctx) => readTracker(ctx, options)),
};
