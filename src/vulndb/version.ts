import { readFileSync } from 'node:fs';

/** This package's version, recorded in every database built (`db info` shows it). */
export const TOOL_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
