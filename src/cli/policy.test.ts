import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { debianScanResult, NOW } from '../../test/fixtures-results.ts';
import { runCli } from '../../test/run-cli.ts';
import { openVex020 } from '../../test/openvex-schema.ts';
import { decideScan, parsePolicy, parseVex, readScanReport } from '../policy/index.ts';
import type { Explanation } from '../policy/index.ts';
import { jsonReport } from '../report/index.ts';
import type { ScanResult } from '../report/index.ts';

const POLICY = `apiVersion: portcullis.dev/v1
kind: ScanStatusThresholds
metadata: {name: production}
spec:
  warnThreshold: 4.0
  failThreshold: 9.5
  failOnKev: true
---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata: {name: reject-failed}
spec:
  order: 10
  selector: all()
  namespaceSelector: "environment == 'production'"
  rules:
    - action: Allow
      imageScanStatus: {operator: IsOneOf, values: [Pass, Warn]}
    - action: Reject
---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata: {name: staging-warn-only}
spec:
  order: 20
  namespaceSelector: "environment == 'staging'"
  selector: "!has(portcullis.dev/strict)"
  rules:
    - action: Allow
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: log4j-jndi-off}
spec:
  vulnerabilities: [CVE-2021-44228]
  reason: JNDI lookups are disabled
  owner: team-checkout
  expires: 2026-11-30
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: base-image-bump}
spec:
  vulnerabilities: [CVE-2023-4911, CVE-2023-44487]
  namespaces: [shop]
  reason: fixed by the base image bump next sprint
  owner: team-platform
  expires: 2026-12-15
`;

let dir = '';
const f = (name: string): string => join(dir, name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-explain-'));
  // A real report: the Debian image's findings decided without a policy, as `scan -f json` writes it.
  const matched = debianScanResult();
  delete matched.verdict;
  delete matched.summary;
  const report = decideScan(matched, { now: NOW });
  await writeFile(f('report.json'), jsonReport(report, { toolVersion: '0.1.0' }));
  await writeFile(f('policy.yaml'), POLICY);
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function explain(...args: string[]): Promise<Explanation> {
  const r = await runCli(['policy', 'explain', '--policy', f('policy.yaml'), '--report', f('report.json'), '--format', 'json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Explanation;
}

describe('policy explain', () => {
  it('prints exactly the documented JSON shape', async () => {
    const e = await explain('--namespace', 'shop', '--namespace-labels', 'environment=production', '--at', '2026-11-21T08:00:00Z');
    assert.deepEqual(Object.keys(e), ['action', 'status', 'policy', 'ruleIndex', 'reasons', 'steps']);
    assert.deepEqual([e.action, e.status, e.policy, e.ruleIndex], ['Reject', 'Fail', 'reject-failed', 1]);
    assert.equal(e.reasons[0], "Action 'Reject' enforced by ContainerPolicy reject-failed rule index 1");
    assert.match(e.reasons[1] ?? '', /^image registry\.example\.com:5000\/shop\/checkout:1\.4\.2 \(sha256:9b2a.*\): scan status Fail, last scanned 2026-11-21T08:00:00\.000Z$/);
    // With the log4j and the shop-only exceptions applied no KEV finding is left: what fails is
    // zlib's 9.8 (no fix, not KEV) against failThreshold 9.5.
    assert.match(e.reasons[2] ?? '', /^CVSS 9\.8 reaches failThreshold 9\.5 \(1 finding\) — CVE-2023-45853 in zlib1g/);
    assert.deepEqual(e.steps.map((s) => s.kind), ['note', 'exception', 'exception', 'status', 'policy', 'rule', 'rule']);
    assert.deepEqual(e.steps.filter((s) => s.kind === 'exception').map((s) => s.kind === 'exception' && [s.exception, s.findings]), [
      ['base-image-bump', ['CVE-2023-4911', 'CVE-2023-44487']], ['log4j-jndi-off', ['CVE-2021-44228']],
    ]);
  });

  it('per-namespace strictness: production rejects, staging warns, others default to allow with a warning', async () => {
    const at = ['--at', '2026-11-21T08:00:00Z'];
    const prod = await explain('--namespace', 'payments', '--namespace-labels', 'environment=production', ...at);
    assert.equal(prod.action, 'Reject');
    const staging = await explain('--namespace', 'shop-staging', '--namespace-labels', 'environment=staging', ...at);
    assert.deepEqual([staging.action, staging.policy, staging.ruleIndex], ['Warn', 'staging-warn-only', 0]);
    const strict = await explain('--namespace', 'shop-staging', '--namespace-labels', 'environment=staging', '--labels', 'app=checkout,portcullis.dev/strict=true', ...at);
    assert.deepEqual([strict.action, strict.policy], ['Warn', null], 'no policy applies: the default admits, with a warning');
    const step = strict.steps.find((s) => s.kind === 'policy' && s.policy === 'staging-warn-only');
    assert.match(step?.message ?? '', /selector !has\(portcullis\.dev\/strict\) does not match/);
  });

  it('the status follows the policy and the clock: exceptions stop applying at expiry', async () => {
    const before = await explain('--namespace-labels', 'environment=production', '--at', '2026-11-30T23:59:59Z');
    const afterExpiry = await explain('--namespace-labels', 'environment=production', '--at', '2026-12-01T00:00:00Z');
    assert.ok(before.steps.some((s) => s.kind === 'exception' && s.exception === 'log4j-jndi-off'));
    assert.ok(!afterExpiry.steps.some((s) => s.kind === 'exception' && s.exception === 'log4j-jndi-off'));
    assert.ok(afterExpiry.steps.some((s) => s.kind === 'note' && s.message.startsWith('Exception log4j-jndi-off (owner team-checkout) expired 2026-11-30')));
    assert.match(afterExpiry.reasons.join('\n'), /CVE-2021-44228/);
    // Without --namespace the shop-only exception does not apply, and the explanation says so.
    assert.ok(before.steps.some((s) => s.kind === 'note' && s.message.startsWith('Exception base-image-bump applies only in namespaces shop')));
  });

  it('prints the decision and each step as text', async () => {
    const r = await runCli(['policy', 'explain', '--policy', f('policy.yaml'), '--report', f('report.json'), '--namespace', 'shop',
      '--namespace-labels', 'environment=production', '--at', '2026-11-21T08:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], "Reject: Action 'Reject' enforced by ContainerPolicy reject-failed rule index 1");
    assert.ok(lines.includes('Steps:'));
    assert.ok(lines.some((l) => /^ {2}\d+\. Exception base-image-bump suppresses CVE-2023-4911, CVE-2023-44487$/.test(l)));
    assert.ok(lines.some((l) => /^ {2}\d+\. reject-failed rule index 0 \(Allow\) does not match: scan status Fail is not one of \[Pass, Warn\] \(IsOneOf\)$/.test(l)));
    assert.ok(lines.some((l) => /^ {7}Fail {4}cvss: worst CVSS 9\.8 reaches failThreshold 9\.5/.test(l)));
  });

  it('bad input is one line on stderr and exit 2', async () => {
    await writeFile(f('not-a-report.json'), JSON.stringify({ bomFormat: 'CycloneDX' }));
    await writeFile(f('broken.json'), JSON.stringify({ ...JSON.parse(jsonReport(debianScanResult(), { toolVersion: '0' }) as string), findings: [{ id: 'CVE-1' }] }));
    const cases: [string[], RegExp][] = [
      [['--report', f('not-a-report.json')], /not-a-report\.json: schemaVersion must be 1/],
      [['--report', f('broken.json')], /broken\.json: findings\[0\]\.package must be a string, not missing/],
      [['--report', f('missing.json')], /missing\.json: no such file/],
      [['--labels', 'app'], /--labels: "app" is not a label key=value/],
      [['--namespace-labels', 'env=prod uction'], /--namespace-labels: "prod uction" is not a label value/],
      [['--at', 'yesterday'], /--at: "yesterday" is not an RFC 3339 time/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['policy', 'explain', '--policy', f('policy.yaml'), '--report', f('report.json'), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const r = await runCli(['policy', 'explain', '--report', f('report.json')]);
    assert.equal(r.code, 2);
  });
});

describe('policy check', () => {
  it('accepts a valid file and warns about exceptions that have expired', async () => {
    await writeFile(f('expired.yaml'), `${POLICY}---
apiVersion: portcullis.dev/v1
kind: Exception
metadata: {name: long-gone}
spec:
  vulnerabilities: [CVE-2011-3374]
  reason: apt-key is not used
  owner: team-platform
  expires: 2020-01-31
`);
    const r = await runCli(['policy', 'check', f('expired.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${f('expired.yaml')}: valid (thresholds warn ≥ 4, fail ≥ 9.5; 2 ContainerAdmissionPolicy; 3 Exception; unknown images: Reject)\n`);
    assert.match(r.stderr, /expired\.yaml:50:1: warning: Exception long-gone \(owner team-platform\) expired 2020-01-31 and no longer applies\n$/);
  });
});

describe('policy check on ignore files and VEX documents', () => {
  it('reads them as scan would, says what they hold, warns about expired entries', async () => {
    await writeFile(f('.trivyignore'), 'CVE-2023-4911\nCVE-2024-0727 exp:2020-01-01 # long gone\n');
    let r = await runCli(['policy', 'check', f('.trivyignore')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${f('.trivyignore')}: valid (plain .trivyignore form, 2 entries)\n`);
    assert.equal(r.stderr, `${f('.trivyignore')}: warning: line 2: the entry for CVE-2024-0727 expired 2020-01-01 and no longer applies\n`);

    await writeFile(f('.trivyignore.yaml'), 'vulnerabilities:\n  - id: CVE-2024-0727\n    expires_at: 2027-01-01\n');
    r = await runCli(['policy', 'check', f('.trivyignore.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `${f('.trivyignore.yaml')}:3:5: vulnerabilities[0].expires_at is not a field of an ignore entry (did you mean expired_at?)\n`);

    await writeFile(f('app.openvex.json'), JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:x:1', author: 'a', version: 1, timestamp: '2026-11-20T10:00:00Z',
      statements: [
        { vulnerability: { name: 'CVE-2023-4911' }, products: [{ '@id': 'pkg:deb/debian/libc6' }], status: 'fixed' },
        { vulnerability: { name: 'CVE-2024-0727' }, products: [{ identifiers: { cpe23: 'cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*' } }], status: 'not_affected', justification: 'component_not_present' },
      ],
    }));
    r = await runCli(['policy', 'check', f('app.openvex.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${f('app.openvex.json')}: valid (OpenVEX, 2 statements: 1 fixed, 1 not_affected)\n`);
    assert.equal(r.stderr, `${f('app.openvex.json')}: warning: statements[1].products[0].identifiers.cpe23: CPE identifiers are not matched\n`);

    await writeFile(f('bad.openvex.json'), JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:x:1', author: 'a', version: 1, timestamp: 'now', statements: [] }));
    r = await runCli(['policy', 'check', f('bad.openvex.json')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `${f('bad.openvex.json')}: timestamp "now" is not an RFC 3339 time\n`);
  });
});

describe('policy export-vex', () => {
  it('writes the live exceptions as OpenVEX that suppresses, through --vex, what the exceptions suppress', async () => {
    const r = await runCli(['policy', 'export-vex', '--policy', f('policy.yaml'), '--report', f('report.json'), '--namespace', 'shop',
      '--at', '2026-11-21T08:00:00Z', '-o', f('exceptions.openvex.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(f('exceptions.openvex.json'), 'utf8');
    const validate = openVex020();
    assert.ok(validate(JSON.parse(text)), JSON.stringify(validate.errors));

    const report: ScanResult = { ...await readScanReport(f('report.json')), suppressed: [] };
    const now = new Date('2026-11-21T08:00:00Z');
    const byExceptions = decideScan(report, { policy: parsePolicy(POLICY, 'p.yaml'), namespace: 'shop', now });
    const byVex = decideScan(report, { vex: [parseVex(text, 'exceptions.openvex.json')], now });
    const suppressed = (x: ScanResult, kind: string) => (x.suppressed ?? []).filter((s) => s.kind === kind).map((s) => `${s.finding.id}/${s.finding.package}`).sort();
    assert.deepEqual(suppressed(byVex, 'vex'), suppressed(byExceptions, 'exception'));
    assert.equal(suppressed(byVex, 'vex').length, 4);
  });

  it('says what it skipped, and fails when nothing can be exported', async () => {
    const r = await runCli(['policy', 'export-vex', '--policy', f('policy.yaml'), '--at', '2026-12-20T00:00:00Z']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, [
      'skipped Exception log4j-jndi-off: expired 2026-11-30',
      'skipped Exception base-image-bump: expired 2026-12-15',
      `portcullis: ${f('policy.yaml')}: no exception could be exported as OpenVEX`,
      '',
    ].join('\n'));
  });
});
