/**
 * Streaming CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF),
 * as CISA KEV and FIRST EPSS publish it. Rows come one at a time; only the row being read is held.
 */
import { StringDecoder } from 'node:string_decoder';
import { FeedError } from '../../errors.ts';

export interface CsvOptions {
  what: string;
  /** Longest record, in characters. */
  maxRecordChars: number;
}

/** Parse one record starting at `start`; undefined when the text ends inside it and more may come. */
function record(text: string, start: number, final: boolean, what: string): { fields: string[]; next: number } | undefined {
  const fields: string[] = [];
  let i = start;
  while (true) {
    if (text.charCodeAt(i) === 0x22) {
      let value = '';
      let from = i + 1;
      while (true) {
        const q = text.indexOf('"', from);
        if (q < 0) {
          if (final) throw new FeedError('FEED_PARSE', `${what}: unterminated quoted field`);
          return undefined;
        }
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === 0x22) {
          value += '"';
          from = q + 2;
          continue;
        }
        if (q + 1 >= text.length && !final) return undefined; // cannot tell "" from " yet
        i = q + 1;
        break;
      }
      fields.push(value);
    } else {
      let end = i;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c === 0x2c || c === 0x0a || c === 0x0d) break;
        end++;
      }
      if (end >= text.length && !final) return undefined;
      fields.push(text.slice(i, end));
      i = end;
    }
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i++;
      continue;
    }
    if (i >= text.length) return { fields, next: i };
    if (c === 0x0d) {
      if (i + 1 >= text.length && !final) return undefined;
      return { fields, next: text.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1 };
    }
    if (c === 0x0a) return { fields, next: i + 1 };
    throw new FeedError('FEED_PARSE', `${what}: unexpected character after a quoted field`);
  }
}

/**
 * Rows of a CSV stream, a batch per input chunk (a file of 300,000 rows should not cost 300,000
 * trips through the async iteration machinery); blank lines are skipped.
 */
export async function* csvBatches(chunks: AsyncIterable<Buffer>, opts: CsvOptions): AsyncGenerator<string[][]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let firstChunk = true;
  const drain = (text: string, final: boolean, out: string[][]): string => {
    let pos = 0;
    while (pos < text.length) {
      const r = record(text, pos, final, opts.what);
      if (!r) break;
      pos = r.next;
      if (!(r.fields.length === 1 && r.fields[0] === '')) out.push(r.fields);
    }
    const rest = text.slice(pos);
    if (rest.length > opts.maxRecordChars) throw new FeedError('FEED_LIMIT', `${opts.what}: a CSV record is longer than ${opts.maxRecordChars} characters`);
    return rest;
  };
  for await (const chunk of chunks) {
    let text = carry + decoder.write(chunk);
    if (firstChunk && text.length > 0) {
      firstChunk = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const rows: string[][] = [];
    carry = drain(text, false, rows);
    if (rows.length > 0) yield rows;
  }
  const rows: string[][] = [];
  drain(carry + decoder.end(), true, rows);
  if (rows.length > 0) yield rows;
}

/** Rows of a CSV stream one at a time. */
export async function* csvRows(chunks: AsyncIterable<Buffer>, opts: CsvOptions): AsyncGenerator<string[]> {
  for await (const batch of csvBatches(chunks, opts)) yield* batch;
}
