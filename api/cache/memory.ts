import type { Cache, WriteOptions } from './cache.ts';

interface Entry {
  value: string;
  expiresAt: number; // ms epoch; Infinity = no expiry
}

/**
 * In-process cache for the embedded default, in two spaces (see cache.ts). Evictable entries are
 * bounded by count: past `maxEvictable`, the oldest written go first. Kept entries (limits,
 * counters, codes) are never dropped for room: they leave when they expire, and expired ones are
 * swept whenever that space has doubled since the last sweep, so their memory follows the rate at
 * which they are made times their TTL — each kind of them is made only behind a limit of its own.
 */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly kept = new Map<string, Entry>();
  private readonly evictable = new Map<string, Entry>();
  /** Hashes (counters by field): kept like counters, never dropped for room. */
  private readonly hashes = new Map<string, { fields: Map<string, string>; expiresAt: number }>();
  private sweepAt = 1024;

  constructor(
    private readonly maxEvictable = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  private live(key: string): Entry | undefined {
    const space = this.kept.has(key) ? this.kept : this.evictable;
    const e = space.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      space.delete(key);
      return undefined;
    }
    return e;
  }

  private put(key: string, value: string, ttlSeconds: number | undefined, opts: WriteOptions | undefined) {
    const entry = { value, expiresAt: ttlSeconds === undefined ? Infinity : this.now() + ttlSeconds * 1000 };
    // a key lives in one space: the one its latest write named
    this.kept.delete(key);
    this.evictable.delete(key); // re-inserted below, so Map order is write order
    if (opts?.evictable) {
      this.evictable.set(key, entry);
      while (this.evictable.size > this.maxEvictable) this.evictable.delete(this.evictable.keys().next().value as string);
    } else {
      this.kept.set(key, entry);
      if (this.kept.size >= this.sweepAt) this.sweepKept();
    }
  }

  private sweepKept() {
    const now = this.now();
    for (const [k, e] of this.kept) if (e.expiresAt <= now) this.kept.delete(k);
    for (const [k, h] of this.hashes) if (h.expiresAt <= now) this.hashes.delete(k);
    this.sweepAt = Math.max(1024, 2 * Math.max(this.kept.size, this.hashes.size));
  }

  /** Entries held in each space, expired ones not yet swept included (for tests and health). */
  sizes(): { kept: number; evictable: number } {
    return { kept: this.kept.size, evictable: this.evictable.size };
  }

  async get(key: string) {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds?: number, opts?: WriteOptions) {
    this.put(key, value, ttlSeconds, opts);
  }

  async del(...keys: string[]) {
    let n = 0;
    for (const k of keys) {
      if (this.live(k) && (this.kept.delete(k) || this.evictable.delete(k))) n++;
      else if (this.liveHash(k) && this.hashes.delete(k)) n++;
    }
    return n;
  }

  async take(key: string) {
    const e = this.live(key);
    if (!e) return null;
    this.kept.delete(key);
    this.evictable.delete(key);
    return e.value;
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number, opts?: WriteOptions) {
    if (this.live(key)) return false;
    this.put(key, value, ttlSeconds, opts);
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
    this.put(key, '1', ttlSeconds, undefined);
    return 1;
  }

  private liveHash(key: string) {
    const h = this.hashes.get(key);
    if (h && h.expiresAt <= this.now()) {
      this.hashes.delete(key);
      return undefined;
    }
    return h;
  }

  async hashIncr(key: string, field: string, ttlSeconds?: number) {
    let h = this.liveHash(key);
    if (!h) {
      h = { fields: new Map(), expiresAt: ttlSeconds ? this.now() + ttlSeconds * 1000 : Infinity };
      this.hashes.set(key, h);
      if (this.hashes.size >= this.sweepAt) this.sweepKept();
    }
    const n = Number(h.fields.get(field) ?? '0');
    if (!Number.isInteger(n)) throw new Error('ERR hash value is not an integer');
    h.fields.set(field, String(n + 1));
    return n + 1;
  }

  async hashGetAll(key: string) {
    return Object.fromEntries(this.liveHash(key)?.fields ?? []);
  }

  async claimHash(from: string, to: string, stampField: string, stamp: string) {
    const h = this.liveHash(from);
    if (!h || this.liveHash(to)) return false;
    this.hashes.delete(from);
    h.fields.set(stampField, stamp);
    this.hashes.set(to, { fields: h.fields, expiresAt: Infinity });
    return true;
  }

  async delIfHashField(key: string, field: string, value: string) {
    const h = this.liveHash(key);
    if (!h || h.fields.get(field) !== value) return false;
    return this.hashes.delete(key);
  }

  async ttl(key: string) {
    const e = this.live(key) ?? this.liveHash(key);
    if (!e) return -2;
    if (e.expiresAt === Infinity) return -1;
    return Math.ceil((e.expiresAt - this.now()) / 1000);
  }

  async close() {
    this.kept.clear();
    this.evictable.clear();
    this.hashes.clear();
  }
}
