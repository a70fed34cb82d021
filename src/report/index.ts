/** Reports: every format is a view of one ScanResult. */
import type { ReportOptions, ScanResult } from './types.ts';

export type { Artifact, ReportOptions, Reporter, ScanResult } from './types.ts';
export { jsonReport } from './json.ts';
export { isSpdxExpression } from './license.ts';

export const SCAN_FORMATS = ['table', 'json', 'sarif', 'cyclonedx', 'junit', 'html'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** JUnit for several images at once (one testsuite per image), for the gate. */
export async function renderJunitFor(results: readonly ScanResult[], options: ReportOptions): Promise<string> {
  return (await import('./junit.ts')).junitReportFor(results, options);
}

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
    case 'table':
      return (await import('./table.ts')).tableReport(result, options);
    case 'sarif':
      return (await import('./sarif.ts')).sarifReport(result, options);
    case 'junit':
      return (await import('./junit.ts')).junitReport(result, options);
    case 'html':
      return (await import('./html.ts')).htmlReport(result, options);
    default:
      throw new Error(`unknown report format "${format}"`);
  }
}
