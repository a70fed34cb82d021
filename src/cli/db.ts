import { Option } from 'commander';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { BuildProgress, BuildResult, DbAge, DbInfo, FeedInput } from '../vulndb/index.ts';
import type { Io } from './context.ts';
import { progressLine } from './output.ts';

interface BuildCliOptions { feed?: string[]; output?: string; db?: string; quiet?: boolean }
interface InfoCliOptions { db?: string; format: 'table' | 'json' }
interface RegistryCliOptions { db?: string; insecure?: boolean; caFile?: string }
interface UpdateCliOptions {
  db?: string; feedsDir?: string; feedUrl?: string[]; feeds?: string; timeout: string; maxSize: string; quiet?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

async function checkKind(flag: string, text: string, kind: string): Promise<void> {
  const { KIND_ORDER, isFeedKind } = await import('../vulndb/index.ts');
  if (!isFeedKind(kind)) throw new UsageError('USAGE', `${flag} "${text}": unknown feed kind "${kind}" (known: ${KIND_ORDER.join(', ')})`);
}

/** `KIND=VALUE` for --feed and --feed-url; the kind must be one the database knows. */
async function kindValue(flag: string, text: string, what: string): Promise<{ kind: string; value: string }> {
  const eq = text.indexOf('=');
  const kind = eq < 0 ? '' : text.slice(0, eq);
  const value = eq < 0 ? '' : text.slice(eq + 1);
  if (!kind || !value) throw new UsageError('USAGE', `${flag} "${text}": expected KIND=${what}`);
  await checkKind(flag, text, kind);
  return { kind, value };
}

function mb(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${(bytes / 1000).toFixed(1)} kB`;
}

function table(rows: string[][], right: Set<number> = new Set()): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** One line per feed: what it read, skipped, how recent its data is and where it came from. */
function feedTable(feeds: readonly { kind: string; records: number; skipped: number; timestamp?: string | undefined; location: string }[]): string {
  const rows = [['FEED', 'RECORDS', 'SKIPPED', 'TIMESTAMP', 'FROM']];
  for (const f of feeds) rows.push([f.kind, String(f.records), String(f.skipped), f.timestamp ?? '-', f.location]);
  return table(rows, new Set([1, 2]));
}

function buildSummary(result: BuildResult, seconds: number): string {
  return `built ${result.output} (${mb(result.bytes)}) in ${seconds.toFixed(1)} s` +
    `${result.rejected ? `; ${result.rejected} rejected CVE${result.rejected === 1 ? '' : 's'} left out` : ''}\n${feedTable(result.feeds)}`;
}

function buildProgress(io: Io, quiet: boolean | undefined): { onProgress: (p: BuildProgress) => void; done: () => void } {
  const line = progressLine(io, !quiet);
  return {
    onProgress: (p) => line.update(`reading ${p.kind} ${p.path}: ${p.records} records${p.done ? ' (done)' : ''}`),
    done: () => line.done(),
  };
}

function formatInfo(path: string, info: DbInfo, age: DbAge): string {
  const when = age.ms === undefined ? 'age unknown' : age.ms < 0 ? age.text : `${age.text} ago`;
  const head = [
    ['database', path],
    ['schema', String(info.schema)],
    ['built', `${info.builtAt || '-'} (${when})`],
    ['tool version', info.toolVersion],
    ['vulnerabilities', String(info.counts.vulnerabilities)],
    ['advisories', `${info.counts.affected} (affected packages, per vulnerability and source)`],
    ['KEV entries', String(info.counts.kev)],
    ['EPSS scores', String(info.counts.epss)],
  ];
  return `${head.map(([k, v]) => `${`${k}:`.padEnd(17)}${v}`).join('\n')}\n\n${feedTable(info.feeds)}`;
}

export function registerDb(program: Command, io: Io, _setExit: (code: number) => void): void {
  const db = program.command('db').description('build, update, inspect and mirror the vulnerability database');
  const dbOption = () => new Option('--db <file>', 'database file (default: $PORTCULLIS_DB, else $XDG_CACHE_HOME/portcullis/db/portcullis.db)');

  db.command('build')
    .description('build the database from feed files (each a file, gzip, zip or directory)')
    .option('--feed <kind=path>', 'a feed: osv, debian-tracker, alpine-secdb, nvd, cve5, kev or epss, then = and its path (repeatable)', collect)
    .option('-o, --output <file>', 'database file to write (default: the --db location)')
    .addOption(dbOption().hideHelp())
    .option('-q, --quiet', 'no progress display')
    .action(async (opts: BuildCliOptions) => {
      if (!opts.feed?.length) throw new UsageError('USAGE', 'db build needs at least one --feed KIND=PATH');
      const feeds: FeedInput[] = [];
      for (const f of opts.feed ?? []) {
        const { kind, value } = await kindValue('--feed', f, 'PATH');
        feeds.push({ kind, path: value });
      }
      const { buildDb, dbPath } = await import('../vulndb/index.ts');
      const progress = buildProgress(io, opts.quiet);
      const started = performance.now();
      try {
        const result = await buildDb({ feeds, output: opts.output ?? dbPath(opts.db, io.env), onProgress: progress.onProgress });
        progress.done();
        io.stdout.write(buildSummary(result, (performance.now() - started) / 1000));
      } finally {
        progress.done();
      }
    });

  db.command('info')
    .description('show when the database was built, from which feeds, and what it holds')
    .addOption(dbOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: InfoCliOptions) => {
      const { VulnDb, dbAge, dbPath } = await import('../vulndb/index.ts');
      const path = dbPath(opts.db, io.env);
      const vdb = VulnDb.open(path);
      let info: DbInfo;
      try {
        info = vdb.info();
      } finally {
        vdb.close();
      }
      const age = dbAge(info);
      if (opts.format === 'json') {
        io.stdout.write(`${JSON.stringify({ path, ...info, ageSeconds: age.ms === undefined ? null : Math.round(age.ms / 1000) }, null, 2)}\n`);
      } else {
        io.stdout.write(formatInfo(path, info, age));
      }
    });

  db.command('update')
    .description('download the feeds (conditional requests; unchanged feeds are not downloaded again), build, and swap the database in atomically')
    .addOption(dbOption())
    .option('--feeds-dir <dir>', 'build offline from mirrored feed files laid out as DIR/KIND/FILE (see docs/vulndb.md)')
    .option('--feed-url <kind=url>', 'download this kind from URL instead of its default URLs (repeatable)', collect)
    .option('--feeds <kinds>', 'comma-separated feed kinds to fetch (default: osv, debian-tracker, alpine-secdb, nvd, kev, epss)')
    .option('--timeout <duration>', 'time limit for each download', '10m')
    .option('--max-size <bytes>', 'size limit for each download, e.g. 2G, 500M', '4G')
    .option('-q, --quiet', 'no progress display')
    .action(async (opts: UpdateCliOptions) => {
      const { parseDuration, parseSize, updateDb, dbPath } = await import('../vulndb/index.ts');
      const urls: { kind: string; url: string }[] = [];
      for (const f of opts.feedUrl ?? []) {
        const { kind, value } = await kindValue('--feed-url', f, 'URL');
        urls.push({ kind, url: value });
      }
      const kinds = opts.feeds?.split(',').map((k) => k.trim()).filter(Boolean);
      for (const k of kinds ?? []) await checkKind('--feeds', opts.feeds!, k);
      const line = progressLine(io, !opts.quiet);
      const started = performance.now();
      try {
        const result = await updateDb({
          db: dbPath(opts.db, io.env),
          ...(opts.feedsDir ? { feedsDir: opts.feedsDir } : {}),
          urls, ...(kinds ? { kinds } : {}),
          timeoutMs: parseDuration(opts.timeout, 's'),
          maxBytes: parseSize(opts.maxSize),
          onProgress: (text) => line.update(text),
        });
        line.done();
        const said = { 'not-modified': () => 'not modified', missing: () => 'not published (yet), skipped', downloaded: (n: number) => `downloaded ${mb(n)}` };
        const fetched = result.downloads.map((d) => `${d.kind} ${d.url}: ${said[d.status](d.bytes)}`);
        if (fetched.length) io.stdout.write(`${fetched.join('\n')}\n`);
        io.stdout.write(buildSummary(result.build, (performance.now() - started) / 1000));
      } finally {
        line.done();
      }
    });

  const registryOptions = (cmd: Command) => cmd
    .addOption(dbOption())
    .option('--insecure', 'allow plain HTTP and unverified TLS for non-loopback registries')
    .option('--ca-file <pem>', 'extra CA certificates for the registry');
  const clientOptions = (opts: RegistryCliOptions) => ({ env: io.env, ...(opts.insecure ? { insecure: true } : {}), ...(opts.caFile ? { caFile: opts.caFile } : {}) });

  registryOptions(db.command('push')
    .description('push the database to a registry as an OCI artifact (zstd-compressed), to mirror it like an image')
    .argument('<ref>', 'registry/repo:tag'))
    .action(async (ref: string, opts: RegistryCliOptions) => {
      const { pushDb, dbPath } = await import('../vulndb/index.ts');
      const r = await pushDb(ref, { db: dbPath(opts.db, io.env), ...clientOptions(opts) });
      io.stdout.write(`pushed ${r.ref}@${r.manifestDigest} (${mb(r.compressedBytes)}, ${mb(r.bytes)} uncompressed)\n`);
    });

  registryOptions(db.command('pull')
    .description('pull a database pushed with "db push", verify it and swap it in atomically')
    .argument('<ref>', 'registry/repo:tag or registry/repo@sha256:...'))
    .action(async (ref: string, opts: RegistryCliOptions) => {
      const { pullDb, dbPath } = await import('../vulndb/index.ts');
      const r = await pullDb(ref, { db: dbPath(opts.db, io.env), ...clientOptions(opts) });
      io.stdout.write(`pulled ${r.ref}@${r.manifestDigest} into ${r.db} (built ${r.builtAt}, schema ${r.schema}, ${mb(r.bytes)})\n`);
    });
}
