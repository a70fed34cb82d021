import { open } from 'node:fs/promises';
import { PolicyError } from '../errors.ts';

/**
 * Reads a whole input file as UTF-8, refusing anything larger than `maxBytes` before reading it
 * (and again after, in case the file grew). `what` names the file kind in messages
 * ("ignore file", "VEX document"); `code` prefixes the error codes (IGNOREFILE, VEX).
 */
export async function readTextFile(path: string, maxBytes: number, what: string, code: string): Promise<string> {
  const unreadable = (why: string, cause?: unknown): PolicyError =>
    new PolicyError(`${code}_UNREADABLE`, `${path}: ${why}`, cause === undefined ? undefined : { cause });
  const tooLarge = (): PolicyError =>
    new PolicyError(`${code}_TOO_LARGE`, `${path}: ${what} is larger than ${maxBytes} bytes`);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    throw unreadable(errno === 'ENOENT' ? 'no such file' : `cannot read ${what} (${errno ?? String(err)})`, err);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw unreadable('not a regular file');
    if (stat.size > maxBytes) throw tooLarge();
    const buf = Buffer.alloc(Math.min(maxBytes + 1, stat.size + 1));
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // One byte more than stat said was read: the file grew while being read.
    if (filled === buf.length) throw filled > maxBytes ? tooLarge() : unreadable('changed while being read');
    return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, filled));
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    if (err instanceof TypeError) throw unreadable('not valid UTF-8', err);
    throw unreadable(`cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  } finally {
    await handle.close();
  }
}
