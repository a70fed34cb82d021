import { describeFinding } from '../policy/index.ts';
import type { ScanStatus } from '../policy/index.ts';
import type { DecisionRecord } from '../store/index.ts';
import type { ImageVerdict, Outcome } from './decide.ts';
import { MAX_FINDINGS_IN_MESSAGE, MAX_MESSAGE_BYTES, MAX_WARNING_CHARS, MAX_WARNINGS } from './limits.ts';
import type { AdmissionRequest, AdmissionVersion } from './review.ts';

/**
 * The AdmissionReview response and the audit record, from an Outcome.
 *
 * A denial is what a person reads in `kubectl apply` or Argo CD's sync result, so it says, in at
 * most MAX_MESSAGE_BYTES: which image (and digest), its status and the worst findings with their
 * fixed versions, the policy and rule that decided (Calico's words), and how to get an exception.
 */

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: AdmissionVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export interface ResponseOptions {
  /** Where to ask for an exception (a team, a channel), added to every denial. */
  exceptionContact?: string;
}

// C0/C1 controls and line separators: image strings come from whoever wrote the spec.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function clean(s: string, max = 300): string {
  const t = s.replace(CONTROL, '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Cut a string to a byte budget at a character boundary. */
function fitBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = s.slice(0, max);
  while (Buffer.byteLength(out) > max - 3) out = out.slice(0, -1);
  return `${out}…`;
}

function named(v: ImageVerdict): string {
  const ref = clean(v.reference ?? v.image, 200);
  return v.digest && !ref.includes(v.digest) ? `${ref} (${v.digest})` : ref;
}

/** The first line of a status reason, without its list of findings (those are named separately). */
function headline(reason: string): string {
  return clean(reason.split(' — ')[0] ?? reason, 160);
}

function scanNote(v: ImageVerdict): string {
  switch (v.scan) {
    case 'queued': case 'pending': return '; a scan is queued: retry in a few minutes';
    case 'full': return '; the scan queue is full: scan it with `portcullis scan --store`';
    case 'unavailable': return '; scan it with `portcullis scan --store`';
    case 'dry-run': return '; no scan queued for a dry run';
    default: return '';
  }
}

function describeRejection(v: ImageVerdict, findings: number): string {
  if (v.source === 'error') return `image ${clean(v.image, 200)} is ${v.rule}`;
  if (v.source === 'unknown') return `image ${named(v)} has no scan result (${clean(v.rule, 200)})${scanNote(v)}`;
  const why = v.reasons[0] ? ` (${headline(v.reasons[0])})` : '';
  const worst = v.worst.slice(0, findings).map((f) => describeFinding(f, { severity: true }));
  return `image ${named(v)} is ${v.status}${why}${worst.length ? `: ${worst.join('; ')}` : ''}; ${v.rule}`;
}

/** The denial message: every rejected image as detailed as the budget allows. */
export function denialMessage(kind: string, req: AdmissionRequest, rejected: ImageVerdict[], options: ResponseOptions): string {
  const where = `${kind} ${req.namespace ? `${clean(req.namespace, 63)}/` : ''}${clean(req.name || '(unnamed)', 120)}`;
  const hasFindings = rejected.some((v) => v.source === 'store');
  const help = hasFindings
    ? `. To fix: rebuild with the fixed versions. To accept a risk: add an Exception (portcullis.dev/v1) to the policy${options.exceptionContact ? ` (ask ${clean(options.exceptionContact, 120)})` : ''}.`
    : '';
  const head = `portcullis denied ${where}: `;
  const budget = MAX_MESSAGE_BYTES - Buffer.byteLength(head) - Buffer.byteLength(help);
  // Fewer findings per image until every rejected image fits; then fewer images.
  for (let n = MAX_FINDINGS_IN_MESSAGE; n >= 0; n--) {
    const body = rejected.map((v) => describeRejection(v, n)).join('. ');
    if (Buffer.byteLength(body) <= budget) return head + body + help;
  }
  const parts: string[] = [];
  let used = 0;
  for (const [i, v] of rejected.entries()) {
    const more = rejected.length - i - 1;
    const part = describeRejection(v, 1);
    const tail = more > 0 ? `. And ${more} more image${more === 1 ? '' : 's'} rejected` : '';
    if (used + Buffer.byteLength(part) + Buffer.byteLength(tail) + 2 > budget) {
      parts.push(fitBytes(`and ${rejected.length - i} more image${rejected.length - i === 1 ? '' : 's'} rejected`, Math.max(0, budget - used)));
      break;
    }
    parts.push(part);
    used += Buffer.byteLength(part) + 2;
  }
  return fitBytes(head + parts.join('. ') + help, MAX_MESSAGE_BYTES);
}

function warningFor(v: ImageVerdict): string {
  const what = v.source === 'unknown'
    ? `has no scan result; admitted (${v.rule.split(':')[0]})${scanNote(v)}`
    : `is ${v.status}${v.reasons[0] ? ` (${headline(v.reasons[0])})` : ''}; admitted`;
  return fitBytes(`portcullis: image ${named(v)} ${what}`, MAX_WARNING_CHARS);
}

const STATUS_RANK: Record<ScanStatus, number> = { Pass: 0, Warn: 1, Unknown: 2, Fail: 3 };

export function worstStatus(images: readonly ImageVerdict[]): ScanStatus {
  let s: ScanStatus = 'Pass';
  for (const i of images) if (STATUS_RANK[i.status] > STATUS_RANK[s]) s = i.status;
  return s;
}

function imagesAnnotation(images: readonly ImageVerdict[]): string {
  return fitBytes(images.map((v) => `${clean(v.reference ?? v.image, 200)}${v.digest && !(v.reference ?? '').includes(v.digest) ? `@${v.digest}` : ''}=${v.action}/${v.status}`).join(', '), 2048);
}

/** The AdmissionReview to send back for a decided request. */
export function admissionResponse(req: AdmissionRequest, outcome: Outcome, options: ResponseOptions = {}): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid: req.uid, allowed: outcome.action !== 'Reject' };
  if (!outcome.judged) {
    response.auditAnnotations = { verdict: 'NotJudged', reason: clean(outcome.why, 200) };
  } else {
    const rejected = outcome.images.filter((i) => i.action === 'Reject');
    if (rejected.length > 0) {
      response.status = { code: 403, reason: 'Forbidden', message: denialMessage(outcome.kind, req, rejected, options) };
    }
    const warned = outcome.images.filter((i) => i.action === 'Warn');
    if (warned.length > 0 && rejected.length === 0) {
      // kube-apiserver keeps about 4 KiB of warnings per response: the first few, then a count.
      const shown = warned.slice(0, MAX_WARNINGS).map(warningFor);
      if (warned.length > MAX_WARNINGS) shown.push(`portcullis: and ${warned.length - MAX_WARNINGS} more images admitted with warnings`);
      response.warnings = shown;
    }
    response.auditAnnotations = {
      verdict: outcome.action,
      status: worstStatus(outcome.images),
      ...(outcome.images.length ? { images: imagesAnnotation(outcome.images) } : {}),
      ...(rejected[0] ? { rule: fitBytes(clean(rejected[0].rule, 500), 500) } : {}),
    };
  }
  return { apiVersion: req.apiVersion, kind: 'AdmissionReview', response };
}

/** A request that was read but cannot be judged (a spec no API server would accept): denied. */
export function invalidResponse(req: Pick<AdmissionRequest, 'uid' | 'apiVersion'>, message: string, code = 400): AdmissionReviewResponse {
  const reason = code === 413 ? 'RequestEntityTooLarge' : code === 500 ? 'InternalError' : code === 404 ? 'NotFound' : code === 405 ? 'MethodNotAllowed' : code === 415 ? 'UnsupportedMediaType' : 'BadRequest';
  return {
    apiVersion: req.apiVersion,
    kind: 'AdmissionReview',
    response: { uid: req.uid, allowed: false, status: { code, reason, message: fitBytes(`portcullis: ${clean(message, 900)}`, MAX_MESSAGE_BYTES) } },
  };
}

/** What the audit trail records of a judged request. */
export function decisionRecord(req: AdmissionRequest, outcome: Outcome & { judged: true }, at: Date): DecisionRecord {
  return {
    uid: req.uid,
    user: req.user,
    operation: req.operation,
    kind: outcome.kind,
    namespace: req.namespace,
    name: req.name,
    images: outcome.images.map((v) => ({
      image: v.reference ?? clean(v.image, 1024),
      ...(v.digest ? { digest: v.digest } : {}),
      status: v.status,
      action: v.action,
      source: v.source,
    })),
    action: outcome.action,
    status: worstStatus(outcome.images),
    reasons: outcome.images.filter((v) => v.action !== 'Allow').flatMap((v) => [`${named(v)}: ${v.rule}${scanNote(v)}`, ...v.reasons]),
    dryRun: req.dryRun,
    at,
  };
}
