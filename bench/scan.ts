/**
 * `npm run bench`: `portcullis sbom` on a large image served by a real registry.
 *
 * Builds (once; kept in bench/.work/) a multi-layer image of at least 500 MB uncompressed — many
 * small text files plus real package databases — pushes it to Debian's docker-registry on
 * loopback (started by test/registry.ts) with skopeo, then measures, in the same run:
 *
 * - baseline: `zcat` (gzip -dc, one process, layers one after another, output to /dev/null) of
 *   the same layer blobs from local disk — the least work any tool must do to read the layers;
 * - sbom cold: the CLI, registry pull, empty cache (a fresh --cache-dir per run);
 * - sbom warm: the CLI again on a cache filled by a cold run (manifest and config still fetched),
 *   as a whole process and, for the gate and webhook, per image inside one long-lived process;
 * - peak RSS of the CLI process (GNU time's %M).
 *
 * Targets (issue 2): cold / zcat ≤ 1.0, warm ≤ 100 ms, peak RSS ≤ 300 MB.
 * Options: BENCH_LAYERS (default 10), BENCH_MB_PER_LAYER (default 56), BENCH_RUNS (default 3),
 * BENCH_TRANSPORT=oci to measure the OCI layout instead of the registry.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../test/registry.ts';
import { which } from '../test/tools.ts';
import { buildBigImage, realDatabases } from './lib/big-image.ts';
import type { BigImage } from './lib/big-image.ts';
import { measure, median } from './lib/measure.ts';
import type { Measured } from './lib/measure.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/data', import.meta.url));
const LAYERS = Number(process.env.BENCH_LAYERS ?? 10);
const MB_PER_LAYER = Number(process.env.BENCH_MB_PER_LAYER ?? 56);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TRANSPORT = process.env.BENCH_TRANSPORT === 'oci' ? 'oci' : 'registry';

const log = (s: string) => process.stderr.write(`${s}\n`);
const MB = (bytes: number) => (bytes / 1e6).toFixed(0);

async function image(): Promise<BigImage> {
  const dir = join(ROOT, 'bench/.work', `image-v1-${LAYERS}x${MB_PER_LAYER}MB`);
  const done = join(dir, 'built.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as BigImage;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`building a ${LAYERS}-layer image of ${LAYERS * MB_PER_LAYER} MB in ${dir} (once) ...`);
  const pkgdb = (p: string) => readFileSync(join(SHARED, 'pkgdb', p));
  const databases = new Map<number, Map<string, Buffer>>([
    // The base: this machine's dpkg status and os-release, an rpm Berkeley DB.
    [0, realDatabases(SHARED)],
    // An apk database in a middle layer, and the dpkg database replaced near the top.
    [Math.floor(LAYERS / 2), new Map([['lib/apk/db/installed', pkgdb('apk/trivy-alpine-3.4/input/lib/apk/db/installed')]])],
    [LAYERS - 1, new Map([['var/lib/dpkg/status', pkgdb('dpkg/trivy-ubuntu-bionic-status/input/var/lib/dpkg/status')]])],
  ]);
  const built = await buildBigImage({ dir, layers: LAYERS, bytesPerLayer: MB_PER_LAYER * 1e6, databases });
  writeFileSync(done, JSON.stringify(built));
  return built;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    const p = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

function check(m: Measured, what: string): Measured {
  if (m.code !== 0) throw new Error(`${what} failed (exit ${m.code}): ${m.stderr}`);
  return m;
}

const big = await image();
log(`image: ${LAYERS} layers, ${MB(big.uncompressedBytes)} MB uncompressed, ${MB(big.compressedBytes)} MB gzip, ${big.files} files`);

let reference = `oci:${big.dir}:bench`;
let stop = async () => {};
if (TRANSPORT === 'registry') {
  for (const p of ['docker-registry', 'skopeo']) if (!which(p)) throw new Error(`the benchmark needs ${p} (installed by .ci/run); BENCH_TRANSPORT=oci measures the OCI layout instead`);
  const registry = await startRegistry();
  stop = () => registry.stop();
  const home = mkdtempSync(join(tmpdir(), 'portcullis-bench-home-'));
  log(`pushing to ${registry.host} with skopeo ...`);
  await run('skopeo', ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${big.dir}:bench`, `docker://${registry.host}/bench:1`], { ...process.env, HOME: home });
  rmSync(home, { recursive: true, force: true });
  reference = `${registry.host}/bench:1`;
}

const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
try {
  const cli = (cacheDir: string) => measure(process.execPath, [join(ROOT, 'bin/portcullis.js'), 'sbom', reference, '--format', 'json', '-q', '--cache-dir', cacheDir, '-o', join(work, 'sbom.json')]);
  const zcat = () => measure('zcat', big.layerFiles);
  // One untimed run of each, so both start from a warm page cache and a warm registry.
  check(await zcat(), 'zcat');
  check(await cli(join(work, 'warmup')), 'sbom');
  const packages = (JSON.parse(readFileSync(join(work, 'sbom.json'), 'utf8')) as { packages: unknown[] }).packages.length;
  if (packages === 0) throw new Error('the benchmark image yielded no packages');

  // Interleaved, so load from other processes on the machine hits both sides alike.
  const base: Measured[] = [];
  const cold: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(check(await zcat(), 'zcat'));
    const cache = join(work, `cold-${i}`);
    cold.push(check(await cli(cache), 'sbom cold'));
    rmSync(cache, { recursive: true, force: true });
  }
  const warmCache = join(work, 'warm');
  check(await cli(warmCache), 'sbom');
  const warm: Measured[] = [];
  for (let i = 0; i < Math.max(5, RUNS); i++) warm.push(check(await cli(warmCache), 'sbom warm'));

  const inProcess = await new Promise<number>((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, [join(ROOT, 'bench/lib/warm-in-process.ts'), reference, warmCache, '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((JSON.parse(out) as { ms: number }).ms) : reject(new Error(`warm-in-process: exit ${code}`))));
  });

  const z = median(base.map((m) => m.ms));
  const c = median(cold.map((m) => m.ms));
  const zCpu = median(base.map((m) => m.cpuMs ?? NaN));
  const cCpu = median(cold.map((m) => m.cpuMs ?? NaN));
  const w = median(warm.map((m) => m.ms));
  const wCpu = median(warm.map((m) => m.cpuMs ?? NaN));
  const rss = Math.max(...[...cold, ...warm].map((m) => m.maxRssMB ?? NaN));
  const nodeRuns: Measured[] = [];
  for (let i = 0; i < 5; i++) nodeRuns.push(check(await measure(process.execPath, ['-e', '0']), 'node'));
  const node = { ms: median(nodeRuns.map((m) => m.ms)), cpuMs: median(nodeRuns.map((m) => m.cpuMs ?? NaN)) };
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  console.log(`portcullis sbom benchmark (${TRANSPORT === 'registry' ? 'local docker-registry' : 'OCI layout'}; ${LAYERS} layers, ${MB(big.uncompressedBytes)} MB uncompressed, ${MB(big.compressedBytes)} MB gzip, ${big.files} files, ${packages} packages; medians of ${RUNS})`);
  console.log(`baseline: zcat of the same layers (gzip -dc, serial, to /dev/null): ${(z / 1000).toFixed(2)} s`);
  console.log(`sbom cold: ${(c / 1000).toFixed(2)} s`);
  console.log(`sbom cold / zcat of the same layers: ${(c / z).toFixed(2)}  (target ≤ 1.0: ${verdict(c / z <= 1)})`);
  console.log(`  CPU time: sbom cold ${(cCpu / 1000).toFixed(2)} s, zcat ${(zCpu / 1000).toFixed(2)} s (sbom uses two cores: one inflating per layer in flight, the main thread hashing and walking)`);
  console.log(`sbom warm (cached) in ms: ${w.toFixed(0)}  (target ≤ 100: ${verdict(w <= 100)}; the whole CLI process; node start-up alone: ${node.ms.toFixed(0)} ms)`);
  console.log(`sbom warm (cached) CPU time in ms: ${wCpu.toFixed(0)}  (node start-up alone: ${node.cpuMs.toFixed(0)} ms; wall time above is this plus waiting for a core when the machine is busy)`);
  console.log(`sbom warm (cached), in a long-lived process (gate, webhook): ${inProcess.toFixed(1)} ms per image`);
  console.log(`peak RSS: ${Number.isFinite(rss) ? `${rss.toFixed(0)} MB  (target ≤ 300: ${verdict(rss <= 300)})` : 'not measured (no /usr/bin/time)'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
  await stop();
}
