/**
 * `portcullis scan` through the whole command: images from src/scan/test-fixtures.ts against a
 * database built from the feed samples; Trivy's flags and exit codes, the policy, ignore files,
 * rescans of SBOMs written by `portcullis sbom`, the result store, every report format, and the
 * one-line errors with exit code 2.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { writeOciLayout } from '../../test/image-builder.ts';
import { scratchDirs } from '../../test/scratch.ts';
import type { Finding } from '../match/index.ts';
import type { ScanResult } from '../report/index.ts';
import { buildSampleDb, busterImage, jammyImage } from '../scan/test-fixtures.ts';
import { ResultStore } from '../store/index.ts';
import { main } from './main.ts';

const { root, fresh } = scratchDirs('portcullis-scan-cli-test');
let dbFile = '';
let buster = '';
let jammy = '';

before(async () => {
  dbFile = await buildSampleDb(root);
  buster = `oci:${fresh('buster')}`;
  await writeOciLayout(buster.slice(4), [{ name: 'latest', image: await busterImage() }]);
  jammy = `oci:${fresh('jammy')}`;
  await writeOciLayout(jammy.slice(4), [{ name: 'latest', image: await jammyImage() }]);
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => Object.assign(new Writable({ write(chunk: Buffer, _e, cb) { add(chunk.toString()); cb(); } }), { isTTY: false });
  const code = await main(args, { stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }), env });
  return { code, stdout, stderr };
}

const scanJson = async (args: string[]) => {
  const r = await cli(['scan', ...args, '--db', dbFile, '--no-cache', '-q', '-f', 'json']);
  return { ...r, result: r.stdout ? (JSON.parse(r.stdout) as ScanResult) : undefined };
};
const ids = (findings: readonly Finding[] | undefined) => (findings ?? []).map((f) => `${f.package} ${f.id} ${f.status} ${f.fixedVersion ?? '-'}`).sort();

describe('portcullis scan IMAGE', () => {
  it('prints the JSON report with findings, db, summary and verdict; exit 0 by default', async () => {
    const { code, result, stderr } = await scanJson([jammy]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(ids(result!.findings), ['libc6 CVE-2016-20013 affected -', 'libwayland-client0 CVE-2021-3782 fixed 1.20.0-1ubuntu0.1']);
    assert.equal(result!.schemaVersion, 1);
    assert.equal(result!.os?.family, 'ubuntu');
    assert.ok(result!.db?.builtAt);
    assert.deepEqual(result!.summary, { CRITICAL: 0, HIGH: 0, MEDIUM: 1, LOW: 1, UNKNOWN: 0 });
    // Default thresholds (warn 4.0, fail 7.0) on Ubuntu's CVSS 7.5 for CVE-2016-20013.
    assert.equal(result!.verdict?.status, 'Fail');
  });

  it('exits with --exit-code when findings remain after --severity / --ignore-unfixed, as Trivy does', async () => {
    assert.equal((await scanJson([jammy, '--exit-code', '5'])).code, 5);
    const critical = await scanJson([jammy, '--exit-code', '5', '--severity', 'CRITICAL']);
    assert.equal(critical.code, 0);
    assert.deepEqual(critical.result!.findings, []);
    assert.deepEqual(critical.result!.suppressed!.map((s) => s.kind).sort(), ['severity-filter', 'severity-filter']);
    const unfixed = await scanJson([jammy, '--exit-code', '5', '--ignore-unfixed']);
    assert.equal(unfixed.code, 5);
    assert.deepEqual(ids(unfixed.result!.findings), ['libwayland-client0 CVE-2021-3782 fixed 1.20.0-1ubuntu0.1']);
    const status = await scanJson([jammy, '--ignore-status', 'affected,fixed', '--exit-code', '3']);
    assert.equal(status.code, 0);
  });

  it('reads .trivyignore and decides by --policy: fail on KEV', async () => {
    const dir = fresh('policy');
    const ignore = join(dir, '.trivyignore');
    writeFileSync(ignore, '# accepted\nCVE-2016-20013\n');
    const ignored = await scanJson([jammy, '--ignorefile', ignore, '--exit-code', '4']);
    assert.deepEqual(ids(ignored.result!.findings), ['libwayland-client0 CVE-2021-3782 fixed 1.20.0-1ubuntu0.1']);
    assert.equal(ignored.result!.suppressed?.[0]?.kind, 'ignorefile');
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata:\n  name: kev\nspec:\n  warnThreshold: 9.9\n  failThreshold: 10\n  failOnKev: true\n');
    const kev = await scanJson([buster, '--policy', policy, '--exit-code', '4']);
    assert.equal(kev.code, 4, kev.stderr);
    assert.equal(kev.result!.verdict?.status, 'Fail');
    assert.match(kev.result!.verdict!.reasons.join('\n'), /KEV/);
    // The same policy passes the Ubuntu image: no KEV finding, scores under 10.
    assert.equal((await scanJson([jammy, '--policy', policy, '--exit-code', '4'])).code, 0);
  });

  it('suppresses what an OpenVEX document says does not affect the image (--vex)', async () => {
    const vex = join(fresh('vex'), 'app.openvex.json');
    writeFileSync(vex, JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'Security Team',
      timestamp: '2026-01-01T00:00:00Z', version: 1,
      statements: [{ vulnerability: { name: 'CVE-2016-20013' }, products: [{ '@id': 'pkg:deb/ubuntu/libc6' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
    }));
    const r = await scanJson([jammy, '--vex', vex]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(r.result!.findings), ['libwayland-client0 CVE-2021-3782 fixed 1.20.0-1ubuntu0.1']);
    assert.deepEqual(r.result!.suppressed!.map((x) => [x.kind, x.finding.id]), [['vex', 'CVE-2016-20013']]);
  });

  it('records the result with --store and renders every format', async () => {
    const store = join(fresh('store'), 'results.db');
    const r = await cli(['scan', jammy, '--db', dbFile, '--no-cache', '-q', '--store', store, '-f', 'sarif']);
    assert.equal(r.code, 0, r.stderr);
    const sarif = JSON.parse(r.stdout) as { version: string; runs: { results: unknown[] }[] };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0]!.results.length, 2);
    const s = ResultStore.open(store);
    try {
      const { result } = await scanJson([jammy]);
      assert.ok(s.latestByDigest(result!.artifact.digest!), 'stored by digest');
    } finally {
      s.close();
    }
    for (const format of ['table', 'cyclonedx', 'junit', 'html']) {
      const out = join(fresh('out'), `report.${format}`);
      const x = await cli(['scan', jammy, '--db', dbFile, '--no-cache', '-q', '-f', format, '-o', out]);
      assert.equal(x.code, 0, `${format}: ${x.stderr}`);
      assert.ok(existsSync(out));
    }
  });
});

describe('portcullis scan --sbom FILE', () => {
  it('matches the CycloneDX and JSON inventories of portcullis sbom exactly as the image', async () => {
    const image = await scanJson([buster]);
    for (const format of ['cyclonedx', 'json']) {
      const sbom = join(fresh('sbom'), `sbom.${format}.json`);
      const made = await cli(['sbom', buster, '--no-cache', '-q', '-f', format, '-o', sbom]);
      assert.equal(made.code, 0, made.stderr);
      const rescan = await scanJson(['--sbom', sbom]);
      assert.equal(rescan.code, 0, rescan.stderr);
      assert.deepEqual(ids(rescan.result!.findings), ids(image.result!.findings), format);
      assert.deepEqual([rescan.result!.os?.family, rescan.result!.os?.version, rescan.result!.os?.eol], ['debian', '10.13', true]);
      assert.deepEqual(rescan.result!.findings!.map((f) => f.layer), image.result!.findings!.map((f) => f.layer));
    }
  });
});

describe('no verdict: exit 2 with one line', () => {
  const oneLine = (stderr: string) => {
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    return stderr;
  };

  it('without a database, before touching the image', async () => {
    const r = await cli(['scan', 'oci:/nonexistent/image', '--db', join(root, 'missing.db'), '--no-cache']);
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /no vulnerability database at .*missing\.db/);
  });

  it('when the image cannot be read', async () => {
    const r = await cli(['scan', `oci:${join(root, 'no-such-layout')}`, '--db', dbFile, '--no-cache']);
    assert.equal(r.code, 2);
    oneLine(r.stderr);
  });

  it('for a bad inventory file, an image and --sbom together, or neither', async () => {
    const bad = join(fresh('bad'), 'x.json');
    writeFileSync(bad, '{"bomFormat": "CycloneDX", "specVersion": "2.0"}');
    const r = await cli(['scan', '--sbom', bad, '--db', dbFile]);
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /specVersion "2\.0" is not 1\.x/);
    writeFileSync(bad, 'not json');
    assert.match(oneLine((await cli(['scan', '--sbom', bad, '--db', dbFile])).stderr), /not JSON/);
    assert.equal((await cli(['scan', jammy, '--sbom', bad, '--db', dbFile])).code, 2);
    assert.match(oneLine((await cli(['scan', '--db', dbFile])).stderr), /an image reference or --sbom FILE is required/);
    assert.match(oneLine((await cli(['scan', jammy, '--db', dbFile, '--exit-code', 'x'])).stderr), /--exit-code/);
  });
});
