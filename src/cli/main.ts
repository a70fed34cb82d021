import { Command, CommanderError, Option } from 'commander';
import { PortcullisError } from '../errors.ts';
import { EXIT_ERROR, VERSION } from './context.ts';
import type { Io } from './context.ts';
import { registerDb } from './db.ts';
import { registerGate } from './gate.ts';
import { registerPolicy } from './policy.ts';
import { registerSbom } from './sbom.ts';
import { registerScan } from './scan.ts';
import { registerWebhook } from './webhook.ts';

/**
 * Run the CLI. Every failure that reaches here becomes one line on stderr and exit code 2;
 * stack traces only with --debug (or PORTCULLIS_DEBUG=1).
 */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const program = new Command('portcullis')
    .description('Keep vulnerable container images out of your clusters: scan in CI, gate Argo CD syncs, enforce at admission.')
    .version(VERSION, '-v, --version')
    .addOption(new Option('--debug', 'print stack traces on errors'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  let exitCode = 0;
  const setExit = (code: number) => { exitCode = code; };
  registerSbom(program, io, setExit);
  registerScan(program, io, setExit);
  registerDb(program, io, setExit);
  registerGate(program, io, setExit);
  registerWebhook(program, io, setExit);
  registerPolicy(program, io, setExit);

  const debug = argv.includes('--debug') || io.env.PORTCULLIS_DEBUG === '1';
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are exits with code 0; everything else is a usage error (already printed).
      return err.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    if (err instanceof PortcullisError) {
      io.stderr.write(`portcullis: ${err.message}\n`);
      if (debug && err.stack) io.stderr.write(`${err.stack}\n`);
      return EXIT_ERROR;
    }
    const e = err as Error;
    io.stderr.write(`portcullis: unexpected error: ${e?.message ?? String(err)}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug && e?.stack) io.stderr.write(`${e.stack}\n`);
    return EXIT_ERROR;
  }
}
