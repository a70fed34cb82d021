import { PolicyError } from '../../errors.ts';
import { parseRfc3339 } from '../time.ts';

/**
 * Small structural checks for JSON documents from outside (VEX, reports): each names the JSON
 * path of what is wrong, and throws a PolicyError with one line: `FILE: PATH must be ...`.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export class JsonChecker {
  readonly file: string;
  readonly code: string;
  constructor(file: string, code: string) {
    this.file = file;
    this.code = code;
  }

  fail(path: string, message: string): never {
    throw new PolicyError(this.code, `${this.file}: ${path ? `${path} ` : ''}${message}`);
  }

  parse(text: string, what: string): Json {
    try {
      return JSON.parse(text.replace(/^\uFEFF/, '')) as Json;
    } catch (err) {
      return this.fail('', `is not a JSON ${what}: ${(err as Error).message}`);
    }
  }

  object(v: Json | undefined, path: string): JsonObject {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `must be an object, not ${describe(v)}`);
    return v;
  }

  array(v: Json | undefined, path: string, max: number): Json[] {
    if (!Array.isArray(v)) this.fail(path, `must be an array, not ${describe(v)}`);
    if (v.length > max) this.fail(path, `has ${v.length} entries; at most ${max} are allowed`);
    return v;
  }

  string(v: Json | undefined, path: string, max = 65_536): string {
    if (typeof v !== 'string') this.fail(path, `must be a string, not ${describe(v)}`);
    if (v.length > max) this.fail(path, `is longer than ${max} characters`);
    return v;
  }

  optionalString(o: JsonObject, key: string, path: string, max?: number): string | undefined {
    return o[key] === undefined ? undefined : this.string(o[key], join(path, key), max);
  }

  /** An RFC 3339 time, as milliseconds. */
  time(v: Json | undefined, path: string): number {
    const s = this.string(v, path, 64);
    const t = parseRfc3339(s);
    if (!t) this.fail(path, `${JSON.stringify(s)} is not an RFC 3339 time`);
    return t.getTime();
  }

  optionalTime(o: JsonObject, key: string, path: string): number | undefined {
    return o[key] === undefined ? undefined : this.time(o[key], join(path, key));
  }
}

export const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function describe(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}
