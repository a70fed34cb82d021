/**
 * NuGet version ranges (learn.microsoft.com "Package versioning", "Version ranges"): `1.0`
 * means 1.0 or higher, `[1.0]` exactly 1.0, `(1.0,)` above, `(,1.0]` up to, `[1.0,2.0)` a
 * mixed interval; a floating `1.*` (highest match) is read as the interval it floats in.
 */
import { MAX_RANGE_LENGTH } from '../types.ts';
import { compareNuGet, parseNuGet, type NuGetVersion } from '../nuget.ts';
import { inInterval, type Interval } from './ops.ts';

export type NuGetRange = Interval<NuGetVersion>;

/** `1.*`, `1.2.*`: from the prefix (inclusive) to the next prefix (exclusive). */
function floating(text: string): NuGetRange | undefined {
  const m = /^(\d+(?:\.\d+){0,2})\.\*$/.exec(text);
  if (!m) return text === '*' ? { lower: undefined, lowerInclusive: false, upper: undefined, upperInclusive: false } : undefined;
  const parts = (m[1] as string).split('.');
  const next = [...parts.slice(0, -1), (BigInt(parts.at(-1) as string) + 1n).toString()];
  return { lower: parseNuGet(parts.join('.')), lowerInclusive: true, upper: parseNuGet(`${next.join('.')}-0`), upperInclusive: false };
}

export function parseNuGetRange(text: string): NuGetRange | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > MAX_RANGE_LENGTH) return undefined;
  if (!/^[[(]/.test(s)) {
    if (s.includes('*')) return floating(s);
    const min = parseNuGet(s);
    return min && { lower: min, lowerInclusive: true, upper: undefined, upperInclusive: false };
  }
  const m = /^([[(])\s*([^,\])]*?)\s*(?:(,)\s*([^,\])]*?)\s*)?([\])])$/.exec(s);
  if (!m) return undefined;
  const [, open, low = '', comma, high = '', close] = m;
  const minInclusive = open === '[';
  const maxInclusive = close === ']';
  if (!comma) {
    const v = parseNuGet(low);
    return v && minInclusive && maxInclusive ? { lower: v, lowerInclusive: true, upper: v, upperInclusive: true } : undefined;
  }
  const min = low === '' ? undefined : parseNuGet(low);
  const max = high === '' ? undefined : parseNuGet(high);
  if ((low !== '' && !min) || (high !== '' && !max) || (!min && !max)) return undefined;
  if (min && max && compareNuGet(min, max) > 0) return undefined;
  return { lower: min, lowerInclusive: minInclusive, upper: max, upperInclusive: maxInclusive };
}

export function nugetSatisfies(v: NuGetVersion, r: NuGetRange): boolean {
  return inInterval(v, r, compareNuGet);
}
