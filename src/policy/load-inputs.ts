import { PolicyError } from '../errors.ts';
import { loadPolicyFile } from './documents/index.ts';
import type { ScanPolicyInputs } from './decide.ts';
import { MAX_IGNORE_FILE_BYTES, parseIgnoreFile } from './ignorefile/index.ts';
import type { IgnoreFile } from './ignorefile/index.ts';
import { readTextFile } from './read-file.ts';
import { readVexFile } from './vex/index.ts';

/** More `--vex` files than this is a mistake (a glob gone wrong), not a configuration. */
export const MAX_VEX_FILES = 100;

export interface ScanPolicyFiles {
  policyFile?: string;
  ignoreFile?: string;
  /**
   * The ignore file is the default one (`.trivyignore` in the working directory, as Trivy reads
   * it): a missing file means no ignore file, not an error.
   */
  ignoreFileOptional?: boolean;
  vexFiles?: readonly string[];
}

/**
 * Read and validate every file a decision needs, before any image is pulled: a bad policy,
 * ignore or VEX file is a PolicyError (exit 2) with the file and the place in it.
 */
export async function loadScanPolicy(files: ScanPolicyFiles): Promise<ScanPolicyInputs> {
  const out: ScanPolicyInputs = {};
  if (files.policyFile !== undefined) out.policy = await loadPolicyFile(files.policyFile);
  if (files.ignoreFile !== undefined) {
    const ignore = await readIgnoreFile(files.ignoreFile, files.ignoreFileOptional ?? false);
    if (ignore) out.ignore = ignore;
  }
  const vex = files.vexFiles ?? [];
  if (vex.length > MAX_VEX_FILES) throw new PolicyError('VEX_TOO_MANY', `${vex.length} VEX files given; at most ${MAX_VEX_FILES} are read`);
  if (vex.length) out.vex = await Promise.all(vex.map((f) => readVexFile(f)));
  return out;
}

async function readIgnoreFile(path: string, optional: boolean): Promise<IgnoreFile | undefined> {
  let text: string;
  try {
    text = await readTextFile(path, MAX_IGNORE_FILE_BYTES, 'ignore file', 'IGNOREFILE');
  } catch (err) {
    if (optional && (err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return undefined;
    throw err;
  }
  return parseIgnoreFile(text, path);
}
