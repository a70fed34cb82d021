import { isAlias, isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { PolicyIssue } from './issues.ts';
import type { SourcePos } from './types.ts';

/**
 * A typed walk over one parsed YAML document that records every problem with its line and
 * column instead of stopping at the first: `policy check` shows them all. Each reader method
 * returns undefined when the value is unusable (and has said why).
 */

/** Alias (anchor reference) resolutions allowed per file: anchors could otherwise multiply work. */
const MAX_ALIASES = 1000;

export interface ReaderContext {
  file: string;
  text: string;
  lineCounter: LineCounter;
  issues: PolicyIssue[];
  aliasesLeft: number;
}

export function newContext(file: string, text: string, lineCounter: LineCounter): ReaderContext {
  return { file, text, lineCounter, issues: [], aliasesLeft: MAX_ALIASES };
}

export function issueAt(ctx: ReaderContext, offset: number | undefined, path: string, message: string): void {
  if (offset === undefined) {
    ctx.issues.push({ file: ctx.file, line: 0, column: 0, path, message });
    return;
  }
  const { line, col } = ctx.lineCounter.linePos(offset);
  ctx.issues.push({ file: ctx.file, line, column: col, path, message });
}

export function posOf(ctx: ReaderContext, node: Node | null | undefined): SourcePos | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { file: ctx.file, line, column: col };
}

export const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function describeNode(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'empty';
    if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    return `${typeof v} ${String(v)}`;
  }
  return 'something else';
}

/** Edit distance, for "did you mean" on misspelt field names. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] as number;
}

export function suggest(word: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(word, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean ${best}?)` : '';
}

export interface Fields {
  /** The map itself, for positions of "is required" messages. */
  node: Node;
  path: string;
  values: Map<string, Node>;
}

export class Reader {
  readonly ctx: ReaderContext;
  private readonly doc: Document.Parsed;

  constructor(ctx: ReaderContext, doc: Document.Parsed) {
    this.ctx = ctx;
    this.doc = doc;
  }

  issue(node: Node | null | undefined, path: string, message: string): void {
    issueAt(this.ctx, node?.range?.[0], path, message);
  }

  pos(node: Node | null | undefined): SourcePos | undefined {
    return posOf(this.ctx, node);
  }

  /** Follow an alias to its anchored node, within the file's alias budget. */
  resolve(node: Node | null | undefined, path: string): Node | undefined {
    if (node == null) return undefined;
    if (!isAlias(node)) return node;
    if (--this.ctx.aliasesLeft < 0) {
      this.issue(node, path, `uses more than ${MAX_ALIASES} YAML aliases`);
      return undefined;
    }
    const target = node.resolve(this.doc);
    if (!target) this.issue(node, path, `refers to an unknown anchor *${node.source}`);
    return target;
  }

  /** Null scalars (`key:` or `key: null`) count as absent, as in Kubernetes. */
  private isNull(node: Node): boolean {
    return isScalar(node) && node.value === null;
  }

  /**
   * A mapping with only the given keys. Unknown keys are errors (a typo must never silently
   * weaken a policy); keys in `ignored` are accepted and skipped (Kubernetes bookkeeping).
   */
  fields(
    raw: Node | null | undefined,
    path: string,
    known: readonly string[],
    opts: { required?: readonly string[]; ignored?: readonly string[]; context?: string } = {},
  ): Fields | undefined {
    const node = this.resolve(raw, path);
    if (node === undefined) return undefined;
    if (!isMap(node)) {
      this.issue(node, path, `must be a mapping, not ${describeNode(node)}`);
      return undefined;
    }
    const values = new Map<string, Node>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string') {
        this.issue(keyNode, path, `has a key that is not a string (${keyNode ? describeNode(keyNode) : 'empty'})`);
        continue;
      }
      const fieldPath = join(path, key);
      if (opts.ignored?.includes(key)) continue;
      if (!known.includes(key)) {
        const where = opts.context ?? (path || 'the document');
        this.issue(keyNode, fieldPath, `is not a field of ${where}${suggest(key, known)}`);
        continue;
      }
      const value = pair.value as Node | null;
      if (value === null || this.isNull(value)) continue;
      values.set(key, value);
    }
    for (const r of opts.required ?? []) {
      if (!values.has(r)) this.issue(node, join(path, r), 'is required');
    }
    return { node, path, values };
  }

  string(raw: Node | undefined, path: string, opts: { maxLength?: number; pattern?: RegExp; patternText?: string } = {}): string | undefined {
    const node = this.resolve(raw, path);
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== 'string') {
      this.issue(node, path, `must be a string, not ${describeNode(node)}`);
      return undefined;
    }
    const v = node.value;
    const max = opts.maxLength ?? 4096;
    if (v.length > max) {
      this.issue(node, path, `is longer than ${max} characters`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      this.issue(node, path, `${JSON.stringify(v)} is not ${opts.patternText ?? `of the form ${opts.pattern.source}`}`);
      return undefined;
    }
    return v;
  }

  number(raw: Node | undefined, path: string, opts: { min?: number; max?: number; integer?: boolean; minExclusive?: boolean } = {}): number | undefined {
    const node = this.resolve(raw, path);
    if (node === undefined) return undefined;
    const v = isScalar(node) ? node.value : undefined;
    const kind = opts.integer ? 'an integer' : 'a number';
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.issue(node, path, `must be ${kind}, not ${describeNode(node)}`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(v)) {
      this.issue(node, path, `must be ${kind}, not ${v}`);
      return undefined;
    }
    const { min, max } = opts;
    const tooLow = min !== undefined && (opts.minExclusive ? v <= min : v < min);
    if (tooLow || (max !== undefined && v > max)) {
      const range = max === undefined
        ? `${opts.minExclusive ? 'greater than' : 'at least'} ${min}`
        : min === undefined ? `at most ${max}` : `between ${min}${opts.minExclusive ? ' (exclusive)' : ''} and ${max}`;
      this.issue(node, path, `must be ${range}, not ${v}`);
      return undefined;
    }
    return v;
  }

  boolean(raw: Node | undefined, path: string): boolean | undefined {
    const node = this.resolve(raw, path);
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.issue(node, path, `must be true or false, not ${describeNode(node)}`);
      return undefined;
    }
    return node.value;
  }

  /** One of a fixed set of strings, matched exactly (Kubernetes enums are case-sensitive). */
  oneOf<T extends string>(raw: Node | undefined, path: string, values: readonly T[]): T | undefined {
    const node = this.resolve(raw, path);
    if (node === undefined) return undefined;
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const list = values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
    this.issue(node, path, `must be ${list}${typeof v === 'string' ? `, not ${JSON.stringify(v)}${suggest(v, values)}` : `, not ${describeNode(node)}`}`);
    return undefined;
  }

  list(raw: Node | undefined, path: string, maxItems: number, opts: { nonEmpty?: boolean } = {}): { node: Node; items: Node[] } | undefined {
    const node = this.resolve(raw, path);
    if (node === undefined) return undefined;
    if (!isSeq(node)) {
      this.issue(node, path, `must be a list, not ${describeNode(node)}`);
      return undefined;
    }
    if (node.items.length > maxItems) {
      this.issue(node, path, `has ${node.items.length} entries; at most ${maxItems} are allowed`);
      return undefined;
    }
    if (opts.nonEmpty && node.items.length === 0) {
      this.issue(node, path, 'must not be empty');
      return undefined;
    }
    return { node, items: node.items as Node[] };
  }

  /** A list of strings, each checked by `each` (which reports its own problems). */
  strings<T>(raw: Node | undefined, path: string, maxItems: number, each: (s: string, node: Node, path: string) => T | undefined, opts: { nonEmpty?: boolean } = {}): T[] | undefined {
    const l = this.list(raw, path, maxItems, opts);
    if (!l) return undefined;
    const out: T[] = [];
    let ok = true;
    l.items.forEach((item, i) => {
      const p = join(path, i);
      const node = this.resolve(item, p);
      const s = node === undefined ? undefined : this.string(node, p);
      const v = s === undefined || node === undefined ? undefined : each(s, node, p);
      if (v === undefined) ok = false;
      else out.push(v);
    });
    return ok ? out : undefined;
  }

  /**
   * Absolute offset in the file of character `index` (0-based) of a string scalar's value,
   * when the value is written on one line without escapes; otherwise the scalar's start.
   */
  offsetInString(node: Node, index: number): number | undefined {
    const range = node.range;
    if (!range || !isScalar(node) || typeof node.value !== 'string') return range?.[0];
    const src = this.ctx.text.slice(range[0], range[1]);
    const value = node.value;
    if (src.includes('\n')) return range[0];
    if (node.type === Scalar.PLAIN && src === value) return range[0] + index;
    const quoted = node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE;
    if (quoted && src.slice(1, -1) === value) return range[0] + 1 + index;
    return range[0];
  }
}
