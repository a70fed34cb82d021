import type { Analyzer, AnalyzerResult, OSFacts, OSFamily } from '../types.ts';
import { parseKeyValue } from './keyvalue.ts';

/**
 * The OS analyzer: each release file of an image becomes OSFacts on its own (so a file deleted in
 * a later layer takes its facts with it); resolveOS() (os-resolve.ts) combines them.
 */

const OS_RELEASE = new Set(['etc/os-release', 'usr/lib/os-release']);

/** The older, distribution-specific files: path → how to read it. */
const LEGACY: ReadonlyMap<string, (text: string) => OSFacts | undefined> = new Map([
  ['etc/lsb-release', lsbRelease],
  ['etc/alpine-release', alpineRelease],
  ['etc/debian_version', debianVersion],
  ['etc/redhat-release', (t: string) => releaseLine(t, 'redhat-release')],
  ['etc/centos-release', (t: string) => releaseLine(t, 'centos-release')],
  ['etc/system-release', (t: string) => releaseLine(t, 'system-release')],
  ['etc/rocky-release', (t: string) => releaseLine(t, 'other')],
  ['etc/almalinux-release', (t: string) => releaseLine(t, 'other')],
  ['etc/oracle-release', (t: string) => releaseLine(t, 'other')],
  ['etc/fedora-release', (t: string) => releaseLine(t, 'other')],
  ['etc/amazon-linux-release', (t: string) => releaseLine(t, 'other')],
  ['etc/photon-release', photonRelease],
  ['etc/mariner-release', marinerRelease],
  ['etc/SuSE-release', suseRelease],
]);

/** os-release ID → family; IDs shared by several families are refined by NAME in familyOf(). */
const OS_RELEASE_IDS: ReadonlyMap<string, OSFamily> = new Map([
  ['debian', 'debian'], ['ubuntu', 'ubuntu'], ['alpine', 'alpine'],
  ['rhel', 'redhat'], ['centos', 'centos'], ['rocky', 'rocky'], ['almalinux', 'alma'], ['ol', 'oracle'],
  ['fedora', 'fedora'], ['amzn', 'amazon'],
  ['opensuse-leap', 'opensuse-leap'], ['opensuse', 'opensuse-leap'], ['opensuse-tumbleweed', 'opensuse-tumbleweed'],
  ['sles', 'sles'], ['sles_sap', 'sles'],
  ['sle-micro', 'slem'], ['sle-micro-rancher', 'slem'], ['sl-micro', 'slem'], ['suse-microos', 'slem'],
  ['photon', 'photon'], ['wolfi', 'wolfi'], ['chainguard', 'chainguard'],
  ['mariner', 'cbl-mariner'], ['azurelinux', 'azurelinux'], ['bottlerocket', 'bottlerocket'], ['echo', 'echo'],
  ['minimos', 'minimos'], ['coreos', 'coreos'], ['activestate', 'activestate'],
]);

/** Release files are a few hundred bytes; anything much larger is not one. */
const MAX_RELEASE_FILE = 64 * 1024;

export const osAnalyzer: Analyzer = {
  name: 'os',
  version: 1,
  maxFileSize: MAX_RELEASE_FILE,
  wants(path) {
    return OS_RELEASE.has(path) || LEGACY.has(path);
  },
  analyze(path, content) {
    const text = content.toString('utf8');
    const facts = OS_RELEASE.has(path) ? osRelease(text) : LEGACY.get(path)?.(text);
    const result: AnalyzerResult = {};
    if (facts) result.os = facts;
    return result;
  },
};

/**
 * os-release(5). Always returns facts, with no family when the ID is unknown or missing: that
 * the file exists matters to resolveOS (an /etc/os-release hides /usr/lib/os-release).
 */
export function osRelease(text: string): OSFacts {
  const kv = parseKeyValue(text);
  const facts: OSFacts = { source: 'os-release' };
  const family = familyOf(kv.get('ID'), kv.get('NAME') ?? '');
  if (family) facts.family = family;
  const version = kv.get('VERSION_ID');
  if (version) facts.version = version;
  const codename = kv.get('VERSION_CODENAME') || kv.get('UBUNTU_CODENAME') || codenameIn(kv.get('VERSION'));
  if (codename) facts.codename = codename;
  const pretty = kv.get('PRETTY_NAME') || kv.get('NAME');
  if (pretty) facts.prettyName = pretty;
  return facts;
}

function familyOf(id: string | undefined, name: string): OSFamily | undefined {
  if (!id) return undefined;
  const family = OS_RELEASE_IDS.get(id.toLowerCase());
  // CentOS Stream keeps ID=centos; openSUSE before 15 used ID=opensuse for Leap and Tumbleweed.
  if (family === 'centos' && /\bstream\b/i.test(name)) return 'centos-stream';
  if (family === 'opensuse-leap' && /tumbleweed/i.test(name)) return 'opensuse-tumbleweed';
  return family;
}

/** "12 (bookworm)" → bookworm; "22.04.4 LTS (Jammy Jellyfish)" has no single-word codename. */
function codenameIn(version: string | undefined): string | undefined {
  const m = version ? /\(([a-z]+)\)/.exec(version) : null;
  return m?.[1];
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).trim();
}

function lsbRelease(text: string): OSFacts {
  const kv = parseKeyValue(text);
  const facts: OSFacts = { source: 'lsb-release' };
  const id = kv.get('DISTRIB_ID')?.toLowerCase();
  if (id === 'ubuntu' || id === 'debian') facts.family = id;
  const version = kv.get('DISTRIB_RELEASE');
  if (version) facts.version = version;
  const codename = kv.get('DISTRIB_CODENAME');
  if (codename) facts.codename = codename;
  const pretty = kv.get('DISTRIB_DESCRIPTION');
  if (pretty) facts.prettyName = pretty;
  return facts;
}

function alpineRelease(text: string): OSFacts | undefined {
  const line = firstLine(text);
  // 3.20.3, 3.21.0_alpha20240807 (edge)
  return /^\d+\.\d+[0-9A-Za-z._-]*$/.test(line) ? { source: 'alpine-release', family: 'alpine', version: line } : undefined;
}

/** "12.5", or a codename pair on testing/unstable ("trixie/sid") and on Ubuntu ("bookworm/sid"). */
function debianVersion(text: string): OSFacts | undefined {
  const line = firstLine(text);
  return /^[0-9A-Za-z][0-9A-Za-z.+~/_-]*$/.test(line) ? { source: 'debian_version', family: 'debian', version: line } : undefined;
}

/** "<Name> release <version> (<codename>)", the shape of the Red Hat family's release files. */
const RELEASE_NAMES: [RegExp, OSFamily][] = [
  [/^Red Hat Enterprise Linux/i, 'redhat'],
  [/^CentOS Stream/i, 'centos-stream'],
  [/^CentOS/i, 'centos'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'alma'],
  [/^Oracle Linux/i, 'oracle'],
  [/^Fedora/i, 'fedora'],
  [/^Amazon Linux/i, 'amazon'],
];

function releaseLine(text: string, source: OSFacts['source']): OSFacts | undefined {
  const line = firstLine(text);
  const family = RELEASE_NAMES.find(([re]) => re.test(line))?.[1];
  const m = /\brelease\s+(\d[0-9A-Za-z._-]*)/i.exec(line);
  if (!family || !m) return undefined;
  const facts: OSFacts = { source, family, version: m[1]!, prettyName: line };
  const codename = /\(([^)]+)\)\s*$/.exec(line)?.[1];
  if (codename) facts.codename = codename;
  return facts;
}

/** "VMware Photon OS 4.0" (then PHOTON_BUILD_NUMBER=...). */
function photonRelease(text: string): OSFacts | undefined {
  const m = /^VMware Photon(?: OS)?(?:\/Linux)?\s+(\d+\.\d+)/i.exec(firstLine(text));
  return m ? { source: 'other', family: 'photon', version: m[1]! } : undefined;
}

/** "CBL-Mariner 2.0.20220226": the release is major.minor, the rest a build date. */
function marinerRelease(text: string): OSFacts | undefined {
  const m = /^CBL-Mariner\s+(\d+\.\d+)/i.exec(firstLine(text));
  return m ? { source: 'other', family: 'cbl-mariner', version: m[1]! } : undefined;
}

/**
 * SuSE-release (SLES 11/12, openSUSE up to 42.x): a title line, then VERSION = and PATCHLEVEL =.
 * SLES 12 SP3 is 12.3 as its os-release VERSION_ID says.
 */
function suseRelease(text: string): OSFacts | undefined {
  const title = firstLine(text);
  const version = /^\s*VERSION\s*=\s*(\S+)/m.exec(text)?.[1];
  const patch = /^\s*PATCHLEVEL\s*=\s*(\d+)/m.exec(text)?.[1];
  if (!version) return undefined;
  if (/^SUSE Linux Enterprise Server/i.test(title)) {
    return { source: 'other', family: 'sles', version: patch && patch !== '0' ? `${version}.${patch}` : version, prettyName: title };
  }
  if (/^openSUSE Tumbleweed/i.test(title)) return { source: 'other', family: 'opensuse-tumbleweed', version, prettyName: title };
  // openSUSE 13.x and older predate Leap and have no family of their own here.
  if (/^openSUSE/i.test(title) && Number.parseInt(version, 10) >= 42) {
    return { source: 'other', family: 'opensuse-leap', version, prettyName: title };
  }
  return undefined;
}
