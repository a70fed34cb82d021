import { createHash } from 'node:crypto';
import { PackageURL } from 'packageurl-js';
import type { Finding } from '../../match/types.ts';
import type { PolicyException } from '../documents/index.ts';
import { isExpired } from './apply.ts';
import type { ExceptionContext } from './apply.ts';
import { parsePurl } from '../purl.ts';
import { compileException, identityResolver, imageFormsOf, matchesFinding, scopeOf } from './compile.ts';
import { normaliseImageReference } from './glob.ts';

/**
 * Exceptions as an OpenVEX 0.2.0 document, so that other tools reading VEX (Trivy, Grype,
 * vexctl) agree with the policy about what is accepted.
 *
 * Mapping, and why:
 * - status `not_affected` — an exception is the owner's statement that the finding does not
 *   need action in this product; `affected` would not suppress anything in other tools.
 * - `impact_statement` = the exception's `reason`, verbatim, and no `justification`: the
 *   five OpenVEX justifications are specific claims (component not present, vulnerable code
 *   not present / not in the execute path / not controllable, inline mitigations), and an
 *   exception's free-text reason says which, if any, holds — picking one for the owner would
 *   put words in their mouth. OpenVEX requires one of the two; impact_statement is the one we
 *   can fill truthfully.
 * - `status_notes` = exception name, owner and expiry: OpenVEX has no expiry, so only
 *   exceptions live at `now` are exported, and the note says until when the statement holds.
 * - one statement per vulnerability (OpenVEX names one per statement). Product: the image
 *   (`pkg:oci/…@digest`, with `repository_url` and `tag`) with the exception's packages as
 *   subcomponents (purls); without an image, the packages themselves.
 *
 * What OpenVEX cannot express is skipped with a reason rather than widened: namespace-scoped
 * exceptions (no namespaces in VEX) unless exporting for a namespace they cover, image globs
 * without an image to name, package names that cannot be turned into purls, and package-only
 * exceptions when no findings say which vulnerabilities they cover.
 */

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

export interface OpenVexComponent {
  '@id'?: string;
  identifiers?: { purl: string };
  subcomponents?: OpenVexComponent[];
}

export interface OpenVexStatement {
  vulnerability: { name: string };
  timestamp: string;
  products: OpenVexComponent[];
  status: 'not_affected';
  impact_statement: string;
  status_notes: string;
}

export interface OpenVexDocument {
  '@context': string;
  '@id': string;
  author: string;
  timestamp: string;
  version: number;
  tooling: string;
  statements: OpenVexStatement[];
}

export interface OpenVexExportContext extends ExceptionContext {
  /** The image's findings: resolve package-only exceptions to the vulnerabilities they cover. */
  findings?: readonly Finding[];
  /** Document author (default: "Portcullis policy exceptions"). */
  author?: string;
  /** Document IRI (default: a urn:uuid derived from the content, so output is reproducible). */
  documentId?: string;
}

export interface OpenVexExport {
  /** Absent when no exception could be exported (OpenVEX needs at least one statement). */
  document?: OpenVexDocument;
  skipped: { name: string; reason: string }[];
}

const component = (purl: string): OpenVexComponent => ({ '@id': purl, identifiers: { purl } });

/** The image as a purl (purl spec, type oci): name = last path segment, version = digest. */
export function imagePurl(imageName: string, digest: string | undefined): string {
  const ref = normaliseImageReference(imageName);
  const transport = /^(oci|oci-archive|docker-archive):(.*)$/.exec(ref);
  let repository: string | undefined;
  let tag: string | undefined;
  let name: string;
  if (transport) {
    // A local layout or archive has no repository: name it after its file, as a hint only.
    const base = (transport[2] ?? '').split(':')[0]?.split('/').filter(Boolean).pop() ?? 'image';
    name = base.replace(/\.(tar|tgz|tar\.gz)$/, '');
  } else {
    const at = ref.indexOf('@');
    const named = at >= 0 ? ref.slice(0, at) : ref;
    const slash = named.lastIndexOf('/');
    const colon = named.lastIndexOf(':');
    repository = colon > slash ? named.slice(0, colon) : named;
    tag = colon > slash ? named.slice(colon + 1) : undefined;
    name = repository.slice(repository.lastIndexOf('/') + 1);
  }
  const qualifiers: Record<string, string> = {};
  if (repository) qualifiers.repository_url = repository;
  if (tag) qualifiers.tag = tag;
  return new PackageURL('oci', undefined, name.toLowerCase() || 'image', digest, qualifiers, undefined).toString();
}

function contentId(author: string, timestamp: string, statements: readonly OpenVexStatement[]): string {
  const h = createHash('sha256').update(JSON.stringify([author, timestamp, statements])).digest('hex');
  // RFC 9562 layout, version 8 (custom), variant 10.
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function exceptionsToOpenVex(exceptions: readonly PolicyException[], context: OpenVexExportContext, now: Date): OpenVexExport {
  const skipped: OpenVexExport['skipped'] = [];
  const statements: OpenVexStatement[] = [];
  const timestamp = now.toISOString();
  let forms: string[] | undefined;
  const lazyForms = (): string[] => (forms ??= imageFormsOf(context));
  const resolve = identityResolver(context.packages);
  const digest = context.imageDigest ?? context.imageName?.split('@')[1] ?? context.manifestDigest;
  const image = context.imageName ? imagePurl(context.imageName, digest) : undefined;

  exceptions.forEach((e, i) => {
    const skip = (reason: string): void => void skipped.push({ name: e.name, reason });
    if (isExpired(e, now)) return skip(`expired ${e.expires}`);
    const c = compileException(e, i);
    const scope = scopeOf(c, context, lazyForms);
    if (scope === 'out') {
      return skip(context.imageName || !e.images.length
        ? `does not cover ${context.imageName ?? 'this image'}${context.namespace ? ` in namespace ${context.namespace}` : ''}`
        : 'limited to images: export it for one image');
    }
    if (scope === 'needs-namespace') return skip(`limited to namespaces ${e.namespaces.join(', ')}, which OpenVEX cannot express: export it for a namespace`);

    const matched = context.findings?.filter((f) => matchesFinding(c, f, () => resolve(f)));
    let names = [...new Set(e.vulnerabilities)];
    if (!names.length) {
      if (!matched) return skip('names no vulnerability: give the image\'s findings to list the ones it covers');
      names = [...new Set(matched.map((f) => f.id))];
      if (!names.length) return skip('names no vulnerability and covers no finding of this image');
    }

    // The packages as purls. A name becomes the purls of the image's packages (or findings) of
    // that binary, purl or source name; a name that resolves to nothing is not in this image.
    const purls = new Set<string>();
    for (const p of e.packages) {
      if (p.kind === 'purl') {
        purls.add(p.purl);
        continue;
      }
      const named = (name: string | undefined): boolean => name === p.name;
      for (const pkg of context.packages ?? []) {
        if (named(pkg.name) || named(pkg.source?.name) || named(parsePurl(pkg.purl)?.name)) purls.add(pkg.purl);
      }
      for (const f of matched ?? []) {
        if (f.purl && (named(f.package) || named(parsePurl(f.purl)?.name))) purls.add(f.purl);
      }
    }
    if (e.packages.length && !purls.size) {
      return skip(context.packages || context.findings
        ? 'its packages are not in this image'
        : 'names packages by name only: give the image\'s packages to turn them into purls');
    }

    const subcomponents = [...purls].sort().map(component);
    let products: OpenVexComponent[];
    if (image) products = [{ ...component(image), ...(subcomponents.length ? { subcomponents } : {}) }];
    else if (subcomponents.length) products = subcomponents;
    else return skip('covers every package of an image: export it for an image');

    for (const name of names) {
      statements.push({
        vulnerability: { name },
        timestamp,
        products,
        status: 'not_affected',
        impact_statement: e.reason,
        status_notes: `Portcullis Exception ${e.name}, owner ${e.owner}, expires ${e.expires}`,
      });
    }
  });

  if (!statements.length) return { skipped };
  const author = context.author ?? 'Portcullis policy exceptions';
  const document: OpenVexDocument = {
    '@context': OPENVEX_CONTEXT,
    '@id': context.documentId ?? contentId(author, timestamp, statements),
    author,
    timestamp,
    version: 1,
    tooling: 'Portcullis',
    statements,
  };
  return { document, skipped };
}
