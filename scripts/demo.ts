/**
 * `npm run demo`: a first look without network access. Packs examples/demo/rootfs into a small
 * OCI image (two layers, the package database in the second), builds a vulnerability database
 * from the small feed files in examples/demo/feeds (Debian tracker, NVD and CISA KEV in their
 * upstream formats), and scans the image with it: a verdict within seconds, offline.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildImage, writeOciLayout } from '../test/image-builder.ts';
import type { EntrySpec } from '../test/image-builder.ts';

const root = new URL('..', import.meta.url).pathname;
const rootfs = join(root, 'examples/demo/rootfs');
const feeds = join(root, 'examples/demo/feeds');
const out = join(root, '.demo');

function files(dir: string): EntrySpec[] {
  const entries: EntrySpec[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) entries.push(...files(path));
    else entries.push({ path: relative(rootfs, path), content: readFileSync(path) });
  }
  return entries;
}

function portcullis(args: string[]): number {
  process.stderr.write(`\n$ portcullis ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, ['bin/portcullis.js', ...args], { cwd: root, stdio: 'inherit' });
  return run.status ?? 2;
}

const all = files(rootfs);
const image = await buildImage({
  layers: [all.filter((e) => e.path.startsWith('etc/')), all.filter((e) => !e.path.startsWith('etc/'))],
});
await writeOciLayout(join(out, 'image'), [{ name: 'demo', image }]);

const db = join(out, 'db.sqlite');
const built = portcullis(['db', 'build', '-q', '-o', relative(root, db),
  '--feed', `debian-tracker=${relative(root, join(feeds, 'debian-tracker.json'))}`,
  '--feed', `nvd=${relative(root, join(feeds, 'nvd.json'))}`,
  '--feed', `kev=${relative(root, join(feeds, 'kev.json'))}`]);
if (built !== 0) process.exit(built);
// --exit-code 1: the demo image fails the default policy, which is the point of the demo; the
// script itself succeeds when the scan reached that verdict.
const code = portcullis(['scan', 'oci:.demo/image:demo', '--db', relative(root, db), '--db-max-age', '0', '--no-cache', '--exit-code', '1', '--policy', 'examples/demo/policy.yaml']);
process.stderr.write(code === 1 ? '\nThe demo image fails the policy: exit code 1, as a CI job would see it.\n' : '');
process.exit(code === 1 ? 0 : code === 0 ? 1 : code);
