/**
 * RPM versions, `[epoch:]version[-release]`, ordered as rpm's labelCompare orders
 * (epoch, version, release) triples with rpmvercmp: runs of digits compare numerically and beat
 * runs of letters; every other character only separates runs; `~` sorts before everything (even
 * the end), `^` after the end but before anything else.
 */
import { compareDigits, compareStrings, isAlpha, isDigit } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

export interface RpmVersion {
  readonly epoch: string;
  readonly version: string;
  /** undefined when the string has no `-`: a missing release sorts before any release, even ''. */
  readonly release: string | undefined;
}

/**
 * rpm accepts nearly any string as a version, and so does this parse (only empty, over-long or
 * whitespace-bearing strings are refused). The epoch is the part before the first `:` when that
 * part is all digits (`1.m+e2:1` has none); the release follows the last `-`, as in rpm's parseEVR.
 */
export function parseRpm(v: string): RpmVersion | undefined {
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH || /\s/.test(s)) return undefined;
  let epoch = '0';
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0 && /^\d*$/.test(s.slice(0, colon))) {
    epoch = s.slice(0, colon) || '0';
    rest = s.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, version: rest, release: undefined };
  return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}

const TILDE = 126;
const CARET = 94;

/** rpm's rpmvercmp. */
export function rpmvercmp(a: string, b: string): Cmp {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a.charCodeAt(i)) && a.charCodeAt(i) !== TILDE && a.charCodeAt(i) !== CARET) i++;
    while (j < b.length && !isAlnum(b.charCodeAt(j)) && b.charCodeAt(j) !== TILDE && b.charCodeAt(j) !== CARET) j++;
    const ca = i < a.length ? a.charCodeAt(i) : -1;
    const cb = j < b.length ? b.charCodeAt(j) : -1;
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (ca === -1) return -1;
      if (cb === -1) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === -1 || cb === -1) break;
    const numeric = isDigit(ca);
    const run = numeric ? isDigit : isAlpha;
    const si = i;
    while (i < a.length && run(a.charCodeAt(i))) i++;
    const sj = j;
    while (j < b.length && run(b.charCodeAt(j))) j++;
    // a's run cannot be empty (it starts with an alphanumeric); b's can, when the kinds differ.
    if (sj === j) return numeric ? 1 : -1;
    const r = numeric ? compareDigits(a.slice(si, i), b.slice(sj, j)) : compareStrings(a.slice(si, i), b.slice(sj, j));
    if (r !== 0) return r;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function compareRelease(a: string | undefined, b: string | undefined): Cmp {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return rpmvercmp(a, b);
}

export function compareRpm(a: RpmVersion, b: RpmVersion): Cmp {
  return compareDigits(a.epoch, b.epoch) || rpmvercmp(a.version, b.version) || compareRelease(a.release, b.release);
}

export const rpm: VersionScheme<RpmVersion> = { name: 'rpm', parse: parseRpm, compare: compareRpm };
