import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileImagePath, MAX_IMAGE_PATH_PATTERN } from './image-path.ts';

function regex(pattern: string): RegExp {
  const c = compileImagePath(pattern);
  if ('error' in c) assert.fail(`${pattern}: ${c.error}`);
  return c.regex;
}

function error(pattern: string): string {
  const c = compileImagePath(pattern);
  assert.ok('error' in c, `${pattern} should be refused`);
  return c.error;
}

describe('imagePath patterns', () => {
  it('match unanchored, as Go regexp.MatchString does', () => {
    const r = regex('gcr.io/company/');
    assert.equal(r.test('mirror.example/gcr.io/company/app:1'), true);
    assert.equal(regex('^gcr\\.io/company/.*').test('mirror.example/gcr.io/company/app'), false);
    assert.equal(regex('^gcr\\.io/company/.*').test('gcr.io/company/app'), true);
  });

  it('accept ordinary RE2 patterns, including repeated groups without inner repetition', () => {
    for (const p of ['^registry\\.hub\\.docker\\.com/.*', '^(docker\\.io|ghcr\\.io)/acme/', '^(library/)?nginx(:[0-9.]+)?$', '^(ab|cd)*$', '^a{2,5}b', '[.*+]{1}x', '\\d+\\.\\d+', '^(?:a|b)+$']) {
      regex(p);
    }
    assert.equal(regex('^(?:a|b)+$').test('abba'), true);
  });

  it('translate RE2 leading flags and named groups', () => {
    const r = regex('(?i)^GCR\\.IO/');
    assert.equal(r.test('gcr.io/x'), true);
    assert.equal(r.flags, 'i');
    assert.equal(regex('^(?P<reg>[a-z.]+)/app$').exec('gcr.io/app')?.groups?.reg, 'gcr.io');
    assert.match(error('(?U)a+'), /\(\?U\) flag/);
  });

  it('refuse catastrophic-backtracking shapes', () => {
    for (const p of ['(a+)+$', '^(\\w*-)*x$', '((a)*)*', '(a|aa+){2,}', '(x+x+)+y', '(?:[a-z]+/)*app']) {
      assert.match(error(p), /repeated group contains a repetition/, p);
    }
  });

  it('refuse what is not RE2 or would mean something else in JavaScript', () => {
    assert.match(error('(a)\\1'), /backreferences/);
    assert.match(error('(?<n>a)\\k<n>'), /named backreferences/);
    assert.match(error('a(?=b)'), /lookahead and lookbehind/);
    assert.match(error('(?<!a)b'), /lookahead and lookbehind/);
    assert.match(error('app\\z'), /escape \\z is not supported/);
    assert.match(error('\\pL+'), /escape \\p is not supported/);
    assert.match(error('('), /not a valid regular expression/);
    assert.match(error('x'.repeat(MAX_IMAGE_PATH_PATTERN + 1)), /longer than 512/);
    // Escapes inside a character class are literal there: no false alarm.
    regex('[\\1a]');
  });
});
