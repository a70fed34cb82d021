import { compareCodePoints, evaluate, formatNode } from './ast.ts';
import type { Labels, Selector, SelectorNode, ValueOp } from './ast.ts';
import { SelectorSyntaxError, tokenize } from './tokens.ts';
import type { Token, TokenKind } from './tokens.ts';

/**
 * Recursive-descent parser with Calico's grammar and precedence:
 *
 *   or    := and ( '||' and )*
 *   and   := op ( '&&' op )*
 *   op    := '!'* ( 'all()' | 'global()' | 'has(' key ')' | '(' or ')'
 *                 | key ( '==' | '!=' | 'contains' | 'starts with' | 'ends with' ) string
 *                 | key ( 'in' | 'not in' ) '{' [ string ( ',' string )* [','] ] '}' )
 *
 * so `!` binds tighter than `&&`, and `&&` tighter than `||`. Leading `!`s collapse to one or
 * none by parity, as Calico does. An empty (or all-blank) selector means `all()`.
 */

/** Selectors longer than this are refused: real ones are a few hundred characters at most. */
export const MAX_SELECTOR_LENGTH = 8192;
/** Parenthesis nesting limit, so hostile input cannot exhaust the stack. */
export const MAX_SELECTOR_DEPTH = 64;

const VALUE_OPS: Partial<Record<TokenKind, ValueOp>> = {
  eq: 'eq',
  ne: 'ne',
  contains: 'contains',
  startsWith: 'startsWith',
  endsWith: 'endsWith',
};

const DESCRIBE: Record<TokenKind, string> = {
  label: 'a label', string: 'a string', lbrace: "'{'", rbrace: "'}'", comma: "','",
  eq: "'=='", ne: "'!='", in: "'in'", notIn: "'not in'", contains: "'contains'",
  startsWith: "'starts with'", endsWith: "'ends with'", not: "'!'", and: "'&&'", or: "'||'",
  lparen: "'('", rparen: "')'", all: "'all()'", global: "'global()'", has: "'has(...)'",
  eof: 'the end of the selector',
};

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token; // the list always ends with 'eof'
  }

  private take(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private error(t: Token, what: string): never {
    throw new SelectorSyntaxError(t.pos + 1, `${what}, found ${DESCRIBE[t.kind]}`);
  }

  parseRoot(): SelectorNode {
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') this.error(t, "expected '&&', '||' or the end of the selector");
    return node;
  }

  private parseOr(): SelectorNode {
    const operands = [this.parseAnd()];
    while (this.peek().kind === 'or') {
      this.take();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? (operands[0] as SelectorNode) : { kind: 'or', operands };
  }

  private parseAnd(): SelectorNode {
    const operands = [this.parseOp()];
    while (this.peek().kind === 'and') {
      this.take();
      operands.push(this.parseOp());
    }
    return operands.length === 1 ? (operands[0] as SelectorNode) : { kind: 'and', operands };
  }

  private parseOp(): SelectorNode {
    let negated = false;
    while (this.peek().kind === 'not') {
      this.take();
      negated = !negated;
    }
    const node = this.parseTerm();
    return negated ? { kind: 'not', operand: node } : node;
  }

  private parseTerm(): SelectorNode {
    const t = this.take();
    switch (t.kind) {
      case 'all':
        return { kind: 'all' };
      case 'global':
        return { kind: 'global' };
      case 'has':
        return { kind: 'has', key: t.value as string };
      case 'lparen': {
        if (++this.depth > MAX_SELECTOR_DEPTH) {
          throw new SelectorSyntaxError(t.pos + 1, `parentheses nested deeper than ${MAX_SELECTOR_DEPTH}`);
        }
        const inner = this.parseOr();
        const close = this.take();
        if (close.kind !== 'rparen') this.error(close, "expected ')'");
        this.depth--;
        return inner;
      }
      case 'label':
        return this.parseComparison(t.value as string);
      default:
        return this.error(t, 'expected a label, has(...), all(), global(), ! or (');
    }
  }

  private parseComparison(key: string): SelectorNode {
    const op = this.take();
    const valueOp = VALUE_OPS[op.kind];
    if (valueOp) {
      const v = this.take();
      if (v.kind !== 'string') this.error(v, `expected a quoted string after ${DESCRIBE[op.kind]}`);
      return { kind: valueOp, key, value: v.value as string };
    }
    if (op.kind === 'in' || op.kind === 'notIn') {
      const open = this.take();
      if (open.kind !== 'lbrace') this.error(open, `expected '{' after ${DESCRIBE[op.kind]}`);
      const values: string[] = [];
      // As in Calico: strings separated by commas; a trailing comma before '}' is accepted.
      while (this.peek().kind === 'string') {
        values.push(this.take().value as string);
        if (this.peek().kind !== 'comma') break;
        this.take();
      }
      const close = this.take();
      if (close.kind !== 'rbrace') this.error(close, "expected a quoted string or '}'");
      return { kind: op.kind, key, values: toSet(values) };
    }
    return this.error(op, `expected an operator after label '${key}'`);
  }
}

function toSet(values: string[]): string[] {
  values.sort(compareCodePoints);
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

/**
 * Parse a selector. Throws SelectorSyntaxError (a PolicyError, code BAD_SELECTOR) whose
 * `column` is the 1-based column of the problem.
 */
export function parseSelector(text: string): Selector {
  if (text.length > MAX_SELECTOR_LENGTH) {
    throw new SelectorSyntaxError(MAX_SELECTOR_LENGTH + 1, `selector longer than ${MAX_SELECTOR_LENGTH} characters`);
  }
  const tokens = tokenize(text);
  const root: SelectorNode = tokens[0]?.kind === 'eof' ? { kind: 'all' } : new Parser(tokens).parseRoot();
  return { root, text: formatNode(root) };
}

/** Whether the labels satisfy the selector. */
export function matches(selector: Selector, labels: Labels): boolean {
  return evaluate(selector.root, labels);
}

/** The canonical text of a selector (Calico's String() form). */
export function selectorToString(selector: Selector): string {
  return selector.text;
}

/** The selector matching everything: the default of `selector` and `namespaceSelector`. */
export const ALL: Selector = Object.freeze({ root: Object.freeze({ kind: 'all' as const }), text: 'all()' });
