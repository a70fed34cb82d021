import { randomBytes } from 'node:crypto';
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { Io } from './context.ts';

/**
 * Write a report to -o FILE or stdout. A regular file is replaced atomically (a reader never
 * sees half a report, and a failed run leaves the old one); anything else that exists — a
 * device such as /dev/null or /dev/stdout, a FIFO — is written in place, never replaced.
 */
export async function writeOutput(io: Io, data: string | Buffer, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    await new Promise<void>((resolve, reject) => io.stdout.write(data, (err) => (err ? reject(err) : resolve())));
    return;
  }
  const existing = await stat(file).catch(() => undefined);
  if (existing && !existing.isFile()) {
    await writeFile(file, data).catch((err: unknown) => cannotWrite(file, err));
    return;
  }
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    cannotWrite(file, err);
  }
}

function cannotWrite(file: string, err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  throw new UsageError('OUTPUT', `cannot write ${file}: ${e?.code ?? e?.message ?? String(err)}`, { cause: err });
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
