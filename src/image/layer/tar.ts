import { LayerError } from '../../errors.ts';
import { normalizeEntryPath, truncate } from './path.ts';

/**
 * A streaming tar reader made for scanning: headers are parsed in place, file bodies nobody asked
 * for are skipped by arithmetic (no per-entry stream or copy), and only the files a handler wants
 * are buffered. Layers can hold hundreds of thousands of entries, so the per-entry cost is what
 * decides scan time; general-purpose tar libraries allocate a stream per entry.
 *
 * Formats: POSIX ustar and pax (path, linkpath, size overrides), GNU (long names 'L'/'K',
 * base-256 sizes). Every size and count from the archive is bounded by TarLimits.
 */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Normalised root-relative path (see normalizeEntryPath). */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  /** Symlink target as written, or hardlink target normalised. */
  linkname?: string;
}

export interface TarHandler {
  /** Return true to receive the entry's content through content(). Throw to abort the walk. */
  entry(entry: TarEntry): boolean;
  content(entry: TarEntry, data: Buffer): void;
}

export interface TarLimits {
  maxEntries: number;
  /** Largest pax header or GNU long name/link body we buffer. */
  maxHeaderExtension: number;
  /** Largest file body a handler may ask to buffer. */
  maxBufferedFile: number;
  /** Total bytes of tar stream (uncompressed) we read for one layer. */
  maxBytes: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = {
  maxEntries: 2_000_000,
  maxHeaderExtension: 1 << 20,
  maxBufferedFile: 256 << 20,
  maxBytes: 64 * 2 ** 30,
};

const BLOCK = 512;

const S = { Header: 0, Body: 1, Padding: 2, Done: 3 } as const;
type State = (typeof S)[keyof typeof S];

type BodyKind = 'skip' | 'buffer' | 'pax' | 'gnu-longname' | 'gnu-longlink' | 'pax-global';

export class TarWalker {
  private readonly handler: TarHandler;
  private readonly limits: TarLimits;
  private readonly layer: string;
  private state: State = S.Header;
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private bodyRemaining = 0;
  private paddingRemaining = 0;
  private bodyKind: BodyKind = 'skip';
  private body: Buffer | undefined;
  private bodyFill = 0;
  private current: TarEntry | undefined;
  private zeroBlocks = 0;
  /** Overrides from a preceding pax/GNU extension header, applied to the next entry. */
  private pendingPath: string | undefined;
  private pendingLink: string | undefined;
  private pendingSize: number | undefined;
  entries = 0;
  bytes = 0;

  constructor(handler: TarHandler, layer: string, limits: Partial<TarLimits> = {}) {
    this.handler = handler;
    this.layer = layer;
    this.limits = { ...DEFAULT_TAR_LIMITS, ...limits };
  }

  /** Feed the next chunk of the uncompressed tar stream. */
  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxBytes) {
      throw new LayerError('LAYER_TOO_LARGE', `${this.layer}: more than ${this.limits.maxBytes} bytes uncompressed (decompression bomb?)`);
    }
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      switch (this.state) {
        case S.Header: {
          const take = Math.min(BLOCK - this.headerFill, len - off);
          if (take === BLOCK) {
            // Whole header in this chunk: parse without copying.
            off += BLOCK;
            this.onHeader(chunk.subarray(off - BLOCK, off));
          } else {
            chunk.copy(this.header, this.headerFill, off, off + take);
            this.headerFill += take;
            off += take;
            if (this.headerFill === BLOCK) {
              this.headerFill = 0;
              this.onHeader(this.header);
            }
          }
          break;
        }
        case S.Body: {
          const take = Math.min(this.bodyRemaining, len - off);
          if (this.body) {
            chunk.copy(this.body, this.bodyFill, off, off + take);
            this.bodyFill += take;
          }
          off += take;
          this.bodyRemaining -= take;
          if (this.bodyRemaining === 0) this.onBodyEnd();
          break;
        }
        case S.Padding: {
          const take = Math.min(this.paddingRemaining, len - off);
          off += take;
          this.paddingRemaining -= take;
          if (this.paddingRemaining === 0) this.state = S.Header;
          break;
        }
        case S.Done:
          // Trailing data after the end-of-archive marker (tar writers pad to a record size).
          return;
      }
    }
  }

  /** The stream ended: anything but a clean entry boundary is a truncated layer. */
  end(): void {
    if (this.state === S.Done) return;
    if (this.state === S.Header && this.headerFill === 0) return; // no end marker: tolerated, as GNU tar does
    const where = this.current ? ` in "${truncate(this.current.path)}"` : '';
    throw new LayerError('TRUNCATED_LAYER', `${this.layer}: tar stream ends mid-entry${where} (truncated layer)`);
  }

  private onHeader(h: Buffer): void {
    if (isZeroBlock(h)) {
      // Two zero blocks end the archive; one alone is tolerated (some writers emit it).
      if (++this.zeroBlocks >= 2) this.state = S.Done;
      return;
    }
    this.zeroBlocks = 0;
    const { typeflag, name, linkname, size: headerSize } = decodeHeader(h, this.layer, this.entries);
    const size = this.pendingSize ?? headerSize;

    // Extension headers describe the next entry.
    const extension = extensionKind(typeflag);
    if (extension) {
      if (size > this.limits.maxHeaderExtension) {
        throw new LayerError('HEADER_TOO_LARGE', `${this.layer}: extended tar header of ${size} bytes exceeds ${this.limits.maxHeaderExtension}`);
      }
      this.pendingSize = undefined;
      this.startBody(extension, size, Buffer.allocUnsafe(size));
      return;
    }

    if (++this.entries > this.limits.maxEntries) {
      throw new LayerError('TOO_MANY_ENTRIES', `${this.layer}: more than ${this.limits.maxEntries} tar entries`);
    }
    const rawName = this.pendingPath ?? name;
    const rawLink = this.pendingLink ?? linkname;
    this.pendingPath = this.pendingLink = this.pendingSize = undefined;

    const type = entryType(typeflag);
    const path = normalizeEntryPath(rawName, this.layer);
    const entry: TarEntry = { path, type, size, mode: parseNumeric(h, 100, 8, this.layer) & 0o7777 };
    if (type === 'symlink') entry.linkname = rawLink;
    else if (type === 'hardlink') entry.linkname = normalizeEntryPath(rawLink, this.layer);
    this.current = entry;

    // Header-only types (links, devices, dirs, fifos) have no body whatever their size field
    // says, as in Go's archive/tar, which is what container runtimes use to apply layers.
    const bodySize = typeflag >= 0x31 && typeflag <= 0x36 ? 0 : size;
    const wanted = this.handler.entry(entry) && type === 'file';
    if (wanted && size > this.limits.maxBufferedFile) {
      throw new LayerError('FILE_TOO_LARGE', `${this.layer}: "${truncate(path)}" is ${size} bytes, more than the ${this.limits.maxBufferedFile} an analyzer may buffer`);
    }
    this.startBody(wanted ? 'buffer' : 'skip', bodySize, wanted ? Buffer.allocUnsafe(size) : undefined);
  }

  private startBody(kind: BodyKind, size: number, buffer: Buffer | undefined): void {
    this.bodyKind = kind;
    this.body = buffer;
    this.bodyFill = 0;
    this.bodyRemaining = size;
    this.paddingRemaining = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.onBodyEnd();
    else this.state = S.Body;
  }

  private onBodyEnd(): void {
    const body = this.body;
    this.body = undefined;
    switch (this.bodyKind) {
      case 'buffer':
        if (this.current && body) this.handler.content(this.current, body);
        break;
      case 'pax':
        if (body) this.applyPax(body);
        break;
      case 'gnu-longname':
        if (body) this.pendingPath = cString(body, 0, body.length);
        break;
      case 'gnu-longlink':
        if (body) this.pendingLink = cString(body, 0, body.length);
        break;
      default:
        break;
    }
    this.state = this.paddingRemaining > 0 ? S.Padding : S.Header;
  }

  private applyPax(body: Buffer): void {
    const pax = parsePax(body, this.layer);
    if (pax.path !== undefined) this.pendingPath = pax.path;
    if (pax.linkpath !== undefined) this.pendingLink = pax.linkpath;
    if (pax.size !== undefined) this.pendingSize = pax.size;
  }
}

type ExtensionKind = 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink';

export function extensionKind(typeflag: number): ExtensionKind | undefined {
  switch (typeflag) {
    case 0x78: return 'pax'; // x
    case 0x67: return 'pax-global'; // g
    case 0x4c: return 'gnu-longname'; // L
    case 0x4b: return 'gnu-longlink'; // K
    default: return undefined;
  }
}

/** The fields of one 512-byte header; throws on a bad checksum or size. */
export function decodeHeader(h: Buffer, layer: string, index: number): { typeflag: number; name: string; linkname: string; size: number } {
  if (!checksumOk(h)) throw new LayerError('BAD_TAR_HEADER', `${layer}: corrupt tar header after ${index} entries (bad checksum)`);
  const size = parseNumeric(h, 124, 12, layer);
  if (size < 0 || !Number.isSafeInteger(size)) throw new LayerError('BAD_TAR_HEADER', `${layer}: invalid entry size`);
  return { typeflag: h[156] ?? 0, name: headerName(h), linkname: cString(h, 157, 100), size };
}

/** pax extended header records: "<len> <key>=<value>\n", <len> counting the whole record. */
export function parsePax(body: Buffer, layer: string): { path?: string; linkpath?: string; size?: number } {
  const out: { path?: string; linkpath?: string; size?: number } = {};
  let off = 0;
  while (off < body.length) {
    const space = body.indexOf(0x20, off);
    if (space < 0) break;
    const len = Number(body.toString('latin1', off, space));
    if (!Number.isInteger(len) || len <= 0 || off + len > body.length) {
      throw new LayerError('BAD_TAR_HEADER', `${layer}: malformed pax header record`);
    }
    const record = body.toString('utf8', space + 1, off + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) {
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (key === 'path') out.path = value;
      else if (key === 'linkpath') out.linkpath = value;
      else if (key === 'size') {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n < 0) throw new LayerError('BAD_TAR_HEADER', `${layer}: invalid pax size "${truncate(value, 40)}"`);
        out.size = n;
      }
    }
    off += len;
  }
  return out;
}

function entryType(flag: number): EntryType {
  switch (flag) {
    case 0: case 0x30: case 0x37: return 'file'; // '\0', '0', '7' (contiguous)
    case 0x31: return 'hardlink';
    case 0x32: return 'symlink';
    case 0x35: return 'dir';
    default: return 'other';
  }
}

export function isZeroBlock(h: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 8) if (h.readBigUInt64LE(i) !== 0n) return false;
  return true;
}

function checksumOk(h: Buffer): boolean {
  const stored = parseOctal(h, 148, 8);
  let unsigned = 0;
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
  if (stored === unsigned) return true;
  // Some old writers summed signed bytes.
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
    signed += b > 127 ? b - 256 : b;
  }
  return stored === signed;
}

export function cString(b: Buffer, off: number, len: number): string {
  let end = b.indexOf(0, off);
  if (end < 0 || end > off + len) end = off + len;
  return b.toString('utf8', off, end);
}

function headerName(h: Buffer): string {
  const name = cString(h, 0, 100);
  // ustar splits long names into prefix (at 345) and name; GNU's "ustar  " magic has no prefix.
  const isUstar = h[257] === 0x75 && h[262] === 0 && h[263] === 0x30; // "ustar\0" "00"
  if (isUstar && h[345] !== 0) return `${cString(h, 345, 155)}/${name}`;
  return name;
}

function parseOctal(b: Buffer, off: number, len: number): number {
  let n = 0;
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  for (; i < end; i++) {
    const c = b[i] ?? 0;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

/** Octal, or GNU base-256 when the high bit of the first byte is set (sizes over 8 GiB). */
function parseNumeric(b: Buffer, off: number, len: number, layer: string): number {
  const first = b[off] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) throw new LayerError('BAD_TAR_HEADER', `${layer}: negative number in tar header`);
    let n = first & 0x7f;
    for (let i = off + 1; i < off + len; i++) {
      n = n * 256 + (b[i] ?? 0);
      if (n > Number.MAX_SAFE_INTEGER) throw new LayerError('BAD_TAR_HEADER', `${layer}: number in tar header too large`);
    }
    return n;
  }
  return parseOctal(b, off, len);
}
