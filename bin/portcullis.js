#!/usr/bin/env node
// In a source checkout Node's type stripping runs the TypeScript directly, so the CLI is never a
// stale build of the sources beside it; an installed package (no src/, and Node refuses to strip
// types inside node_modules) runs the compiled dist/.
import { existsSync } from 'node:fs';

const src = new URL('../src/cli/main.ts', import.meta.url);
const dist = new URL('../dist/cli/main.js', import.meta.url);
const inNodeModules = src.pathname.includes('/node_modules/');
const { main } = !inNodeModules && existsSync(src) ? await import(src.href) : await import(dist.href);
process.exitCode = await main(process.argv.slice(2));
