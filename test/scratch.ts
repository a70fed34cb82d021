/** A temporary directory per test file, removed when the file's tests end, with fresh subdirectories on demand. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after } from 'node:test';

export function scratchDirs(prefix: string): { root: string; fresh(name: string): string } {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  let counter = 0;
  return {
    root,
    fresh(name) {
      const d = join(root, `${name}-${++counter}`);
      mkdirSync(d, { recursive: true });
      return d;
    },
  };
}

/**
 * A place to run a command in a child process where every directory it could write to (home,
 * temporary directory, working directory) is watched, beside the cache directory it is given.
 */
export function sandbox(dir: string): { cwd: string; cache: string; env: NodeJS.ProcessEnv; writtenOutsideCache(): string[]; written(): string[] } {
  for (const d of ['home', 'tmp', 'cwd', 'cache']) mkdirSync(join(dir, d));
  const written = () => readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
  return {
    cwd: join(dir, 'cwd'),
    cache: join(dir, 'cache'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), TMPDIR: join(dir, 'tmp'), XDG_CACHE_HOME: join(dir, 'home', '.cache') },
    written,
    writtenOutsideCache: () => written().filter((f) => !f.startsWith('cache/')),
  };
}
