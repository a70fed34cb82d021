import { PackageURL } from 'packageurl-js';

/**
 * Package URLs as constraints. A VEX product, a VEX subcomponent and a `.trivyignore.yaml`
 * `purls` entry all name packages the same way, and are compared the way Trivy compares them
 * (its purl Match): type, namespace and name must be equal; the version only when the
 * constraint has one; the subpath only when the constraint has one; and every qualifier the
 * constraint gives must be on the target with the same value (order never matters, qualifiers
 * the constraint leaves out are not looked at). So `pkg:deb/debian/libssl3` covers every
 * version, arch and distro of libssl3, and `...?arch=amd64` only the amd64 ones.
 *
 * Names are compared after packageurl-js's normalisation (type lower case, per-type rules such
 * as PyPI's `Django_X` → `django-x`), on both sides.
 */

export interface Purl {
  type: string;
  namespace: string;
  name: string;
  version?: string;
  qualifiers: Readonly<Record<string, string>>;
  subpath?: string;
}

/** Longest purl accepted from a file: real ones are far shorter. */
export const MAX_PURL_LENGTH = 4096;

export function parsePurl(s: string): Purl | undefined {
  if (s.length > MAX_PURL_LENGTH) return undefined;
  try {
    const p = PackageURL.fromString(s);
    const qualifiers: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.qualifiers ?? {})) qualifiers[k.toLowerCase()] = String(v);
    return {
      type: p.type.toLowerCase(),
      namespace: p.namespace ?? '',
      name: p.name,
      ...(p.version ? { version: p.version } : {}),
      qualifiers,
      ...(p.subpath ? { subpath: p.subpath } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Why a purl does not parse, for error messages. */
export function purlError(s: string): string | undefined {
  if (s.length > MAX_PURL_LENGTH) return `longer than ${MAX_PURL_LENGTH} characters`;
  try {
    PackageURL.fromString(s);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Does `target` satisfy the constraint `want`? (see the module comment) */
export function purlMatches(want: Purl, target: Purl): boolean {
  if (want.type !== target.type || want.namespace !== target.namespace || want.name !== target.name) return false;
  if (want.version !== undefined && want.version !== target.version) return false;
  if (want.subpath !== undefined && want.subpath !== target.subpath) return false;
  for (const k in want.qualifiers) if (target.qualifiers[k] !== want.qualifiers[k]) return false;
  return true;
}

/** A parse cache: findings share purls, so each distinct string is parsed once per evaluation. */
export function purlCache(): (s: string | undefined) => Purl | undefined {
  const seen = new Map<string, Purl | undefined>();
  return (s) => {
    if (s === undefined) return undefined;
    if (!seen.has(s)) seen.set(s, parsePurl(s));
    return seen.get(s);
  };
}
