/**
 * Test data shared by the versions tests: the reference orderings in ../shared/data/versions/
 * (produced by each ecosystem's own tool, see that directory's README) and the real version
 * strings they contain. Test-only; kept out of the library's index.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export const VERSIONS_DIR = new URL('../../../shared/data/versions/', import.meta.url);
export const PKGDB_DIR = new URL('../../../shared/data/pkgdb/', import.meta.url);

export interface Ordering { line: number; a: string; op: '<' | '=' | '>'; b: string }

/** The lines of one orderings file, without blank lines and `#`/`//` comments. */
export function readOrderings(file: string): Ordering[] {
  const out: Ordering[] = [];
  readFileSync(new URL(file, VERSIONS_DIR), 'utf8').split('\n').forEach((text, i) => {
    const t = text.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('//')) return;
    const parts = t.split(' ');
    if (parts.length !== 3 || !['<', '=', '>'].includes(parts[1] as string)) throw new Error(`${file}:${i + 1}: not "A op B": ${t}`);
    out.push({ line: i + 1, a: parts[0] as string, op: parts[1] as Ordering['op'], b: parts[2] as string });
  });
  return out;
}

export function orderingFiles(): string[] {
  return readdirSync(VERSIONS_DIR).filter((f) => f.endsWith('.txt')).sort();
}

/** Every distinct version string named in the orderings files whose names start with `prefix`. */
export function versionsFromOrderings(prefix: string): string[] {
  const set = new Set<string>();
  for (const f of orderingFiles().filter((n) => n.startsWith(prefix))) {
    for (const o of readOrderings(f)) set.add(o.a).add(o.b);
  }
  return [...set];
}

/** `fullVersion` (or `version`) of every package in the pkgdb fixtures of one kind (dpkg, apk, rpm). */
export function versionsFromPkgdb(kind: string): string[] {
  const set = new Set<string>();
  const dir = new URL(`${kind}/`, PKGDB_DIR);
  for (const fixture of readdirSync(dir)) {
    let expected: unknown;
    try {
      expected = JSON.parse(readFileSync(new URL(`${fixture}/expected.json`, dir), 'utf8'));
    } catch {
      continue;
    }
    const list = Array.isArray(expected) ? expected : ((expected as { packages?: unknown[] })?.packages ?? []);
    for (const p of list as Record<string, unknown>[]) {
      const v = p.fullVersion ?? p.version;
      if (typeof v === 'string' && v !== '') set.add(v);
    }
  }
  return [...set];
}

/** mulberry32: a small seeded generator, so the pairs are the same on every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pairs to compare: `random` random pairs plus `neighbours` pairs of neighbours in plain string
 * order (which share prefixes, so they reach the close calls random pairs rarely do), all drawn
 * with a fixed seed so every run compares the same pairs.
 */
export function pairsOf(versions: readonly string[], random: number, neighbours: number, seed = 20261201): [string, string][] {
  const rnd = seeded(seed);
  const index = (n: number) => Math.floor(rnd() * n);
  const pairs: [string, string][] = [];
  for (let i = 0; i < random; i++) pairs.push([versions[index(versions.length)] as string, versions[index(versions.length)] as string]);
  const sorted = [...versions].sort();
  for (let i = 0; i < neighbours && sorted.length > 1; i++) {
    const k = 1 + index(sorted.length - 1);
    pairs.push(rnd() < 0.5 ? [sorted[k - 1] as string, sorted[k] as string] : [sorted[k] as string, sorted[k - 1] as string]);
  }
  return pairs;
}

/** Like test/tools.ts needs(), for a file a test reads: a skip message locally, a failure under CI=true. */
export function needsFile(path: string): false | string {
  if (existsSync(path)) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${path} is missing (installed by .ci/run)`);
  return `needs ${path} (installed by .ci/run)`;
}
