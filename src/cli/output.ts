import { rename, writeFile } from 'node:fs/promises';
import type { Io } from './context.ts';

/** Write a report to -o FILE (atomically: a reader never sees half a report) or stdout. */
export async function writeOutput(io: Io, data: string | Buffer, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    await new Promise<void>((resolve, reject) => io.stdout.write(data, (err) => (err ? reject(err) : resolve())));
    return;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * A one-line progress display on a terminal (layers analysed), nothing otherwise, so logs and
 * pipes stay clean.
 */
export function progressLine(io: Io, enabled: boolean): { update(text: string): void; done(): void } {
  if (!enabled || !io.stderr.isTTY) return { update() {}, done() {} };
  let last = '';
  return {
    update(text) {
      if (text === last) return;
      last = text;
      io.stderr.write(`\r\x1b[2K${text}`);
    },
    done() {
      if (last) io.stderr.write('\r\x1b[2K');
      last = '';
    },
  };
}
