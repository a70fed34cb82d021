/**
 * Composer version constraints (getcomposer.org "Versions and constraints", composer/semver's
 * VersionParser): `||` (or `|`) between alternatives, commas or spaces between clauses that must
 * all hold; clauses are exact versions, comparisons (`>=1.0`, `<2.0`, `!=1.5`), wildcards
 * (`1.2.*`), tilde (`~1.2` = `>=1.2 <2.0`, `~1.2.3` = `>=1.2.3 <1.3`), caret (`^1.2.3` =
 * `>=1.2.3 <2.0.0`, `^0.3` = `>=0.3 <0.4`) and hyphen ranges (`1.0 - 2.0` = `>=1.0 <2.1`). Both
 * sides are first normalised as Composer does (four numbers, `-beta2`/`-RC1`/`-patch1`
 * stability suffixes, `-dev`), lower bounds of `>=`, `~`, `^` and wildcards include the bound's
 * dev releases and upper bounds exclude the bound's; `dev-<branch>` versions match only
 * `==`/`!=` the same branch. Stability flags (`@dev`) are accepted and ignored: they choose what
 * an installer may pick, not what a version is.
 */
import { MAX_RANGE_LENGTH } from '../types.ts';
import { compareComposer, parseComposer } from '../composer.ts';
import { opHolds } from './ops.ts';

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
interface Clause { readonly op: Op; readonly version: string }
/** Alternatives of clause lists; an empty list matches every version. */
export interface ComposerConstraint { readonly alternatives: readonly (readonly Clause[])[] }

const STABILITIES = 'stable|RC|beta|alpha|dev';
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';

function expandStability(s: string): string {
  const l = s.toLowerCase();
  if (l === 'a' || l === 'alpha') return 'alpha';
  if (l === 'b' || l === 'beta') return 'beta';
  if (l === 'p' || l === 'pl' || l === 'patch') return 'patch';
  if (l === 'rc') return 'RC';
  return s;
}

function normalizeBranch(name: string): string {
  const m = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i.exec(name);
  if (!m) return `dev-${name}`;
  let v = '';
  for (let i = 1; i < 5; i++) v += m[i] !== undefined ? m[i]!.replace(/[*X]/g, 'x') : '.x';
  return `${v.replaceAll('x', '9999999')}-dev`;
}

/** VersionParser::normalize; undefined where Composer throws "Invalid version string". */
export function normalizeComposer(input: string): string | undefined {
  let v = input.trim();
  if (v.length === 0 || v.length > 256) return undefined;
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(v);
  if (alias) v = alias[1] as string;
  v = v.replace(new RegExp(`@(?:${STABILITIES})$`, 'i'), '');
  if (v === 'master' || v === 'trunk' || v === 'default') v = `dev-${v}`;
  if (/^dev-/i.test(v)) return `dev-${v.slice(4)}`;
  const build = /^([^,\s+]+)\+\S+$/.exec(v);
  if (build) v = build[1] as string;
  let m = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i').exec(v);
  let version: string | undefined;
  let index = 0;
  if (m) {
    version = `${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`;
    index = 5;
  } else if ((m = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i').exec(v))) {
    version = (m[1] as string).replace(/\D/g, '.');
    index = 2;
  }
  if (m && version !== undefined) {
    if (m[index]) {
      if (m[index] === 'stable') return version;
      version += `-${expandStability(m[index] as string)}${m[index + 1] ? m[index + 1]!.replace(/^[.-]+/, '') : ''}`;
    }
    if (m[index + 2]) version += '-dev';
    return version;
  }
  const dev = /^(.*?)[.-]?dev$/i.exec(v);
  if (dev) {
    const n = normalizeBranch(dev[1] as string);
    if (!n.includes('dev-')) return n;
  }
  return undefined;
}

const PARTIAL = '(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:\\.(\\d+))?';

/** manipulateVersionString: bump number `position` (1-based) by `increment`, zero the rest. */
function bumped(nums: (string | undefined)[], position: number, increment = 0): string {
  const parts = [0, 1, 2, 3].map((i) => BigInt(nums[i] || '0'));
  for (let i = 3; i >= position - 1; i--) {
    if (i >= position) parts[i] = 0n;
    else parts[i] = (parts[i] as bigint) + BigInt(increment);
  }
  return parts.join('.');
}

function clauses(c: string): Clause[] | undefined {
  const text = c.replace(new RegExp(`^([^,\\s]*?)@(?:${STABILITIES})$`, 'i'), '$1');
  if (/^v?[xX*](\.[xX*])*$/.test(text)) return [];
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^~>?v?${PARTIAL}${MODIFIER}$`, 'i').exec(text))) {
    if (text.startsWith('~>')) return undefined;
    let position = m[4] ? 4 : m[3] ? 3 : m[2] ? 2 : 1;
    const low = normalizeComposer(text.slice(1) + (!m[5] && !m[7] ? '-dev' : ''));
    if (!low) return undefined;
    position = Math.max(1, position - 1);
    return [{ op: '>=', version: low }, { op: '<', version: `${bumped([m[1], m[2], m[3], m[4]], position, 1)}-dev` }];
  }
  if ((m = new RegExp(`^\\^v?${PARTIAL}${MODIFIER}$`, 'i').exec(text))) {
    const position = m[1] !== '0' || !m[2] ? 1 : m[2] !== '0' || !m[3] ? 2 : 3;
    const low = normalizeComposer(text.slice(1) + (!m[5] && !m[7] ? '-dev' : ''));
    if (!low) return undefined;
    return [{ op: '>=', version: low }, { op: '<', version: `${bumped([m[1], m[2], m[3], m[4]], position, 1)}-dev` }];
  }
  if ((m = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:\.[xX*])+$/.exec(text))) {
    const nums = [m[1], m[2], m[3]].map((x) => (x && /^\d+$/.test(x) ? x : undefined));
    const position = nums[2] ? 3 : nums[1] ? 2 : 1;
    const low = `${bumped(nums, position)}-dev`;
    const high = { op: '<' as const, version: `${bumped(nums, position, 1)}-dev` };
    return low === '0.0.0.0-dev' ? [high] : [{ op: '>=', version: low }, high];
  }
  const halves = text.split(/ +- +/);
  if (halves.length === 2) {
    const side = new RegExp(`^v?${PARTIAL}${MODIFIER}$`, 'i');
    const f = side.exec(halves[0] as string);
    const t = side.exec(halves[1] as string);
    const from = normalizeComposer(halves[0] as string);
    const to = normalizeComposer(halves[1] as string);
    if (!f || !t || !from || !to) return undefined;
    const low = { op: '>=' as const, version: from + (!f[5] && !f[7] ? '-dev' : '') };
    // A full upper bound (or one with a stability) is inclusive; a partial one covers its whole line.
    if ((t[2] && t[3]) || t[5] || t[7]) return [low, { op: '<=', version: to }];
    return [low, { op: '<', version: `${bumped([t[1], t[2], t[3], t[4]], t[2] ? 2 : 1, 1)}-dev` }];
  }
  if ((m = /^(<>|!=|>=?|<=?|==?)?\s*(.*)$/.exec(text))) {
    const raw = m[2] as string;
    let version = normalizeComposer(raw);
    if (!version && raw.toLowerCase().endsWith('-dev') && /^[0-9a-zA-Z-./]+$/.test(raw)) version = normalizeComposer(`dev-${raw.slice(0, -4)}`);
    if (!version) return undefined;
    const op = ({ '': '==', '=': '==', '==': '==', '<>': '!=', '!=': '!=' } as Record<string, Op>)[m[1] ?? ''] ?? (m[1] as Op);
    if ((op === '<' || op === '>=') && !new RegExp(`-${MODIFIER}$`, 'i').test(raw.toLowerCase()) && !version.startsWith('dev-')) version += '-dev';
    return [{ op, version }];
  }
  return undefined;
}

export function parseComposerConstraint(text: string): ComposerConstraint | undefined {
  const t = text.trim();
  if (t.length === 0 || t.length > MAX_RANGE_LENGTH) return undefined;
  const alternatives: Clause[][] = [];
  for (const alt of t.split(/\s*\|\|?\s*/)) {
    const all: Clause[] = [];
    for (const c of alt.trim().split(/(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)/)) {
      const parsed = clauses(c.trim());
      if (!parsed) return undefined;
      all.push(...parsed);
    }
    alternatives.push(all);
  }
  return { alternatives };
}

function holds(c: Clause, version: string): boolean {
  const aBranch = version.startsWith('dev-');
  const bBranch = c.version.startsWith('dev-');
  if (c.op === '!=' && (aBranch || bBranch)) return version !== c.version;
  if (aBranch || bBranch) return c.op === '==' && version === c.version;
  return opHolds(c.op, compareComposer(parseComposer(version)!, parseComposer(c.version)!));
}

/** `version` is the installed version as written; it is normalised first (false if it cannot be). */
export function composerSatisfies(version: string, constraint: ComposerConstraint): boolean {
  const v = normalizeComposer(version);
  if (!v) return false;
  return constraint.alternatives.some((all) => all.every((c) => holds(c, v)));
}
