import type { Package } from '../../inventory/types.ts';
import type { Finding } from '../../match/types.ts';
import type { Suppression } from '../../report/types.ts';
import type { PolicyException } from '../documents/index.ts';
import { compileException, identityResolver, imageFormsOf, matchesFinding, packageKeys, scopeOf } from './compile.ts';
import type { CompiledException, FindingIdentity, ImageScope } from './compile.ts';

/**
 * Applying the policy's Exceptions to one image's findings.
 *
 * An exception applies to a finding when every criterion it gives holds (any entry within a
 * list): `vulnerabilities` — the finding's ID or one of its aliases (case-insensitive);
 * `packages` — a purl compared by type, namespace and name, and by version, qualifiers and
 * subpath only where the exception's purl gives them, against the finding's purl (or its
 * inventory package's), or a plain name equal to the binary package, its purl name, or its
 * source package (`openssl` covers libssl3); `images` — a glob over the normalised reference
 * (see glob.ts) or a digest equal to the image's (index or manifest); `namespaces` — a glob
 * over the namespace (without one, namespace-scoped exceptions do not apply: compile.ts).
 *
 * An exception applies until `expiresAt` (exclusive). An expired one no longer applies; when
 * it would still have matched a finding that is therefore kept, it is reported in `expired`
 * so the report can say why the finding is back. When several exceptions match, the first in
 * the policy names the suppression.
 *
 * Cost: exceptions are compiled and scoped once, then indexed by vulnerability ID (or, for
 * package-only ones, by package name); each finding looks up only the exceptions under its ID,
 * aliases and names.
 */

export interface ExceptionContext extends ImageScope {
  /** The image's packages, to find a finding's purl and source package. */
  packages?: readonly Package[];
}

export interface ExpiredException {
  name: string;
  /** As written in the policy. */
  expires: string;
  owner: string;
  /** IDs of the findings it would still cover. */
  findings: string[];
}

export interface NamespaceScopedException {
  name: string;
  namespaces: string[];
  /** IDs of the findings it would cover in those namespaces. */
  findings: string[];
}

export interface ExceptionResult {
  kept: Finding[];
  suppressed: Suppression[];
  expired: ExpiredException[];
  /** Exceptions that would apply in some namespace, evaluated without one. */
  namespaceScoped: NamespaceScopedException[];
}

export function isExpired(exception: PolicyException, now: Date): boolean {
  return now.getTime() >= exception.expiresAt.getTime();
}

/** Every expired exception of a policy (for `policy check` and reports), in policy order. */
export function expiredExceptions(exceptions: readonly PolicyException[], now: Date): PolicyException[] {
  return exceptions.filter((e) => isExpired(e, now));
}

class Index {
  readonly byId = new Map<string, CompiledException[]>();
  readonly byPackage = new Map<string, CompiledException[]>();

  add(c: CompiledException): void {
    const keys = c.ids.size ? [...c.ids] : packageKeys(c);
    const map = c.ids.size ? this.byId : this.byPackage;
    for (const k of new Set(keys)) {
      const list = map.get(k);
      if (list) list.push(c);
      else map.set(k, [c]);
    }
  }

  get empty(): boolean {
    return this.byId.size === 0 && this.byPackage.size === 0;
  }

  /** The first exception, in policy order, that matches the finding. */
  first(f: Finding, who: () => FindingIdentity): CompiledException | undefined {
    let best: CompiledException | undefined;
    const consider = (list: CompiledException[] | undefined): void => {
      for (const c of list ?? []) {
        if ((!best || c.index < best.index) && matchesFinding(c, f, who)) best = c;
      }
    };
    consider(this.byId.get(f.id.toUpperCase()));
    for (const a of f.aliases) consider(this.byId.get(a.toUpperCase()));
    if (this.byPackage.size) {
      const id = who();
      const names = new Set([f.package, id.purl?.name, id.sourceName].filter((n): n is string => Boolean(n)).map((n) => n.toLowerCase()));
      for (const n of names) consider(this.byPackage.get(n));
    }
    return best;
  }
}

function note<T extends { findings: string[] }>(map: Map<CompiledException, T>, c: CompiledException, make: () => T, id: string): void {
  let entry = map.get(c);
  if (!entry) map.set(c, entry = make());
  if (!entry.findings.includes(id)) entry.findings.push(id);
}

export function applyExceptions(
  findings: readonly Finding[], exceptions: readonly PolicyException[], context: ExceptionContext, now: Date,
): ExceptionResult {
  const live = new Index();
  const expired = new Index();
  const scoped = new Index();
  let forms: string[] | undefined;
  const lazyForms = (): string[] => (forms ??= imageFormsOf(context));
  exceptions.forEach((e, i) => {
    const c = compileException(e, i);
    const scope = scopeOf(c, context, lazyForms);
    if (scope === 'out') return;
    if (isExpired(e, now)) expired.add(c);
    else if (scope === 'needs-namespace') scoped.add(c);
    else live.add(c);
  });

  const result: ExceptionResult = { kept: [], suppressed: [], expired: [], namespaceScoped: [] };
  if (live.empty && expired.empty && scoped.empty) {
    result.kept = [...findings];
    return result;
  }
  const resolve = identityResolver(context.packages);
  const expiredHits = new Map<CompiledException, ExpiredException>();
  const scopedHits = new Map<CompiledException, NamespaceScopedException>();
  for (const f of findings) {
    let identity: FindingIdentity | undefined;
    const who = (): FindingIdentity => (identity ??= resolve(f));
    const c = live.first(f, who);
    if (c) {
      const e = c.exception;
      result.suppressed.push({ finding: f, kind: 'exception', by: e.name, reason: e.reason, owner: e.owner, expires: e.expires });
      continue;
    }
    result.kept.push(f);
    const x = expired.first(f, who);
    if (x) note(expiredHits, x, () => ({ name: x.exception.name, expires: x.exception.expires, owner: x.exception.owner, findings: [] }), f.id);
    const s = scoped.first(f, who);
    if (s) note(scopedHits, s, () => ({ name: s.exception.name, namespaces: [...s.exception.namespaces], findings: [] }), f.id);
  }
  const byIndex = (a: [CompiledException, unknown], b: [CompiledException, unknown]): number => a[0].index - b[0].index;
  result.expired = [...expiredHits].sort(byIndex).map(([, v]) => v);
  result.namespaceScoped = [...scopedHits].sort(byIndex).map(([, v]) => v);
  return result;
}
