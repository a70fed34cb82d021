import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Node, YAMLError } from 'yaml';
import { ManifestError } from './errors.ts';
import type { KubeObject, LoadedObject, ManifestLimits } from './types.ts';
import { DEFAULT_MANIFEST_LIMITS } from './types.ts';

/**
 * Text → Kubernetes objects. One parser for YAML and JSON (JSON is YAML 1.2 flow syntax), so
 * `helm template` output (`# Source:` comments, empty documents), `kustomize build` output and
 * `kubectl get -o json` all read the same way and every error carries a line.
 *
 * As kubectl's decoder (sigs.k8s.io/yaml on YAML 1.1) does: `yes`/`no` are booleans, merge keys
 * work, and a duplicated key keeps its last value — reported as a warning, because what
 * Kubernetes applies is the last one and that is the image we must judge.
 */

const MAX_LIST_NESTING = 8;

export interface ParseResult {
  objects: LoadedObject[];
  warnings: string[];
}

/** Parse one input; `file` names it in messages. Throws ManifestError (code MANIFEST_PARSE) with file:line. */
export function parseManifests(text: string, file: string, limits: ManifestLimits = DEFAULT_MANIFEST_LIMITS, budget = { objects: 0 }): ParseResult {
  const lineCounter = new LineCounter();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const docs = parseAllDocuments(body, { lineCounter, version: '1.1', merge: true, uniqueKeys: false });
  const objects: LoadedObject[] = [];
  const warnings: string[] = [];
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const [i, doc] of list.entries()) {
    const document = i + 1;
    const err = doc.errors[0];
    if (err) throw new ManifestError('MANIFEST_PARSE', yamlErrorMessage(err, file, document));
    for (const w of doc.warnings) warnings.push(`${file}:${lineOf(w.pos[0])}: ${firstLine(w.message)}`);
    duplicateKeys(doc.contents, file, lineOf, warnings);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (e) {
      throw new ManifestError('MANIFEST_PARSE', `${file}:${lineOf(doc.range[0])}: ${firstLine((e as Error).message)}`);
    }
    if (value === null || value === undefined) continue; // empty document (Helm leaves many)
    checkDepth(value, limits.maxDepth, `${file}:${lineOf(doc.range[0])}`);
    collect(value, doc.contents, { file, document, line: lineOf(nodeStart(doc.contents) ?? doc.range[0]) }, 0);
  }
  return { objects, warnings };

  function collect(value: unknown, node: unknown, source: LoadedObject['source'], nesting: number): void {
    if (!isObject(value)) {
      throw new ManifestError('MANIFEST_SHAPE', `${source.file}:${source.line}: a Kubernetes object must be a mapping, not ${describe(value)}`);
    }
    const kind = value['kind'];
    const items = value['items'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
      if (nesting >= MAX_LIST_NESTING) {
        throw new ManifestError('MANIFEST_LIMIT', `${source.file}:${source.line}: Lists nested more than ${MAX_LIST_NESTING} deep`);
      }
      const seq = isMap(node) ? node.get('items', true) : undefined;
      for (const [j, item] of items.entries()) {
        const itemNode = isSeq(seq) ? seq.items[j] : undefined;
        const start = nodeStart(itemNode);
        collect(item, itemNode, start === undefined ? source : { ...source, line: lineOf(start) }, nesting + 1);
      }
      return;
    }
    if (++budget.objects > limits.maxObjects) {
      throw new ManifestError('MANIFEST_LIMIT', `${source.file}: more than ${limits.maxObjects} Kubernetes objects`);
    }
    objects.push({ object: value, source });
  }
}

/** `file:line:col: invalid YAML: reason` — the yaml package's message without its code excerpt. */
export function yamlErrorMessage(err: YAMLError, file: string, document: number): string {
  const pos = err.linePos?.[0];
  const where = pos ? `${file}:${pos.line}:${pos.col}` : `${file} (document ${document})`;
  return `${where}: invalid YAML: ${firstLine(err.message).replace(/ at line \d+, column \d+:?$/, '')}`;
}

function duplicateKeys(root: unknown, file: string, lineOf: (o: number | undefined) => number, warnings: string[]): void {
  // Iterative walk: the document depth is only checked after toJS.
  const stack: unknown[] = [root];
  let seen = 0;
  while (stack.length > 0 && seen++ < 1_000_000) {
    const node = stack.pop();
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined) {
          if (keys.has(key)) warnings.push(`${file}:${lineOf(nodeStart(pair.key))}: duplicate key "${key}": the last value is used, as Kubernetes does`);
          keys.add(key);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    }
  }
}

function nodeStart(node: unknown): number | undefined {
  return node && typeof node === 'object' && 'range' in node ? (node as Node).range?.[0] : undefined;
}

function checkDepth(root: unknown, max: number, where: string): void {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) throw new ManifestError('MANIFEST_LIMIT', `${where}: nested more than ${max} levels deep`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}

export function isObject(v: unknown): v is KubeObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value at a path of mapping keys, or undefined where the path leaves the mappings. */
export function at(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) v = isObject(v) ? v[k] : undefined;
  return v;
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'a sequence' : typeof v === 'string' ? 'a string' : String(typeof v);
}

const firstLine = (s: string): string => s.split('\n')[0]!.trim();
