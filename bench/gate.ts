/**
 * `npm run bench:gate`: `portcullis gate` over 60 workloads that reference 20 distinct images
 * sharing their base layers, served by a real registry (Debian's docker-registry on loopback,
 * started by test/registry.ts; images pushed with skopeo), judged against a DB built from the
 * shared feed samples. Measured in the same run:
 *
 * - baseline: the sum of 20 single `portcullis scan` runs, one per image, each with an empty
 *   cache — what the usual PreSync recipe (one scanner run per image) costs;
 * - gate cold: one `portcullis gate --store` over the 60 workloads, empty layer cache and store;
 * - gate warm: the same again, everything cached: the layer cache and the result store hold
 *   every digest (tags are still resolved at the registry: a moved tag must be seen).
 *
 * Targets (issue 5): gate cold / sum of 20 single cold scans ≤ 0.4; gate warm ≤ 1 s.
 * Options: BENCH_BASE_MB (size of the shared base, default 60), BENCH_RUNS (default 3).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage } from '../test/image-builder.ts';
import type { EntrySpec } from '../test/image-builder.ts';
import { pushImage, startRegistry } from '../test/registry.ts';
import { which } from '../test/tools.ts';
import { buildSampleDb } from '../src/scan/test-fixtures.ts';
import { realDatabases } from './lib/big-image.ts';
import { measure, median } from './lib/measure.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/data', import.meta.url));
const BIN = join(ROOT, 'bin/portcullis.js');
const BASE_MB = Number(process.env.BENCH_BASE_MB ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IMAGES = 20;
const WORKLOADS = 60;
const log = (s: string) => process.stderr.write(`${s}\n`);

for (const p of ['docker-registry', 'skopeo']) if (!which(p)) throw new Error(`bench:gate needs ${p}`);

/** Deterministic text, compressible like real files. */
function text(seed: number, size: number): Buffer {
  const words = 'the of and to in is for on that by this with from are as be at or an it not package library version build install update'.split(' ');
  let a = seed >>> 0;
  const parts: string[] = [];
  let len = 0;
  while (len < size) {
    a = (Math.imul(a ^ (a >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    const w = words[a % words.length]!;
    parts.push(w);
    len += w.length + 1;
  }
  return Buffer.from(parts.join(' ').slice(0, size));
}

const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-gate-'));
const reg = await startRegistry();
try {
  log(`building ${IMAGES} images on a ${BASE_MB} MB shared base ...`);
  const dbs = realDatabases(SHARED);
  const base: EntrySpec[][] = [
    [...dbs].map(([path, content]) => ({ path, content })),
    ...Array.from({ length: 3 }, (_, l) => Array.from({ length: 40 }, (_, f) => ({ path: `usr/share/base/${l}/file-${f}.txt`, content: text(l * 100 + f, Math.floor((BASE_MB * 1e6) / 120)) }))),
  ];
  const refs: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const image = await buildImage({ layers: [...base, [{ path: `app/app-${i}.txt`, content: text(10_000 + i, 500_000) }]] });
    await pushImage(reg, `bench/app-${i}:1`, image);
    refs.push(`${reg.host}/bench/app-${i}:1`);
  }
  const db = await buildSampleDb(work);
  const manifests = join(work, 'manifests.yaml');
  writeFileSync(manifests, Array.from({ length: WORKLOADS }, (_, w) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: svc-${w}, namespace: bench}
spec:
  selector: {matchLabels: {app: svc-${w}}}
  template:
    metadata: {labels: {app: svc-${w}}}
    spec:
      containers:
        - {name: app, image: "${refs[w % IMAGES]}"}
`).join(''));

  const cli = async (args: string[], cacheDir: string, okCodes = [0, 1]) => {
    const m = await measure(process.execPath, [BIN, ...args, '--db', db, '--cache-dir', cacheDir, '-q'], { env: { ...process.env, HOME: work } });
    if (!okCodes.includes(m.code ?? -1)) throw new Error(`${args.join(' ')}: exit ${m.code}: ${m.stderr}`);
    return m.ms;
  };
  const fresh = () => mkdtempSync(join(work, 'cache-'));

  const baselines: number[] = [];
  const colds: number[] = [];
  const warms: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let sum = 0;
    for (const ref of refs) sum += await cli(['scan', ref, '--format', 'json'], fresh());
    baselines.push(sum);
    const cache = fresh();
    const store = join(cache, 'results.db');
    colds.push(await cli(['gate', manifests, '--format', 'json', '--store', store], cache));
    warms.push(await cli(['gate', manifests, '--format', 'json', '--store', store], cache));
    log(`run ${run + 1}: ${IMAGES} single cold scans ${(sum / 1000).toFixed(2)} s, gate cold ${(colds.at(-1)! / 1000).toFixed(2)} s, gate warm ${(warms.at(-1)! / 1000).toFixed(2)} s`);
  }
  const ratio = median(colds) / median(baselines);
  process.stdout.write(`gate cold / sum of ${IMAGES} single cold scans: ${ratio.toFixed(3)} (target ≤ 0.4; ${(median(colds) / 1000).toFixed(2)} s vs ${(median(baselines) / 1000).toFixed(2)} s, ${WORKLOADS} workloads)\n`);
  process.stdout.write(`gate warm in s: ${(median(warms) / 1000).toFixed(3)} (target ≤ 1)\n`);
} finally {
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
}
