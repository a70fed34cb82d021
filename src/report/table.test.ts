import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanResult, debianScanResult, HOSTILE, hostileResult, manyFindingsResult, NOW, sbomOnlyResult } from '../../test/fixtures-results.ts';
import { compareFindings } from './summary.ts';
import { displayWidth, tableReport, truncateWidth } from './table.ts';
import type { ScanResult } from './types.ts';

const plain = (r: ScanResult) => tableReport(r, { toolVersion: '0.1.0', now: NOW });
const colored = (r: ScanResult) => tableReport(r, { toolVersion: '0.1.0', now: NOW, color: true });
// Our own colouring is SGR only: ESC [ digits ; digits m.
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

/** Rows of the findings grid as cell arrays (borders dropped). */
function gridRows(out: string): string[][] {
  return out.split('\n').filter((l) => l.startsWith('│')).map((l) => l.slice(1, -1).split('│').map((c) => c.trim()));
}

describe('table report', () => {
  test('verdict and reasons first, then the findings, suppressed count and summary line last', () => {
    const out = plain(debianScanResult());
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0], 'registry.example.com:5000/shop/checkout:1.4.2 (debian 12.5)');
    assert.match(lines[1]!, /Digest: sha256:9b2a\S+ {2}Platform: linux\/amd64 {2}DB built: 2026-11-20T06:00:00Z \(26h ago\)/);
    const verdictAt = lines.indexOf('Verdict: FAIL (policy policies/production.yaml)');
    const tableAt = lines.findIndex((l) => l.startsWith('┌'));
    assert.ok(verdictAt > 0 && verdictAt < tableAt);
    assert.equal(lines[verdictAt + 1], '  - CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 is known exploited (CISA KEV), fixed in 2.15.0');
    assert.match(out, /^Checks: CVSS thresholds FAIL, Known exploited \(KEV\) FAIL, EPSS WARN, DB age PASS, End of life PASS$/m);
    assert.match(out, /^Warnings:\n {2}- layer sha256:5bdf5e8e52cb: /m);
    assert.equal(lines.at(-2), 'Suppressed: 3 (exception: 1, ignorefile: 1, vex: 1), not counted below. See them and why with --format json or --format html.');
    assert.equal(lines.at(-1), 'Total: 13 (CRITICAL: 2, HIGH: 7, MEDIUM: 2, LOW: 1, UNKNOWN: 1)');
    assert.ok(!out.includes('\u001b'), 'plain output has no escape sequences');
  });

  test('grouped by package, worst severity first, then CVSS, KEV first among equals', () => {
    const result = debianScanResult();
    const rows = gridRows(plain(result));
    assert.deepEqual(rows[0], ['Library', 'Vulnerability', 'Severity', 'Status', 'Installed Version', 'Fixed Version', 'KEV/EPSS', 'Title']);
    const body = rows.slice(1);
    assert.equal(body.length, result.findings!.length);
    const libraries = body.map((r) => r[0]).filter(Boolean);
    assert.deepEqual(libraries, [
      'org.apache.logging.log4j:log4j-core', 'zlib1g', 'openssh-client', 'perl-base', 'libc-bin', 'libc6', 'libnghttp2-14', 'qs', 'libssl3', 'apt', 'bash',
    ]);
    // libnghttp2-14 and qs are both HIGH 7.5: the known-exploited one comes first.
    const nghttp2 = body.find((r) => r[0] === 'libnghttp2-14')!;
    assert.deepEqual([nghttp2[2], nghttp2[6]], ['HIGH 7.5', 'KEV 94.4%']);
    // A package's rows stay together, worst first; the library name is printed once.
    const libc6 = body.findIndex((r) => r[0] === 'libc6');
    assert.deepEqual(body.slice(libc6, libc6 + 3).map((r) => [r[0], r[1], r[2]]), [
      ['libc6', 'CVE-2023-4911', 'HIGH 7.8'], ['', 'CVE-2024-2961', 'HIGH 7.3'], ['', 'CVE-2023-4806', 'MEDIUM 5.9'],
    ]);
    // Every group's first row is at least as bad as the next group's (the shared comparator).
    const byId = new Map(result.findings!.map((f) => [`${f.id} ${f.installedVersion}`, f]));
    const firsts = body.filter((r) => r[0]).map((r) => byId.get(`${r[1]} ${r[4]}`)!);
    for (let i = 1; i < firsts.length; i++) assert.ok(compareFindings(firsts[i - 1]!, firsts[i]!) <= 0);
    // Input order does not matter.
    const shuffled = debianScanResult();
    shuffled.findings!.reverse();
    assert.equal(plain(shuffled), plain(result));
    // KEV beats EPSS among equals: make qs known-exploited with the lower EPSS.
    const kev = debianScanResult();
    for (const f of kev.findings!) if (f.package === 'qs') f.kev = true;
    for (const f of kev.findings!) if (f.package === 'libnghttp2-14') f.kev = false;
    const kevLibraries = gridRows(plain(kev)).map((r) => r[0]).filter(Boolean);
    assert.ok(kevLibraries.indexOf('qs') < kevLibraries.indexOf('libnghttp2-14'));
    // Status and fixed version as the finding says: will_not_fix has no fixed version.
    const zlib = body.find((r) => r[0] === 'zlib1g')!;
    assert.deepEqual([zlib[3], zlib[5]], ['will_not_fix', '']);
  });

  test('display width: wide characters, emoji and combining marks keep the columns aligned', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('日本語'), 6);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('🔥'), 2);
    assert.equal(displayWidth('👨‍👩‍👧'), 2);
    assert.equal(displayWidth('ｆｕｌｌ'), 8);
    assert.equal(displayWidth('a\u200bb'), 2);
    assert.equal(truncateWidth('日本語日本語', 5), '日本…');
    assert.equal(displayWidth(truncateWidth('日本語日本語', 5)), 5);
    assert.equal(truncateWidth('short', 10), 'short');

    const r = debianScanResult();
    r.findings![0]!.title = '日本語のタイトル 🔥 with e\u0301 and 한국어';
    r.findings![1]!.package = 'パッケージ';
    const out = plain(r);
    const gridLines = out.split('\n').filter((l) => /^[┌├│└]/.test(l));
    const widths = new Set(gridLines.map(displayWidth));
    assert.equal(widths.size, 1, `all grid lines have the same width: ${[...widths].join(', ')}`);
    assert.ok(out.includes('日本語のタイトル 🔥 with e\u0301 and 한국어'));
  });

  test('long titles are cut at 50 columns with an ellipsis', () => {
    const r = debianScanResult();
    const long = 'A very long advisory title that goes on and on about a heap overflow in a parser of a format nobody uses';
    r.findings![0]!.title = long;
    const row = gridRows(plain(r)).find((c) => c[1] === r.findings![0]!.id && c[0] === r.findings![0]!.package)!;
    assert.equal(row[7], `${long.slice(0, 49)}…`);
    assert.equal(displayWidth(row[7]!), 50);
  });

  test('colour only when asked: severity and verdict coloured, text otherwise identical', () => {
    const r = debianScanResult();
    const c = colored(r);
    assert.ok(c.includes('\u001b[1;31mCRITICAL 10.0\u001b[0m'));
    assert.ok(c.includes('\u001b[33mMEDIUM 5.5\u001b[0m'));
    assert.ok(c.includes('Verdict: \u001b[1;31mFAIL\u001b[0m'));
    assert.ok(c.includes('\u001b[1;31mKEV 94.4%\u001b[0m'));
    assert.equal(c.replace(SGR, ''), plain(r), 'colour changes nothing but colour (alignment included)');
    const clean = colored(cleanResult());
    assert.ok(clean.includes('Verdict: \u001b[1;32mPASS\u001b[0m'));
  });

  test('hostile feed strings cannot emit terminal escapes', () => {
    const r = hostileResult();
    const p = plain(r);
    assert.ok(!p.includes('\u001b'));
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u.test(p.replace(/\n/g, '')), 'no control characters at all');
    const c = colored(r);
    assert.ok(!c.replace(SGR, '').includes('\u001b'), 'the only escapes are our own colours');
    assert.ok(p.includes(HOSTILE.html), 'markup is just text in a terminal');
  });

  test('a clean result: no table, "No vulnerabilities found." and a zero summary', () => {
    const out = plain(cleanResult());
    assert.ok(!out.includes('┌'));
    assert.match(out, /Verdict: PASS\n\nNo vulnerabilities found\.\nTotal: 0 \(CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0\)\n$/);
  });

  test('an inventory-only result prints the package table', () => {
    const r = sbomOnlyResult();
    const out = plain(r);
    assert.ok(!out.includes('Verdict'));
    assert.ok(!out.includes('Total:'));
    const rows = gridRows(out);
    assert.deepEqual(rows[0], ['Package', 'Version', 'Ecosystem', 'Source', 'Layer']);
    assert.equal(rows.length - 1, r.packages.length);
    assert.deepEqual(rows.find((x) => x[0] === 'libssl3'), ['libssl3', '3.0.11-1~deb12u2', 'debian', 'openssl', '1468e7ff95fc']);
    assert.deepEqual(rows.find((x) => x[0] === 'bash'), ['bash', '5.2.15-2+b2', 'debian', 'bash 5.2.15-2', '1468e7ff95fc']);
    assert.match(out, /Packages: 13\n$/);
  });

  // How fast is measured by bench/, not here: a timed test fails on a busy machine.
  test('5,000 findings render, every one counted', () => {
    const out = plain(manyFindingsResult(5000));
    assert.match(out, /Total: 5000 \(CRITICAL: 500, HIGH: 1000, MEDIUM: 1500, LOW: 1500, UNKNOWN: 500\)/);
  });
});
