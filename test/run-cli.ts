/** Run the CLI in this process with captured streams (for command tests). */
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.ts';

export async function runCli(args: string[], options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void, tty: boolean) =>
    Object.assign(new Writable({ write(chunk: Buffer, _e, cb) { add(chunk.toString()); cb(); } }), { isTTY: tty });
  const code = await main(args, {
    stdout: sink((s) => { stdout += s; }, options.tty ?? false),
    stderr: sink((s) => { stderr += s; }, options.tty ?? false),
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}
