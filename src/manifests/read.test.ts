import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ManifestError, readManifests } from './index.ts';

const stdin = (s: string | Buffer) => ({ stdin: Readable.from([Buffer.from(s)]) });

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ManifestError, `expected ManifestError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('reading manifests', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'portcullis-read-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('malformed YAML: file, line and column', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers: [\n    {name: a, image: b}\n');
    await rejects(readManifests([file]), 'MANIFEST_PARSE', new RegExp(`^${file.replace(/[.]/g, '\\.')}:9:1: invalid YAML: `));
  });

  it('malformed JSON: line of the error', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "x"\n}');
    await rejects(readManifests([file]), 'MANIFEST_PARSE', /bad\.json:\d+:\d+: invalid YAML/);
  });

  it('a document that is not a mapping', async () => {
    await rejects(readManifests(['-'], stdin('apiVersion: v1\nkind: Pod\n---\n- a\n- b\n')), 'MANIFEST_SHAPE', /^<stdin>:4: a Kubernetes object must be a mapping, not a sequence$/);
  });

  it('objects carry file, document and line (List items their own line)', async () => {
    const r = await readManifests(['-'], stdin('# c\n---\n---\nkind: Pod\nmetadata: {name: a}\n---\nkind: List\napiVersion: v1\nitems:\n- kind: Pod\n  metadata: {name: b}\n- kind: Pod\n  metadata: {name: c}\n'));
    assert.deepEqual(r.objects.map((o) => o.source), [
      { file: '<stdin>', document: 2, line: 4 },
      { file: '<stdin>', document: 3, line: 10 },
      { file: '<stdin>', document: 3, line: 12 },
    ]);
  });

  it('limits: file size, total size, object count, depth, aliases, List nesting', async () => {
    const big = join(dir, 'big.yaml');
    await writeFile(big, `kind: ConfigMap\ndata:\n  x: "${'a'.repeat(2000)}"\n`);
    await rejects(readManifests([big], { limits: { maxFileBytes: 1000 } }), 'MANIFEST_LIMIT', /big\.yaml: larger than 1000 bytes/);
    await rejects(readManifests([big, big], { limits: { maxTotalBytes: 3000 } }), 'MANIFEST_LIMIT', /larger than 3000 bytes in total/);
    await rejects(readManifests(['-'], { ...stdin('x'.repeat(2000)), limits: { maxFileBytes: 1000 } }), 'MANIFEST_LIMIT', /<stdin>: larger than 1000 bytes/);
    await rejects(readManifests(['-'], { ...stdin('kind: A\n---\nkind: B\n---\nkind: C\n'), limits: { maxObjects: 2 } }), 'MANIFEST_LIMIT', /more than 2 Kubernetes objects/);
    const deep = `kind: A\nspec: ${'{a: '.repeat(150)}1${'}'.repeat(150)}\n`;
    await rejects(readManifests(['-'], stdin(deep)), 'MANIFEST_LIMIT', /<stdin>:1: nested more than 100 levels deep/);
    // Billion laughs: each level doubles; the alias budget stops it long before memory does.
    const lol = ['kind: ConfigMap', 'a0: &a0 [x, x]', ...Array.from({ length: 30 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`)].join('\n');
    await rejects(readManifests(['-'], stdin(lol)), 'MANIFEST_PARSE', /<stdin>:1: .*alias/i);
    const nested = (n: number): unknown => (n === 0 ? { kind: 'Pod' } : { kind: 'List', items: [nested(n - 1)] });
    await rejects(readManifests(['-'], stdin(JSON.stringify(nested(12)))), 'MANIFEST_LIMIT', /Lists nested more than 8 deep/);
  });

  it('not UTF-8, missing file, stdin twice', async () => {
    await rejects(readManifests(['-'], stdin(Buffer.from([0x6b, 0x3a, 0xff, 0xfe]))), 'MANIFEST_PARSE', /<stdin>: not UTF-8 text/);
    await rejects(readManifests([join(dir, 'nope.yaml')]), 'MANIFEST_INPUT', /nope\.yaml: no such file or directory/);
    await rejects(readManifests(['-', '-'], stdin('kind: A\n')), 'MANIFEST_INPUT', /given more than once/);
  });

  it('a deeply nested flow collection is an error, not a stack overflow', async () => {
    await rejects(readManifests(['-'], stdin(`kind: A\nx: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`)), 'MANIFEST_PARSE', /^<stdin>(:\d+:\d+| \(document 1\)): invalid YAML: /);
  });
});
