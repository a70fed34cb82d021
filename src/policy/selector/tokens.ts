import { PolicyError } from '../../errors.ts';

/**
 * Tokenizer for Calico's selector language. The lexical rules follow Calico's own tokenizer
 * (libcalico-go lib/selector/tokenizer) so that every selector Calico accepts is accepted here
 * with the same meaning, and every one it rejects is rejected:
 * - only space and tab are whitespace (a newline inside a selector is an error, as in Calico);
 * - strings are '...' or "..." with no escapes: the string ends at the next matching quote;
 * - a label key is a run of [A-Za-z0-9_./-] (so "prefix/name" keys need no quoting);
 * - `has(`, `all(` and `global(` are recognised only when the parenthesis follows directly;
 * - right after a label, the word operators `in`, `not in`, `contains`, `starts with` and
 *   `ends with` are recognised by prefix, with optional whitespace inside the two-word ones
 *   (Calico accepts `startswith`, and so do we).
 */

export type TokenKind =
  | 'label' | 'string' | 'lbrace' | 'rbrace' | 'comma'
  | 'eq' | 'ne' | 'in' | 'notIn' | 'contains' | 'startsWith' | 'endsWith'
  | 'not' | 'and' | 'or' | 'lparen' | 'rparen'
  | 'all' | 'global' | 'has' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Label name, string content, or the key inside has(...). */
  value?: string;
  /** 0-based offset of the token's first character in the selector. */
  pos: number;
}

/** A selector syntax error; `column` is 1-based within the selector text. */
export class SelectorSyntaxError extends PolicyError {
  readonly column: number;
  readonly reason: string;
  constructor(column: number, reason: string) {
    super('BAD_SELECTOR', `selector column ${column}: ${reason}`);
    this.column = column;
    this.reason = reason;
  }
}

function fail(pos: number, reason: string): never {
  throw new SelectorSyntaxError(pos + 1, reason);
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    || c === 95 /* _ */ || c === 46 /* . */ || c === 47 /* / */ || c === 45 /* - */;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const n = input.length;
  let i = 0;
  const skipSpace = (): void => {
    while (i < n && isSpace(input.charCodeAt(i))) i++;
  };
  const labelEnd = (from: number): number => {
    let j = from;
    while (j < n && isLabelChar(input.charCodeAt(j))) j++;
    return j;
  };
  for (;;) {
    skipSpace();
    if (i >= n) {
      tokens.push({ kind: 'eof', pos: n });
      return tokens;
    }
    const start = i;
    const c = input[i];
    const next = input[i + 1];
    switch (c) {
      case '(': tokens.push({ kind: 'lparen', pos: start }); i++; continue;
      case ')': tokens.push({ kind: 'rparen', pos: start }); i++; continue;
      case '{': tokens.push({ kind: 'lbrace', pos: start }); i++; continue;
      case '}': tokens.push({ kind: 'rbrace', pos: start }); i++; continue;
      case ',': tokens.push({ kind: 'comma', pos: start }); i++; continue;
      case '"':
      case "'": {
        const close = input.indexOf(c, i + 1);
        if (close < 0) fail(start, 'unterminated string');
        tokens.push({ kind: 'string', value: input.slice(i + 1, close), pos: start });
        i = close + 1;
        continue;
      }
      case '=':
        if (next !== '=') fail(start, "expected '==' (a single '=' is not an operator)");
        tokens.push({ kind: 'eq', pos: start }); i += 2; continue;
      case '!':
        if (next === '=') { tokens.push({ kind: 'ne', pos: start }); i += 2; continue; }
        tokens.push({ kind: 'not', pos: start }); i++; continue;
      case '&':
        if (next !== '&') fail(start, "expected '&&'");
        tokens.push({ kind: 'and', pos: start }); i += 2; continue;
      case '|':
        if (next !== '|') fail(start, "expected '||'");
        tokens.push({ kind: 'or', pos: start }); i += 2; continue;
    }
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'label') {
      i = wordOperator(input, i, tokens, last.value ?? '');
      continue;
    }
    if (input.startsWith('has(', i)) {
      i += 4;
      skipSpace();
      const end = labelEnd(i);
      if (end === i) fail(i, 'expected a label name inside has(...)');
      const key = input.slice(i, end);
      i = end;
      skipSpace();
      if (input[i] !== ')') fail(i, "expected ')' to close has(");
      tokens.push({ kind: 'has', value: key, pos: start });
      i++;
      continue;
    }
    const fn = input.startsWith('all(', i) ? 'all' : input.startsWith('global(', i) ? 'global' : undefined;
    if (fn) {
      i += fn.length + 1;
      skipSpace();
      if (input[i] !== ')') fail(i, `expected ')' to close ${fn}(`);
      tokens.push({ kind: fn, pos: start });
      i++;
      continue;
    }
    const end = labelEnd(i);
    if (end === i) fail(i, `unexpected character ${JSON.stringify(c)}`);
    tokens.push({ kind: 'label', value: input.slice(i, end), pos: start });
    i = end;
  }
}

/** After a label only an operator may follow; the word operators are matched here. */
function wordOperator(input: string, at: number, tokens: Token[], label: string): number {
  let i = at;
  const afterSpace = (j: number): number => {
    while (j < input.length && isSpace(input.charCodeAt(j))) j++;
    return j;
  };
  const expected = (): never =>
    fail(at, `expected an operator after label '${label}' (==, !=, in, not in, contains, starts with, ends with)`);
  const two = (first: string, second: string, kind: TokenKind): number => {
    i = afterSpace(at + first.length);
    if (!input.startsWith(second, i)) expected();
    tokens.push({ kind, pos: at });
    return i + second.length;
  };
  if (input.startsWith('contains', at)) {
    tokens.push({ kind: 'contains', pos: at });
    return at + 'contains'.length;
  }
  if (input.startsWith('starts', at)) return two('starts', 'with', 'startsWith');
  if (input.startsWith('ends', at)) return two('ends', 'with', 'endsWith');
  if (input.startsWith('not', at)) return two('not', 'in', 'notIn');
  if (input.startsWith('in', at)) {
    tokens.push({ kind: 'in', pos: at });
    return at + 2;
  }
  return expected();
}
