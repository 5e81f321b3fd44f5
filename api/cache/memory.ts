import type { Cache } from './cache.ts';

interface Entry {
  value: string;
  expiresAt: number; // ms epoch; Infinity = no expiry
}

/** In-process cache for the embedded default. Bounded: the oldest entries go first when full. */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  private put(key: string, value: string, ttlSeconds?: number) {
    this.map.delete(key); // re-insert so Map order is write order
    this.map.set(key, { value, expiresAt: ttlSeconds === undefined ? Infinity : this.now() + ttlSeconds * 1000 });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  async get(key: string) {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds?: number) {
    this.put(key, value, ttlSeconds);
  }

  async del(...keys: string[]) {
    let n = 0;
    for (const k of keys) if (this.live(k) && this.map.delete(k)) n++;
    return n;
  }

  async take(key: string) {
    const e = this.live(key);
    if (!e) return null;
    this.map.delete(key);
    return e.value;
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    if (this.live(key)) return false;
    this.put(key, value, ttlSeconds);
    return true;
  }

  async incr(key: string, ttlSeconds?: number) {
    const e = this.live(key);
    if (e) {
      const n = Number(e.value);
      if (!Number.isInteger(n)) throw new Error('ERR value is not an integer or out of range');
      e.value = String(n + 1);
      return n + 1;
    }
    this.put(key, '1', ttlSeconds);
    return 1;
  }

  async ttl(key: string) {
    const e = this.live(key);
    if (!e) return -2;
    if (e.expiresAt === Infinity) return -1;
    return Math.ceil((e.expiresAt - this.now()) / 1000);
  }

  async close() {
    this.map.clear();
  }
}
