/**
 * Downloading one feed file: a conditional GET (If-None-Match / If-Modified-Since from the last
 * download), a time limit, a size limit, and an atomic rename into the feed cache so that an
 * interrupted download never replaces a good file.
 */
import { createWriteStream, existsSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { FeedError } from '../errors.ts';
import { discardTemp, removeStaleTemps, tempPathFor } from './temp.ts';
import { TOOL_VERSION } from './version.ts';

/** What the last successful download of one cache file returned. */
export interface Validators {
  url: string;
  etag?: string;
  lastModified?: string;
  fetchedAt: string;
  bytes: number;
}

export interface DownloadOptions {
  timeoutMs: number;
  maxBytes: number;
  onBytes?: (received: number, total: number | undefined) => void;
  /** A 404 or 410 means "not published (yet)", not a failure (a release that does not exist yet). */
  optional?: boolean;
}

export type Downloaded =
  | { status: 'downloaded' | 'not-modified'; validators: Validators }
  | { status: 'missing' };

function reasonOf(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs / 1000} s`;
  const code = e?.cause?.code;
  const message = e?.cause?.message ?? e?.message;
  if (!message) return code ?? String(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/**
 * Fetch `url` into `dest`. With `previous` validators for the same URL and `dest` present, the
 * request is conditional and a 304 keeps `dest` as it is.
 */
export async function download(url: string, dest: string, previous: Validators | undefined, options: DownloadOptions): Promise<Downloaded> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FeedError('FEED_URL', `"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new FeedError('FEED_URL', `${url}: only http and https URLs can be downloaded`);
  const headers: Record<string, string> = { 'user-agent': `portcullis/${TOOL_VERSION}` };
  const conditional = previous !== undefined && previous.url === url && existsSync(dest);
  if (conditional && previous.etag) headers['if-none-match'] = previous.etag;
  if (conditional && previous.lastModified) headers['if-modified-since'] = previous.lastModified;

  // One signal for the whole exchange, body included: a server that stalls mid-body times out too.
  const signal = AbortSignal.timeout(options.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    throw new FeedError('FEED_DOWNLOAD', `${url}: ${reasonOf(err, options.timeoutMs)}`, { cause: err });
  }
  if (res.status === 304 && conditional) {
    await res.body?.cancel();
    return { status: 'not-modified', validators: { ...previous, fetchedAt: new Date().toISOString() } };
  }
  if (options.optional && (res.status === 404 || res.status === 410)) {
    await res.body?.cancel();
    return { status: 'missing' };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new FeedError('FEED_DOWNLOAD', `${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > options.maxBytes) {
    await res.body?.cancel();
    throw new FeedError('FEED_LIMIT', `${url}: ${length} bytes is more than the download limit of ${options.maxBytes} bytes`);
  }
  removeStaleTemps(dest);
  const tmp = tempPathFor(dest, 'part');
  let received = 0;
  // fetch() undoes a Content-Encoding (gzip, br): Content-Length then counts the encoded bytes,
  // not the ones we receive, and says nothing about the decoded size.
  const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  const total = Number.isFinite(length) && !encoded ? length : undefined;
  const counted = async function* (body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      received += chunk.length;
      if (received > options.maxBytes) throw new FeedError('FEED_LIMIT', `${url}: more than the download limit of ${options.maxBytes} bytes`);
      options.onBytes?.(received, total);
      yield chunk;
    }
  };
  let out: WriteStream | undefined;
  try {
    if (!res.body) throw new FeedError('FEED_DOWNLOAD', `${url}: empty response`);
    out = createWriteStream(tmp);
    await pipeline(Readable.fromWeb(res.body as ReadableStream<Uint8Array>), counted, out);
    if (total !== undefined && received !== total) throw new FeedError('FEED_DOWNLOAD', `${url}: got ${received} of ${total} bytes`);
    await rename(tmp, dest);
  } catch (err) {
    await discardTemp(tmp, out);
    if (err instanceof FeedError) throw err;
    throw new FeedError('FEED_DOWNLOAD', `${url}: ${reasonOf(err, options.timeoutMs)}`, { cause: err });
  }
  const validators: Validators = { url, fetchedAt: new Date().toISOString(), bytes: received };
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  if (etag) validators.etag = etag;
  if (lastModified) validators.lastModified = lastModified;
  return { status: 'downloaded', validators };
}
