/**
 * Every line of every reference ordering in ../shared/data/versions/ must hold, both ways round
 * (A op B and B op' A), through the public compareVersions. One test per file, reporting every
 * failing line rather than the first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, type SchemeName } from './index.ts';
import { orderingFiles, readOrderings } from './orderings.fixture.ts';

/** Which scheme each file's ecosystem uses (file names are OSV ecosystem names). */
const SCHEME_OF_FILE: Record<string, SchemeName> = {
  alpine: 'apk', debian: 'deb', redhat: 'rpm', semver: 'semver', pypi: 'pep440', maven: 'maven', rubygems: 'gem', nuget: 'nuget', packagist: 'composer',
};

const WANT = { '<': -1, '=': 0, '>': 1 } as const;

for (const file of orderingFiles()) {
  const scheme = SCHEME_OF_FILE[file.replace(/-versions.*$/, '')];
  test(`${file} holds under ${scheme}`, () => {
    assert.ok(scheme, `no scheme for ${file}`);
    const lines = readOrderings(file);
    assert.ok(lines.length > 0);
    const failures: string[] = [];
    for (const { line, a, op, b } of lines) {
      let got: string;
      try {
        const ab = compareVersions(scheme as SchemeName, a, b);
        const ba = compareVersions(scheme as SchemeName, b, a);
        if (ab === WANT[op] && ba === -WANT[op]) continue;
        got = `compare(a,b)=${ab}, compare(b,a)=${ba}`;
      } catch (e) {
        got = (e as Error).message;
      }
      failures.push(`${file}:${line}: ${a} ${op} ${b}: ${got}`);
    }
    assert.deepEqual(failures, [], `${failures.length} of ${lines.length} lines fail`);
  });
}
