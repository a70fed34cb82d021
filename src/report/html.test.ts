import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchChromium, dumpDom } from '../../test/chromium.ts';
import type { Browser, Page } from '../../test/chromium.ts';
import { cleanResult, debianScanResult, HOSTILE, hostileResult, manyFindingsResult, NOW, sbomOnlyResult } from '../../test/fixtures-results.ts';
import { needs } from '../../test/tools.ts';
import { esc, HTML_PAGE_SIZE, htmlReport } from './html.ts';
import type { ScanResult } from './types.ts';

const options = { toolVersion: '0.1.0', now: NOW };
const dir = mkdtempSync(join(tmpdir(), 'portcullis-html-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Write a report where a CI artifact would be and return its file:// URL. */
function writeReport(name: string, r: ScanResult): string {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, htmlReport(r, options));
  return pathToFileURL(file).href;
}

describe('HTML report (static)', () => {
  test('self-contained: no external resources, a restrictive CSP, one row per finding', () => {
    const html = htmlReport(debianScanResult(), options);
    assert.doesNotMatch(html, /<link\b|<iframe\b|<img\b|<object\b|<embed\b|@import|url\(/i);
    assert.doesNotMatch(html, /\s(src|srcset|action|poster)=/i);
    // The only URLs are links a person may click (references), never loaded.
    for (const m of html.matchAll(/\bhref="([^"]*)"/g)) assert.match(m[1]!, /^https:\/\//);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.ok(csp, 'has a CSP');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal([...html.matchAll(/<tr data-sev=/g)].length, debianScanResult().findings!.length, 'all rows displayed (fewer than a page)');
  });

  test('hostile strings are escaped in text and attributes', () => {
    const html = htmlReport(hostileResult(), options);
    assert.ok(html.includes(esc(HOSTILE.html)));
    assert.ok(!html.includes(HOSTILE.html));
    assert.ok(!html.includes('onerror=alert(1)>'));
    assert.ok(!html.includes(HOSTILE.script));
    assert.ok(!html.includes('" onmouseover="'));
    assert.ok(!html.includes('javascript:'), 'a javascript: reference never becomes a link');
    assert.ok(!html.includes('\u001b') && !html.includes('\u0000'));
    assert.equal(esc('<a href="x">\'&'), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });

  // How fast is measured by bench/policy.ts, not here: a timed test fails on a busy machine.
  test('5,000 findings stay small', () => {
    const html = htmlReport(manyFindingsResult(5000), options);
    assert.ok(html.length < 5 * 1024 * 1024, `${(html.length / 1024 / 1024).toFixed(1)} MiB`);
  });
});

describe('HTML report in headless Chromium', { skip: needs('chromium') }, () => {
  test('--dump-dom: the script ran under the CSP, rows render worst first, markup stays text', async () => {
    const dom = await dumpDom(writeReport('dump', hostileResult()));
    // The controls start hidden and the script reveals them: proof the CSP hash admitted it.
    assert.match(dom, /<div class="controls" id="controls">/);
    const rows = [...dom.matchAll(/<tr data-sev="(\w+)"[^>]*><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
    assert.equal(rows.length, 13);
    assert.deepEqual(rows[0], ['CRITICAL', 'org.apache.logging.log4j:log4j-core']);
    assert.deepEqual(rows.at(-1), ['UNKNOWN', 'bash']);
    assert.ok(dom.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the hostile title is text');
    assert.doesNotMatch(dom, /<img\b/, 'no element was injected');
    assert.doesNotMatch(dom, /__pwned=1<\/script>(?!<\/)/);
    assert.match(dom, /Findings \(<span id="shown">13<\/span> of 13 match\)/);
    assert.match(dom, /<p id="paging" hidden="">/);
  });

  test('--dump-dom of an inventory-only and a clean result', async () => {
    const sbom = await dumpDom(writeReport('sbom', sbomOnlyResult()));
    assert.match(sbom, /<details open=""><summary>Packages \(13\)<\/summary>/);
    assert.doesNotMatch(sbom, /<table id="findings-table"/);
    const clean = await dumpDom(writeReport('clean', cleanResult()));
    assert.match(clean, /Verdict: <span class="status">PASS<\/span>/);
    assert.match(clean, /Total: 0 \(CRITICAL: 0/);
  });

  describe('interactive (DevTools protocol)', () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      browser = await launchChromium();
      page = await browser.newPage();
    });
    after(async () => { await browser?.close(); });

    /** Packages and severities of the rows a person can see (rendered boxes, not just attributes). */
    const visible = () => page.evaluate<[string, string, string][]>(`[...document.querySelectorAll('#findings-table tbody tr')]
      .filter((tr) => tr.getClientRects().length > 0)
      .map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.dataset.sev])`);
    const shown = () => page.evaluate<string>(`document.getElementById('shown').textContent`);

    test('search, severity, fixable and KEV filters change the visible rows; headers sort', async () => {
      await page.goto(writeReport('interactive', debianScanResult()));
      assert.equal((await visible()).length, 13);

      await page.type('#q', 'libc6');
      let rows = await visible();
      assert.deepEqual(rows.map((r) => r[1]), ['CVE-2023-4911', 'CVE-2024-2961', 'CVE-2023-4806']);
      assert.ok(rows.every((r) => r[0] === 'libc6'));
      assert.equal(await shown(), '3');

      await page.press('Backspace', 'libc6'.length);
      await page.type('#q', 'glibc ld.so');
      rows = await visible();
      assert.deepEqual(rows.map((r) => r[0]).sort(), ['libc-bin', 'libc6'], 'every word must match, in any column');
      await page.press('Backspace', 'glibc ld.so'.length);
      assert.equal((await visible()).length, 13);

      await page.click('input[name=sev][value=CRITICAL]');
      rows = await visible();
      assert.equal(rows.length, 11);
      assert.ok(rows.every((r) => r[2] !== 'CRITICAL'));

      await page.click('#kev-only');
      rows = await visible();
      assert.deepEqual(rows.map((r) => `${r[0]} ${r[1]}`), ['libc-bin CVE-2023-4911', 'libc6 CVE-2023-4911', 'libnghttp2-14 CVE-2023-44487']);

      await page.click('#kev-only');
      await page.click('#fixable');
      rows = await visible();
      assert.equal(rows.length, 8, 'fixable, not CRITICAL: 6 HIGH + 2 MEDIUM');
      assert.ok(!rows.some((r) => ['perl-base', 'apt', 'bash', 'zlib1g'].includes(r[0])));

      await page.click('#fixable');
      await page.click('input[name=sev][value=CRITICAL]');
      await page.type('#q', 'no-such-thing');
      assert.equal((await visible()).length, 0);
      assert.equal(await page.evaluate<boolean>(`document.getElementById('no-match').hidden`), false);
      await page.press('Backspace', 'no-such-thing'.length);
      assert.equal((await visible()).length, 13);

      // Sorting: Package A-Z, then Z-A; CVSS highest first.
      await page.click('th[data-sort=package] button');
      assert.equal((await visible())[0]![0], 'apt');
      await page.click('th[data-sort=package] button');
      assert.equal((await visible())[0]![0], 'zlib1g');
      await page.click('th[data-sort=score] button');
      const scores = await page.evaluate<number[]>(`[...document.querySelectorAll('#findings-table tbody tr')].map((tr) => Number(tr.dataset.score))`);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
      assert.equal(await page.evaluate<string>(`document.querySelector('th[data-sort=score]').getAttribute('aria-sort')`), 'descending');

      assert.deepEqual(page.errors, [], 'no script errors, no CSP violations');
      for (const url of page.requests) assert.match(url, /^(file:|data:|about:)/, `the report must not load ${url}`);
    });

    test('hostile strings render as text and run nothing', async () => {
      await page.goto(writeReport('hostile', hostileResult()));
      const state = await page.evaluate<{ pwned: unknown; images: number; titles: string[]; hrefs: string[] }>(`({
        pwned: window.__pwned ?? null,
        images: document.images.length,
        titles: [...document.querySelectorAll('#findings-table tbody tr')].map((tr) => tr.cells[9].textContent),
        hrefs: [...document.links].map((a) => a.href),
      })`);
      assert.equal(state.pwned, null);
      assert.equal(state.images, 0);
      assert.ok(state.titles.includes(HOSTILE.html));
      assert.ok(state.titles.includes(HOSTILE.attr));
      assert.ok(state.hrefs.every((h) => h.startsWith('https://')));
      // Mouse over every row: an injected onmouseover would fire here.
      await page.click('#findings-table tbody tr:nth-child(2) td:nth-child(10)');
      assert.equal(await page.evaluate<unknown>('window.__pwned ?? null'), null);
      assert.deepEqual(page.dialogs, []);
    });

    test('5,000 findings: the page loads and filters quickly, a page of rows at a time', async () => {
      const url = writeReport('large', manyFindingsResult(5000));
      const t0 = performance.now();
      await page.goto(url);
      const loadMs = performance.now() - t0;
      assert.equal(await shown(), '5000');
      assert.equal((await visible()).length, HTML_PAGE_SIZE, 'one page displayed');
      await page.click('#more');
      assert.equal((await visible()).length, 2 * HTML_PAGE_SIZE);
      const t1 = performance.now();
      await page.type('#q', 'number 4242 ');
      await page.click('input[name=sev][value=LOW]');
      const rows = await visible();
      const filterMs = performance.now() - t1;
      assert.deepEqual(rows.map((r) => r[2]), ['HIGH'], 'only finding 4242 matches ("number 4242 " with the space)');
      assert.equal(await page.evaluate<boolean>(`document.getElementById('paging').hidden`), true);
      await page.click('#q');
      await page.press('Backspace', 'number 4242 '.length);
      assert.equal(await shown(), '3500', '5,000 minus 1,500 LOW');
      assert.equal((await visible()).length, HTML_PAGE_SIZE, 'a new filter starts at one page again');
      await page.click('#all');
      assert.equal((await visible()).length, 3500);
      // Generous bounds for a loaded CI machine; typical numbers are a tenth of these.
      assert.ok(loadMs < 5_000, `load took ${loadMs.toFixed(0)} ms`);
      assert.ok(filterMs < 5_000, `typing 12 characters and a click took ${filterMs.toFixed(0)} ms`);
      await page.click('input[name=sev][value=LOW]');
      const inPage = await page.evaluate<number>(`(() => {
        const q = document.getElementById('q');
        const t = performance.now();
        q.value = 'synthetic';
        q.dispatchEvent(new Event('input'));
        document.body.offsetHeight; // force the layout the change causes
        return performance.now() - t;
      })()`);
      assert.ok(inPage < 2_000, `one filter pass over 5,000 rows took ${inPage.toFixed(0)} ms`);
      assert.equal(await shown(), '5000');
      assert.deepEqual(page.errors, []);
    });
  });
});
