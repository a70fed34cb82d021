import { join, JsonChecker } from './json-check.ts';
import type { Json, JsonObject } from './json-check.ts';
import { MAX_PRODUCTS, MAX_STATEMENTS } from './openvex.ts';
import type { VexDocument, VexProduct, VexStatement, VexStatus } from './types.ts';

/**
 * CycloneDX VEX: a BOM (1.4 or later) whose `vulnerabilities[]` carry an `analysis`. Each
 * vulnerability becomes one statement about the components its `affects[].ref` names. A ref is
 * a `bom-ref` of a component in the same BOM (metadata.component, components, nested
 * components), or a BOM-Link (`urn:cdx:SERIAL/VERSION#REF`) whose fragment is such a bom-ref or
 * a purl, or a purl itself (what tools that set bom-ref to the purl write).
 *
 * Analysis states map onto OpenVEX's statuses (see types.ts). A vulnerability without an
 * analysis says nothing about exploitability (it is a plain BOM finding): it is skipped with a
 * warning. `affects[].versions[].version` narrows a component to those versions; a version
 * range is not evaluated, so it narrows to nothing (warned).
 */

const STATE: Readonly<Record<string, VexStatus>> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};
const JUSTIFICATIONS = [
  'code_not_present', 'code_not_reachable', 'requires_configuration', 'requires_dependency', 'requires_environment',
  'protected_by_compiler', 'protected_at_runtime', 'protected_at_perimeter', 'protected_by_mitigating_control',
];
const HASH_ALGS: Readonly<Record<string, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const MAX_COMPONENTS = 200_000;
const MAX_DEPTH = 32;

export function isCycloneDx(doc: Json): boolean {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && doc.bomFormat === 'CycloneDX';
}

interface Known {
  ids: string[];
  hashes: string[];
}

function collectComponents(c: JsonChecker, o: JsonObject): Map<string, Known> {
  const byRef = new Map<string, Known>();
  let count = 0;
  const visit = (v: Json | undefined, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) c.fail(path, `nests components deeper than ${MAX_DEPTH}`);
    if (++count > MAX_COMPONENTS) c.fail(path, `more than ${MAX_COMPONENTS} components`);
    const comp = c.object(v, path);
    const ref = c.optionalString(comp, 'bom-ref', path, 4096);
    const ids: string[] = [];
    const hashes: string[] = [];
    const purl = c.optionalString(comp, 'purl', path, 4096);
    if (purl !== undefined) ids.push(purl);
    const name = c.optionalString(comp, 'name', path, 4096);
    const version = c.optionalString(comp, 'version', path, 4096);
    if (comp.type === 'container' && name !== undefined) {
      // An image: named by its reference, with its version (a digest or a tag) when given.
      if (version && /^sha(256|384|512):[0-9a-f]+$/.test(version)) hashes.push(version);
      else ids.push(version && !name.includes('@') ? `${name}:${version}` : name);
    }
    if (comp.hashes !== undefined) {
      c.array(comp.hashes, join(path, 'hashes'), 100).forEach((h, i) => {
        const ho = c.object(h, join(join(path, 'hashes'), i));
        const alg = HASH_ALGS[c.string(ho.alg, join(join(join(path, 'hashes'), i), 'alg'), 32)];
        const content = c.string(ho.content, join(join(join(path, 'hashes'), i), 'content'), 256).toLowerCase();
        if (alg) hashes.push(`${alg}:${content}`);
      });
    }
    if (ref !== undefined && !byRef.has(ref)) byRef.set(ref, { ids, hashes });
    if (comp.components !== undefined) {
      c.array(comp.components, join(path, 'components'), MAX_COMPONENTS).forEach((x, i) => visit(x, join(join(path, 'components'), i), depth + 1));
    }
  };
  if (o.metadata !== undefined) {
    const m = c.object(o.metadata, 'metadata');
    if (m.component !== undefined) visit(m.component, 'metadata.component', 0);
  }
  if (o.components !== undefined) c.array(o.components, 'components', MAX_COMPONENTS).forEach((x, i) => visit(x, join('components', i), 0));
  return byRef;
}

function resolveRef(ref: string, components: Map<string, Known>): Known | undefined {
  const direct = components.get(ref);
  if (direct) return direct;
  const link = /^urn:cdx:[^#]+#(.+)$/.exec(ref);
  if (link) {
    const fragment = decodeURIComponent(link[1]!);
    return components.get(fragment) ?? (fragment.startsWith('pkg:') ? { ids: [fragment], hashes: [] } : undefined);
  }
  return ref.startsWith('pkg:') ? { ids: [ref], hashes: [] } : undefined;
}

export function parseCycloneDxVex(doc: Json, file: string): VexDocument {
  const c = new JsonChecker(file, 'VEX_INVALID');
  const o = c.object(doc, '');
  if (o.bomFormat !== 'CycloneDX') c.fail('bomFormat', 'must be "CycloneDX"');
  const spec = c.string(o.specVersion, 'specVersion', 16);
  const m = /^1\.(\d+)$/.exec(spec);
  if (!m || Number(m[1]) < 4) c.fail('specVersion', `${JSON.stringify(spec)}: VEX needs CycloneDX 1.4 or later`);
  const warnings: string[] = [];
  const metadata = o.metadata === undefined ? undefined : c.object(o.metadata, 'metadata');
  const docTime = metadata ? c.optionalTime(metadata, 'timestamp', 'metadata') : undefined;
  const components = collectComponents(c, o);
  const vulns = o.vulnerabilities === undefined ? [] : c.array(o.vulnerabilities, 'vulnerabilities', MAX_STATEMENTS);
  if (vulns.length === 0) warnings.push('the BOM has no vulnerabilities: it says nothing about exploitability');
  const statements: VexStatement[] = [];
  vulns.forEach((raw, i) => {
    const path = join('vulnerabilities', i);
    const v = c.object(raw, path);
    const id = c.string(v.id, join(path, 'id'), 256);
    const aliases = v.references === undefined ? []
      : c.array(v.references, join(path, 'references'), 1000).map((r, j) => c.string(c.object(r, join(join(path, 'references'), j)).id, join(join(join(path, 'references'), j), 'id'), 256));
    if (v.analysis === undefined) {
      warnings.push(`${path} (${id}) has no analysis: skipped`);
      return;
    }
    const ap = join(path, 'analysis');
    const a = c.object(v.analysis, ap);
    if (a.state === undefined) {
      warnings.push(`${path} (${id}) has no analysis.state: skipped`);
      return;
    }
    const state = c.string(a.state, join(ap, 'state'), 64);
    const status = STATE[state] ?? c.fail(join(ap, 'state'), `must be one of ${Object.keys(STATE).join(', ')}, not ${JSON.stringify(state)}`);
    const justification = c.optionalString(a, 'justification', ap, 128);
    if (justification !== undefined && !JUSTIFICATIONS.includes(justification)) {
      c.fail(join(ap, 'justification'), `must be one of ${JUSTIFICATIONS.join(', ')}, not ${JSON.stringify(justification)}`);
    }
    const detail = c.optionalString(a, 'detail', ap);
    const responses = a.response === undefined ? [] : c.array(a.response, join(ap, 'response'), 16).map((r, j) => c.string(r, join(join(ap, 'response'), j), 64));
    const time = c.optionalTime(a, 'lastUpdated', ap) ?? c.optionalTime(a, 'firstIssued', ap)
      ?? c.optionalTime(v, 'updated', path) ?? c.optionalTime(v, 'published', path) ?? docTime;
    const affects = v.affects === undefined ? [] : c.array(v.affects, join(path, 'affects'), MAX_PRODUCTS);
    const products: VexProduct[] = [];
    affects.forEach((af, j) => {
      const fp = join(join(path, 'affects'), j);
      const aff = c.object(af, fp);
      const ref = c.string(aff.ref, join(fp, 'ref'), 4096);
      const known = resolveRef(ref, components);
      if (!known) {
        warnings.push(`${join(fp, 'ref')} ${JSON.stringify(ref)} names no component of this BOM and is not a purl: skipped`);
        return;
      }
      let versions: string[] | undefined;
      if (aff.versions !== undefined) {
        versions = [];
        c.array(aff.versions, join(fp, 'versions'), 1000).forEach((ver, k) => {
          const vo = c.object(ver, join(join(fp, 'versions'), k));
          if (vo.version !== undefined) versions!.push(c.string(vo.version, join(join(join(fp, 'versions'), k), 'version'), 256));
          else warnings.push(`${join(join(fp, 'versions'), k)}: version ranges are not evaluated; it covers no version`);
        });
      }
      products.push({ ...known, ...(versions ? { versions } : {}), subcomponents: [] });
    });
    if (products.length === 0) warnings.push(`${path} (${id}) affects no component we can recognise: it applies to nothing`);
    statements.push({
      path, vulnerability: id, aliases, status, products,
      ...(state !== status ? { originalStatus: state } : {}),
      ...(time !== undefined ? { time } : {}),
      ...(justification !== undefined ? { justification } : {}),
      ...(detail !== undefined ? { impactStatement: detail } : {}),
      ...(responses.length ? { actionStatement: responses.join(', ') } : {}),
    });
  });
  const serial = typeof o.serialNumber === 'string' ? o.serialNumber : undefined;
  return {
    file, format: 'cyclonedx', statements, warnings,
    ...(serial ? { id: serial } : {}),
    ...(metadata && typeof metadata.timestamp === 'string' ? { timestamp: metadata.timestamp } : {}),
  };
}
