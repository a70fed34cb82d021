import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ManifestError } from './errors.ts';
import { compilePath } from './json-path.ts';
import type { CompiledPath } from './json-path.ts';
import { isObject, yamlErrorMessage } from './parse.ts';

/**
 * Where images live in custom resources, configured by the user (`--image-paths FILE`):
 *
 * ```yaml
 * - apiVersion: apps.example.com/v1   # optional; `group/*` for any version
 *   kind: Pipeline
 *   paths: ["spec.components[*].image", "spec.sidecar.image"]
 * ```
 *
 * A mapping with an `imagePaths:` list is read the same way. Entries apply to built-in kinds
 * too, adding to what discovery already finds there.
 */

export interface ImagePathRule {
  apiVersion?: string;
  kind: string;
  paths: CompiledPath[];
}

export const MAX_IMAGE_PATH_RULES = 500;
const MAX_CONFIG_BYTES = 1024 * 1024;

export function parseImagePaths(text: string, file: string): ImagePathRule[] {
  const { objects } = parseManifestsLoose(text, file);
  const bad = (where: string, why: string): never => {
    throw new ManifestError('BAD_IMAGE_PATHS', `${file}: ${where}: ${why}`);
  };
  if (objects.length === 0) return [];
  if (objects.length > 1) bad('document 2', 'expected one document');
  let list: unknown = objects[0];
  if (isObject(list)) list = list['imagePaths'];
  if (!Array.isArray(list)) bad('top level', 'expected a list of {apiVersion?, kind, paths} entries (or imagePaths: [...])');
  const entries = list as unknown[];
  if (entries.length > MAX_IMAGE_PATH_RULES) bad('top level', `more than ${MAX_IMAGE_PATH_RULES} entries`);
  return entries.map((e, i) => {
    const at = `entry ${i + 1}`;
    if (!isObject(e)) return bad(at, 'not a mapping');
    for (const k of Object.keys(e)) if (!['apiVersion', 'kind', 'paths'].includes(k)) bad(at, `unknown field "${k}"`);
    const { apiVersion, kind, paths } = e;
    if (typeof kind !== 'string' || kind === '') bad(at, 'kind must be a non-empty string');
    if (apiVersion !== undefined && (typeof apiVersion !== 'string' || apiVersion === '')) bad(at, 'apiVersion must be a non-empty string');
    if (!Array.isArray(paths) || paths.length === 0) bad(at, 'paths must be a non-empty list');
    const compiled = (paths as unknown[]).map((p) => {
      if (typeof p !== 'string') return bad(at, 'every path must be a string');
      try {
        return compilePath(p);
      } catch (err) {
        return bad(at, (err as Error).message);
      }
    });
    return { ...(apiVersion === undefined ? {} : { apiVersion: apiVersion as string }), kind: kind as string, paths: compiled };
  });
}

function parseManifestsLoose(text: string, file: string): { objects: unknown[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const objects: unknown[] = [];
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const err = doc.errors[0];
    if (err) throw new ManifestError('BAD_IMAGE_PATHS', yamlErrorMessage(err, file, i + 1));
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) objects.push(value);
  }
  return { objects };
}

export async function loadImagePaths(file: string): Promise<ImagePathRule[]> {
  const buf = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new ManifestError('BAD_IMAGE_PATHS', `${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  if (buf.length > MAX_CONFIG_BYTES) throw new ManifestError('BAD_IMAGE_PATHS', `${file}: larger than ${MAX_CONFIG_BYTES} bytes`);
  return parseImagePaths(buf.toString('utf8'), file);
}

export function ruleApplies(rule: ImagePathRule, apiVersion: string, kind: string): boolean {
  if (rule.kind !== kind) return false;
  if (rule.apiVersion === undefined) return true;
  if (rule.apiVersion.endsWith('/*')) return apiVersion.startsWith(rule.apiVersion.slice(0, -1));
  return rule.apiVersion === apiVersion;
}
