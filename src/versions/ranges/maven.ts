/**
 * Maven version ranges (VersionRange.createFromVersionSpec): `[1.0,2.0)` with `[`/`]` inclusive
 * and `(`/`)` exclusive bounds, either bound may be empty (`(,1.0]`, `[1.5,)`), `[1.0]` is
 * exactly 1.0, and comma-separated ranges are a union (`(,1.0],[1.2,)`). A bare version is a
 * "soft requirement": Maven treats it as a recommendation that any version satisfies.
 */
import { MAX_RANGE_LENGTH } from '../types.ts';
import { compareMaven, parseMaven, type MavenVersion } from '../maven.ts';
import { inInterval, type Interval } from './ops.ts';

type Restriction = Interval<MavenVersion>;
export interface MavenRange { readonly restrictions: readonly Restriction[] | 'any' }

function restriction(spec: string): Restriction | undefined {
  const lowerInclusive = spec.startsWith('[');
  const upperInclusive = spec.endsWith(']');
  const body = spec.slice(1, -1).trim();
  const comma = body.indexOf(',');
  if (comma < 0) {
    // [1.0] is exactly 1.0; (1.0) is meaningless.
    if (!lowerInclusive || !upperInclusive || body === '') return undefined;
    const v = parseMaven(body);
    return v && { lower: v, lowerInclusive: true, upper: v, upperInclusive: true };
  }
  const lowText = body.slice(0, comma).trim();
  const highText = body.slice(comma + 1).trim();
  if (highText.includes(',')) return undefined;
  // Boundaries out of order are refused; identical ones ([1.0,1.0]) Maven 3.8 accepts.
  const lower = lowText === '' ? undefined : parseMaven(lowText);
  const upper = highText === '' ? undefined : parseMaven(highText);
  if ((lowText !== '' && !lower) || (highText !== '' && !upper)) return undefined;
  if (lower && upper && compareMaven(lower, upper) > 0) return undefined;
  return { lower, lowerInclusive, upper, upperInclusive };
}

export function parseMavenRange(text: string): MavenRange | undefined {
  let rest = text.trim();
  if (rest.length === 0 || rest.length > MAX_RANGE_LENGTH) return undefined;
  if (!rest.startsWith('[') && !rest.startsWith('(')) return parseMaven(rest) ? { restrictions: 'any' } : undefined;
  const restrictions: Restriction[] = [];
  while (rest.startsWith('[') || rest.startsWith('(')) {
    const end = rest.search(/[\])]/);
    if (end < 0) return undefined;
    const r = restriction(rest.slice(0, end + 1));
    if (!r) return undefined;
    // Each range must start at or after the end of the previous one (Maven: "Ranges overlap").
    const previous = restrictions.at(-1);
    if (previous?.upper && (!r.lower || compareMaven(r.lower, previous.upper) < 0)) return undefined;
    restrictions.push(r);
    rest = rest.slice(end + 1).trim();
    if (rest.startsWith(',')) rest = rest.slice(1).trim();
  }
  return rest === '' ? { restrictions } : undefined;
}

export function mavenSatisfies(v: MavenVersion, range: MavenRange): boolean {
  if (range.restrictions === 'any') return true;
  return range.restrictions.some((r) => inInterval(v, r, compareMaven));
}
