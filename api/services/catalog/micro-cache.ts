// A per-process micro-cache for catalog reads that many shoppers share (menus, list pages, hot
// sellers). Entries live for a second or so: long enough to absorb a burst on a popular category,
// short enough that an edit made by another process shows within the same second. Writers in this
// process call clear() so their own edits show at once. Concurrent misses share one load.
export class MicroCache {
  private readonly map = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
    /** Told whether each lookup was a hit (the shop's metrics count them). */
    private readonly onLookup?: (hit: boolean) => void,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const t = this.now();
    const hit = this.map.get(key);
    if (hit && t - hit.at < this.ttlMs) {
      this.onLookup?.(true);
      return hit.value as Promise<T>;
    }
    this.onLookup?.(false);
    const value = load();
    this.map.delete(key);
    this.map.set(key, { at: t, value });
    value.catch(() => {
      if (this.map.get(key)?.value === value) this.map.delete(key); // errors are not cached
    });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
    return value;
  }

  clear(): void {
    this.map.clear();
  }
}
