/** Trivy's ignore files (`.trivyignore` and `.trivyignore.yaml`): reading and applying them. */
export { isYamlIgnoreFile, MAX_IGNORE_ENTRIES, MAX_IGNORE_FILE_BYTES, parseIgnoreFile } from './parse.ts';
export type { IgnoreEntry, IgnoreFile } from './parse.ts';
export { applyIgnoreFile, isIgnoreEntryExpired } from './apply.ts';
export type { ExpiredIgnoreEntry, IgnoreContext, IgnoreResult } from './apply.ts';
export { pathGlobToRegExp } from './path-glob.ts';
