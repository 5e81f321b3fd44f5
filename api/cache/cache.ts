// Short-lived state (response caches now; captcha and SMS codes, carts, rate limits later) goes
// through this small interface: Redis in production, an in-process map in the embedded default.
export interface Cache {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** ttlSeconds omitted: no expiry. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(...keys: string[]): Promise<number>;
  /** Reads and deletes in one step (Redis GETDEL): of two callers, one gets the value, the other null. */
  take(key: string): Promise<string | null>;
  /** Sets only when the key is absent (SET NX); true when it was set. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Atomic increment; sets the TTL when the key is created. */
  incr(key: string, ttlSeconds?: number): Promise<number>;
  /** Seconds left; -1 no expiry; -2 missing (Redis semantics). */
  ttl(key: string): Promise<number>;
  close(): Promise<void>;
}
