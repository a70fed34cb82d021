/**
 * Test helper: the CVSS v3.0/v3.1 base score of a vector, by the formulas of FIRST's
 * specification (v3.1 section 7.1 and Appendix A's Roundup; v3.0 rounds up to one decimal
 * directly). Fixtures use it to prove that every score they state is the score of its vector.
 */

const AV: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Record<string, number> = { L: 0.77, H: 0.44 };
const UI: Record<string, number> = { N: 0.85, R: 0.62 };
const CIA: Record<string, number> = { H: 0.56, L: 0.22, N: 0 };

function roundup31(x: number): number {
  const i = Math.round(x * 100_000);
  return i % 10_000 === 0 ? i / 100_000 : (Math.floor(i / 10_000) + 1) / 10;
}

export function cvss3BaseScore(vector: string): number {
  const [prefix, ...parts] = vector.split('/');
  if (prefix !== 'CVSS:3.1' && prefix !== 'CVSS:3.0') throw new Error(`not a CVSS v3 vector: ${vector}`);
  const m = new Map(parts.map((p) => p.split(':') as [string, string]));
  const get = (k: string, table: Record<string, number>): number => {
    const v = table[m.get(k) ?? ''];
    if (v === undefined) throw new Error(`bad ${k} in ${vector}`);
    return v;
  };
  const changed = m.get('S') === 'C';
  const pr = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[m.get('PR') as 'N' | 'L' | 'H'];
  if (pr === undefined) throw new Error(`bad PR in ${vector}`);
  const iss = 1 - (1 - get('C', CIA)) * (1 - get('I', CIA)) * (1 - get('A', CIA));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * get('AV', AV) * get('AC', AC) * pr * get('UI', UI);
  if (impact <= 0) return 0;
  const raw = Math.min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10);
  return prefix === 'CVSS:3.1' ? roundup31(raw) : Math.ceil(raw * 10) / 10;
}
