/**
 * Temporary files beside their destination (`.NAME.PID.RANDOM.SUFFIX`), so the final rename is
 * atomic, and the removal of ones a killed process left behind: a file whose process no longer
 * runs can never be finished.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type TempSuffix = 'tmp' | 'part' | 'pull';

export function tempPathFor(dest: string, suffix: TempSuffix): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.${suffix}`);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporary files for `dest` whose writing process has exited. */
export function removeStaleTemps(dest: string): void {
  const prefix = `.${basename(dest)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(dest));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.(tmp|part|pull)$/.exec(name.slice(prefix.length));
    if (m && Number(m[1]) !== process.pid && !running(Number(m[1]))) rmSync(join(dirname(dest), name), { force: true });
  }
}

/**
 * Remove a temporary file once the stream writing it has closed: a stream destroyed by a failed
 * pipeline may still be opening its file, which would otherwise appear after the removal.
 */
export async function discardTemp(path: string, stream: WriteStream | undefined): Promise<void> {
  if (stream && !stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
  rmSync(path, { force: true });
}
