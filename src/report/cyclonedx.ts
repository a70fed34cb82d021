// The library's parts, not its index: the index also loads its validators (ajv and its formats),
// which a report never uses and which would double the start-up time of `sbom`.
import * as Enums from '@cyclonedx/cyclonedx-library/Enums';
import * as Models from '@cyclonedx/cyclonedx-library/Models';
import * as Serialize from '@cyclonedx/cyclonedx-library/Serialize';
import * as Spec from '@cyclonedx/cyclonedx-library/Spec';
import { Factories as LicenseFactories } from '@cyclonedx/cyclonedx-library/Contrib/License';
import { formatPurl } from '../inventory/index.ts';
import type { Package } from '../inventory/index.ts';
import type { Finding } from '../match/types.ts';
import { addVulnerabilities } from './cyclonedx-vulnerabilities.ts';
import { isSpdxExpression } from './license.ts';
import type { ReportOptions, ScanResult } from './types.ts';

// The factory's validator must throw on an invalid expression (a boolean is ignored, which made
// every free-text license an "expression" and, as a component holds at most one expression,
// dropped the others).
const licenseFactory = new LicenseFactories.LicenseFactory((expression: string) => {
  if (!isSpdxExpression(expression)) throw new RangeError(`not an SPDX license expression: ${expression}`);
});

/** Properties in the CycloneDX "portcullis:" namespace, as the property taxonomy advises. */
const P = {
  layer: 'portcullis:layer:digest',
  layerDiffId: 'portcullis:layer:diff_id',
  foundIn: 'portcullis:package:path',
  sourceName: 'portcullis:package:source_name',
  sourceVersion: 'portcullis:package:source_version',
  ecosystem: 'portcullis:package:ecosystem',
} as const;

function imageComponent(result: ScanResult): Models.Component {
  const { artifact } = result;
  const c = new Models.Component(Enums.ComponentType.Container, artifact.name, {
    bomRef: artifact.digest ?? artifact.name,
    ...(artifact.digest ? { version: artifact.digest } : {}),
  });
  const ociPurl = ociPurlOf(result);
  if (ociPurl) c.purl = ociPurl;
  if (artifact.platform) c.properties.add(new Models.Property('portcullis:image:platform', artifact.platform));
  return c;
}

/** pkg:oci/<name>@<digest>?repository_url=<registry/repo> per the purl spec's oci type. */
function ociPurlOf(result: ScanResult): string | undefined {
  const { name, digest } = result.artifact;
  if (!digest || name.includes(':/') || /^(oci|oci-archive|docker-archive):/.test(name)) return undefined;
  const repo = name.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  const tag = /:([^/:@]+)(@|$)/.exec(name.slice(repo.length))?.[1];
  return formatPurl({ type: 'oci', name: last, version: digest, qualifiers: { repository_url: repo, ...(tag ? { tag } : {}) } });
}

function packageComponent(p: Package): Models.Component {
  const c = new Models.Component(Enums.ComponentType.Library, p.name, { bomRef: p.purl, version: p.version });
  c.purl = p.purl;
  for (const l of p.licenses ?? []) c.licenses.add(licenseFactory.makeFromString(l));
  if (p.layer) c.properties.add(new Models.Property(P.layer, p.layer));
  if (p.layerDiffId) c.properties.add(new Models.Property(P.layerDiffId, p.layerDiffId));
  if (p.foundIn) c.properties.add(new Models.Property(P.foundIn, p.foundIn));
  if (p.source) {
    c.properties.add(new Models.Property(P.sourceName, p.source.name));
    if (p.source.version) c.properties.add(new Models.Property(P.sourceVersion, p.source.version));
  }
  c.properties.add(new Models.Property(P.ecosystem, p.ecosystem));
  return c;
}

/** The CycloneDX BOM model of a result (components only; vulnerabilities are added by scan reports). */
export function cyclonedxBom(result: ScanResult, options: ReportOptions): Models.Bom {
  const bom = new Models.Bom();
  bom.serialNumber = `urn:uuid:${crypto.randomUUID()}`;
  bom.metadata.timestamp = options.now ?? new Date(result.createdAt);
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, 'portcullis', { version: options.toolVersion }));
  const image = imageComponent(result);
  bom.metadata.component = image;
  if (result.os) {
    const os = new Models.Component(Enums.ComponentType.OperatingSystem, result.os.family, { bomRef: `os:${result.os.family}@${result.os.version}`, version: result.os.version });
    bom.components.add(os);
    image.dependencies.add(os.bomRef);
  }
  for (const p of result.packages) {
    const c = packageComponent(p);
    bom.components.add(c);
    image.dependencies.add(c.bomRef);
  }
  return bom;
}

/**
 * The bom-ref of the component a finding is about: its package's (by purl, else name and
 * version), or a component made for it when the inventory does not list the package (a result
 * matched from a stored SBOM, or built by hand).
 */
function findingRefs(bom: Models.Bom, packages: readonly Package[]): (f: Finding) => string {
  const byPurl = new Set(packages.map((p) => p.purl));
  const byNameVersion = new Map(packages.map((p) => [`${p.name}\u0000${p.version}`, p.purl]));
  const image = bom.metadata.component;
  return (f) => {
    if (f.purl && byPurl.has(f.purl)) return f.purl;
    const key = `${f.package}\u0000${f.installedVersion}`;
    const known = byNameVersion.get(key);
    if (known) return known;
    const ref = f.purl ?? `portcullis:package:${f.package}@${f.installedVersion}`;
    const c = new Models.Component(Enums.ComponentType.Library, f.package, { bomRef: ref, version: f.installedVersion });
    if (f.purl) c.purl = f.purl;
    if (f.ecosystem) c.properties.add(new Models.Property(P.ecosystem, f.ecosystem));
    bom.components.add(c);
    image?.dependencies.add(c.bomRef);
    byNameVersion.set(key, ref);
    byPurl.add(ref);
    return ref;
  };
}

/**
 * A scan report: the BOM, and when the result was matched, its vulnerabilities (see
 * cyclonedx-vulnerabilities.ts) and the verdict as metadata properties.
 */
export function cyclonedxReport(result: ScanResult, options: ReportOptions): string {
  const bom = cyclonedxBom(result, options);
  if (result.findings) addVulnerabilities(bom, result, findingRefs(bom, result.packages));
  if (result.verdict) {
    bom.metadata.properties.add(new Models.Property('portcullis:verdict:status', result.verdict.status));
    for (const r of result.verdict.reasons) bom.metadata.properties.add(new Models.Property('portcullis:verdict:reason', r));
    if (result.verdict.policy) bom.metadata.properties.add(new Models.Property('portcullis:verdict:policy', result.verdict.policy));
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(bom, { space: 2, sortLists: true })}\n`;
}
