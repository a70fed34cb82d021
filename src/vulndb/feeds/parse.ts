/** Whole-document parsing for the small per-record files (OSV records, CVE 5 records, secdb files). */
import { parse as parseYamlText } from 'yaml';
import { FeedError } from '../../errors.ts';

export function parseJson(bytes: Buffer, what: string): unknown {
  try {
    // A UTF-8 byte order mark is not JSON but some mirrors write one.
    const text = bytes.toString('utf8');
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new FeedError('FEED_PARSE', `${what}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

/**
 * YAML with every scalar kept as a string (the failsafe schema, plus null): feeds write versions
 * such as `1.10` and `0` unquoted, and the core schema would turn them into numbers (1.1, 0) and
 * timestamps into something else again. Aliases are capped by the yaml library (billion laughs).
 */
export function parseYaml(bytes: Buffer, what: string): unknown {
  try {
    return parseYamlText(bytes.toString('utf8'), { schema: 'failsafe', customTags: ['null'], maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    const first = ((err as Error).message ?? String(err)).split('\n')[0];
    throw new FeedError('FEED_PARSE', `${what}: not valid YAML (${first})`, { cause: err });
  }
}

/** JSON or YAML by the file name (`.yaml`/`.yml`), else by the first non-blank character. */
export function parseDocument(bytes: Buffer, name: string, what: string): unknown {
  const lower = name.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return parseYaml(bytes, what);
  if (lower.endsWith('.json')) return parseJson(bytes, what);
  const first = bytes.toString('utf8', 0, Math.min(bytes.length, 64)).replace(/^\ufeff/, '').trimStart()[0];
  return first === '{' || first === '[' ? parseJson(bytes, what) : parseYaml(bytes, what);
}
