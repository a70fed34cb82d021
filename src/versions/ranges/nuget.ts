/**
 * NuGet version ranges (learn.microsoft.com "Package versioning", "Version ranges"): `1.0`
 * means 1.0 or higher, `[1.0]` exactly 1.0, `(1.0,)` above, `(,1.0]` up to, `[1.0,2.0)` a
 * mixed interval; a floating `1.*` (highest match) is read as the interval it floats in.
 */
import { MAX_RANGE_LENGTH } from '../types.ts';
import { compareNuGet, parseNuGet, type NuGetVersion } from '../nuget.ts';

export interface NuGetRange {
  readonly min: NuGetVersion | undefined;
  readonly minInclusive: boolean;
  readonly max: NuGetVersion | undefined;
  readonly maxInclusive: boolean;
}

/** `1.*`, `1.2.*`: from the prefix (inclusive) to the next prefix (exclusive). */
function floating(text: string): NuGetRange | undefined {
  const m = /^(\d+(?:\.\d+){0,2})\.\*$/.exec(text);
  if (!m) return text === '*' ? { min: undefined, minInclusive: false, max: undefined, maxInclusive: false } : undefined;
  const parts = (m[1] as string).split('.');
  const next = [...parts.slice(0, -1), (BigInt(parts.at(-1) as string) + 1n).toString()];
  return { min: parseNuGet(parts.join('.')), minInclusive: true, max: parseNuGet(`${next.join('.')}-0`), maxInclusive: false };
}

export function parseNuGetRange(text: string): NuGetRange | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > MAX_RANGE_LENGTH) return undefined;
  if (!/^[[(]/.test(s)) {
    if (s.includes('*')) return floating(s);
    const min = parseNuGet(s);
    return min && { min, minInclusive: true, max: undefined, maxInclusive: false };
  }
  const m = /^([[(])\s*([^,\])]*?)\s*(?:(,)\s*([^,\])]*?)\s*)?([\])])$/.exec(s);
  if (!m) return undefined;
  const [, open, low = '', comma, high = '', close] = m;
  const minInclusive = open === '[';
  const maxInclusive = close === ']';
  if (!comma) {
    const v = parseNuGet(low);
    return v && minInclusive && maxInclusive ? { min: v, minInclusive, max: v, maxInclusive } : undefined;
  }
  const min = low === '' ? undefined : parseNuGet(low);
  const max = high === '' ? undefined : parseNuGet(high);
  if ((low !== '' && !min) || (high !== '' && !max) || (!min && !max)) return undefined;
  if (min && max && compareNuGet(min, max) > 0) return undefined;
  return { min, minInclusive, max, maxInclusive };
}

export function nugetSatisfies(v: NuGetVersion, r: NuGetRange): boolean {
  if (r.min) {
    const c = compareNuGet(v, r.min);
    if (c < 0 || (c === 0 && !r.minInclusive)) return false;
  }
  if (r.max) {
    const c = compareNuGet(v, r.max);
    if (c > 0 || (c === 0 && !r.maxInclusive)) return false;
  }
  return true;
}
