import { Worker } from 'node:worker_threads';
import { decisionRow } from '../store/index.ts';
import type { DecisionRecord, DecisionRow, ResultStore } from '../store/index.ts';

/**
 * Decisions are written to the store in batches, by a worker thread with its own connection:
 * one SQLite commit per request would cost more than the decision itself, and a commit (or a
 * WAL checkpoint) on a busy disk would stall every request waiting behind it. A batch goes when
 * it is full or `flushMs` after its first record, and on close. What a crash can lose is at most
 * that window of audit records (the answers were already sent, and kube-apiserver's audit log
 * has them through the audit annotations). A store that is not a file (`:memory:`) is written
 * in this thread.
 */

/**
 * A row as text: its columns but the last as JSON, a newline, then the last column (the
 * decision's data, itself JSON) as it is — not escaped a second time. JSON.stringify never
 * writes a raw newline, so the first one is the separator.
 */
export function rowText(row: DecisionRow): string {
  return `${JSON.stringify(row.slice(0, -1))}\n${row[row.length - 1] as string}`;
}

/** The rows of a batch, from their texts (rowText). */
export function parseRows(texts: readonly string[]): DecisionRow[] {
  return texts.map((t) => {
    const nl = t.indexOf('\n');
    const row = JSON.parse(t.slice(0, nl)) as unknown[];
    row.push(t.slice(nl + 1));
    return row as DecisionRow;
  });
}

export interface DecisionLogOptions {
  flushMs?: number;
  maxBatch?: number;
  onError?: (err: unknown, lost: number) => void;
}

export class DecisionLog {
  /** Rows as JSON texts (see add). */
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly store: ResultStore;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly onError: (err: unknown, lost: number) => void;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { size: number; done: () => void }>();

  constructor(store: ResultStore, options: DecisionLogOptions = {}) {
    this.store = store;
    this.flushMs = options.flushMs ?? 25;
    this.maxBatch = options.maxBatch ?? 512;
    this.onError = options.onError ?? (() => {});
    if (store.path !== '' && store.path !== ':memory:') this.startWorker();
  }

  private startWorker(): void {
    const file = import.meta.url.endsWith('.ts') ? './decision-worker.ts' : './decision-worker.js';
    const worker = new Worker(new URL(file, import.meta.url), { workerData: { path: this.store.path } });
    worker.on('message', (m: { id: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) worker.unref();
      if (m.error !== undefined) this.onError(new Error(m.error), w?.size ?? 0);
      w?.done();
    });
    worker.on('error', (err) => {
      // The thread is gone: what it held is lost (and said so); later batches are written here.
      this.worker = undefined;
      for (const [, w] of this.waiting) {
        this.onError(err, w.size);
        w.done();
      }
      this.waiting.clear();
    });
    // After the listeners (attaching one refs the port again): the writer never keeps the process alive.
    worker.unref();
    this.worker = worker;
  }

  add(record: DecisionRecord): void {
    // Made into a row of plain values and then into text here: a batch crosses to the writer
    // thread as a list of strings, each copied whole, where a structured clone of the rows
    // walks and copies every value (about eight times the cost; joining the texts into one
    // string first costs more than it saves).
    this.pending.push(rowText(decisionRow(record)));
    if (this.pending.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Write what is pending; resolves when it is in the store. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    const worker = this.worker;
    if (!worker) {
      if (batch.length) {
        try {
          this.store.recordDecisionRows(parseRows(batch));
        } catch (err) {
          this.onError(err, batch.length);
        }
      }
      return Promise.resolve();
    }
    // An empty flush still waits for the batches sent before it.
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { size: batch.length, done: resolve });
      // While a batch is in flight the process waits for it (closing must not lose it).
      worker.ref();
      worker.postMessage({ id, rows: batch });
    });
  }

  /** Flush, then stop the writer thread. */
  async close(): Promise<void> {
    await this.flush();
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
