/**
 * The database as an OCI artifact, so that air-gapped sites mirror it like an image (any
 * registry, any mirroring tool that copies manifests and blobs):
 *
 * - an OCI image manifest with `artifactType: application/vnd.portcullis.db.v1`;
 * - the empty config (`application/vnd.oci.empty.v1+json`, `{}`), as the OCI 1.1 image spec
 *   recommends for artifacts without a config;
 * - one layer, `application/vnd.portcullis.db.layer.v1.sqlite+zstd`: the SQLite file, zstd;
 * - annotations: when it was built, its schema, the tool version, and the digest and size of the
 *   uncompressed file, so a pull checks the schema before downloading and the file after
 *   decompressing.
 *
 * A pull verifies the manifest and blob digests (the registry client does), refuses another
 * schema, decompresses with a size limit into a temporary file beside the database, checks it,
 * and renames it into place: a scan never sees half a database.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createZstdCompress, createZstdDecompress } from 'node:zlib';
import { DbError, PortcullisError, RegistryError, UsageError } from '../errors.ts';
import { formatImageRef, MediaType, parseRegistryRef, RegistryClient } from '../image/index.ts';
import type { RegistryRef } from '../image/index.ts';
import { VulnDb } from './reader.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { discardTemp, removeStaleTemps, tempPathFor } from './temp.ts';

export const DB_ARTIFACT_TYPE = 'application/vnd.portcullis.db.v1';
export const DB_LAYER_MEDIA_TYPE = 'application/vnd.portcullis.db.layer.v1.sqlite+zstd';
export const EMPTY_CONFIG_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
export const ANNOTATION = {
  builtAt: 'vnd.portcullis.db.built-at',
  schema: 'vnd.portcullis.db.schema',
  toolVersion: 'vnd.portcullis.db.tool-version',
  sqliteDigest: 'vnd.portcullis.db.sqlite.digest',
  sqliteSize: 'vnd.portcullis.db.sqlite.size',
} as const;

/**
 * zstd level for the pushed layer. On the sample database level 19 is about 9% smaller than 12
 * but takes about 18 times as long, which for a full database (hundreds of MB) means many
 * minutes of CPU in every publishing run.
 */
export const DB_ZSTD_LEVEL = 12;

/** Uncompressed size a pull accepts by default (the full public feeds make a few hundred MB). */
export const DEFAULT_MAX_DB_BYTES = 8 * 1024 ** 3;

export interface RegistryOptions {
  db: string;
  insecure?: boolean;
  caFile?: string;
  /** Environment for registry credentials (REGISTRY_AUTH_FILE, DOCKER_CONFIG, HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Pull: refuse a database larger than this once decompressed (default DEFAULT_MAX_DB_BYTES). */
  maxBytes?: number;
}

export interface PushResult {
  ref: string;
  manifestDigest: string;
  /** Uncompressed and compressed sizes. */
  bytes: number;
  compressedBytes: number;
}

export interface PullResult {
  ref: string;
  manifestDigest: string;
  db: string;
  builtAt: string;
  schema: number;
  bytes: number;
}

interface Manifest {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: { mediaType?: string; digest?: string; size?: number };
  layers?: { mediaType?: string; digest?: string; size?: number; annotations?: Record<string, string> }[];
  annotations?: Record<string, string>;
}

function registryRef(text: string, forPush: boolean): RegistryRef {
  const ref = parseRegistryRef(text);
  if (forPush && ref.digest) throw new UsageError('BAD_REFERENCE', `${text}: push to a tag, not a digest`);
  return ref;
}

/** Counts and hashes what passes through, and fails past `max` bytes. */
class Meter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly max: number;
  private readonly what: string;
  constructor(max: number, what: string) {
    super();
    this.max = max;
    this.what = what;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      done(new DbError('DB_TOO_LARGE', `${this.what}: larger than ${this.max} bytes once decompressed`));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
  private final: string | undefined;
  /** The digest of everything that passed (once the stream has ended). */
  digest(): string {
    this.final ??= `sha256:${this.hash.digest('hex')}`;
    return this.final;
  }
}

function clientFor(ref: RegistryRef, options: RegistryOptions): RegistryClient {
  return new RegistryClient(ref.registry, {
    ...(options.insecure ? { insecure: true } : {}), ...(options.caFile ? { caFile: options.caFile } : {}), ...(options.env ? { env: options.env } : {}),
  });
}

export async function pushDb(refText: string, options: RegistryOptions): Promise<PushResult> {
  const ref = registryRef(refText, true);
  const db = VulnDb.open(options.db);
  let info;
  try {
    info = db.info();
  } finally {
    db.close();
  }
  const client = clientFor(ref, options);
  const work = await mkdtemp(join(tmpdir(), 'portcullis-db-push-'));
  try {
    // Compress to a file first: the registry needs the digest and size before the upload.
    const zst = join(work, 'portcullis.db.zst');
    const raw = new Meter(Number.MAX_SAFE_INTEGER, options.db);
    const packed = new Meter(Number.MAX_SAFE_INTEGER, zst);
    await pipeline(createReadStream(options.db), raw,
      createZstdCompress({ params: { [zlibConstants.ZSTD_c_compressionLevel]: DB_ZSTD_LEVEL, [zlibConstants.ZSTD_c_checksumFlag]: 1 } }),
      packed, createWriteStream(zst));
    const layer = await client.pushBlob(ref.repository, { digest: packed.digest(), size: packed.bytes, open: () => createReadStream(zst) });
    const empty = Buffer.from('{}');
    const config = await client.pushBlob(ref.repository, empty);
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType: DB_ARTIFACT_TYPE,
      config: { mediaType: EMPTY_CONFIG_MEDIA_TYPE, digest: config.digest, size: config.size, data: empty.toString('base64') },
      layers: [{ mediaType: DB_LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.size, annotations: { 'org.opencontainers.image.title': 'portcullis.db.zst' } }],
      annotations: {
        'org.opencontainers.image.created': info.builtAt,
        [ANNOTATION.builtAt]: info.builtAt,
        [ANNOTATION.schema]: String(info.schema),
        [ANNOTATION.toolVersion]: info.toolVersion,
        [ANNOTATION.sqliteDigest]: raw.digest(),
        [ANNOTATION.sqliteSize]: String(raw.bytes),
      },
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = await client.putManifest(ref.repository, ref.tag ?? 'latest', bytes, MediaType.OciManifest);
    return { ref: formatImageRef(ref), manifestDigest, bytes: raw.bytes, compressedBytes: packed.bytes };
  } finally {
    client.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** The database layer of a manifest, after checking that it is ours and of our schema. */
function dbLayer(what: string, m: Manifest): { digest: string; size: number; sqliteDigest?: string; sqliteSize?: number; builtAt: string } {
  if (m.artifactType !== DB_ARTIFACT_TYPE) {
    throw new DbError('NOT_A_DB_ARTIFACT', `${what} is not a Portcullis database (artifactType ${m.artifactType ?? 'missing'}, expected ${DB_ARTIFACT_TYPE})`);
  }
  const a = m.annotations ?? {};
  const schema = Number(a[ANNOTATION.schema]);
  if (schema !== SCHEMA_VERSION) {
    throw new DbError('DB_SCHEMA', `${what} holds database schema ${a[ANNOTATION.schema] ?? 'unknown'}, this portcullis reads schema ${SCHEMA_VERSION}; push a database built by this version`);
  }
  const layers = (m.layers ?? []).filter((l) => l.mediaType === DB_LAYER_MEDIA_TYPE);
  const layer = layers[0];
  if (layers.length !== 1 || typeof layer?.digest !== 'string' || typeof layer.size !== 'number' || layer.size < 0) {
    throw new DbError('NOT_A_DB_ARTIFACT', `${what}: expected one ${DB_LAYER_MEDIA_TYPE} layer with a digest and size`);
  }
  const out: ReturnType<typeof dbLayer> = { digest: layer.digest, size: layer.size, builtAt: a[ANNOTATION.builtAt] ?? '' };
  if (a[ANNOTATION.sqliteDigest]) out.sqliteDigest = a[ANNOTATION.sqliteDigest];
  const size = Number(a[ANNOTATION.sqliteSize]);
  if (Number.isSafeInteger(size) && size >= 0) out.sqliteSize = size;
  return out;
}

export async function pullDb(refText: string, options: RegistryOptions): Promise<PullResult> {
  const ref = registryRef(refText, false);
  const what = formatImageRef(ref);
  const max = options.maxBytes ?? DEFAULT_MAX_DB_BYTES;
  const client = clientFor(ref, options);
  const output = resolve(options.db);
  mkdirSync(dirname(output), { recursive: true });
  removeStaleTemps(output);
  const tmp = tempPathFor(output, 'pull');
  let out: WriteStream | undefined;
  try {
    const got = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest', [MediaType.OciManifest]);
    if (got.mediaType && got.mediaType !== MediaType.OciManifest) {
      throw new DbError('NOT_A_DB_ARTIFACT', `${what} is a ${got.mediaType}, not a Portcullis database (an OCI manifest)`);
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(got.bytes.toString('utf8')) as Manifest;
    } catch {
      throw new RegistryError('BAD_RESPONSE', `${what}: manifest is not JSON`);
    }
    const layer = dbLayer(what, manifest);
    if (layer.sqliteSize !== undefined && layer.sqliteSize > max) {
      throw new DbError('DB_TOO_LARGE', `${what}: the database is ${layer.sqliteSize} bytes, more than the limit of ${max}`);
    }
    const meter = new Meter(max, what);
    const blob = await client.openBlob(ref.repository, layer);
    try {
      out = createWriteStream(tmp);
      await pipeline(blob, createZstdDecompress(), meter, out);
    } catch (err) {
      if (err instanceof PortcullisError) throw err;
      throw new DbError('BAD_DB', `${what}: the database layer could not be read (${(err as Error).message})`, { cause: err });
    }
    if (layer.sqliteDigest && meter.digest() !== layer.sqliteDigest) {
      throw new DbError('DIGEST_MISMATCH', `${what}: decompressed database is ${meter.digest()}, the manifest says ${layer.sqliteDigest}`);
    }
    // Open it as a reader would: schema and readability, before it replaces anything.
    let info;
    try {
      const check = VulnDb.open(tmp);
      try {
        info = check.info();
      } finally {
        check.close();
      }
    } catch (err) {
      // The reader's message names the temporary file; the user knows the reference.
      const reason = (err as Error).message.replaceAll(tmp, 'the pulled file');
      throw new DbError((err as DbError).code ?? 'BAD_DB', `${what}: ${reason}`, { cause: err });
    }
    renameSync(tmp, output);
    return { ref: what, manifestDigest: got.digest, db: output, builtAt: info.builtAt, schema: info.schema, bytes: statSync(output).size };
  } finally {
    await discardTemp(tmp, out);
    client.close();
  }
}

