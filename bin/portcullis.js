#!/usr/bin/env node
// In a source checkout Node's type stripping runs the TypeScript directly, so the CLI is never a
// stale build of the sources beside it; an installed package (no src/, and Node refuses to strip
// types inside node_modules) runs the compiled dist/.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

const argv = process.argv.slice(2);

/**
 * Node's compile cache keeps the type-stripped, compiled modules between runs: without it, a
 * cached `sbom` spends most of its time stripping and compiling sources. It lives in the cache
 * directory (--cache-dir, else $XDG_CACHE_HOME/portcullis), so the CLI writes nowhere else;
 * --no-cache turns it off with the rest. Failing to enable it only makes the run slower.
 */
function compileCacheDir() {
  if (argv.includes('--no-cache') || process.env.NODE_COMPILE_CACHE) return undefined;
  const i = argv.findIndex((a) => a === '--cache-dir' || a.startsWith('--cache-dir='));
  const given = i < 0 ? undefined : argv[i].startsWith('--cache-dir=') ? argv[i].slice('--cache-dir='.length) : argv[i + 1];
  if (given) return join(given, 'node-compile-cache');
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'portcullis', 'node-compile-cache');
}
/**
 * mkdir -p, a level at a time: Node's own recursive mkdir (which enableCompileCache uses) never
 * returns where mkdir fails with ENOENT under an existing parent, as under /proc.
 */
function makeDirs(dir) {
  const missing = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
  }
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
}

const compileCache = compileCacheDir();
if (compileCache) {
  try {
    makeDirs(compileCache);
    module.enableCompileCache?.(compileCache);
  } catch {
    // a read-only or odd cache directory: run uncached
  }
}

const src = new URL('../src/cli/main.ts', import.meta.url);
const dist = new URL('../dist/cli/main.js', import.meta.url);
const inNodeModules = src.pathname.includes('/node_modules/');
const { main } = !inNodeModules && existsSync(src) ? await import(src.href) : await import(dist.href);
process.exitCode = await main(argv);
