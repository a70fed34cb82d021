import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { PolicyError } from '../../errors.ts';
import { formatIssue } from '../documents/index.ts';
import { join, newContext, Reader } from '../documents/reader.ts';
import { parseRfc3339 } from '../time.ts';
import { parsePurl, purlError } from '../purl.ts';
import type { Purl } from '../purl.ts';
import { GlobSyntaxError, pathGlobToRegExp } from './path-glob.ts';

/**
 * Trivy's ignore files, in both forms its documentation gives.
 *
 * Plain `.trivyignore`: one ID per line; blank lines and lines starting with `#` are skipped;
 * the first whitespace-separated word is the ID, the rest of the line is free text (so
 * `CVE-2019-14697 # no impact` works) except a word `exp:YYYY-MM-DD`, the expiry.
 *
 * YAML `.trivyignore.yaml` (chosen, as Trivy chooses, by the `.yaml`/`.yml` extension):
 * `vulnerabilities:` a list of `{id, paths, purls, expired_at, statement}`; `misconfigurations`,
 * `secrets` and `licenses` are accepted (a file shared with Trivy keeps working) and unused,
 * since Portcullis reports vulnerabilities only.
 *
 * Expiry as Trivy computes it: the date is midnight UTC at its start, and the entry stops
 * applying once that instant has passed (`exp:2026-01-01` ignores through 2025-12-31). An
 * `expired_at` may also be a full RFC 3339 time.
 *
 * Where we are stricter than Trivy, each time because the lenient reading would silently
 * suppress findings or silently drop an entry: an unparsable expiry is an error (Trivy logs a
 * warning and drops the line); an unknown field or a purl or path pattern that does not parse is
 * an error with its line.
 */

export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;
export const MAX_IGNORE_ENTRIES = 20_000;
const MAX_LIST = 1000;

export interface IgnoreEntry {
  id: string;
  /** Doublestar patterns over the path of the file the package was read from (YAML only). */
  paths: string[];
  pathPatterns: RegExp[];
  /** Package URLs as constraints (YAML only): see purl.ts for how they match. */
  purls: string[];
  parsedPurls: Purl[];
  /** As written (`2026-01-01`). */
  expires?: string;
  /** The instant after which the entry no longer applies. */
  expiresAt?: Date;
  statement?: string;
  /** 1-based line of the entry. */
  line: number;
}

export interface IgnoreFile {
  file: string;
  format: 'plain' | 'yaml';
  entries: IgnoreEntry[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC at the start of a date, or an RFC 3339 instant; undefined if neither. */
function parseExpiredAt(s: string): Date | undefined {
  const m = DATE.exec(s);
  if (!m) return parseRfc3339(s);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? t : undefined;
}

export function isYamlIgnoreFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

export function parseIgnoreFile(text: string, file: string): IgnoreFile {
  if (Buffer.byteLength(text, 'utf8') > MAX_IGNORE_FILE_BYTES) {
    throw new PolicyError('IGNOREFILE_TOO_LARGE', `${file}: ignore file is larger than ${MAX_IGNORE_FILE_BYTES} bytes`);
  }
  return isYamlIgnoreFile(file) ? parseYaml(text, file) : parsePlain(text, file);
}

function parsePlain(text: string, file: string): IgnoreFile {
  const entries: IgnoreEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const id = fields[0]!;
    const where = `${file}:${i + 1}`;
    if (id.length > 256) throw new PolicyError('IGNOREFILE_INVALID', `${where}: ID longer than 256 characters`);
    const exp = fields.slice(1).find((f) => f.startsWith('exp:'));
    let expiresAt: Date | undefined;
    if (exp !== undefined) {
      expiresAt = DATE.test(exp.slice(4)) ? parseExpiredAt(exp.slice(4)) : undefined;
      if (!expiresAt) throw new PolicyError('IGNOREFILE_INVALID', `${where}: ${JSON.stringify(exp)} is not an expiry date (exp:YYYY-MM-DD)`);
    }
    if (entries.length >= MAX_IGNORE_ENTRIES) throw new PolicyError('IGNOREFILE_TOO_LARGE', `${file}: more than ${MAX_IGNORE_ENTRIES} entries`);
    entries.push({
      id, paths: [], pathPatterns: [], purls: [], parsedPurls: [], line: i + 1,
      ...(expiresAt ? { expires: exp!.slice(4), expiresAt } : {}),
    });
  });
  return { file, format: 'plain', entries };
}

const SECTIONS = ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses'] as const;
const ENTRY_FIELDS = ['id', 'paths', 'purls', 'expired_at', 'statement'] as const;

function parseYaml(text: string, file: string): IgnoreFile {
  const lineCounter = new LineCounter();
  const ctx = newContext(file, text, lineCounter);
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const fail = (): never => {
    const issues = ctx.issues.sort((a, b) => a.line - b.line || a.column - b.column);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
    throw new PolicyError('IGNOREFILE_INVALID', `${formatIssue(issues[0]!)}${more}`);
  };
  for (const e of doc.errors) {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    ctx.issues.push({ file, line, column: col, path: '', message: `YAML: ${e.message.split('\n')[0]}` });
  }
  if (ctx.issues.length) fail();
  const entries: IgnoreEntry[] = [];
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return { file, format: 'yaml', entries };
  const r = new Reader(ctx, doc);
  if (!isMap(root)) {
    r.issue(root, '', `must be a mapping with ${SECTIONS.join(', ')}`);
    fail();
  }
  const top = r.fields(root, '', SECTIONS, { context: 'an ignore file' });
  const list = top && r.list(top.values.get('vulnerabilities'), 'vulnerabilities', MAX_IGNORE_ENTRIES);
  list?.items.forEach((item, i) => {
    const path = join('vulnerabilities', i);
    const e = r.fields(item, path, ENTRY_FIELDS, { required: ['id'], context: 'an ignore entry' });
    if (!e) return;
    const v = e.values;
    const id = r.string(v.get('id'), join(path, 'id'), { maxLength: 256 });
    const strs = (key: string, each: (s: string, node: Node, p: string) => unknown): string[] =>
      v.has(key) ? r.strings(v.get(key), join(path, key), MAX_LIST, (s, node, p) => (each(s, node, p) === undefined ? undefined : s)) ?? [] : [];
    const pathPatterns: RegExp[] = [];
    const paths = strs('paths', (s, node, p) => {
      try {
        pathPatterns.push(pathGlobToRegExp(s));
        return s;
      } catch (err) {
        if (!(err instanceof GlobSyntaxError)) throw err;
        r.issue(node, p, `${JSON.stringify(s)} is not a path pattern: ${err.message}`);
        return undefined;
      }
    });
    const parsedPurls: Purl[] = [];
    const purls = strs('purls', (s, node, p) => {
      const purl = parsePurl(s);
      if (purl) parsedPurls.push(purl);
      else r.issue(node, p, `${JSON.stringify(s)} is not a package URL: ${purlError(s) ?? 'invalid'}`);
      return purl;
    });
    let expires: string | undefined;
    let expiresAt: Date | undefined;
    if (v.has('expired_at')) {
      expires = r.string(v.get('expired_at'), join(path, 'expired_at'), { maxLength: 64 });
      expiresAt = expires === undefined ? undefined : parseExpiredAt(expires);
      if (expires !== undefined && !expiresAt) {
        r.issue(v.get('expired_at'), join(path, 'expired_at'), `${JSON.stringify(expires)} is neither a date (2026-03-31) nor an RFC 3339 time`);
      }
    }
    const statement = v.has('statement') ? r.string(v.get('statement'), join(path, 'statement')) : undefined;
    if (id === undefined) return;
    entries.push({
      id, paths, pathPatterns, purls, parsedPurls, line: r.pos(item)?.line ?? 0,
      ...(expires !== undefined && expiresAt ? { expires, expiresAt } : {}),
      ...(statement !== undefined ? { statement } : {}),
    });
  });
  if (ctx.issues.length) fail();
  return { file, format: 'yaml', entries };
}
