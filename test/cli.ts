/** Run the CLI in-process with captured output (no real stdout/stderr, a bare environment). */
import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main.ts';

export interface CliRun { code: number; stdout: string; stderr: string }

/** `tty`: stderr claims to be a terminal, so progress displays are drawn. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, tty = false): Promise<CliRun> {
  const out = new PassThrough();
  const err: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (tty) err.isTTY = true;
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => { stdout += c.toString(); });
  err.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await main(args, { stdout: out, stderr: err, env: { HOME: '/nonexistent', ...env } });
  return { code, stdout, stderr };
}
