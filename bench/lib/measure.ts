/**
 * Run a command as a child process and measure it from outside: wall time (parent's monotonic
 * clock, spawn to exit), CPU time (user + system) and peak resident set size (GNU time's %U, %S
 * and %M). CPU time says more than wall time on a busy machine, where a short run's wall time
 * is mostly waiting for a core.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  ms: number;
  cpuMs: number | undefined;
  maxRssMB: number | undefined;
  code: number | null;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

export async function measure(command: string, args: string[], options: { stdout?: 'ignore' | number; env?: NodeJS.ProcessEnv } = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const report = join(dir, 'time');
  const withTime = existsSync(GNU_TIME);
  const [cmd, argv] = withTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', report, command, ...args]] : [command, args];
  try {
    const start = process.hrtime.bigint();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(cmd, argv, { stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'], env: options.env ?? process.env });
      let err = '';
      child.stderr!.on('data', (c: Buffer) => { if (err.length < 20_000) err += c.toString(); });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const [kb, user, sys] = (withTime && existsSync(report) ? readFileSync(report, 'utf8').trim().split('\n').pop()! : '').split(' ').map(Number);
    return {
      ms,
      cpuMs: user !== undefined && sys !== undefined && Number.isFinite(user + sys) ? (user + sys) * 1000 : undefined,
      maxRssMB: kb !== undefined && Number.isFinite(kb) ? kb / 1024 : undefined,
      code,
      stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
