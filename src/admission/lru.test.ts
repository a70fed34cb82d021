import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpiringLru } from './lru.ts';

describe('ExpiringLru', () => {
  test('expired entries are gone; the least recently used goes when full', () => {
    const lru = new ExpiringLru<string, number>(2, { touchMs: 0 });
    lru.set('a', 1, 100);
    lru.set('b', 2, 100);
    assert.equal(lru.get('a', 10), 1);
    lru.set('c', 3, 100);
    assert.equal(lru.get('b', 10), undefined, 'b was used least recently');
    assert.equal(lru.get('a', 10), 1);
    assert.equal(lru.get('a', 100), undefined, 'expired');
    assert.equal(lru.size, 1);
  });

  test('a read within touchMs of the last move does not move the entry again', () => {
    const lru = new ExpiringLru<string, number>(2, { touchMs: 1000 });
    lru.set('a', 1, 1e9, 0);
    lru.set('b', 2, 1e9, 0);
    assert.equal(lru.get('a', 500), 1);
    lru.set('c', 3, 1e9, 500);
    assert.equal(lru.get('a', 600), undefined, 'a was read too soon after it was set to move');
    assert.equal(lru.get('b', 1500), 2, 'read after touchMs: moved to the young end');
    lru.set('d', 4, 1e9, 1500);
    assert.equal(lru.get('b', 1600), 2);
    assert.equal(lru.get('c', 1600), undefined);
  });
});
