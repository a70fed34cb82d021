/**
 * Alpine secdb (https://secdb.alpinelinux.org/<branch>/<repo>.json, or the same as YAML) and the
 * Wolfi and Chainguard secdbs in the same layout:
 *
 *     {distroversion: "v3.20", reponame: "main",
 *      packages: [{pkg: {name: "openssl", secfixes: {"3.3.2-r0": ["CVE-2024-6119"], "0": [...]}}}]}
 *
 * A CVE listed under a version is fixed from that version on; under `"0"` the package was never
 * affected in that branch. Entries are free text (`CVE-2016-9932 XSA-200`, `CVE-2018-14468
 * (FrameRelay)`, bare `XSA-207`): the CVE tokens are kept. A CVE listed under several versions
 * (the branch carried several upstream series) becomes one record with one range per version —
 * affected below the highest — with all of them in `fixedVersions`; `fixed` is set only when
 * there is one (the order is no guide: newest first mostly, oldest first for xen).
 * Wolfi and Chainguard have no `distroversion`: they are rolling, keyed `wolfi`/`chainguard`.
 */
import { FeedError } from '../../errors.ts';
import type { AffectedPackage, FeedRecord } from '../advisory.ts';
import { alpineRelease } from './ecosystems.ts';
import type { EcosystemRef } from './ecosystems.ts';
import { feedRun } from './feed.ts';
import type { Feed, FeedContext, FeedOptions } from './feed.ts';
import { cvesInText, isObject, str } from './normalise.ts';
import { parseDocument } from './parse.ts';
import { plainName, sourceEntries } from './source.ts';

type Flavour = NonNullable<FeedOptions['flavour']>;

function isSecdbFile(name: string): boolean {
  const n = plainName(name);
  return n.endsWith('.json') || n.endsWith('.yaml') || n.endsWith('.yml');
}

/** Whose secdb a document is, when not told: Alpine's name a branch, Wolfi's and Chainguard's do not. */
function flavourOf(doc: Record<string, unknown>): Flavour {
  if (str(doc.distroversion)) return 'alpine';
  const text = `${str(doc.reponame) ?? ''} ${str(doc.urlprefix) ?? ''}`.toLowerCase();
  return text.includes('chainguard') || text.includes('cgr.dev') ? 'chainguard' : 'wolfi';
}

function ecosystemOf(doc: Record<string, unknown>, flavour: Flavour): EcosystemRef | undefined {
  if (flavour !== 'alpine') return { ecosystem: flavour, family: flavour, nameKind: 'source' };
  const v = str(doc.distroversion);
  return v ? alpineRelease(v) : undefined;
}

function* documentFacts(ctx: FeedContext, doc: unknown, what: string, forced: Flavour | undefined): Generator<FeedRecord> {
  if (!isObject(doc)) {
    ctx.skip('malformed file', `${what}: not a secdb document`);
    return;
  }
  const flavour = forced ?? flavourOf(doc);
  const eco = ecosystemOf(doc, flavour);
  if (!eco) {
    ctx.skip('malformed file', `${what}: no usable distroversion ("${str(doc.distroversion) ?? ''}")`);
    return;
  }
  const feedEcosystem = flavour === 'alpine' ? str(doc.distroversion)! : flavour;
  // `packages` is a list; empty repositories have null, "" or {} there.
  const packages = Array.isArray(doc.packages) ? doc.packages : [];
  for (const item of packages) {
    const pkg = isObject(item) && isObject(item.pkg) ? item.pkg : undefined;
    const name = str(pkg?.name);
    if (!pkg || !name) {
      ctx.stats.records++;
      ctx.skip('malformed entry', `${what}: package without name`);
      continue;
    }
    const secfixes = isObject(pkg.secfixes) ? pkg.secfixes : {};
    // CVE → fixed versions in document order ("0" included).
    const byCve = new Map<string, string[]>();
    for (const [version, list] of Object.entries(secfixes)) {
      if (!Array.isArray(list)) {
        ctx.stats.records++;
        ctx.skip('empty fix list', `${what}: ${name} ${version}: not a list`);
        continue;
      }
      for (const entry of list) {
        ctx.stats.records++;
        const cves = typeof entry === 'string' ? cvesInText(entry) : [];
        if (cves.length === 0) {
          ctx.skip('entry without CVE');
          continue;
        }
        for (const cve of cves) {
          const versions = byCve.get(cve);
          if (!versions) byCve.set(cve, [version]);
          else if (!versions.includes(version)) versions.push(version);
        }
      }
    }
    for (const [cve, versions] of byCve) {
      const fixedVersions = versions.filter((v) => v !== '0');
      const out: AffectedPackage = {
        type: 'affected', ecosystem: eco.ecosystem, family: eco.family, nameKind: 'source', package: name, vulnId: cve,
        source: 'alpine-secdb', status: fixedVersions.length > 0 ? 'fixed' : 'not_affected', feedEcosystem, feedPackage: name,
      };
      if (eco.release) out.release = eco.release;
      if (fixedVersions.length > 0) {
        if (fixedVersions.length === 1) out.fixed = fixedVersions[0]!;
        out.fixedVersions = fixedVersions;
        out.ranges = fixedVersions.map((fixed) => ({ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] }));
      }
      yield out;
    }
  }
}

async function* readSecdb(ctx: FeedContext, options: FeedOptions): AsyncGenerator<FeedRecord> {
  let files = 0;
  for await (const entry of sourceEntries(ctx.path, isSecdbFile, options.limits)) {
    ctx.detail('files', ++files);
    const what = ctx.path.endsWith(entry.name) ? ctx.path : `${ctx.path}: ${entry.name}`;
    let doc: unknown;
    try {
      doc = parseDocument(await entry.read(), entry.name, what);
    } catch (err) {
      if (!(err instanceof FeedError) || err.code !== 'FEED_PARSE') throw err;
      ctx.skip('malformed file', err.message);
      continue;
    }
    yield* documentFacts(ctx, doc, what, options.flavour);
  }
}

export const alpineSecdbFeed: Feed = {
  kind: 'alpine-secdb',
  read: (source, options = {}) => feedRun('alpine-secdb', source, (ctx) => readSecdb(ctx, options)),
};
