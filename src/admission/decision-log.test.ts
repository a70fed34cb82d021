import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ResultStore } from '../store/index.ts';
import type { DecisionRecord } from '../store/index.ts';
import { DecisionLog } from './decision-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-decision-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Fields a client controls may hold newlines, quotes, backslashes and any Unicode.
const record = (i: number): DecisionRecord => ({
  uid: `uid-${i}\n"quoted"\\`, user: 'alice@example.com\u2028', operation: 'CREATE', kind: 'Deployment', namespace: 'shop',
  name: `app-${i}\r\nx`, action: i % 2 ? 'Reject' : 'Allow', status: i % 2 ? 'Fail' : 'Pass', dryRun: i % 3 === 0,
  images: [{ image: `registry.example.com/app-${i}:1\n`, digest: `sha256:${String(i).padStart(64, '0')}`, status: 'Pass', action: 'Allow', source: 'store' }],
  reasons: i % 2 ? [`line one\nline two ${'é'.repeat(i)}`] : [],
  at: new Date(Date.UTC(2026, 11, 1, 0, 0, i)),
});

describe('DecisionLog', () => {
  test('decisions reach the store through the writer thread exactly as recorded, newlines and quotes included', async () => {
    const path = join(dir, 'store.db');
    const store = ResultStore.open(path);
    const log = new DecisionLog(store, { flushMs: 5, maxBatch: 7 });
    const records = Array.from({ length: 20 }, (_, i) => record(i));
    for (const r of records) log.add(r);
    await log.close();
    assert.deepEqual(store.decisions({ limit: 100 }).reverse(), records);
    store.close();
  });

  test('an in-memory store is written in this thread, the same way', async () => {
    const store = ResultStore.open(':memory:');
    const log = new DecisionLog(store);
    log.add(record(1));
    await log.flush();
    assert.deepEqual(store.decisions(), [record(1)]);
    await log.close();
    store.close();
  });
});
