/** Policy Exceptions: applying them to findings (with expiry, owner and scope), and exporting them as OpenVEX. */
export { applyExceptions, expiredExceptions, isExpired } from './apply.ts';
export type { ExceptionContext, ExceptionResult, ExpiredException, NamespaceScopedException } from './apply.ts';
export { globToRegExp, imageForms, normaliseImageReference } from './glob.ts';
export { exceptionsToOpenVex, imagePurl, OPENVEX_CONTEXT } from './openvex.ts';
export type { OpenVexComponent, OpenVexDocument, OpenVexExport, OpenVexExportContext, OpenVexStatement } from './openvex.ts';
