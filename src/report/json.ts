import type { Reporter } from './types.ts';

/** DESIGN.md's JSON report: the result object itself, stably ordered. */
export const jsonReport: Reporter = (result) => `${JSON.stringify(result, null, 2)}\n`;
