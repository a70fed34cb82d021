/**
 * Large JSON feeds (the Debian tracker's ~80 MB object of packages, NVD's yearly files of CVEs)
 * are read one item at a time: a byte scanner finds where each top-level member — or each
 * element of one chosen top-level array — begins and ends, and only that slice is given to
 * JSON.parse. Memory is bounded by the largest item, not the file. The scanner tracks strings
 * and nesting only; the slices themselves are validated by JSON.parse.
 */
import { FeedError } from '../../errors.ts';

export interface JsonStreamOptions {
  /** For error messages: the file being read. */
  what: string;
  /** Largest single item, in bytes. */
  maxItemBytes: number;
  /**
   * When the root is an object: yield the elements of the array under this key instead of the
   * root's members; the other members go to `header` (members after the array arrive after it).
   */
  arrayKey?: string;
  header?: Record<string, unknown>;
}

export interface JsonItem {
  /** The member's key when the item is a member of the root object. */
  key?: string;
  value: unknown;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJ = 0x7b;
const BOM = [0xef, 0xbb, 0xbf];
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Where the scanner is within a member of the root object. */
const Member = { key: 0, inKey: 1, colon: 2, value: 3 } as const;

export async function* jsonItems(chunks: AsyncIterable<Buffer>, opts: JsonStreamOptions): AsyncGenerator<JsonItem> {
  const fail = (what: string): never => {
    throw new FeedError('FEED_PARSE', `${opts.what}: not valid JSON (${what})`);
  };
  let depth = 0;
  let inStr = false;
  let esc = false;
  let root = 0; // OPEN_OBJ or OPEN_ARR once seen
  let closed = false;
  let bomAt = 0;
  /** Items are separated at this depth: 1 for the root's children, 2 inside the chosen array. */
  let captureDepth = 1;
  let inTarget = false;
  let member: number = Member.key;
  let keyBytes: number[] = [];
  let key = '';
  // The current item: earlier chunks it spans, and where it starts in the first of them.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let partStart = -1;

  const finish = (chunk: Buffer, end: number): JsonItem | undefined => {
    const parts = pending.length === 0 ? [chunk.subarray(partStart, end)] : [...pending, chunk.subarray(0, end)];
    if (pending.length > 0) parts[0] = parts[0]!.subarray(partStart);
    pending = [];
    pendingBytes = 0;
    partStart = -1;
    const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8');
    if (text.trim() === '') return undefined;
    const objectMember = root === OPEN_OBJ && !inTarget;
    let parsed: unknown;
    try {
      parsed = JSON.parse(objectMember ? `{${text}}` : text);
    } catch (err) {
      fail((err as Error).message);
    }
    if (!objectMember) return { value: parsed };
    const [k, v] = Object.entries(parsed as Record<string, unknown>)[0] ?? fail('empty member');
    return { key: k, value: v };
  };

  /** In array-key mode the root's other members are header, not items. */
  const toHeader = (item: JsonItem): boolean => {
    if (item.key === undefined || opts.arrayKey === undefined) return false;
    if (opts.header) opts.header[item.key] = item.value;
    return true;
  };

  for await (const chunk of chunks) {
    const n = chunk.length;
    let nextBackslash = -2; // the next backslash in this chunk at or after the last lookup, -1 when none
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      if (depth === 0 && bomAt < 3 && c === BOM[bomAt]) {
        bomAt++; // a UTF-8 byte order mark, possibly split across chunks
        continue;
      }
      if (inStr) {
        // `member` is inKey only while reading a member name of the root object.
        const inKey = member === Member.inKey;
        if (!esc && !inKey) {
          // Fast path through string contents, most of the bytes: jump to the next quote or backslash.
          if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
          const q = chunk.indexOf(QUOTE, i);
          if (nextBackslash !== -1 && (q === -1 || nextBackslash < q)) {
            i = nextBackslash;
            esc = true;
          } else if (q === -1) i = n;
          else {
            i = q;
            inStr = false;
          }
          continue;
        }
        if (inKey && (esc || c !== QUOTE)) keyBytes.push(c);
        if (esc) esc = false;
        else if (c === BACKSLASH) esc = true;
        else if (c === QUOTE) {
          inStr = false;
          if (inKey) {
            try {
              key = JSON.parse(`"${Buffer.from(keyBytes).toString('utf8')}"`) as string;
            } catch {
              fail('bad member name');
            }
            keyBytes = [];
            member = Member.colon;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (closed) fail('data after the end of the document');
      if (depth === 0) {
        if (c !== OPEN_OBJ && c !== OPEN_ARR) fail('the document is neither an object nor an array');
        root = c;
        depth = 1;
        bomAt = 3;
        continue;
      }
      const atRootObject = depth === 1 && root === OPEN_OBJ && !inTarget;
      if (atRootObject) {
        if (c === COLON) {
          if (member !== Member.colon) fail('misplaced ":"');
          member = Member.value;
          continue;
        }
        if (member === Member.key && c === QUOTE) member = Member.inKey;
        else if (member === Member.value && c === OPEN_ARR && opts.arrayKey !== undefined && key === opts.arrayKey && partStart >= 0) {
          // The chosen array: its elements become the items, the key text is dropped.
          inTarget = true;
          captureDepth = 2;
          partStart = -1;
          pending = [];
          pendingBytes = 0;
          depth = 2;
          continue;
        } else if (member === Member.key && c !== CLOSE_OBJ) fail('expected a member name');
        else if (member === Member.colon) fail('expected ":"');
      }
      if (c === COMMA && depth === captureDepth) {
        if (partStart >= 0) {
          const item = finish(chunk, i);
          if (item && !toHeader(item)) yield item;
        }
        if (atRootObject) member = Member.key;
        continue;
      }
      if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        depth--;
        if (depth < captureDepth) {
          if (partStart >= 0) {
            const item = finish(chunk, i);
            if (item && !toHeader(item)) yield item;
          }
          if (inTarget && depth === 1) {
            inTarget = false;
            captureDepth = 1;
            member = Member.value; // the array was this member's value; a "," or "}" follows
          } else if (depth === 0) closed = true;
        }
        continue;
      }
      if (depth === captureDepth && partStart < 0) {
        partStart = i;
        pending = [];
        pendingBytes = 0;
      }
      if (c === QUOTE) inStr = true;
      else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
    }
    if (partStart >= 0) {
      const kept = pending.length === 0 ? chunk.subarray(partStart) : chunk;
      if (pending.length === 0) partStart = 0;
      pending.push(kept);
      pendingBytes += kept.length;
      if (pendingBytes > opts.maxItemBytes) {
        throw new FeedError('FEED_LIMIT', `${opts.what}: an item is larger than ${opts.maxItemBytes} bytes`);
      }
    }
  }
  if (!closed) fail(root === 0 ? 'empty input' : 'truncated');
}
