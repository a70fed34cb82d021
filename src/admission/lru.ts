/**
 * A bounded map with expiry: the least recently used entry goes when it is full.
 *
 * "Recently" is to within `touchMs`: an entry read again within that time of its last move to
 * the young end is not moved again. Moving is a delete and an insert in the Map, which on the
 * webhook's hot path (the same few thousand keys read thousands of times a second) cost more
 * than the lookup itself; an entry read that often is nowhere near the old end anyway.
 */
export class ExpiringLru<K, V> {
  private readonly map = new Map<K, { value: V; expires: number; touched: number }>();
  private readonly max: number;
  private readonly touchMs: number;

  constructor(max: number, options: { touchMs?: number } = {}) {
    this.max = max;
    this.touchMs = options.touchMs ?? 1000;
  }

  get(key: K, now: number): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    if (!(now - e.touched < this.touchMs)) {
      this.map.delete(key);
      this.map.set(key, e);
      e.touched = now;
    }
    return e.value;
  }

  set(key: K, value: V, expires: number, now = -Infinity): void {
    this.map.delete(key);
    this.map.set(key, { value, expires, touched: now });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
