/**
 * The selector AST, its evaluation over a label map and its canonical text. Semantics are
 * Calico's: `!=` and `not in` match when the label is absent; `==`, `in`, `contains`,
 * `starts with` and `ends with` need the label present; `all()` matches everything; `global()`
 * also evaluates to true over labels (in Calico it only widens a namespaceSelector's scope to
 * non-namespaced resources, which admission never sees).
 */

export type ValueOp = 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith';

export type SelectorNode =
  | { kind: 'all' }
  | { kind: 'global' }
  | { kind: 'has'; key: string }
  | { kind: ValueOp; key: string; value: string }
  /** `values` sorted (by code point) and de-duplicated, as Calico stores sets. */
  | { kind: 'in' | 'notIn'; key: string; values: readonly string[] }
  | { kind: 'not'; operand: SelectorNode }
  | { kind: 'and' | 'or'; operands: readonly SelectorNode[] };

export interface Selector {
  readonly root: SelectorNode;
  /** Canonical text (Calico's String() form): parsing it again gives the same selector. */
  readonly text: string;
}

export type Labels = Readonly<Record<string, string>>;

function get(labels: Labels, key: string): string | undefined {
  // Own properties only: a label named "constructor" or "__proto__" must not find Object's.
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

/** Binary search in a sorted set, the same order `compareCodePoints` produced. */
function setHas(values: readonly string[], v: string): boolean {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareCodePoints(values[mid] as string, v);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

export function evaluate(node: SelectorNode, labels: Labels): boolean {
  switch (node.kind) {
    case 'all':
    case 'global':
      return true;
    case 'has':
      return get(labels, node.key) !== undefined;
    case 'eq': {
      const v = get(labels, node.key);
      return v !== undefined && v === node.value;
    }
    case 'ne': {
      const v = get(labels, node.key);
      return v === undefined || v !== node.value;
    }
    case 'contains': {
      const v = get(labels, node.key);
      return v !== undefined && v.includes(node.value);
    }
    case 'startsWith': {
      const v = get(labels, node.key);
      return v !== undefined && v.startsWith(node.value);
    }
    case 'endsWith': {
      const v = get(labels, node.key);
      return v !== undefined && v.endsWith(node.value);
    }
    case 'in': {
      const v = get(labels, node.key);
      return v !== undefined && setHas(node.values, v);
    }
    case 'notIn': {
      const v = get(labels, node.key);
      return v === undefined || !setHas(node.values, v);
    }
    case 'not':
      return !evaluate(node.operand, labels);
    case 'and':
      return node.operands.every((op) => evaluate(op, labels));
    case 'or':
      return node.operands.some((op) => evaluate(op, labels));
  }
}

/**
 * Order strings by Unicode code point, which is the byte order of their UTF-8 form: the order
 * Go (and so Calico) sorts set members in. Plain `<` on JS strings compares UTF-16 units and
 * differs for characters above U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate (≥ U+10000) sorts after any BMP unit
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

const OP_TEXT: Record<ValueOp, string> = {
  eq: ' == ',
  ne: ' != ',
  contains: ' contains ',
  startsWith: ' starts with ',
  endsWith: ' ends with ',
};

/** Quote with "..." unless the value holds a double quote (it cannot hold both kinds). */
function quote(s: string): string {
  return s.includes('"') ? `'${s}'` : `"${s}"`;
}

/** Calico's canonical form: `&&`/`||` groups always parenthesised, sets sorted, "..." quotes. */
export function formatNode(node: SelectorNode): string {
  switch (node.kind) {
    case 'all':
      return 'all()';
    case 'global':
      return 'global()';
    case 'has':
      return `has(${node.key})`;
    case 'in':
    case 'notIn':
      return `${node.key} ${node.kind === 'in' ? 'in' : 'not in'} {${node.values.map(quote).join(', ')}}`;
    case 'not':
      return `!${formatNode(node.operand)}`;
    case 'and':
    case 'or':
      return `(${node.operands.map(formatNode).join(node.kind === 'and' ? ' && ' : ' || ')})`;
    default:
      return `${node.key}${OP_TEXT[node.kind]}${quote(node.value)}`;
  }
}
