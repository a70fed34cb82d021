/**
 * Where `portcullis db update` downloads each feed from by default. Each entry is one file; a
 * feed kind may have several (OSV per ecosystem, Alpine per release and repository, NVD per
 * year). `--feed-url KIND=URL` replaces all of one kind's defaults. docs/vulndb.md lists them.
 */
import type { FeedKind } from './advisory.ts';

export interface FeedUrl {
  kind: FeedKind;
  /** File name in the feed cache and in a `--feeds-dir` mirror (`DIR/KIND/NAME`). */
  name: string;
  url: string;
  /** A 404 is expected until it is published (a future release): skipped, not an error. */
  optional?: boolean;
}

/** Order in which kinds are built: affected rows first, then what describes and enriches them. */
export const KIND_ORDER: readonly FeedKind[] = ['osv', 'debian-tracker', 'alpine-secdb', 'nvd', 'cve5', 'kev', 'epss'];

/**
 * Kinds `db update` fetches unless `--feeds` says otherwise. CVE 5 is left out: NVD carries the
 * same CVSS for far fewer bytes, and cvelistV5 has no stable bulk URL (its releases are named by
 * date); give it with `--feeds ...,cve5 --feed-url cve5=URL`.
 */
export const DEFAULT_KINDS: readonly FeedKind[] = ['osv', 'debian-tracker', 'alpine-secdb', 'nvd', 'kev', 'epss'];

/**
 * osv.dev ecosystems fetched by default. Wolfi and Chainguard are not: their advisory data is
 * under a licence that restricts commercial scanners (see docs/vulndb.md); add them by URL.
 */
export const OSV_ECOSYSTEMS = [
  'Debian', 'Ubuntu', 'Alpine', 'AlmaLinux', 'Rocky Linux', 'Red Hat', 'SUSE', 'openSUSE',
  'npm', 'PyPI', 'Go', 'Maven', 'crates.io', 'RubyGems', 'NuGet', 'Packagist',
] as const;

/** Alpine releases whose secdb is fetched by default (older releases remain in the secdb but are long past end of life). */
export const ALPINE_RELEASES = ['v3.16', 'v3.17', 'v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22', 'v3.23', 'edge'] as const;
/**
 * The next releases (Alpine publishes two a year): asked for too, so an image on a new release
 * is covered from the first update after the release without a new Portcullis; until then the
 * secdb answers 404, which skips them.
 */
export const ALPINE_UPCOMING = ['v3.24', 'v3.25', 'v3.26'] as const;

/** NVD's first yearly file, `nvdcve-2.0-2002.json.gz`, also holds everything published before 2002. */
const NVD_FIRST_YEAR = 2002;

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The default download list; NVD's yearly files run to the year of `now`. */
export function defaultFeedUrls(now: Date = new Date()): FeedUrl[] {
  const out: FeedUrl[] = [];
  for (const eco of OSV_ECOSYSTEMS) {
    out.push({ kind: 'osv', name: `${safeName(eco)}.zip`, url: `https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(eco)}/all.zip` });
  }
  out.push({ kind: 'debian-tracker', name: 'tracker.json', url: 'https://security-tracker.debian.org/tracker/data/json' });
  for (const release of [...ALPINE_RELEASES, ...ALPINE_UPCOMING]) {
    const optional = (ALPINE_UPCOMING as readonly string[]).includes(release);
    for (const repo of ['main', 'community']) {
      out.push({ kind: 'alpine-secdb', name: `${release}-${repo}.json`, url: `https://secdb.alpinelinux.org/${release}/${repo}.json`, ...(optional ? { optional } : {}) });
    }
  }
  for (let year = NVD_FIRST_YEAR; year <= now.getUTCFullYear(); year++) {
    out.push({ kind: 'nvd', name: `nvdcve-2.0-${year}.json.gz`, url: `https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-${year}.json.gz` });
  }
  out.push({ kind: 'kev', name: 'known_exploited_vulnerabilities.json', url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json' });
  out.push({ kind: 'epss', name: 'epss_scores-current.csv.gz', url: 'https://epss.cyentia.com/epss_scores-current.csv.gz' });
  return out;
}

/**
 * A cache file name for a URL given with `--feed-url`: its last two path segments
 * (`npm_all.zip`, `v3.20_main.json`), made unique among `taken`.
 */
export function nameForUrl(url: string, taken: ReadonlySet<string>): string {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    path = url;
  }
  const segments = path.split('/').filter(Boolean).slice(-2);
  const base = safeName(segments.join('_')) || 'feed';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${i}-${base}`;
  return name;
}
