/**
 * Alpine (apk) versions: `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`
 * (apk-package(5)). Parts compare in that order:
 * - numbers: the first numerically; later ones numerically unless either has a leading zero, in
 *   which case as strings (the Gentoo rule apk follows: 1.01 < 1.1, 1.010 > 1.01); more numbers
 *   win (1.2 < 1.2.0);
 * - the letter: none < a < ... < z;
 * - suffixes, pairwise: _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p,
 *   then the suffix's number (none < 0 < 1);
 * - the commit hash: none < any, then as strings;
 * - the revision -rN: numerically, where no revision and an empty `-r` count as -r0.
 * `apk version -t` also orders strings outside that grammar. Like apk-tools, this parse accepts
 * them and keeps what it could not read: text left before the revision makes a version
 * "invalid", text left after a revision "trailing"; when everything readable is equal, two
 * invalid versions compare as plain strings (apk's fallback) and otherwise the one with
 * unreadable text sorts lower. On such strings the order is not fully transitive (`1-ruff`
 * equals both `1--a` and `1--b`, which differ, as the reference orderings' `1-ruff2 = 1--ruff1`
 * implies); on versions that follow the grammar it is.
 */
import { compareDigits, compareStrings, isDigit, sign } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

/** Weights of the suffixes; 4 is "no suffix". */
const SUFFIXES: Record<string, number> = { alpha: 0, beta: 1, pre: 2, rc: 3, cvs: 5, svn: 6, git: 7, hg: 8, p: 9 };
const NO_SUFFIX = 4;
const SUFFIX_RE = /^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/;

interface ApkSuffix {
  readonly weight: number;
  /** undefined when the suffix has no number. */
  readonly number: string | undefined;
}

export interface ApkVersion {
  readonly original: string;
  readonly numbers: readonly string[];
  readonly letter: string;
  readonly suffixes: readonly ApkSuffix[];
  readonly hash: string | undefined;
  readonly revision: string | undefined;
  /** Text that could not be read before the revision. */
  readonly invalid: boolean;
  /** Text that could not be read after the revision. */
  readonly trailing: boolean;
}

export function parseApk(v: string): ApkVersion | undefined {
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH || /\s/.test(s)) return undefined;
  let i = 0;
  const numbers: string[] = [];
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    const start = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    numbers.push(s.slice(start, i));
    // A dot after a number is consumed even when no number follows (apk accepts `1.`).
    if (s[i] === '.') i++;
  }
  let letter = '';
  const l = s.charCodeAt(i);
  if (l >= 97 && l <= 122) {
    letter = s[i] as string;
    i++;
  }
  const suffixes: ApkSuffix[] = [];
  for (let m = SUFFIX_RE.exec(s.slice(i)); m; m = SUFFIX_RE.exec(s.slice(i))) {
    suffixes.push({ weight: SUFFIXES[m[1] as string] as number, number: m[2] === '' ? undefined : m[2] });
    i += m[0].length;
  }
  let hash: string | undefined;
  const h = /^~([0-9a-f]+)/.exec(s.slice(i));
  if (h) {
    hash = h[1];
    i += h[0].length;
  }
  let revision: string | undefined;
  let invalid = false;
  let trailing = false;
  if (i < s.length) {
    const r = /^-r(\d*)/.exec(s.slice(i));
    if (r) {
      revision = r[1] as string;
      i += r[0].length;
      trailing = i < s.length;
    } else {
      invalid = true;
    }
  }
  return { original: s, numbers, letter, suffixes, hash, revision, invalid, trailing };
}

function compareNumber(a: string, b: string, index: number): Cmp {
  if (index > 0 && (a.startsWith('0') || b.startsWith('0'))) return compareStrings(a, b);
  return compareDigits(a, b);
}

function compareNumbers(a: readonly string[], b: readonly string[]): Cmp {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareNumber(a[i] as string, b[i] as string, i);
    if (r !== 0) return r;
  }
  return sign(a.length - b.length);
}

/** Absent sorts first, then the values in the given order. */
function compareOptional(a: string | undefined, b: string | undefined, cmp: (x: string, y: string) => Cmp): Cmp {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return cmp(a, b);
}

function compareSuffix(a: ApkSuffix, b: ApkSuffix): Cmp {
  return sign(a.weight - b.weight) || compareOptional(a.number, b.number, compareDigits);
}

const NONE: ApkSuffix = { weight: NO_SUFFIX, number: undefined };

function compareSuffixes(a: readonly ApkSuffix[], b: readonly ApkSuffix[]): Cmp {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareSuffix(a[i] ?? NONE, b[i] ?? NONE);
    if (r !== 0) return r;
  }
  return 0;
}

export function compareApk(a: ApkVersion, b: ApkVersion): Cmp {
  const r =
    compareNumbers(a.numbers, b.numbers) ||
    compareStrings(a.letter, b.letter) ||
    compareSuffixes(a.suffixes, b.suffixes) ||
    compareOptional(a.hash, b.hash, compareStrings) ||
    compareDigits(a.revision ?? '', b.revision ?? '');
  if (r !== 0) return r;
  // What could be read is equal. Two strings apk calls invalid fall back to plain string order,
  // as apk does; otherwise a version with unreadable text sorts below one without.
  if (a.invalid && b.invalid) return compareStrings(a.original, b.original);
  return sign(Number(b.invalid || b.trailing) - Number(a.invalid || a.trailing));
}

export const apk: VersionScheme<ApkVersion> = { name: 'apk', parse: parseApk, compare: compareApk };
