/**
 * The policy stage: the selector language, policy files (thresholds, Calico's
 * ContainerAdmissionPolicy, exceptions) and admission evaluation. Findings → status, exception
 * application and VEX come later.
 */
export * from './selector/index.ts';
export * from './documents/index.ts';
export {
  evaluateAdmission, evaluateWorkloadAdmission, MAX_IMAGE_REFERENCE_LENGTH,
} from './admission.ts';
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
