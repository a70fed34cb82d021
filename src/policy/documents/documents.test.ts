import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PolicyError } from '../../errors.ts';
import { matches } from '../selector/index.ts';
import {
  checkPolicy, defaultPolicySet, formatIssue, loadPolicyFile, MAX_POLICY_DOCUMENTS, MAX_POLICY_FILE_BYTES,
  parsePolicy, PolicyValidationError,
} from './index.ts';

const FULL = `# Every kind and every field.
apiVersion: portcullis.dev/v1
kind: ScanStatusThresholds
metadata:
  name: org-defaults
  labels: { team: security }
spec:
  warnThreshold: 5.5
  failThreshold: 9
  warnOn: { medium: 10 }
  failOn:
    critical: 1
    high: 5
  failOnKev: true
  failOnEpss: 0.5
  fixableOnly: true
  maxDbAgeHours: 48
  failOnEndOfLife: true
  unknownImageAction: WarnAndScan
---
apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata:
  name: reject-failed-and-non-gcr
spec:
  selector: all()
  namespaceSelector: "apply-container-policies == 'true'"
  order: 10
  rules:
  - action: "Reject"
    imagePath:
      operator: IsNoneOf
      values:
      - "^gcr.io/company/production-repository/.*"
  - action: Allow
    imageScanStatus:
      operator: IsOneOf
      values: [Pass, Warn]
    imageLastScan:
      operator: gt
      duration:
        days: 3
        months: 1
  - action: Allow
    imageLastScan:
      operator: lt
      time: "2022-01-02T0:00:00Z"
  - action: Reject
---
apiVersion: portcullis.dev/v1
kind: ContainerAdmissionPolicy
metadata:
  name: early
spec:
  order: 2.5
  selector: "!has(skip) && tier in {'fe', 'be'}"
---
apiVersion: portcullis.dev/v1
kind: ContainerAdmissionPolicy
metadata: { name: unordered-b }
spec: { rules: [ { action: Allow } ] }
---
apiVersion: portcullis.dev/v1
kind: ContainerAdmissionPolicy
metadata: { name: unordered-a }
spec: {}
---
apiVersion: portcullis.dev/v1
kind: Exception
metadata:
  name: openssl-accepted
spec:
  vulnerabilities: [CVE-2024-0727, GHSA-9wx4-h78v-vm56, RHSA-2024:1234]
  packages: ["pkg:deb/debian/libssl3?distro=debian-12", openssl]
  images: ["ghcr.io/acme/*", "sha256:${'a'.repeat(64)}"]
  namespaces: [payments, "team-*"]
  reason: not reachable, we never parse PKCS12
  owner: security@acme.example
  expires: 2026-03-31
---
apiVersion: v1
kind: List
items:
- apiVersion: portcullis.dev/v1
  kind: Exception
  metadata: { name: timed }
  spec:
    packages: [busybox]
    reason: r
    owner: o
    expires: "2026-01-15T12:00:00+02:00"
`;

describe('parsePolicy: a file with every kind and field', () => {
  const set = parsePolicy(FULL, 'full.yaml');

  it('reads ScanStatusThresholds with all extensions', () => {
    assert.deepEqual({ ...set.thresholds, source: undefined }, {
      name: 'org-defaults',
      warnThreshold: 5.5,
      failThreshold: 9,
      warnOn: { medium: 10 },
      failOn: { critical: 1, high: 5 },
      failOnKev: true,
      failOnEpss: 0.5,
      fixableOnly: true,
      maxDbAgeHours: 48,
      failOnEndOfLife: true,
      unknownImageAction: 'WarnAndScan',
      source: undefined,
    });
    assert.deepEqual(set.thresholds.source, { file: 'full.yaml', line: 2, column: 1 });
    assert.equal(set.unknownImageAction, 'WarnAndScan');
    assert.equal(set.file, 'full.yaml');
  });

  it('orders admission policies by order, unordered last by name', () => {
    assert.deepEqual(set.admissionPolicies.map((p) => [p.name, p.order]), [
      ['early', 2.5], ['reject-failed-and-non-gcr', 10], ['unordered-a', undefined], ['unordered-b', undefined],
    ]);
    assert.deepEqual(set.admissionPolicies.map((p) => p.apiVersion), [
      'portcullis.dev/v1', 'containersecurity.tigera.io/v1beta1', 'portcullis.dev/v1', 'portcullis.dev/v1',
    ]);
  });

  it("reads Calico's ContainerAdmissionPolicy fields as written", () => {
    const p = set.admissionPolicies[1];
    assert.ok(p);
    assert.equal(p.selector.text, 'all()');
    assert.equal(p.namespaceSelector.text, 'apply-container-policies == "true"');
    assert.equal(matches(p.namespaceSelector, { 'apply-container-policies': 'true' }), true);
    assert.equal(p.rules.length, 4);
    const [r0, r1, r2, r3] = p.rules;
    assert.equal(r0?.action, 'Reject');
    assert.equal(r0?.imagePath?.operator, 'IsNoneOf');
    assert.deepEqual(r0?.imagePath?.values, ['^gcr.io/company/production-repository/.*']);
    assert.equal(r0?.imagePath?.patterns[0]?.test('gcr.io/company/production-repository/app:1'), true);
    assert.deepEqual(r1?.imageScanStatus, { operator: 'IsOneOf', values: ['Pass', 'Warn'] });
    assert.deepEqual(r1?.imageLastScan, { operator: 'gt', duration: { days: 3, months: 1, years: 0 } });
    assert.equal(r2?.imageLastScan?.operator, 'lt');
    assert.equal(r2?.imageLastScan?.time?.toISOString(), '2022-01-02T00:00:00.000Z');
    assert.deepEqual(r3, { action: 'Reject', source: { file: 'full.yaml', line: 48, column: 5 } });
    assert.deepEqual(r0?.source, { file: 'full.yaml', line: 30, column: 5 });
  });

  it('defaults selector and namespaceSelector to all()', () => {
    const a = set.admissionPolicies[2];
    assert.equal(a?.selector.text, 'all()');
    assert.equal(a?.namespaceSelector.text, 'all()');
    assert.deepEqual(a?.rules, []);
    assert.equal(set.admissionPolicies[0]?.selector.text, '(!has(skip) && tier in {"be", "fe"})');
  });

  it('reads exceptions, including those inside a kind: List', () => {
    assert.equal(set.exceptions.length, 2);
    const [e, timed] = set.exceptions;
    assert.deepEqual({ ...e, source: undefined }, {
      name: 'openssl-accepted',
      vulnerabilities: ['CVE-2024-0727', 'GHSA-9wx4-h78v-vm56', 'RHSA-2024:1234'],
      packages: [{ kind: 'purl', purl: 'pkg:deb/debian/libssl3?distro=debian-12' }, { kind: 'name', name: 'openssl' }],
      images: [{ kind: 'glob', glob: 'ghcr.io/acme/*' }, { kind: 'digest', digest: `sha256:${'a'.repeat(64)}` }],
      namespaces: ['payments', 'team-*'],
      reason: 'not reachable, we never parse PKCS12',
      owner: 'security@acme.example',
      expires: '2026-03-31',
      expiresAt: new Date('2026-04-01T00:00:00Z'), // a date is valid through that day (UTC)
      source: undefined,
    });
    assert.equal(timed?.name, 'timed');
    assert.equal(timed?.expiresAt.toISOString(), '2026-01-15T10:00:00.000Z');
    assert.deepEqual(timed?.vulnerabilities, []);
  });
});

describe('parsePolicy defaults', () => {
  it('uses Calico thresholds 4.0 / 7.0 and rejects unknown images when no ScanStatusThresholds is given', () => {
    const set = parsePolicy('apiVersion: portcullis.dev/v1\nkind: ContainerAdmissionPolicy\nmetadata: {name: p}\nspec: {}\n');
    assert.equal(set.thresholds.name, undefined);
    assert.equal(set.thresholds.warnThreshold, 4.0);
    assert.equal(set.thresholds.failThreshold, 7.0);
    assert.equal(set.thresholds.failOnKev, false);
    assert.equal(set.unknownImageAction, 'Reject');
    assert.deepEqual(defaultPolicySet().thresholds, set.thresholds);
  });

  it('an empty ScanStatusThresholds spec keeps every default', () => {
    const set = parsePolicy('apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: t}\nspec: {}\n');
    assert.equal(set.thresholds.name, 't');
    assert.equal(set.thresholds.warnThreshold, 4);
    assert.equal(set.thresholds.failThreshold, 7);
  });
});

/** All issues of a text, formatted as users see them. */
function problems(text: string, file = 'policy.yaml'): string[] {
  const { issues, policySet } = checkPolicy(text, file);
  assert.equal(policySet, undefined, 'a file with issues yields no policy set');
  return issues.map(formatIssue);
}

describe('validation errors point at line and column, all of them', () => {
  it('reports every problem of a ContainerAdmissionPolicy', () => {
    const text = [
      'apiVersion: containersecurity.tigera.io/v1beta1', // 1
      'kind: ContainerAdmissionPolicy', //                  2
      'metadata:', //                                       3
      '  name: bad', //                                     4
      'spec:', //                                           5
      '  order: "10"', //                                   6
      '  selector: app == web', //                          7
      '  namespaceSelector: "team == \'a\' &&"', //         8
      '  rules:', //                                        9
      '  - action: Allow', //                              10
      '  - action: Deny', //                               11
      '    imagePaht:', //                                 12
      '      operator: IsOneOf', //                        13
      '  - imageScanStatus:', //                           14
      '      operator: isoneof', //                        15
      '      values: [Pass, Failed]', //                   16
      '  - action: Reject', //                             17
      '    imageLastScan:', //                             18
      '      operator: gt', //                             19
      '      duration: { days: -1, weeks: 2 }', //         20
      '  - action: Allow', //                              21
      '    imageLastScan: { operator: lt, time: "yesterday" }', // 22
      '  - action: Allow', //                              23
      '    imagePath: { operator: IsOneOf, values: ["(a+)+$", "x\\\\1", "[", "(?=x)"] }', // 24
      '  - action: Allow', //                              25
      '    imageLastScan: { operator: gt }', //            26
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'policy.yaml:6:10: spec.order must be a number, not the string "10"',
      "policy.yaml:7:20: spec.selector is not a valid selector: expected a quoted string after '==', found a label (selector column 8)",
      "policy.yaml:8:37: spec.namespaceSelector is not a valid selector: expected a label, has(...), all(), global(), ! or (, found the end of the selector (selector column 15)",
      'policy.yaml:11:13: spec.rules[1].action must be Allow or Reject, not "Deny"',
      'policy.yaml:12:5: spec.rules[1].imagePaht is not a field of a rule (did you mean imagePath?)',
      'policy.yaml:14:5: spec.rules[2].action is required',
      'policy.yaml:15:17: spec.rules[2].imageScanStatus.operator must be IsOneOf or IsNoneOf, not "isoneof" (did you mean IsOneOf?)',
      'policy.yaml:16:22: spec.rules[2].imageScanStatus.values[1] must be one of Pass, Warn, Fail, Unknown, not "Failed" (did you mean Fail?)',
      'policy.yaml:20:29: spec.rules[3].imageLastScan.duration.weeks is not a field of duration (days, months, years)',
      'policy.yaml:20:25: spec.rules[3].imageLastScan.duration.days must be between 0 and 36500, not -1',
      'policy.yaml:22:42: spec.rules[4].imageLastScan.time "yesterday" is not an RFC 3339 time (like 2024-01-02T15:04:05Z)',
      'policy.yaml:24:46: spec.rules[5].imagePath.values[0] "(a+)+$" a repeated group contains a repetition (like (a+)+), which can take exponential time to match',
      'policy.yaml:24:56: spec.rules[5].imagePath.values[1] "x\\\\1" backreferences (\\1 …) are not RE2 syntax',
      'policy.yaml:24:64: spec.rules[5].imagePath.values[2] "[" is not a valid regular expression: /[/: Unterminated character class',
      'policy.yaml:24:69: spec.rules[5].imagePath.values[3] "(?=x)" lookahead and lookbehind are not RE2 syntax',
      'policy.yaml:26:20: spec.rules[6].imageLastScan needs a duration or a time',
    ].sort(byPosition));
  });

  it('a selector error inside a plain scalar points at the exact column', () => {
    const text = 'apiVersion: portcullis.dev/v1\nkind: ContainerAdmissionPolicy\nmetadata: {name: p}\nspec:\n  selector: a == \'x\' || %\n';
    assert.deepEqual(problems(text), [
      'policy.yaml:5:25: spec.selector is not a valid selector: unexpected character "%" (selector column 13)',
    ]);
  });

  it('explains an unquoted selector starting with ! (a YAML tag)', () => {
    const text = 'apiVersion: portcullis.dev/v1\nkind: ContainerAdmissionPolicy\nmetadata: {name: p}\nspec:\n  selector: !has(x)\n';
    const out = problems(text);
    assert.equal(out.length, 1);
    assert.match(out[0] as string, /^policy\.yaml:5:13: YAML: .*!has\(x\).* \(a value starting with '!' must be quoted, e\.g\. "!has\(x\)"\)$/);
  });

  it('rejects unknown kinds, apiVersions and top-level fields', () => {
    const text = [
      'apiVersion: portcullis.dev/v1', //          1
      'kind: ScanStatusThreshold', //              2
      'metadata: {name: a}', //                    3
      'spec: {}', //                               4
      '---', //                                    5
      'apiVersion: portcullis.dev/v2', //          6
      'kind: Exception', //                        7
      'metadata: {name: b}', //                    8
      'spec: {}', //                               9
      '---', //                                   10
      'apiVersion: portcullis.dev/v1', //         11
      'kind: ScanStatusThresholds', //            12
      'metadata: {name: c}', //                   13
      'sepc: {}', //                              14
      '---', //                                   15
      'apiVersion: containersecurity.tigera.io/v1beta1', // 16
      'kind: Exception', //                       17
      'metadata: {name: d}', //                   18
      'spec: {}', //                              19
      '---', //                                   20
      '- just a list', //                         21
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'policy.yaml:2:7: kind "ScanStatusThreshold" is not a policy kind (ScanStatusThresholds, ContainerAdmissionPolicy, Exception) (did you mean ScanStatusThresholds?)',
      'policy.yaml:6:13: apiVersion must be portcullis.dev/v1 for Exception, not "portcullis.dev/v2"',
      'policy.yaml:11:1: spec is required',
      'policy.yaml:14:1: sepc is not a field of a policy document (did you mean spec?)',
      'policy.yaml:16:13: apiVersion must be portcullis.dev/v1 for Exception, not "containersecurity.tigera.io/v1beta1"',
      'policy.yaml:21:1: each document must be a mapping with apiVersion, kind, metadata and spec',
    ]);
  });

  it('rejects wrong types in ScanStatusThresholds', () => {
    const text = [
      'apiVersion: portcullis.dev/v1', //                 1
      'kind: ScanStatusThresholds', //                    2
      'metadata: {name: t}', //                           3
      'spec:', //                                         4
      '  warnThreshold: 8', //                            5
      '  failThreshold: 6', //                            6
      '  failOn: {critical: 0, severe: 1, high: 2.5}', // 7
      '  failOnKev: "yes"', //                            8
      '  failOnEpss: 50', //                              9
      '  fixableOnly: 1', //                             10
      '  maxDbAgeHours: 0', //                           11
      '  failOnEndOfLife: null', //                      12
      '  unknownImageAction: reject', //                 13
      '  warnOn: [high]', //                             14
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'policy.yaml:6:18: spec.failThreshold 6 must not be below warnThreshold 8',
      'policy.yaml:7:25: spec.failOn.severe is not a field of failOn (severities: critical, high, medium, low, unknown)',
      'policy.yaml:7:22: spec.failOn.critical must be between 1 and 1000000, not 0',
      'policy.yaml:7:42: spec.failOn.high must be an integer, not 2.5',
      'policy.yaml:8:14: spec.failOnKev must be true or false, not the string "yes"',
      'policy.yaml:9:15: spec.failOnEpss must be between 0 and 1, not 50',
      'policy.yaml:10:16: spec.fixableOnly must be true or false, not number 1',
      'policy.yaml:11:18: spec.maxDbAgeHours must be between 0 (exclusive) and 87600, not 0',
      'policy.yaml:13:23: spec.unknownImageAction must be one of Reject, RejectAndScan, Warn, WarnAndScan, Allow, not "reject" (did you mean Reject?)',
      'policy.yaml:14:11: spec.warnOn must be a mapping, not a list',
    ].sort(byPosition));
  });

  it('validates Exception fields', () => {
    const text = [
      'apiVersion: portcullis.dev/v1', //                               1
      'kind: Exception', //                                             2
      'metadata: {name: e1, namespace: prod}', //                       3
      'spec:', //                                                       4
      '  vulnerabilities: ["CVE 2024 1", CVE-2024-1]', //               5
      '  packages: ["pkg:", ok-name]', //                               6
      '  images: ["sha256:abc", "a b"]', //                             7
      '  namespaces: [Prod]', //                                        8
      '  reason: "  "', //                                              9
      '  expires: 2026-02-30', //                                      10
      '---', //                                                        11
      'apiVersion: portcullis.dev/v1', //                              12
      'kind: Exception', //                                            13
      'metadata: {name: e2}', //                                       14
      'spec:', //                                                      15
      '  images: ["*"]', //                                            16
      '  reason: because', //                                          17
      '  owner: me', //                                                18
      '  expires: 2026-01-01', //                                      19
      '---', //                                                        20
      'apiVersion: portcullis.dev/v1', //                              21
      'kind: Exception', //                                            22
      'metadata: {name: e1}', //                                       23
      'spec: {packages: [x], reason: r, owner: o, expires: 2026-01-01, vulnerabilities: []}', // 24
      '',
    ].join('\n');
    const out = problems(text);
    assert.deepEqual(out, [
      'policy.yaml:3:33: metadata.namespace must not be set: Exception is cluster-scoped (use spec.namespaces)',
      'policy.yaml:5:3: spec.owner is required',
      'policy.yaml:5:21: spec.vulnerabilities[0] "CVE 2024 1" is not a vulnerability ID (like CVE-2024-0727 or GHSA-xxxx-xxxx-xxxx)',
      out[3] as string, // the purl library's own words
      'policy.yaml:7:12: spec.images[0] "sha256:abc" looks like a digest but is not one (sha256: and 64 lowercase hex digits)',
      'policy.yaml:7:26: spec.images[1] "a b" is not an image glob or digest',
      'policy.yaml:8:16: spec.namespaces[0] "Prod" is not a namespace name or glob',
      'policy.yaml:9:11: spec.reason must not be blank',
      'policy.yaml:10:12: spec.expires "2026-02-30" is neither a date (2026-03-31) nor an RFC 3339 time',
      'policy.yaml:16:3: spec needs vulnerabilities or packages (an exception for everything would turn scanning off)',
      'policy.yaml:23:18: metadata.name Exception "e1" is defined twice (first at line 1)',
    ]);
    assert.match(out[3] as string, /^policy\.yaml:6:14: spec\.packages\[0\] "pkg:" is not a valid package URL: /);
  });

  it('rejects duplicate keys, a second ScanStatusThresholds, missing names and bad names', () => {
    const text = [
      'apiVersion: portcullis.dev/v1', //            1
      'kind: ScanStatusThresholds', //               2
      'metadata: {name: one}', //                    3
      'spec: {warnThreshold: 1}', //                 4
      '---', //                                      5
      'apiVersion: portcullis.dev/v1', //            6
      'kind: ScanStatusThresholds', //               7
      'metadata: {name: two}', //                    8
      'spec: {}', //                                 9
      '---', //                                     10
      'apiVersion: portcullis.dev/v1', //           11
      'kind: ContainerAdmissionPolicy', //          12
      'metadata: {labels: {a: b}}', //              13
      'spec: {}', //                                14
      '---', //                                     15
      'apiVersion: portcullis.dev/v1', //           16
      'kind: ContainerAdmissionPolicy', //          17
      'metadata: {name: "Not OK!"}', //             18
      'spec: {}', //                                19
      '---', //                                     20
      'apiVersion: portcullis.dev/v1', //           21
      'kind: ContainerAdmissionPolicy', //          22
      'metadata: {name: dup, name: dup2}', //       23
      'spec: {}', //                                24
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'policy.yaml:6:1: only one ScanStatusThresholds document is allowed (one is the first)',
      'policy.yaml:13:11: metadata.name is required',
      'policy.yaml:18:18: metadata.name "Not OK!" is not a valid name (letters, digits, ".", "_", "-")',
      'policy.yaml:23:23: YAML: Map keys must be unique',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const out = problems('apiVersion: portcullis.dev/v1\nkind: [unclosed\n');
    assert.ok(out.length >= 1);
    assert.match(out[0] as string, /^policy\.yaml:\d+:\d+: YAML: /);
  });

  it('refuses an empty file: it is most likely the wrong one', () => {
    assert.deepEqual(problems('# nothing here\n---\n'), ['policy.yaml: contains no policy documents']);
  });

  it('throws one PolicyValidationError with a one-line message and every issue', () => {
    const text = 'apiVersion: portcullis.dev/v1\nkind: Nope\nmetadata: {name: a}\nspec: {}\n---\napiVersion: portcullis.dev/v1\nkind: Nope2\nmetadata: {name: b}\nspec: {}\n';
    assert.throws(() => parsePolicy(text, 'p.yaml'), (err: unknown) => {
      assert.ok(err instanceof PolicyValidationError);
      assert.ok(err instanceof PolicyError);
      assert.equal(err.code, 'INVALID_POLICY');
      assert.equal(err.issues.length, 2);
      assert.ok(!err.message.includes('\n'));
      assert.match(err.message, /^p\.yaml:2:7: kind "Nope" is not a policy kind .* \(and 1 more: run 'portcullis policy check'\)$/);
      assert.equal(err.details().split('\n').length, 2);
      return true;
    });
  });
});

describe('limits', () => {
  it(`refuses more than ${MAX_POLICY_DOCUMENTS} documents`, () => {
    const doc = (i: number): string => `apiVersion: portcullis.dev/v1\nkind: ContainerAdmissionPolicy\nmetadata: {name: p${i}}\nspec: {}\n`;
    const ok = Array.from({ length: MAX_POLICY_DOCUMENTS }, (_, i) => doc(i)).join('---\n');
    assert.equal(parsePolicy(ok).admissionPolicies.length, MAX_POLICY_DOCUMENTS);
    const out = problems(`${ok}---\n${doc(MAX_POLICY_DOCUMENTS)}`);
    assert.deepEqual(out, [`policy.yaml:${MAX_POLICY_DOCUMENTS * 5 + 1}:1: the file has more than ${MAX_POLICY_DOCUMENTS} documents`]);
  });

  it('refuses text larger than the file limit', () => {
    const big = `# ${'x'.repeat(MAX_POLICY_FILE_BYTES)}\n`;
    assert.deepEqual(problems(big), [`policy.yaml: is larger than ${MAX_POLICY_FILE_BYTES} bytes`]);
  });

  it('refuses too many rules and too many alias expansions', () => {
    const rules = Array.from({ length: 257 }, () => '  - action: Allow').join('\n');
    assert.match(problems(`apiVersion: portcullis.dev/v1\nkind: ContainerAdmissionPolicy\nmetadata: {name: p}\nspec:\n  rules:\n${rules}\n`)[0] as string,
      /^policy\.yaml:6:3: spec\.rules has 257 entries; at most 256 are allowed$/);
    // Each *r costs four resolutions (the rule and its three aliased fields): 251 of them exceed 1000.
    const aliases = Array.from({ length: 251 }, () => '  - *r').join('\n');
    const text = `apiVersion: portcullis.dev/v1\nkind: ContainerAdmissionPolicy\nmetadata: {name: p}\nspec:\n  order: 1\n  rules:\n  - {action: &a Allow, imageScanStatus: {operator: &o IsOneOf, values: &v [Pass]}}\n  - &r {action: *a, imageScanStatus: {operator: *o, values: *v}}\n${aliases}\n`;
    assert.match(problems(text).join('\n'), /uses more than 1000 YAML aliases/);
  });

  it('accepts anchors and aliases within the budget', () => {
    const text = 'apiVersion: portcullis.dev/v1\nkind: ContainerAdmissionPolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - &allow {action: Allow, imageScanStatus: {operator: IsOneOf, values: [Pass]}}\n  - *allow\n';
    const p = parsePolicy(text).admissionPolicies[0];
    assert.equal(p?.rules.length, 2);
    assert.deepEqual(p?.rules[1]?.imageScanStatus, { operator: 'IsOneOf', values: ['Pass'] });
  });
});

describe('loadPolicyFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-policy-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and names it in the set and in errors', async () => {
    const path = join(dir, 'policy.yaml');
    await writeFile(path, FULL);
    const set = await loadPolicyFile(path);
    assert.equal(set.file, path);
    assert.equal(set.admissionPolicies.length, 4);
    assert.equal(set.admissionPolicies[0]?.source?.file, path);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: portcullis.dev/v1\nkind: Exception\nmetadata: {name: x}\nspec: {packages: [a], reason: r, owner: o, expires: never}\n');
    await assert.rejects(loadPolicyFile(bad), new RegExp(`^PolicyValidationError: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:53: spec\\.expires "never"`));
  });

  it('says so when the file is missing, too large or not UTF-8', async () => {
    await assert.rejects(loadPolicyFile(join(dir, 'missing.yaml')), (err: unknown) =>
      err instanceof PolicyError && err.code === 'POLICY_UNREADABLE' && /missing\.yaml: no such file$/.test(err.message));
    const big = join(dir, 'big.yaml');
    await writeFile(big, Buffer.alloc(MAX_POLICY_FILE_BYTES + 1, 0x20));
    await assert.rejects(loadPolicyFile(big), (err: unknown) => err instanceof PolicyError && err.code === 'POLICY_TOO_LARGE');
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    await assert.rejects(loadPolicyFile(latin1), /not valid UTF-8/);
    await assert.rejects(loadPolicyFile(dir), /not a regular file/);
  });
});

function byPosition(a: string, b: string): number {
  const pa = /:(\d+):(\d+):/.exec(a);
  const pb = /:(\d+):(\d+):/.exec(b);
  return Number(pa?.[1]) - Number(pb?.[1]) || Number(pa?.[2]) - Number(pb?.[2]);
}
