import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ManifestError } from './errors.ts';
import { parseManifests } from './parse.ts';
import type { LoadedObject, ManifestLimits } from './types.ts';
import { DEFAULT_MANIFEST_LIMITS } from './types.ts';

/**
 * Inputs → objects: files, directories (recursively, `.yaml`, `.yml`, `.json`, in name order,
 * as `kubectl apply -R -f` takes them) and stdin (`-`). Every byte counts against the limits
 * before it is parsed.
 */

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
/** Version-control metadata is never a manifest; everything else in a directory is looked at. */
const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn']);
export const STDIN_NAME = '<stdin>';

export interface ReadOptions {
  limits?: Partial<ManifestLimits>;
  /** Where `-` reads from (process.stdin in the CLI). */
  stdin?: Readable;
}

export interface ReadResult {
  objects: LoadedObject[];
  warnings: string[];
  /** Files read, in order (for messages and reports). */
  files: string[];
}

export async function readManifests(inputs: readonly string[], options: ReadOptions = {}): Promise<ReadResult> {
  const limits: ManifestLimits = { ...DEFAULT_MANIFEST_LIMITS, ...options.limits };
  const result: ReadResult = { objects: [], warnings: [], files: [] };
  const budget = { objects: 0, bytes: 0 };
  const add = (text: string, file: string): void => {
    const parsed = parseManifests(text, file, limits, budget);
    result.objects.push(...parsed.objects);
    result.warnings.push(...parsed.warnings);
    result.files.push(file);
  };
  const count = (n: number, what: string): void => {
    budget.bytes += n;
    if (budget.bytes > limits.maxTotalBytes) {
      throw new ManifestError('MANIFEST_LIMIT', `${what}: manifests larger than ${limits.maxTotalBytes} bytes in total`);
    }
  };
  let stdinUsed = false;
  for (const input of inputs) {
    if (input === '-') {
      if (stdinUsed) throw new ManifestError('MANIFEST_INPUT', '"-" (stdin) given more than once');
      stdinUsed = true;
      if (!options.stdin) throw new ManifestError('MANIFEST_INPUT', 'no standard input to read');
      const text = await readStream(options.stdin, limits.maxFileBytes);
      count(Buffer.byteLength(text), STDIN_NAME);
      add(text, STDIN_NAME);
      continue;
    }
    const info = await stat(input).catch((e: NodeJS.ErrnoException) => {
      throw new ManifestError('MANIFEST_INPUT', `${input}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
    });
    const files = info.isDirectory() ? await listDirectory(input, limits.maxFiles) : [input];
    for (const file of files) {
      const text = await readFileBounded(file, limits.maxFileBytes);
      count(Buffer.byteLength(text), file);
      add(text, file);
    }
  }
  return result;
}

async function listDirectory(root: string, maxFiles: number): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 64) throw new ManifestError('MANIFEST_LIMIT', `${dir}: directories nested more than 64 deep`);
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      // Symbolic links to directories are not followed (a loop would never end); to files they are.
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) await walk(path, depth + 1);
      } else if ((e.isFile() || e.isSymbolicLink()) && MANIFEST_FILE.test(e.name)) {
        if (e.isSymbolicLink() && !(await stat(path).then((s) => s.isFile(), () => false))) continue;
        out.push(path);
        if (out.length > maxFiles) throw new ManifestError('MANIFEST_LIMIT', `${root}: more than ${maxFiles} manifest files`);
      }
    }
  };
  await walk(root, 0);
  return out;
}

async function readFileBounded(file: string, max: number): Promise<string> {
  const handle = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new ManifestError('MANIFEST_INPUT', `${file}: ${e.message}`);
  });
  try {
    // Read up to max+1 bytes: a file growing after stat() is still caught.
    const buf = Buffer.alloc(Math.min(max + 1, (await handle.stat()).size + 1));
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > max) throw new ManifestError('MANIFEST_LIMIT', `${file}: larger than ${max} bytes`);
    return decode(buf.subarray(0, filled), file);
  } finally {
    await handle.close();
  }
}

export async function readStream(stream: Readable, max: number, name = STDIN_NAME): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > max) {
      stream.destroy();
      throw new ManifestError('MANIFEST_LIMIT', `${name}: larger than ${max} bytes`);
    }
    chunks.push(b);
  }
  return decode(Buffer.concat(chunks), name);
}

function decode(buf: Buffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new ManifestError('MANIFEST_PARSE', `${name}: not UTF-8 text`);
  }
}
