import { loadPolicyFile } from '../policy/index.ts';
import type { PolicySet } from '../policy/index.ts';
import { pollFiles } from './poll.ts';

/**
 * The policy file, reloaded when it changes. A changed threshold or a new Exception then applies
 * from the next request on, with no restart and no rescan. An invalid file is reported and the
 * policy in force stays: a typo must not open (or close) the cluster.
 */
export function watchPolicy(
  file: string, apply: (policy: PolicySet) => void,
  options: { intervalMs?: number; onError?: (err: unknown) => void } = {},
): { stop(): void } {
  return pollFiles([file], async () => apply(await loadPolicyFile(file)), options);
}
