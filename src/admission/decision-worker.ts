/**
 * The thread that writes admission decisions to the store (see decision-log.ts): SQLite commits
 * and WAL checkpoints take milliseconds on a busy disk, and the request thread must not wait for
 * them. Messages: `{ id, rows }` (rows: one JSON text per decision) → `{ id }` or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ResultStore } from '../store/index.ts';
import { parseRows } from './decision-log.ts';

const store = ResultStore.open((workerData as { path: string }).path);
const port = parentPort;
if (!port) throw new Error('decision-worker runs as a worker thread');
port.on('message', (m: { id: number; rows: string[] }) => {
  try {
    store.recordDecisionRows(parseRows(m.rows));
    port.postMessage({ id: m.id });
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error)?.message ?? String(err) });
  }
});
port.on('close', () => store.close());
