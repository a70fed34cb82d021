/**
 * Database build benchmark: build time and file size from every shared sample feed
 * (../shared/data/feeds/, see its README.md and MANIFEST.json).
 *
 * - Build time is printed as a ratio against the time to only read the same feeds through
 *   their adapters (parsing, no database), measured in the same run: the ratio is what writing
 *   the database costs on top of parsing.
 * - Size is printed per advisory (one `affected` row: one package in one ecosystem or release,
 *   for one vulnerability, from one source — what Trivy stores as one key in a package bucket)
 *   and per vulnerability record, for the file as built and zstd-compressed as `db push` sends it.
 *
 *   node bench/db.ts [--runs N]
 */
import { mkdtempSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { constants, zstdCompressSync } from 'node:zlib';
import { buildDb, DB_ZSTD_LEVEL, feedFor, VulnDb } from '../src/vulndb/index.ts';
import type { FeedInput } from '../src/vulndb/index.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Math.max(1, Number(values.runs));

const FEEDS_DIR = fileURLToPath(new URL('../../shared/data/feeds/', import.meta.url));
const feed = (kind: string, rel: string): FeedInput => ({ kind, path: join(FEEDS_DIR, rel) });
/** Every sample, each once (the KEV CSV repeats the JSON; the EPSS fixture is an older day's scores). */
const FEEDS: FeedInput[] = [
  feed('osv', 'osv'),
  feed('debian-tracker', 'debian-security-tracker'),
  feed('alpine-secdb', 'alpine-secdb'),
  feed('alpine-secdb', 'wolfi-secdb/wolfi-security.json.excerpt'),
  feed('alpine-secdb', 'wolfi-secdb/chainguard-security.json.excerpt'),
  feed('cve5', 'cve-json5'),
  feed('kev', 'kev/known_exploited_vulnerabilities.json'),
  feed('epss', 'epss/vunnel-fixture-example-1.csv'),
  feed('epss', 'epss/epss_scores-2026-09-29.excerpt.csv'),
];

/**
 * Trivy's database, for comparison. Neither figure is measured here (no network):
 * - 474 MB: trivy.db on disk as Harbor's Trivy adapter kept it in July 2024
 *   (goharbor/harbor issue #20702, 2024-07-04: "[474M] trivy.db");
 * - 51,892,990 bytes: the gzip layer of ghcr.io/aquasecurity/trivy-db:2 built 2024-07-02
 *   (its OCI manifest as shown on the GitHub package page).
 * Trivy does not publish how many advisories that file holds, so the comparison below prints the
 * advisory count at which Trivy's bytes per advisory would equal ours. It stores NVD's details of
 * every CVE, so it holds at least as many vulnerability records as NVD had CVEs: 259,383 on
 * 2024-08-11 (the count fkie-cad/nvd-json-data-feeds, a daily NVD mirror, published that day).
 */
const TRIVY_DB_BYTES = 474 * 1024 * 1024;
const TRIVY_LAYER_BYTES = 51_892_990;
const NVD_CVES_2024_08 = 259_383;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function readOnly(): Promise<number> {
  let n = 0;
  for (const f of FEEDS) for await (const _ of feedFor(f.kind).read(f.path)) n++;
  return n;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-db-'));
try {
  const output = join(dir, 'portcullis.db');
  let records = 0;
  await readOnly(); // warm-up: module loading, file cache
  const readMs: number[] = [];
  const buildMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    readMs.push(await timed(async () => { records = await readOnly(); }));
    buildMs.push(await timed(() => buildDb({ feeds: FEEDS, output })));
  }
  const db = VulnDb.open(output);
  const info = db.info();
  db.close();
  const bytes = statSync(output).size;
  const zst = zstdCompressSync(readFileSync(output), { params: { [constants.ZSTD_c_compressionLevel]: DB_ZSTD_LEVEL } }).length;
  const raw = new DatabaseSync(output, { readOnly: true });
  const tableBytes = new Map((raw.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[]).map((r) => [r.name, r.bytes]));
  raw.close();

  const advisories = info.counts.affected;
  const vulns = info.counts.vulnerabilities;
  const read = median(readMs);
  const build = median(buildMs);
  console.log(`feeds: ${FEEDS.length} sources, ${fmt(info.feeds.reduce((s, f) => s + f.records, 0))} source records → ${fmt(records)} normalised records`);
  console.log(`database: ${fmt(advisories)} advisories (affected rows), ${fmt(vulns)} vulnerabilities, ${fmt(info.counts.kev)} KEV, ${fmt(info.counts.epss)} EPSS`);
  console.log(`read feeds only (baseline):  ${read.toFixed(0)} ms (median of ${RUNS})`);
  console.log(`build database:              ${build.toFixed(0)} ms (median of ${RUNS}) = ${(build / read).toFixed(2)}× reading the feeds`);
  console.log(`file:                        ${fmt(bytes)} bytes; zstd -${DB_ZSTD_LEVEL} as "db push" sends it: ${fmt(zst)} bytes (${(bytes / zst).toFixed(1)}:1)`);
  console.log(`bytes per advisory:          ${(bytes / advisories).toFixed(0)} (whole file), ${(zst / advisories).toFixed(0)} compressed`);
  console.log(`  of which affected table:   ${((tableBytes.get('affected') ?? 0) / advisories).toFixed(0)} per advisory`);
  console.log(`  vulnerabilities table:     ${((tableBytes.get('vulns') ?? 0) / Math.max(1, vulns)).toFixed(0)} per vulnerability record (descriptions, CVSS, references)`);
  console.log(`Trivy (July 2024): ${fmt(TRIVY_DB_BYTES)} bytes on disk, ${fmt(TRIVY_LAYER_BYTES)} compressed (sources in bench/db.ts)`);
  console.log(`  at our bytes per advisory, Trivy's file would hold ${fmt(TRIVY_DB_BYTES / (bytes / advisories))} advisories (${fmt(TRIVY_LAYER_BYTES / (zst / advisories))} by compressed size);`);
  console.log('  ours is no larger per advisory if Trivy holds at least that many.');
  console.log(`  per vulnerability, Trivy's whole file is at most ${fmt(TRIVY_DB_BYTES / NVD_CVES_2024_08)} bytes (≥ ${fmt(NVD_CVES_2024_08)} CVE records); our vulnerability record alone: ${((tableBytes.get('vulns') ?? 0) / Math.max(1, vulns)).toFixed(0)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
