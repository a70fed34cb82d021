/**
 * Every error a user can see is a PortcullisError: a stable machine-readable code and a one-line
 * message. The CLI prints `portcullis: <message>` and exits 2; stack traces only with --debug.
 */
export class PortcullisError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Talking to a registry failed: auth, not found, rate limited, transport, bad response. */
export class RegistryError extends PortcullisError {}

/** An image, manifest, config, layout or archive is not what the formats allow. */
export class ImageFormatError extends PortcullisError {}

/** A layer could not be read safely: hostile paths, bombs, truncation, limits. */
export class LayerError extends PortcullisError {}

/** Wrong command-line usage or a bad reference. */
export class UsageError extends PortcullisError {}

/** The vulnerability database is missing, corrupt or of another schema. */
export class DbError extends PortcullisError {}

/** A policy, ignore or VEX file is invalid. */
export class PolicyError extends PortcullisError {}

/** A feed file could not be read as its format. */
export class FeedError extends PortcullisError {}

/** The result store is missing, locked, corrupt, of another schema, or given a result it cannot hold. */
export class StoreError extends PortcullisError {}

/** A version that its scheme cannot parse (BAD_VERSION), or a scheme we do not know (UNKNOWN_SCHEME). */
export class VersionError extends PortcullisError {}
