/**
 * `scan --sbom FILE`: a stored inventory read back without the image — a CycloneDX 1.x JSON
 * BOM (ours from `portcullis sbom`, or another tool's) or our own JSON inventory/report. What it
 * yields is the same partial ScanResult an image scan starts from, so a rescan with a newer
 * database is matching alone.
 *
 * CycloneDX components are read by purl; the source package comes from our `portcullis:`
 * properties, Trivy's `aquasecurity:trivy:Src*` properties, or the purl's `upstream` qualifier
 * (Syft); the OS from the `operating-system` component, else the purls' `distro` qualifier.
 */
import { readFile, stat } from 'node:fs/promises';
import { PackageURL } from 'packageurl-js';
import { UsageError } from '../errors.ts';
import type { OSFamily, OSInfo, Package, PackageManager } from '../inventory/index.ts';
import type { ScanResult } from '../report/index.ts';

export interface SbomLimits {
  /** Largest file read, bytes. */
  maxBytes: number;
  /** Most packages taken. */
  maxPackages: number;
  /** Deepest nesting of CycloneDX components. */
  maxDepth: number;
}

export const SBOM_LIMITS: SbomLimits = { maxBytes: 128 * 1024 * 1024, maxPackages: 200_000, maxDepth: 32 };

const OS_FAMILIES: ReadonlySet<string> = new Set<OSFamily>([
  'debian', 'ubuntu', 'alpine', 'redhat', 'centos', 'rocky', 'alma', 'oracle', 'fedora', 'amazon', 'opensuse-leap',
  'opensuse-tumbleweed', 'sles', 'slem', 'photon', 'wolfi', 'chainguard', 'cbl-mariner', 'azurelinux', 'bottlerocket', 'echo',
  'minimos', 'coreos', 'activestate', 'centos-stream',
]);

/** Other names tools give OS families (os-release IDs, purl namespaces). */
const OS_ALIASES: Record<string, OSFamily> = {
  rhel: 'redhat', almalinux: 'alma', ol: 'oracle', amzn: 'amazon', 'opensuse-leap': 'opensuse-leap', opensuse: 'opensuse-leap',
  suse: 'sles', 'sle-micro': 'slem', mariner: 'cbl-mariner', rocky: 'rocky',
};

/** purl type → our language ecosystem. */
const LANGUAGE_TYPES: Record<string, string> = {
  npm: 'npm', pypi: 'pypi', maven: 'maven', golang: 'go', cargo: 'cargo', gem: 'gem', nuget: 'nuget', composer: 'composer',
};

const MANAGER_OF_TYPE: Record<string, PackageManager> = { deb: 'dpkg', apk: 'apk', rpm: 'rpm' };

function bad(file: string, why: string): UsageError {
  return new UsageError('BAD_SBOM', `${file}: ${why}`);
}

function osFamilyOf(name: string | undefined): OSFamily | undefined {
  if (!name) return undefined;
  const n = name.trim().toLowerCase();
  if (OS_FAMILIES.has(n)) return n as OSFamily;
  return OS_ALIASES[n];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function properties(c: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of Array.isArray(c.properties) ? c.properties : []) {
    if (isObject(p) && str(p.name) && typeof p.value === 'string' && !out.has(p.name as string)) out.set(p.name as string, p.value);
  }
  return out;
}

/** A package from a CycloneDX component, or undefined for components we cannot match (files, apps, unknown purl types). */
function packageOf(c: Record<string, unknown>, distros: Map<string, number>): Package | undefined {
  const purlText = str(c.purl);
  if (!purlText) return undefined;
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(purlText);
  } catch {
    return undefined;
  }
  const props = properties(c);
  const q = purl.qualifiers ?? {};
  if (!purl.version) return undefined;
  const distro = q.distro;
  if (distro) distros.set(distro, (distros.get(distro) ?? 0) + 1);
  const manager = MANAGER_OF_TYPE[purl.type];
  let ecosystem = props.get('portcullis:package:ecosystem');
  let name = purl.name;
  let version = purl.version;
  if (manager) {
    ecosystem ??= osFamilyOf(purl.namespace) ?? (manager === 'dpkg' ? 'debian' : manager === 'apk' ? 'alpine' : 'redhat');
    if (manager === 'rpm' && q.epoch && !/^\d+:/.test(version)) version = `${q.epoch}:${version}`;
  } else {
    const lang = LANGUAGE_TYPES[purl.type];
    if (!lang) return undefined;
    ecosystem ??= lang;
    if (purl.namespace) name = lang === 'maven' ? `${purl.namespace}:${purl.name}` : `${purl.namespace}/${purl.name}`;
  }
  // The manager field names OS package managers only; language packages keep the type's name.
  const pkg = { name, version, ecosystem, purl: purlText, manager: (manager ?? purl.type) as PackageManager } as Package;
  if (q.arch) pkg.arch = q.arch;
  if (manager === 'rpm' && q.epoch && /^\d+$/.test(q.epoch)) pkg.epoch = Number(q.epoch);
  // Syft: `upstream=openssl` or `openssl@3.0.7` (deb, apk); a source rpm file name for rpm.
  const upstream = q.upstream ? (/^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(q.upstream) ?? /^([^@]+)(?:@(.+))?$/.exec(q.upstream)) : null;
  const sourceName = props.get('portcullis:package:source_name') ?? props.get('aquasecurity:trivy:SrcName') ?? upstream?.[1];
  const sourceVersion = props.get('portcullis:package:source_version') ?? trivySourceVersion(props) ?? upstream?.[2];
  if (sourceName) pkg.source = sourceVersion ? { name: sourceName, version: sourceVersion } : { name: sourceName };
  const layer = props.get('portcullis:layer:digest') ?? props.get('aquasecurity:trivy:LayerDigest');
  if (layer) pkg.layer = layer;
  const diffId = props.get('portcullis:layer:diff_id') ?? props.get('aquasecurity:trivy:LayerDiffID');
  if (diffId) pkg.layerDiffId = diffId;
  const path = props.get('portcullis:package:path');
  if (path) pkg.foundIn = path;
  return pkg;
}

/** Trivy writes the source version in parts: [epoch:]version[-release]. */
function trivySourceVersion(props: Map<string, string>): string | undefined {
  const v = props.get('aquasecurity:trivy:SrcVersion');
  if (!v) return undefined;
  const release = props.get('aquasecurity:trivy:SrcRelease');
  const epoch = props.get('aquasecurity:trivy:SrcEpoch');
  return `${epoch && epoch !== '0' ? `${epoch}:` : ''}${v}${release ? `-${release}` : ''}`;
}

/** `debian-12` → debian 12, `alpine-3.20.3` → alpine 3.20.3. */
function osOfDistro(distro: string): OSInfo | undefined {
  const m = /^([a-z-]+?)-(\d[\w.]*)$/.exec(distro);
  const family = osFamilyOf(m?.[1]);
  return family && m ? { family, version: m[2]! } : undefined;
}

function fromCycloneDx(doc: Record<string, unknown>, file: string, limits: SbomLimits, now: Date): ScanResult {
  const packages: Package[] = [];
  const distros = new Map<string, number>();
  let os: OSInfo | undefined;
  const walk = (list: unknown, depth: number): void => {
    if (list === undefined) return;
    if (!Array.isArray(list)) throw bad(file, 'CycloneDX "components" is not a list');
    if (depth > limits.maxDepth) throw bad(file, `components nested deeper than ${limits.maxDepth} levels`);
    for (const c of list) {
      if (!isObject(c)) continue;
      if (c.type === 'operating-system') {
        const family = osFamilyOf(str(c.name));
        if (family && !os) os = { family, version: str(c.version) ?? '' };
      } else {
        const pkg = packageOf(c, distros);
        if (pkg) {
          if (packages.length >= limits.maxPackages) throw bad(file, `more than ${limits.maxPackages} packages`);
          packages.push(pkg);
        }
      }
      walk(c.components, depth + 1);
    }
  };
  walk(doc.components, 0);
  if (!os && distros.size > 0) os = osOfDistro([...distros].sort((a, b) => b[1] - a[1])[0]![0]);
  // OS packages take the image's OS as their ecosystem when the BOM did not say (debian vs ubuntu).
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const image = isObject(metadata.component) ? metadata.component : {};
  const props = properties(image);
  const digest = str(image.version)?.startsWith('sha256:') ? str(image.version) : undefined;
  const result: ScanResult = {
    schemaVersion: 1,
    createdAt: now.toISOString(),
    artifact: {
      name: str(image.name) ?? file,
      ...(digest ? { digest } : {}),
      ...(props.get('portcullis:image:platform') ? { platform: props.get('portcullis:image:platform')! } : {}),
    },
    packages,
  };
  if (os) result.os = os;
  return result;
}

function fromOurJson(doc: Record<string, unknown>, file: string, limits: SbomLimits, now: Date): ScanResult {
  if (!Array.isArray(doc.packages)) throw bad(file, 'no "packages" list (expected a Portcullis JSON inventory or report)');
  if (doc.packages.length > limits.maxPackages) throw bad(file, `more than ${limits.maxPackages} packages`);
  const packages: Package[] = doc.packages.map((p, i) => {
    if (!isObject(p) || !str(p.name) || !str(p.version) || !str(p.ecosystem) || !str(p.purl)) {
      throw bad(file, `packages[${i}] lacks name, version, ecosystem or purl`);
    }
    return p as unknown as Package;
  });
  const artifact = isObject(doc.artifact) && str(doc.artifact.name) ? (doc.artifact as unknown as ScanResult['artifact']) : { name: file };
  const result: ScanResult = { schemaVersion: 1, createdAt: now.toISOString(), artifact, packages };
  if (isObject(doc.os) && osFamilyOf(str(doc.os.family)) && typeof doc.os.version === 'string') {
    const { eol: _eol, ...os } = doc.os as unknown as OSInfo & { eol?: boolean };
    result.os = { ...os, family: osFamilyOf(os.family)! };
  }
  return result;
}

/** Parse an inventory document already read into memory. */
export function parseInventoryDocument(text: string, file: string, options: { now?: Date; limits?: Partial<SbomLimits> } = {}): ScanResult {
  const limits = { ...SBOM_LIMITS, ...options.limits };
  const now = options.now ?? new Date();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(file, `not JSON (${(err as Error).message}); expected a CycloneDX JSON SBOM or a Portcullis JSON inventory`);
  }
  if (!isObject(doc)) throw bad(file, 'not a JSON object; expected a CycloneDX JSON SBOM or a Portcullis JSON inventory');
  if (doc.bomFormat === 'CycloneDX') {
    const spec = str(doc.specVersion) ?? '';
    if (!/^1\.\d+$/.test(spec)) throw bad(file, `CycloneDX specVersion "${spec}" is not 1.x`);
    return fromCycloneDx(doc, file, limits, now);
  }
  if (doc.schemaVersion === 1 && Array.isArray(doc.packages)) return fromOurJson(doc, file, limits, now);
  if (doc.spdxVersion) throw bad(file, 'SPDX documents are not read back (use a CycloneDX or Portcullis JSON inventory)');
  throw bad(file, 'neither a CycloneDX JSON SBOM ("bomFormat": "CycloneDX") nor a Portcullis JSON inventory ("schemaVersion": 1)');
}

/** Read `--sbom FILE`: bounded in size, with one-line errors for anything else. */
export async function readInventoryFile(file: string, options: { now?: Date; limits?: Partial<SbomLimits> } = {}): Promise<ScanResult> {
  const limits = { ...SBOM_LIMITS, ...options.limits };
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw bad(file, 'not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw bad(file, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (size > limits.maxBytes) throw bad(file, `${size} bytes is larger than the ${limits.maxBytes}-byte limit for inventories`);
  const text = await readFile(file, 'utf8');
  return parseInventoryDocument(text, file, options);
}
