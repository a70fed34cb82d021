/**
 * Zip archives (OSV's all.zip) read entry by entry with yauzl: only the central directory is
 * held, each entry is inflated as a stream when its turn comes. Entry names that could escape a
 * directory (absolute, `..`, backslashes) make the whole archive suspect, so they are an error,
 * not a skip.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { FeedError } from '../../errors.ts';
import type { SourceLimits } from './source.ts';

export interface ZipItem {
  name: string;
  /** Inflated bytes of the entry; yauzl checks them against the declared size and CRC. */
  open(): AsyncIterable<Buffer>;
}

function zipError(path: string, err: unknown): FeedError {
  if (err instanceof FeedError) return err;
  const message = (err as Error).message ?? String(err);
  const unsafe = /invalid relative path|absolute path|invalid characters in fileName/.test(message);
  return new FeedError(unsafe ? 'FEED_ZIP_PATH' : 'FEED_ZIP', `${path}: ${unsafe ? 'unsafe entry name' : 'not a readable zip'} (${message})`, { cause: err });
}

export async function* zipEntries(path: string, limits: SourceLimits): AsyncGenerator<ZipItem> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true });
  } catch (err) {
    throw zipError(path, err);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new FeedError('FEED_LIMIT', `${path}: ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
    }
    const entries = zip.eachEntry();
    while (true) {
      let next: IteratorResult<Entry>;
      try {
        next = await entries.next();
      } catch (err) {
        throw zipError(path, err);
      }
      if (next.done) break;
      const entry = next.value;
      if (entry.fileName.endsWith('/')) continue;
      if (entry.uncompressedSize > limits.maxStreamBytes) {
        throw new FeedError('FEED_LIMIT', `${path}: ${entry.fileName} declares ${entry.uncompressedSize} bytes, more than the limit of ${limits.maxStreamBytes}`);
      }
      if (!entry.canDecodeFileData()) {
        throw new FeedError('FEED_ZIP', `${path}: ${entry.fileName} is encrypted or uses an unsupported compression method (${entry.compressionMethod})`);
      }
      yield { name: entry.fileName, open: () => inflate(path, zip, entry) };
    }
  } finally {
    zip.close();
  }
}

async function* inflate(path: string, zip: ZipFile, entry: Entry): AsyncGenerator<Buffer> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (err) {
    throw zipError(path, err);
  }
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw new FeedError('FEED_ZIP', `${path}: ${entry.fileName}: ${(err as Error).message}`, { cause: err });
  } finally {
    stream.destroy();
  }
}
