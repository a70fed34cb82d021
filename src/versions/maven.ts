/**
 * Maven versions, ordered as Maven's ComparableVersion orders them ("Version Order
 * Specification" of the POM reference). A version is split at `.`, `-` and letter/digit
 * transitions into items: numbers (compared numerically), qualifiers (alpha = a < beta = b <
 * milestone = m < rc = cr < snapshot < "" = ga = final = release < sp < any other, the others in
 * lexical order, all case-insensitive; the one-letter forms only right before a digit), and
 * sub-lists opened by `-` or a letter/digit transition. Null items (0, "", empty lists) are
 * dropped from the end of each list, so 1.0 = 1 = 1-ga; a number beats a sub-list, which beats a
 * qualifier (1.1 > 1-1 > 1-sp), and a missing item counts as null.
 *
 * ComparableVersion's rules moved between Maven releases. `maven` follows Maven 3.8.6, the
 * implementation the reference orderings were generated with, plus one rule of the POM
 * reference that later Mavens also apply: dropping a null prefix does not leave an extra level
 * of nesting (1-ga-1 = 1-1). Maven 3.8.7 (Debian 12's maven-artifact) additionally reads a
 * qualifier after a dot as if after a hyphen (1.0.RC1 = 1.0-RC1, MNG-7559); `mavenWith` builds
 * either, and the differential test holds the 3.8.7 variant to Debian's jar.
 */
import { compareDigits, compareStrings, isDigit, stripZeros } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

type Item = NumItem | StrItem | ListItem;
interface NumItem { readonly t: 'num'; readonly v: string }
/** `key` orders qualifiers by plain string comparison (see qualifierKey). */
interface StrItem { readonly t: 'str'; readonly v: string; readonly key: string }
interface ListItem { readonly t: 'list'; readonly items: Item[] }

export interface MavenVersion {
  readonly items: ListItem;
}

export interface MavenRules {
  /** Maven 3.8.7+: a qualifier after `.` opens a sub-list as if after `-` (1.0.0.X1 < 1.0.0-X2). */
  readonly dotQualifierAsHyphen: boolean;
  /** POM reference / Maven 4: a sub-list left holding only a sub-list is that sub-list (1-ga-1 = 1-1). */
  readonly flattenNullPrefix: boolean;
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_INDEX = '5';

/** A string whose plain order is the qualifier order: known ones by rank, then the rest lexically. */
function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function str(value: string, followedByDigit: boolean): StrItem {
  let v = value;
  if (followedByDigit && v.length === 1) v = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[v] ?? v;
  if (v === 'cr') v = 'rc';
  else if (v === 'ga' || v === 'final' || v === 'release') v = '';
  return { t: 'str', v, key: qualifierKey(v) };
}

function num(digits: string): NumItem {
  return { t: 'num', v: stripZeros(digits) || '0' };
}

function isNull(item: Item): boolean {
  if (item.t === 'num') return item.v === '0';
  if (item.t === 'str') return item.v === '';
  return item.items.length === 0;
}

/** Drops null items from the end, looking through trailing sub-lists. */
function normalize(list: ListItem, rules: MavenRules, root: boolean): void {
  const items = list.items;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as Item;
    if (isNull(item)) items.splice(i, 1);
    else if (item.t !== 'list') break;
  }
  if (rules.flattenNullPrefix && !root && items.length === 1 && items[0]?.t === 'list') items.splice(0, 1, ...items[0].items);
}

function parseWith(v: string, rules: MavenRules): MavenVersion | undefined {
  const s = v.trim().toLowerCase();
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH || /\s/.test(s)) return undefined;
  const root: ListItem = { t: 'list', items: [] };
  const stack: ListItem[] = [root];
  let list = root;
  const open = () => {
    const sub: ListItem = { t: 'list', items: [] };
    list.items.push(sub);
    list = sub;
    stack.push(sub);
  };
  const item = (digit: boolean, buf: string): Item => (digit ? num(buf) : str(buf, false));
  let digit = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */ || c === 45 /* - */) {
      list.items.push(i === start ? num('0') : item(digit, s.slice(start, i)));
      start = i + 1;
      if (c === 45) open();
    } else if (isDigit(c)) {
      if (!digit && i > start) {
        if (rules.dotQualifierAsHyphen && list.items.length > 0) open();
        list.items.push(str(s.slice(start, i), true));
        start = i;
        open();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list.items.push(num(s.slice(start, i)));
        start = i;
        open();
      }
      digit = false;
    }
  }
  if (s.length > start) {
    if (rules.dotQualifierAsHyphen && !digit && list.items.length > 0) open();
    list.items.push(item(digit, s.slice(start)));
  }
  // Innermost lists first, as ComparableVersion pops its stack.
  while (stack.length > 0) normalize(stack.pop() as ListItem, rules, stack.length === 0);
  return { items: root };
}

/** ComparableVersion's Item.compareTo, where null stands for "nothing left on this side". */
function compareItem(a: Item, b: Item | null): Cmp {
  switch (a.t) {
    case 'num':
      if (b === null) return a.v === '0' ? 0 : 1;
      return b.t === 'num' ? compareDigits(a.v, b.v) : 1;
    case 'str':
      if (b === null) return compareStrings(a.key, RELEASE_INDEX);
      return b.t === 'str' ? compareStrings(a.key, b.key) : -1;
    case 'list':
      if (b === null) {
        for (const x of a.items) {
          const r = compareItem(x, null);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.t === 'num') return -1;
      if (b.t === 'str') return 1;
      for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
        const l = a.items[i];
        const r = b.items[i] ?? null;
        const result = l === undefined ? (r === null ? 0 : (-compareItem(r, null) as Cmp)) : compareItem(l, r);
        if (result !== 0) return result;
      }
      return 0;
  }
}

export function compareMaven(a: MavenVersion, b: MavenVersion): Cmp {
  return compareItem(a.items, b.items);
}

/** A Maven scheme under the given rules (see the top of this file). */
export function mavenWith(rules: MavenRules): VersionScheme<MavenVersion> {
  return { name: 'maven', parse: (v) => parseWith(v, rules), compare: compareMaven };
}

export const maven: VersionScheme<MavenVersion> = mavenWith({ dotQualifierAsHyphen: false, flattenNullPrefix: true });

export const parseMaven = maven.parse;

/** Maven 3.8.7's rules, as Debian 12's maven-artifact jar implements them. */
export const maven387: VersionScheme<MavenVersion> = mavenWith({ dotQualifierAsHyphen: true, flattenNullPrefix: false });
