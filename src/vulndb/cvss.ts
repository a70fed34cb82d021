/**
 * CVSS vectors: parsing, validation and base scores, so that a vector published without its
 * score (OSV gives vectors only) still gets one. Formulas and weights are those of the FIRST
 * specifications: CVSS v2 (section 3.2.1), v3.0 and v3.1 (section 7.1 and Appendix A's Roundup).
 *
 * CVSS v4.0 vectors are parsed and validated but not scored: v4 scores come from an expert-made
 * table of MacroVector scores with interpolation, and every v4 vector in the feeds we read
 * either comes with its score (NVD, CVE 5) or with the publisher's own severity (GHSA).
 */
import type { Severity } from '../match/types.ts';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface CvssVector {
  version: CvssVersion;
  /** The vector as given, trimmed (and without the parentheses old NVD v2 vectors have). */
  vector: string;
  /** Metric abbreviation → value, base metrics and any others the vector carries. */
  metrics: ReadonlyMap<string, string>;
}

/** Allowed values per metric; the base metrics are the ones a vector must have. */
interface VersionSpec {
  base: Record<string, readonly string[]>;
  optional: Record<string, readonly string[]>;
}

const V2: VersionSpec = {
  base: { AV: ['L', 'A', 'N'], AC: ['H', 'M', 'L'], Au: ['M', 'S', 'N'], C: ['N', 'P', 'C'], I: ['N', 'P', 'C'], A: ['N', 'P', 'C'] },
  optional: {
    E: ['U', 'POC', 'F', 'H', 'ND'], RL: ['OF', 'TF', 'W', 'U', 'ND'], RC: ['UC', 'UR', 'C', 'ND'],
    CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'], TD: ['N', 'L', 'M', 'H', 'ND'], CR: ['L', 'M', 'H', 'ND'], IR: ['L', 'M', 'H', 'ND'], AR: ['L', 'M', 'H', 'ND'],
  },
};

const CIA3 = ['H', 'L', 'N'] as const;
const V3: VersionSpec = {
  base: { AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], PR: ['N', 'L', 'H'], UI: ['N', 'R'], S: ['U', 'C'], C: CIA3, I: CIA3, A: CIA3 },
  optional: {
    E: ['X', 'U', 'P', 'F', 'H'], RL: ['X', 'O', 'T', 'W', 'U'], RC: ['X', 'U', 'R', 'C'],
    CR: ['X', 'L', 'M', 'H'], IR: ['X', 'L', 'M', 'H'], AR: ['X', 'L', 'M', 'H'],
    MAV: ['X', 'N', 'A', 'L', 'P'], MAC: ['X', 'L', 'H'], MPR: ['X', 'N', 'L', 'H'], MUI: ['X', 'N', 'R'], MS: ['X', 'U', 'C'],
    MC: ['X', 'N', 'L', 'H'], MI: ['X', 'N', 'L', 'H'], MA: ['X', 'N', 'L', 'H'],
  },
};

const V4: VersionSpec = {
  base: {
    AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], AT: ['N', 'P'], PR: ['N', 'L', 'H'], UI: ['N', 'P', 'A'],
    VC: CIA3, VI: CIA3, VA: CIA3, SC: CIA3, SI: CIA3, SA: CIA3,
  },
  optional: {
    E: ['X', 'A', 'P', 'U'], CR: ['X', 'H', 'M', 'L'], IR: ['X', 'H', 'M', 'L'], AR: ['X', 'H', 'M', 'L'],
    MAV: ['X', 'N', 'A', 'L', 'P'], MAC: ['X', 'L', 'H'], MAT: ['X', 'N', 'P'], MPR: ['X', 'N', 'L', 'H'], MUI: ['X', 'N', 'P', 'A'],
    MVC: ['X', 'H', 'L', 'N'], MVI: ['X', 'H', 'L', 'N'], MVA: ['X', 'H', 'L', 'N'], MSC: ['X', 'H', 'L', 'N'],
    MSI: ['X', 'S', 'H', 'L', 'N'], MSA: ['X', 'S', 'H', 'L', 'N'],
    S: ['X', 'N', 'P'], AU: ['X', 'N', 'Y'], R: ['X', 'A', 'U', 'I'], V: ['X', 'D', 'C'], RE: ['X', 'L', 'M', 'H'],
    U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
  },
};

const SPECS: Record<CvssVersion, VersionSpec> = { '2.0': V2, '3.0': V3, '3.1': V3, '4.0': V4 };

/** Longest vector we look at; real ones are under 200 characters. */
const MAX_VECTOR = 512;

/** Parse a CVSS v2, v3.0, v3.1 or v4.0 vector; undefined when it is not a valid one. */
export function parseCvss(input: string): CvssVector | undefined {
  let vector = input.trim();
  if (vector.length === 0 || vector.length > MAX_VECTOR) return undefined;
  if (vector.startsWith('(') && vector.endsWith(')')) vector = vector.slice(1, -1);
  const parts = vector.split('/');
  let version: CvssVersion = '2.0';
  const prefix = /^CVSS:(\d\.\d)$/.exec(parts[0] ?? '');
  if (prefix) {
    const v = prefix[1];
    if (v !== '2.0' && v !== '3.0' && v !== '3.1' && v !== '4.0') return undefined;
    version = v;
    parts.shift();
  }
  const spec = SPECS[version];
  const metrics = new Map<string, string>();
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon <= 0) return undefined;
    const name = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const allowed = Object.hasOwn(spec.base, name) ? spec.base[name] : Object.hasOwn(spec.optional, name) ? spec.optional[name] : undefined;
    if (!allowed?.includes(value) || metrics.has(name)) return undefined;
    metrics.set(name, value);
  }
  for (const name of Object.keys(spec.base)) if (!metrics.has(name)) return undefined;
  return { version, vector, metrics };
}

function weight(table: Record<string, number>, value: string | undefined): number {
  const w = value === undefined ? undefined : table[value];
  if (w === undefined) throw new Error(`cvss: no weight for ${value}`); // parseCvss validated every value
  return w;
}

/** Appendix A of CVSS v3.1: round up to one decimal without floating-point surprises (4.0000001 → 4.1, 4.00000000001 → 4.0). */
export function roundUp(value: number): number {
  const scaled = Math.round(value * 100_000);
  return scaled % 10_000 === 0 ? scaled / 100_000 : (Math.floor(scaled / 10_000) + 1) / 10;
}

const CIA3_WEIGHT = { H: 0.56, L: 0.22, N: 0 };

function cvss3Base(m: ReadonlyMap<string, string>): number {
  const changed = m.get('S') === 'C';
  const av = weight({ N: 0.85, A: 0.62, L: 0.55, P: 0.2 }, m.get('AV'));
  const ac = weight({ L: 0.77, H: 0.44 }, m.get('AC'));
  const pr = weight(changed ? { N: 0.85, L: 0.68, H: 0.5 } : { N: 0.85, L: 0.62, H: 0.27 }, m.get('PR'));
  const ui = weight({ N: 0.85, R: 0.62 }, m.get('UI'));
  const c = weight(CIA3_WEIGHT, m.get('C'));
  const i = weight(CIA3_WEIGHT, m.get('I'));
  const a = weight(CIA3_WEIGHT, m.get('A'));
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av * ac * pr * ui;
  // v3.0 defines Roundup as plain ceiling to one decimal; v3.1's version only differs where
  // floating-point error made v3.0 calculators disagree, so one function serves both.
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

const CIA2_WEIGHT = { N: 0, P: 0.275, C: 0.66 };

function cvss2Base(m: ReadonlyMap<string, string>): number {
  const av = weight({ L: 0.395, A: 0.646, N: 1 }, m.get('AV'));
  const ac = weight({ H: 0.35, M: 0.61, L: 0.71 }, m.get('AC'));
  const au = weight({ M: 0.45, S: 0.56, N: 0.704 }, m.get('Au'));
  const c = weight(CIA2_WEIGHT, m.get('C'));
  const i = weight(CIA2_WEIGHT, m.get('I'));
  const a = weight(CIA2_WEIGHT, m.get('A'));
  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const exploitability = 20 * av * ac * au;
  const f = impact === 0 ? 0 : 1.176;
  const score = (0.6 * impact + 0.4 * exploitability - 1.5) * f;
  // round_to_1_decimal, half up; the epsilon absorbs binary error such as 4.35 → 4.3499999.
  return Math.max(0, Math.round(score * 10 + 1e-9) / 10);
}

/** The base score of a v2, v3.0 or v3.1 vector; undefined for v4.0 (see above) and for invalid vectors. */
export function cvssBaseScore(input: string | CvssVector): number | undefined {
  const parsed = typeof input === 'string' ? parseCvss(input) : input;
  if (!parsed) return undefined;
  if (parsed.version === '2.0') return cvss2Base(parsed.metrics);
  if (parsed.version === '3.0' || parsed.version === '3.1') return cvss3Base(parsed.metrics);
  return undefined;
}

/**
 * The qualitative rating of a score. v2 has no CRITICAL band (NVD's v2 ratings: 0–3.9 LOW,
 * 4–6.9 MEDIUM, 7–10 HIGH). A score of 0.0 ("None" in v3/v4) is reported as LOW: there is no
 * NONE severity in reports, and UNKNOWN would make it look like missing data.
 */
export function cvssSeverity(score: number, version: CvssVersion): Severity {
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  return 'LOW';
}
