import { ManifestError } from './errors.ts';

/**
 * A small, safe subset of JSONPath for image locations in custom resources (Kyverno's
 * imageExtractors idea): `spec.components[*].image`, `$.spec.images[*]`, `spec.steps[0].image`,
 * `spec['odd.key'].image`, `spec.*.image`. Fields, array indexes, `[*]` (every element) and `*`
 * (every value of a map or element of an array). No filters, no recursion, no scripts: evaluation
 * is a bounded walk over plain data.
 */

export type PathSegment =
  | { type: 'field'; name: string }
  | { type: 'index'; index: number }
  | { type: 'wildcard' };

export interface CompiledPath {
  text: string;
  segments: PathSegment[];
}

export interface PathMatch {
  value: unknown;
  /** The object or array holding the value (for its `name`). */
  parent: unknown;
  /** The concrete path: `spec.components[1].image`. */
  path: string;
}

export const MAX_PATH_LENGTH = 512;
export const MAX_PATH_SEGMENTS = 32;
/** Values one path may yield from one object. */
export const MAX_PATH_MATCHES = 10_000;

const FIELD = /^[A-Za-z0-9_$-]+/;

export function compilePath(text: string): CompiledPath {
  const bad = (why: string): never => {
    throw new ManifestError('BAD_IMAGE_PATH', `image path "${text.slice(0, 80)}": ${why}`);
  };
  if (text.length === 0) bad('empty');
  if (text.length > MAX_PATH_LENGTH) bad(`longer than ${MAX_PATH_LENGTH} characters`);
  let rest = text.startsWith('$') ? text.slice(1) : text;
  if (text.startsWith('$') && rest !== '' && !rest.startsWith('.') && !rest.startsWith('[')) bad('"$" must be followed by "." or "["');
  const segments: PathSegment[] = [];
  let first = !text.startsWith('$');
  while (rest.length > 0) {
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) bad('unclosed "["');
      const inner = rest.slice(1, close).trim();
      if (inner === '*') segments.push({ type: 'wildcard' });
      else if (/^\d{1,6}$/.test(inner)) segments.push({ type: 'index', index: Number(inner) });
      else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) segments.push({ type: 'field', name: inner.slice(1, -1) });
      else bad(`"[${inner}]" is not [*], [N] or ['key']`);
      rest = rest.slice(close + 1);
    } else {
      if (rest.startsWith('.')) rest = rest.slice(1);
      else if (!first) bad(`expected "." or "[" before "${rest.slice(0, 20)}"`);
      if (rest.startsWith('*')) {
        segments.push({ type: 'wildcard' });
        rest = rest.slice(1);
      } else {
        const m = FIELD.exec(rest);
        if (!m) bad(`expected a field name at "${rest.slice(0, 20)}"`);
        segments.push({ type: 'field', name: m![0] });
        rest = rest.slice(m![0].length);
      }
    }
    first = false;
    if (segments.length > MAX_PATH_SEGMENTS) bad(`more than ${MAX_PATH_SEGMENTS} steps`);
  }
  if (segments.length === 0) bad('selects the whole object');
  return { text, segments };
}

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const fieldText = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(name) ? `.${name}` : `['${name}']`);

/** Every value the path reaches; missing fields and type mismatches simply yield nothing. */
export function evaluatePath(path: CompiledPath, root: unknown): PathMatch[] {
  let current: PathMatch[] = [{ value: root, parent: undefined, path: '' }];
  for (const seg of path.segments) {
    const next: PathMatch[] = [];
    for (const m of current) {
      const v = m.value;
      if (v === null || typeof v !== 'object') continue;
      if (seg.type === 'field') {
        if (!Array.isArray(v) && own(v, seg.name)) next.push({ value: (v as Record<string, unknown>)[seg.name], parent: v, path: m.path + fieldText(seg.name) });
      } else if (seg.type === 'index') {
        if (Array.isArray(v) && seg.index < v.length) next.push({ value: v[seg.index], parent: v, path: `${m.path}[${seg.index}]` });
      } else if (Array.isArray(v)) {
        v.forEach((item, i) => next.push({ value: item, parent: v, path: `${m.path}[${i}]` }));
      } else {
        for (const [k, item] of Object.entries(v)) next.push({ value: item, parent: v, path: m.path + fieldText(k) });
      }
      if (next.length > MAX_PATH_MATCHES) {
        throw new ManifestError('MANIFEST_LIMIT', `image path ${path.text} matches more than ${MAX_PATH_MATCHES} values`);
      }
    }
    current = next;
  }
  return current.map((m) => ({ ...m, path: m.path.startsWith('.') ? m.path.slice(1) : m.path }));
}
