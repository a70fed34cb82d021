import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { cleanResult, debianScanResult, hostileResult, manyFindingsResult, NOW, sbomOnlyResult } from '../../test/fixtures-results.ts';
import { locationUri, sarifLevel, sarifReport } from './sarif.ts';
import { safeHttpUrl } from './summary.ts';
import type { ScanResult } from './types.ts';

const schemaUrl = new URL('../../../shared/data/schemas/sarif-schema-2.1.0.json', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * The official schema is draft-04 (`id`, draft-04 `$schema`), which Ajv 8 does not load. Draft-04
 * and draft-07 differ in `id`/`$id` and in boolean `exclusiveMinimum`/`exclusiveMaximum`; the
 * schema uses neither keyword (asserted below), so renaming `id` and `$schema` keeps its meaning.
 */
function sarifValidator() {
  const raw = JSON.parse(readFileSync(schemaUrl, 'utf8')) as Record<string, unknown>;
  assert.equal(raw.$schema, 'http://json-schema.org/draft-04/schema#');
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        assert.ok(k !== 'exclusiveMinimum' && k !== 'exclusiveMaximum', `schema uses draft-04 ${k}`);
        walk(x);
      }
    }
  };
  walk(raw.definitions);
  const { id, ...rest } = raw;
  const schema: Record<string, unknown> = { ...rest, $schema: 'http://json-schema.org/draft-07/schema#', $id: id };
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
const validate = sarifValidator();

function assertValid(doc: unknown) {
  const ok = validate(doc);
  assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
}

interface Log {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string }; fullDescription: { text: string }; helpUri?: string; help: { text: string; markdown: string }; properties: { 'security-severity': string; tags: string[] } }[] } };
    results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; partialFingerprints: Record<string, string>; suppressions?: { kind: string; justification: string }[] }[];
  }[];
}

function render(r: ScanResult): Log {
  return JSON.parse(sarifReport(r, { toolVersion: '0.1.0', now: NOW })) as Log;
}

/** GitHub code scanning's own requirements, on top of the schema. */
function assertGitHubAcceptable(log: Log) {
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'portcullis');
  const ids = run.tool.driver.rules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'one rule per vulnerability ID');
  for (const rule of run.tool.driver.rules) {
    const sev = rule.properties['security-severity'];
    assert.equal(typeof sev, 'string');
    assert.match(sev, /^\d{1,2}\.\d$/);
    assert.ok(Number(sev) >= 0 && Number(sev) <= 10, `${rule.id} security-severity ${sev}`);
    assert.ok(rule.properties.tags.includes('vulnerability') && rule.properties.tags.includes('security'));
    assert.ok(rule.shortDescription.text.length > 0 && rule.shortDescription.text.length <= 1024);
    assert.ok(rule.fullDescription.text.length <= 1024);
  }
  const fingerprints = new Set<string>();
  for (const res of run.results) {
    assert.equal(run.tool.driver.rules[res.ruleIndex]?.id, res.ruleId, 'ruleIndex points at the rule named by ruleId');
    assert.ok(res.locations.length >= 1, 'every result needs a location');
    const uri = res.locations[0]!.physicalLocation.artifactLocation.uri;
    assert.ok(uri.length > 0);
    assert.doesNotMatch(uri, /^[a-z][a-z0-9+.-]*:/i, `location ${uri} must not have a URI scheme`);
    const fp = Object.values(res.partialFingerprints).join();
    assert.ok(fp && !fingerprints.has(fp), 'fingerprints are unique per result');
    fingerprints.add(fp);
  }
}

describe('SARIF report', () => {
  test('validates against the official SARIF 2.1.0 schema and GitHub rules', () => {
    for (const r of [debianScanResult(), cleanResult(), sbomOnlyResult(), hostileResult(), manyFindingsResult(300)]) {
      const log = render(r);
      assertValid(log);
      assertGitHubAcceptable(log);
    }
  });

  test('the validator rejects what the schema forbids (so the test above can fail)', () => {
    const log = render(debianScanResult()) as unknown as { runs: { results: { level: string }[]; tool: { driver: Record<string, unknown> } }[] };
    log.runs[0]!.results[0]!.level = 'fatal';
    assert.equal(validate(log), false);
    const log2 = render(debianScanResult()) as unknown as { runs: { tool: { driver: Record<string, unknown> } }[] };
    delete log2.runs[0]!.tool.driver.name;
    assert.equal(validate(log2), false);
    // Formats are checked too: a helpUri must be an absolute URI.
    const log3 = render(debianScanResult()) as unknown as { runs: { tool: { driver: { rules: { helpUri?: string }[] } } }[] };
    log3.runs[0]!.tool.driver.rules[0]!.helpUri = 'not a uri';
    assert.equal(validate(log3), false);
  });

  test('rules: one per vulnerability, security-severity from the highest CVSS or the severity', () => {
    const result = debianScanResult();
    const run = render(result).runs[0]!;
    const rules = new Map(run.tool.driver.rules.map((r) => [r.id, r]));
    const ids = new Set([...(result.findings ?? []), ...(result.suppressed ?? []).map((s) => s.finding)].map((f) => f.id));
    assert.deepEqual(new Set(rules.keys()), ids);
    // Worst first: log4j (CRITICAL 10.0) leads.
    assert.equal(run.tool.driver.rules[0]!.id, 'CVE-2021-44228');
    assert.equal(rules.get('CVE-2021-44228')!.properties['security-severity'], '10.0', 'v3.1 10.0 wins over v2 9.3');
    assert.equal(rules.get('CVE-2023-45853')!.properties['security-severity'], '9.8');
    assert.equal(rules.get('CVE-2024-0727')!.properties['security-severity'], '5.5');
    assert.equal(rules.get('TEMP-0841856-B18BAF')!.properties['security-severity'], '0.0', 'UNKNOWN without CVSS');
    assert.deepEqual(rules.get('CVE-2023-4911')!.properties.tags, ['vulnerability', 'security', 'HIGH', 'known-exploited']);
    assert.equal(rules.get('CVE-2024-0727')!.helpUri, 'https://security-tracker.debian.org/tracker/CVE-2024-0727');
    assert.equal(rules.get('TEMP-0841856-B18BAF')!.helpUri, 'https://security-tracker.debian.org/tracker/TEMP-0841856-B18BAF');
    // The same CVE in two packages: one rule, two results.
    assert.equal(run.results.filter((r) => r.ruleId === 'CVE-2023-4911').length, 2);

    // A CRITICAL finding without any CVSS gets the representative score of its severity.
    const noCvss = debianScanResult();
    for (const f of noCvss.findings ?? []) if (f.id === 'CVE-2023-45853') f.cvss = [];
    const r2 = render(noCvss).runs[0]!.tool.driver.rules.find((r) => r.id === 'CVE-2023-45853')!;
    assert.equal(r2.properties['security-severity'], '9.5');
  });

  test('results: level, message, location, suppressions', () => {
    const result = debianScanResult();
    const run = render(result).runs[0]!;
    assert.equal(run.results.length, (result.findings?.length ?? 0) + (result.suppressed?.length ?? 0));
    const byKey = new Map(run.results.map((r) => [`${r.ruleId} ${r.message.text.split(' ')[1]}`, r]));
    const ssl = byKey.get('CVE-2024-0727 libssl3')!;
    assert.equal(ssl.level, 'warning');
    assert.match(ssl.message.text, /libssl3 3\.0\.11-1~deb12u2 .* CVE-2024-0727 \(MEDIUM, CVSS 5\.5\)\. Fixed in 3\.0\.13-1~deb12u1\./);
    assert.equal(ssl.locations[0]!.physicalLocation.artifactLocation.uri, 'registry.example.com%3A5000/shop/checkout/var/lib/dpkg/status');
    assert.equal(byKey.get('CVE-2021-44228 org.apache.logging.log4j:log4j-core')!.level, 'error');
    assert.match(byKey.get('CVE-2023-45853 zlib1g')!.message.text, /will not fix/);
    assert.equal(byKey.get('CVE-2011-3374 apt')!.level, 'note');
    // Unsuppressed results first, suppressed ones after, each with an external suppression.
    const suppressed = run.results.filter((r) => r.suppressions);
    assert.deepEqual(suppressed.map((r) => r.ruleId).sort(), ['CVE-2023-50495', 'CVE-2023-52425', 'CVE-2024-28757']);
    assert.ok(run.results.slice(-3).every((r) => r.suppressions));
    const vex = suppressed.find((r) => r.ruleId === 'CVE-2023-52425')!.suppressions![0]!;
    assert.equal(vex.kind, 'external');
    assert.match(vex.justification, /^vex: .*not_affected.*never parses XML/);
    assert.equal(sarifLevel('LOW'), 'note');
    assert.equal(sarifLevel('UNKNOWN'), 'note');
  });

  test('what the filters left out is not reported, as in the table', () => {
    const result = debianScanResult();
    const [low] = result.findings!.filter((f) => f.severity === 'LOW');
    result.findings = result.findings!.filter((f) => f !== low);
    result.suppressed!.push({ finding: low!, kind: 'severity-filter', by: '--severity CRITICAL,HIGH,MEDIUM' });
    const run = render(result).runs[0]!;
    assert.ok(!run.results.some((r) => r.ruleId === low!.id));
    assert.ok(!run.tool.driver.rules.some((r) => r.id === low!.id));
    assert.equal(run.results.filter((r) => r.suppressions).length, 3);
  });

  test('fingerprints survive a new tag and a package bump, and differ per package', () => {
    const a = debianScanResult();
    const b = debianScanResult();
    b.artifact.name = 'registry.example.com:5000/shop/checkout:1.4.3';
    for (const f of b.findings ?? []) if (f.package === 'libssl3') f.installedVersion = '3.0.11-1~deb12u3';
    const fa = render(a).runs[0]!.results.map((r) => r.partialFingerprints);
    const fb = render(b).runs[0]!.results.map((r) => r.partialFingerprints);
    assert.deepEqual(fa, fb);
    const c = debianScanResult();
    c.artifact.name = 'registry.example.com:5000/shop/payments:1.4.2';
    assert.notDeepEqual(render(c).runs[0]!.results[0]!.partialFingerprints, fa[0]);
  });

  test('location URIs: no tag, no digest, no scheme, encoded', () => {
    assert.equal(locationUri('docker.io/library/debian:12', 'var/lib/dpkg/status'), 'docker.io/library/debian/var/lib/dpkg/status');
    assert.equal(locationUri('docker.io/library/debian@sha256:17122fe3d669', undefined), 'docker.io/library/debian');
    assert.equal(locationUri('localhost:5000/app:v1@sha256:abcdef', 'lib/apk/db/installed'), 'localhost%3A5000/app/lib/apk/db/installed');
    assert.equal(locationUri('oci:/tmp/layout:latest', undefined), 'tmp/layout');
    assert.equal(locationUri('docker-archive:/tmp/my image.tar', 'app/package.json'), 'tmp/my%20image.tar/app/package.json');
    assert.equal(locationUri('x/../../etc', '../passwd'), 'x/etc/passwd');
  });

  test('hostile feed strings: no javascript: help link, markdown neutralised, still valid', () => {
    const log = render(hostileResult());
    assertValid(log);
    const rules = log.runs[0]!.tool.driver.rules;
    for (const r of rules) {
      if (r.helpUri) assert.match(r.helpUri, /^https?:\/\//);
      assert.doesNotMatch(r.help.markdown, /javascript:/);
      assert.doesNotMatch(r.help.markdown, /(?<!\\)<img/);
    }
    const text = JSON.stringify(log);
    assert.doesNotMatch(text, /\\u001b|\\u0007|\\u0000/, 'control characters are replaced');
    assert.equal(safeHttpUrl('javascript:alert(1)'), undefined);
    assert.equal(safeHttpUrl('https://example.com/a b'), 'https://example.com/a%20b');
  });

  // How fast is measured by bench/policy.ts, not here: a timed test fails on a busy machine.
  test('5,000 findings, one result each', () => {
    const out = sarifReport(manyFindingsResult(5000), { toolVersion: '0.1.0', now: NOW });
    assert.equal((JSON.parse(out) as Log).runs[0]!.results.length, 5000);
  });
});
