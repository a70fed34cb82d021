/**
 * `npm run bench:analyzers`: how much the package-database parsers and the path filter cost,
 * against the SHA-256 of the same bytes — the digest check every layer already pays — measured
 * in the same run. A ratio below 1 means parsing a database costs less than verifying it.
 *
 * - dpkg: this machine's status stanzas renamed and repeated to 2,000 packages (~2 MB);
 * - apk: the real Alpine 3.4 database of the shared fixtures repeated 200 times;
 * - wants(): every analyzer asked about a million ordinary paths (printed in ns per path).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ANALYZERS } from '../src/inventory/index.ts';
import { parseApkInstalled, parseDpkgStatus } from '../src/inventory/analyzers/index.ts';

const ALPINE_DB = fileURLToPath(new URL('../../shared/data/pkgdb/apk/trivy-alpine-3.4/input/lib/apk/db/installed', import.meta.url));
const DPKG_STATUS = '/var/lib/dpkg/status';

/** Median wall time of `fn` over `runs` runs, after a warm-up like a long-running process has. */
function median(fn: () => unknown, runs = 11): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

function sha256Ms(data: Buffer): number {
  return median(() => createHash('sha256').update(data).digest());
}

function report(name: string, data: Buffer, parse: () => number): void {
  let n = 0;
  const ms = median(() => { n = parse(); });
  const base = sha256Ms(data);
  process.stdout.write(`${name}: ${n} packages, ${(data.length / 1e6).toFixed(1)} MB in ${ms.toFixed(2)} ms; `
    + `sha256 of the same bytes ${base.toFixed(2)} ms; parse / sha256 = ${(ms / base).toFixed(2)}\n`);
}

if (existsSync(DPKG_STATUS)) {
  const stanzas = readFileSync(DPKG_STATUS, 'utf8').split(/\n\n+/).filter((s) => s.includes('Package:'));
  const out: string[] = [];
  for (let i = 0; out.length < 2000; i++) out.push(stanzas[i % stanzas.length]!.replace(/^Package: (.*)$/m, `Package: $1-${i}`));
  const big = Buffer.from(`${out.join('\n\n')}\n`);
  report('dpkg status', big, () => parseDpkgStatus(big).length);
} else {
  process.stdout.write(`dpkg status: skipped (no ${DPKG_STATUS} on this machine)\n`);
}

if (existsSync(ALPINE_DB)) {
  const real = readFileSync(ALPINE_DB, 'utf8');
  const big = Buffer.from(Array.from({ length: 200 }, (_, i) => real.replace(/^P:(.*)$/gm, `P:$1-${i}`)).join('\n\n'));
  report('apk installed', big, () => parseApkInstalled(big).length);
} else {
  process.stdout.write('apk installed: skipped (no ../shared/data beside the project)\n');
}

const paths = Array.from({ length: 1000 }, (_, i) => [`usr/lib/python3/dist-packages/pkg${i}/module${i}.py`, `var/lib/dpkg/info/pkg${i}.list`,
  `usr/share/doc/pkg${i}/copyright`, `etc/conf${i}.d/x`]).flat();
const rounds = 250;
const wantsMs = median(() => {
  let n = 0;
  for (let r = 0; r < rounds; r++) for (const p of paths) for (const a of ANALYZERS) if (a.wants(p)) n++;
  return n;
}, 5);
const asked = paths.length * rounds;
process.stdout.write(`wants(): ${asked} paths × ${ANALYZERS.length} analyzers in ${wantsMs.toFixed(0)} ms `
  + `(${((wantsMs * 1e6) / asked).toFixed(0)} ns per path for all analyzers)\n`);
