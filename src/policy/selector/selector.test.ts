import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyError } from '../../errors.ts';
import { MAX_SELECTOR_DEPTH, MAX_SELECTOR_LENGTH, matches, parseSelector, selectorToString, SelectorSyntaxError } from './index.ts';

type L = Record<string, string>;

/** [selector, label sets it matches, label sets it does not match] */
const table: [string, L[], L[]][] = [
  // Empty and match-everything forms.
  ['', [{}, { a: 'b' }], []],
  ['  \t ', [{}], []],
  ['all()', [{}, { a: 'b' }], []],
  ['all( )', [{}], []],
  ['global()', [{}, { a: 'b' }], []],
  ['!all()', [], [{}, { a: 'b' }]],
  // Equality, both quote styles.
  ["app == 'web'", [{ app: 'web' }, { app: 'web', x: 'y' }], [{}, { app: 'db' }, { App: 'web' }, { app: 'Web' }]],
  ['app == "web"', [{ app: 'web' }], [{ app: 'web ' }, {}]],
  ["app == ''", [{ app: '' }], [{}, { app: 'x' }]],
  ['app=="web"', [{ app: 'web' }], [{}]],
  // != matches when the label is absent.
  ["app != 'web'", [{}, { app: 'db' }, { other: 'web' }], [{ app: 'web' }]],
  ["app!='web'", [{}], [{ app: 'web' }]],
  // Sets; not in matches when absent.
  ["tier in {'fe', 'be'}", [{ tier: 'fe' }, { tier: 'be' }], [{}, { tier: 'db' }, { tier: 'fe,be' }]],
  ['tier in {"fe","be",}', [{ tier: 'be' }], [{ tier: '' }]],
  ['tier in {}', [], [{}, { tier: '' }]],
  ["tier not in {'fe', 'be'}", [{}, { tier: 'db' }], [{ tier: 'fe' }, { tier: 'be' }]],
  ['tier not in {}', [{}, { tier: 'x' }], []],
  ["tier notin {'x'}", [{ tier: 'y' }], [{ tier: 'x' }]],
  ["tier in{'x'}", [{ tier: 'x' }], [{}]],
  [`q in {"'", '"', "c"}`, [{ q: "'" }, { q: '"' }, { q: 'c' }], [{}, { q: 'e' }]],
  // Substring operators need the label.
  ["img contains 'corp'", [{ img: 'acorpb' }, { img: 'corp' }], [{}, { img: 'cor' }, { x: 'corp' }]],
  ["env starts with 'prod'", [{ env: 'prod' }, { env: 'production' }], [{}, { env: 'preprod' }]],
  ["env startswith 'prod'", [{ env: 'prod-1' }], [{ env: 'x' }]],
  ["env starts \t with 'prod'", [{ env: 'prod' }], [{}]],
  ["env ends with '-eu'", [{ env: 'prod-eu' }], [{}, { env: 'prod-us' }, { env: 'eu-prod' }]],
  ["env endswith 'eu'", [{ env: 'eu' }], [{ env: 'e' }]],
  // has and !has.
  ['has(app)', [{ app: '' }, { app: 'x' }], [{}, { apps: 'x' }]],
  ['has( app )', [{ app: 'x' }], [{}]],
  ['!has(app)', [{}, { b: 'x' }], [{ app: 'x' }]],
  ['! has(app)', [{}], [{ app: 'x' }]],
  ['!!has(app)', [{ app: 'x' }], [{}]],
  ['!!!has(app)', [{}], [{ app: 'x' }]],
  ['! !! has(app)', [{}], [{ app: 'x' }]],
  // Label keys with prefixes, dots, dashes, digits.
  ["app.kubernetes.io/name == 'api'", [{ 'app.kubernetes.io/name': 'api' }], [{ name: 'api' }, { 'app.kubernetes.io/name': 'web' }]],
  ["projectcalico.org/name in {'prod', 'staging'}", [{ 'projectcalico.org/name': 'prod' }], [{}]],
  ["has(example.com/team-1_a)", [{ 'example.com/team-1_a': '' }], [{ 'example.com/team-1': '' }]],
  ["0-x == 'y'", [{ '0-x': 'y' }], [{}]],
  // Words that are keywords elsewhere are ordinary label names.
  ["in == 'x'", [{ in: 'x' }], [{}]],
  ["all == 'x' && has == 'y'", [{ all: 'x', has: 'y' }], [{ all: 'x' }]],
  // Own properties only.
  ["constructor == 'x'", [{ constructor: 'x' }], [{}]],
  ['has(toString)', [{ toString: '' }], [{}]],
  // Precedence: ! over &&, && over ||.
  ["a == '1' || b == '2' && c == '3'", [{ a: '1' }, { b: '2', c: '3' }], [{ b: '2' }, { c: '3' }, {}]],
  ["(a == '1' || b == '2') && c == '3'", [{ a: '1', c: '3' }, { b: '2', c: '3' }], [{ a: '1' }, { b: '2' }]],
  ["!a == '1' && b == '2'", [{ b: '2' }, { a: '0', b: '2' }], [{ a: '1', b: '2' }, {}]],
  ["!(a == '1' && b == '2')", [{}, { a: '1' }, { a: '1', b: '3' }], [{ a: '1', b: '2' }]],
  ["!a == '1' || !b == '2'", [{}, { a: '1' }], [{ a: '1', b: '2' }]],
  ["! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}",
    [{}, { 'my-label': 'prod-1', role: 'business' }, { role: 'x' }],
    [{ 'my-label': 'prod-1' }, { 'my-label': 'dev', role: 'frontend' }]],
  ["!(!has(a) || has(b))", [{ a: 'x' }], [{}, { a: 'x', b: 'y' }]],
  ["a == '1' && b == '2' && c == '3' || d == '4' || e == '5'", [{ a: '1', b: '2', c: '3' }, { d: '4' }, { e: '5' }], [{ a: '1', b: '2' }]],
  ['((((has(a)))))', [{ a: '' }], [{}]],
  // String content is literal: no escapes, and operators inside strings are data.
  ["a == '&& || !'", [{ a: '&& || !' }], [{}]],
  [String.raw`a == 'x\'`, [{ a: 'x\\' }], [{ a: 'x' }]],
  ['a == "it\'s"', [{ a: "it's" }], [{}]],
];

describe('selector matching (expressions × label sets)', () => {
  for (const [text, yes, no] of table) {
    it(JSON.stringify(text), () => {
      const sel = parseSelector(text);
      const again = parseSelector(selectorToString(sel));
      for (const labels of yes) {
        assert.equal(matches(sel, labels), true, `${text} should match ${JSON.stringify(labels)}`);
        assert.equal(matches(again, labels), true, `canonical ${again.text} should match ${JSON.stringify(labels)}`);
      }
      for (const labels of no) {
        assert.equal(matches(sel, labels), false, `${text} should not match ${JSON.stringify(labels)}`);
        assert.equal(matches(again, labels), false, `canonical ${again.text} should not match ${JSON.stringify(labels)}`);
      }
    });
  }
});

describe('canonical form', () => {
  const cases: [string, string][] = [
    ['', 'all()'],
    [' ( all() ) ', 'all()'],
    ["app=='web'", 'app == "web"'],
    [`a == '"'`, `a == '"'`],
    [`a != "'"`, `a != "'"`],
    ["a startswith 'x'", 'a starts with "x"'],
    ["a   ends   with 'x'", 'a ends with "x"'],
    ["a contains 'x'", 'a contains "x"'],
    ["a in {'z', 'x', 'z', 'a'}", 'a in {"a", "x", "z"}'],
    ["a notin {'b','a',}", 'a not in {"a", "b"}'],
    ['a in {}', 'a in {}'],
    ["! ( has( b )||! has(a ))", '!(has(b) || !has(a))'],
    ["!(k == 'v')", '!k == "v"'],
    ['!!has(a)', 'has(a)'],
    ["a == '1' || b == '2' && c == '3'", '(a == "1" || (b == "2" && c == "3"))'],
    ["(a == '1' || b == '2') && !c == '3'", '((a == "1" || b == "2") && !c == "3")'],
    ['global() && all()', '(global() && all())'],
    // Set order is by code point (UTF-8 byte order), as Go sorts: U+FF5E before U+1F600.
    ['a in {"😀", "～", "b"}', 'a in {"b", "～", "😀"}'],
  ];
  for (const [input, canonical] of cases) {
    it(`${JSON.stringify(input)} → ${canonical}`, () => {
      const sel = parseSelector(input);
      assert.equal(selectorToString(sel), canonical);
      assert.equal(parseSelector(canonical).text, canonical, 'the canonical form is a fixed point');
    });
  }
});

describe('selector errors carry the column', () => {
  const bad: [string, number, RegExp][] = [
    ['b == b', 6, /expected a quoted string after '=='/],
    ["'b1' == b", 1, /expected a label/],
    ['b', 2, /expected an operator after label 'b'/],
    ['a b', 3, /expected an operator after label 'a'/],
    ["a = 'b'", 3, /single '=' is not an operator/],
    ['!', 2, /expected a label.*found the end/],
    ["foo == 'bar' &", 14, /expected '&&'/],
    ["foo == 'bar' |", 14, /expected '\|\|'/],
    ['foo != ||', 8, /expected a quoted string/],
    ["foo in {'', ||", 13, /expected a quoted string or '}'/],
    ["foo in ''", 8, /expected '\{' after 'in'/],
    ['"FOO', 1, /unterminated string/],
    [`x == "FOO'`, 6, /unterminated string/],
    ["x == 'a' && y == 'b", 18, /unterminated string/],
    ['(', 2, /found the end/],
    ["(a == 'foo'", 12, /expected '\)'/],
    [')', 1, /expected a label.*found '\)'/],
    ['()', 2, /found '\)'/],
    ['%', 1, /unexpected character "%"/],
    ["a == 'b' && %", 13, /unexpected character/],
    ['a ', 3, /expected an operator after label 'a'/],
    ['has(foo) &&', 12, /found the end/],
    ['has(foo', 8, /expected '\)' to close has\(/],
    ['has()', 5, /expected a label name inside has/],
    ['has (a)', 5, /expected an operator after label 'has'/],
    ['all(x)', 5, /expected '\)' to close all\(/],
    ['global(', 8, /expected '\)' to close global\(/],
    ["a starts 'x'", 3, /expected an operator/],
    ["a not 'x'", 3, /expected an operator/],
    ["a == 'x' b == 'y'", 10, /expected '&&', '\|\|' or the end/],
    ["a == 'x'\n&& b == 'y'", 9, /unexpected character "\\n"/],
    ["a in {'x' 'y'}", 11, /expected a quoted string or '}'/],
    ["a in {,}", 7, /expected a quoted string or '}'/],
    ["a == 'x' && (b == 'y'", 22, /expected '\)'/],
  ];
  for (const [input, column, message] of bad) {
    it(`${JSON.stringify(input)} → column ${column}`, () => {
      assert.throws(() => parseSelector(input), (err: unknown) => {
        assert.ok(err instanceof SelectorSyntaxError);
        assert.ok(err instanceof PolicyError);
        assert.equal(err.code, 'BAD_SELECTOR');
        assert.equal(err.column, column, `column for ${input}: ${err.message}`);
        assert.match(err.message, message);
        assert.match(err.message, new RegExp(`^selector column ${column}: `));
        return true;
      });
    });
  }
});

describe('selector limits', () => {
  it('refuses over-long input', () => {
    const long = `a in {${Array.from({ length: 2000 }, (_, i) => `'v${i}'`).join(',')}}`;
    assert.ok(long.length > MAX_SELECTOR_LENGTH);
    assert.throws(() => parseSelector(long), /longer than 8192 characters/);
  });

  it(`accepts ${MAX_SELECTOR_DEPTH} levels of parentheses and refuses one more`, () => {
    const nest = (d: number): string => `${'('.repeat(d)}has(a)${')'.repeat(d)}`;
    assert.equal(matches(parseSelector(nest(MAX_SELECTOR_DEPTH)), { a: '' }), true);
    assert.throws(() => parseSelector(nest(MAX_SELECTOR_DEPTH + 1)), (err: unknown) =>
      err instanceof SelectorSyntaxError && err.column === MAX_SELECTOR_DEPTH + 1 && /nested deeper than 64/.test(err.message));
  });

  it('handles long flat chains without recursion trouble', () => {
    const parts = Array.from({ length: 500 }, (_, i) => `k${i} != 'x'`);
    const sel = parseSelector(parts.join(' && '));
    assert.equal(matches(sel, {}), true);
    assert.equal(matches(sel, { k499: 'x' }), false);
    const many = parseSelector(Array.from({ length: 600 }, () => '!').join('') + 'has(a)');
    assert.equal(many.text, 'has(a)');
  });
});
