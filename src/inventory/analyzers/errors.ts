import { PortcullisError } from '../../errors.ts';

/**
 * A package database could not be read: corrupt, truncated, of an unsupported format, or over a
 * limit. Thrown from Analyzer.analyze(); the layer walker records it as a warning for that file
 * (one bad database must not hide the rest of the image), so the message names what was wrong.
 */
export class PackageDbError extends PortcullisError {}
