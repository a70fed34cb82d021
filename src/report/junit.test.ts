import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { cleanResult, debianScanResult, HOSTILE, hostileResult, NOW, warnResult } from '../../test/fixtures-results.ts';
import { needs } from '../../test/tools.ts';
import { junitReport, junitReportFor } from './junit.ts';
import type { ScanResult } from './types.ts';

const XSD = fileURLToPath(new URL('../../../shared/data/schemas/JUnit.xsd', import.meta.url));
const options = { toolVersion: '0.1.0', now: NOW };

// ---- a strict, small XML 1.0 parser: well-formedness is checked, not assumed ----------------

interface Element {
  name: string;
  attrs: Map<string, string>;
  children: Element[];
  text: string;
}

// eslint-disable-next-line no-control-regex
const ILLEGAL_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NAME = /^[A-Za-z_][\w.-]*/;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw < in ${where}`);
  return raw.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare & in ${where}`);
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (!num) throw new Error(`unknown entity &${ref}; in ${where}`);
    const cp = num[1] ? parseInt(num[1], 16) : Number(num[2]);
    const ch = String.fromCodePoint(cp);
    if (ILLEGAL_XML_CHAR.test(ch)) throw new Error(`character reference to illegal character ${m}`);
    return ch;
  });
}

function parseXml(xml: string): Element {
  const bad = ILLEGAL_XML_CHAR.exec(xml);
  if (bad) throw new Error(`illegal XML character U+${bad[0].codePointAt(0)!.toString(16)} at ${bad.index}`);
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  if (!decl) throw new Error('missing XML declaration');
  let i = decl[0].length;
  const stack: Element[] = [];
  let root: Element | undefined;
  while (i < xml.length) {
    if (xml.startsWith('</', i)) {
      const end = xml.indexOf('>', i);
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`mismatched </${name}> at ${i}`);
      i = end + 1;
      if (stack.length === 0) root = open;
    } else if (xml[i] === '<') {
      i++;
      const name = NAME.exec(xml.slice(i))?.[0];
      if (!name) throw new Error(`bad element name at ${i}`);
      i += name.length;
      const el: Element = { name, attrs: new Map(), children: [], text: '' };
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))![0];
        i += ws.length;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (!ws) throw new Error(`no space before attribute at ${i}`);
        const an = NAME.exec(xml.slice(i))?.[0];
        if (!an) throw new Error(`bad attribute at ${i}: ${xml.slice(i, i + 20)}`);
        i += an.length;
        const q = xml[i + 1];
        if (xml[i] !== '=' || (q !== '"' && q !== "'")) throw new Error(`unquoted attribute ${an}`);
        const close = xml.indexOf(q, i + 2);
        if (el.attrs.has(an)) throw new Error(`duplicate attribute ${an}`);
        el.attrs.set(an, decode(xml.slice(i + 2, close), `@${an}`));
        i = close + 1;
      }
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else if (root || stack.length) throw new Error('second root element');
      if (xml.startsWith('/>', i)) {
        i += 2;
        if (!parent) root = el;
      } else {
        i += 1;
        stack.push(el);
      }
    } else {
      const next = xml.indexOf('<', i);
      const raw = xml.slice(i, next === -1 ? xml.length : next);
      const top = stack.at(-1);
      if (!top) {
        if (raw.trim()) throw new Error('text outside the root element');
      } else {
        top.text += decode(raw, `<${top.name}>`);
      }
      i = next === -1 ? xml.length : next;
    }
  }
  if (stack.length || !root) throw new Error('unclosed elements');
  return root;
}

// ---- the structure JUnit.xsd requires --------------------------------------------------------

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const isToken = (s: string) => s.length > 0 && !/^\s|\s$|[\t\n\r]| {2}/.test(s);

function attrs(el: Element, required: Record<string, RegExp | ((s: string) => boolean)>, optional: Record<string, RegExp | ((s: string) => boolean)> = {}) {
  for (const k of Object.keys(required)) assert.ok(el.attrs.has(k), `<${el.name}> needs @${k}`);
  for (const [k, v] of el.attrs) {
    const check = required[k] ?? optional[k];
    assert.ok(check, `<${el.name}> may not have @${k}`);
    assert.ok(typeof check === 'function' ? check(v) : check.test(v), `<${el.name} ${k}="${v}"> has the wrong type`);
  }
}

function noText(el: Element) {
  assert.equal(el.text.trim(), '', `<${el.name}> has no text content`);
}

/** Element and attribute structure of JUnit.xsd, plus counts that agree with the test cases. */
function checkJUnit(root: Element): void {
  assert.equal(root.name, 'testsuites');
  attrs(root, {});
  noText(root);
  root.children.forEach((suite, index) => {
    assert.equal(suite.name, 'testsuite');
    attrs(suite, {
      name: isToken, package: isToken, id: (s) => INT.test(s) && Number(s) === index, timestamp: TIMESTAMP, hostname: isToken,
      tests: INT, failures: INT, errors: INT, time: DECIMAL,
    }, { skipped: INT });
    noText(suite);
    const names = suite.children.map((c) => c.name);
    const cases = names.filter((n) => n === 'testcase').length;
    assert.deepEqual(names, ['properties', ...Array<string>(cases).fill('testcase'), 'system-out', 'system-err'], 'sequence properties, testcase*, system-out, system-err');
    const [props] = suite.children;
    attrs(props!, {});
    noText(props!);
    for (const p of props!.children) {
      assert.equal(p.name, 'property');
      attrs(p, { name: isToken, value: () => true });
      assert.equal(p.children.length, 0);
    }
    let failures = 0, errors = 0, skipped = 0;
    for (const tc of suite.children.filter((c) => c.name === 'testcase')) {
      attrs(tc, { name: isToken, classname: isToken, time: DECIMAL });
      noText(tc);
      assert.ok(tc.children.length <= 1, 'at most one of skipped/error/failure');
      const outcome = tc.children[0];
      if (!outcome) continue;
      assert.ok(['skipped', 'error', 'failure'].includes(outcome.name), `unexpected <${outcome.name}>`);
      assert.equal(outcome.children.length, 0);
      if (outcome.name === 'skipped') {
        skipped++;
        attrs(outcome, {}, { message: () => true });
      } else {
        if (outcome.name === 'error') errors++;
        else failures++;
        attrs(outcome, { type: () => true }, { message: () => true });
      }
    }
    assert.equal(Number(suite.attrs.get('tests')), cases);
    assert.equal(Number(suite.attrs.get('failures')), failures);
    assert.equal(Number(suite.attrs.get('errors')), errors);
    assert.equal(Number(suite.attrs.get('skipped') ?? 0), skipped);
    for (const el of suite.children.slice(-2)) {
      attrs(el, {});
      assert.equal(el.children.length, 0);
    }
  });
}

function xmllint(xml: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'junit-'));
  try {
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', XSD, file], { encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SAMPLES: [string, () => ScanResult][] = [
  ['fail with checks', debianScanResult],
  ['warn', warnResult],
  ['clean pass, no checks', cleanResult],
  ['hostile strings', hostileResult],
  ['no verdict', () => { const r = debianScanResult(); delete r.verdict; return r; }],
];

describe('JUnit report', () => {
  test('well-formed and structured as JUnit.xsd requires (in-process check)', () => {
    for (const [what, make] of SAMPLES) {
      assert.doesNotThrow(() => checkJUnit(parseXml(junitReport(make(), options))), what);
    }
    checkJUnit(parseXml(junitReportFor([debianScanResult(), warnResult(), cleanResult()], options)));
  });

  test('the in-process check fails on broken documents', () => {
    const good = junitReport(debianScanResult(), options);
    assert.throws(() => checkJUnit(parseXml(good.replace(/\s*<system-err>.*<\/system-err>/s, ''))), /sequence/);
    assert.throws(() => checkJUnit(parseXml(good.replace('hostname="localhost" ', ''))), /needs @hostname/);
    assert.throws(() => checkJUnit(parseXml(good.replace(/timestamp="([^"]+)"/, 'timestamp="$1Z"'))), /wrong type/);
    assert.throws(() => parseXml(good.replace('</testsuite>', '')), /mismatched|unclosed/);
    assert.throws(() => parseXml(good.replace('Remote code injection', 'Remote <code> injection & more')), /raw <|bare &/);
    assert.throws(() => parseXml(good.replace('Remote code', 'Remote\u001bcode')), /illegal XML character/);
  });

  test('validates against JUnit.xsd with xmllint', { skip: needs('xmllint') }, () => {
    for (const [what, make] of SAMPLES) {
      const r = xmllint(junitReport(make(), options));
      assert.ok(r.ok, `${what}: ${r.out}`);
    }
    const many = xmllint(junitReportFor([debianScanResult(), warnResult(), cleanResult()], options));
    assert.ok(many.ok, many.out);
    // And xmllint does reject what the XSD forbids.
    const broken = xmllint(junitReport(debianScanResult(), options).replace(/ id="0"/, ''));
    assert.equal(broken.ok, false);
    assert.match(broken.out, /id/);
  });

  test('one test case per policy check; Fail is a failure with reasons and worst findings', () => {
    const root = parseXml(junitReport(debianScanResult(), options));
    const suite = root.children[0]!;
    assert.equal(root.children.length, 1);
    assert.equal(suite.attrs.get('name'), 'registry.example.com:5000/shop/checkout:1.4.2');
    assert.equal(suite.attrs.get('package'), 'registry.example.com:5000/shop/checkout');
    assert.equal(suite.attrs.get('timestamp'), '2026-11-21T08:00:00');
    const cases = suite.children.filter((c) => c.name === 'testcase');
    assert.deepEqual(cases.map((c) => [c.attrs.get('name'), c.children[0]?.name ?? 'pass']), [
      ['CVSS thresholds', 'failure'], ['Known exploited (KEV)', 'failure'], ['EPSS', 'skipped'], ['DB age', 'pass'], ['End of life', 'pass'],
    ]);
    assert.deepEqual([suite.attrs.get('tests'), suite.attrs.get('failures'), suite.attrs.get('errors'), suite.attrs.get('skipped')], ['5', '2', '0', '1']);
    const failure = cases[0]!.children[0]!;
    assert.equal(failure.attrs.get('type'), 'Fail');
    assert.equal(failure.attrs.get('message'), 'max CVSS 10.0 (CVE-2021-44228) is at least the fail threshold 7.0');
    const body = failure.text;
    assert.match(body, /Image: registry\.example\.com:5000\/shop\/checkout:1\.4\.2@sha256:9b2a/);
    assert.match(body, /Reasons:\n {2}- CVE-2021-44228 in org\.apache\.logging\.log4j:log4j-core 2\.14\.1 is known exploited/);
    // Worst first: log4j, then zlib (CRITICAL 9.8), ...; only 10 listed, the rest counted.
    const listed = [...body.matchAll(/^ {2}- (\S+) {2}(\w+)/gm)].filter((m) => /^(CVE|TEMP)/.test(m[1]!)).map((m) => m[1]);
    assert.deepEqual(listed.slice(0, 3), ['CVE-2021-44228', 'CVE-2023-45853', 'CVE-2024-6387']);
    assert.equal(listed.length, 10);
    assert.match(body, /\.\.\. and 3 more/);
    assert.match(cases[2]!.children[0]!.attrs.get('message')!, /^Warn: 4 findings have EPSS/);
    const props = new Map(suite.children[0]!.children.map((p) => [p.attrs.get('name'), p.attrs.get('value')]));
    assert.equal(props.get('verdict'), 'Fail');
    assert.equal(props.get('findings.CRITICAL'), '2');
    assert.equal(props.get('suppressed.vex'), '1');
    assert.match(suite.children.at(-2)!.text, /^Total: 13 \(CRITICAL: 2, HIGH: 7/);
  });

  test('without checks: one "vulnerability policy" case; without a verdict: an error (fail closed)', () => {
    const clean = parseXml(junitReport(cleanResult(), options)).children[0]!;
    const cases = clean.children.filter((c) => c.name === 'testcase');
    assert.deepEqual(cases.map((c) => [c.attrs.get('name'), c.children.length]), [['vulnerability policy', 0]]);
    const noVerdict = debianScanResult();
    delete noVerdict.verdict;
    const err = parseXml(junitReport(noVerdict, options)).children[0]!.children.find((c) => c.name === 'testcase')!.children[0]!;
    assert.equal(err.name, 'error');
    assert.equal(err.attrs.get('type'), 'Unknown');
  });

  test('several images: one suite each, ids from 0', () => {
    const root = parseXml(junitReportFor([debianScanResult(), warnResult(), cleanResult()], options));
    assert.deepEqual(root.children.map((s) => s.attrs.get('id')), ['0', '1', '2']);
    assert.deepEqual(root.children.map((s) => s.attrs.get('name')), [
      'registry.example.com:5000/shop/checkout:1.4.2', 'registry.example.com:5000/shop/checkout:1.4.2', 'docker.io/library/debian:12.8',
    ]);
  });

  test('hostile strings are escaped: markup stays text, control characters are replaced', () => {
    const xml = junitReport(hostileResult(), options);
    const root = parseXml(xml);
    const text = JSON.stringify(root, (_k, v: unknown) => (v instanceof Map ? [...v] : v));
    assert.ok(text.includes(JSON.stringify(HOSTILE.html).slice(1, -1)), 'the markup arrives as text');
    assert.ok(!xml.includes('<img'));
    assert.ok(!xml.includes('<script'));
    for (const c of ['\u0000', '\u0007', '\u001b']) assert.ok(!xml.includes(c), 'no control characters');
  });
});
