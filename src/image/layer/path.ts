import { LayerError } from '../../errors.ts';

/**
 * Normalise a tar entry name to a path relative to the image root: no leading "/" or "./", no
 * "." or empty components, ".." resolved. A name that climbs above the root is hostile (nothing
 * legitimate writes one) and is refused rather than clamped, so a crafted layer cannot make us
 * attribute a file to a path it does not have.
 */
export function normalizeEntryPath(name: string, layer: string): string {
  // Fast path: the common case is already clean ("usr/bin/foo", "./usr/bin/foo").
  let s = name.startsWith('./') ? name.slice(2) : name;
  if (s.startsWith('/')) s = s.replace(/^\/+/, '');
  if (s.endsWith('/')) s = s.replace(/\/+$/, '');
  if (!s.includes('//') && !/(^|\/)\.\.?(\/|$)/.test(s)) return s;

  const out: string[] = [];
  for (const part of s.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new LayerError('PATH_TRAVERSAL', `${layer}: entry "${truncate(name)}" escapes the image root`);
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/**
 * Resolve a symlink target written at `linkPath` to a root-relative path, the way the kernel does
 * inside a chroot: absolute targets start at the image root and ".." never climbs above it.
 */
export function resolveLinkTarget(linkPath: string, target: string): string {
  const parts = target.startsWith('/') ? [] : linkPath.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `dir` itself or inside it ("" is the root and contains everything). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || (path.startsWith(dir) && path.charCodeAt(dir.length) === 47 /* / */);
}

export function truncate(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
