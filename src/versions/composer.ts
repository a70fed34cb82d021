/**
 * Composer (Packagist) versions, ordered as PHP's version_compare orders them once a leading
 * `v`/`V` is dropped (the ordering Packagist's reference data was produced with): `-`, `_` and
 * `+` become `.`, a `.` is inserted wherever digits meet other characters, and the parts compare
 * in turn, numbers numerically, words by their stability: dev < alpha = a < beta = b < RC = rc <
 * (a number) < pl = p, any other word below dev. When one version runs out, a further number
 * makes the longer one greater and a further word is weighed against a number (1.0rc1 < 1.0 <
 * 1.0pl1, 1.0 < 1.0.0).
 *
 * `dev-<branch>` versions name branches, not releases; like any word starting with `dev` they
 * sort below every numbered version, and two branches compare by name.
 */
import { compareDigits, compareStrings, isDigit, sign } from './numbers.ts';
import { MAX_VERSION_LENGTH, type Cmp, type VersionScheme } from './types.ts';

export interface ComposerVersion {
  readonly parts: readonly string[];
  /** The branch name of a `dev-` version. */
  readonly branch: string | undefined;
}

export function parseComposer(v: string): ComposerVersion | undefined {
  const s = v.trim().replace(/^[vV]/, '');
  if (s.length === 0 || s.length > MAX_VERSION_LENGTH || /[\s\p{Cc}]/u.test(s)) return undefined;
  const canonical = s.replace(/[-_+]/g, '.').replace(/(\d)(?=[^\d.])|([^\d.])(?=\d)/g, '$1$2.');
  const branch = /^dev-/i.test(s) ? s.slice(4) : undefined;
  return { parts: canonical.split('.'), branch };
}

/** PHP's compare_special_version_forms: a word's weight by its prefix; `#` stands for a number. */
function weight(word: string): number {
  if (word.startsWith('dev')) return 0;
  if (word.startsWith('a')) return 1;
  if (word.startsWith('b')) return 2;
  if (word.startsWith('RC') || word.startsWith('rc')) return 3;
  if (word.startsWith('#')) return 4;
  if (word.startsWith('p')) return 5;
  return -1;
}

const isNumber = (part: string) => part.length > 0 && isDigit(part.charCodeAt(0));

function compareParts(a: readonly string[], b: readonly string[]): Cmp {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const r =
      isNumber(x) && isNumber(y) ? compareDigits(x, y)
      : sign(weight(isNumber(x) ? '#' : x) - weight(isNumber(y) ? '#' : y));
    if (r !== 0) return r;
  }
  if (a.length > n) return isNumber(a[n] as string) ? 1 : compareParts(a.slice(n), ['#']);
  if (b.length > n) return isNumber(b[n] as string) ? -1 : compareParts(['#'], b.slice(n));
  return 0;
}

export function compareComposer(a: ComposerVersion, b: ComposerVersion): Cmp {
  if (a.branch !== undefined && b.branch !== undefined) return compareStrings(a.branch, b.branch);
  return compareParts(a.parts, b.parts);
}

export const composer: VersionScheme<ComposerVersion> = { name: 'composer', parse: parseComposer, compare: compareComposer };
