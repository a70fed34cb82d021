import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.ts';
import { namespaceLabelSource, parseLabelList } from './index.ts';

describe('namespace labels', () => {
  it('--namespace-labels: Kubernetes label syntax, prefixed keys, empty values', () => {
    assert.deepEqual(parseLabelList('env=prod, team=payments,example.com/tier=gold,empty='), { env: 'prod', team: 'payments', 'example.com/tier': 'gold', empty: '' });
    assert.deepEqual(parseLabelList(''), {});
    for (const bad of ['env', 'env=a b', '-x=1', 'Example.com/x=1', `k=${'v'.repeat(64)}`, 'a/b/c=1']) {
      assert.throws(() => parseLabelList(bad), UsageError, bad);
    }
    assert.throws(() => parseLabelList(Array.from({ length: 300 }, (_, i) => `k${i}=v`).join(',')), /more than 256 labels/);
  });

  it('labels from a file of Namespace objects win over the flag, which covers every other namespace', () => {
    const source = namespaceLabelSource(new Map([['shop', { env: 'prod' }]]), { env: 'dev' });
    assert.deepEqual(source('shop'), { env: 'prod' });
    assert.deepEqual(source('other'), { env: 'dev' });
    assert.equal(namespaceLabelSource(new Map(), undefined)('x'), undefined);
  });
});
