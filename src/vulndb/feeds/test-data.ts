/** Test helper: paths into the shared feed samples (../shared/data/feeds, see its README.md) and scratch directories. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FEEDS_DIR = fileURLToPath(new URL('../../../../shared/data/feeds/', import.meta.url));

export function feedPath(rel: string): string {
  return join(FEEDS_DIR, rel);
}

/** A scratch directory and a function that removes it (for `after`). */
export function scratch(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `portcullis-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
