/**
 * Debian package versions, `[epoch:]upstream[-revision]`, ordered as dpkg orders them
 * (deb-version(7); dpkg's verrevcmp). Within upstream and revision, non-digit runs compare
 * character by character where `~` sorts before everything (even the end of the string), then
 * the end, then letters, then every other character; digit runs compare numerically.
 */
import { compareDigits, isAlpha, isDigit, sign, stripZeros } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

export interface DebVersion {
  /** Digits only, so epochs of any size compare exactly. */
  readonly epoch: string;
  readonly upstream: string;
  /** '' when the version has no revision; dpkg treats that like '0'. */
  readonly revision: string;
}

/** dpkg keeps the epoch in an int and refuses anything larger. */
const MAX_EPOCH = '2147483647';

/**
 * dpkg's parseversion: what it calls an error is refused (an empty string, embedded spaces, an
 * empty, non-numeric, negative or too large epoch, nothing after the colon, an empty upstream
 * or revision); what it only warns about (an upstream not starting with a digit, characters
 * outside `A-Za-z0-9.+~-:`) is accepted, since `dpkg --compare-versions` compares such versions
 * too and so must we.
 */
export function parseDeb(v: string): DebVersion | undefined {
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH || /\s/.test(s)) return undefined;
  let epoch = '0';
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    // strtol's reading: an optional sign, then digits, and nothing else before the colon.
    const m = /^([+-]?)(\d+)$/.exec(s.slice(0, colon));
    if (!m || (m[1] === '-' && stripZeros(m[2] as string) !== '') || compareDigits(m[2] as string, MAX_EPOCH) > 0) return undefined;
    epoch = m[2] as string;
    rest = s.slice(colon + 1);
    if (rest === '') return undefined;
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (upstream === '' || (hyphen >= 0 && revision === '')) return undefined;
  return { epoch, upstream, revision };
}

/** The weight of one character in a non-digit run; NaN (past the end) weighs 0 like a digit. */
function order(c: number): number {
  if (Number.isNaN(c) || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

/** dpkg's verrevcmp over one part (upstream or revision). */
export function verrevcmp(a: string, b: string): Cmp {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    const si = i;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    const sj = j;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const r = compareDigits(a.slice(si, i), b.slice(sj, j));
    if (r !== 0) return r;
  }
  return 0;
}

export function compareDeb(a: DebVersion, b: DebVersion): Cmp {
  return compareDigits(a.epoch, b.epoch) || verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const deb: VersionScheme<DebVersion> = { name: 'deb', parse: parseDeb, compare: compareDeb };
