import { readFileSync } from 'node:fs';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Where a command writes; tests pass their own streams and environment. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Exit codes (DESIGN.md): 0 passed, 1 (or --exit-code) policy failed, 2 no verdict. */
export const EXIT_ERROR = 2;
