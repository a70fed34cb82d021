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
