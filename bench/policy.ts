/**
 * Policy benchmark: decideScan on a large result (20,000 findings over 4,000 packages) with
 * everything a CI line can throw at it — 4,000 OpenVEX statements (half about the image with
 * package subcomponents, half about packages), a 3,000-line ignore file, 500 Exceptions, and
 * the three filters — then every report format of the outcome.
 *
 * Printed as ratios against a baseline measured in the same run: writing the same result as the
 * JSON report (JSON.stringify of ~20 MB), what every scan pays anyway.
 *
 *   node bench/policy.ts [--findings N] [--runs N]
 */
import { parseArgs } from 'node:util';
import { manyFindingsResult } from '../test/fixtures-results.ts';
import { decideScan, imagePurl, parseIgnoreFile, parsePolicy, parseVex } from '../src/policy/index.ts';
import { renderReport } from '../src/report/index.ts';
import { median } from './lib/measure.ts';

const { values } = parseArgs({ options: { findings: { type: 'string', default: '20000' }, runs: { type: 'string', default: '5' } } });
const N = Math.max(100, Number(values.findings));
const RUNS = Math.max(1, Number(values.runs));

const result = manyFindingsResult(N);
const findings = result.findings!;
const image = imagePurl(result.artifact.name, result.artifact.digest);
const vex = parseVex(JSON.stringify({
  '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:bench:vex', author: 'bench', version: 1, timestamp: '2026-01-01T00:00:00Z',
  statements: findings.filter((_, i) => i % 5 === 0).map((f, i) => ({
    vulnerability: { name: f.id },
    products: [i % 2 ? { '@id': image, subcomponents: [{ '@id': f.purl!.replace(/@.*/, '') }] } : { '@id': f.purl! }],
    status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path',
  })),
}), 'bench.openvex.json');
const ignore = parseIgnoreFile(findings.filter((_, i) => i % 7 === 1).map((f) => `${f.id} # accepted`).join('\n'), '.trivyignore');
const policy = parsePolicy(findings.filter((_, i) => i % 40 === 2).map((f, i) => `apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: ex-${i}}
spec:
  vulnerabilities: [${f.id}]
  packages: ['${f.purl!.replace(/@.*/, '')}']
  reason: bench
  owner: bench
  expires: 2099-01-01`).join('\n---\n'), 'bench.yaml');
const now = new Date('2026-11-21T08:00:00Z');

function time(fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

const baseline = time(() => JSON.stringify(result, null, 2));
const plain = time(() => decideScan(result, { now }));
let decided = result;
const full = time(() => {
  decided = decideScan(result, { now, vex: [vex], ignore, policy, ignoreUnfixed: true, severities: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] });
});
const formats: [string, number][] = [];
for (const format of ['table', 'sarif', 'cyclonedx', 'junit', 'html']) {
  const times: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const t = performance.now();
    await renderReport(format, decided, { toolVersion: 'bench', now, color: false });
    times.push(performance.now() - t);
  }
  formats.push([format, median(times)]);
}

const kinds = new Map<string, number>();
for (const s of decided.suppressed ?? []) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
console.log(`${N} findings, ${result.packages.length} packages; suppressed: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; left ${decided.findings?.length}`);
console.log(`baseline  JSON report of the result  ${baseline.toFixed(1)} ms`);
console.log(`decideScan, nothing to apply          ${plain.toFixed(1)} ms  ratio ${(plain / baseline).toFixed(2)}`);
console.log(`decideScan, VEX + ignore + Exceptions + filters  ${full.toFixed(1)} ms  ratio ${(full / baseline).toFixed(2)}`);
for (const [format, ms] of formats) console.log(`${format} report of the decided result  ${ms.toFixed(1)} ms  ratio ${(ms / baseline).toFixed(2)}`);
