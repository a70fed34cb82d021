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
  const buf = content;
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

  // Bytes, not a decoded string: most of a status file is Description and Depends text that is
  // never read, so only the values kept are decoded (and Buffer.indexOf is a memchr).
  const end = buf.length;
  let pos = 0;
  // Position of the next ':' at or after `pos`, found once and reused: a search per line would
  // make a file of colon-less lines quadratic.
  let colonAt = -1;
  while (pos < end) {
    let nl = buf.indexOf(0x0a, pos);
    if (nl < 0) nl = end;
    const first = buf[pos];
    if (first === 0x20 || first === 0x09 || first === 0x0d || nl === pos) {
      // Continuation lines belong to multi-line fields we do not read; a blank line ends a stanza.
      if (isBlank(buf, pos, nl)) flush();
    } else {
      if (colonAt < pos) {
        colonAt = buf.indexOf(0x3a, pos);
        if (colonAt < 0) colonAt = end;
      }
      if (colonAt < nl) {
        fields++;
        const field = fieldAt(buf, pos, colonAt);
        if (field) stanza[field] = buf.toString('utf8', colonAt + 1, nl).trim();
      }
    }
    pos = nl + 1;
  }
  flush();
  return packages;
}

function isBlank(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** The fields we keep, by the lower-case bytes of their names. */
const FIELDS: readonly [Uint8Array, keyof Stanza][] = ([
  ['package', 'name'], ['status', 'status'], ['version', 'version'], ['source', 'source'],
  ['architecture', 'arch'], ['maintainer', 'maintainer'],
] as const).map(([k, f]) => [Buffer.from(k, 'latin1'), f]);

/**
 * Which kept field the name in buf[from, to) is, case-insensitively (deb822 field names are).
 * The names are letters only, so OR-ing 0x20 folds case without matching anything else.
 */
function fieldAt(buf: Buffer, from: number, to: number): keyof Stanza | undefined {
  const len = to - from;
  outer: for (const [name, field] of FIELDS) {
    if (name.length !== len) continue;
    for (let i = 0; i < len; i++) if ((buf[from + i]! | 0x20) !== name[i]) continue outer;
    return field;
  }
  return undefined;
}

function toPackage(s: Stanza): RawPackage | undefined {
  if (!s.name || !s.version) return undefined;
  if (s.status !== undefined) {
    // "want flag state", e.g. "install ok installed".
    const words = s.status.split(' ').filter(Boolean);
    if (words.length !== 3 || !FILES_PRESENT.has(words[2]!)) return undefined;
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
