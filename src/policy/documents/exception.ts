import { PackageURL } from 'packageurl-js';
import type { Node } from 'yaml';
import { parseExpiry } from '../time.ts';
import type { Reader } from './reader.ts';
import { join } from './reader.ts';
import type { ImagePattern, PackagePattern, PolicyException, SourcePos } from './types.ts';

/** The semantics of each field are documented at the PolicyException type (types.ts). */

const SPEC_FIELDS = ['vulnerabilities', 'packages', 'images', 'namespaces', 'reason', 'owner', 'expires'] as const;
const MAX_ENTRIES = 1000;

// CVE-2024-0727, GHSA-xxxx-xxxx-xxxx, GO-2024-1234, RHSA-2024:1234, DSA-5678-1, openSUSE-SU-2024:1234-1, ...
const VULN_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9._:]+)+$/;
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
const NO_SPACE = /^\S+$/;
// A Kubernetes namespace name (DNS-1123 label), optionally with glob wildcards.
const NAMESPACE_GLOB = /^[a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?$/;

export function readException(r: Reader, name: string, specNode: Node | undefined, specPath: string, source: SourcePos | undefined): PolicyException | undefined {
  const spec = r.fields(specNode, specPath, SPEC_FIELDS, { required: ['reason', 'owner', 'expires'], context: 'Exception spec' });
  if (!spec) return undefined;
  const v = spec.values;
  const p = (k: string): string => join(specPath, k);
  let ok = true;
  const list = <T>(key: string, each: (s: string, node: Node, path: string) => T | undefined): T[] => {
    if (!v.has(key)) return [];
    const out = r.strings(v.get(key), p(key), MAX_ENTRIES, each, { nonEmpty: true });
    if (out === undefined) ok = false;
    return out ?? [];
  };

  const vulnerabilities = list('vulnerabilities', (s, node, path) => {
    if (s.length <= 128 && VULN_ID.test(s)) return s;
    r.issue(node, path, `${JSON.stringify(s)} is not a vulnerability ID (like CVE-2024-0727 or GHSA-xxxx-xxxx-xxxx)`);
    return undefined;
  });
  const packages = list('packages', (s, node, path): PackagePattern | undefined => {
    if (s.startsWith('pkg:')) {
      try {
        PackageURL.fromString(s);
        return { kind: 'purl', purl: s };
      } catch (err) {
        r.issue(node, path, `${JSON.stringify(s)} is not a valid package URL: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }
    if (s.length <= 256 && NO_SPACE.test(s)) return { kind: 'name', name: s };
    r.issue(node, path, `${JSON.stringify(s)} is neither a package URL (pkg:...) nor a package name`);
    return undefined;
  });
  const images = list('images', (s, node, path): ImagePattern | undefined => {
    if (DIGEST.test(s)) return { kind: 'digest', digest: s };
    if (/^sha(256|512):/.test(s)) {
      r.issue(node, path, `${JSON.stringify(s)} looks like a digest but is not one (sha256: and 64 lowercase hex digits)`);
      return undefined;
    }
    if (s.length <= 512 && NO_SPACE.test(s)) return { kind: 'glob', glob: s };
    r.issue(node, path, `${JSON.stringify(s)} is not an image glob or digest`);
    return undefined;
  });
  const namespaces = list('namespaces', (s, node, path) => {
    if (NAMESPACE_GLOB.test(s)) return s;
    r.issue(node, path, `${JSON.stringify(s)} is not a namespace name or glob`);
    return undefined;
  });
  if (!v.has('vulnerabilities') && !v.has('packages')) {
    r.issue(spec.node, specPath, 'needs vulnerabilities or packages (an exception for everything would turn scanning off)');
    ok = false;
  }

  const text = (key: 'reason' | 'owner', max: number): string | undefined => {
    if (!v.has(key)) return undefined;
    const s = r.string(v.get(key), p(key), { maxLength: max });
    if (s !== undefined && s.trim() === '') {
      r.issue(v.get(key), p(key), 'must not be blank');
      return undefined;
    }
    return s;
  };
  const reason = text('reason', 4096);
  const owner = text('owner', 256);
  let expires: string | undefined;
  let expiresAt: Date | undefined;
  if (v.has('expires')) {
    expires = r.string(v.get('expires'), p('expires'), { maxLength: 64 });
    if (expires !== undefined) {
      expiresAt = parseExpiry(expires);
      if (!expiresAt) r.issue(v.get('expires'), p('expires'), `${JSON.stringify(expires)} is neither a date (2026-03-31) nor an RFC 3339 time`);
    }
  }
  if (!ok || reason === undefined || owner === undefined || expires === undefined || expiresAt === undefined) return undefined;
  return { name, vulnerabilities, packages, images, namespaces, reason, owner, expires, expiresAt, source };
}
