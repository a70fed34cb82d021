import { join, JsonChecker } from './json-check.ts';
import type { Json, JsonObject } from './json-check.ts';
import { OPENVEX_JUSTIFICATIONS, VEX_STATUSES } from './types.ts';
import type { VexComponent, VexDocument, VexProduct, VexStatement, VexStatus } from './types.ts';

/**
 * OpenVEX 0.2.0 documents (https://openvex.dev/ns/v0.2.0), checked against the structure the
 * specification and its JSON schema require: `@context`, `@id`, `author`, `timestamp`,
 * `version` and at least one statement; each statement a `vulnerability` with a `name` and a
 * `status` of the four; `not_affected` with a `justification` (one of the five) or an
 * `impact_statement`; `affected` with an `action_statement`; products and subcomponents with an
 * `@id` or `identifiers`.
 *
 * Fields the schema does not know are not errors here (another tool's extension must not make
 * a scan fail), but are listed in the document's warnings. Identifiers we cannot match (CPEs)
 * are kept out of the products and warned about: a product we cannot recognise suppresses
 * nothing.
 *
 * A statement's time is its `last_updated`, else its `timestamp`, else the document's
 * `last_updated`, else the document's `timestamp`: the latest statement about a vulnerability
 * and product is the one that holds (see match.ts).
 */

export const MAX_STATEMENTS = 100_000;
export const MAX_PRODUCTS = 10_000;

const DOC_FIELDS = ['@context', '@id', 'author', 'role', 'timestamp', 'last_updated', 'version', 'tooling', 'statements'];
const STATEMENT_FIELDS = [
  '@id', 'version', 'vulnerability', 'timestamp', 'last_updated', 'products', 'status', 'supplier', 'status_notes',
  'justification', 'impact_statement', 'action_statement', 'action_statement_timestamp',
];
const HASH_ALGS: Readonly<Record<string, string>> = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

export function isOpenVex(doc: Json): boolean {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && typeof doc['@context'] === 'string'
    && doc['@context'].startsWith('https://openvex.dev/ns');
}

function unknownFields(o: JsonObject, known: readonly string[], path: string, warnings: string[]): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) warnings.push(`${join(path, k)} is not an OpenVEX field: ignored`);
}

function component(c: JsonChecker, v: Json | undefined, path: string, warnings: string[]): VexComponent {
  const o = c.object(v, path);
  const ids: string[] = [];
  const hashes: string[] = [];
  const id = c.optionalString(o, '@id', path, 4096);
  if (id !== undefined) ids.push(id);
  if (o.identifiers !== undefined) {
    const idents = c.object(o.identifiers, join(path, 'identifiers'));
    const purl = c.optionalString(idents, 'purl', join(path, 'identifiers'), 4096);
    if (purl !== undefined) ids.push(purl);
    for (const k of ['cpe22', 'cpe23']) {
      if (idents[k] !== undefined) warnings.push(`${join(join(path, 'identifiers'), k)}: CPE identifiers are not matched`);
    }
  }
  if (id === undefined && o.identifiers === undefined) c.fail(path, 'needs an @id or identifiers');
  if (o.hashes !== undefined) {
    const h = c.object(o.hashes, join(path, 'hashes'));
    for (const [alg, value] of Object.entries(h)) {
      const hex = c.string(value, join(join(path, 'hashes'), alg), 256).toLowerCase();
      const ours = HASH_ALGS[alg];
      if (ours && /^[0-9a-f]+$/.test(hex)) hashes.push(`${ours}:${hex}`);
    }
  }
  return { ids, hashes };
}

function product(c: JsonChecker, v: Json | undefined, path: string, warnings: string[]): VexProduct {
  const base = component(c, v, path, warnings);
  const o = c.object(v, path);
  const subcomponents = o.subcomponents === undefined ? []
    : c.array(o.subcomponents, join(path, 'subcomponents'), MAX_PRODUCTS).map((s, i) => component(c, s, join(join(path, 'subcomponents'), i), warnings));
  return { ...base, subcomponents };
}

export function parseOpenVex(doc: Json, file: string): VexDocument {
  const c = new JsonChecker(file, 'VEX_INVALID');
  const o = c.object(doc, '');
  const warnings: string[] = [];
  unknownFields(o, DOC_FIELDS, '', warnings);
  const context = c.string(o['@context'], '@context', 256);
  if (!context.startsWith('https://openvex.dev/ns')) c.fail('@context', `${JSON.stringify(context)} is not an OpenVEX context`);
  const id = c.string(o['@id'], '@id', 4096);
  const author = c.string(o.author, 'author', 4096);
  const timestamp = c.string(o.timestamp, 'timestamp', 64);
  const docTime = c.optionalTime(o, 'last_updated', '') ?? c.time(o.timestamp, 'timestamp');
  if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1) c.fail('version', 'must be an integer of at least 1');
  const list = c.array(o.statements, 'statements', MAX_STATEMENTS);
  if (list.length === 0) c.fail('statements', 'must not be empty');

  const statements: VexStatement[] = list.map((raw, i) => {
    const path = join('statements', i);
    const s = c.object(raw, path);
    unknownFields(s, STATEMENT_FIELDS, path, warnings);
    const vp = join(path, 'vulnerability');
    const vuln = c.object(s.vulnerability, vp);
    const name = c.string(vuln.name, join(vp, 'name'), 256);
    const aliases = vuln.aliases === undefined ? [] : c.array(vuln.aliases, join(vp, 'aliases'), 1000).map((a, j) => c.string(a, join(join(vp, 'aliases'), j), 256));
    const vulnId = c.optionalString(vuln, '@id', vp, 4096);
    if (vulnId !== undefined) aliases.push(vulnId);
    const status = c.string(s.status, join(path, 'status'), 64);
    if (!(VEX_STATUSES as readonly string[]).includes(status)) c.fail(join(path, 'status'), `must be one of ${VEX_STATUSES.join(', ')}, not ${JSON.stringify(status)}`);
    const justification = c.optionalString(s, 'justification', path, 128);
    if (justification !== undefined && !(OPENVEX_JUSTIFICATIONS as readonly string[]).includes(justification)) {
      c.fail(join(path, 'justification'), `must be one of ${OPENVEX_JUSTIFICATIONS.join(', ')}, not ${JSON.stringify(justification)}`);
    }
    const impactStatement = c.optionalString(s, 'impact_statement', path);
    const actionStatement = c.optionalString(s, 'action_statement', path);
    const statusNotes = c.optionalString(s, 'status_notes', path);
    if (status === 'not_affected' && justification === undefined && impactStatement === undefined) {
      c.fail(path, 'is not_affected without a justification or an impact_statement');
    }
    if (status === 'affected' && actionStatement === undefined) c.fail(path, 'is affected without an action_statement');
    const time = c.optionalTime(s, 'last_updated', path) ?? c.optionalTime(s, 'timestamp', path) ?? docTime;
    const products = s.products === undefined ? []
      : c.array(s.products, join(path, 'products'), MAX_PRODUCTS).map((p, j) => product(c, p, join(join(path, 'products'), j), warnings));
    if (products.length === 0) warnings.push(`${path} names no products: it applies to nothing`);
    return {
      path, vulnerability: name, aliases, status: status as VexStatus, time, products,
      ...(justification !== undefined ? { justification } : {}),
      ...(impactStatement !== undefined ? { impactStatement } : {}),
      ...(actionStatement !== undefined ? { actionStatement } : {}),
      ...(statusNotes !== undefined ? { statusNotes } : {}),
    };
  });
  return { file, format: 'openvex', id, author, timestamp, statements, warnings };
}
