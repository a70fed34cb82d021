/**
 * The policy stage: the selector language, policy files (thresholds, Calico's
 * ContainerAdmissionPolicy, exceptions), VEX, ignore files, the scan decision every door takes
 * (decideScan) and admission evaluation.
 */
export * from './selector/index.ts';
export * from './documents/index.ts';
export {
  evaluateAdmission, evaluateWorkloadAdmission, MAX_IMAGE_REFERENCE_LENGTH,
} from './admission.ts';
export { DEFAULT_ADMISSION_POLICY_YAML, defaultAdmissionPolicies } from './default-admission.ts';
export type {
  AdmissionAction, AdmissionDecision, AdmissionOptions, AdmissionStep, CriterionResult, ImageUnderReview,
  WorkloadContext, WorkloadDecision,
} from './admission.ts';
export { parseExpiry, parseRfc3339, subtractCalendar } from './time.ts';
export {
  compareFindings, describeFinding, evaluateStatus, isFixable, MAX_FINDINGS_PER_REASON, nameFindings, SEVERITY_BAND_FLOOR,
  sortWorstFirst, statusScore, worstFindings,
} from './status/index.ts';
export type { DescribeOptions, ScoreBasis, StatusCheck, StatusCheckName, StatusContext, StatusScore } from './status/index.ts';
export { applyExceptions, exceptionsToOpenVex, expiredExceptions, imagePurl } from './exceptions/index.ts';
export type {
  ExceptionContext, ExceptionResult, ExpiredException, NamespaceScopedException, OpenVexExport, OpenVexExportContext,
} from './exceptions/index.ts';
export {
  decideScan, IGNORABLE_STATUSES, parseSeverityList, parseStatusList, scanExitStatus, summarize,
} from './decide.ts';
export type { ScanPolicyInputs, ScanPolicyOptions } from './decide.ts';
export { loadScanPolicy, MAX_VEX_FILES } from './load-inputs.ts';
export type { ScanPolicyFiles } from './load-inputs.ts';
export { applyIgnoreFile, isIgnoreEntryExpired, MAX_IGNORE_FILE_BYTES, parseIgnoreFile } from './ignorefile/index.ts';
export type { ExpiredIgnoreEntry, IgnoreEntry, IgnoreFile, IgnoreResult } from './ignorefile/index.ts';
export { applyVex, MAX_VEX_FILE_BYTES, parseVex, readVexFile } from './vex/index.ts';
export type { VexContext, VexDocument, VexResult, VexStatement, VexStatus } from './vex/index.ts';
export { explainReport, findingsBeforeExceptions, formatExplanation } from './explain.ts';
export type { ExplainInput, ExplainStep, Explanation } from './explain.ts';
export { MAX_REPORT_BYTES, parseScanReport, readScanReport } from './report-file.ts';
export { parsePurl, purlMatches } from './purl.ts';
export type { Purl } from './purl.ts';
