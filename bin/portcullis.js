#!/usr/bin/env node
// Runs the compiled CLI; in a source checkout without a build, Node's type stripping runs the
// TypeScript directly (it refuses to do so inside node_modules, where dist/ always exists).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
const { main } = existsSync(dist) ? await import(dist.href) : await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
