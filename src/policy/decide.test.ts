import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { debianScanResult, NOW } from '../../test/fixtures-results.ts';
import { PolicyError, UsageError } from '../errors.ts';
import type { ScanResult } from '../report/types.ts';
import {
  decideScan, imagePurl, loadScanPolicy, parseIgnoreFile, parsePolicy, parseSeverityList, parseStatusList, parseVex, scanExitStatus,
} from './index.ts';

/** What the scan hands to decideScan: matched findings, nothing decided yet. */
function matched(): ScanResult {
  const r = debianScanResult();
  delete r.summary;
  delete r.verdict;
  delete r.suppressed;
  delete r.warnings;
  return r;
}

const IMAGE = matched().artifact;
const ids = (r: ScanResult): string[] => (r.findings ?? []).map((f) => `${f.id}/${f.package}`);
const supp = (r: ScanResult): string[] => (r.suppressed ?? []).map((s) => `${s.finding.id}/${s.finding.package} ${s.kind} ${s.by}`);

const POLICY = parsePolicy(`apiVersion: portcullis.dev/v1
kind: ScanStatusThresholds
metadata: {name: production}
spec:
  warnThreshold: 4.0
  failThreshold: 9.0
  failOnKev: true
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: openssl-pkcs12}
spec:
  vulnerabilities: [CVE-2024-0727]
  reason: we never parse PKCS12 files
  owner: security@acme.example
  expires: 2026-11-30
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: zlib-minizip}
spec:
  vulnerabilities: [CVE-2023-45853]
  reason: minizip is not built into zlib1g
  owner: platform@acme.example
  expires: 2027-06-30
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: payments-perl}
spec:
  vulnerabilities: [CVE-2023-31484]
  namespaces: [payments]
  reason: CPAN is never run in payments pods
  owner: payments@acme.example
  expires: 2027-06-30
`, 'policies/production.yaml');

const VEX = parseVex(JSON.stringify({
  '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://vex.acme.example/checkout/1', author: 'Acme', version: 1,
  timestamp: '2026-11-20T10:00:00Z',
  statements: [{
    vulnerability: { name: 'CVE-2024-0727' }, products: [{ '@id': imagePurl(IMAGE.name, IMAGE.digest) }],
    status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path',
  }, {
    vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core' }],
    status: 'not_affected', impact_statement: 'JNDI lookups are disabled (log4j2.formatMsgNoLookups=true).',
  }],
}), 'vex/checkout.openvex.json');

const IGNORE = parseIgnoreFile('CVE-2024-0727\nCVE-2023-45853\nCVE-2011-3374 exp:2026-11-01\nCVE-2024-2961\n', '.trivyignore');

describe('decideScan', () => {
  it('with nothing to apply: summary and verdict from the default thresholds, nothing suppressed', () => {
    const input = matched();
    const r = decideScan(input, { now: NOW });
    assert.deepEqual(r.findings, input.findings);
    assert.deepEqual(r.summary, { CRITICAL: 2, HIGH: 7, MEDIUM: 2, LOW: 1, UNKNOWN: 1 });
    assert.equal(r.verdict?.status, 'Fail');
    assert.match(r.verdict?.reasons[0] ?? '', /^CVSS 10\.0 reaches failThreshold 7\.0/);
    assert.equal(r.verdict?.policy, undefined);
    assert.deepEqual(r.suppressed, []);
    assert.equal(r.warnings, undefined);
  });

  it('applies VEX, ignore file, Exceptions, then the filters, crediting each finding to the first', () => {
    const input = matched();
    const before = structuredClone(input);
    const r = decideScan(input, {
      policy: POLICY, ignore: IGNORE, vex: [VEX], now: NOW, ignoreStatuses: ['will_not_fix'], ignoreUnfixed: true, severities: ['CRITICAL', 'HIGH'],
    });
    assert.deepEqual(input, before, 'the input is not changed');
    assert.deepEqual(supp(r), [
      'CVE-2024-0727/libssl3 vex vex/checkout.openvex.json statements[0] (not_affected: vulnerable_code_not_in_execute_path)',
      'CVE-2021-44228/org.apache.logging.log4j:log4j-core vex vex/checkout.openvex.json statements[1] (not_affected)',
      'CVE-2023-45853/zlib1g ignorefile .trivyignore:2',
      'CVE-2024-2961/libc6 ignorefile .trivyignore:4',
      'CVE-2023-31484/perl-base unfixed-filter --ignore-unfixed',
      'CVE-2011-3374/apt unfixed-filter --ignore-unfixed',
      'TEMP-0841856-B18BAF/bash unfixed-filter --ignore-unfixed',
      'CVE-2023-4806/libc6 severity-filter --severity CRITICAL,HIGH',
    ]);
    assert.equal(r.suppressed?.[1]?.reason, 'JNDI lookups are disabled (log4j2.formatMsgNoLookups=true).');
    assert.deepEqual(ids(r), [
      'CVE-2023-4911/libc6', 'CVE-2023-4911/libc-bin', 'CVE-2024-6387/openssh-client', 'CVE-2023-44487/libnghttp2-14', 'CVE-2022-24999/qs',
    ]);
    assert.deepEqual(r.summary, { CRITICAL: 0, HIGH: 5, MEDIUM: 0, LOW: 0, UNKNOWN: 0 });
    // failThreshold 9.0 is not reached any more (log4j is VEX'd), but KEV findings remain.
    assert.equal(r.verdict?.status, 'Fail');
    assert.deepEqual(r.verdict?.checks?.map((c) => `${c.name} ${c.status}`), ['cvss Warn', 'kev Fail']);
    assert.equal(r.verdict?.policy, 'policies/production.yaml');
    assert.deepEqual(r.warnings, [
      'ignore entry .trivyignore:3 for CVE-2011-3374 expired 2026-11-01: CVE-2011-3374 reported again',
      'Exception payments-perl applies only in namespaces payments: not applied without a namespace (CVE-2023-31484)',
    ]);
  });

  it('--ignore-status takes Trivy\'s names; will_not_fix drops zlib', () => {
    const r = decideScan(matched(), { now: NOW, ignoreStatuses: ['will_not_fix', 'fix_deferred'] });
    assert.deepEqual(supp(r), ['CVE-2023-45853/zlib1g status-filter --ignore-status will_not_fix,fix_deferred']);
  });

  it('Exceptions before and after expiry (injected clock), and in a namespace', () => {
    const at = (now: string, namespace?: string) => decideScan(matched(), { policy: POLICY, now: new Date(now), ...(namespace ? { namespace } : {}) });
    const before = at('2026-11-30T23:59:59Z');
    assert.deepEqual(supp(before), ['CVE-2023-45853/zlib1g exception zlib-minizip', 'CVE-2024-0727/libssl3 exception openssl-pkcs12']);
    assert.deepEqual(before.suppressed?.[1], {
      finding: matched().findings!.find((f) => f.id === 'CVE-2024-0727'), kind: 'exception', by: 'openssl-pkcs12',
      reason: 'we never parse PKCS12 files', owner: 'security@acme.example', expires: '2026-11-30',
    });
    const after = at('2026-12-01T00:00:00Z');
    assert.deepEqual(supp(after), ['CVE-2023-45853/zlib1g exception zlib-minizip']);
    assert.ok(ids(after).includes('CVE-2024-0727/libssl3'));
    assert.ok(after.warnings?.includes('Exception openssl-pkcs12 (owner security@acme.example) expired 2026-11-30: CVE-2024-0727 reported again'));
    const payments = at('2026-11-21T00:00:00Z', 'payments');
    assert.ok(supp(payments).includes('CVE-2023-31484/perl-base exception payments-perl'));
    assert.ok(!payments.warnings?.some((w) => w.includes('payments-perl')));
    assert.ok(!supp(at('2026-11-21T00:00:00Z', 'default')).some((s) => s.includes('payments-perl')));
  });

  it('a policy that fails on severity counts sees only what the filters left', () => {
    const strict = parsePolicy('apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: s}\nspec:\n  warnThreshold: 9.9\n  failThreshold: 10.0\n  failOn: {medium: 1}\n', 'strict.yaml');
    assert.equal(decideScan(matched(), { policy: strict, now: NOW }).verdict?.status, 'Fail');
    const onlyHigh = decideScan(matched(), { policy: strict, now: NOW, severities: ['HIGH'] });
    assert.equal(onlyHigh.verdict?.status, 'Pass');
    assert.equal(onlyHigh.verdict?.policy, 'strict.yaml');
  });

  it('Unknown when the scan could not run or nothing was matched', () => {
    const r = decideScan(matched(), { now: NOW, scanError: 'registry.example.com:5000: connection refused' });
    assert.equal(r.verdict?.status, 'Unknown');
    assert.deepEqual(r.verdict?.reasons, ['scan could not run: registry.example.com:5000: connection refused']);
    const sbom = matched();
    delete sbom.findings;
    const u = decideScan(sbom, { now: NOW, policy: POLICY });
    assert.equal(u.verdict?.status, 'Unknown');
    assert.deepEqual(u.findings, []);
    assert.deepEqual(u.summary, { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 });
    assert.equal(scanExitStatus(u, { policyGiven: true }), 'fail');
    assert.equal(scanExitStatus(u, { policyGiven: false }), 'fail');
  });

  it('keeps suppressions already in the result (a stored report decided again)', () => {
    const once = decideScan(matched(), { ignore: IGNORE, now: NOW });
    const twice = decideScan(once, { now: NOW, severities: ['CRITICAL'] });
    assert.deepEqual(supp(twice).slice(0, 3), supp(once));
  });
});

describe('scanExitStatus', () => {
  it('with a policy: the verdict; Warn passes', () => {
    const lenient = parsePolicy('apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: l}\nspec:\n  warnThreshold: 4.0\n  failThreshold: 9.9\n', 'l.yaml');
    const r = decideScan(matched(), { policy: lenient, now: NOW, vex: [VEX] });
    assert.equal(r.verdict?.status, 'Warn');
    assert.equal(scanExitStatus(r, { policyGiven: true }), 'pass');
    assert.equal(scanExitStatus(r, { policyGiven: false }), 'fail', 'Trivy: any finding left fails');
  });

  it('without a policy, as Trivy: fail while any finding is left after the filters', () => {
    const r = decideScan(matched(), { now: NOW, severities: ['CRITICAL'], ignoreUnfixed: true, vex: [VEX] });
    assert.deepEqual(ids(r), []);
    assert.equal(r.verdict?.status, 'Pass');
    assert.equal(scanExitStatus(r, { policyGiven: false }), 'pass');
    assert.equal(scanExitStatus(decideScan(matched(), { now: NOW, severities: ['CRITICAL'] }), { policyGiven: false }), 'fail');
  });
});

describe('flag parsing shared by every door', () => {
  it('--severity is case-insensitive and checked', () => {
    assert.deepEqual(parseSeverityList('critical,HIGH, high'), ['CRITICAL', 'HIGH']);
    assert.throws(() => parseSeverityList('CRITICAL,SEVERE'), (e: unknown) => e instanceof UsageError && /"SEVERE" is not one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN/.test(e.message));
    assert.throws(() => parseSeverityList(','), UsageError);
  });
  it('--ignore-status takes Trivy\'s statuses', () => {
    assert.deepEqual(parseStatusList('affected,will_not_fix,fix_deferred,end_of_life'), ['affected', 'will_not_fix', 'fix_deferred', 'end_of_life']);
    assert.throws(() => parseStatusList('wontfix'), UsageError);
  });
});

describe('loadScanPolicy', () => {
  it('reads and validates the policy, ignore and VEX files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scanpolicy-'));
    try {
      const f = (name: string) => join(dir, name);
      await writeFile(f('policy.yaml'), 'apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: p}\nspec:\n  failOnKev: true\n');
      await writeFile(f('.trivyignore.yaml'), 'vulnerabilities:\n  - id: CVE-2024-0727\n    statement: PKCS12 is never parsed\n');
      await writeFile(f('a.openvex.json'), JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:x:1', author: 'a', version: 1, timestamp: '2026-11-20T10:00:00Z',
        statements: [{ vulnerability: { name: 'CVE-2023-4911' }, products: [{ '@id': 'pkg:deb/debian/libc6' }], status: 'fixed' }],
      }));
      const inputs = await loadScanPolicy({ policyFile: f('policy.yaml'), ignoreFile: f('.trivyignore.yaml'), vexFiles: [f('a.openvex.json')] });
      assert.equal(inputs.policy?.thresholds.failOnKev, true);
      assert.equal(inputs.ignore?.entries[0]?.statement, 'PKCS12 is never parsed');
      assert.equal(inputs.vex?.[0]?.statements.length, 1);
      const r = decideScan(matched(), { ...inputs, now: NOW });
      assert.deepEqual(supp(r), [
        `CVE-2023-4911/libc6 vex ${f('a.openvex.json')} statements[0] (fixed)`,
        `CVE-2024-0727/libssl3 ignorefile ${f('.trivyignore.yaml')}:2`,
      ]);

      assert.deepEqual(await loadScanPolicy({ ignoreFile: f('.trivyignore'), ignoreFileOptional: true }), {});
      await assert.rejects(loadScanPolicy({ ignoreFile: f('.trivyignore') }), (e: unknown) => e instanceof PolicyError && e.code === 'IGNOREFILE_UNREADABLE' && e.message === `${f('.trivyignore')}: no such file`);
      await assert.rejects(loadScanPolicy({ policyFile: f('missing.yaml') }), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_UNREADABLE');
      await writeFile(f('bad.yaml'), 'apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: p}\nspec:\n  failOnKevs: true\n');
      await assert.rejects(loadScanPolicy({ policyFile: f('bad.yaml') }), (e: unknown) => e instanceof PolicyError && e.message.startsWith(`${f('bad.yaml')}:5:3: spec.failOnKevs is not a field`));
      await writeFile(f('bad.json'), '{"bomFormat": "CycloneDX", "specVersion": "1.2"}');
      await assert.rejects(loadScanPolicy({ vexFiles: [f('bad.json')] }), (e: unknown) => e instanceof PolicyError && e.code === 'VEX_INVALID');
      await assert.rejects(loadScanPolicy({ vexFiles: Array.from({ length: 101 }, () => f('a.openvex.json')) }), { code: 'VEX_TOO_MANY' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
