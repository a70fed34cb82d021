import { createRequire } from 'node:module';
import type * as SpdxModule from '@cyclonedx/cyclonedx-library/SPDX';

// The SPDX list (the CycloneDX library's, without the rest of it) is read on first use: reports
// that check no license (json) should not parse its 60 KB schema at start-up.
type Spdx = typeof SpdxModule;
let spdx: Spdx | undefined;
const spdxList = (): Spdx => (spdx ??= createRequire(import.meta.url)('@cyclonedx/cyclonedx-library/SPDX') as Spdx);

/**
 * Whether a license string from a package database is a valid SPDX license expression (ids
 * from the SPDX list, `+`, LicenseRef-, AND/OR/WITH and parentheses). Databases mix SPDX
 * expressions ("MIT OR Apache-2.0", apk) with free text ("GPLv2+", older rpm); only the former
 * may be declared as SPDX expressions, the rest are carried as names.
 */
export function isSpdxExpression(text: string): boolean {
  const tokens = text.replace(/[()]/g, ' $& ').trim().split(/\s+/);
  if (tokens.length === 0 || tokens[0] === '') return false;
  let depth = 0;
  let expectOperand = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '(') {
      if (!expectOperand) return false;
      depth++;
    } else if (t === ')') {
      if (expectOperand || --depth < 0) return false;
    } else if (t === 'AND' || t === 'OR') {
      if (expectOperand) return false;
      expectOperand = true;
    } else if (t === 'WITH') {
      // WITH takes a license exception id; accept any id-shaped token.
      const next = tokens[++i];
      if (expectOperand || !next || !/^[A-Za-z0-9.-]+$/.test(next)) return false;
    } else {
      if (!expectOperand) return false;
      const id = t.endsWith('+') ? t.slice(0, -1) : t;
      if (!spdxList().isSupportedSpdxId(id) && !/^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(t)) return false;
      expectOperand = false;
    }
  }
  return !expectOperand && depth === 0;
}
