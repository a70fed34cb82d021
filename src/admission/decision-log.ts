import type { DecisionRecord, ResultStore } from '../store/index.ts';

/**
 * Decisions are written to the store in batches: one SQLite commit per request would cost more
 * than the decision itself. A batch goes when it is full or `flushMs` after its first record,
 * and on close; what a crash can lose is at most that window of audit records (the answers
 * themselves were already sent, and kube-apiserver's audit log has them too).
 */
export class DecisionLog {
  private pending: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly store: ResultStore;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly onError: (err: unknown, lost: number) => void;

  constructor(store: ResultStore, options: { flushMs?: number; maxBatch?: number; onError?: (err: unknown, lost: number) => void } = {}) {
    this.store = store;
    this.flushMs = options.flushMs ?? 25;
    this.maxBatch = options.maxBatch ?? 512;
    this.onError = options.onError ?? (() => {});
  }

  add(record: DecisionRecord): void {
    this.pending.push(record);
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      this.store.recordDecisions(batch);
    } catch (err) {
      this.onError(err, batch.length);
    }
  }
}
