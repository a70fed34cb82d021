import { PolicyError } from '../errors.ts';
import { defaultAdmissionPolicies } from './default-admission.ts';
import { comparePolicies } from './documents/index.ts';
import type {
  AdmissionRule, ContainerAdmissionPolicy, LastScanMatch, PathMatch, PolicySet, RuleAction, ScanStatus, StatusMatch,
} from './documents/index.ts';
import { matches } from './selector/index.ts';
import type { Labels } from './selector/index.ts';
import { subtractCalendar } from './time.ts';

/**
 * Pure evaluation of Calico's ContainerAdmissionPolicy for one image of one workload.
 *
 * Order of evaluation (Calico's): policies by `order`, lowest first (no order = last, ties by
 * name). A policy applies when its `selector` matches the workload's labels and its
 * `namespaceSelector` the namespace's labels. Within an applicable policy, rules are tried in
 * order; a rule matches when every criterion it has matches (a rule with none matches every
 * image); the first matching rule decides, with its `action`.
 *
 * What Calico's documentation does not spell out, decided here:
 * - An applicable policy in which no rule matches does not decide: evaluation continues with
 *   the next applicable policy, as a Calico network policy with no matching rule passes the
 *   packet on to the next policy.
 * - With no ContainerAdmissionPolicy at all, the built-in `portcullis-default` applies
 *   (default-admission.ts): Fail and Unknown are rejected.
 * - When no rule of any policy matches (or no policy applies), the image is allowed
 *   (`defaultAction`, default Allow). Every documented Calico example ends its rules with a bare
 *   `- action: Reject` to get the opposite, which only makes sense if the implicit outcome is
 *   Allow; and with no policy at all, a Kubernetes validating webhook admits.
 * - `imageLastScan` cannot hold for an image that was never scanned (no `lastScan`): neither
 *   "scanned after" nor "scanned before" a point in time is true of it.
 *
 * Warn: Calico's rules only Allow or Reject. We add a third outcome for the webhook and the
 * gate: an admitted image whose scan status is not Pass (Warn, Fail allowed by an explicit rule,
 * or Unknown) gets action `Warn` — it is admitted, and the reason goes to the admission
 * response's `warnings`, which kubectl prints and Argo CD shows.
 */

export type AdmissionAction = 'Allow' | 'Warn' | 'Reject';

/** Image references longer than this are not references (Docker caps a name at 255). */
export const MAX_IMAGE_REFERENCE_LENGTH = 1024;

export interface WorkloadContext {
  /** Labels of the pod-creating resource (Deployment, Pod, ...). */
  labels: Labels;
  /** Labels of its namespace. */
  namespaceLabels: Labels;
  /**
   * Namespace name. When given, the automatic labels Calico and Kubernetes put on a namespace
   * (`projectcalico.org/name`, `kubernetes.io/metadata.name`) and on a workload
   * (`projectcalico.org/namespace`) are added unless already present, so selectors written for
   * Calico that use them keep working.
   */
  namespace?: string;
}

export interface ImageUnderReview {
  /** The image reference (normalised: `docker.io/library/nginx:1.27`); `imagePath` matches it. */
  image: string;
  digest?: string;
  status: ScanStatus;
  /** When the image was last scanned; absent if never. */
  lastScan?: Date;
}

export interface CriterionResult {
  criterion: 'imageScanStatus' | 'imagePath' | 'imageLastScan';
  matched: boolean;
  message: string;
}

export type AdmissionStep =
  | { kind: 'policy'; policy: string; order?: number; applicable: boolean; message: string }
  | {
    kind: 'rule'; policy: string; ruleIndex: number; action: RuleAction; matched: boolean;
    criteria: CriterionResult[]; message: string;
  }
  | { kind: 'default'; action: RuleAction; message: string };

export interface AdmissionDecision {
  action: AdmissionAction;
  /** Whether the image is admitted (Allow and Warn). */
  allowed: boolean;
  /** The action that decided: the matching rule's, or the default. */
  ruleAction: RuleAction;
  /** The deciding policy and rule index; null when the default decided. */
  policy: string | null;
  ruleIndex: number | null;
  /** In Calico's words: `Action 'Reject' enforced by ContainerPolicy reject-failed rule index 1`. */
  message: string;
  /** `message`, then what Calico never said: the image, its digest, status and last scan. */
  reasons: string[];
  /** For the admission response's `warnings` (non-empty exactly when action is Warn). */
  warnings: string[];
  /** Every policy considered and every rule tried, in order. */
  steps: AdmissionStep[];
  image: string;
  digest?: string;
  status: ScanStatus;
}

export interface AdmissionOptions {
  /** Outcome when no rule of any applicable policy matches. Default Allow (see above). */
  defaultAction?: RuleAction;
}

const list = (values: readonly string[]): string => `[${values.join(', ')}]`;

function policyLabel(p: ContainerAdmissionPolicy): string {
  return `ContainerPolicy ${p.name}${p.order === undefined ? '' : ` (order ${p.order})`}`;
}

function withAutomaticLabels(workload: WorkloadContext): { labels: Labels; namespaceLabels: Labels } {
  const ns = workload.namespace;
  if (ns === undefined) return workload;
  return {
    labels: { 'projectcalico.org/namespace': ns, ...workload.labels },
    namespaceLabels: { 'projectcalico.org/name': ns, 'kubernetes.io/metadata.name': ns, ...workload.namespaceLabels },
  };
}

function applicability(p: ContainerAdmissionPolicy, labels: Labels, namespaceLabels: Labels, namespace: string | undefined): AdmissionStep {
  const ns = namespace === undefined ? 'the namespace' : `namespace ${namespace}`;
  const base = { kind: 'policy' as const, policy: p.name, ...(p.order === undefined ? {} : { order: p.order }) };
  if (!matches(p.selector, labels)) {
    return { ...base, applicable: false, message: `${policyLabel(p)} does not apply: selector ${p.selector.text} does not match the workload's labels` };
  }
  if (!matches(p.namespaceSelector, namespaceLabels)) {
    return { ...base, applicable: false, message: `${policyLabel(p)} does not apply: namespaceSelector ${p.namespaceSelector.text} does not match ${ns}` };
  }
  return { ...base, applicable: true, message: `${policyLabel(p)} applies: selector ${p.selector.text} matches the workload, namespaceSelector ${p.namespaceSelector.text} matches ${ns}` };
}

function checkStatus(m: StatusMatch, status: ScanStatus): CriterionResult {
  const isIn = m.values.includes(status);
  const matched = m.operator === 'IsOneOf' ? isIn : !isIn;
  const relation = isIn ? 'is one of' : 'is not one of';
  return { criterion: 'imageScanStatus', matched, message: `scan status ${status} ${relation} ${list(m.values)} (${m.operator})` };
}

function checkPath(m: PathMatch, image: string): CriterionResult {
  const hit = m.patterns.findIndex((re) => re.test(image));
  const matched = m.operator === 'IsOneOf' ? hit >= 0 : hit < 0;
  const relation = hit >= 0 ? `matches ${m.values[hit]}` : `matches none of ${list(m.values)}`;
  return { criterion: 'imagePath', matched, message: `image ${image} ${relation} (${m.operator})` };
}

function checkLastScan(m: LastScanMatch, lastScan: Date | undefined, now: Date): CriterionResult {
  const at = m.time ?? subtractCalendar(now, m.duration);
  const what = m.time ? at.toISOString() : `${at.toISOString()} (now minus ${describeDuration(m.duration)})`;
  const word = m.operator === 'gt' ? 'after' : 'before';
  if (!lastScan) {
    return { criterion: 'imageLastScan', matched: false, message: `the image was never scanned, so not scanned ${word} ${what} (${m.operator})` };
  }
  const matched = m.operator === 'gt' ? lastScan.getTime() > at.getTime() : lastScan.getTime() < at.getTime();
  return { criterion: 'imageLastScan', matched, message: `last scan ${lastScan.toISOString()} is ${matched ? '' : 'not '}${word} ${what} (${m.operator})` };
}

function describeDuration(d: { days: number; months: number; years: number }): string {
  const parts = (['years', 'months', 'days'] as const).filter((u) => d[u] !== 0).map((u) => `${d[u]} ${d[u] === 1 ? u.slice(0, -1) : u}`);
  return parts.length > 0 ? parts.join(' ') : '0 days';
}

function evaluateRule(p: ContainerAdmissionPolicy, rule: AdmissionRule, index: number, image: ImageUnderReview, now: Date): AdmissionStep & { kind: 'rule' } {
  const criteria: CriterionResult[] = [];
  if (rule.imageScanStatus) criteria.push(checkStatus(rule.imageScanStatus, image.status));
  if (rule.imagePath) criteria.push(checkPath(rule.imagePath, image.image));
  if (rule.imageLastScan) criteria.push(checkLastScan(rule.imageLastScan, image.lastScan, now));
  const matched = criteria.every((c) => c.matched);
  const head = `${p.name} rule index ${index} (${rule.action})`;
  const message = criteria.length === 0
    ? `${head} has no criteria: matches every image`
    : `${head} ${matched ? 'matches' : 'does not match'}: ${criteria.map((c) => c.message).join('; ')}`;
  return { kind: 'rule', policy: p.name, ruleIndex: index, action: rule.action, matched, criteria, message };
}

function describeImage(image: ImageUnderReview): string {
  const digest = image.digest ? ` (${image.digest})` : '';
  const scanned = image.lastScan ? `, last scanned ${image.lastScan.toISOString()}` : ', never scanned';
  return `image ${image.image}${digest}: scan status ${image.status}${scanned}`;
}

function checkInput(image: ImageUnderReview, now: Date): void {
  if (image.image.length > MAX_IMAGE_REFERENCE_LENGTH) {
    throw new PolicyError('BAD_ADMISSION_INPUT', `image reference longer than ${MAX_IMAGE_REFERENCE_LENGTH} characters`);
  }
  if (Number.isNaN(now.getTime()) || (image.lastScan && Number.isNaN(image.lastScan.getTime()))) {
    throw new PolicyError('BAD_ADMISSION_INPUT', `invalid time for ${image.image}`);
  }
}

/** The decision for one image of a workload. `now` is the clock imageLastScan durations count from. */
export function evaluateAdmission(
  policies: PolicySet | readonly ContainerAdmissionPolicy[],
  workload: WorkloadContext,
  image: ImageUnderReview,
  now: Date,
  options: AdmissionOptions = {},
): AdmissionDecision {
  checkInput(image, now);
  // A PolicySet is already in evaluation order; a bare list may not be.
  const given = 'admissionPolicies' in policies ? policies.admissionPolicies : [...policies].sort(comparePolicies);
  const ordered = given.length > 0 ? given : defaultAdmissionPolicies();
  const { labels, namespaceLabels } = withAutomaticLabels(workload);
  const steps: AdmissionStep[] = [];
  for (const p of ordered) {
    const step = applicability(p, labels, namespaceLabels, workload.namespace);
    steps.push(step);
    if (step.kind !== 'policy' || !step.applicable) continue;
    for (const [i, rule] of p.rules.entries()) {
      const r = evaluateRule(p, rule, i, image, now);
      steps.push(r);
      if (r.matched) {
        return decide(image, steps, rule.action, p.name, i, `Action '${rule.action}' enforced by ContainerPolicy ${p.name} rule index ${i}`);
      }
    }
  }
  const action = options.defaultAction ?? 'Allow';
  const why = steps.some((s) => s.kind === 'policy' && s.applicable) ? 'no rule of an applicable ContainerPolicy matched' : 'no ContainerPolicy applies';
  const message = `Action '${action}' by default: ${why}`;
  steps.push({ kind: 'default', action, message });
  return decide(image, steps, action, null, null, message);
}

function decide(image: ImageUnderReview, steps: AdmissionStep[], ruleAction: RuleAction, policy: string | null, ruleIndex: number | null, message: string): AdmissionDecision {
  const allowed = ruleAction === 'Allow';
  const warn = allowed && image.status !== 'Pass';
  const detail = describeImage(image);
  const warnings = warn ? [`${detail}; admitted: ${message}`] : [];
  return {
    action: !allowed ? 'Reject' : warn ? 'Warn' : 'Allow',
    allowed,
    ruleAction,
    policy,
    ruleIndex,
    message,
    reasons: [message, detail],
    warnings,
    steps,
    image: image.image,
    ...(image.digest === undefined ? {} : { digest: image.digest }),
    status: image.status,
  };
}

export interface WorkloadDecision {
  /** Reject if any image is rejected, else Warn if any warns, else Allow. */
  action: AdmissionAction;
  allowed: boolean;
  /** One per image, in the order given. */
  decisions: AdmissionDecision[];
}

/** Every image of a workload (init and ephemeral containers included, as the caller lists them). */
export function evaluateWorkloadAdmission(
  policies: PolicySet | readonly ContainerAdmissionPolicy[],
  workload: WorkloadContext,
  images: readonly ImageUnderReview[],
  now: Date,
  options: AdmissionOptions = {},
): WorkloadDecision {
  const decisions = images.map((image) => evaluateAdmission(policies, workload, image, now, options));
  const action: AdmissionAction = decisions.some((d) => d.action === 'Reject') ? 'Reject'
    : decisions.some((d) => d.action === 'Warn') ? 'Warn' : 'Allow';
  return { action, allowed: action !== 'Reject', decisions };
}
