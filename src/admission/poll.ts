import { stat } from 'node:fs/promises';

/**
 * Call `onChange` when any of `files` changes (inode, mtime or size). Polling, not file events:
 * Secret and ConfigMap volumes swap a symlink, which file events on the file miss.
 * With `retryOnError`, a change whose handling failed is handled again at the next poll (a
 * half-rotated certificate pair becomes whole); without, only at the next change (an invalid
 * policy file is reported once, not every poll).
 */
export function pollFiles(
  files: readonly string[], onChange: () => Promise<void>,
  options: { intervalMs?: number; retryOnError?: boolean; onError?: (err: unknown) => void } = {},
): { stop(): void } {
  let last: string | undefined;
  let busy = false;
  const poll = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const stats = await Promise.all(files.map((f) => stat(f)));
      const now = stats.map((s) => `${s.ino}:${s.mtimeMs}:${s.size}`).join('/');
      if (last === undefined) last = now;
      else if (now !== last) {
        if (!options.retryOnError) last = now;
        await onChange();
        last = now;
      }
    } catch (err) {
      options.onError?.(err);
    } finally {
      busy = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), options.intervalMs ?? 2000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
