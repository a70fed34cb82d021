/** VEX: OpenVEX and CycloneDX VEX documents read into one shape, and applied to findings. */
export { applyVex, statementLabel } from './match.ts';
export { MAX_VEX_FILE_BYTES, parseVex, readVexFile } from './read.ts';
export { parseOpenVex } from './openvex.ts';
export { parseCycloneDxVex } from './cyclonedx.ts';
export { OPENVEX_JUSTIFICATIONS, VEX_STATUSES } from './types.ts';
export type {
  OpenVexJustification, VexAnnotation, VexComponent, VexContext, VexDocument, VexFormat, VexProduct, VexResult, VexStatement,
  VexStatus,
} from './types.ts';
