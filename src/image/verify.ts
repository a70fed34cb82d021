import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { ImageFormatError } from '../errors.ts';

const SUPPORTED_ALGORITHMS: Record<string, string> = { sha256: 'sha256', sha512: 'sha512' };

/** Split "sha256:abc..." and check the form; throws ImageFormatError on anything else. */
export function parseDigest(digest: string): { algorithm: string; hex: string } {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  const algorithm = m?.[1];
  const hex = m?.[2];
  const expectedLength = algorithm === 'sha256' ? 64 : algorithm === 'sha512' ? 128 : -1;
  if (!algorithm || !hex || !SUPPORTED_ALGORITHMS[algorithm] || hex.length !== expectedLength) {
    throw new ImageFormatError('BAD_DIGEST', `unsupported or malformed digest "${digest.slice(0, 80)}"`);
  }
  return { algorithm, hex };
}

export function digestOf(data: Buffer | string, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Verify bytes already in memory (manifests, configs) against their descriptor. */
export function verifyBytes(data: Buffer, digest: string, size: number | undefined, what: string): void {
  const { algorithm } = parseDigest(digest);
  if (size !== undefined && data.length !== size) {
    throw new ImageFormatError('SIZE_MISMATCH', `${what}: expected ${size} bytes, got ${data.length}`);
  }
  const actual = digestOf(data, algorithm);
  if (actual !== digest) throw new ImageFormatError('DIGEST_MISMATCH', `${what}: digest is ${actual}, expected ${digest}`);
}

/**
 * Pass-through stream that hashes and counts what flows through it and fails — instead of
 * ending — when the total differs from the expected size or digest. It also fails as soon as
 * more than `size` bytes arrive, so a lying server cannot make us read without end.
 */
export class VerifyingStream extends Transform {
  private readonly hash;
  private readonly expectedDigest: string;
  private readonly expectedSize: number | undefined;
  private readonly what: string;
  private seen = 0;

  constructor(digest: string, size: number | undefined, what: string) {
    super();
    const { algorithm } = parseDigest(digest);
    this.hash = createHash(algorithm);
    this.expectedDigest = digest;
    this.expectedSize = size;
    this.what = what;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.expectedSize !== undefined && this.seen > this.expectedSize) {
      done(new ImageFormatError('SIZE_MISMATCH', `${this.what}: more than the ${this.expectedSize} bytes its descriptor declares`));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.expectedSize !== undefined && this.seen !== this.expectedSize) {
      done(new ImageFormatError('SIZE_MISMATCH', `${this.what}: truncated: got ${this.seen} of ${this.expectedSize} bytes`));
      return;
    }
    const actual = `${this.expectedDigest.slice(0, this.expectedDigest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== this.expectedDigest) {
      done(new ImageFormatError('DIGEST_MISMATCH', `${this.what}: digest is ${actual}, expected ${this.expectedDigest}`));
      return;
    }
    done();
  }
}
