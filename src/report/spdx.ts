import { createHash } from 'node:crypto';
import type { Package } from '../inventory/index.ts';
import { isSpdxExpression } from './license.ts';
import type { ReportOptions, ScanResult } from './types.ts';

/** SPDXIDs allow letters, digits, "." and "-" only. */
function spdxId(kind: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `SPDXRef-${kind}-${hash}`;
}

function declaredLicense(p: Package): { licenseDeclared: string; licenseComments?: string } {
  const licenses = p.licenses ?? [];
  if (licenses.length === 0) return { licenseDeclared: 'NOASSERTION' };
  const joined = licenses.length === 1 ? licenses[0]! : licenses.map((l) => (l.includes(' ') ? `(${l})` : l)).join(' AND ');
  if (isSpdxExpression(joined)) return { licenseDeclared: joined };
  return { licenseDeclared: 'NOASSERTION', licenseComments: `Declared by the package database: ${licenses.join('; ')}` };
}

/** SPDX 2.3 JSON: the image, its OS and every package, related by CONTAINS. */
export function spdxReport(result: ScanResult, options: ReportOptions): string {
  const created = (options.now ?? new Date(result.createdAt)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const imageId = spdxId('Image', result.artifact.digest ?? result.artifact.name);
  const packages: Record<string, unknown>[] = [{
    SPDXID: imageId,
    name: result.artifact.name,
    ...(result.artifact.digest ? { versionInfo: result.artifact.digest } : {}),
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    primaryPackagePurpose: 'CONTAINER',
    ...(result.artifact.digest?.startsWith('sha256:')
      ? { checksums: [{ algorithm: 'SHA256', checksumValue: result.artifact.digest.slice(7) }] }
      : {}),
  }];
  const relationships: Record<string, string>[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
  ];
  if (result.os) {
    const osId = spdxId('OperatingSystem', `${result.os.family}@${result.os.version}`);
    packages.push({
      SPDXID: osId, name: result.os.family, versionInfo: result.os.version, downloadLocation: 'NOASSERTION',
      filesAnalyzed: false, licenseConcluded: 'NOASSERTION', licenseDeclared: 'NOASSERTION', copyrightText: 'NOASSERTION',
      primaryPackagePurpose: 'OPERATING_SYSTEM',
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: osId });
  }
  for (const p of result.packages) {
    const id = spdxId('Package', p.purl);
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      ...declaredLicense(p),
      copyrightText: 'NOASSERTION',
      ...(p.source ? { sourceInfo: `built package from: ${p.source.name}${p.source.version ? ` ${p.source.version}` : ''}` } : {}),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
      primaryPackagePurpose: 'LIBRARY',
      ...(p.layer ? { comment: `layer: ${p.layer}` } : {}),
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: result.artifact.name,
    // A unique URI per document, as SPDX requires; it names no real host.
    documentNamespace: `urn:uuid:${crypto.randomUUID()}`,
    creationInfo: { created, creators: [`Tool: portcullis-${options.toolVersion}`] },
    packages,
    relationships,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
