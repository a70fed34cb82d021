import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { runCli as run } from '../../test/cli.ts';
import { DatabaseSync } from 'node:sqlite';
import { feedPath, scratch } from '../vulndb/feeds/test-data.ts';
import { buildDb, SCHEMA_VERSION } from '../vulndb/index.ts';

const KEV = feedPath('kev/known_exploited_vulnerabilities.json');
const EPSS = feedPath('epss/epss_scores-2026-09-29.excerpt.csv');

describe('portcullis db build and db info', () => {
  const { dir, cleanup } = scratch('cli-db');
  after(cleanup);
  const good = join(dir, 'good.db');

  it('builds from --feed KIND=PATH and prints a per-feed summary', async () => {
    const r = await run(['db', 'build', '--feed', `kev=${KEV}`, '--feed', `epss=${EPSS}`, '--feed', `alpine-secdb=${feedPath('alpine-secdb/v3.11/main.yaml')}`, '-o', good]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^built ${good} \\(`));
    assert.match(r.stdout, /^kev\s+1404\s+0\s+2025-08-25T17:04:19\.979Z\s+\S+known_exploited_vulnerabilities\.json$/m);
    assert.match(r.stdout, /^epss\s+237\s+0\s+2026-09-29T12:00:22\.000Z\s/m);
    assert.match(r.stdout, /^alpine-secdb\s+\d+\s+14\s/m); // 14 entries without a CVE (see alpine-secdb.test.ts)
  });

  it('db info shows the build, each feed and the counts, as a table or JSON', async () => {
    const table = await run(['db', 'info', '--db', good]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, new RegExp(`^schema:\\s+${SCHEMA_VERSION}$`, 'm'));
    assert.match(table.stdout, /^KEV entries:\s+1404$/m);
    assert.match(table.stdout, /^EPSS scores:\s+237$/m);
    assert.match(table.stdout, /^built:\s+\S+Z \(\d+ minutes ago\)$/m);
    const json = await run(['db', 'info', '--db', good, '--format', 'json']);
    const info = JSON.parse(json.stdout) as { path: string; schema: number; feeds: { kind: string; records: number }[]; counts: { kev: number }; ageSeconds: number };
    assert.equal(info.path, good);
    assert.deepEqual(info.feeds.map((f) => [f.kind, f.records]).slice(0, 2), [['kev', 1404], ['epss', 237]]);
    assert.equal(info.counts.kev, 1404);
    assert.ok(info.ageSeconds >= 0 && info.ageSeconds < 600);
  });

  it('says when a build time lies in the future (a skewed clock)', async () => {
    const future = join(dir, 'future.db');
    await buildDb({ feeds: [{ kind: 'epss', path: EPSS }], output: future, now: new Date(Date.now() + 72 * 3_600_000) });
    const r = await run(['db', 'info', '--db', future]);
    assert.match(r.stdout, /^built:\s+\S+Z \(3\.0 days in the future\)$/m);
    assert.match(r.stdout, /^advisories:\s+0 /m);
  });

  it('finds the database through $PORTCULLIS_DB, else $XDG_CACHE_HOME', async () => {
    assert.equal((await run(['db', 'info'], { PORTCULLIS_DB: good })).code, 0);
    const cache = join(dir, 'xdg');
    const built = await run(['db', 'build', '--feed', `epss=${EPSS}`, '-q'], { XDG_CACHE_HOME: cache });
    assert.equal(built.code, 0, built.stderr);
    assert.ok(existsSync(join(cache, 'portcullis', 'db', 'portcullis.db')));
    const info = await run(['db', 'info', '-f', 'json'], { XDG_CACHE_HOME: cache });
    assert.equal((JSON.parse(info.stdout) as { counts: { epss: number } }).counts.epss, 237);
  });

  it('rejects bad --feed values and missing paths with exit 2 and one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--feed', 'nvd2=/x'], /^portcullis: --feed "nvd2=\/x": unknown feed kind "nvd2" \(known: osv, debian-tracker, alpine-secdb, nvd, cve5, kev, epss\)\n$/],
      [['--feed', 'kev'], /^portcullis: --feed "kev": expected KIND=PATH\n$/],
      [['--feed', 'kev='], /expected KIND=PATH/],
      [['--feed', `kev=${join(dir, 'missing.json')}`], /^portcullis: kev feed \S+missing\.json: no such file or directory\n$/],
      [[], /^portcullis: db build needs at least one --feed KIND=PATH\n$/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, 'never.db');
      const r = await run(['db', 'build', ...args, '-o', out]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(existsSync(out), false);
    }
    const unwritable = await run(['db', 'build', '--feed', `epss=${EPSS}`, '-o', join(KEV, 'sub', 'x.db')]);
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /^portcullis: cannot write the database at \S+known_exploited_vulnerabilities\.json\/sub\/x\.db \(ENOTDIR: .*\)\n$/);
    const wrongFormat = await run(['db', 'build', '--feed', `kev=${EPSS}`, '-o', join(dir, 'never.db')]);
    assert.equal(wrongFormat.code, 2);
    assert.match(wrongFormat.stderr, /^portcullis: .*\n$/);
  });

  it('refuses a missing, corrupt or other-schema database with exit 2', async () => {
    const missing = await run(['db', 'info', '--db', join(dir, 'none.db')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no vulnerability database at .*none\.db/);

    const whole = readFileSync(good);
    // A SQLite header and nothing else; a file cut in half (an interrupted copy).
    for (const bytes of [100, Math.floor(whole.length / 2)]) {
      const corrupt = join(dir, 'corrupt.db');
      writeFileSync(corrupt, whole.subarray(0, bytes));
      const c = await run(['db', 'info', '--db', corrupt]);
      assert.equal(c.code, 2);
      assert.match(c.stderr, /^portcullis: \S+corrupt\.db (is not a Portcullis vulnerability database|is damaged) \(.*\)\n$/);
    }

    // Another tool's SQLite database (Grype's, say) is not ours either.
    const foreign = join(dir, 'vulnerability.db');
    const g = new DatabaseSync(foreign);
    g.exec('CREATE TABLE id (build_timestamp TEXT, schema_version INTEGER)');
    g.close();
    const f = await run(['db', 'info', '--db', foreign]);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /^portcullis: \S+vulnerability\.db is not a Portcullis vulnerability database \(no such table: meta\)\n$/);

    const other = join(dir, 'other.db');
    cpSync(good, other);
    const raw = new DatabaseSync(other);
    raw.exec("UPDATE meta SET value = '999' WHERE key = 'schema'");
    raw.close();
    const o = await run(['db', 'info', '--db', other]);
    assert.equal(o.code, 2);
    assert.match(o.stderr, new RegExp(`^portcullis: \\S+other\\.db has database schema 999, this portcullis reads schema ${SCHEMA_VERSION}; rebuild or update the database\n$`));
  });
});

/** A loopback feed server: sample files with strong ETags, plus a failing and a stalling route. */
function feedServer(files: Record<string, string>) {
  const served = { ok: 0, notModified: 0 };
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/fail') {
      res.writeHead(500).end('oops');
      return;
    }
    if (path === '/hang') return; // never answers
    const file = files[path];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    let body = readFileSync(file);
    const headers: Record<string, string | number> = {};
    // Served compressed on the wire when the client accepts it, as web servers do for JSON.
    if (path.endsWith('/json') && /gzip/.test(String(req.headers['accept-encoding']))) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    if (req.headers['if-none-match'] === etag) {
      served.notModified++;
      res.writeHead(304, { etag }).end();
      return;
    }
    served.ok++;
    res.writeHead(200, { ...headers, etag, 'last-modified': statSync(file).mtime.toUTCString(), 'content-length': body.length }).end(body);
  });
  return { server, served };
}

describe('portcullis db update', () => {
  const { dir, cleanup } = scratch('cli-db-update');
  const files: Record<string, string> = {
    '/kev/known_exploited_vulnerabilities.json': KEV,
    '/epss/epss_scores-current.csv': EPSS,
    '/v3.11/main.yaml': feedPath('alpine-secdb/v3.11/main.yaml'),
    '/v3.11/community.yaml': feedPath('alpine-secdb/v3.11/community.yaml'),
    '/tracker/data/json': feedPath('debian-security-tracker/excerpts/tracker-data-json.excerpt.json'),
    '/npm/GHSA-whgm-jr23-g3j9.json': feedPath('osv/npm/GHSA-whgm-jr23-g3j9.json'),
  };
  const { server, served } = feedServer(files);
  let base = '';
  const db = join(dir, 'db', 'portcullis.db');
  const urlArgs = (without?: string) => [
    ...[
      `kev=${base}/kev/known_exploited_vulnerabilities.json`,
      `epss=${base}/epss/epss_scores-current.csv`,
      `alpine-secdb=${base}/v3.11/main.yaml`,
      `alpine-secdb=${base}/v3.11/community.yaml`,
      `debian-tracker=${base}/tracker/data/json`,
      `osv=${base}/npm/GHSA-whgm-jr23-g3j9.json`,
    ].filter((u) => !without || !u.includes(without)).flatMap((u) => ['--feed-url', u]),
    '--feeds', 'osv,debian-tracker,alpine-secdb,kev,epss',
  ];

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    cleanup();
  });

  it('downloads every feed, builds, and records the URLs', async () => {
    const r = await run(['db', 'update', '--db', db, ...urlArgs()]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(served.ok, Object.keys(files).length);
    assert.equal(served.notModified, 0);
    assert.match(r.stdout, /kev http:\/\/127\.0\.0\.1:\d+\/kev\/known_exploited_vulnerabilities\.json: downloaded/);
    const info = JSON.parse((await run(['db', 'info', '--db', db, '-f', 'json'])).stdout) as { feeds: { kind: string; location: string; records: number }[]; counts: { kev: number; epss: number } };
    assert.deepEqual(info.feeds.map((f) => f.kind), ['osv', 'debian-tracker', 'alpine-secdb', 'alpine-secdb', 'kev', 'epss']);
    assert.ok(info.feeds.every((f) => f.location.startsWith(base)));
    assert.equal(info.counts.kev, 1404);
    assert.equal(info.counts.epss, 237);
    const state = JSON.parse(readFileSync(`${db}.update.json`, 'utf8')) as { files: Record<string, { etag?: string; url: string }> };
    assert.equal(Object.keys(state.files).length, Object.keys(files).length);
    assert.ok(Object.values(state.files).every((f) => f.etag?.startsWith('"')));
  });

  it('a second run sends conditional requests: 304, nothing downloaded, the database rebuilt from the cache', async () => {
    const before = statSync(db);
    const r = await run(['db', 'update', '--db', db, ...urlArgs()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(served.ok, Object.keys(files).length); // no new 200
    assert.equal(served.notModified, Object.keys(files).length);
    assert.equal((r.stdout.match(/: not modified$/gm) ?? []).length, Object.keys(files).length);
    const after = statSync(db);
    assert.notEqual(after.ino, before.ino); // a new file, renamed into place
    const info = JSON.parse((await run(['db', 'info', '--db', db, '-f', 'json'])).stdout) as { counts: { kev: number } };
    assert.equal(info.counts.kev, 1404);
  });

  it('shows progress on a terminal; a URL no longer configured leaves no file in the feed cache', async () => {
    const tty = await run(['db', 'update', '--db', db, ...urlArgs('community')], {}, true);
    assert.equal(tty.code, 0, tty.stderr);
    // Each update redraws the line: carriage return, erase line, text.
    const lines = tty.stderr.split('\r\u001b[2K');
    assert.ok(lines.some((l) => /^downloading feeds \d+\/5/.test(l)), tty.stderr);
    assert.ok(lines.some((l) => l.startsWith('building: ')), tty.stderr);
    assert.deepEqual(readdirSync(join(`${db}.feeds`, 'alpine-secdb')), ['v3.11_main.yaml']);
    const state = JSON.parse(readFileSync(`${db}.update.json`, 'utf8')) as { files: Record<string, unknown> };
    assert.deepEqual(Object.keys(state.files).filter((k) => k.startsWith('alpine-secdb/')), ['alpine-secdb/v3.11_main.yaml']);
    // Back to the full set for the tests below.
    assert.equal((await run(['db', 'update', '--db', db, ...urlArgs()])).code, 0);
  });

  it('a server error or a timeout keeps the old database and exits 2', async () => {
    const before = readFileSync(db);
    const failing = await run(['db', 'update', '--db', db, '--feeds', 'kev', '--feed-url', `kev=${base}/fail`]);
    assert.equal(failing.code, 2);
    assert.equal(failing.stderr, `portcullis: ${base}/fail: HTTP 500 Internal Server Error\n`);
    assert.deepEqual(readFileSync(db), before);

    const started = Date.now();
    const stalled = await run(['db', 'update', '--db', db, '--feeds', 'kev', '--feed-url', `kev=${base}/hang`, '--timeout', '1s']);
    assert.equal(stalled.code, 2);
    assert.equal(stalled.stderr, `portcullis: ${base}/hang: timed out after 1 s\n`);
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(readFileSync(db), before);
    assert.deepEqual(readdirSync(join(dir, 'db')).filter((n) => n.endsWith('.tmp') || n.endsWith('.part')), []);
  });

  it('--feeds-dir builds offline from a mirror: a copy of the feed cache is one', async () => {
    const mirror = join(dir, 'mirror');
    cpSync(`${db}.feeds`, mirror, { recursive: true });
    const offline = join(dir, 'offline.db');
    const before = served.ok + served.notModified;
    const r = await run(['db', 'update', '--db', offline, '--feeds-dir', mirror]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(served.ok + served.notModified, before);
    const a = JSON.parse((await run(['db', 'info', '--db', db, '-f', 'json'])).stdout) as { counts: unknown; feeds: { kind: string; records: number }[] };
    const b = JSON.parse((await run(['db', 'info', '--db', offline, '-f', 'json'])).stdout) as { counts: unknown; feeds: { kind: string; records: number }[] };
    assert.deepEqual(b.counts, a.counts);
    const summary = (x: typeof a) => x.feeds.map((f) => `${f.kind} ${f.records}`).sort();
    assert.deepEqual(summary(b), summary(a));

    mkdirSync(join(mirror, 'nvd-2'));
    const bad = await run(['db', 'update', '--db', offline, '--feeds-dir', mirror]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nvd-2: not a feed kind directory/);
    const none = await run(['db', 'update', '--db', offline, '--feeds-dir', join(dir, 'nothing')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no such feeds directory/);
  });
});
