/**
 * Helpers the schemes share. Version numbers are compared as digit strings, never converted to
 * JavaScript numbers: real versions carry date stamps and 30-digit components, and a rounding
 * error here would silently flip a vulnerable/fixed verdict.
 */
import type { Cmp } from './types.ts';

export function sign(n: number): Cmp {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Plain code-unit order (C's strcmp on ASCII), not locale order. */
export function compareStrings(a: string, b: string): Cmp {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strips leading zeros; '' and '000' both become ''. */
export function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  return i === 0 ? digits : digits.slice(i);
}

/** Numeric order of two non-negative decimal digit strings of any length ('' counts as 0). */
export function compareDigits(a: string, b: string): Cmp {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** ASCII letters only, as C's isalpha in the "C" locale. */
export function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Lexicographic order of two lists under an element order; a list that is a prefix of the other sorts first. */
export function compareLists<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => Cmp): Cmp {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = cmp(a[i] as T, b[i] as T);
    if (r !== 0) return r;
  }
  return sign(a.length - b.length);
}
