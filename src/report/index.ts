/** Reports: every format is a view of one ScanResult. */
import type { ReportOptions, ScanResult } from './types.ts';

export type { Artifact, ReportOptions, Reporter, ScanResult } from './types.ts';
export { jsonReport } from './json.ts';
export { isSpdxExpression } from './license.ts';

export const SBOM_FORMATS = ['cyclonedx', 'spdx-json', 'json'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/**
 * Render a result in a format. Formats load on first use: the CycloneDX library alone would
 * add tens of milliseconds to every command's start-up.
 */
export async function renderReport(format: string, result: ScanResult, options: ReportOptions): Promise<string | Buffer> {
  switch (format) {
    case 'json':
      return (await import('./json.ts')).jsonReport(result, options);
    case 'cyclonedx':
      return (await import('./cyclonedx.ts')).cyclonedxReport(result, options);
    case 'spdx-json':
      return (await import('./spdx.ts')).spdxReport(result, options);
    default:
      throw new Error(`unknown report format "${format}"`);
  }
}
