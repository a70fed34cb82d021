/**
 * The Debian security tracker's advisory lists (`data/DSA/list`, `data/DLA/list`,
 * `data/DTSA/list` in its repository):
 *
 *     [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *     	{CVE-2023-1393}
 *     	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *
 * Each advisory fixes its CVEs in the listed source package version of each release
 * (`<not-affected>` instead of a version: that release never had the flaw). DTSA lines carry an
 * urgency in parentheses; NOTE lines are prose.
 */
import type { AffectedPackage } from '../advisory.ts';
import { debianRelease } from './ecosystems.ts';
import type { FeedContext } from './feed.ts';
import { cvesInText, isoTimestamp, severityOfLabel } from './normalise.ts';

const HEADER = /^\[([^\]]+)\]\s+((?:DSA|DLA|DTSA)-\d+(?:-\d+)?)\b/;
const CVES = /^\s+\{([^}]*)\}\s*$/;
const PACKAGE = /^\s+\[([A-Za-z-]+)\]\s+-\s+(\S+)\s+(\S+)(?:\s+\(([^)]*)\))?/;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `29 Mar 2023` (DSA, DLA) or `August 26th, 2005` (old DTSA) → `2023-03-29`. */
export function listDate(text: string): string | undefined {
  const a = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$/.exec(text.trim());
  const b = /^([A-Za-z]{3})[a-z]* (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(text.trim());
  const [day, month, year] = a ? [a[1], a[2], a[3]] : b ? [b[2], b[1], b[3]] : [];
  const m = MONTHS.indexOf((month ?? '').toLowerCase());
  if (m < 0 || !day || !year) return undefined;
  return isoTimestamp(`${year}-${String(m + 1).padStart(2, '0')}-${day.padStart(2, '0')}`);
}

interface Advisory {
  id: string;
  date?: string;
  cves: string[];
  lines: { codename: string; pkg: string; version: string; note?: string }[];
}

function* advisoryFacts(ctx: FeedContext, adv: Advisory): Generator<AffectedPackage> {
  ctx.stats.records++;
  ctx.recordTimestamp(adv.date);
  if (adv.cves.length === 0) {
    ctx.skip('advisory without CVE'); // regression updates, notices, end-of-life announcements
    return;
  }
  for (const line of adv.lines) {
    const eco = debianRelease(line.codename);
    if (!eco) {
      ctx.skip('unknown release', `${adv.id}: release "${line.codename}"`);
      continue;
    }
    const status = line.version.startsWith('<') ? line.version.slice(1, -1) : undefined;
    if (status !== undefined && status !== 'not-affected') {
      ctx.skip('advisory line without fixed version', `${adv.id}: ${line.pkg} ${line.version}`);
      continue;
    }
    for (const cve of adv.cves) {
      const out: AffectedPackage = {
        type: 'affected', ecosystem: eco.ecosystem, family: eco.family, release: eco.release!, nameKind: 'source',
        package: line.pkg, vulnId: cve, source: 'debian-tracker', status: status ? 'not_affected' : 'fixed',
        feedEcosystem: line.codename, feedPackage: line.pkg, advisory: adv.id,
      };
      if (!status) {
        out.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: line.version }] }];
        out.fixed = line.version;
        out.fixedVersions = [line.version];
      }
      const severity = severityOfLabel(line.note);
      if (severity) {
        out.severity = severity;
        out.urgency = line.note!;
      }
      if (adv.date) out.modified = adv.date;
      yield out;
    }
  }
}

/** Affected records from a DSA/DLA/DTSA list, one advisory at a time. */
export async function* debianListFacts(ctx: FeedContext, lines: AsyncIterable<string>): AsyncGenerator<AffectedPackage> {
  let current: Advisory | undefined;
  for await (const line of lines) {
    const header = HEADER.exec(line);
    if (header) {
      if (current) yield* advisoryFacts(ctx, current);
      current = { id: header[2]!, cves: [], lines: [] };
      const date = listDate(header[1]!);
      if (date) current.date = date;
      continue;
    }
    if (!current) continue;
    const cves = CVES.exec(line);
    if (cves) {
      current.cves.push(...cvesInText(cves[1]!).filter((c) => !current!.cves.includes(c)));
      continue;
    }
    const pkg = PACKAGE.exec(line);
    if (pkg) {
      const entry: Advisory['lines'][number] = { codename: pkg[1]!, pkg: pkg[2]!, version: pkg[3]! };
      if (pkg[4]) entry.note = pkg[4];
      current.lines.push(entry);
    }
  }
  if (current) yield* advisoryFacts(ctx, current);
}

/** Does this text look like an advisory list (its first non-blank line an advisory header)? */
export function isAdvisoryList(head: string): boolean {
  const first = head.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && HEADER.test(first);
}
