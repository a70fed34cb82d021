import { PolicyError } from '../../errors.ts';
import { readTextFile } from '../read-file.ts';
import { isCycloneDx, parseCycloneDxVex } from './cyclonedx.ts';
import { JsonChecker } from './json-check.ts';
import { isOpenVex, parseOpenVex } from './openvex.ts';
import type { VexDocument } from './types.ts';

/** Largest VEX document read: distribution-wide VEX files run to a few megabytes. */
export const MAX_VEX_FILE_BYTES = 64 * 1024 * 1024;

/** A VEX document's text, OpenVEX or CycloneDX, told apart by content. */
export function parseVex(text: string, file: string): VexDocument {
  const doc = new JsonChecker(file, 'VEX_INVALID').parse(text, 'VEX document');
  if (isOpenVex(doc)) return parseOpenVex(doc, file);
  if (isCycloneDx(doc)) return parseCycloneDxVex(doc, file);
  throw new PolicyError('VEX_UNSUPPORTED', `${file}: neither an OpenVEX document (@context https://openvex.dev/ns/...) nor a CycloneDX BOM (bomFormat CycloneDX); CSAF is not supported`);
}

export async function readVexFile(path: string): Promise<VexDocument> {
  return parseVex(await readTextFile(path, MAX_VEX_FILE_BYTES, 'VEX document', 'VEX'), path);
}
