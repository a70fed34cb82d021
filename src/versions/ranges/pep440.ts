/**
 * PEP 440 version specifiers (`>=1.0,!=1.3.*,<2`), as `packaging.specifiers.SpecifierSet`
 * evaluates them: clauses separated by commas must all hold; `==`/`!=` take a `.*` prefix match
 * (with zero padding) or an exact version (ignoring the candidate's local label unless the
 * specifier has one); `~=X.Y` means `>=X.Y, ==X.*`; `<`/`>` exclude pre-releases and
 * post-releases of the bound itself; `===` compares strings. Pre-releases are admitted only when
 * a clause names one (or `includePrerelease` is set).
 */
import { MAX_RANGE_LENGTH } from '../types.ts';
import { comparePython, parsePep440Strict, pep440String, type Pep440Version } from '../pep440.ts';

type Op = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';
interface Clause { readonly op: Op; readonly spec: string; readonly version: Pep440Version | undefined; readonly wildcard: boolean }
export interface Pep440Specifiers { readonly clauses: readonly Clause[] }

const CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(.*?)\s*$/;
const RELEASE_WILDCARD = /^v?(?:\d+!)?\d+(?:\.\d+)*\.\*$/i;

export function parsePep440Specifiers(text: string): Pep440Specifiers | undefined {
  if (text.length > MAX_RANGE_LENGTH) return undefined;
  const clauses: Clause[] = [];
  for (const raw of text.split(',')) {
    if (raw.trim() === '') continue;
    const m = CLAUSE.exec(raw);
    if (!m) return undefined;
    const op = m[1] as Op;
    const spec = m[2] as string;
    if (op === '===') {
      if (spec === '' || /[\s;)]/.test(spec)) return undefined;
      clauses.push({ op, spec, version: parsePep440Strict(spec), wildcard: false });
      continue;
    }
    const wildcard = (op === '==' || op === '!=') && RELEASE_WILDCARD.test(spec);
    const version = parsePep440Strict(wildcard ? spec.slice(0, -2) : spec);
    if (!version) return undefined;
    if (version.local && op !== '==' && op !== '!=') return undefined;
    if (op === '~=' && version.segments.length < 2) return undefined;
    clauses.push({ op, spec, version, wildcard });
  }
  return { clauses };
}

const isPrerelease = (v: Pep440Version) => v.pre !== undefined || v.dev !== undefined;
const publicOf = (v: Pep440Version): Pep440Version => ({ ...v, local: undefined });
const baseOf = (v: Pep440Version): Pep440Version => ({ ...v, pre: undefined, post: undefined, dev: undefined, local: undefined });
const cmp = (a: Pep440Version, b: Pep440Version) => comparePython(a, b);

/** packaging's _version_split: dotted items, `1rc2` split into `1`, `rc2`. */
function versionSplit(s: string): string[] {
  const out: string[] = [];
  for (const item of s.split('.')) {
    const m = /^(\d+)((?:a|b|c|rc)\d+)$/.exec(item);
    if (m) out.push(m[1] as string, m[2] as string);
    else out.push(item);
  }
  return out;
}

const numericPrefix = (parts: string[]) => {
  let n = 0;
  while (n < parts.length && /^\d+$/.test(parts[n] as string)) n++;
  return n;
};

/** `==X.*`: the candidate's public version, padded with zeros, starts with X. */
function prefixMatch(candidate: Pep440Version, prefix: Pep440Version): boolean {
  const spec = versionSplit(pep440String(prefix));
  const mine = versionSplit(pep440String(publicOf(candidate)));
  const pad = Math.max(0, numericPrefix(spec) - numericPrefix(mine));
  const n = numericPrefix(mine);
  const padded = [...mine.slice(0, n), ...Array<string>(pad).fill('0'), ...mine.slice(n)];
  return spec.every((part, i) => padded[i] === part);
}

function holds(c: Clause, v: Pep440Version): boolean {
  const spec = c.version as Pep440Version;
  switch (c.op) {
    case '===': return pep440String(v).toLowerCase() === c.spec.toLowerCase();
    case '==': return c.wildcard ? prefixMatch(v, spec) : cmp(spec.local ? v : publicOf(v), spec) === 0;
    case '!=': return !(c.wildcard ? prefixMatch(v, spec) : cmp(spec.local ? v : publicOf(v), spec) === 0);
    case '<=': return cmp(publicOf(v), spec) <= 0;
    case '>=': return cmp(publicOf(v), spec) >= 0;
    case '<':
      if (cmp(v, spec) >= 0) return false;
      return !(!isPrerelease(spec) && isPrerelease(v) && cmp(baseOf(v), baseOf(spec)) === 0);
    case '>':
      if (cmp(v, spec) <= 0) return false;
      if (spec.post === undefined && v.post !== undefined && cmp(baseOf(v), baseOf(spec)) === 0) return false;
      return !(v.local !== undefined && cmp(baseOf(v), baseOf(spec)) === 0);
    case '~=': {
      const parts = versionSplit(c.spec);
      let n = 0;
      while (n < parts.length && !/^(dev|a|b|rc|post)/.test(parts[n] as string)) n++;
      const prefix = parsePep440Strict(parts.slice(0, n - 1).join('.'));
      return cmp(publicOf(v), spec) >= 0 && prefix !== undefined && prefixMatch(v, prefix);
    }
  }
}

/** Whether a clause lets pre-releases in: it names one with ==, >=, <=, ~= or ===. */
function admitsPrereleases(c: Clause): boolean {
  return ['==', '>=', '<=', '~=', '==='].includes(c.op) && c.version !== undefined && isPrerelease(c.version);
}

export function pep440Satisfies(v: Pep440Version, specs: Pep440Specifiers, includePrerelease = false): boolean {
  if (isPrerelease(v) && !includePrerelease && !specs.clauses.some(admitsPrereleases)) return false;
  return specs.clauses.every((c) => holds(c, v));
}
