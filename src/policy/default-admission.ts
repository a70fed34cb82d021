import { parsePolicy } from './documents/index.ts';
import type { ContainerAdmissionPolicy } from './documents/index.ts';

/**
 * What applies when a policy file has no ContainerAdmissionPolicy at all: reject images whose
 * scan status is Fail or Unknown, admit the rest (Warn ones with a warning). Calico's implicit
 * Allow would make a gate or webhook with only thresholds admit everything, which no one who
 * installs one wants; and every door must give the same answer for the same file, so the gate,
 * the webhook and `policy explain` all get this one from evaluateAdmission.
 */
export const DEFAULT_ADMISSION_POLICY_YAML = `apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata:
  name: portcullis-default
spec:
  selector: all()
  namespaceSelector: all()
  rules:
    - action: Reject
      imageScanStatus:
        operator: IsOneOf
        values: [Fail, Unknown]
    - action: Allow
`;

let parsed: readonly ContainerAdmissionPolicy[] | undefined;

export function defaultAdmissionPolicies(): readonly ContainerAdmissionPolicy[] {
  parsed ??= Object.freeze(parsePolicy(DEFAULT_ADMISSION_POLICY_YAML, 'built-in default').admissionPolicies);
  return parsed;
}
