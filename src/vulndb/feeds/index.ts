/** Feed adapters: each reads one upstream format and yields normalised records (../advisory.ts). */
import { FeedError } from '../../errors.ts';
import type { FeedKind } from '../advisory.ts';
import { alpineSecdbFeed } from './alpine-secdb.ts';
import { cve5Feed } from './cve5.ts';
import { debianTrackerFeed } from './debian-tracker.ts';
import { epssFeed } from './epss.ts';
import type { Feed } from './feed.ts';
import { kevFeed } from './kev.ts';
import { nvdFeed } from './nvd.ts';
import { osvFeed } from './osv.ts';

export const FEEDS: Readonly<Record<FeedKind, Feed>> = {
  osv: osvFeed,
  'debian-tracker': debianTrackerFeed,
  'alpine-secdb': alpineSecdbFeed,
  nvd: nvdFeed,
  cve5: cve5Feed,
  kev: kevFeed,
  epss: epssFeed,
};

export function isFeedKind(kind: string): kind is FeedKind {
  return Object.hasOwn(FEEDS, kind);
}

/** The adapter for a feed kind as `--feed KIND=PATH` names it. */
export function feedFor(kind: string): Feed {
  if (!isFeedKind(kind)) throw new FeedError('FEED_KIND', `unknown feed kind "${kind}" (known: ${Object.keys(FEEDS).join(', ')})`);
  return FEEDS[kind];
}

export { alpineSecdbFeed, cve5Feed, debianTrackerFeed, epssFeed, kevFeed, nvdFeed, osvFeed };
export { feedInfo, feedRun, readAll } from './feed.ts';
export type { Feed, FeedOptions, FeedRun, FeedSource } from './feed.ts';
export { DEFAULT_LIMITS } from './source.ts';
export type { SourceLimits } from './source.ts';
export { osvEcosystem, packageKey, debianRelease, alpineRelease, DEBIAN_RELEASES } from './ecosystems.ts';
export type { EcosystemRef } from './ecosystems.ts';
export type { AffectedPackage, EpssScore, FeedKind, FeedRecord, FeedStats, KevEntry, VulnerabilityInfo } from '../advisory.ts';
export { cvssBaseScore, cvssSeverity, parseCvss } from '../cvss.ts';
export type { CvssVector, CvssVersion } from '../cvss.ts';
