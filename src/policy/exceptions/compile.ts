import type { Package } from '../../inventory/types.ts';
import type { Finding } from '../../match/types.ts';
import type { PackagePattern, PolicyException } from '../documents/index.ts';
import { packageLookup } from '../finding-package.ts';
import { parsePurl, purlCache, purlMatches } from '../purl.ts';
import type { Purl } from '../purl.ts';
import { globToRegExp, imageForms, normaliseImageReference } from './glob.ts';

/**
 * An Exception compiled for matching: IDs folded to upper case, purls parsed, globs turned into
 * regular expressions, once per evaluation rather than once per finding.
 */

type CompiledPackage = { kind: 'name'; name: string } | { kind: 'purl'; purl: Purl };

export interface CompiledException {
  /** Position in the policy: the first matching exception names the suppression. */
  index: number;
  exception: PolicyException;
  ids: Set<string>;
  packages: CompiledPackage[];
}

function compilePackage(p: PackagePattern): CompiledPackage | undefined {
  if (p.kind === 'name') return p;
  const purl = parsePurl(p.purl);
  return purl && { kind: 'purl', purl };
}

export function compileException(exception: PolicyException, index: number): CompiledException {
  return {
    index,
    exception,
    ids: new Set(exception.vulnerabilities.map((v) => v.toUpperCase())),
    packages: exception.packages.map(compilePackage).filter((p): p is CompiledPackage => p !== undefined),
  };
}

/** The names under which a package-only exception is found quickly (lower case). */
export function packageKeys(c: CompiledException): string[] {
  return c.packages.map((p) => (p.kind === 'name' ? p.name : p.purl.name).toLowerCase());
}

export interface ImageScope {
  imageName?: string;
  imageDigest?: string;
  manifestDigest?: string;
  namespace?: string;
}

export type ScopeResult = 'in' | 'out' | 'needs-namespace';

/**
 * Whether an exception's `images` and `namespaces` cover the image being evaluated: computed
 * once per exception, since they do not depend on the finding.
 *
 * Namespace-scoped exceptions, evaluated without a namespace (a plain `scan` in CI), do not
 * apply: accepting a risk for the workloads in `payments` says nothing about where else the
 * image will run, and the gate and the webhook, which know the namespace, apply it there.
 * They are reported as 'needs-namespace' so that a report can say so.
 */
export function scopeOf(c: CompiledException, scope: ImageScope, forms: () => readonly string[]): ScopeResult {
  const ex = c.exception;
  if (ex.images.length) {
    const digests = new Set([scope.imageDigest, scope.manifestDigest].filter((d): d is string => Boolean(d)));
    const refDigest = scope.imageName?.split('@')[1];
    if (refDigest) digests.add(refDigest);
    const hit = ex.images.some((p) => p.kind === 'digest'
      ? digests.has(p.digest)
      : forms().some((f) => globToRegExp(normaliseImageReference(p.glob)).test(f)));
    if (!hit) return 'out';
  }
  if (ex.namespaces.length) {
    if (scope.namespace === undefined) return 'needs-namespace';
    if (!ex.namespaces.some((g) => globToRegExp(g).test(scope.namespace as string))) return 'out';
  }
  return 'in';
}

export function imageFormsOf(scope: ImageScope): string[] {
  if (!scope.imageName) return [];
  return imageForms(scope.imageName, [scope.imageDigest, scope.manifestDigest].filter((d): d is string => Boolean(d)));
}

/** What a finding is known as: its purl (its own, or its inventory package's) and source package. */
export interface FindingIdentity {
  purl?: Purl;
  sourceName?: string;
}

/** A finding's purl without a version stands for its installed version. */
function purlCovers(want: Purl, have: Purl | undefined, installedVersion: string): boolean {
  return have !== undefined && purlMatches(want, have.version === undefined ? { ...have, version: installedVersion } : have);
}

/** Every criterion the exception gives, except its image and namespace scope, holds for the finding. */
export function matchesFinding(c: CompiledException, f: Finding, who: () => FindingIdentity): boolean {
  if (c.ids.size && !c.ids.has(f.id.toUpperCase()) && !f.aliases.some((a) => c.ids.has(a.toUpperCase()))) return false;
  if (!c.packages.length) return true;
  const id = who();
  return c.packages.some((p) => p.kind === 'name'
    ? p.name === f.package || p.name === id.sourceName || p.name === id.purl?.name
    : purlCovers(p.purl, id.purl, f.installedVersion));
}

/** Looks a finding's package up in the inventory for its purl and source package. */
export function identityResolver(packages: readonly Package[] | undefined): (f: Finding) => FindingIdentity {
  const lookup = packageLookup(packages);
  const parse = purlCache();
  return (f) => {
    const pkg = lookup(f);
    const purl = parse(f.purl ?? pkg?.purl);
    return { ...(purl ? { purl } : {}), ...(pkg?.source ? { sourceName: pkg.source.name } : {}) };
  };
}
