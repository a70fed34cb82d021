/**
 * Plain comparator lists for the schemes without a range language of their own (deb, apk, rpm,
 * go), in the spelling of their package managers' dependency fields: `>= 1.2-1, << 2.0` or
 * `>=1.2 <2` (all must hold), alternatives separated by `||`. Operators: `=`/`==`, `!=`, `<`,
 * `<=`, `>`, `>=`, and dpkg's `<<`/`>>` (strictly less/greater). In deb, a lone `<` or `>` keeps
 * dpkg's obsolete meaning (`<=`, `>=`); apk's `~` is its fuzzy match (`~1.2` admits 1.2,
 * 1.2.3, 1.2_rc1 and 1.2-r4, not 1.20). A bare version means `=`.
 */
import { MAX_RANGE_LENGTH, type SchemeName, type VersionScheme } from '../types.ts';
import { opHolds } from './ops.ts';

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';
interface Clause<P> { readonly op: Op; readonly raw: string; readonly v: P }
export interface ComparatorRange<P> { readonly alternatives: readonly (readonly Clause<P>[])[] }

const CLAUSE = /^(<<|>>|<=|>=|==|!=|=|<|>|~)?\s*([A-Za-z0-9]\S*)$/;

export function parseComparators<P>(scheme: VersionScheme<P>, text: string): ComparatorRange<P> | undefined {
  if (text.length > MAX_RANGE_LENGTH) return undefined;
  const alternatives: Clause<P>[][] = [];
  for (const alt of text.split('||')) {
    // `>= 1.0` is one clause: glue operators to their versions before splitting on spaces and commas.
    const tokens = alt.replace(/(<<|>>|<=|>=|==|!=|=|<|>|~)\s+/g, '$1').split(/[\s,]+/).filter((t) => t !== '');
    if (tokens.length === 0) return undefined;
    const clauses: Clause<P>[] = [];
    for (const token of tokens) {
      const m = CLAUSE.exec(token);
      if (!m) return undefined;
      const op = operator(scheme.name, m[1] ?? '=');
      const v = scheme.parse(m[2] as string);
      if (!op || v === undefined) return undefined;
      clauses.push({ op, raw: m[2] as string, v });
    }
    alternatives.push(clauses);
  }
  return { alternatives };
}

function operator(scheme: SchemeName, op: string): Op | undefined {
  switch (op) {
    case '<<': return '<';
    case '>>': return '>';
    case '==': return '=';
    case '<': return scheme === 'deb' ? '<=' : '<';
    case '>': return scheme === 'deb' ? '>=' : '>';
    case '~': return scheme === 'apk' ? '~' : undefined;
    default: return op as Op;
  }
}

function holds<P>(scheme: VersionScheme<P>, c: Clause<P>, v: P, raw: string): boolean {
  const r = scheme.compare(v, c.v);
  if (c.op === '~') return r === 0 || (raw.startsWith(c.raw) && !/^\d/.test(raw.slice(c.raw.length)));
  return opHolds(c.op, r);
}

export function comparatorsSatisfy<P>(scheme: VersionScheme<P>, v: P, raw: string, range: ComparatorRange<P>): boolean {
  return range.alternatives.some((all) => all.every((c) => holds(scheme, c, v, raw)));
}
