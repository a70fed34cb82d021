import type { ScanResult } from '../report/index.ts';

/** Scans one image reference (pinned to its digest). Injected: the webhook wires scanImage. */
export type ScanImage = (reference: string) => Promise<ScanResult>;

export interface ScanQueueOptions {
  /** Scans waiting (not running) at most; beyond it new ones are refused. */
  maxQueued?: number;
  /** Scans running at once. */
  concurrency?: number;
  onDone?: (reference: string, result: ScanResult) => void;
  onError?: (reference: string, error: unknown) => void;
  onDepth?: (depth: number) => void;
}

export type EnqueueResult = 'queued' | 'pending' | 'full';

/**
 * Background scans for the `...AndScan` unknown-image actions: a bounded queue, bounded
 * concurrency, one scan per digest at a time. The admission request never waits for it; the
 * result lands in the store and the next request finds it.
 */
export class ScanQueue {
  private readonly waiting: { reference: string; digest: string }[] = [];
  private readonly pending = new Set<string>();
  private running = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly maxQueued: number;
  private readonly concurrency: number;
  private closed = false;

  private readonly scan: ScanImage;
  private readonly store: (result: ScanResult) => void;
  private readonly options: ScanQueueOptions;

  constructor(scan: ScanImage, store: (result: ScanResult) => void, options: ScanQueueOptions = {}) {
    this.scan = scan;
    this.store = store;
    this.options = options;
    this.maxQueued = options.maxQueued ?? 100;
    this.concurrency = options.concurrency ?? 2;
  }

  /** Waiting plus running scans. */
  get depth(): number {
    return this.waiting.length + this.running;
  }

  enqueue(reference: string, digest: string): EnqueueResult {
    if (this.pending.has(digest)) return 'pending';
    if (this.closed || this.waiting.length >= this.maxQueued) return 'full';
    this.pending.add(digest);
    this.waiting.push({ reference, digest });
    this.options.onDepth?.(this.depth);
    this.pump();
    return 'queued';
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift() as { reference: string; digest: string };
      this.running++;
      void this.run(job);
    }
  }

  private async run(job: { reference: string; digest: string }): Promise<void> {
    try {
      const result = await this.scan(job.reference);
      this.store(result);
      this.options.onDone?.(job.reference, result);
    } catch (err) {
      this.options.onError?.(job.reference, err);
    } finally {
      this.running--;
      this.pending.delete(job.digest);
      this.options.onDepth?.(this.depth);
      this.pump();
      if (this.depth === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuse new scans and wait for the running ones; waiting ones are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.waiting.splice(0)) this.pending.delete(j.digest);
    await this.idle();
  }
}
