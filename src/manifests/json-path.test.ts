import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePath, evaluatePath, ManifestError, MAX_PATH_LENGTH, parseImagePaths } from './index.ts';

const obj = {
  spec: {
    components: [{ name: 'a', image: 'img-a' }, { image: 'img-b' }, { name: 'c' }],
    'odd.key': { image: 'img-odd' },
    images: ['x', 'y'],
    byName: { one: { image: 'm1' }, two: { image: 'm2' } },
  },
};
const values = (p: string) => evaluatePath(compilePath(p), obj).map((m) => [m.path, m.value]);

describe('image path expressions', () => {
  it('fields, [*], [N], quoted keys, * over maps, $ prefix', () => {
    assert.deepEqual(values('spec.components[*].image'), [['spec.components[0].image', 'img-a'], ['spec.components[1].image', 'img-b']]);
    assert.deepEqual(values('$.spec.components[1].image'), [['spec.components[1].image', 'img-b']]);
    assert.deepEqual(values("spec['odd.key'].image"), [["spec['odd.key'].image", 'img-odd']]);
    assert.deepEqual(values('spec.images[*]'), [['spec.images[0]', 'x'], ['spec.images[1]', 'y']]);
    assert.deepEqual(values('spec.byName.*.image'), [['spec.byName.one.image', 'm1'], ['spec.byName.two.image', 'm2']]);
    assert.deepEqual(values('spec.components[9].image'), []);
    assert.deepEqual(values('spec.images.image'), [], 'a field of an array is nothing');
  });

  it('inherited properties are not fields', () => {
    assert.deepEqual(evaluatePath(compilePath('spec.constructor'), obj), []);
    assert.deepEqual(evaluatePath(compilePath('__proto__'), {}), []);
  });

  it('rejects what is not in the subset', () => {
    for (const bad of ['', 'spec..x', 'spec[?(@.a)]', 'spec[', '$x', 'a b', '$', 'spec.x[-1]', 'x'.repeat(MAX_PATH_LENGTH + 1), Array(40).fill('a').join('.')]) {
      assert.throws(() => compilePath(bad), ManifestError, bad);
    }
  });

  it('config file: list or imagePaths mapping, strict fields, positioned YAML errors', () => {
    assert.equal(parseImagePaths('- kind: A\n  paths: [spec.image]\n', 'f.yaml').length, 1);
    assert.equal(parseImagePaths('imagePaths:\n- kind: A\n  apiVersion: x/v1\n  paths: [spec.image]\n', 'f.yaml')[0]!.apiVersion, 'x/v1');
    assert.throws(() => parseImagePaths('- kind: A\n  path: [x]\n', 'f.yaml'), /f\.yaml: entry 1: unknown field "path"/);
    assert.throws(() => parseImagePaths('- kind: A\n  paths: ["spec[?(@)]"]\n', 'f.yaml'), /entry 1: image path/);
    assert.throws(() => parseImagePaths('- kind: A\n  paths: [\n', 'f.yaml'), /f\.yaml:\d+:\d+: invalid YAML/);
    assert.throws(() => parseImagePaths('kind: A\n', 'f.yaml'), /expected a list/);
  });
});
