import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../errors.ts';
import { parseNamespaceLabels, readNamespaceLabels } from './namespaces.ts';

describe('--namespace-labels FILE', () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test('YAML and JSON maps of namespace → labels', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-ns-'));
    dirs.push(dir);
    await writeFile(join(dir, 'ns.yaml'), 'payments:\n  team: pay\n  tier: "1"\nplay:\n  tier: sandbox\nbare:\n');
    await writeFile(join(dir, 'ns.json'), JSON.stringify({ payments: { team: 'pay' } }));
    const y = await readNamespaceLabels(join(dir, 'ns.yaml'));
    assert.deepEqual(y.labels('payments'), { team: 'pay', tier: '1' });
    assert.deepEqual(y.labels('play'), { tier: 'sandbox' });
    assert.deepEqual(y.labels('bare'), {});
    assert.equal(y.labels('other'), undefined);
    assert.equal(y.ready(), true);
    assert.deepEqual((await readNamespaceLabels(join(dir, 'ns.json'))).labels('payments'), { team: 'pay' });
    await assert.rejects(readNamespaceLabels(join(dir, 'missing.yaml')), (e: unknown) => e instanceof UsageError && /cannot read/.test(e.message));
  });

  for (const [what, text, message] of [
    ['a list', '- a\n- b\n', /must map namespace names/],
    ['a bad namespace name', 'Not_A_Namespace: {}\n', /is not a namespace name/],
    ['labels that are a list', 'ns: [a, b]\n', /must be a mapping/],
    ['a label value that is a map', 'ns:\n  team: {a: 1}\n', /must be a string/],
    ['broken YAML', 'ns: {a: [\n', /not YAML or JSON/],
    ['duplicate keys', 'ns: {}\nns: {}\n', /not YAML or JSON/],
  ] as const) {
    test(`refuses ${what}`, () => {
      assert.throws(() => parseNamespaceLabels(text, 'ns.yaml'), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }
});
