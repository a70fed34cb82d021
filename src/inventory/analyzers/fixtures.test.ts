/**
 * Every real package database and release file in ../shared/data/pkgdb/<kind>/<fixture>/ yields
 * its expected.json: the fixture's input/ tree goes through the registered analyzers exactly as a
 * layer would (wants() on each path, analyze() on each wanted file), then resolveOS(). New
 * fixtures are picked up as they appear.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { OSFacts, RawPackage } from '../types.ts';
import { ANALYZERS, resolveOS } from './index.ts';

const PKGDB = fileURLToPath(new URL('../../../../shared/data/pkgdb/', import.meta.url));

interface Analysed {
  packages: RawPackage[];
  osFacts: { path: string; facts: OSFacts }[];
  errors: string[];
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(full));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

function analyseTree(root: string): Analysed {
  const result: Analysed = { packages: [], osFacts: [], errors: [] };
  for (const file of filesUnder(root).sort()) {
    const path = relative(root, file).split('\\').join('/');
    for (const a of ANALYZERS) {
      if (!a.wants(path)) continue;
      try {
        const r = a.analyze(path, readFileSync(file));
        result.packages.push(...(r.packages ?? []));
        if (r.os) result.osFacts.push({ path, facts: r.os });
      } catch (err) {
        result.errors.push(`${a.name}: ${path}: ${(err as Error).message}`);
      }
    }
  }
  return result;
}

/** A version split the way the fixtures' fields name its parts. */
function splitVersion(manager: RawPackage['manager'], full: string): { epoch: number; version: string; release?: string } {
  let rest = full;
  let epoch = 0;
  const m = /^(\d+):(.*)$/.exec(rest);
  if (m) {
    epoch = Number(m[1]);
    rest = m[2]!;
  }
  if (manager === 'apk') return { epoch, version: rest }; // the fixtures' apk "version" is the whole string
  const dash = rest.lastIndexOf('-');
  return dash < 0 ? { epoch, version: rest } : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

/** Our package in the fixtures' vocabulary, for the fields an expected entry names. */
function asFixtureEntry(p: RawPackage): Record<string, unknown> {
  const v = splitVersion(p.manager, p.version);
  const entry: Record<string, unknown> = {
    name: p.name, fullVersion: p.version, version: v.version, release: v.release, epoch: v.epoch, arch: p.arch,
    srcName: p.sourceName,
  };
  if (p.sourceVersion !== undefined) {
    const s = splitVersion(p.manager, p.sourceVersion);
    Object.assign(entry, { srcVersion: s.version, srcRelease: s.release, srcEpoch: s.epoch });
  }
  return entry;
}

const COMPARED = ['name', 'fullVersion', 'version', 'release', 'epoch', 'arch', 'srcName', 'srcVersion', 'srcRelease', 'srcEpoch'];

/** The fields of `values` that `expected` names, nulls and absent epochs normalised. */
function project(expected: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of COMPARED) {
    if (!(k in expected)) continue;
    let e = values[k];
    // Absent/null epochs mean 0; other nulls mean "no such part".
    if ((k === 'epoch' || k === 'srcEpoch') && (e === null || e === undefined)) e = 0;
    out[k] = e === null ? undefined : e;
  }
  return out;
}

function fixturesOf(kind: string): string[] {
  const dir = join(PKGDB, kind);
  return existsSync(dir) ? readdirSync(dir).filter((f) => existsSync(join(dir, f, 'expected.json'))).sort() : [];
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

for (const [kind, manager] of [['dpkg', 'dpkg'], ['apk', 'apk'], ['rpm', 'rpm']] as const) {
  describe(`${kind} fixtures (../shared/data/pkgdb/${kind})`, () => {
    const fixtures = fixturesOf(kind);
    test('there are fixtures to check', () => assert.ok(fixtures.length > 0, `no fixtures under ${PKGDB}${kind}`));
    for (const name of fixtures) {
      test(name, () => {
        const dir = join(PKGDB, kind, name);
        const meta = readJson(join(dir, 'meta.json')) as { match: 'exact' | 'contains' };
        const expected = readJson(join(dir, 'expected.json')) as Record<string, unknown>[];
        const got = analyseTree(join(dir, 'input'));
        assert.deepEqual(got.errors, []);
        const ours = got.packages.filter((p) => p.manager === manager);
        const remaining = ours.map(asFixtureEntry);
        for (const e of expected) {
          const want = project(e, e);
          const i = remaining.findIndex((a) => a.name === e.name && isDeepStrictEqual(project(e, a), want));
          if (i < 0) {
            const sameName = remaining.filter((a) => a.name === e.name).map((a) => project(e, a));
            assert.fail(`expected ${JSON.stringify(want)}; ours with that name: ${JSON.stringify(sameName)}`);
          }
          remaining.splice(i, 1);
        }
        if (meta.match === 'exact') assert.deepEqual(remaining.map((r) => `${String(r.name)}@${String(r.fullVersion)}`), [], 'packages not in expected.json');
      });
    }
  });
}

describe('os-release fixtures (../shared/data/pkgdb/os-release)', () => {
  const fixtures = fixturesOf('os-release');
  test('there are fixtures to check', () => assert.ok(fixtures.length > 0));
  for (const name of fixtures) {
    test(name, () => {
      const dir = join(PKGDB, 'os-release', name);
      const expected = readJson(join(dir, 'expected.json')) as { family: string; name: string } | { error: string } | null;
      const got = analyseTree(join(dir, 'input'));
      const os = resolveOS(got.osFacts);
      if (expected === null || 'error' in expected) {
        assert.equal(os, undefined);
      } else {
        assert.deepEqual(got.errors, []);
        assert.deepEqual(os && { family: os.family, name: os.version }, { family: expected.family, name: expected.name });
      }
    });
  }
});
