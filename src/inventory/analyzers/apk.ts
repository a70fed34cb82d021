import type { Analyzer, RawPackage } from '../types.ts';
import { PackageDbError } from './errors.ts';

/**
 * apk's installed database (apk-tools "installed" format): one "X:value" line per field, a blank
 * line between packages. P name, V version, A arch, o origin (the source package), L license,
 * m maintainer; the file lists (F/R/Z/...) that make up most of the file are skipped.
 */

const PATHS = new Set(['lib/apk/db/installed', 'usr/lib/apk/db/installed']);
const MAX_INSTALLED_FILE = 256 * 1024 * 1024;
const MAX_PACKAGES = 500_000;

export const apkAnalyzer: Analyzer = {
  name: 'apk',
  version: 1,
  maxFileSize: MAX_INSTALLED_FILE,
  wants(path) {
    return PATHS.has(path);
  },
  analyze(_path, content) {
    return { packages: parseApkInstalled(content) };
  },
};

interface Entry {
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
  license?: string;
  maintainer?: string;
}

/** Packages of an installed file; entries without a name or version (apk would not install them) are skipped. */
export function parseApkInstalled(content: Buffer): RawPackage[] {
  const text = content.toString('utf8');
  const packages: RawPackage[] = [];
  let entry: Entry = {};
  let fields = 0;
  const flush = () => {
    if (fields === 0) return;
    const pkg = toPackage(entry);
    if (pkg) {
      if (packages.length >= MAX_PACKAGES) throw new PackageDbError('APK_LIMIT', `apk installed: more than ${MAX_PACKAGES} packages`);
      packages.push(pkg);
    }
    entry = {};
    fields = 0;
  };

  let pos = 0;
  const end = text.length;
  while (pos <= end) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = end;
    let lineEnd = nl;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    if (lineEnd === pos) flush();
    else if (text.charCodeAt(pos + 1) === 0x3a /* ':' */) {
      fields++;
      // Only a few single-letter keys matter; the rest (F, R, Z, a, M, D, p, ...) are skipped unsliced.
      switch (text[pos]) {
        case 'P': entry.name = text.slice(pos + 2, lineEnd); break;
        case 'V': entry.version = text.slice(pos + 2, lineEnd); break;
        case 'A': entry.arch = text.slice(pos + 2, lineEnd); break;
        case 'o': entry.origin = text.slice(pos + 2, lineEnd); break;
        case 'L': entry.license = text.slice(pos + 2, lineEnd); break;
        case 'm': entry.maintainer = text.slice(pos + 2, lineEnd); break;
      }
    }
    pos = nl + 1;
  }
  flush();
  return packages;
}

function toPackage(e: Entry): RawPackage | undefined {
  const name = e.name?.trim();
  const version = e.version?.trim();
  if (!name || !version) return undefined;
  const pkg: RawPackage = { manager: 'apk', name, version };
  if (e.arch?.trim()) pkg.arch = e.arch.trim();
  // The origin is the APKBUILD every subpackage is built from, at the same version; a package
  // without one is its own origin.
  pkg.sourceName = e.origin?.trim() || name;
  pkg.sourceVersion = version;
  const licenses = licensesOf(e.license);
  if (licenses) pkg.licenses = licenses;
  if (e.maintainer?.trim()) pkg.maintainer = e.maintainer.trim();
  return pkg;
}

/**
 * Current APKBUILDs write an SPDX expression ("MIT AND (Apache-2.0 OR BSD-2-Clause)"), which is
 * one license statement; older ones a space-separated list ("MIT BSD GPL2+").
 */
function licensesOf(l: string | undefined): string[] | undefined {
  const s = l?.trim();
  if (!s) return undefined;
  if (/[()]|\s(?:AND|OR|WITH)\s/.test(s)) return [s];
  return s.split(/\s+/);
}
