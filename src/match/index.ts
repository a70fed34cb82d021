/**
 * The matching stage: inventory × vulnerability database → findings, one per (vulnerability,
 * package), with status, fix, severity by precedence (severity.ts), CVSS, KEV and EPSS.
 */
export { matchInventory, matcherFor, MATCHERS } from './match.ts';
export type { MatchDb, MatchOptions } from './match.ts';
export { chooseSeverity, cvssList } from './severity.ts';
export { LANGUAGE_ECOSYSTEMS } from './language.ts';
export { codenameOf, endOfLife, isEndOfLife, osEcosystemKey, releaseOf, DEBIAN_CODENAMES, UBUNTU_CODENAMES } from './distro.ts';
export { SEVERITIES } from './types.ts';
export type { Cvss, Finding, FindingStatus, Severity } from './types.ts';
