/** What the range languages share: the meaning of a comparison operator, and intervals. */
import type { Cmp } from '../types.ts';

export type BasicOp = '=' | '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Whether `version OP bound` holds, given compare(version, bound). */
export function opHolds(op: BasicOp, r: Cmp): boolean {
  switch (op) {
    case '=':
    case '==': return r === 0;
    case '!=': return r !== 0;
    case '<': return r < 0;
    case '<=': return r <= 0;
    case '>': return r > 0;
    case '>=': return r >= 0;
  }
}

export interface Interval<P> {
  readonly lower: P | undefined;
  readonly lowerInclusive: boolean;
  readonly upper: P | undefined;
  readonly upperInclusive: boolean;
}

/** Whether v lies in the interval; a missing bound is unbounded. */
export function inInterval<P>(v: P, i: Interval<P>, compare: (a: P, b: P) => Cmp): boolean {
  if (i.lower !== undefined && !opHolds(i.lowerInclusive ? '>=' : '>', compare(v, i.lower))) return false;
  return i.upper === undefined || opHolds(i.upperInclusive ? '<=' : '<', compare(v, i.upper));
}
