import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { debianScanResult } from '../../../test/fixtures-results.ts';
import type { Package } from '../../inventory/index.ts';
import type { Finding } from '../../match/types.ts';
import { applyIgnoreFile, parseIgnoreFile, pathGlobToRegExp } from './index.ts';

const result = debianScanResult();
const findings = result.findings!;
const log4jJar: Package = {
  name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', ecosystem: 'maven', manager: 'maven' as Package['manager'],
  purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', foundIn: 'app/lib/log4j-core-2.14.1.jar',
};
const packages = [...result.packages, log4jJar];
const NOW = new Date('2026-11-21T08:00:00Z');
const keys = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.id}/${f.package}`);

function apply(text: string, file: string, now = NOW) {
  return applyIgnoreFile(findings, parseIgnoreFile(text, file), { packages }, now);
}

describe('.trivyignore (plain)', () => {
  // The file of Trivy's "Filtering" documentation, with IDs of this image's findings.
  const TRIVY_DOC = [
    '# Accept the risk',
    'CVE-2023-45853',
    '',
    '# Accept the risk until 2026-12-01',
    'CVE-2024-6387 exp:2026-12-01',
    '',
    '# No impact in our settings',
    'CVE-2011-3374',
    '',
    '# Ignore misconfigurations',
    'AVD-DS-0002',
    '',
    '# Ignore secrets',
    'generic-unwanted-rule',
    'aws-account-id',
  ].join('\n');

  it('reads IDs, comments, blank lines and expiry as Trivy documents them', () => {
    const ignore = parseIgnoreFile(TRIVY_DOC, '.trivyignore');
    assert.equal(ignore.format, 'plain');
    assert.deepEqual(ignore.entries.map((e) => [e.id, e.line, e.expires ?? null]), [
      ['CVE-2023-45853', 2, null], ['CVE-2024-6387', 5, '2026-12-01'], ['CVE-2011-3374', 8, null],
      ['AVD-DS-0002', 11, null], ['generic-unwanted-rule', 14, null], ['aws-account-id', 15, null],
    ]);
    assert.equal(ignore.entries[1]?.expiresAt?.toISOString(), '2026-12-01T00:00:00.000Z');
  });

  it('suppresses the findings it names, each attributed to its line', () => {
    const r = apply(TRIVY_DOC, '.trivyignore');
    assert.deepEqual(r.suppressed.map((s) => [s.finding.id, s.kind, s.by]), [
      ['CVE-2023-45853', 'ignorefile', '.trivyignore:2'],
      ['CVE-2024-6387', 'ignorefile', '.trivyignore:5'],
      ['CVE-2011-3374', 'ignorefile', '.trivyignore:8'],
    ]);
    assert.equal(r.kept.length, findings.length - 3);
    assert.deepEqual(r.expired, []);
  });

  it('an expiry date applies until midnight UTC at its start (Trivy), then the entry is reported', () => {
    const before = apply(TRIVY_DOC, '.trivyignore', new Date('2026-12-01T00:00:00Z'));
    assert.ok(before.suppressed.some((s) => s.finding.id === 'CVE-2024-6387'));
    const after = apply(TRIVY_DOC, '.trivyignore', new Date('2026-12-01T00:00:00.001Z'));
    assert.ok(!after.suppressed.some((s) => s.finding.id === 'CVE-2024-6387'));
    assert.ok(after.kept.some((f) => f.id === 'CVE-2024-6387'));
    assert.deepEqual(after.expired, [{ by: '.trivyignore:5', id: 'CVE-2024-6387', expires: '2026-12-01', findings: ['CVE-2024-6387'] }]);
  });

  it('ignores the rest of the line, so trailing comments work; CRLF and a BOM are fine', () => {
    const r = apply('\uFEFFCVE-2023-4911   # looney tunables: no setuid binaries\r\n  CVE-2024-0727\tbecause we never parse PKCS12 exp:2027-01-01\r\n', '.trivyignore');
    assert.deepEqual(keys(r.suppressed.map((s) => s.finding)), ['CVE-2023-4911/libc6', 'CVE-2023-4911/libc-bin', 'CVE-2024-0727/libssl3']);
    assert.equal(r.suppressed[2]?.expires, '2027-01-01');
  });

  it('matches aliases too (GHSA of Log4Shell)', () => {
    assert.deepEqual(keys(apply('GHSA-jfh8-c2jp-5v3q', '.trivyignore').suppressed.map((s) => s.finding)), ['CVE-2021-44228/org.apache.logging.log4j:log4j-core']);
  });

  it('refuses an expiry it cannot read, naming the line (Trivy would drop the line with a warning)', () => {
    assert.throws(() => parseIgnoreFile('CVE-2023-4911\nCVE-2024-0727 exp:2026-13-01\n', 'ci/.trivyignore'),
      { code: 'IGNOREFILE_INVALID', message: 'ci/.trivyignore:2: "exp:2026-13-01" is not an expiry date (exp:YYYY-MM-DD)' });
    assert.throws(() => parseIgnoreFile('CVE-2024-0727 exp:01/02/2026', '.trivyignore'), { code: 'IGNOREFILE_INVALID' });
  });
});

describe('.trivyignore.yaml', () => {
  // The shape of Trivy's documented example, with this image's IDs, paths and purls.
  const YAML = `vulnerabilities:
  - id: CVE-2021-44228
    paths:
      - "app/lib/log4j-core-*.jar"
    statement: Accept the risk
  - id: CVE-2023-4806
  - id: CVE-2024-2961
  - id: CVE-2024-0727
    purls:
      - "pkg:deb/debian/libssl3"
  - id: CVE-2023-44487
    expired_at: 2026-11-01
  - id: CVE-2023-4911
    purls:
      - "pkg:deb/debian/libc6@2.36-9+deb12u1"
  - id: CVE-2024-6387
    purls: ["pkg:deb/debian/openssh-client@1:9.2p1-2+deb12u9"]
  - id: CVE-2023-31484
    paths: ["usr/lib/**/perl5/**"]

misconfigurations:
  - id: AVD-DS-0001
  - id: AVD-DS-0002
    paths:
      - "docs/Dockerfile"
    statement: The image needs root privileges

secrets:
  - id: aws-access-key-id
  - id: aws-secret-access-key
    paths:
      - "foo/bar/aws.secret"

licenses:
  - id: GPL-3.0 # License name is used as ID
    paths:
      - "usr/share/gcc/python/libstdcxx/v6/__init__.py"
`;

  it('chooses the YAML form by extension and reads every documented field', () => {
    const ignore = parseIgnoreFile(YAML, '.trivyignore.yaml');
    assert.equal(ignore.format, 'yaml');
    assert.deepEqual(ignore.entries.map((e) => e.id), ['CVE-2021-44228', 'CVE-2023-4806', 'CVE-2024-2961', 'CVE-2024-0727', 'CVE-2023-44487', 'CVE-2023-4911', 'CVE-2024-6387', 'CVE-2023-31484']);
    assert.deepEqual(ignore.entries[0], {
      id: 'CVE-2021-44228', paths: ['app/lib/log4j-core-*.jar'], pathPatterns: ignore.entries[0]!.pathPatterns, purls: [], parsedPurls: [],
      statement: 'Accept the risk', line: 2,
    });
    assert.equal(ignore.entries[4]?.expiresAt?.toISOString(), '2026-11-01T00:00:00.000Z');
    assert.equal(parseIgnoreFile(YAML, 'x.yml').format, 'yaml');
  });

  it('narrows by paths (doublestar) and purls (with or without version), reports the expired', () => {
    const r = apply(YAML, '.trivyignore.yaml');
    assert.deepEqual(r.suppressed.map((s) => `${s.finding.id}/${s.finding.package} ${s.by}${s.reason ? ` ${s.reason}` : ''}`), [
      'CVE-2023-4911/libc6 .trivyignore.yaml:13',
      'CVE-2024-2961/libc6 .trivyignore.yaml:7',
      'CVE-2023-4806/libc6 .trivyignore.yaml:6',
      'CVE-2024-0727/libssl3 .trivyignore.yaml:8',
      'CVE-2021-44228/org.apache.logging.log4j:log4j-core .trivyignore.yaml:2 Accept the risk',
    ]);
    // libc-bin has the same CVE but the purl names libc6; openssh's purl version differs;
    // perl-base was read from var/lib/dpkg/status, not usr/lib/.../perl5.
    assert.ok(r.kept.some((f) => f.id === 'CVE-2023-4911' && f.package === 'libc-bin'));
    assert.ok(r.kept.some((f) => f.id === 'CVE-2024-6387'));
    assert.ok(r.kept.some((f) => f.id === 'CVE-2023-31484'));
    assert.deepEqual(r.expired, [{ by: '.trivyignore.yaml:11', id: 'CVE-2023-44487', expires: '2026-11-01', findings: ['CVE-2023-44487'] }]);
  });

  it('a path-scoped entry does not cover a package whose path is unknown', () => {
    const r = applyIgnoreFile(findings, parseIgnoreFile(YAML, '.trivyignore.yaml'), { packages: result.packages }, NOW);
    assert.ok(r.kept.some((f) => f.id === 'CVE-2021-44228'));
  });

  it('an empty file ignores nothing', () => {
    assert.equal(apply('', '.trivyignore.yaml').kept.length, findings.length);
    assert.equal(apply('vulnerabilities: []\n', '.trivyignore.yaml').kept.length, findings.length);
  });

  it('rejects what would silently change its meaning, with the line', () => {
    const cases: [string, string][] = [
      ['vulnerabilities:\n  - id: CVE-2024-0727\n    expires_at: 2026-01-01\n', '.trivyignore.yaml:3:5: vulnerabilities[0].expires_at is not a field of an ignore entry (did you mean expired_at?)'],
      ['vulnerabilities:\n  - id: CVE-2024-0727\n    expired_at: 2026-02-30\n', '.trivyignore.yaml:3:17: vulnerabilities[0].expired_at "2026-02-30" is neither a date (2026-03-31) nor an RFC 3339 time'],
      ['vulnerabilities:\n  - id: CVE-2024-0727\n    purls: ["deb/debian/libssl3"]\n', '.trivyignore.yaml:3:13: vulnerabilities[0].purls[0] "deb/debian/libssl3" is not a package URL'],
      ['vulnerabilities:\n  - id: CVE-2024-0727\n    paths: ["usr/[lib"]\n', '.trivyignore.yaml:3:13: vulnerabilities[0].paths[0] "usr/[lib" is not a path pattern: has an unclosed ['],
      ['vulnerabilities:\n  - paths: [x]\n', '.trivyignore.yaml:2:5: vulnerabilities[0].id is required'],
      ['vulnerabilites:\n  - id: CVE-2024-0727\n', '.trivyignore.yaml:1:1: vulnerabilites is not a field of an ignore file (did you mean vulnerabilities?)'],
      ['vulnerabilities: [\n', '.trivyignore.yaml:2:1: YAML:'],
      ['- CVE-2024-0727\n', '.trivyignore.yaml:1:1: must be a mapping'],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseIgnoreFile(text, '.trivyignore.yaml'), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'IGNOREFILE_INVALID');
        assert.ok(err.message.startsWith(message), `${err.message}\n  expected: ${message}`);
        return true;
      });
    }
  });

  it('refuses files over the size limit before parsing', () => {
    assert.throws(() => parseIgnoreFile(`${'CVE-2024-0727\n'.repeat(80_000)}`, '.trivyignore'), { code: 'IGNOREFILE_TOO_LARGE' });
  });
});

describe('path patterns (doublestar)', () => {
  const table: [string, string, boolean][] = [
    ['usr/lib/*.so', 'usr/lib/libc.so', true],
    ['usr/lib/*.so', 'usr/lib/x/libc.so', false],
    ['usr/**/*.so', 'usr/lib/x/libc.so', true],
    ['usr/**/*.so', 'usr/libc.so', true],
    ['**/package.json', 'app/node_modules/qs/package.json', true],
    ['**/package.json', 'package.json', true],
    ['app/**', 'app/a/b/c', true],
    ['/var/lib/dpkg/status', 'var/lib/dpkg/status', true],
    ['var/lib/dpkg/statu?', 'var/lib/dpkg/status', true],
    ['lib/[a-c]*.jar', 'lib/b.jar', true],
    ['lib/[!a-c]*.jar', 'lib/b.jar', false],
    ['lib/*.{jar,war}', 'lib/x.war', true],
    ['lib/*.{jar,war}', 'lib/x.ear', false],
    ['lib/a\\*b', 'lib/a*b', true],
    ['lib/a\\*b', 'lib/axb', false],
    ['a.b', 'axb', false],
  ];
  for (const [pattern, path, expected] of table) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(pathGlobToRegExp(pattern).test(path.replace(/^\/+/, '')), expected);
    });
  }
});

describe('reading from disk', () => {
  it('reads through loadScanPolicy-sized limits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ignore-'));
    try {
      await writeFile(join(dir, '.trivyignore'), 'CVE-2023-4911\n');
      const { readTextFile } = await import('../read-file.ts');
      const text = await readTextFile(join(dir, '.trivyignore'), 1024, 'ignore file', 'IGNOREFILE');
      assert.equal(parseIgnoreFile(text, '.trivyignore').entries[0]?.id, 'CVE-2023-4911');
      await assert.rejects(readTextFile(join(dir, 'missing'), 1024, 'ignore file', 'IGNOREFILE'), { code: 'IGNOREFILE_UNREADABLE' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
