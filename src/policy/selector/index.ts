/** Calico's selector language: parse, evaluate over labels, print canonically. */
export { ALL, MAX_SELECTOR_DEPTH, MAX_SELECTOR_LENGTH, matches, parseSelector, selectorToString } from './parse.ts';
export { evaluate, formatNode } from './ast.ts';
export type { Labels, Selector, SelectorNode, ValueOp } from './ast.ts';
export { SelectorSyntaxError } from './tokens.ts';
