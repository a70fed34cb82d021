/** A bounded map with expiry: the least recently used entry goes when it is full. */
export class ExpiringLru<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(key: K, now: number): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    if (e.expires <= now) return undefined;
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, expires: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expires });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
