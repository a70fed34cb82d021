/**
 * RubyGems requirements (Gem::Requirement): comma-separated clauses `OP VERSION` that must all
 * hold, OP one of `=` (the default), `!=`, `>`, `<`, `>=`, `<=` and `~>`, the pessimistic
 * operator: `~> 1.2.3` is `>= 1.2.3` and below the version with the last number dropped and
 * the one before it bumped (1.3), compared against the candidate's release (its numbers before
 * any letters).
 */
import { MAX_RANGE_LENGTH } from '../types.ts';
import { compareGem, parseGem, type GemVersion, type Segment } from '../gem.ts';
import { opHolds } from './ops.ts';

type Op = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~>';
interface Clause { readonly op: Op; readonly v: GemVersion }
export interface GemRequirement { readonly clauses: readonly Clause[] }

const CLAUSE = /^\s*(=|!=|>=|<=|>|<|~>)?\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$/;

export function parseGemRequirement(text: string): GemRequirement | undefined {
  if (text.length > MAX_RANGE_LENGTH) return undefined;
  const clauses: Clause[] = [];
  for (const part of text.split(',')) {
    const m = CLAUSE.exec(part);
    const v = m && parseGem(m[2] as string);
    if (!m || !v) return undefined;
    clauses.push({ op: (m[1] ?? '=') as Op, v });
  }
  return { clauses };
}

const seg = (x: Segment) => (typeof x === 'string' ? x : x.num || '0');

/** Gem::Version#release: the numbers before the first letters. */
function release(v: GemVersion): GemVersion {
  const first = v.raw.findIndex((x) => typeof x === 'string');
  return first === -1 ? v : (parseGem(v.raw.slice(0, first).map(seg).join('.') || '0') as GemVersion);
}

/** Gem::Version#bump: drop letters and the last number, add one to the new last number. */
function bump(v: GemVersion): GemVersion {
  const first = v.raw.findIndex((x) => typeof x === 'string');
  const kept = (first === -1 ? v.raw : v.raw.slice(0, first)).map(seg);
  if (kept.length > 1) kept.pop();
  kept[kept.length - 1] = (BigInt(kept[kept.length - 1] ?? '0') + 1n).toString();
  return parseGem(kept.join('.')) as GemVersion;
}

function holds({ op, v: r }: Clause, v: GemVersion): boolean {
  const c = compareGem(v, r);
  if (op === '~>') return c >= 0 && compareGem(release(v), bump(r)) < 0;
  return opHolds(op, c);
}

export function gemSatisfies(v: GemVersion, req: GemRequirement): boolean {
  return req.clauses.every((c) => holds(c, v));
}
