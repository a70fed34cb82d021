import type { Finding } from '../../match/types.ts';
import type { Suppression } from '../../report/types.ts';
import { imageForms, normaliseImageReference } from '../exceptions/index.ts';
import { packageLookup } from '../finding-package.ts';
import { purlCache, purlMatches } from '../purl.ts';
import type { Purl } from '../purl.ts';
import type { VexAnnotation, VexComponent, VexContext, VexDocument, VexResult, VexStatement } from './types.ts';

/**
 * Which VEX statements hold for which findings.
 *
 * A statement is about a finding when it names the finding's vulnerability (its name, `@id` or
 * an alias equal, without regard to case, to the finding's ID or one of its aliases) and one of
 * its products covers the finding:
 * - a product that denotes the image — an OCI purl (`pkg:oci/NAME[@DIGEST]?repository_url=...`,
 *   compared by name, digest if given, and the `repository_url`, `tag`, `arch` and `os`
 *   qualifiers it gives), a digest (`sha256:...` as `@id` or as a hash), or an image reference
 *   (`ghcr.io/acme/api`, `...:1.4`, `...@sha256:...`) — covers every finding of the image when it
 *   lists no subcomponents, else the findings whose package one of the subcomponents names;
 * - a package product without subcomponents that names the finding's package by purl covers
 *   it (a purl without version covers every version; qualifiers it gives must match; purl.ts);
 * - a package product with subcomponents is about those subcomponents only: when the product
 *   is in the image, it covers the findings of the packages its subcomponents name (an
 *   application and its dependencies).
 * CycloneDX `versions` narrow a product to those versions of the package.
 *
 * Several statements about the same vulnerability and finding form a history: the one with the
 * latest time holds (statements without a time count as oldest; on equal times, the later
 * document on the command line, then the later statement, wins). `not_affected` and `fixed`
 * suppress the finding; `affected` and `under_investigation` keep it, with the statement noted.
 */

interface ImageIdentity {
  repository?: string;
  name?: string;
  tag?: string;
  digests: Set<string>;
  forms: Set<string>;
}

function imageIdentity(ctx: VexContext): ImageIdentity {
  const digests = new Set([ctx.imageDigest, ...(ctx.otherDigests ?? [])].filter((d): d is string => Boolean(d)));
  const out: ImageIdentity = { digests, forms: new Set() };
  if (!ctx.imageName) return out;
  const ref = normaliseImageReference(ctx.imageName);
  const at = ref.indexOf('@');
  if (at >= 0) digests.add(ref.slice(at + 1));
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  out.repository = colon > slash ? named.slice(0, colon) : named;
  if (colon > slash) out.tag = named.slice(colon + 1);
  out.name = out.repository.slice(out.repository.lastIndexOf('/') + 1).toLowerCase();
  out.forms = new Set(imageForms(ctx.imageName, [...digests]));
  return out;
}

function repositoryOf(url: string): string {
  return normaliseImageReference(url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, ''));
}

function ociMatches(p: Purl, img: ImageIdentity, ctx: VexContext): boolean {
  if (p.name.toLowerCase() !== img.name || p.namespace) return false;
  if (p.version !== undefined && !img.digests.has(p.version)) return false;
  for (const [k, v] of Object.entries(p.qualifiers)) {
    if (k === 'repository_url') {
      if (!img.repository || repositoryOf(v) !== img.repository) return false;
    } else if (k === 'tag') {
      if (img.tag !== v) return false;
    } else if (k === 'arch') {
      if (ctx.arch !== v) return false;
    } else if (k === 'os') {
      if (ctx.os !== v) return false;
    } else {
      return false;
    }
  }
  return true;
}

type Parse = (s: string | undefined) => Purl | undefined;

function denotesImage(c: VexComponent, img: ImageIdentity, ctx: VexContext, parse: Parse): boolean {
  if (c.hashes.some((h) => img.digests.has(h))) return true;
  return c.ids.some((id) => {
    if (id.startsWith('pkg:')) {
      const p = parse(id);
      return p?.type === 'oci' && img.name !== undefined ? ociMatches(p, img, ctx) : false;
    }
    if (/^sha(256|384|512):[0-9a-f]+$/.test(id)) return img.digests.has(id);
    return !/\s/.test(id) && img.forms.has(normaliseImageReference(id.replace(/^docker:\/\//, '')));
  });
}

function namesPackage(c: VexComponent, target: Purl | undefined, installedVersion: string, parse: Parse): boolean {
  if (!target) return false;
  if (c.versions && !c.versions.includes(target.version ?? installedVersion)) return false;
  return c.ids.some((id) => {
    const p = id.startsWith('pkg:') ? parse(id) : undefined;
    return p !== undefined && p.type !== 'oci' && purlMatches(p, target);
  });
}

interface Candidate {
  doc: VexDocument;
  statement: VexStatement;
  /** Order across all documents and statements, for ties. */
  order: number;
}

export function statementLabel(doc: VexDocument, s: VexStatement): string {
  const status = s.originalStatus ? `${s.originalStatus} → ${s.status}` : s.status;
  return `${doc.file} ${s.path} (${status}${s.justification ? `: ${s.justification}` : ''})`;
}

export function applyVex(findings: readonly Finding[], docs: readonly VexDocument[], ctx: VexContext): VexResult {
  const result: VexResult = { kept: [], suppressed: [], annotations: [] };
  const byVuln = new Map<string, Candidate[]>();
  let order = 0;
  for (const doc of docs) {
    for (const statement of doc.statements) {
      const c = { doc, statement, order: order++ };
      for (const id of new Set([statement.vulnerability, ...statement.aliases].map((x) => x.toUpperCase()))) {
        const list = byVuln.get(id);
        if (list) list.push(c);
        else byVuln.set(id, [c]);
      }
    }
  }
  if (byVuln.size === 0) {
    result.kept = [...findings];
    return result;
  }
  const img = imageIdentity(ctx);
  const parse = purlCache();
  const lookup = packageLookup(ctx.packages);
  // The image's package purls, parsed once, the first time a product with subcomponents asks.
  let imagePurls: Purl[] | undefined;
  const inImage = (): Purl[] => (imagePurls ??= [...new Set(ctx.packages.map((p) => p.purl))]
    .map((p) => parse(p)).filter((p): p is Purl => p !== undefined));
  const imageCache = new Map<VexComponent, boolean>();
  const isImage = (c: VexComponent): boolean => {
    let v = imageCache.get(c);
    if (v === undefined) imageCache.set(c, v = denotesImage(c, img, ctx, parse));
    return v;
  };
  // A package product with subcomponents: is that package in this image?
  const presentCache = new Map<VexComponent, boolean>();
  const packageInImage = (c: VexComponent): boolean => {
    let v = presentCache.get(c);
    if (v === undefined) {
      presentCache.set(c, v = c.ids.some((id) => {
        const want = id.startsWith('pkg:') ? parse(id) : undefined;
        return want !== undefined && want.type !== 'oci' && inImage().some((have) => purlMatches(want, have));
      }));
    }
    return v;
  };

  for (const f of findings) {
    const seen = new Set<Candidate>();
    const candidates = [f.id, ...f.aliases].flatMap((id) => byVuln.get(id.toUpperCase()) ?? []).filter((c) => !seen.has(c) && seen.add(c));
    if (candidates.length === 0) {
      result.kept.push(f);
      continue;
    }
    const target = parse(f.purl ?? lookup(f)?.purl);
    const covers = (s: VexStatement): boolean => s.products.some((p) => {
      if (isImage(p)) return p.subcomponents.length === 0 || p.subcomponents.some((sc) => namesPackage(sc, target, f.installedVersion, parse));
      if (p.subcomponents.length === 0) return namesPackage(p, target, f.installedVersion, parse);
      return p.subcomponents.some((sc) => namesPackage(sc, target, f.installedVersion, parse)) && packageInImage(p);
    });
    let best: Candidate | undefined;
    for (const c of candidates) {
      if (!covers(c.statement)) continue;
      const t = c.statement.time ?? -Infinity;
      const bt = best?.statement.time ?? -Infinity;
      if (!best || t > bt || (t === bt && c.order > best.order)) best = c;
    }
    if (!best) {
      result.kept.push(f);
      continue;
    }
    const s = best.statement;
    const by = statementLabel(best.doc, s);
    if (s.status === 'not_affected' || s.status === 'fixed') {
      const reason = s.impactStatement ?? s.statusNotes ?? s.actionStatement;
      result.suppressed.push({ finding: f, kind: 'vex', by, ...(reason !== undefined ? { reason } : {}) } satisfies Suppression);
    } else {
      result.kept.push(f);
      const note = s.actionStatement ?? s.statusNotes;
      result.annotations.push({ finding: f, status: s.status, by, ...(note !== undefined ? { note } : {}) } satisfies VexAnnotation);
    }
  }
  return result;
}
