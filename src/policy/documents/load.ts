import { isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { readAdmissionPolicy } from './admission-policy.ts';
import { readException } from './exception.ts';
import { readTextFile } from '../read-file.ts';
import { PolicyValidationError } from './issues.ts';
import type { PolicyIssue } from './issues.ts';
import { issueAt, join, newContext, Reader, suggest } from './reader.ts';
import type { ReaderContext } from './reader.ts';
import { defaultThresholds, readThresholds } from './thresholds.ts';
import type { ContainerAdmissionPolicy, PolicyException, PolicySet, ScanStatusThresholds, SourcePos } from './types.ts';

/** Policy files are hand-written; a megabyte is far beyond any real one. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;
/** Documents per file (items of a `kind: List` count too). */
export const MAX_POLICY_DOCUMENTS = 1000;

export const PORTCULLIS_API = 'portcullis.dev/v1';
export const CALICO_API = 'containersecurity.tigera.io/v1beta1';

const KINDS: Record<string, readonly string[]> = {
  ScanStatusThresholds: [PORTCULLIS_API],
  ContainerAdmissionPolicy: [CALICO_API, PORTCULLIS_API],
  Exception: [PORTCULLIS_API],
};
const KIND_NAMES = Object.keys(KINDS);

const TOP_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];
/** What `kubectl get -o yaml` adds; accepted so exported resources load unchanged, then ignored. */
const TOP_IGNORED = ['status'];
const META_FIELDS = ['name', 'namespace'];
const META_IGNORED = [
  'labels', 'annotations', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'managedFields', 'finalizers', 'ownerReferences', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds',
];
// Kubernetes object names: DNS subdomain (Calico's docs also allow '_').
const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;

interface Collected {
  thresholds: { value: ScanStatusThresholds; node: Node }[];
  policies: ContainerAdmissionPolicy[];
  exceptions: PolicyException[];
  names: Map<string, SourcePos | undefined>;
  documents: number;
}

export interface PolicyCheck {
  /** Present when there are no issues. */
  policySet?: PolicySet;
  /** Every problem found, in file order. */
  issues: PolicyIssue[];
}

/** The policy that applies when no file is given: Calico's default thresholds, nothing else. */
export function defaultPolicySet(): PolicySet {
  const thresholds = defaultThresholds();
  return { thresholds, admissionPolicies: [], exceptions: [], unknownImageAction: thresholds.unknownImageAction };
}

/** Policies by `order` (absent = after every ordered one), then by name, as Calico orders them. */
export function comparePolicies(a: ContainerAdmissionPolicy, b: ContainerAdmissionPolicy): number {
  const ao = a.order ?? Infinity;
  const bo = b.order ?? Infinity;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function readDocument(r: Reader, root: Node | undefined, path: string, out: Collected, inList: boolean): void {
  const top = r.fields(root, path, [...TOP_FIELDS, ...(inList ? [] : ['items'])], { ignored: TOP_IGNORED, context: 'a policy document' });
  if (!top) return;
  const v = top.values;
  const at = (k: string): string => join(path, k);
  const apiVersion = r.string(v.get('apiVersion'), at('apiVersion'), { maxLength: 256 });
  const kind = r.string(v.get('kind'), at('kind'), { maxLength: 256 });
  if (!v.has('apiVersion')) r.issue(top.node, at('apiVersion'), 'is required');
  if (!v.has('kind')) r.issue(top.node, at('kind'), 'is required');
  if (apiVersion === undefined || kind === undefined) return;

  if (kind === 'List' && !inList) {
    readList(r, top.values, path, out);
    return;
  }
  if (v.has('items')) r.issue(v.get('items'), at('items'), `is not a field of ${kind}`);
  const versions = KINDS[kind];
  if (!versions) {
    r.issue(v.get('kind'), at('kind'), `${JSON.stringify(kind)} is not a policy kind (${KIND_NAMES.join(', ')})${suggest(kind, KIND_NAMES)}`);
    return;
  }
  if (!versions.includes(apiVersion)) {
    r.issue(v.get('apiVersion'), at('apiVersion'), `must be ${versions.join(' or ')} for ${kind}, not ${JSON.stringify(apiVersion)}`);
    return;
  }

  const meta = r.fields(v.get('metadata'), at('metadata'), META_FIELDS, { ignored: META_IGNORED, context: 'metadata' });
  if (!v.has('metadata')) r.issue(top.node, at('metadata'), 'is required');
  const name = meta ? r.string(meta.values.get('name'), join(at('metadata'), 'name'), { maxLength: 253, pattern: NAME, patternText: 'a valid name (letters, digits, ".", "_", "-")' }) : undefined;
  if (meta && !meta.values.has('name')) r.issue(meta.node, join(at('metadata'), 'name'), 'is required');
  if (meta?.values.has('namespace')) {
    const instead = kind === 'Exception' ? 'spec.namespaces' : kind === 'ContainerAdmissionPolicy' ? 'spec.namespaceSelector' : 'nothing: it applies cluster-wide';
    r.issue(meta.values.get('namespace'), join(at('metadata'), 'namespace'), `must not be set: ${kind} is cluster-scoped (use ${instead})`);
  }
  if (!v.has('spec')) {
    r.issue(top.node, at('spec'), 'is required');
    return;
  }
  if (name === undefined) return;

  const key = `${kind}/${name}`;
  const pos = r.pos(top.node);
  if (out.names.has(key)) {
    const first = out.names.get(key);
    r.issue(meta?.values.get('name'), join(at('metadata'), 'name'), `${kind} ${JSON.stringify(name)} is defined twice${first ? ` (first at line ${first.line})` : ''}`);
    return;
  }
  out.names.set(key, pos);
  const spec = v.get('spec');
  switch (kind) {
    case 'ScanStatusThresholds': {
      const t = readThresholds(r, name, spec, at('spec'));
      t.source = pos;
      out.thresholds.push({ value: t, node: top.node });
      break;
    }
    case 'ContainerAdmissionPolicy': {
      const p = readAdmissionPolicy(r, name, apiVersion, spec, at('spec'), pos);
      if (p) out.policies.push(p);
      break;
    }
    case 'Exception': {
      const e = readException(r, name, spec, at('spec'), pos);
      if (e) out.exceptions.push(e);
      break;
    }
  }
}

/** `kind: List` with `items`, the form `kubectl get ... -o yaml` writes. */
function readList(r: Reader, v: Map<string, Node>, path: string, out: Collected): void {
  const itemsPath = join(path, 'items');
  const list = r.list(v.get('items'), itemsPath, MAX_POLICY_DOCUMENTS);
  if (!list) return;
  list.items.forEach((item, i) => {
    if (++out.documents > MAX_POLICY_DOCUMENTS) {
      if (out.documents === MAX_POLICY_DOCUMENTS + 1) r.issue(item, join(itemsPath, i), `the file has more than ${MAX_POLICY_DOCUMENTS} documents`);
      return;
    }
    readDocument(r, item, join(itemsPath, i), out, true);
  });
}

function yamlIssues(ctx: ReaderContext, doc: Document.Parsed): void {
  for (const e of [...doc.errors, ...doc.warnings]) {
    const first = e.message.split('\n')[0] ?? e.message;
    // An unquoted value starting with '!' is a YAML tag, so `selector: !has(x)` loses its text.
    const hint = e.code === 'TAG_RESOLVE_FAILED' ? " (a value starting with '!' must be quoted, e.g. \"!has(x)\")" : '';
    issueAt(ctx, e.pos[0], '', `YAML: ${first}${hint}`);
  }
}

function isEmptyDocument(doc: Document.Parsed): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null && !c.tag);
}

/** Validate a policy file's text; never throws for problems in the text, reports them all. */
export function checkPolicy(text: string, file = 'policy.yaml'): PolicyCheck {
  const lineCounter = new LineCounter();
  const ctx = newContext(file, text, lineCounter);
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_FILE_BYTES) {
    issueAt(ctx, undefined, '', `is larger than ${MAX_POLICY_FILE_BYTES} bytes`);
    return { issues: ctx.issues };
  }
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const out: Collected = { thresholds: [], policies: [], exceptions: [], names: new Map(), documents: 0 };
  for (const doc of docs) {
    yamlIssues(ctx, doc);
    if (doc.errors.length > 0 || isEmptyDocument(doc)) continue;
    if (++out.documents > MAX_POLICY_DOCUMENTS) {
      issueAt(ctx, doc.contents?.range?.[0] ?? doc.range[0], '', `the file has more than ${MAX_POLICY_DOCUMENTS} documents`);
      break;
    }
    const root = doc.contents as Node;
    if (!isMap(root)) {
      issueAt(ctx, root.range?.[0], '', 'each document must be a mapping with apiVersion, kind, metadata and spec');
      continue;
    }
    readDocument(new Reader(ctx, doc), root, '', out, false);
  }

  if (out.documents === 0 && ctx.issues.length === 0) {
    // Most likely the wrong file: an empty policy would silently mean "defaults only".
    issueAt(ctx, undefined, '', 'contains no policy documents');
  }
  for (const extra of out.thresholds.slice(1)) {
    issueAt(ctx, extra.node.range?.[0], '', `only one ScanStatusThresholds document is allowed (${out.thresholds[0]?.value.name} is the first)`);
  }
  const issues = ctx.issues.sort((a, b) => a.line - b.line || a.column - b.column);
  if (issues.length > 0) return { issues };
  const thresholds = out.thresholds[0]?.value ?? defaultThresholds();
  return {
    issues,
    policySet: {
      file,
      thresholds,
      admissionPolicies: out.policies.sort(comparePolicies),
      exceptions: out.exceptions,
      unknownImageAction: thresholds.unknownImageAction,
    },
  };
}

/** Parse a policy file's text; throws PolicyValidationError listing every problem. */
export function parsePolicy(text: string, file = 'policy.yaml'): PolicySet {
  const { policySet, issues } = checkPolicy(text, file);
  if (!policySet) throw new PolicyValidationError(issues);
  return policySet;
}

/** A policy file's text (PolicyError when it cannot be read, is too large or is not UTF-8). */
export async function readPolicyText(path: string): Promise<string> {
  return readTextFile(path, MAX_POLICY_FILE_BYTES, 'policy file', 'POLICY');
}

export async function loadPolicyFile(path: string): Promise<PolicySet> {
  return parsePolicy(await readPolicyText(path), path);
}
