// Short-lived state (captcha and SMS codes, rate limits, session and profile caches) goes through
// this small interface: Redis in production, an in-process map in the embedded default.
//
// Entries are of two kinds. By default an entry stays until it expires or is deleted — limits,
// counters, one-time codes: losing one would lift a limit. An entry written `evictable` (captchas,
// caches of what the database holds) may be dropped early when the in-process cache is full, and
// only evictable entries are ever dropped for room — so entries that anonymous clients can make by
// the thousand never push a counter out. Redis never evicts on its own under its default
// `maxmemory-policy noeviction` (docs/accounts.md says so for production), so there both kinds
// simply live until their TTL.
export interface WriteOptions {
  /** May be dropped before its TTL when the in-process cache needs room (default false). */
  evictable?: boolean;
}

export interface Cache {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** ttlSeconds omitted: no expiry. */
  set(key: string, value: string, ttlSeconds?: number, opts?: WriteOptions): Promise<void>;
  del(...keys: string[]): Promise<number>;
  /** Reads and deletes in one step (Redis GETDEL): of two callers, one gets the value, the other null. */
  take(key: string): Promise<string | null>;
  /** Sets only when the key is absent (SET NX); true when it was set. */
  setIfAbsent(key: string, value: string, ttlSeconds: number, opts?: WriteOptions): Promise<boolean>;
  /** Atomic increment; sets the TTL when the key is created. Counters are never evictable. */
  incr(key: string, ttlSeconds?: number): Promise<number>;
  /** Atomic increment of one field of a hash (HINCRBY); sets the TTL when the hash is created. Never evictable. */
  hashIncr(key: string, field: string, ttlSeconds?: number): Promise<number>;
  /** Every field of a hash ({} when missing). */
  hashGetAll(key: string): Promise<Record<string, string>>;
  /**
   * Moves the hash `from` to `to` in one step, when `from` exists and `to` does not, and writes
   * `stamp` into field `stampField` of it; `to` has no expiry. True when moved. Counters are taken
   * this way: increments after the move start a new `from`, and the stamp names the taking.
   */
  claimHash(from: string, to: string, stampField: string, stamp: string): Promise<boolean>;
  /** Deletes `key` only while its field `field` equals `value` (compare and delete); true when deleted. */
  delIfHashField(key: string, field: string, value: string): Promise<boolean>;
  /** Seconds left; -1 no expiry; -2 missing (Redis semantics). */
  ttl(key: string): Promise<number>;
  close(): Promise<void>;
}
