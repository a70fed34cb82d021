/**
 * Tests that need a real component (docker-registry, skopeo, rpm, chromium, ...) skip with a
 * message when it is missing, except under CI=true where a missing component is a failure:
 * .ci/run installs them all, so a skip there would hide a broken setup.
 */
import { spawnSync } from 'node:child_process';

const found = new Map<string, string | undefined>();

/** Absolute path of a program on PATH, or undefined. */
export function which(program: string): string | undefined {
  if (!found.has(program)) {
    const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
    found.set(program, r.status === 0 ? r.stdout.trim() : undefined);
  }
  return found.get(program);
}

/**
 * For node:test's `skip` option: false when every program is present; otherwise a message
 * (or, under CI=true, an exception, so the run fails loudly).
 */
export function needs(...programs: string[]): false | string {
  const missing = programs.filter((p) => !which(p));
  if (missing.length === 0) return false;
  const message = `needs ${missing.join(', ')} (installed by .ci/run)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and a required component is missing: ${message}`);
  return message;
}
