import { isObject, jsonDepth, str } from './json.ts';
import type { JsonObject } from './json.ts';
import { MAX_BODY_BYTES, MAX_JSON_DEPTH } from './limits.ts';

/**
 * Reading an AdmissionReview (admission.k8s.io/v1, and v1beta1 which has the same shape) from a
 * request body, with limits checked before anything is parsed. What is wrong with the body is a
 * ReviewError carrying the HTTP status and, where it could be read, the request's uid and
 * apiVersion so the answer can still be an AdmissionReview.
 */

export const ADMISSION_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionVersion = (typeof ADMISSION_VERSIONS)[number];
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequest {
  apiVersion: AdmissionVersion;
  uid: string;
  kind: GroupVersionKind;
  subResource?: string;
  operation: Operation;
  namespace: string;
  name: string;
  /** userInfo.username. */
  user: string;
  object?: JsonObject;
  oldObject?: JsonObject;
  dryRun: boolean;
}

export class ReviewError extends Error {
  readonly httpStatus: number;
  readonly uid: string;
  readonly apiVersion: AdmissionVersion;
  constructor(httpStatus: number, message: string, uid = '', apiVersion: AdmissionVersion = 'admission.k8s.io/v1') {
    super(message);
    this.httpStatus = httpStatus;
    this.uid = uid;
    this.apiVersion = apiVersion;
  }
}

const MAX_UID = 128;
/** Below this many bytes, JSON.parse of even the deepest nesting is cheap; above it, count first. */
const DEPTH_CHECK_FROM = 16 * 1024;
const MAX_NAME = 512;

/** Whether a Content-Type header says JSON (`application/json`, with or without parameters). */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function gvk(v: unknown): GroupVersionKind | undefined {
  if (!isObject(v)) return undefined;
  const group = v.group ?? '';
  const { version, kind } = v;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string' || kind === '') return undefined;
  if (group.length > 253 || version.length > 63 || kind.length > 63) return undefined;
  return { group, version, kind };
}

/** Parse and validate a request body; throws ReviewError. */
export function parseAdmissionReview(body: Buffer): AdmissionRequest {
  if (body.length > MAX_BODY_BYTES) throw new ReviewError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
  if (body.length === 0) throw new ReviewError(400, 'empty request body: expected an AdmissionReview');
  const text = body.toString('utf8');
  // Small bodies cannot nest deeply enough to cost anything; only large ones are counted first.
  if (body.length > DEPTH_CHECK_FROM && jsonDepth(text) > MAX_JSON_DEPTH) throw new ReviewError(400, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ReviewError(400, 'request body is not JSON: expected an AdmissionReview');
  }
  if (!isObject(doc)) throw new ReviewError(400, 'request body is not a JSON object: expected an AdmissionReview');
  const request = doc.request;
  const rawUid = str(request, 'uid');
  const uid = rawUid !== undefined && rawUid.length <= MAX_UID ? rawUid : '';
  const apiVersion = doc.apiVersion;
  const version = ADMISSION_VERSIONS.find((v) => v === apiVersion);
  const fail = (message: string): never => { throw new ReviewError(400, message, uid, version); };
  if (doc.kind !== 'AdmissionReview') fail('kind must be AdmissionReview');
  if (!version) fail(`apiVersion must be one of ${ADMISSION_VERSIONS.join(', ')}`);
  if (!isObject(request)) fail('AdmissionReview has no request');
  const req = request as JsonObject;
  if (rawUid === undefined || rawUid === '') fail('request.uid is missing');
  if (uid === '') fail(`request.uid is longer than ${MAX_UID} characters`);
  const kind = gvk(req.kind);
  if (!kind) fail('request.kind must be {group, version, kind}');
  const operation = OPERATIONS.find((o) => o === req.operation);
  if (!operation) fail(`request.operation must be one of ${OPERATIONS.join(', ')}`);
  const object = req.object;
  const oldObject = req.oldObject;
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isObject(object)) fail(`request.object is required for ${operation}`);
  if (object !== undefined && object !== null && !isObject(object)) fail('request.object must be an object');
  if (oldObject !== undefined && oldObject !== null && !isObject(oldObject)) fail('request.oldObject must be an object');
  const subResource = str(req, 'subResource');
  const namespace = str(req, 'namespace') ?? '';
  const name = str(req, 'name') ?? str(isObject(object) ? object.metadata : undefined, 'name') ?? '';
  const user = str(req.userInfo, 'username') ?? '';
  if (req.dryRun !== undefined && req.dryRun !== null && typeof req.dryRun !== 'boolean') fail('request.dryRun must be a boolean');
  if (namespace.length > 253 || name.length > MAX_NAME || user.length > MAX_NAME || (subResource?.length ?? 0) > 63) {
    fail('request namespace, name, user or subResource is too long');
  }
  return {
    apiVersion: version as AdmissionVersion,
    uid,
    kind: kind as GroupVersionKind,
    ...(subResource ? { subResource } : {}),
    operation: operation as Operation,
    namespace,
    name,
    user,
    ...(isObject(object) ? { object } : {}),
    ...(isObject(oldObject) ? { oldObject } : {}),
    dryRun: req.dryRun === true,
  };
}
