/**
 * One layer's analysis on real tars: hard links at the paths analyzers read.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildLayer } from '../../test/image-builder.ts';
import type { EntrySpec } from '../../test/image-builder.ts';
import { ANALYZERS } from './analyzers/index.ts';
import { analyzeLayer } from './layer-analysis.ts';

const STATUS = readFileSync(fileURLToPath(new URL('../../../shared/data/pkgdb/dpkg/trivy-digests/input/var/lib/dpkg/status', import.meta.url)));

async function analyse(entries: EntrySpec[]) {
  const layer = await buildLayer(entries, 'gzip', 'oci');
  return analyzeLayer(Readable.from([layer.blob]), { descriptor: layer.descriptor, diffId: layer.diffId }, ANALYZERS);
}

describe('analyzeLayer and hard links', () => {
  it('a hard link to a file read earlier in the layer shares its results', async () => {
    const a = await analyse([
      { path: 'var/lib/dpkg/status', content: STATUS },
      { path: 'var/lib/dpkg/status.d/base', type: 'hardlink', linkname: 'var/lib/dpkg/status' },
    ]);
    assert.deepEqual(a.files['var/lib/dpkg/status.d/base'], a.files['var/lib/dpkg/status']);
    assert.ok((a.files['var/lib/dpkg/status']?.dpkg?.packages ?? []).length > 0);
    assert.deepEqual(a.warnings, []);
  });

  it('a hard link to a file no analyzer wanted is reported, not silently empty', async () => {
    const a = await analyse([
      { path: 'var/cache/dedup/3f2a', content: STATUS },
      { path: 'var/lib/dpkg/status', type: 'hardlink', linkname: 'var/cache/dedup/3f2a' },
    ]);
    assert.deepEqual(a.files, {});
    assert.deepEqual(a.links, { 'var/lib/dpkg/status': 'var/cache/dedup/3f2a' });
    assert.deepEqual(a.warnings, ['var/lib/dpkg/status: hard link to var/cache/dedup/3f2a, which was not read; its contents are not analysed']);
  });
});
