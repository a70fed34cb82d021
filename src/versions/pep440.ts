/**
 * Python package versions (PEP 440, as the `packaging` library reads them): an optional epoch
 * `N!`, a release `1.2.3` (trailing zeros do not count: 1.0 = 1), then optional pre-release
 * (a/alpha, b/beta, rc/c/pre/preview), post-release (`.postN`, `-N`, rev, r) and dev release, and
 * a local label `+ubuntu.1`. Spellings are normalised as `packaging` does (case, `-`/`_`/`.`
 * separators, implicit 0). Order: dev-only releases < pre-releases < the release < post-releases,
 * each with its dev releases first; a local label sorts after the same public version.
 *
 * Strings that are not PEP 440 versions (`2013-01-21T20:33:09+0100`, `0.9-doduo`) still appear
 * in feeds, so they are read as `packaging`'s LegacyVersion read them before it was removed
 * (setuptools' old rules): they sort before every PEP 440 version and among themselves by
 * setuptools' part-wise key.
 */
import { compareDigits, compareStrings, sign, stripZeros } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

type Local = readonly (string | { num: string })[];

export interface Pep440Version {
  readonly legacy: false;
  readonly epoch: string;
  /** Release numbers without trailing zeros, for ordering ('' stands for 0). */
  readonly release: readonly string[];
  /** Every release number as written, normalised ('0', '12'). */
  readonly segments: readonly string[];
  readonly pre: { readonly letter: 'a' | 'b' | 'rc'; readonly n: string } | undefined;
  readonly post: string | undefined;
  readonly dev: string | undefined;
  readonly local: Local | undefined;
}

export interface LegacyPythonVersion {
  readonly legacy: true;
  readonly parts: readonly string[];
}

export type PythonVersion = Pep440Version | LegacyPythonVersion;

const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(\\d+)!)?' + // epoch
    '(\\d+(?:\\.\\d+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?' + // pre
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' + // post
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' + // dev
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local
    '\\s*$',
  'i',
);

const PRE_LETTER: Record<string, 'a' | 'b' | 'rc'> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' };

/** The strict PEP 440 reading, or undefined. */
export function parsePep440Strict(v: string): Pep440Version | undefined {
  if (v.length === 0 || v.length > MAX_VERSION_LENGTH) return undefined;
  const m = PATTERN.exec(v);
  if (!m) return undefined;
  const [, epoch, release, preL, preN, postN1, postL, postN2, devL, devN, local] = m;
  const segments = (release as string).split('.').map((x) => stripZeros(x) || '0');
  let n = segments.length;
  while (n > 0 && segments[n - 1] === '0') n--;
  return {
    legacy: false,
    epoch: stripZeros(epoch ?? ''),
    release: segments.slice(0, n).map((x) => (x === '0' ? '' : x)),
    segments,
    pre: preL === undefined ? undefined : { letter: PRE_LETTER[preL.toLowerCase()] as 'a' | 'b' | 'rc', n: stripZeros(preN ?? '') },
    post: postN1 !== undefined ? stripZeros(postN1) : postL !== undefined ? stripZeros(postN2 ?? '') : undefined,
    dev: devL === undefined ? undefined : stripZeros(devN ?? ''),
    local: local === undefined ? undefined : local.toLowerCase().split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? { num: stripZeros(p) } : p)),
  };
}

const LEGACY_SPLIT = /(\d+|[a-z]+|\.|-)/;
const LEGACY_REPLACE: Record<string, string> = { pre: 'c', preview: 'c', '-': 'final-', rc: 'c', dev: '@' };

/** setuptools' legacy key: numbers zero-padded to 8, words prefixed `*`, `*final` at the end. */
function legacyParts(v: string): string[] {
  const parts: string[] = [];
  const push = (part: string) => {
    if (part.startsWith('*')) {
      // A prerelease word drops the `final-` a hyphen left before it; any word drops trailing zeros.
      if (part < '*final') while (parts.at(-1) === '*final-') parts.pop();
      while (parts.at(-1) === '00000000') parts.pop();
    }
    parts.push(part);
  };
  for (const raw of v.toLowerCase().split(LEGACY_SPLIT)) {
    const part = LEGACY_REPLACE[raw] ?? raw;
    if (part === '' || part === '.') continue;
    push(/^\d/.test(part) ? part.padStart(8, '0') : `*${part}`);
  }
  push('*final');
  return parts;
}

export function parsePython(v: string): PythonVersion | undefined {
  if (v.length === 0 || v.length > MAX_VERSION_LENGTH || /[\s\p{Cc}]/u.test(v.trim()) || v.trim() === '') return undefined;
  return parsePep440Strict(v) ?? { legacy: true, parts: legacyParts(v.trim()) };
}

function compareNumberLists(a: readonly string[], b: readonly string[]): Cmp {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = compareDigits(a[i] as string, b[i] as string);
    if (r !== 0) return r;
  }
  return sign(a.length - b.length);
}

/** packaging's _cmpkey, component by component. -Infinity/Infinity are encoded by rank. */
function preKey(v: Pep440Version): [number, string, string] {
  if (v.pre === undefined && v.post === undefined && v.dev !== undefined) return [-1, '', ''];
  if (v.pre === undefined) return [1, '', ''];
  return [0, v.pre.letter, v.pre.n];
}

function comparePep440(a: Pep440Version, b: Pep440Version): Cmp {
  const r = compareDigits(a.epoch, b.epoch) || compareNumberLists(a.release, b.release);
  if (r !== 0) return r;
  const [ar, al, an] = preKey(a);
  const [br, bl, bn] = preKey(b);
  const pre = sign(ar - br) || compareStrings(al, bl) || compareDigits(an, bn);
  if (pre !== 0) return pre;
  // post: absent is -Infinity; dev: absent is +Infinity.
  const post = a.post === undefined || b.post === undefined ? sign(Number(a.post !== undefined) - Number(b.post !== undefined)) : compareDigits(a.post, b.post);
  if (post !== 0) return post;
  const dev = a.dev === undefined || b.dev === undefined ? sign(Number(a.dev === undefined) - Number(b.dev === undefined)) : compareDigits(a.dev, b.dev);
  if (dev !== 0) return dev;
  return compareLocal(a.local, b.local);
}

/** No label < any label; segment-wise, numbers beat words, numbers numerically, words lexically; longer wins. */
function compareLocal(a: Local | undefined, b: Local | undefined): Cmp {
  if (a === undefined || b === undefined) return sign(Number(a !== undefined) - Number(b !== undefined));
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as Local[number];
    const y = b[i] as Local[number];
    const r =
      typeof x === 'string' && typeof y === 'string' ? compareStrings(x, y)
      : typeof x === 'string' ? -1
      : typeof y === 'string' ? 1
      : compareDigits(x.num, y.num);
    if (r !== 0) return r;
  }
  return sign(a.length - b.length);
}

export function comparePython(a: PythonVersion, b: PythonVersion): Cmp {
  if (a.legacy || b.legacy) {
    if (!a.legacy || !b.legacy) return a.legacy ? -1 : 1;
    for (let i = 0; i < Math.min(a.parts.length, b.parts.length); i++) {
      const r = compareStrings(a.parts[i] as string, b.parts[i] as string);
      if (r !== 0) return r;
    }
    return sign(a.parts.length - b.parts.length);
  }
  return comparePep440(a, b);
}

/** The normalised form `packaging` prints (Version.__str__), optionally without the local label. */
export function pep440String(v: Pep440Version, local = true): string {
  let out = v.epoch === '' ? '' : `${v.epoch}!`;
  out += v.segments.join('.');
  if (v.pre) out += `${v.pre.letter}${v.pre.n || '0'}`;
  if (v.post !== undefined) out += `.post${v.post || '0'}`;
  if (v.dev !== undefined) out += `.dev${v.dev || '0'}`;
  if (local && v.local) out += `+${v.local.map((x) => (typeof x === 'string' ? x : x.num || '0')).join('.')}`;
  return out;
}

export const pep440: VersionScheme<PythonVersion> = { name: 'pep440', parse: parsePython, compare: comparePython };
