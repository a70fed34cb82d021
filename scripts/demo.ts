/**
 * `npm run demo`: a first look without network access. Packs examples/demo/rootfs into a small
 * OCI image (two layers, the package database in the second) and runs portcullis on it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildImage, writeOciLayout } from '../test/image-builder.ts';
import type { EntrySpec } from '../test/image-builder.ts';

const root = new URL('..', import.meta.url).pathname;
const rootfs = join(root, 'examples/demo/rootfs');
const out = join(root, '.demo/image');

function files(dir: string): EntrySpec[] {
  const entries: EntrySpec[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) entries.push(...files(path));
    else entries.push({ path: relative(rootfs, path), content: readFileSync(path) });
  }
  return entries;
}

const all = files(rootfs);
const image = await buildImage({
  layers: [all.filter((e) => e.path.startsWith('etc/')), all.filter((e) => !e.path.startsWith('etc/'))],
});
await writeOciLayout(out, [{ name: 'demo', image }]);
const args = ['bin/portcullis.js', 'sbom', `oci:${out}:demo`, '--format', 'json', '--no-cache'];
process.stderr.write(`$ portcullis ${args.slice(1).join(' ')}\n`);
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 2);
