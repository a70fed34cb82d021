/**
 * npm's range syntax for semver (the `semver` package's README, "Ranges"): `||`-separated sets
 * of space-separated comparators (`<`, `<=`, `>`, `>=`, `=` or none), where each version may be
 * partial or use `x`/`X`/`*` (x-ranges), plus tilde (`~1.2.3`, `~>`), caret (`^1.2.3`) and
 * hyphen (`1.2.3 - 2.3.4`) ranges, all desugared into plain comparators exactly as npm does.
 * A version with a prerelease tag satisfies a set only when one of the set's comparators names
 * a prerelease of the same major.minor.patch (so `>1.2.3-alpha.3` admits `1.2.3-alpha.7` but not
 * `3.4.5-alpha.9`), unless `includePrerelease` is set.
 */
import { MAX_RANGE_LENGTH } from '../types.ts';
import { compareDigits } from '../numbers.ts';
import { compareSemver, type SemVer } from '../semver.ts';
import { opHolds } from './ops.ts';

type Op = '<' | '<=' | '>' | '>=' | '=';
interface Comparator { readonly op: Op; readonly v: SemVer }
/** Comparators that must all hold; an empty set admits any version. */
type ComparatorSet = readonly Comparator[];

export interface NpmRange { readonly sets: readonly ComparatorSet[] }

const NUM = '0|[1-9]\\d*';
const XID = `${NUM}|x|X|\\*`;
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const PRE = `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))`;
const BUILD = '(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)';
/** A partial version: major[.minor[.patch[-pre][+build]]], each number possibly x. */
const XPLAIN = `[v=\\s]*(${XID})(?:\\.(${XID})(?:\\.(${XID})(?:${PRE})?${BUILD}?)?)?`;
const HYPHEN = new RegExp(`^\\s*(${XPLAIN})\\s+-\\s+(${XPLAIN})\\s*$`);
const CARET = new RegExp(`^\\^${XPLAIN}$`);
const TILDE = new RegExp(`^~>?${XPLAIN}$`);
const XRANGE = new RegExp(`^((?:<|>)?=?)\\s*${XPLAIN}$`);
const COMPARATOR_TRIM = new RegExp(`(\\s*)((?:<|>)?=?)\\s*(~>?|${XPLAIN})`, 'g');

interface PartialVersion { M: string | undefined; m: string | undefined; p: string | undefined; pre: string | undefined }

const isX = (id: string | undefined) => !id || id === 'x' || id === 'X' || id === '*';
const inc = (digits: string | undefined) => (BigInt(digits ?? '0') + 1n).toString();

function partial(m: RegExpExecArray, at: number): PartialVersion {
  return { M: m[at], m: m[at + 1], p: m[at + 2], pre: m[at + 3] };
}

/** A comparator from numbers that are known to be present. */
function cmp(op: Op, major: string, minor: string, patch: string, pre?: string): Comparator {
  return { op, v: { major, minor, patch, pre: pre === undefined ? [] : pre.split('.'), build: '' } };
}

const ZERO_PRE = '0';

function caret({ M, m, p, pre }: PartialVersion, incPre: boolean): Comparator[] | null {
  const z = incPre ? ZERO_PRE : undefined;
  if (isX(M)) return null;
  const major = M as string;
  if (isX(m)) return [cmp('>=', major, '0', '0', z), cmp('<', inc(major), '0', '0', ZERO_PRE)];
  const minor = m as string;
  if (isX(p)) {
    if (major === '0') return [cmp('>=', major, minor, '0', z), cmp('<', major, inc(minor), '0', ZERO_PRE)];
    return [cmp('>=', major, minor, '0', z), cmp('<', inc(major), '0', '0', ZERO_PRE)];
  }
  const patch = p as string;
  const low = cmp('>=', major, minor, patch, pre);
  if (major === '0') {
    if (minor === '0') return [low, cmp('<', major, minor, inc(patch), ZERO_PRE)];
    return [low, cmp('<', major, inc(minor), '0', ZERO_PRE)];
  }
  return [low, cmp('<', inc(major), '0', '0', ZERO_PRE)];
}

function tilde({ M, m, p, pre }: PartialVersion, incPre: boolean): Comparator[] | null {
  // With includePrerelease a partial tilde starts at -0, like the x-range it stands for.
  const z = incPre ? ZERO_PRE : undefined;
  if (isX(M)) return null;
  const major = M as string;
  if (isX(m)) return [cmp('>=', major, '0', '0', z), cmp('<', inc(major), '0', '0', ZERO_PRE)];
  const minor = m as string;
  if (isX(p)) return [cmp('>=', major, minor, '0', z), cmp('<', major, inc(minor), '0', ZERO_PRE)];
  return [cmp('>=', major, minor, p as string, pre), cmp('<', major, inc(minor), '0', ZERO_PRE)];
}

/** A comparator whose version may be partial; `null` means any version, [] means none. */
function xrange(gtlt: string, { M, m, p, pre }: PartialVersion, incPre: boolean): Comparator[] | null {
  const xM = isX(M);
  const xm = xM || isX(m);
  const xp = xm || isX(p);
  let op = gtlt === '=' && xp ? '' : gtlt;
  const z = incPre ? ZERO_PRE : undefined;
  if (xM) return op === '>' || op === '<' ? [cmp('<', '0', '0', '0', ZERO_PRE)] : null;
  let major = M as string;
  if (op !== '' && xp) {
    let minor = xm ? '0' : (m as string);
    let patch = '0';
    let zz = z;
    if (op === '>') {
      op = '>=';
      if (xm) {
        major = inc(major);
        minor = '0';
      } else minor = inc(minor);
      patch = '0';
    } else if (op === '<=') {
      op = '<';
      if (xm) major = inc(major);
      else minor = inc(minor);
    }
    if (op === '<') zz = ZERO_PRE;
    return [cmp(op as Op, major, minor, patch, zz)];
  }
  if (xm) return [cmp('>=', major, '0', '0', z), cmp('<', inc(major), '0', '0', ZERO_PRE)];
  if (xp) return [cmp('>=', major, m as string, '0', z), cmp('<', major, inc(m as string), '0', ZERO_PRE)];
  return [cmp((op || '=') as Op, major, m as string, p as string, pre)];
}

function hyphen(from: PartialVersion, to: PartialVersion, incPre: boolean): Comparator[] | null {
  const out: Comparator[] = [];
  const z = incPre ? ZERO_PRE : undefined;
  if (!isX(from.M)) {
    if (isX(from.m)) out.push(cmp('>=', from.M as string, '0', '0', z));
    else if (isX(from.p)) out.push(cmp('>=', from.M as string, from.m as string, '0', z));
    else out.push(cmp('>=', from.M as string, from.m as string, from.p as string, from.pre ?? z));
  }
  if (!isX(to.M)) {
    if (isX(to.m)) out.push(cmp('<', inc(to.M), '0', '0', ZERO_PRE));
    else if (isX(to.p)) out.push(cmp('<', to.M as string, inc(to.m), '0', ZERO_PRE));
    else if (to.pre !== undefined) out.push(cmp('<=', to.M as string, to.m as string, to.p as string, to.pre));
    else if (incPre) out.push(cmp('<', to.M as string, to.m as string, inc(to.p), ZERO_PRE));
    else out.push(cmp('<=', to.M as string, to.m as string, to.p as string));
  }
  return out.length === 0 ? null : out;
}

/** One `||` alternative: its comparators, or null when it admits any version; undefined when invalid. */
function parseSet(text: string, incPre: boolean): ComparatorSet | null | undefined {
  const h = HYPHEN.exec(text);
  if (h) return hyphen(partial(h, 2), partial(h, 7), incPre);
  const trimmed = text
    .replace(COMPARATOR_TRIM, (_all, space: string, op: string, rest: string) => `${space}${op}${rest.replace(/^\s+/, '')}`)
    .replace(/(\s*)~>?\s+/g, '$1~')
    .replace(/(\s*)\^\s+/g, '$1^')
    .trim();
  if (trimmed === '') return null;
  const out: Comparator[] = [];
  let any = false;
  for (const token of trimmed.split(' ')) {
    let m: RegExpExecArray | null;
    let r: Comparator[] | null;
    if ((m = CARET.exec(token))) r = caret(partial(m, 1), incPre);
    else if ((m = TILDE.exec(token))) r = tilde(partial(m, 1), incPre);
    else if ((m = XRANGE.exec(token))) r = xrange(m[1] as string, partial(m, 2), incPre);
    else if (/^(<|>)?=?\s*\*$/.test(token)) r = null;
    else return undefined;
    if (r === null) any = true;
    else out.push(...r);
  }
  return out.length === 0 && any ? null : out;
}

export function parseNpmRange(range: string, includePrerelease = false): NpmRange | undefined {
  if (range.length > MAX_RANGE_LENGTH) return undefined;
  const sets: ComparatorSet[] = [];
  for (const part of range.trim().split(/\s+/).join(' ').split('||')) {
    const set = parseSet(part.trim(), includePrerelease);
    if (set === undefined) return undefined;
    sets.push(set ?? []);
  }
  return { sets };
}

function test(c: Comparator, v: SemVer): boolean {
  return opHolds(c.op, compareSemver(v, c.v));
}

function sameTuple(a: SemVer, b: SemVer): boolean {
  return compareDigits(a.major, b.major) === 0 && compareDigits(a.minor, b.minor) === 0 && compareDigits(a.patch, b.patch) === 0;
}

export function npmSatisfies(v: SemVer, range: NpmRange, includePrerelease = false): boolean {
  return range.sets.some((set) => {
    if (!set.every((c) => test(c, v))) return false;
    if (v.pre.length === 0 || includePrerelease) return true;
    // A prerelease only matches a set that names a prerelease of the same major.minor.patch.
    return set.some((c) => c.v.pre.length > 0 && sameTuple(c.v, v));
  });
}
