/** Findings → scan status: Calico's CVSS thresholds plus severity counts, KEV, EPSS, fixability, DB age, end of life. */
export { evaluateStatus } from './evaluate.ts';
export type { StatusCheck, StatusCheckName, StatusContext } from './evaluate.ts';
export { compareFindings, sortWorstFirst, worstFindings } from './order.ts';
export { describeFinding, MAX_FINDINGS_PER_REASON, nameFindings } from './describe.ts';
export type { DescribeOptions } from './describe.ts';
export { isFixable, maxCvssOf, SEVERITY_BAND_FLOOR, statusScore } from './score.ts';
export type { ScoreBasis, StatusScore } from './score.ts';
