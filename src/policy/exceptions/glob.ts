/**
 * Globs of exceptions: `*` matches any run of characters (slashes and colons included, so
 * `ghcr.io/acme/*` covers every repository under ghcr.io/acme at any depth, with any tag), `?`
 * one character; everything else is literal. Compiled once per exception.
 */

const SPECIAL = /[.+^${}()|[\]\\]/g;

export function globToRegExp(glob: string): RegExp {
  let src = '';
  for (const part of glob.split(/([*?])/)) {
    if (part === '*') src += '.*';
    else if (part === '?') src += '.';
    else src += part.replace(SPECIAL, '\\$&');
  }
  return new RegExp(`^${src}$`, 's');
}

const LEGACY_HUB = new Set(['index.docker.io', 'registry-1.docker.io']);

/**
 * Docker's short forms, applied to an image reference or glob the way Docker normalises a
 * reference: `nginx:1.*` → `docker.io/library/nginx:1.*`, `bitnami/*` → `docker.io/bitnami/*`.
 * The first path component is a registry when it has a dot or a colon or is `localhost`.
 * A glob with a wildcard in its first component is left alone (it may span registries);
 * transports (`oci:`, `docker-archive:` ...) are left alone too.
 */
export function normaliseImageReference(ref: string): string {
  if (/^(?:oci|oci-archive|docker-archive):/.test(ref)) return ref;
  const s = ref.startsWith('docker://') ? ref.slice('docker://'.length) : ref;
  const slash = s.indexOf('/');
  if (slash < 0) {
    const name = s.split(/[:@]/, 1)[0] ?? '';
    return /[*?]/.test(name) ? s : `docker.io/library/${s}`;
  }
  const first = s.slice(0, slash);
  if (/[*?]/.test(first)) return s;
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    if (!LEGACY_HUB.has(first)) return s;
    const rest = s.slice(slash + 1);
    return rest.includes('/') ? `docker.io/${rest}` : `docker.io/library/${rest}`;
  }
  return `docker.io/${s}`;
}

/**
 * The forms of one image a glob may be written against: the reference as given, the repository
 * alone, repository:tag, and repository@digest (with and without the tag) for each digest
 * known. So `ghcr.io/acme/api` covers every tag and digest of that repository, and
 * `ghcr.io/acme/api:1.*` every 1.x tag whether or not the reference also pins a digest.
 */
export function imageForms(reference: string, digests: readonly string[]): string[] {
  const ref = normaliseImageReference(reference);
  const at = ref.indexOf('@');
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const all = [...new Set([...(at >= 0 ? [ref.slice(at + 1)] : []), ...digests])];
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const repo = colon > slash ? named.slice(0, colon) : named;
  const tagged = colon > slash ? named : undefined;
  const forms = new Set([ref, repo]);
  if (tagged) forms.add(tagged);
  for (const d of all) {
    forms.add(`${repo}@${d}`);
    if (tagged) forms.add(`${tagged}@${d}`);
  }
  return [...forms];
}
