/** Reading and validating policy files: ScanStatusThresholds, ContainerAdmissionPolicy, Exception. */
export {
  CALICO_API, checkPolicy, comparePolicies, defaultPolicySet, loadPolicyFile, MAX_POLICY_DOCUMENTS,
  MAX_POLICY_FILE_BYTES, parsePolicy, PORTCULLIS_API, readPolicyText,
} from './load.ts';
export type { PolicyCheck } from './load.ts';
export { formatIssue, PolicyValidationError } from './issues.ts';
export type { PolicyIssue } from './issues.ts';
export { DEFAULT_FAIL_THRESHOLD, DEFAULT_WARN_THRESHOLD, defaultThresholds } from './thresholds.ts';
export { compileImagePath, MAX_IMAGE_PATH_PATTERN } from './image-path.ts';
export { MAX_RULES } from './admission-policy.ts';
export { SCAN_STATUSES, SEVERITY_NAMES, UNKNOWN_IMAGE_ACTIONS } from './types.ts';
export type {
  AdmissionRule, ContainerAdmissionPolicy, ImagePattern, LastScanDuration, LastScanMatch, PackagePattern,
  PathMatch, PolicyException, PolicySet, RuleAction, ScanStatus, ScanStatusThresholds, SeverityName, SourcePos,
  StatusMatch, UnknownImageAction, ValuesOperator,
} from './types.ts';
