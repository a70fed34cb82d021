import type { Analyzer, AnalyzerResult, RawPackage } from '../types.ts';
import { PackageDbError } from './errors.ts';

/**
 * dpkg's database: var/lib/dpkg/status (all packages, one stanza each) and, in distroless
 * images, var/lib/dpkg/status.d/ with one file per package (stanzas without a Status field).
 */

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';
/** resolveOS() reads a fact from this directory as "this Debian is distroless". */
export const DISTROLESS_MARKER_DIR = STATUS_D;

/**
 * Files that sit beside the package stanzas in status.d/ but are not stanzas (checksums and
 * maintainer scripts some distroless builders copy there too). Package names cannot end in these:
 * they would have to contain a dot followed by the word, which no archive uses.
 */
const NOT_STANZAS = ['.md5sums', '.sha256sums', '.preinst', '.postinst', '.prerm', '.postrm', '.conffiles', '.list', '.triggers', '.shlibs', '.symbols', '.templates'];

/** A status file of a large desktop install is ~10 MB; far above that is not a status file. */
const MAX_STATUS_FILE = 128 * 1024 * 1024;
const MAX_STANZAS = 500_000;

/**
 * The Status field's third word says where the package's files are. Everything from unpacked on
 * means they are on disk, so the package counts (its vulnerabilities are there, whatever the
 * wanted state); not-installed and config-files leave no program behind.
 */
const FILES_PRESENT = new Set(['installed', 'unpacked', 'half-installed', 'half-configured', 'triggers-awaited', 'triggers-pending']);

export const dpkgAnalyzer: Analyzer = {
  name: 'dpkg',
  version: 1,
  maxFileSize: MAX_STATUS_FILE,
  wants(path) {
    if (path === STATUS) return true;
    if (!path.startsWith(STATUS_D)) return false;
    if (path.length === STATUS_D.length || path.indexOf('/', STATUS_D.length) >= 0) return false;
    for (const suffix of NOT_STANZAS) if (path.endsWith(suffix)) return false;
    return true;
  },
  analyze(path, content) {
    const result: AnalyzerResult = { packages: parseDpkgStatus(content) };
    // Marks the image as distroless for resolveOS (see DISTROLESS_MARKER_DIR).
    if (path.startsWith(STATUS_D)) result.os = { source: 'other' };
    return result;
  },
};

interface Stanza {
  name?: string;
  status?: string;
  version?: string;
  source?: string;
  arch?: string;
  maintainer?: string;
}

/**
 * Installed packages of a dpkg status file (or a status.d file). Stanzas a package manager would
 * reject are skipped, as dpkg itself skips them: no Package, no Version, or a version dpkg cannot
 * parse. A stanza without Status is kept: status.d files have none.
 */
export function parseDpkgStatus(content: Buffer): RawPackage[] {
  const text = content.toString('utf8');
  const packages: RawPackage[] = [];
  let stanza: Stanza = {};
  let fields = 0;
  let stanzas = 0;
  const flush = () => {
    if (fields === 0) return;
    if (++stanzas > MAX_STANZAS) throw new PackageDbError('DPKG_LIMIT', `dpkg status: more than ${MAX_STANZAS} stanzas`);
    const pkg = toPackage(stanza);
    if (pkg) packages.push(pkg);
    stanza = {};
    fields = 0;
  };

  let pos = 0;
  const end = text.length;
  // Position of the next ':' at or after `pos`, found once and reused: a search per line would
  // make a file of colon-less lines quadratic.
  let colonAt = -1;
  while (pos <= end) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = end;
    const first = text.charCodeAt(pos);
    if (first === 0x20 || first === 0x09 || nl === pos || first === 0x0d) {
      // Continuation lines belong to multi-line fields we do not read; a blank line ends a stanza.
      if (isBlank(text, pos, nl)) flush();
    } else {
      if (colonAt < pos) {
        colonAt = text.indexOf(':', pos);
        if (colonAt < 0) colonAt = end + 1;
      }
      if (colonAt < nl) {
        fields++;
        setField(stanza, text.slice(pos, colonAt), text, colonAt + 1, nl);
      }
    }
    pos = nl + 1;
  }
  flush();
  return packages;
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** Values are sliced only for the fields we keep: Description and Depends are most of a file. */
function setField(s: Stanza, key: string, text: string, from: number, to: number): void {
  switch (key) {
    case 'Package': s.name = text.slice(from, to).trim(); return;
    case 'Status': s.status = text.slice(from, to).trim(); return;
    case 'Version': s.version = text.slice(from, to).trim(); return;
    case 'Source': s.source = text.slice(from, to).trim(); return;
    case 'Architecture': s.arch = text.slice(from, to).trim(); return;
    case 'Maintainer': s.maintainer = text.slice(from, to).trim(); return;
  }
  // Field names are case-insensitive (deb822); the spelling above is the one dpkg writes.
  if (key.length > 12) return;
  const canonical = CANONICAL.get(key.toLowerCase());
  if (canonical && canonical !== key) setField(s, canonical, text, from, to);
}

const CANONICAL = new Map(['Package', 'Status', 'Version', 'Source', 'Architecture', 'Maintainer'].map((k) => [k.toLowerCase(), k]));

function toPackage(s: Stanza): RawPackage | undefined {
  if (!s.name || !s.version) return undefined;
  if (s.status !== undefined) {
    const state = s.status.split(/\s+/)[2];
    if (!state || !FILES_PRESENT.has(state)) return undefined;
  }
  const parsed = parseDebVersion(s.version);
  if (!parsed) return undefined;
  const pkg: RawPackage = { manager: 'dpkg', name: s.name, version: s.version };
  if (parsed.epoch !== undefined) pkg.epoch = parsed.epoch;
  if (s.arch) pkg.arch = s.arch;
  // "Source: name" or "Source: name (version)"; without it the source is the binary itself, and
  // without a version in it, the source version is the binary's (deb-src-control(5)).
  let sourceName = s.name;
  let sourceVersion = s.version;
  if (s.source) {
    const open = s.source.indexOf('(');
    if (open < 0) sourceName = s.source;
    else {
      const close = s.source.indexOf(')', open);
      const v = s.source.slice(open + 1, close < 0 ? undefined : close).trim();
      sourceName = s.source.slice(0, open).trim();
      if (v && parseDebVersion(v)) sourceVersion = v;
    }
  }
  if (sourceName) pkg.sourceName = sourceName;
  pkg.sourceVersion = sourceVersion;
  if (s.maintainer) pkg.maintainer = s.maintainer;
  return pkg;
}

const UPSTREAM = /^[A-Za-z0-9.+~:-]+$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

/**
 * Check a version the way dpkg parses it (deb-version(7)): optional numeric epoch before the
 * first colon, revision after the last hyphen, and only the characters each part allows. dpkg
 * only warns when the upstream part does not start with a digit, so that is accepted too.
 */
export function parseDebVersion(v: string): { epoch?: number; upstream: string; revision?: string } | undefined {
  let rest = v;
  let epoch: number | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const e = rest.slice(0, colon);
    if (!/^\d{1,9}$/.test(e)) return undefined;
    epoch = Number(e);
    rest = rest.slice(colon + 1);
  }
  let revision: string | undefined;
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    revision = rest.slice(dash + 1);
    rest = rest.slice(0, dash);
    if (!REVISION.test(revision)) return undefined;
  }
  if (!UPSTREAM.test(rest)) return undefined;
  const out: { epoch?: number; upstream: string; revision?: string } = { upstream: rest };
  if (epoch !== undefined) out.epoch = epoch;
  if (revision !== undefined) out.revision = revision;
  return out;
}
